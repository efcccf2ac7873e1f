"""The Hawkes log-likelihood in O(n), with its gradient and Hessian in the working parameters.

The exponential kernel's sums over earlier events, and their first two
derivatives in the decay, follow a recursion; it is evaluated in vectorised
blocks or lags (:func:`_decayed_sums`), whichever is cheaper for the decay.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["hawkes_loglik"]

# Width of a block in units of 1/beta: exp(500) is far from overflow, and the
# product exp(-500) * exp(500) is exact enough in float64.
_BLOCK = 500.0
# Lag sums stop where exp(-beta gap) < exp(-41.5) ~ 1e-18.
_LAG_CUTOFF = 41.5


def _decayed_sums(t: np.ndarray, beta: float, order: int = 0) -> tuple[np.ndarray, ...]:
    """Sums over earlier events of ``gap**m exp(-beta gap)``, ``gap = t_i - t_j``, for m = 0..order, in O(n).

    ``A_i`` (m = 0) gives the intensity; ``B_i`` (m = 1) and ``C_i`` (m = 2) its first and
    second derivatives in beta (``dA/dbeta = -B``, ``dB/dbeta = -C``). Two vectorised forms of
    the recursion ``A_i = exp(-beta dt) (1 + A_{i-1})``, whichever is cheaper for this beta:

    * blocks: cumulative sums of ``exp(beta (t_j - r))`` within blocks where
      that stays finite, carrying the sums across blocks (one Python step per
      block, about beta x span / 500 of them; exact);
    * lags: add ``exp(-beta (t_i - t_{i-l}))`` for l = 1, 2, ... up to the
      largest number of events within 41.5 / beta days (one numpy pass per
      lag; terms below exp(-41.5) ~ 1e-18 are dropped).
    """
    n = len(t)
    if n == 0:
        return tuple(np.zeros(0) for _ in range(order + 1))
    n_blocks = int(beta * (t[-1] - t[0]) / _BLOCK) + 1
    # Rough costs in microseconds: a block step ~15, a lag pass ~5 + n/100 (at least one pass is needed).
    max_lag = None
    if 15 * n_blocks > 5 + n / 100:
        reach = np.searchsorted(t, t - _LAG_CUTOFF / beta, side="left")
        max_lag = int(np.max(np.arange(n) - reach))
    if max_lag is not None and max_lag * (5 + n / 100) < 15 * n_blocks:
        sums = _lag_sums(t, beta, max_lag, order)
    else:
        sums = _block_sums(t, beta, order)
    tied = np.flatnonzero(np.diff(t) == 0) + 1
    if tied.size:
        # Only strictly earlier events excite (left-continuous intensity): a tied event gets the
        # sums of the first event of its tie group.
        first = np.arange(n)
        first[tied] = 0
        first = np.maximum.accumulate(first)
        sums = tuple(x[first] for x in sums)
    return sums


def _lag_sums(t, beta, max_lag, order=0):
    n = len(t)
    out = [np.zeros(n) for _ in range(order + 1)]
    for lag in range(1, max_lag + 1):
        gap = t[lag:] - t[:-lag]
        w = np.exp(-beta * gap)
        out[0][lag:] += w
        for m in range(1, order + 1):
            w = gap * w
            out[m][lag:] += w
    return tuple(out)


def _exclusive_cumsum(x: np.ndarray) -> np.ndarray:
    cs = np.empty_like(x)
    cs[0] = 0.0
    np.cumsum(x[:-1], out=cs[1:])
    return cs


def _block_sums(t, beta, order=0):
    """Block form of :func:`_decayed_sums`; sums of earlier blocks are carried as (a, b, c)."""
    n = len(t)
    out = [np.zeros(n) for _ in range(order + 1)]
    n_blocks = int(beta * (t[-1] - t[0]) / _BLOCK) + 1
    edges = t[0] + _BLOCK / beta * np.arange(1, n_blocks)
    bounds = np.unique(np.r_[0, np.searchsorted(t, edges, side="left"), n])
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        carry = [0.0, 0.0, 0.0]
        if lo > 0:
            gap = t[lo] - t[lo - 1]
            w = math.exp(-beta * gap)
            prev = [1.0 + out[0][lo - 1]] + [out[m][lo - 1] for m in range(1, order + 1)]
            carry[0] = w * prev[0]
            if order >= 1:
                carry[1] = w * (prev[1] + gap * prev[0])
            if order >= 2:
                carry[2] = w * (prev[2] + 2 * gap * prev[1] + gap * gap * prev[0])
        x = t[lo:hi] - t[lo]
        up = np.exp(beta * x)
        down = 1.0 / up
        # Exclusive cumulative sums (no subtraction, so no cancellation in A).
        s0 = carry[0] + _exclusive_cumsum(up)
        out[0][lo:hi] = down * s0
        if order >= 1:
            xu = x * up
            s1 = _exclusive_cumsum(xu)
            out[1][lo:hi] = down * (x * s0 - s1 + carry[1])
        if order >= 2:
            s2 = _exclusive_cumsum(x * xu)
            out[2][lo:hi] = down * (x * (x * s0 - 2.0 * (s1 - carry[1])) + s2 + carry[2])
    return tuple(out)


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product without BLAS: OpenBLAS threads long dot products, which costs far more than it
    saves at these sizes and stalls on a busy machine."""
    return float(np.einsum("i,i->", a, b))


def _per_piece(values: np.ndarray, piece: np.ndarray, k: int) -> np.ndarray:
    """Sum of ``values`` within each background piece."""
    if k == 1:
        return np.array([values.sum()])
    return np.bincount(piece, weights=values, minlength=k)


def _unpack(theta: np.ndarray, k: int) -> tuple[np.ndarray, float, float]:
    return np.exp(theta[:k]), float(special.expit(theta[k])), float(math.exp(theta[k + 1]))


def _loglik_derivs(theta, t, piece, lengths, horizon, order=2):
    """Log-likelihood, and with ``order`` >= 1 its gradient and Hessian, in (log mu_k, logit n, log beta).

    Derivatives are analytic: ``lambda_i = mu + n z_i`` with ``z_i = beta A_i``, so
    ``dz/dbeta = A - beta B`` and ``d2z/dbeta2 = beta C - 2 B``. Returns ``-inf`` (and
    no derivatives) where the intensity is not positive.
    """
    k = len(lengths)
    mu, nbr, beta = _unpack(theta, k)
    sums = _decayed_sums(t, beta, order=order)
    z = beta * sums[0]
    lam = mu[piece] + nbr * z
    if np.any(lam <= 0):
        return (-np.inf, None, None) if order else -np.inf
    left = horizon - t
    tail = np.exp(-beta * left)
    comp = len(t) - tail.sum()  # sum of 1 - exp(-beta (T - t_i))
    ll = float(np.sum(np.log(lam)) - mu @ lengths - nbr * comp)
    if not order:
        return ll
    a, b = sums[0], sums[1]
    w = 1.0 / lam
    dz = a - beta * b
    r_tail = _dot(left, tail)
    g_nat = np.empty(k + 2)
    g_nat[:k] = _per_piece(w, piece, k) - lengths
    g_nat[k], g_nat[k + 1] = _dot(z, w) - comp, nbr * (_dot(dz, w) - r_tail)
    w2 = w * w
    zw2, dzw2 = z * w2, dz * w2
    h = np.zeros((k + 2, k + 2))
    h[np.arange(k), np.arange(k)] = -_per_piece(w2, piece, k)
    h[:k, k] = h[k, :k] = -_per_piece(zw2, piece, k)
    h[:k, k + 1] = h[k + 1, :k] = -nbr * _per_piece(dzw2, piece, k)
    h[k, k] = -_dot(z, zw2)
    h[k, k + 1] = h[k + 1, k] = _dot(dz, w) - nbr * _dot(z, dzw2) - r_tail
    h[k + 1, k + 1] = (
        nbr * _dot(beta * sums[2] - 2.0 * b, w) - nbr * nbr * _dot(dz, dzw2) + nbr * _dot(left * left, tail)
    )
    # Chain rule to the working scale: first and second derivatives of (exp, expit, exp).
    d1 = np.append(mu, (nbr * (1 - nbr), beta))
    d2 = np.append(mu, (nbr * (1 - nbr) * (1 - 2 * nbr), beta))
    grad = d1 * g_nat
    hess = d1[:, None] * h * d1[None, :] + np.diag(d2 * g_nat)
    return ll, grad, hess


def _negloglik(theta, t, piece, lengths, horizon, need_grad=True):
    """Negative log-likelihood and its gradient in (log mu_k, logit n, log beta)."""
    if not need_grad:
        return -_loglik_derivs(theta, t, piece, lengths, horizon, order=0)
    ll, grad, _ = _loglik_derivs(theta, t, piece, lengths, horizon, order=2)
    if grad is None:
        return np.inf, np.zeros_like(theta)
    return -ll, -grad


def hawkes_loglik(
    times, mu: float, branching_ratio: float, beta: float, end: float, start: float = 0.0
) -> float:
    """Log-likelihood of a Hawkes process with constant background, in O(n).

    Parameters
    ----------
    times : array-like of float
        Event times in days, within ``[start, end)``. Only strictly earlier
        events excite, so tied times do not excite each other.
    mu : float
        Background rate per day.
    branching_ratio : float
        Mean number of events triggered by each event (kernel weight ``n``).
    beta : float
        Decay rate per day of the kernel ``n beta exp(-beta t)``.
    end, start : float
        Observation window in days.

    Examples
    --------
    >>> round(hawkes_loglik([1.0, 1.5, 4.0], 0.5, 0.3, 1.2, end=5.0), 6)
    -4.995084
    """
    t = np.sort(np.asarray(times, dtype=float)) - start
    (a,) = _decayed_sums(t, beta)
    lam = mu + branching_ratio * beta * a
    horizon = end - start
    return float(
        np.sum(np.log(lam)) - mu * horizon + branching_ratio * np.sum(np.expm1(-beta * (horizon - t)))
    )

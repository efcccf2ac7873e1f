"""Poisson quasi-likelihood of the day-resolution self-exciting count model.

The lag kernel, the background-only and full fits, the sandwich covariance
and the parametric bootstrap of the quasi-likelihood ratio (no excitation).
See :mod:`analysis.models.selfexcite` for the model.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

__all__ = ["geometric_kernel"]

#: Bounds on the kernel ratio q: mean lag from ~1 day to the truncation.
_Q_BOUNDS = (0.01, 0.97)


def geometric_kernel(q: float, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``g_k ∝ q^(k-1)`` on lags 1..max_lag summing to one, and their derivative in ``q``.

    Examples
    --------
    >>> g, _ = geometric_kernel(0.5, 30)
    >>> round(float(g @ np.arange(1, 31)), 3)
    2.0
    """
    k = np.arange(max_lag, dtype=float)
    w = q**k
    dw = np.where(k > 0, k * q ** np.maximum(k - 1, 0), 0.0)
    s, ds = w.sum(), dw.sum()
    return w / s, (dw * s - w * ds) / s**2


def _lag_matrix(x: np.ndarray, max_lag: int) -> np.ndarray:
    """``L[t, k-1] = x[t-k]`` (zero before the series starts)."""
    L = np.zeros((len(x), max_lag))
    for k in range(1, max_lag + 1):
        L[k:, k - 1] = x[:-k]
    return L


def _fit_background(y: np.ndarray, Z, fixed: np.ndarray, beta0: np.ndarray) -> np.ndarray:
    """Poisson log-linear fit of ``y`` on ``Z`` by Newton's method (rows in ``fixed`` have mu = 0)."""
    use = ~fixed
    Zu, yu = Z[use], y[use]
    beta = beta0.copy()

    def loglik(b):
        eta = np.clip(Zu @ b, -30, 30)
        return float(yu @ eta - np.exp(eta).sum())

    current = loglik(beta)
    for _ in range(100):
        mu = np.exp(np.clip(Zu @ beta, -30, 30))
        hess = (Zu.T @ Zu.multiply(mu[:, None])).toarray() + 1e-9 * np.eye(Z.shape[1])
        step = np.linalg.solve(hess, Zu.T @ (yu - mu))
        for _ in range(30):  # step halving keeps every iteration uphill
            trial = loglik(beta + step)
            if trial >= current - 1e-12:
                break
            step = step / 2
        beta, gain, current = beta + step, trial - current, trial
        if np.max(np.abs(step)) < 1e-8 or abs(gain) < 1e-12:
            break
    return beta


def _parts(theta, Z, L, fixed):
    """Intensity pieces: mu, lambda and E = d lambda / d (a, q) (d lambda / d beta is mu * Z)."""
    p = Z.shape[1]
    beta, a, q = theta[:p], theta[p], theta[p + 1]
    mu = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta, -30, 30)))
    g, dg = geometric_kernel(q, L.shape[1])
    h = L @ g
    lam = np.maximum(mu + a * h, 1e-300)
    return mu, lam, np.column_stack([h, a * (L @ dg)])


def _negll(theta, y, Z, L, fixed, use_grad=True):
    """Negative Poisson quasi-log-likelihood sum(lambda - y log lambda) and its gradient."""
    mu, lam, E = _parts(theta, Z, L, fixed)
    value = float(np.sum(lam) - np.sum(y * np.log(lam)))
    if not use_grad:
        return value
    r = 1.0 - y / lam
    return value, np.r_[Z.T @ (r * mu), r @ E]


def _gram(Z, mu: np.ndarray, E: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``D' diag(w) D`` for ``D = [mu * Z, E]`` without forming the dense ``mu * Z``."""
    top = (Z.T @ Z.multiply((mu * mu * w)[:, None])).toarray()
    cross = np.asarray(Z.T @ ((mu * w)[:, None] * E))
    corner = E.T @ (w[:, None] * E)
    return np.block([[top, cross], [cross.T, corner]])


def _fit_full(y, Z, L, fixed, beta0, scale: float):
    """Maximise the quasi-likelihood over (beta, a >= 0, q) by projected Fisher scoring, two kernel starts.

    Fisher scoring (as R's tscount) converges in a few dozen cheap steps; each step is halved until the
    quasi-likelihood improves, and a and q are kept inside their bounds.
    """
    p = Z.shape[1]
    lower = np.r_[np.full(p, -30.0), 0.0, _Q_BOUNDS[0]]
    upper = np.r_[np.full(p, 30.0), 50.0 * max(scale, 1.0), _Q_BOUNDS[1]]
    best = None
    for q0 in (0.3, 0.7):
        theta = np.r_[beta0, 0.1 * scale, q0]
        f = _negll(theta, y, Z, L, fixed, use_grad=False)
        converged, nit, quiet = False, 0, 0
        while nit < 200:
            nit += 1
            mu, lam, E = _parts(theta, Z, L, fixed)
            r = 1.0 - y / lam
            grad = np.r_[Z.T @ (r * mu), E.T @ r]
            info = _gram(Z, mu, E, 1.0 / lam)
            step = -np.linalg.solve(info + 1e-8 * np.diag(np.diag(info) + 1.0), grad)
            for _ in range(40):
                trial = np.clip(theta + step, lower, upper)
                f_trial = _negll(trial, y, Z, L, fixed, use_grad=False)
                if f_trial <= f + 1e-12:
                    break
                step = step / 2
            gain = f - f_trial
            theta, f = trial, min(f, f_trial)
            # Converged when two steps in a row gain (almost) nothing: with a = 0 the kernel is
            # unidentified and q may keep moving on a flat likelihood.
            quiet = quiet + 1 if gain < 1e-9 * (1.0 + abs(f)) else 0
            if quiet >= 2:
                converged = True
                break
        if best is None or f < best.fun:
            best = optimize.OptimizeResult(
                x=theta,
                fun=f,
                success=converged,
                nit=nit,
                message="converged" if converged else "iteration limit",
            )
    return best


def _sandwich(theta, y, Z, L, fixed) -> np.ndarray:
    """Sandwich covariance A^-1 B A^-1 of the quasi-likelihood estimates (q dropped when a = 0)."""
    p = Z.shape[1]
    mu, lam, E = _parts(theta, Z, L, fixed)
    A = _gram(Z, mu, E, 1.0 / lam)
    B = _gram(Z, mu, E, ((y - lam) / lam) ** 2)
    keep = np.diag(A) > 0
    if theta[p] < 1e-8:
        keep[p + 1] = False
    Ainv = np.linalg.pinv(A[np.ix_(keep, keep)])
    cov = np.full(A.shape, np.nan)
    cov[np.ix_(keep, keep)] = Ainv @ B[np.ix_(keep, keep)] @ Ainv
    return cov


def _excitation_input(y: np.ndarray, excite: str) -> np.ndarray:
    return np.minimum(y, 1.0) if excite == "nights" else y


def _quasi_lr(y, Z, fixed, max_lag: int, excite: str, beta0: np.ndarray):
    """Background-only fit, full fit and the quasi-likelihood ratio statistic for one series."""
    x = _excitation_input(y, excite)
    L = _lag_matrix(x, max_lag)
    beta_null = _fit_background(y, Z, fixed, beta0)
    f_null = _negll(np.r_[beta_null, 0.0, 0.5], y, Z, L, fixed, use_grad=False)
    scale = y.sum() / max(x.sum(), 1.0)
    full = _fit_full(y, Z, L, fixed, beta_null, scale)
    return beta_null, full, L, max(0.0, 2.0 * (f_null - full.fun))


def _null_draws(y, labels, mu, n_boot: int, rng: np.random.Generator):
    """Series from the background-only fit: Poisson nights, attacks per night resampled within period."""
    all_days = y[y > 0]
    for _ in range(n_boot):
        out = np.zeros(len(y))
        for name in np.unique(labels):
            inside = np.flatnonzero(labels == name)
            pool = y[inside][y[inside] > 0]
            pool = pool if len(pool) else (all_days if len(all_days) else np.ones(1))
            nights = rng.poisson(mu[inside] / pool.mean())
            sizes = rng.choice(pool, size=int(nights.sum()))
            out[inside] = np.bincount(
                np.repeat(np.arange(len(inside)), nights), weights=sizes, minlength=len(inside)
            )
        yield out


def _bootstrap(y, labels, Z, fixed, mu_null, beta_null, max_lag, excite, n_boot, seed) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stats_ = [
        _quasi_lr(ystar, Z, fixed, max_lag, excite, beta_null)[3]
        for ystar in _null_draws(y, labels, mu_null, n_boot, rng)
    ]
    return np.asarray(stats_, dtype=float)


def _no_excitation_test(y, labels, Z, fixed, beta_null, lr, max_lag, excite, n_boot, seed):
    """Bootstrap statistics and p-value of "no excitation" (none and NaN when ``n_boot`` is 0)."""
    if not n_boot:
        return np.array([]), np.nan
    mu_null = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta_null, -30, 30)))
    boot = _bootstrap(y, labels, Z, fixed, mu_null, beta_null, max_lag, excite, n_boot, seed)
    return boot, float((1 + np.sum(boot >= lr - 1e-9)) / (n_boot + 1))

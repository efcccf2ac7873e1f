"""Log-linear models of the list overlaps: every two-list model fitted, the choice, the profile interval."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

#: A fitted coefficient beyond this (in absolute value) marks a fit that ran to the boundary.
_BOUNDARY = 15.0
_MAX_ITER = 60


def loglinear_models(lists: Sequence[str]) -> list[tuple[tuple[str, str], ...]]:
    """Every hierarchical model with main effects and two-list interactions, as its pairs.

    Examples
    --------
    >>> len(loglinear_models(["a", "b", "c"])), len(loglinear_models("abcd"))
    (8, 64)
    """
    pairs = list(itertools.combinations(list(lists), 2))
    return [combo for r in range(len(pairs) + 1) for combo in itertools.combinations(pairs, r)]


def _design(cells: pd.DataFrame, lists: Sequence[str], pairs) -> np.ndarray:
    cols = [np.ones(len(cells))] + [cells[name].to_numpy(float) for name in lists]
    cols += [cells[a].to_numpy(float) * cells[b].to_numpy(float) for a, b in pairs]
    return np.column_stack(cols)


def _newton(X: np.ndarray, Y: np.ndarray):
    """Poisson log-linear fits of many count vectors on one design at once.

    Plain Newton-Raphson with step halving, batched over the rows of ``Y`` (a bootstrap
    refits thousands of tables on the same 2^k - 1 cells; statsmodels' GLM, used for the
    models a result keeps, costs a Python object per fit). A row stops when it converges
    or runs to the boundary (a coefficient past :data:`_BOUNDARY`). Returns coefficients,
    fitted means, log-likelihoods and a convergence flag per row.
    """
    Y = np.atleast_2d(np.asarray(Y, float))
    B, p = Y.shape[0], X.shape[1]
    beta = np.zeros((B, p))
    beta[:, 0] = np.log(np.maximum(Y.mean(axis=1), 0.5))
    ll = _loglik(X, Y, beta)
    converged = np.zeros(B, bool)
    active = np.ones(B, bool)
    ridge = 1e-10 * np.eye(p)
    for _ in range(_MAX_ITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        b, y, old = beta[idx], Y[idx], ll[idx]
        mu = np.exp(np.clip(b @ X.T, -50, 50))
        grad = (y - mu) @ X
        hess = np.einsum("bc,ci,cj->bij", mu, X, X) + ridge
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        t = np.ones(idx.size)
        new = b + step
        new_ll = _loglik(X, y, new)
        for _ in range(20):
            worse = new_ll < old - 1e-12
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
            new = b + t[:, None] * step
            new_ll = _loglik(X, y, new)
        beta[idx], ll[idx] = new, new_ll
        done = (np.abs(new_ll - old) < 1e-10 * (1 + np.abs(old))) & (np.abs(step).max(axis=1) * t < 1e-6)
        converged[idx] |= done
        active[idx] = ~done & (np.abs(new).max(axis=1) < 2 * _BOUNDARY)
    return beta, np.exp(np.clip(beta @ X.T, -50, 50)), ll, converged


def _loglik(X, Y, beta):
    eta = np.clip(beta @ X.T, -50, 50)
    return (Y * eta - np.exp(eta) - special.gammaln(Y + 1)).sum(axis=1)


def fit_loglinear(cells: pd.DataFrame, lists: Sequence[str], pairs=()):
    """One log-linear model fitted with statsmodels (the object a result keeps).

    Parameters
    ----------
    cells : DataFrame
        One row per observable history (0/1 columns ``lists``) with ``count``.
    pairs : sequence of (str, str)
        The two-list interactions of the model.

    Returns
    -------
    statsmodels GLMResults
        Poisson family; the estimated unobserved count is ``exp(params["const"])``.

    Examples
    --------
    >>> cells = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
    ...                       "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
    >>> fit = fit_loglinear(cells, ["A", "B", "C"])
    >>> round(float(np.exp(fit.params["const"])), 1)
    58.0
    """
    import statsmodels.api as sm

    X = pd.DataFrame(_design(cells, lists, pairs), columns=["const", *lists, *(f"{a}:{b}" for a, b in pairs)])
    return sm.GLM(cells["count"].to_numpy(float), X, family=sm.families.Poisson()).fit()


def _profile_interval(cells, lists, pairs, estimate: float, alpha: float) -> tuple[float, float]:
    """Profile likelihood interval of the total N (Cormack 1992).

    The unobserved cell is given the count ``N - n``, the model is fitted to the complete
    table, and the multinomial log-likelihood of N is the Poisson one plus
    ``log N! + N - N log N``; the interval holds the N within chi2_1 / 2 of the maximum.
    """
    n = float(cells["count"].sum())
    full = pd.concat([cells, pd.DataFrame([{**{c: 0 for c in lists}, "count": 0}])], ignore_index=True)
    X = _design(full, lists, pairs)
    y = full["count"].to_numpy(float)

    def profile(N):
        Y = y.copy()
        Y[-1] = N - n
        beta, mu, _, _ = _newton(X, Y[None, :])
        mu = mu[0]
        ll_pois = float((Y * np.log(np.maximum(mu, 1e-300)) - mu - special.gammaln(Y + 1)).sum())
        return ll_pois + special.gammaln(N + 1) + N - N * math.log(N)

    grid_top = max(estimate, n + 1)
    res = optimize.minimize_scalar(lambda N: -profile(N), bounds=(n, grid_top * 3 + 10), method="bounded")
    best_n, best = float(res.x), -float(res.fun)
    cut = stats.chi2.ppf(1 - alpha, 1) / 2

    def gap(N):
        return best - profile(N) - cut

    low = n if gap(n) <= 0 else optimize.brentq(gap, n, best_n)
    high_end = best_n * 2 + 20
    while gap(high_end) < 0:
        high_end *= 2
        if high_end > 1e7:
            return low, math.inf
    high = optimize.brentq(gap, best_n, high_end)
    return float(low), float(high)


def _fit_all(cells: pd.DataFrame, lists: Sequence[str], criterion: str, Y: np.ndarray | None = None):
    """Every model on the observed table (or on each row of ``Y``): estimates and criteria."""
    Y = cells["count"].to_numpy(float)[None, :] if Y is None else Y
    n = Y.sum(axis=1)
    models = loglinear_models(lists)
    est = np.full((Y.shape[0], len(models)), np.nan)
    ic = np.full_like(est, np.nan)
    dev = np.full_like(est, np.nan)
    sat = (special.xlogy(Y, Y) - Y - special.gammaln(Y + 1)).sum(axis=1)
    penalty = 2.0 if criterion == "aic" else np.log(np.maximum(n, 2))
    for j, pairs in enumerate(models):
        X = _design(cells, lists, pairs)
        if X.shape[1] > X.shape[0]:
            continue
        beta, _, ll, conv = _newton(X, Y)
        ok = conv & (np.abs(beta).max(axis=1) < _BOUNDARY)
        est[ok, j] = n[ok] + np.exp(beta[ok, 0])
        dev[ok, j] = 2 * (sat[ok] - ll[ok])
        ic[ok, j] = dev[ok, j] + penalty * X.shape[1] if np.ndim(penalty) == 0 else dev[ok, j]
        if np.ndim(penalty):
            ic[ok, j] += np.asarray(penalty)[ok] * X.shape[1]
    return models, est, ic, dev


def _choose(est: np.ndarray, ic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the estimate of the best model and the IC-weighted average."""
    best = np.full(est.shape[0], np.nan)
    avg = np.full(est.shape[0], np.nan)
    for b in range(est.shape[0]):
        ok = np.isfinite(ic[b])
        if not ok.any():
            continue
        w = np.exp(-(ic[b, ok] - ic[b, ok].min()) / 2)
        best[b] = est[b, ok][np.argmin(ic[b, ok])]
        avg[b] = float(np.sum(w * est[b, ok]) / w.sum())
    return best, avg

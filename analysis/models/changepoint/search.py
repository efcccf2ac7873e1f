"""The changepoint search: segment costs, exact optimum by PELT or segment neighbourhood, penalties.

The search minimises ``sum of segment costs / dispersion + penalty x changepoints`` (plus
MBIC's segment terms); :func:`changepoint_penalty_path` gives every optimum over a range of
penalties.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from analysis.errors import ArgumentError
from analysis.models.changepoint.bins import _prepare


def _poisson_cost(events: np.ndarray | float, exposure: np.ndarray | float) -> np.ndarray:
    """``-2 x`` Poisson log-likelihood at the MLE rate, dropping data-only constants.

    ``xlogy`` makes ``0 log 0 = 0``, so an all-zero segment costs exactly 0.
    """
    events = np.asarray(events, dtype=float)
    return 2.0 * (events - special.xlogy(events, events / exposure))


def _segment_cost(cy, ce, s, t, mbic: float) -> np.ndarray:
    """Cost of segments ``[s, t)`` from cumulative sums; ``s`` may be an array.

    ``mbic`` weights MBIC's per-segment term (0: none; 1: MBIC; the dispersion
    under the quasi-Poisson scaling, see :func:`detect_changepoints`).
    """
    cost = _poisson_cost(cy[t] - cy[s], ce[t] - ce[s])
    if mbic:
        # MBIC's per-segment term: log of the segment length in bins (as R changepoint).
        cost = cost + mbic * np.log(t - np.asarray(s))
    return cost


def _backtrack(last: np.ndarray, n: int) -> np.ndarray:
    starts = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            starts.append(t)
    return np.array(sorted(starts), dtype=np.int64)


def _pelt(y: np.ndarray, e: np.ndarray, beta: float, min_size: int, mbic: float) -> np.ndarray:
    """Exact penalised optimum by PELT; returns the first bin of each new segment.

    Pruning uses the constant K of Killick et al. (2012): 0 for the Poisson
    cost, ``-log(n)`` once MBIC's log-length terms are added (they are not
    sub-additive). With a minimum segment length, a candidate that fails the
    pruning test at time t is only dropped from t + min_size on, because the
    proof needs t itself to be a feasible changepoint for later ends.
    Ties go to the earliest candidate.
    """
    n = len(y)
    if n < 2 * min_size:
        return np.array([], dtype=np.int64)
    cy = np.concatenate([[0.0], np.cumsum(y, dtype=float)])
    ce = np.concatenate([[0.0], np.cumsum(e, dtype=float)])
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=np.int64)
    k = -mbic * math.log(n) if mbic else 0.0
    tol = 1e-9 * (1.0 + abs(beta))
    never = np.iinfo(np.int64).max
    # Preallocated candidate buffers: this loop runs n times, so per-step overhead matters.
    cand = np.zeros(n + 1, dtype=np.int64)
    expire = np.full(n + 1, never, dtype=np.int64)
    m, next_expire = 1, never
    for t in range(min_size, n + 1):
        s_new = t - min_size
        if s_new >= min_size:
            cand[m], expire[m] = s_new, never
            m += 1
        if next_expire <= t:
            keep = expire[:m] > t
            kept_cand, kept_expire = cand[:m][keep], expire[:m][keep]
            m = len(kept_cand)
            cand[:m], expire[:m] = kept_cand, kept_expire
            alive = expire[:m][expire[:m] != never]
            next_expire = int(alive.min()) if alive.size else never
        c = cand[:m]
        events = cy[t] - cy[c]
        vals = 2.0 * (events - special.xlogy(events, events / (ce[t] - ce[c])))
        if mbic:
            vals += mbic * np.log(t - c)
        vals += f[c]
        j = int(np.argmin(vals))
        f[t] = vals[j] + beta
        last[t] = c[j]
        prune = (vals + k > f[t] + tol) & (expire[:m] == never)
        if prune.any():
            expire[:m][prune] = t + min_size
            next_expire = min(next_expire, t + min_size)
    return _backtrack(last, n)


def _segment_neighbourhood(
    y: np.ndarray, e: np.ndarray, max_k: int, min_size: int, mbic: float
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Best cost and breakpoints for every number of changepoints 0..max_k (exact DP)."""
    n = len(y)
    cy = np.concatenate([[0.0], np.cumsum(y, dtype=float)])
    ce = np.concatenate([[0.0], np.cumsum(e, dtype=float)])
    max_k = max(0, min(max_k, n // min_size - 1))
    best = np.full((max_k + 1, n + 1), np.inf)
    arg = np.zeros((max_k + 1, n + 1), dtype=np.int64)
    ts = np.arange(min_size, n + 1)
    best[0, ts] = _segment_cost(cy, ce, 0, ts, mbic)
    # One segment is always allowed, even when the series is shorter than min_size.
    best[0, n] = _segment_cost(cy, ce, 0, n, mbic)
    for k in range(1, max_k + 1):
        for t in range((k + 1) * min_size, n + 1):
            s = np.arange(k * min_size, t - min_size + 1)
            vals = best[k - 1, s] + _segment_cost(cy, ce, s, t, mbic)
            j = int(np.argmin(vals))
            best[k, t] = vals[j]
            arg[k, t] = s[j]
    costs = best[:, n]
    paths = []
    for k in range(max_k + 1):
        starts, t = [], n
        for level in range(k, 0, -1):
            t = int(arg[level, t])
            starts.append(t)
        paths.append(np.array(sorted(starts), dtype=np.int64))
    return costs, paths


def _total_cost(y, e, starts, mbic: float) -> float:
    cy = np.concatenate([[0.0], np.cumsum(y, dtype=float)])
    ce = np.concatenate([[0.0], np.cumsum(e, dtype=float)])
    edges = np.r_[0, starts, len(y)]
    return float(np.sum(_segment_cost(cy, ce, edges[:-1], edges[1:], mbic)))


def _penalty_value(penalty: str | float, n: int) -> tuple[str, float, bool]:
    """Name, penalty per changepoint and whether MBIC's segment terms apply."""
    if isinstance(penalty, str):
        name = penalty.lower()
        if name == "bic":
            # Each changepoint adds two parameters (a rate and a location): 2 log n.
            return "bic", 2.0 * math.log(n), False
        if name == "mbic":
            # R changepoint's MBIC for Poisson: (1 + 2) log n, plus log(length) per segment.
            return "mbic", 3.0 * math.log(n), True
        raise ArgumentError("penalty", penalty, ["bic", "mbic", "a number >= 0"])
    value = float(penalty)
    if not np.isfinite(value) or value < 0:
        raise ArgumentError("penalty", penalty, "'bic', 'mbic' or a finite number >= 0")
    return f"{value:g}", value, False


def _dispersion(y: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Variance-to-mean ratio of the counts from successive differences, for each row of ``y``; at least 1.

    Under a quasi-Poisson model (variance ``phi x mean``) with a rate that is
    constant except at a few changepoints, ``y_t / e_t - y_{t-1} / e_{t-1}`` has
    variance ``phi r (1 / e_t + 1 / e_{t-1})``. Differences cancel the rate, so a
    change in it barely moves the estimate (one jump adds one squared step), unlike
    the plain variance-to-mean ratio, which a real change inflates.
    """
    y = np.atleast_2d(y).astype(float)
    if y.shape[1] < 3:
        return np.ones(len(y))
    rate = y.sum(axis=1) / e.sum()
    d = np.diff(y / e, axis=1)
    spread = float(np.sum(1.0 / e[1:] + 1.0 / e[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.einsum("ij,ij->i", d, d) / (rate * spread)
    return np.where(rate > 0, np.maximum(phi, 1.0), 1.0)


def _search(y, e, beta, min_size, mbic, max_k, phi: float = 1.0):
    """Penalised optimum with the penalty and MBIC terms scaled by the dispersion ``phi``."""
    if max_k is None:
        return _pelt(y, e, phi * beta, min_size, phi * mbic), None
    costs, paths = _segment_neighbourhood(y, e, max_k, min_size, phi * mbic)
    crit = costs + phi * beta * np.arange(len(costs))
    k = int(np.argmin(crit))
    return paths[k], costs


def changepoint_penalty_path(
    counts: pd.Series, pen_min: float, pen_max: float, min_segment_days: float = 7
) -> pd.DataFrame:
    """Every optimal segmentation for penalties in ``[pen_min, pen_max]`` (CROPS).

    Runs PELT with the plain Poisson cost at a few penalties chosen by the
    CROPS recursion (Haynes, Eckley & Fearnhead 2017) and returns each
    distinct optimum once, with the penalty range over which it is optimal.
    Plot it with :func:`plot_penalty_path` and look for an elbow.

    Parameters
    ----------
    counts : Series
        As for :func:`detect_changepoints`.
    pen_min, pen_max : float
        Penalty range per changepoint (BIC is 2 log n, MBIC about 3 log n).
    min_segment_days : float
        Shortest segment, in days.

    Returns
    -------
    DataFrame
        Columns n_changepoints, cost (``-2 loglik`` up to a constant),
        penalty_low, penalty_high, dates; one row per segmentation, most
        changepoints first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[rng.poisson(1.0, 100), rng.poisson(3.0, 100)]
    >>> counts = pd.Series(y, index=pd.date_range("2023-01-01", periods=200, freq="D"))
    >>> path = changepoint_penalty_path(counts, 1.0, 200.0)
    >>> int(path["n_changepoints"].iloc[-1])
    0
    """
    if not 0 <= pen_min < pen_max:
        raise ValueError("need 0 <= pen_min < pen_max")
    y, _, lo, _, days, min_size = _prepare(counts, min_segment_days)
    found: dict[float, tuple[int, float, tuple]] = {}

    def run(beta: float):
        if beta not in found:
            s = _pelt(y, days, beta, min_size, False)
            found[beta] = (len(s), _total_cost(y, days, s, False), tuple(s.tolist()))
        return found[beta]

    stack = [(pen_min, pen_max)]
    run(pen_min)
    run(pen_max)
    while stack:
        b0, b1 = stack.pop()
        m0, q0, _ = run(b0)
        m1, q1, _ = run(b1)
        if m0 > m1 + 1:
            b_int = (q1 - q0) / (m0 - m1)
            m_int = run(b_int)[0]
            if m_int not in (m0, m1) and b0 < b_int < b1:
                stack += [(b0, b_int), (b_int, b1)]
    segs: dict[int, tuple[float, tuple]] = {}
    for m, q, s in found.values():
        if m not in segs or q < segs[m][0] - 1e-9:
            segs[m] = (q, s)
    ms = sorted(segs, reverse=True)
    # Keep only segmentations on the lower convex hull: those optimal for some penalty.
    hull: list[int] = []
    for m in ms:
        while len(hull) >= 2:
            m1, m2 = hull[-2], hull[-1]
            q1, q2, q3 = segs[m1][0], segs[m2][0], segs[m][0]
            if (q2 - q1) * (m1 - m) >= (q3 - q1) * (m1 - m2) - 1e-9:
                hull.pop()
            else:
                break
        hull.append(m)
    rows = []
    for i, m in enumerate(hull):
        q, s = segs[m]
        low = pen_min if i == 0 else (q - segs[hull[i - 1]][0]) / (hull[i - 1] - m)
        high = pen_max if i == len(hull) - 1 else (segs[hull[i + 1]][0] - q) / (m - hull[i + 1])
        rows.append(
            {
                "n_changepoints": m,
                "cost": q,
                "penalty_low": max(low, pen_min),
                "penalty_high": min(high, pen_max),
                "dates": [lo[k] for k in s],
            }
        )
    return pd.DataFrame(rows)


def plot_penalty_path(path: pd.DataFrame, ax=None):
    """Cost against number of changepoints from :func:`changepoint_penalty_path` (drawn by :mod:`analysis.plots`).

    Examples
    --------
    >>> counts = pd.Series([0, 1] * 30 + [4, 6] * 30, index=pd.date_range("2024-01-01", periods=120))
    >>> path = changepoint_penalty_path(counts, pen_min=1, pen_max=50)
    >>> ax = plot_penalty_path(path)
    >>> ax.get_xlabel()
    'number of changepoints'
    """
    from analysis.plots import plot_penalty_path as draw

    return draw(path, ax=ax)

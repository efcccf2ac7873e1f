"""Changepoints in an event rate: exact penalised segmentation of binned counts.

The counts in each bin are modelled as independent draws whose rate per day
is constant within a segment and jumps at each changepoint, with variance
``dispersion x mean`` (quasi-Poisson; Poisson when the dispersion is 1). The
segmentation minimises ``sum of segment costs / dispersion + penalty x
changepoints`` (plus MBIC's segment terms), where the cost of a segment is
``-2 x`` its Poisson log-likelihood at the maximum-likelihood rate (``2 (S -
S log(S / E))`` for ``S`` events over ``E`` days; an all-zero segment costs
0). The optimum is found exactly: by PELT (jump 1, minimum segment length)
for a penalty, or by segment-neighbourhood dynamic programming when the
number of changepoints is capped.

The default (MBIC penalty, dispersion estimated from successive differences)
does not split overdispersed series that have no change: on 500 simulated
negative-binomial series per setting with no change (800 days, mean 0.05 or
1.4 a day, variance-to-mean 2.1 or 3.0), its false-positive rate was 0 of 500
in every setting (95% upper bound 0.6%), against 4.8% to 30.6% for MBIC with the
plain Poisson cost and 39% to 98% for BIC with the plain Poisson cost
(``benchmarks/bench_changepoint.py --fpr-only``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> y = np.r_[rng.poisson(0.3, 200), rng.poisson(2.0, 100)]
>>> counts = pd.Series(y, index=pd.date_range("2023-01-01", periods=300, freq="D"))
>>> fit = detect_changepoints(counts, n_boot=0)
>>> fit.changepoints["date"].dt.date.tolist()
[datetime.date(2023, 7, 21)]
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analysis.errors import ArgumentError
from analysis.models.exact import garwood_interval, rate_ratio_exact_any
from analysis.results import Result

__all__ = [
    "ChangepointResult",
    "detect_changepoints",
    "changepoint_penalty_path",
    "plot_penalty_path",
]

_CAVEAT = "post-selection: nominal only (dates chosen from the same data; intervals too narrow, p too small)"

# Frequencies that pandas' resample labels by the *last* day of the bin.
_END_LABELLED = (
    pd.offsets.MonthEnd,
    pd.offsets.QuarterEnd,
    pd.offsets.YearEnd,
    pd.offsets.BusinessMonthEnd,
    pd.offsets.BQuarterEnd,
    pd.offsets.BYearEnd,
)


# --------------------------------------------------------------------------- bins


def _infer_offset(index: pd.DatetimeIndex) -> pd.DateOffset:
    if index.freq is not None:
        return index.freq
    if len(index) < 3:
        raise ValueError("need at least 3 bins (or an index with .freq set) to infer the frequency")
    with warnings.catch_warnings():
        # pandas 3 warns that infer_freq will return an offset; either form feeds to_offset.
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(index)
    if freq is None:
        raise ValueError(
            "the index is not regular (no frequency could be inferred); resample first, "
            "e.g. counts.resample('D').sum(), so empty bins are explicit zeros"
        )
    return pd.tseries.frequencies.to_offset(freq)


def _is_end_labelled(offset: pd.DateOffset) -> bool:
    if isinstance(offset, _END_LABELLED):
        return True
    return isinstance(offset, pd.offsets.Week) and offset.weekday is not None


def _bin_spans(
    index: pd.DatetimeIndex, offset: pd.DateOffset
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, np.ndarray]:
    """First day, last day and length in days of each bin labelled by ``index``."""
    day = pd.Timedelta(days=1)
    if _is_end_labelled(offset):
        # resample('W'/'ME'/...) labels a bin by its last day: it covers (label - offset, label].
        lo = index - offset + day
        hi_excl = index + day
    else:
        lo = index
        hi_excl = index + offset
    days = np.asarray((hi_excl - lo) / day, dtype=float)
    return pd.DatetimeIndex(lo), pd.DatetimeIndex(hi_excl - day), days


def _validate_counts(counts: pd.Series) -> np.ndarray:
    if not isinstance(counts, pd.Series) or not isinstance(counts.index, pd.DatetimeIndex):
        raise TypeError("counts must be a pandas Series on a DatetimeIndex")
    if not counts.index.is_monotonic_increasing or not counts.index.is_unique:
        raise ValueError("the index must be sorted and unique")
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise ValueError("counts contain missing values; fill empty bins with explicit zeros")
    if (values < 0).any() or not np.all(values == np.round(values)):
        raise ValueError("counts must be non-negative integers")
    return values.astype(np.int64)


# --------------------------------------------------------------------------- costs


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


def _single_split_lr(y: np.ndarray, e: np.ndarray, min_size: int) -> np.ndarray:
    """Best one-change likelihood-ratio statistic for each row of ``y`` (vectorised).

    With ``a`` events over ``e1`` days before the change and ``b`` over ``e2``
    after (``a + b = S`` over ``E``), the linear terms of the costs cancel and
    ``LR = 2 [a log(a / e1) + b log(b / e2) - S log(S / E)]``; ``k log k`` of the
    integer counts comes from one table.
    """
    y = np.atleast_2d(np.asarray(y, dtype=np.int64))
    n = y.shape[1]
    if n < 2 * min_size:
        return np.zeros(len(y))
    cy = np.cumsum(y, axis=1)
    total = cy[:, -1]
    klogk = special.xlogy(np.arange(int(total.max()) + 1), np.arange(int(total.max()) + 1))
    ce = np.r_[0.0, np.cumsum(e)]
    tau = np.arange(min_size, n - min_size + 1)
    a = cy[:, tau - 1]
    b = total[:, None] - a
    log_e1, log_e2 = np.log(ce[tau]), np.log(ce[n] - ce[tau])
    split = klogk[a] - a * log_e1 + klogk[b] - b * log_e2
    whole = klogk[total] - total * math.log(ce[n])
    return 2.0 * (split.max(axis=1) - whole)


def _null_draws(rng: np.random.Generator, total: int, e: np.ndarray, n_boot: int) -> np.ndarray:
    """``n_boot`` multinomial draws of ``total`` events over bins with probabilities proportional to ``e``.

    Each event's bin is drawn directly (uniform draws placed on the cumulative
    exposure) and counted, which is several times faster than
    ``Generator.multinomial`` for a few thousand bins; very large totals use it.
    """
    n = len(e)
    if total * n_boot > 20_000_000:
        return rng.multinomial(total, e / e.sum(), size=n_boot)
    if np.all(e == e[0]):
        bins = rng.integers(0, n, size=(n_boot, total))
    else:
        bins = np.searchsorted(np.cumsum(e) / e.sum(), rng.random((n_boot, total)), side="right")
        bins = np.minimum(bins, n - 1)
    flat = (bins + n * np.arange(n_boot)[:, None]).ravel()
    return np.bincount(flat, minlength=n * n_boot).reshape(n_boot, n)


def _search_lr(y, e, beta, min_size, mbic, max_k, phi) -> float:
    """Likelihood-ratio statistic of the selected segmentation against none, on the dispersion scale."""
    starts, _ = _search(y, e, beta, min_size, mbic, max_k, phi)
    none = np.array([], dtype=np.int64)
    return (_total_cost(y, e, none, 0.0) - _total_cost(y, e, starts, 0.0)) / phi


def _no_change_tests(
    y, e, beta, min_size, mbic, max_k, n_boot, seed, dispersion, rerun_search
) -> pd.DataFrame:
    """Monte Carlo tests of "no change at all", conditional on the total count.

    Statistics are divided by the dispersion (re-estimated on every draw when it
    is estimated), so an overdispersed series is compared with draws on the same
    scale. The single-change test is vectorised over draws; the test of the
    selected segmentation reruns the search on every draw and runs only when
    ``rerun_search`` is true.
    """
    fixed = None if dispersion == "estimate" else float(dispersion or 1.0)
    phi_obs = float(_dispersion(y, e)[0]) if fixed is None else fixed
    names = ["best single change vs none"] + (["selected segmentation vs none"] if rerun_search else [])
    observed = [float(_single_split_lr(y, e, min_size)[0]) / phi_obs]
    if rerun_search:
        observed.append(_search_lr(y, e, beta, min_size, mbic, max_k, phi_obs))
    observed = np.array(observed)
    boot = np.full((max(n_boot, 0), len(names)), np.nan)
    p = np.full(len(names), np.nan)
    total = int(y.sum())
    if total == 0:
        p[:] = 1.0  # no events: nothing can have changed
    elif n_boot > 0:
        draws = _null_draws(np.random.default_rng(seed), total, e, n_boot)
        phi = _dispersion(draws, e) if fixed is None else np.full(n_boot, fixed)
        boot[:, 0] = _single_split_lr(draws, e, min_size) / phi
        if rerun_search and observed[1] > 0:
            boot[:, 1] = [_search_lr(draws[b], e, beta, min_size, mbic, max_k, phi[b]) for b in range(n_boot)]
        elif rerun_search:
            boot[:, 1] = 0.0  # LR = 0 cannot be exceeded: p = 1 without rerunning the search
        p = (1 + np.sum(boot >= observed - 1e-9, axis=0)) / (n_boot + 1)
    test = pd.DataFrame({"test": names, "statistic": observed, "p_value": p, "n_boot": n_boot})
    test.attrs["boot"] = boot
    return test


# --------------------------------------------------------------------------- dates


def _date_posterior(y, e, lo: int, hi: int, min_size: int, shape: float = 0.5, phi: float = 1.0):
    """Posterior of one changepoint in bins ``[lo, hi)`` given the neighbours.

    Each side has its own rate with the Jeffreys prior Gamma(1/2, 0) and the
    location is uniform over the positions that keep ``min_size`` bins a side.
    The prior's (improper) constant is the same for every position, so the
    posterior over positions is proper and exact. With a dispersion ``phi`` > 1
    the log marginal likelihood is divided by ``phi`` (a tempered, quasi-likelihood
    posterior), which widens the date interval as overdispersion warrants.
    """
    pos = np.arange(lo + min_size, hi - min_size + 1)
    cy = np.concatenate([[0.0], np.cumsum(y, dtype=float)])
    ce = np.concatenate([[0.0], np.cumsum(e, dtype=float)])

    def log_marginal(a, b):
        s, x = cy[b] - cy[a], ce[b] - ce[a]
        return special.gammaln(shape + s) - (shape + s) * np.log(x)

    logp = (log_marginal(lo, pos) + log_marginal(pos, hi)) / phi
    p = np.exp(logp - logp.max())
    return pos, p / p.sum()


def _highest_mass(pos: np.ndarray, prob: np.ndarray, level: float) -> tuple[int, int, float]:
    order = np.argsort(-prob, kind="stable")
    n_take = int(np.searchsorted(np.cumsum(prob[order]), level - 1e-12) + 1)
    chosen = pos[order[:n_take]]
    a, b = int(chosen.min()), int(chosen.max())
    hull_mass = float(prob[(pos >= a) & (pos <= b)].sum())
    return a, b, hull_mass


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False, repr=False)
class ChangepointResult(Result):
    """Segments of constant Poisson rate found by :func:`detect_changepoints`.

    Attributes
    ----------
    table : DataFrame
        One row per segment: segment, start, end, days, events, rate_per_30d,
        rate_ci_low, rate_ci_high (exact Garwood, per 30 days).
    changepoints : DataFrame
        One row per changepoint: date (first day of the new segment),
        date_low, date_high (hull of the 95% highest-posterior-mass set of
        dates), date_mass (its posterior mass), rate_ratio after/before with
        rr_ci_low, rr_ci_high, rr_p_value from :func:`rate_ratio_exact`, and
        an ``inference`` caveat: these are post-selection, nominal only.
    test : DataFrame
        Likelihood-ratio tests of "no change at all" (test, statistic,
        p_value, n_boot), statistics divided by the dispersion: the best
        single change against none (correct size; answers "any change?" even
        when the penalty selects none) and, with ``rerun_search=True``, the
        selected segmentation against none (accounts for the search;
        conservative, p = 1 when nothing is selected).
    dispersion : float
        Variance-to-mean ratio used to scale the penalty (1: plain Poisson).
    counts, exposure : ndarray
        The counts and the length of each bin in days.
    breakpoints : ndarray
        Index of the first bin of each new segment.
    """

    table: pd.DataFrame
    changepoints: pd.DataFrame
    test: pd.DataFrame
    counts: np.ndarray
    exposure: np.ndarray
    index: pd.DatetimeIndex
    bin_start: pd.DatetimeIndex
    bin_end: pd.DatetimeIndex
    freq: Any
    breakpoints: np.ndarray
    segment_rates: np.ndarray
    cost: float
    objective: float
    penalty: str
    penalty_value: float
    min_size: int
    method: str
    cost_by_k: np.ndarray | None = None
    posteriors: tuple = ()
    boot_statistics: np.ndarray = field(default_factory=lambda: np.empty((0, 1)))
    dispersion: float = 1.0

    assumptions = (
        "Counts in each bin are independent draws with variance = dispersion x mean (Poisson when the "
        "dispersion is 1; estimated from successive differences by default); the rate per day is constant "
        "within a segment and jumps at each changepoint (no trend, no autocorrelation). Segment rate "
        "intervals and rate ratios are exact Poisson intervals, too narrow when the dispersion exceeds 1. "
        "Segments are at least the minimum segment length. Date intervals are exact posteriors of one change "
        "between its neighbours (Jeffreys Gamma priors, uniform location) and are conditional on the "
        "other changepoints. Rate ratios between segments are post-selection: nominal only."
    )

    def _repr_fields(self) -> str:
        m = len(self.breakpoints)
        text = (
            f"{m} changepoint{'s' if m != 1 else ''}, {int(self.counts.sum())} events, penalty={self.penalty}"
        )
        return text + (f", dispersion {self.dispersion:.3g}" if self.dispersion != 1.0 else "")

    def _extra_blocks(self) -> list:
        """Changepoints with their date intervals, the caveat, and the no-change tests."""
        blocks = []
        if len(self.changepoints):
            blocks += [self.changepoints.drop(columns=["inference"]), "Rate ratios: " + _CAVEAT + "."]
        for row in self.test.itertuples(index=False):
            blocks.append(
                f"No-change test, {row.test}: LR / dispersion = {row.statistic:.3g}, "
                f"p = {row.p_value:.3g} ({row.n_boot} multinomial draws given the total)"
            )
        return blocks

    def fitted(self) -> pd.Series:
        """Expected count in each bin under the fitted segment rates.

        Examples
        --------
        >>> fit.fitted().head()  # doctest: +SKIP
        """
        seg = np.searchsorted(self.breakpoints, np.arange(len(self.counts)), side="right")
        return pd.Series(self.segment_rates[seg] * self.exposure, index=self.index, name="fitted")

    def plot(self, ax=None):
        """Counts per bin, the fitted segment rates and the 95% date intervals.

        Examples
        --------
        >>> ax = fit.plot()  # doctest: +SKIP
        """
        from analysis.plots import plot_changepoints

        return plot_changepoints(self, ax=ax)

    def simulate(self, start=None, end=None, seed: int = 0) -> pd.Series:
        """Simulate counts from the fitted piecewise rates on the same bins.

        Bins before the fitted range take the first segment's rate and bins
        after it the last segment's rate.

        Examples
        --------
        >>> sim = fit.simulate(seed=1)  # doctest: +SKIP
        """
        start = self.index[0] if start is None else pd.Timestamp(start)
        end = self.index[-1] if end is None else pd.Timestamp(end)
        index = pd.date_range(start, end, freq=self.freq)
        _, _, days = _bin_spans(index, self.freq)
        seg = np.searchsorted(self.index[np.r_[0, self.breakpoints]], index, side="right") - 1
        rate = self.segment_rates[np.clip(seg, 0, len(self.segment_rates) - 1)]
        rng = np.random.default_rng(seed)
        return pd.Series(rng.poisson(rate * days), index=index, name="simulated")


# --------------------------------------------------------------------------- API


def _daily_from_incidents(incidents: pd.DataFrame, scope) -> pd.Series:
    """Daily counts of the rows ``scope`` selects, over the dataset's coverage, day-dated rows only."""
    from analysis.config import data_coverage
    from analysis.counts import daily_counts, warn_coarse_dated
    from analysis.scope import get_scope

    rows = get_scope(scope).select(incidents)
    warn_coarse_dated(rows)
    start, end = data_coverage(incidents)
    return daily_counts(rows, start=start, end=end, confirmation=None, precision="exclude")["events"]


def _prepare(counts: pd.Series, min_segment_days: float):
    y = _validate_counts(counts)
    offset = _infer_offset(counts.index)
    lo, hi, days = _bin_spans(counts.index, offset)
    step = float(np.median(days))
    min_size = max(1, math.ceil(min_segment_days / step - 1e-9))
    return y, offset, lo, hi, days, min_size


def detect_changepoints(
    counts: pd.Series | pd.DataFrame,
    max_changepoints: int | None = None,
    penalty: str | float = "mbic",
    min_segment_days: float = 7,
    n_boot: int = 199,
    seed: int = 0,
    alpha: float = 0.05,
    dispersion: str | float | None = "estimate",
    rerun_search: bool = False,
    scope=None,
) -> ChangepointResult:
    """Find changes in an event rate by exact penalised (quasi-)Poisson likelihood.

    The objective is ``sum over segments of -2 loglik(segment at its MLE rate) /
    dispersion + penalty x (number of changepoints)`` (plus MBIC's segment terms).
    With ``max_changepoints=None`` it is minimised exactly by PELT (Killick,
    Fearnhead & Eckley 2012) with ``jump=1``; with a cap it is minimised
    exactly over 0..cap changepoints by segment-neighbourhood dynamic
    programming (Auger & Lawrence 1989), which is O(cap x n^2). Ties go to
    the earliest date.

    Parameters
    ----------
    counts : Series or DataFrame
        An incident table (rows selected by ``scope``, counted per day over the
        dataset's coverage, week- or month-dated rows left out with a
        warning), or non-negative integer counts on a regular DatetimeIndex (daily, weekly,
        monthly, yearly, ...; the frequency is taken from ``index.freq`` or
        inferred). Empty bins must be explicit zeros. Bins labelled like
        pandas' ``resample`` ('W', 'ME', 'QE', 'YE' by the last day, others by
        the first); each bin's exposure is its length in days.
    max_changepoints : int, optional
        Cap on the number of changepoints (segment neighbourhood). The number
        within the cap is still chosen by the penalty; pass ``penalty=0`` to
        force the cap.
    penalty : {"mbic", "bic"} or float
        Penalty per changepoint. ``"mbic"`` (default) is 3 log(n) plus
        log(bins in segment) for every segment, the modified BIC of Zhang &
        Siegmund (2007) as coded in R changepoint. ``"bic"`` is log(n) per
        extra parameter: each changepoint adds a rate and a location, so
        2 log(n), n = number of bins; it splits overdispersed series with no
        change (see Notes). A float is used as given. See
        :func:`changepoint_penalty_path` for every penalty at once.
    min_segment_days : float
        Shortest segment, in days; converted to bins by rounding up (at least 1).
    n_boot : int
        Monte Carlo replicates for the no-change tests (0 skips them).
    seed : int
        Seed for the no-change tests.
    alpha : float
        1 - confidence level for rate, rate-ratio and date intervals.
    dispersion : "estimate", float or None
        Variance-to-mean ratio of the counts. ``"estimate"`` (default) takes it
        from successive differences (robust to the changes themselves), at
        least 1; a float >= 1 is used as given; None (or 1) is the plain
        Poisson model. The cost is divided by it, which is the same as
        multiplying the penalty and MBIC's terms by it (quasi-Poisson).
    rerun_search : bool
        Also test the selected segmentation against none by rerunning the
        whole search on every draw (``n_boot`` searches: seconds, not
        milliseconds, on a few thousand bins).
    scope : Scope or str, optional
        With an incident table: what is counted (:mod:`analysis.scope`),
        default ``"pentagon"``.

    Returns
    -------
    ChangepointResult

    Notes
    -----
    *Overdispersion.* Our counts are overdispersed (one night hits several
    sites; the rate drifts), and the Poisson likelihood then overstates the
    evidence for a change by about the variance-to-mean ratio. Measured by
    ``benchmarks/bench_changepoint.py --fpr-only`` on 500 simulated
    negative-binomial series with no change per cell (800 days; mean 0.05 and
    1.4 a day; variance-to-mean 2.1, as one night hitting 1 + Poisson(0.7)
    sites gives, and 3.0), the share in which at least one change is found:

    =====================================  ========  ========  ========  ========
    variance-to-mean                       2.1       2.1       3.0       3.0
    mean per day                           0.05      1.4       0.05      1.4
    =====================================  ========  ========  ========  ========
    default (MBIC, dispersion estimated)   0.000     0.000     0.000     0.000
    MBIC, Poisson cost (dispersion=None)   0.048     0.048     0.226     0.306
    BIC, dispersion estimated              0.008     0.018     0.010     0.010
    BIC, Poisson cost                      0.392     0.686     0.726     0.982
    =====================================  ========  ========  ========  ========

    The default's false-positive rate is 0 of 500 in each cell (95% upper
    bound 0.6%). The price is power: a change must be about ``dispersion``
    times as strong in likelihood terms to be found.

    Equivalence with R: for equal-length bins (daily or weekly counts),
    ``penalty="mbic", dispersion=None`` minimises the same objective as
    ``cpt.meanvar(x, test.stat="Poisson", method="PELT", penalty="MBIC",
    minseglen=m)`` and ``penalty="bic"`` the same as ``penalty="BIC"``: R's
    cost ``2 S (log n_j - log S)`` differs from ours by ``2 S``, whose sum is
    the same for every segmentation, and its penalties are (1 + 1) log n and
    (1 + 2) log n (``penalty_decision.R``, ``diffparam = 1``; MBIC adds
    ``log n_j`` per segment in ``mbic_meanvar_poisson``). This is from reading
    the R source, not from running R. Known differences: R omits the
    ``log n_j`` term for a segment with no events, and prunes with K = 0 under
    MBIC (not guaranteed exact), while we keep the term and use a valid K; for
    months or years we weight each bin by its days, R by one observation.

    The tests of "no change at all" share one null: the counts redrawn from
    a multinomial given their total, with probabilities proportional to bin
    length, and statistics divided by the dispersion (re-estimated on each
    draw when estimated). Given the total this null does not depend on the
    unknown rate, so for Poisson counts the Monte Carlo p-values ``(1 +
    #{LR* >= LR}) / (n_boot + 1)`` are exact; under overdispersion the
    scaling makes them approximate. (1) The best single change (max over
    dates of the one-change LR, segments >= min_size): properly sized,
    vectorised over draws, and informative even when the penalty selects
    nothing. (2) With ``rerun_search=True``, ``LR = cost(no change) -
    cost(selected segmentation)`` with the whole search rerun on each draw,
    so it accounts for the search; it is 0 when nothing is selected (then
    p = 1), which makes it conservative.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> y = np.r_[rng.poisson(1.0, 120), rng.poisson(4.0, 60), rng.poisson(1.0, 120)]
    >>> counts = pd.Series(y, index=pd.date_range("2023-01-01", periods=300, freq="D"))
    >>> fit = detect_changepoints(counts, n_boot=99)
    >>> len(fit.breakpoints), bool(fit.test["p_value"].max() < 0.05)
    (2, True)
    >>> fit.changepoints[["date", "date_low", "date_high"]].shape
    (2, 3)
    """
    if isinstance(counts, pd.DataFrame) and "event_date" in counts:
        counts = _daily_from_incidents(counts, scope)
    y, offset, lo, hi, days, min_size = _prepare(counts, min_segment_days)
    n = len(y)
    if max_changepoints is not None and max_changepoints < 0:
        raise ArgumentError("max_changepoints", max_changepoints, "None or an integer >= 0")
    name, beta, mbic = _penalty_value(penalty, n)
    phi = _dispersion_value(dispersion, y, days)
    starts, cost_by_k = _search(y, days, beta, min_size, mbic, max_changepoints, phi)
    edges = np.r_[0, starts, n]
    seg_events = np.add.reduceat(y, edges[:-1]).astype(float)
    seg_days = np.add.reduceat(days, edges[:-1])
    table = _segment_table(seg_events, seg_days, lo[edges[:-1]], hi[edges[1:] - 1], alpha)
    changepoints, posteriors = _changepoint_table(
        y, days, lo, edges, seg_events, seg_days, min_size, alpha, phi
    )
    cost = _total_cost(y, days, starts, 0.0)
    objective = cost / phi + _total_cost(np.zeros(n), days, starts, mbic) + beta * len(starts)
    test = _no_change_tests(
        y, days, beta, min_size, mbic, max_changepoints, n_boot, seed, dispersion, rerun_search
    )
    boot = test.attrs.pop("boot")
    table.attrs.update(
        {
            "test": test.to_dict("records"),
            "penalty": name,
            "penalty_value": beta,
            "min_size_bins": min_size,
            "dispersion": phi,
        }
    )
    return ChangepointResult(
        table=table,
        changepoints=changepoints,
        test=test,
        counts=y,
        exposure=days,
        index=counts.index,
        bin_start=lo,
        bin_end=hi,
        freq=offset,
        breakpoints=starts,
        segment_rates=seg_events / seg_days,
        cost=cost,
        objective=float(objective),
        penalty=name,
        penalty_value=beta,
        min_size=min_size,
        method="pelt" if max_changepoints is None else "segment neighbourhood",
        cost_by_k=cost_by_k,
        posteriors=tuple(posteriors),
        boot_statistics=boot,
        dispersion=phi,
    )


def _dispersion_value(dispersion, y, days) -> float:
    if dispersion is None:
        return 1.0
    if isinstance(dispersion, str):
        if dispersion != "estimate":
            raise ArgumentError("dispersion", dispersion, ["estimate", "a number >= 1", None])
        return float(_dispersion(y, days)[0])
    value = float(dispersion)
    if not np.isfinite(value) or value < 1:
        raise ArgumentError("dispersion", dispersion, "'estimate', None or a finite number >= 1")
    return value


def _segment_table(seg_events, seg_days, starts, ends, alpha) -> pd.DataFrame:
    """One row per segment with its exact (Garwood) rate interval per 30 days."""
    ci = np.array([garwood_interval(ev, d, alpha) for ev, d in zip(seg_events, seg_days)]).reshape(-1, 2)
    return pd.DataFrame(
        {
            "segment": np.arange(1, len(seg_events) + 1),
            "start": starts,
            "end": ends,
            "days": seg_days,
            "events": seg_events.astype(int),
            "rate_per_30d": 30.0 * seg_events / seg_days,
            "rate_ci_low": 30.0 * ci[:, 0],
            "rate_ci_high": 30.0 * ci[:, 1],
        }
    )


_CP_COLUMNS = {
    "changepoint": "int64",
    "date": "M",
    "date_low": "M",
    "date_high": "M",
    "date_mass": float,
    "rate_ratio": float,
    "rr_ci_low": float,
    "rr_ci_high": float,
    "rr_p_value": float,
    "inference": object,
}


def _changepoint_table(y, days, lo, edges, seg_events, seg_days, min_size, alpha, phi):
    """One row per changepoint: date, date interval, nominal rate ratio; and the date posteriors."""
    rows, posteriors = [], []
    for j, tau in enumerate(edges[1:-1]):
        pos, prob = _date_posterior(y, days, edges[j], edges[j + 2], min_size, phi=phi)
        a, b, mass = _highest_mass(pos, prob, 1 - alpha)
        posteriors.append((lo[pos], prob))
        rr = rate_ratio_exact_any(seg_events[j + 1], seg_days[j + 1], seg_events[j], seg_days[j], alpha)
        rows.append([j + 1, lo[tau], lo[a], lo[b], mass, *rr, _CAVEAT])
    table = pd.DataFrame(rows, columns=list(_CP_COLUMNS))
    # Keep column types when no changepoint is found, so date arithmetic still works downstream.
    table = table.astype({c: (lo.dtype if t == "M" else t) for c, t in _CP_COLUMNS.items()})
    table.attrs["caveat"] = _CAVEAT
    return table, posteriors


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
    segs = {}
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
    >>> ax = plot_penalty_path(path)  # doctest: +SKIP
    """
    from analysis.plots import plot_penalty_path as draw

    return draw(path, ax=ax)

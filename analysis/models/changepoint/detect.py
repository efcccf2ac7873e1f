"""detect_changepoints: the search, the segments with their rates, the change dates, the no-change tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from analysis.errors import ArgumentError
from analysis.models.changepoint.bins import _daily_from_incidents, _prepare
from analysis.models.changepoint.nochange import _no_change_tests
from analysis.models.changepoint.result import _CAVEAT, ChangepointResult
from analysis.models.changepoint.search import _dispersion, _penalty_value, _search, _total_cost
from analysis.models.exact import garwood_interval, rate_ratio_exact_any


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
    table, changepoints, posteriors, rates = _segments(y, days, lo, hi, starts, min_size, alpha, phi)
    cost, objective = _objective(y, days, starts, beta, mbic, phi)
    test, boot = _no_change_tests(
        y, days, beta, min_size, mbic, max_changepoints, n_boot, seed, dispersion, rerun_search
    )
    return ChangepointResult(
        table=_vocabulary(changepoints),
        segments=table,
        changepoints=changepoints,
        test=test,
        counts=y,
        exposure=days,
        index=counts.index,
        bin_start=lo,
        bin_end=hi,
        freq=offset,
        breakpoints=starts,
        segment_rates=rates,
        cost=cost,
        objective=objective,
        penalty=name,
        penalty_value=beta,
        min_size=min_size,
        method="pelt" if max_changepoints is None else "segment neighbourhood",
        cost_by_k=cost_by_k,
        posteriors=tuple(posteriors),
        boot_statistics=boot,
        dispersion=phi,
        alpha=alpha,
    )


def _segments(y, days, lo, hi, starts, min_size, alpha, phi):
    """The segment table, the changepoint table with the date posteriors, and each segment's rate per day."""
    edges = np.r_[0, starts, len(y)]
    seg_events = np.add.reduceat(y, edges[:-1]).astype(float)
    seg_days = np.add.reduceat(days, edges[:-1])
    table = _segment_table(seg_events, seg_days, lo[edges[:-1]], hi[edges[1:] - 1], alpha)
    changepoints, posteriors = _changepoint_table(
        y, days, lo, edges, seg_events, seg_days, min_size, alpha, phi
    )
    return table, changepoints, posteriors, seg_events / seg_days


def _objective(y, days, starts, beta, mbic, phi) -> tuple[float, float]:
    """The Poisson cost of the segmentation, and the penalised objective the search minimised."""
    cost = _total_cost(y, days, starts, 0.0)
    # MBIC's log-length terms do not depend on the counts: on zeros they are the whole cost.
    objective = cost / phi + _total_cost(np.zeros(len(y)), days, starts, mbic) + beta * len(starts)
    return cost, float(objective)


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
    return table, posteriors


def _vocabulary(changepoints: pd.DataFrame) -> pd.DataFrame:
    """One row per changepoint in the table vocabulary: the rate ratio across it, then its date."""
    out = changepoints.rename(
        columns={
            "rate_ratio": "estimate",
            "rr_ci_low": "ci_low",
            "rr_ci_high": "ci_high",
            "rr_p_value": "p_value",
        }
    )
    lead = ["estimate", "ci_low", "ci_high", "p_value"]
    return out[lead + [c for c in out.columns if c not in lead]]


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

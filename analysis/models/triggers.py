"""Do attacks rise after trigger dates (US strikes)? Each attack-day counted once.

Model
-----
A Poisson regression on the daily counts of the whole record,

    log E[y_t] = alpha_{period(t)} + beta * post_t,

where ``post_t`` is 1 on days 1..``window_days`` after any pooled trigger
(windows that overlap are merged, so a day is post-trigger once, never twice)
and ``alpha`` is a background level per named period. The rate ratio
``exp(beta)`` compares post-trigger days with the other days of the *same*
period; every day enters once, either as a post-trigger day or as background.
Trigger days themselves are left out: on a date-only record an attack on the
trigger day may come before or after it. The interval uses Newey-West (HAC)
standard errors with ``window_days`` lags, which allow for overdispersion
(several sites hit in one night) and for serial dependence within a window.

The permutation test re-draws each trigger's date uniformly within its own
period (strikes cluster in the surge and answer attacks, so drawing them over
the whole record would compare surge windows with a calm-weighted null),
keeping the number of triggers per period, and recomputes the stratified
rate ratio.

A trigger that opens a period (a period starts on its day or the next, as
the 28 Feb 2026 strikes open the 2026 war) cannot be compared with its own
period's background: its window *is* the start of that period. Such triggers
are left out of the pooled estimate and reported apart, against the rate of
the period before (exact conditional rate ratio).

Examples
--------
>>> import pandas as pd, numpy as np
>>> rng = np.random.default_rng(0)
>>> days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 366, 150), unit="D")
>>> inc = pd.DataFrame({"event_date": days})
>>> from analysis.scope import Scope
>>> res = trigger_windows(inc, ["2024-03-01", "2024-08-15"], span=("2024-01-01", "2024-12-31"),
...                       background={"all": ("2024-01-01", "2024-12-31")}, scope=Scope(confirmation=None),
...                       n_perm=99)
>>> res.table["role"].tolist()
['pooled trigger', 'pooled trigger', 'pooled']
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.counts import warn_coarse_dated
from analysis.errors import ArgumentError, StatisticalWarning
from analysis.models.exact import RateRatio, garwood_interval, rate_ratio_exact_any
from analysis.periods import OUTSIDE, day_periods
from analysis.results import Result

__all__ = ["TriggerResult", "trigger_windows"]

ASSUMPTIONS = (
    "Attacks follow a background rate that is constant within each named period; days 1..window after a "
    "trigger may have a different rate, by the same factor for every pooled trigger. Overlapping windows "
    "are merged, so each attack-day counts once; the trigger day itself is excluded from both sides. The "
    "interval uses Newey-West standard errors (overdispersion and serial dependence); the permutation test "
    "re-draws trigger dates within their own period. Triggers that open a period are compared with the "
    "period before and kept out of the pooled estimate."
)
_OUTSIDE = OUTSIDE
_COLUMNS = [
    "trigger",
    "date",
    "period",
    "role",
    "window_events",
    "window_days",
    "expected_events",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "perm_p_greater",
    "perm_p_two_sided",
    "shared_window_days",
]


@dataclass(frozen=True, eq=False, repr=False)
class TriggerResult(Result):
    """Post-trigger rates against each period's background (see :func:`trigger_windows`).

    Attributes
    ----------
    table : DataFrame
        One row per trigger, then a ``pooled`` row. ``role`` says how a trigger
        enters: ``pooled trigger``, ``opens period`` (reported apart: rate ratio
        against the period before) or ``no window in span``. For a pooled
        trigger, ``estimate`` is observed over expected events in its window
        (expected from its period's background) with an exact interval; for the
        pooled row, the rate ratio of post-trigger days against the rest of
        their periods, with its HAC interval and the permutation p-values.
        ``shared_window_days``: window days this trigger shares with others.
    daily : DataFrame
        Per day: events, period, role (``post``, ``background``, ``trigger day``).
    result : statsmodels results
        The pooled Poisson regression.
    permutation_statistics : ndarray
        log rate ratio for each re-draw; ``statistic`` is the observed one.
    """

    table: pd.DataFrame
    daily: pd.DataFrame
    result: object
    permutation_statistics: np.ndarray
    statistic: float
    p_value_greater: float
    p_value_two_sided: float
    window_days: int
    n_perm: int
    seed: int
    assumptions: str = ASSUMPTIONS

    @property
    def daily_counts(self) -> pd.Series:
        """Events per day over the span."""
        return self.daily["events"]

    def sentence(self) -> str:
        """The pooled result in words, for prose (never read back from ``repr``).

        Examples
        --------
        >>> res = trigger_windows(incidents, ["2024-01-10"], background={"all": ("2023-10-17", "2024-02-04")}, n_perm=0)
        >>> res.sentence().startswith("1 pooled trigger (0 opening a period apart), pooled rate ratio")
        True
        """
        pooled = self.table.iloc[-1]
        n_pooled = int((self.table["role"] == "pooled trigger").sum())
        apart = int((self.table["role"] == "opens period").sum())
        return (
            f"{n_pooled} pooled trigger{'s' if n_pooled != 1 else ''} ({apart} opening a period apart), pooled "
            f"rate ratio {pooled['estimate']:.3g} ({pooled['ci_low']:.3g}-{pooled['ci_high']:.3g}), "
            f"permutation p={self.p_value_two_sided:.3g}"
        )

    def _repr_fields(self) -> str:
        pooled = self.table.iloc[-1]
        n_pooled = int((self.table["role"] == "pooled trigger").sum())
        apart = int((self.table["role"] == "opens period").sum())
        return (
            f"{n_pooled} pooled triggers ({apart} opening a period apart), pooled RR {pooled['estimate']:.3g} "
            f"({pooled['ci_low']:.3g}-{pooled['ci_high']:.3g}), permutation p={self.p_value_two_sided:.3g}"
        )

    def plot(self, ax=None):
        """Forest plot of every trigger and the pooled ratio (log scale); off-scale values are marked.

        Examples
        --------
        >>> from analysis import load_context_events
        >>> strikes = load_context_events().query("category == 'us_strike'")
        >>> ax = trigger_windows(incidents, strikes, n_perm=0, study=study).plot()
        >>> ax.get_title(loc="left")
        'Attacks after trigger dates (21 triggers, all shown)'
        """
        from analysis.plots import plot_trigger_windows

        return plot_trigger_windows(self, ax=ax)


def _trigger_frame(triggers) -> pd.DataFrame:
    if isinstance(triggers, pd.DataFrame):
        frame = triggers.copy()
        if "event_date" not in frame:
            raise ArgumentError(
                "triggers", "a DataFrame without 'event_date'", "a DataFrame with event_date, or dates"
            )
    else:
        frame = pd.DataFrame({"event_date": list(triggers)})
    frame["event_date"] = pd.to_datetime(frame["event_date"]).dt.normalize()
    if "label" not in frame:
        frame["label"] = frame["event_date"].dt.strftime("%Y-%m-%d")
    frame = (
        frame.sort_values("event_date", kind="stable").drop_duplicates("event_date").reset_index(drop=True)
    )
    return frame


def _calendar(incidents, scope, span, background) -> tuple[pd.Series, np.ndarray, list]:
    """Daily counts over the span (scope applied), each day's period, and the periods in order."""
    from analysis.config import data_coverage
    from analysis.counts import daily_counts
    from analysis.models.rates import resolve_periods
    from analysis.scope import get_scope

    if span is None:
        span = data_coverage(incidents)
    first, last = pd.Timestamp(span[0]).normalize(), pd.Timestamp(span[1]).normalize()
    if last < first:
        raise ArgumentError("span", span, "(start, end) with start on or before end")
    rows = get_scope(scope).select(incidents)
    dates = pd.to_datetime(rows["event_date"])
    if dates.isna().any():
        raise ArgumentError("incidents", "rows with a missing event_date", "a date on every row")
    outside = int(((dates < first) | (dates > last + pd.Timedelta(days=1))).sum())
    if outside:
        warnings.warn(f"{outside} incidents outside the span were left out", StatisticalWarning, stacklevel=3)
    warn_coarse_dated(rows)
    y = daily_counts(rows, start=first, end=last, scope=scope, precision="exclude")["events"]
    periods = sorted(resolve_periods(background), key=lambda p: p.start)
    return y, day_periods(y.index, periods), periods


def _opens_period(day: pd.Timestamp, periods, first: pd.Timestamp) -> str | None:
    """Name of the period this trigger opens (the period starts on its day or the next), else None."""
    for p in periods:
        start = pd.Timestamp(p.start)
        if start > first and 0 <= (start - day).days <= 1:
            return p.name
    return None


def _post_mask(tday: np.ndarray, n_days: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Post-trigger days (merged windows) and trigger days, as boolean masks over the span."""
    post = np.zeros(n_days, dtype=bool)
    trig = np.zeros(n_days, dtype=bool)
    for d in tday:
        post[max(d + 1, 0) : max(min(d + window + 1, n_days), 0)] = True
        if 0 <= d < n_days:
            trig[d] = True
    return post & ~trig, trig


def _stratified_log_ratio(ow, dw, ob, db) -> np.ndarray:
    """Poisson MLE of log(rate ratio) with one background level per stratum (last axis), by bisection.

    Solves sum_p [ow_p - (ow_p + ob_p) theta dw_p / (theta dw_p + db_p)] = 0, the score of the regression
    with period dummies; +-12 stands for "no post-trigger events" / "no background events".
    """
    ow, dw, ob, db = (np.asarray(v, dtype=float) for v in (ow, dw, ob, db))
    lo = np.full(ow.shape[:-1], -12.0)
    hi = np.full(ow.shape[:-1], 12.0)
    n = ow + ob
    for _ in range(60):
        mid = (lo + hi) / 2
        theta = np.exp(mid)[..., None]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(theta * dw + db > 0, theta * dw / (theta * dw + db), 0.0)
        score = np.sum(ow - n * share, axis=-1)
        lo, hi = np.where(score > 0, mid, lo), np.where(score > 0, hi, mid)
    return (lo + hi) / 2


def _period_sums(y, labels_idx, n_strata, post, trig):
    """Per stratum: events and days on post-trigger days and on background days (trigger days left out)."""
    bg = ~post & ~trig
    return (
        np.bincount(labels_idx, weights=y * post, minlength=n_strata),
        np.bincount(labels_idx, weights=post, minlength=n_strata),
        np.bincount(labels_idx, weights=y * bg, minlength=n_strata),
        np.bincount(labels_idx, weights=bg, minlength=n_strata),
    )


def _pooled_fit(y, labels, post, trig, window_days: int, alpha: float):
    """Poisson regression with period dummies and the post indicator; HAC (Newey-West) interval."""
    keep = ~trig
    totals = pd.Series(y[keep]).groupby(labels[keep]).transform("sum").to_numpy()
    keep[keep] = totals > 0  # a period without events says nothing about the ratio
    if not post[keep].any():
        return None, RateRatio(np.nan, np.nan, np.nan, np.nan)
    X = pd.get_dummies(pd.Series(labels[keep]), dtype=float)
    X["post"] = post[keep].astype(float)
    fit = sm.GLM(y[keep], X, family=sm.families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": window_days, "use_correction": True}
    )
    b, se = float(fit.params["post"]), float(fit.bse["post"])
    z = stats.norm.ppf(1 - alpha / 2)
    return fit, RateRatio(np.exp(b), np.exp(b - z * se), np.exp(b + z * se), float(fit.pvalues["post"]))


def _permute(y, labels_idx, n_strata, tday_pooled, fixed_trig, window_days, n_perm, seed):
    """log rate ratio for ``n_perm`` re-draws of the pooled trigger days within their own period."""
    rng = np.random.default_rng(seed)
    n_days = len(y)
    eligible = [np.flatnonzero((labels_idx == k) & (np.arange(n_days) < n_days - 1)) for k in range(n_strata)]
    per_stratum = np.bincount(labels_idx[tday_pooled], minlength=n_strata)
    sums = np.zeros((n_perm, 4, n_strata))
    for i in range(n_perm):
        draw = np.concatenate(
            [
                rng.choice(eligible[k], size=c, replace=c > len(eligible[k]))
                for k, c in enumerate(per_stratum)
                if c
            ]
        )
        post, trig = _post_mask(draw, n_days, window_days)
        trig |= fixed_trig
        sums[i] = _period_sums(y, labels_idx, n_strata, post & ~trig, trig)
    return _stratified_log_ratio(sums[:, 0], sums[:, 1], sums[:, 2], sums[:, 3])


def _poisson_two_sided(observed: int, expected: float) -> float:
    if expected <= 0:
        return np.nan if observed == 0 else 0.0
    lower, upper = stats.poisson.cdf(observed, expected), stats.poisson.sf(observed - 1, expected)
    return float(min(1.0, 2 * min(lower, upper)))


def _window_days(d: int, n_days: int, window: int, trig: np.ndarray) -> np.ndarray:
    days = np.arange(max(d + 1, 0), min(d + window + 1, n_days))
    return days[~trig[days]]


def _trigger_rows(trig_frame, tday, roles, opened, y, labels, periods, post_windows, trig, window, alpha):
    """One row per trigger: its window against its period's background, or against the period before."""
    n_days = len(y)
    bg = ~post_windows & ~trig
    rate = {
        name: y[bg & (labels == name)].sum() / max((bg & (labels == name)).sum(), 1) for name in set(labels)
    }
    coverage = np.zeros(n_days, dtype=int)
    for d, role in zip(tday, roles):
        if role == "pooled trigger":
            coverage[_window_days(d, n_days, window, trig)] += 1
    order = [p.name for p in periods]
    rows = []
    for i, (d, role) in enumerate(zip(tday, roles)):
        days = _window_days(d, n_days, window, trig) if role != "no window in span" else np.array([], int)
        obs = int(y[days].sum())
        row = {
            "trigger": trig_frame["label"].iloc[i],
            "date": trig_frame["event_date"].iloc[i],
            "period": labels[d] if 0 <= d < n_days else "",
            "role": role,
            "window_events": obs,
            "window_days": len(days),
            "perm_p_greater": np.nan,
            "perm_p_two_sided": np.nan,
            "shared_window_days": int((coverage[days] > 1).sum()) if role == "pooled trigger" else 0,
        }
        if role == "pooled trigger":
            expected = float(sum(rate[labels[t]] for t in days))
            lo, hi = garwood_interval(obs, 1.0, alpha)
            est = obs / expected if expected > 0 else (np.inf if obs else np.nan)
            row.update(
                expected_events=expected,
                estimate=est,
                ci_low=lo / expected if expected else np.nan,
                ci_high=hi / expected if expected else np.inf,
                p_value=_poisson_two_sided(obs, expected),
            )
        elif role == "opens period":
            before = order[order.index(opened[i]) - 1] if order.index(opened[i]) > 0 else _OUTSIDE
            ref = bg & (labels == before)
            ref_events, ref_days = int(y[ref].sum()), int(ref.sum())
            rr = rate_ratio_exact_any(obs, len(days), ref_events, ref_days, alpha)
            row.update(
                period=f"{opened[i]} (vs {before})",
                expected_events=ref_events / max(ref_days, 1) * len(days),
                estimate=rr.estimate,
                ci_low=rr.ci_low,
                ci_high=rr.ci_high,
                p_value=rr.p_value,
            )
        else:
            row.update(expected_events=np.nan, estimate=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan)
        rows.append(row)
    return rows


def _pooled_row(y: np.ndarray, post: np.ndarray, rr: RateRatio, p_greater: float, p_two: float) -> dict:
    """The table's pooled row: every post-trigger day once, against the period backgrounds."""
    events = float(y[post].sum())
    return {
        "trigger": "pooled",
        "date": pd.NaT,
        "period": "",
        "role": "pooled",
        "window_events": int(events),
        "window_days": int(post.sum()),
        "expected_events": events / rr.estimate if rr.estimate > 0 else np.nan,
        "estimate": rr.estimate,
        "ci_low": rr.ci_low,
        "ci_high": rr.ci_high,
        "p_value": rr.p_value,
        "perm_p_greater": p_greater,
        "perm_p_two_sided": p_two,
        "shared_window_days": 0,
    }


def _check_arguments(window_days, n_perm: int, baseline_days) -> None:
    """Reject a bad window or re-draw count; warn that baseline_days is ignored."""
    if not isinstance(window_days, (int, np.integer)) or window_days < 1:
        raise ArgumentError("window_days", window_days, "a whole number of days >= 1")
    if n_perm < 0:
        raise ArgumentError("n_perm", n_perm, "0 (no test) or a positive number of re-draws")
    if baseline_days is not None:
        # stacklevel 3: the warning names the caller of trigger_windows, not this helper.
        warnings.warn(
            "baseline_days is ignored: the baseline is the rest of each trigger's period",
            DeprecationWarning,
            stacklevel=3,
        )


def _roles(tday: np.ndarray, opened: list, n_days: int) -> np.ndarray:
    """Each trigger's role: pooled trigger, opens period, or no window in span (with a warning)."""
    roles = np.array(["opens period" if o else "pooled trigger" for o in opened], dtype=object)
    roles[(tday < -1) | (tday >= n_days - 1)] = "no window in span"
    if (roles == "no window in span").any():
        # stacklevel 3: the warning names the caller of trigger_windows, not this helper.
        warnings.warn(
            f"{int((roles == 'no window in span').sum())} trigger(s) have no window day in the span",
            StatisticalWarning,
            stacklevel=3,
        )
    return roles


def _day_masks(
    tday: np.ndarray, pooled: np.ndarray, n_days: int, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Post days of the pooled triggers, and the days of every trigger in the span (never post days)."""
    post, _ = _post_mask(tday[pooled], n_days, window)
    _, trig_all = _post_mask(tday[(tday >= 0) & (tday < n_days)], n_days, window)
    return post & ~trig_all, trig_all


def _permutation_p_values(y, codes, n_strata, tday_pooled, trig_all, window_days, n_perm, seed, stat):
    """Re-drawn statistics and the one- and two-sided permutation p-values of the observed one."""
    in_span = tday_pooled.clip(0, len(y) - 1)
    # The pooled triggers are re-drawn; the other trigger days stay left out of both sides.
    fixed = trig_all.copy()
    fixed[in_span] = False
    perm = _permute(y, codes, n_strata, in_span, fixed, window_days, n_perm, seed)
    p_greater = float((1 + np.sum(perm >= stat - 1e-9)) / (n_perm + 1))
    p_two = min(1.0, 2 * min(p_greater, float((1 + np.sum(perm <= stat + 1e-9)) / (n_perm + 1))))
    return perm, p_greater, p_two


def _daily_frame(
    y_series: pd.Series, labels: np.ndarray, post: np.ndarray, trig_all: np.ndarray
) -> pd.DataFrame:
    """Per day of the span: events, period and role (trigger day, post or background)."""
    return pd.DataFrame(
        {
            "events": y_series.astype(int),
            "period": labels,
            "role": np.select([trig_all, post], ["trigger day", "post"], "background"),
        },
        index=y_series.index,
    )


def trigger_windows(
    incidents: pd.DataFrame,
    triggers: pd.DataFrame | Sequence,
    window_days: int = 7,
    baseline_days: int | None = None,
    n_perm: int = 999,
    seed: int = 0,
    span: tuple | None = None,
    alpha: float = 0.05,
    scope=None,
    background=None,
    study=None,
) -> TriggerResult:
    """Attack rate on the days after trigger dates against the rest of the same period.

    Parameters
    ----------
    incidents : DataFrame
        One row per attack with ``event_date``; counted after ``scope``.
    triggers : DataFrame or sequence of dates
        A DataFrame with ``event_date`` (and optional ``label``), or dates.
    window_days : int
        Post-trigger days 1..window_days (the trigger day is excluded).
    baseline_days : None
        Deprecated and ignored: the baseline is now the rest of each period
        (a fixed pre-window counted days twice when triggers were close).
    n_perm : int
        Re-draws of the trigger dates within their periods (0 skips the test).
    seed : int
        Seed of the re-draws.
    span : (start, end), optional
        Days on which attacks were recorded; default the dataset coverage
        (:func:`analysis.config.data_coverage`), never a subset's own events.
    alpha : float
        1 - confidence level.
    scope : Scope, str or None
        Counting scope (None: the default preset, ``"pentagon"``).
    background : list of Period, mapping or None
        Periods with their own background level; default the study's periods.
    study : Study, optional
        Supplies ``background`` and ``scope`` when they are not given (:func:`analysis.load_study`).

    Returns
    -------
    TriggerResult

    Notes
    -----
    Assumes a background rate constant within each period and a common
    multiplicative post-trigger effect; see the module docstring. Merging
    windows is what keeps each attack-day counted once; the per-trigger rows
    are descriptive (windows that share days are marked) and the pooled row is
    the estimate.

    Examples
    --------
    >>> from analysis import load_context_events
    >>> strikes = load_context_events().query("category == 'us_strike'")
    >>> res = trigger_windows(incidents, strikes, n_perm=0, study=study)
    >>> res.table.iloc[-1][["estimate", "ci_low", "ci_high"]].astype(float).round(2).tolist()
    [1.25, 0.85, 1.85]
    """
    _check_arguments(window_days, n_perm, baseline_days)
    if study is not None:
        background = study.periods if background is None else background
        scope = study.scope if scope is None else scope
    y_series, labels, periods = _calendar(incidents, scope, span, background)
    y, first, n_days = y_series.to_numpy(dtype=float), y_series.index[0], len(y_series)
    trig_frame = _trigger_frame(triggers)
    tday = (trig_frame["event_date"] - first).dt.days.to_numpy()
    opened = [_opens_period(d, periods, first) for d in trig_frame["event_date"]]
    roles = _roles(tday, opened, n_days)
    pooled = roles == "pooled trigger"
    post, trig_all = _day_masks(tday, pooled, n_days, window_days)
    fit, pooled_rr = _pooled_fit(y, labels, post, trig_all, window_days, alpha)
    rows = _trigger_rows(
        trig_frame, tday, roles, opened, y, labels, periods, post, trig_all, window_days, alpha
    )
    codes, strata = pd.factorize(pd.Series(labels))
    stat = float(_stratified_log_ratio(*_period_sums(y, codes, len(strata), post, trig_all)))
    perm, p_greater, p_two = np.array([]), np.nan, np.nan
    if n_perm and pooled.any() and np.isfinite(pooled_rr.estimate):
        perm, p_greater, p_two = _permutation_p_values(
            y, codes, len(strata), tday[pooled], trig_all, window_days, n_perm, seed, stat
        )
    rows.append(_pooled_row(y, post, pooled_rr, p_greater, p_two))
    table = pd.DataFrame(rows, columns=_COLUMNS)
    return TriggerResult(
        table=table,
        daily=_daily_frame(y_series, labels, post, trig_all),
        result=fit,
        permutation_statistics=perm,
        statistic=stat,
        p_value_greater=p_greater,
        p_value_two_sided=p_two,
        window_days=int(window_days),
        n_perm=n_perm,
        seed=seed,
    )

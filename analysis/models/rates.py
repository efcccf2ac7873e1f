"""Attack rates by named period, and how much they changed.

Model
-----
Each period's rate is its mean daily count (times 30 for a rate per 30
days). Its interval, and the interval of each rate ratio against the
reference period, come from :mod:`analysis.models.intervals`: by default
(``method="nights"``) the widest of a compound-Poisson interval on the days
that saw attacks (so 14 attacks on 3 nights get the width of 3 nights), a
persistence-aware one (equal-weighted cosine variance with t critical values)
and the exact one. The table says on how many days each period's attacks
fell (``attack_days``). ``benchmarks/sim_coverage.py`` (the study the default
was chosen on) and ``benchmarks/sim_holdout.py`` (one kept apart from the
choice) show the coverage of each method; :data:`CHECKED_COVERAGE` holds their
worst cases, which ``summary()`` prints.

What is counted is a :class:`analysis.scope.Scope` (default ``"pentagon"``).
A subset (one country, one weapon) keeps the dataset's coverage, so a period
with no events in the subset is a real zero.

The pre-specified comparison (``data/config.toml``: surge against the
post-withdrawal calm) is marked ``pre-specified``; every other period's
comparison is ``exploratory`` and gets a Holm-adjusted p-value beside the raw
one.

Examples
--------
>>> from analysis import load_incidents, load_periods, compare_periods  # doctest: +SKIP
>>> compare_periods(load_incidents(), load_periods(), reference="calm")  # doctest: +SKIP
<PeriodComparison: 12 periods, 301 events, reference=calm, scope=pentagon>
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.config import data_coverage, load_config
from analysis.counts import daily_counts
from analysis.errors import ArgumentError, DataQualityWarning, StatisticalWarning
from analysis.models.exact import garwood_interval, rate_ratio_exact
from analysis.models.intervals import (
    METHODS,
    SMALL_COUNT,
    Method,
    attack_days,
    rate_interval,
    rate_ratio_interval,
)
from analysis.periods import Period, PeriodError, check_periods, covered_periods
from analysis.results import Result
from analysis.scope import Scope, get_scope

__all__ = [
    "SMALL_COUNT",
    "PeriodComparison",
    "compare_periods",
    "dispersion_test",
    "rates_from_tallies",
    "resolve_periods",
    "tally_increments",
]

RATE_DAYS = 30

TABLE_COLUMNS = [
    "period",
    "label",
    "start",
    "end",
    "days",
    "events",
    "attack_days",
    "rate_per_30d",
    "rate_ci_low",
    "rate_ci_high",
    "rate_ratio",
    "rr_ci_low",
    "rr_ci_high",
    "p_value",
    "p_holm",
    "comparison",
    "from_record",
    "method",
]

ASSUMPTIONS = (
    "A period's rate is its mean daily count. Intervals (method nights) treat each day with attacks as one "
    "cluster of unknown size: the information is in the attack days, not the attacks. They allow the rate to "
    "drift within a period and nearby days to be correlated (a cosine long-run variance with t critical "
    "values) and are never narrower than the exact interval (Fay-Feuer for a rate, conditional binomial on "
    "attack days for a ratio). With fewer than 3 attack days in a period no interval holds and a warning says "
    "so. Only the surge-against-calm comparison was posed in advance; other p-values are exploratory, "
    "Holm-adjusted beside the raw ones."
)
#: Fewer attack days than this in a compared period: no interval method held its coverage in the studies.
MIN_ATTACK_DAYS = 3
#: Each interval method's worst coverage of a 95% interval (any scenario, the ratio or either rate) in the
#: study it was chosen on and in the one kept apart: (tuning, hold-out). Tested against
#: ``benchmarks/results/sim_coverage.csv`` and ``sim_holdout.csv``; re-run both after changing a method.
CHECKED_COVERAGE: dict[str, tuple[float, float]] = {
    "exact": (0.414, 0.514),
    "poisson": (0.402, 0.508),
    "quasipoisson": (0.576, 0.594),
    "negbin": (0.576, 0.602),
    "hac": (0.738, 0.784),
    "bootstrap": (0.702, 0.742),
    "nights": (0.916, 0.894),
}

#: Scope filters compare_periods accepts as keywords.
SCOPE_FILTERS = ("countries", "weapons", "target_types", "actor_classes")
_UNSET = object()


@dataclass(frozen=True, eq=False, repr=False)
class PeriodComparison(Result):
    """Rates per period and rate ratios against a reference period.

    Attributes
    ----------
    table : DataFrame
        One row per period (per group with ``by=``): see :data:`TABLE_COLUMNS`.
    reference : str
        Name of the reference period.
    source : str
        ``"incidents"`` or ``"tallies"``.
    models : dict
        The statsmodels results behind GLM rows, keyed by (group, period).
    dispersion : DataFrame
        The Cameron-Trivedi test per group (statistic, p_value, alpha_hat).
    windows : DataFrame
        For tallies: the disjoint count windows the rates were built from.
    """

    table: pd.DataFrame
    reference: str
    source: str = "incidents"
    alpha: float = 0.05
    models: dict = field(default_factory=dict)
    dispersion: pd.DataFrame = field(default_factory=pd.DataFrame)
    periods: tuple[Period, ...] = ()
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    scope: Scope | None = None
    assumptions: str = ASSUMPTIONS

    def _repr_fields(self) -> str:
        n_periods = self.table["period"].nunique()
        events = self.table["events"].sum()
        events_txt = f"{events:.0f}" if float(events).is_integer() else f"{events:.1f}"
        scope = f", scope={self.scope.name}" if self.scope is not None else ""
        return f"{n_periods} periods, {events_txt} events, reference={self.reference}{scope}"

    def _extra_blocks(self) -> list:
        if self.source != "incidents":
            return []
        return [coverage_note(self.table["method"])]

    @property
    def result(self):
        """The first statsmodels result (for power users); see ``models`` for all."""
        return next(iter(self.models.values()), None)

    def tidy(self) -> pd.DataFrame:
        """The table in the package's shared vocabulary: one row per period and quantity, numbers first.

        Columns: estimate, ci_low, ci_high, n (events), exposure (days), then
        quantity (``rate_per_30d`` or ``rate_ratio``), period, the split column
        when there is one, p_value, p_holm, method and comparison.

        Examples
        --------
        >>> comparison.tidy().query("quantity == 'rate_ratio'")  # doctest: +SKIP
        """
        t = self.table
        keys = [
            c
            for c in t.columns
            if c not in TABLE_COLUMNS and c not in ("events_low", "events_high", "allocation")
        ]
        common = t[["events", "days", "period", *keys, "comparison"]].rename(
            columns={"events": "n", "days": "exposure"}
        )
        parts = []
        for quantity, cols, tests in (
            ("rate_per_30d", ["rate_per_30d", "rate_ci_low", "rate_ci_high"], False),
            ("rate_ratio", ["rate_ratio", "rr_ci_low", "rr_ci_high"], True),
        ):
            part = t[cols].set_axis(["estimate", "ci_low", "ci_high"], axis=1).join(common)
            part["quantity"] = quantity
            part["p_value"] = t["p_value"] if tests else np.nan
            part["p_holm"] = t["p_holm"] if tests else np.nan
            part["method"] = t["method"]
            parts.append(part)
        order = [
            "estimate",
            "ci_low",
            "ci_high",
            "n",
            "exposure",
            "quantity",
            "period",
            *keys,
            "p_value",
            "p_holm",
            "method",
            "comparison",
        ]
        return pd.concat(parts, ignore_index=True)[order]

    def plot(self, ax=None, column: str = "rate_per_30d"):
        """Rates per period with their intervals (or rate ratios with ``column="rate_ratio"``).

        Examples
        --------
        >>> comparison.plot()  # doctest: +SKIP
        """
        from analysis.plots import plot_period_rates

        return plot_period_rates(self, ax=ax, column=column)


def resolve_periods(periods) -> list[Period]:
    """Accept Periods, a mapping name -> (start, end), or None (the shipped periods)."""
    if periods is None:
        from analysis.data import load_periods

        return load_periods()
    if isinstance(periods, Mapping):
        out = []
        for name, (start, end) in periods.items():
            out.append(Period(str(name), str(name), pd.Timestamp(start).date(), pd.Timestamp(end).date()))
        return out
    periods = list(periods)
    if not all(isinstance(p, Period) for p in periods):
        raise TypeError("periods must be Period objects, a mapping name -> (start, end), or None")
    return periods


def _reference(periods: Sequence[Period], reference: str | None) -> str:
    names = [p.name for p in periods]
    if reference is None:
        return names[0]
    if reference not in names:
        raise ArgumentError("reference", reference, names)
    return reference


def dispersion_test(y: np.ndarray, mu: np.ndarray) -> tuple[float, float, float]:
    """Cameron-Trivedi test of Poisson equidispersion against NB2.

    Regresses ``((y - mu)^2 - y) / mu`` on ``mu`` without a constant; the
    slope estimates the NB2 dispersion and a one-sided t-test asks whether it
    is above zero.

    Returns
    -------
    (t_statistic, p_value, alpha_hat)

    Examples
    --------
    >>> y = np.array([0, 5, 0, 9, 1, 0, 7, 0]); mu = np.full(8, y.mean())
    >>> dispersion_test(y, mu)[1] < 0.05
    True
    """
    y, mu = np.asarray(y, float), np.asarray(mu, float)
    keep = mu > 0
    y, mu = y[keep], mu[keep]
    if len(y) < 3:
        return float("nan"), 1.0, 0.0
    aux = ((y - mu) ** 2 - y) / mu
    fit = sm.OLS(aux, mu).fit()
    t = float(fit.tvalues[0])
    return t, float(stats.t.sf(t, df=fit.df_resid)), float(fit.params[0])


def _check_range(periods: Sequence[Period], data_range: tuple[dt.date, dt.date]) -> None:
    lo, hi = data_range
    for p in periods:
        if p.start < lo or p.end > hi:
            warnings.warn(
                f"period {p.name!r} ({p.start}..{p.end}) extends past the data's coverage ({lo}..{hi}); "
                "only the covered days are counted",
                DataQualityWarning,
                stacklevel=3,
            )


def _clip(periods: Sequence[Period], data_range: tuple[dt.date, dt.date]) -> list[Period]:
    """Periods cut to the covered days: exposure is only the days the list vouches for."""
    lo, hi = data_range
    return [dataclasses.replace(p, start=max(p.start, lo), end=min(p.end, hi)) for p in periods]


def _role(name: str, reference: str, primary: str | None) -> str:
    if name == reference:
        return "reference"
    return "pre-specified" if name == primary else "exploratory"


def _holm(table: pd.DataFrame) -> pd.Series:
    """Holm-adjusted p-values over the exploratory comparisons (per group)."""
    out = pd.Series(np.nan, index=table.index)
    keys = [c for c in table.columns if c not in TABLE_COLUMNS][:1]
    for _, grp in table.groupby(keys) if keys else [(None, table)]:
        pick = grp[(grp["comparison"] == "exploratory") & grp["p_value"].notna()]
        if len(pick):
            out[pick.index] = multipletests(pick["p_value"].to_numpy(), method="holm")[1]
    pre = table["comparison"] == "pre-specified"
    out[pre] = table.loc[pre, "p_value"]
    return out


def _resolve_scope(scope, confirmation) -> Scope:
    if confirmation is _UNSET:
        return get_scope(scope)
    return get_scope(scope, confirmation=confirmation)


def compare_periods(
    incidents: pd.DataFrame,
    periods: Iterable[Period] | Mapping | None = None,
    reference: str | None = None,
    by: str | None = None,
    method: Method = "nights",
    alpha: float = 0.05,
    scope: Scope | str | None = None,
    data_range: tuple | None = None,
    primary=_UNSET,
    confirmation=_UNSET,
    precision: str = "first_day",
    **filters,
) -> PeriodComparison:
    """Attack rate per period, with intervals and rate ratios against a reference.

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (needs ``event_date``).
    periods : list of Period, mapping name -> (start, end), or None
        Disjoint periods (overlaps raise). ``None`` loads ``data/periods.toml``.
    reference : str, optional
        Period the others are compared with; default the first period.
    by : str, optional
        Column to split by (``"country"``, ``"weapon"``): one row per period and group.
    method : {"nights", "hac", "exact", "poisson", "quasipoisson", "negbin", "bootstrap"}
        Interval method (:mod:`analysis.models.intervals`); default ``nights``, the
        one that held its coverage with clustered nights and persistent rates. For the
        others, below 10 events the exact method is used and ``method`` says so.
    alpha : float
        1 - confidence level of every interval.
    scope : Scope or str, optional
        What is counted (:mod:`analysis.scope`); default ``"pentagon"``.
    data_range : (start, end), optional
        The dates the list covers; default the dataset's coverage
        (:func:`analysis.config.data_coverage`), which a subset keeps. A period
        wholly outside it raises; one partly outside is cut to it, with a
        :class:`DataQualityWarning`.
    primary : str or None, optional
        The period whose comparison was posed in advance (marked
        ``pre-specified``, not adjusted for multiplicity); default the
        configuration's headline period (``surge``) when present.
    confirmation : sequence of str, str or None, optional
        Shortcut for ``scope=get_scope(scope, confirmation=...)``.
    precision : {"first_day", "spread", "exclude"}
        Rows dated only to a week or month: on the first day (default; their
        period is the one holding that day), spread over their days, or left
        out (see :func:`analysis.counts.daily_counts`).
    **filters
        Other scope changes: ``countries=``, ``weapons=``, ``target_types=``,
        ``actor_classes=`` (a string or a list).

    Returns
    -------
    PeriodComparison

    Examples
    --------
    >>> res = compare_periods(incidents, reference="calm", countries="Syria")  # doctest: +SKIP
    >>> res.table[["period", "rate_per_30d", "rate_ratio", "rr_ci_low", "rr_ci_high"]]  # doctest: +SKIP
    """
    if method not in METHODS:
        raise ArgumentError("method", method, METHODS)
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise ArgumentError("alpha", alpha, "a number between 0 and 1")
    scope = _resolve_scope(scope, confirmation)
    for name in filters:
        if name not in SCOPE_FILTERS:
            raise ArgumentError(
                "argument",
                name,
                [
                    "periods",
                    "reference",
                    "by",
                    "method",
                    "alpha",
                    "scope",
                    "data_range",
                    "primary",
                    "confirmation",
                    "precision",
                    *SCOPE_FILTERS,
                ],
            )
    if filters:
        scope = scope.replace(**filters)
    periods = check_periods(resolve_periods(periods), allow_overlap=False)
    if data_range is None:
        data_range = data_coverage(incidents)
    data_range = (_as_day(data_range[0], "data_range"), _as_day(data_range[1], "data_range"))
    # The shipped periods run past "data through" (to the ceasefire and after): a period the
    # data do not reach has no count to estimate, so it is left out with a warning.
    periods = covered_periods(periods, data_range)
    if not periods:
        raise ArgumentError("periods", periods, "at least one Period")
    reference = _reference(periods, reference)
    primary = _primary(periods, reference, primary)
    _check_range(periods, data_range)
    periods = _clip(periods, data_range)
    rows = scope.select(incidents)
    if rows.empty:
        warnings.warn(
            f"the scope selects no incidents ({scope.describe()}): every rate is 0 and no ratio is defined",
            StatisticalWarning,
            stacklevel=2,
        )
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    counts = daily_counts(rows, by=by, start=start, end=end, confirmation=None, precision=precision)
    groups = {None: counts["events"]} if by is None else {g: counts[g] for g in counts.columns}
    out = []
    with warnings.catch_warnings():
        # Each interval warns about its own few attack days; one warning below names them all.
        warnings.simplefilter("ignore", StatisticalWarning)
        for group, series in groups.items():
            out.extend(_group_rows(series, periods, reference, primary, method, alpha, by, group))
    table = pd.DataFrame(out)
    _warn_few_days(table, by)
    table["p_holm"] = _holm(table)
    columns = TABLE_COLUMNS if by is None else [by, *TABLE_COLUMNS]
    return PeriodComparison(
        table=table[columns],
        reference=reference,
        source="incidents",
        alpha=alpha,
        periods=tuple(periods),
        scope=scope,
    )


def _warn_few_days(table: pd.DataFrame, by: str | None) -> None:
    few = table[(table["attack_days"] < MIN_ATTACK_DAYS) & (table["events"] > 0)]
    if few.empty:
        return
    where = [
        (f"{r[by]} " if by else "") + f"{r['period']}: {r['events']:g} attacks on {r['attack_days']} day(s)"
        for _, r in few.iterrows()
    ]
    warnings.warn(
        "too few attack days for any interval to hold ("
        + "; ".join(where[:6])
        + ("; ..." if len(where) > 6 else "")
        + f"): with attacks in clusters of unknown size, fewer than {MIN_ATTACK_DAYS} attack days leave the "
        "intervals below their stated level in the coverage studies (benchmarks/sim_coverage.py)",
        StatisticalWarning,
        stacklevel=3,
    )


def coverage_note(methods) -> str:
    """One sentence per interval method used: its worst checked coverage in both studies.

    Examples
    --------
    >>> coverage_note(["exact"]).startswith("Intervals: exact")
    True
    """
    parts = []
    for m in dict.fromkeys(str(m) for m in methods):
        if m in CHECKED_COVERAGE:
            tune, hold = CHECKED_COVERAGE[m]
            parts.append(
                f"{m} (worst coverage of a 95% interval over every scenario: {tune:.2f} in "
                f"benchmarks/sim_coverage.py, {hold:.2f} in the hold-out benchmarks/sim_holdout.py)"
            )
        elif m.startswith("exact ("):
            parts.append(f"{m} (one attack day or none: no method holds its level)")
        else:
            parts.append(f"{m} (no coverage study)")
    return "Intervals: " + "; ".join(parts) + "."


def _group_rows(series, periods, reference, primary, method, alpha, by, group) -> list[dict]:
    ref_p = next(p for p in periods if p.name == reference)
    ref_y = series[pd.Timestamp(ref_p.start) : pd.Timestamp(ref_p.end)].to_numpy()
    out = []
    for p in periods:
        y = series[pd.Timestamp(p.start) : pd.Timestamp(p.end)].to_numpy()
        rate = rate_interval(y, alpha, method, per=RATE_DAYS)
        row = {
            "period": p.name,
            "label": p.label,
            "start": pd.Timestamp(p.start),
            "end": pd.Timestamp(p.end),
            "days": p.days,
            "events": float(y.sum()) if y.dtype.kind == "f" else int(y.sum()),
            "attack_days": attack_days(y),
            "rate_per_30d": rate.estimate,
            "rate_ci_low": rate.ci_low,
            "rate_ci_high": rate.ci_high,
            "comparison": _role(p.name, reference, primary),
            "from_record": p.from_record,
        }
        if p.name == reference:
            row.update(rate_ratio=1.0, rr_ci_low=1.0, rr_ci_high=1.0, p_value=np.nan, method=rate.method)
        else:
            rr = rate_ratio_interval(y, ref_y, alpha, method)
            row.update(
                rate_ratio=rr.estimate,
                rr_ci_low=rr.ci_low,
                rr_ci_high=rr.ci_high,
                p_value=rr.p_value,
                method=rr.method,
            )
        if by is not None:
            row[by] = group
        out.append(row)
    return out


def _as_day(value, argument: str) -> dt.date:
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise ArgumentError(argument, value, "dates as 'YYYY-MM-DD' strings, dates or Timestamps") from None


def _primary(periods, reference, primary) -> str | None:
    names = [p.name for p in periods]
    if primary is _UNSET:
        try:
            configured = load_config().headline_period
        except (OSError, PeriodError):
            return None
        return configured if configured in names and configured != reference else None
    if primary is not None and primary not in names:
        raise ArgumentError("primary", primary, names)
    return primary


# ------------------------------------------------------------------ tallies

_QUALIFIER_OFFSET = {"exact": 0, "about": 0, "at_least": 0, "more_than": 1}
#: "about N" is read as N give or take this share (our convention, stated in the report).
ABOUT_SHARE = 0.1


def _bounds(grp: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of each cumulative tally in a series.

    ``exact`` is its number; ``about N`` is N +/- :data:`ABOUT_SHARE`;
    ``at_least N`` and ``more_than N`` are bounded above by the smallest upper
    bound of a later tally of the same series (a cumulative count cannot
    fall), or by their own number when none follows (the range is then open
    above and the report says so).
    """
    value = grp["value"].to_numpy(float)
    qual = grp["qualifier"].to_numpy()
    low = np.where(qual == "about", np.floor(np.round(value * (1 - ABOUT_SHARE), 6)), value)
    high = np.where(qual == "about", np.ceil(np.round(value * (1 + ABOUT_SHARE), 6)), value)
    open_above = np.isin(qual, ["at_least", "more_than"])
    later = np.inf
    for i in range(len(value) - 1, -1, -1):
        if open_above[i] and np.isfinite(later):
            high[i] = max(value[i], later)
        later = min(later, high[i])
    return low, high


def _series_windows(grp: pd.DataFrame) -> list[list]:
    start = grp["window_start"].value_counts().sort_index().idxmax()
    grp = grp.sort_values(["as_of", "value"]).drop_duplicates("as_of", keep="last")
    keep, prev_end, prev_val = [], start - pd.Timedelta(days=1), 0.0
    for row in grp.itertuples():
        if row.value < prev_val or row.as_of <= prev_end:
            continue
        keep.append(row.Index)
        prev_end, prev_val = row.as_of, row.value
    grp = grp.loc[keep]
    low, high = _bounds(grp)
    pieces, prev_end, prev = [], start - pd.Timedelta(days=1), (0.0, 0.0, 0.0)
    for i, row in enumerate(grp.itertuples()):
        pieces.append(
            [
                prev_end + pd.Timedelta(days=1),
                row.as_of,
                float(row.value - prev[0]),
                max(0.0, low[i] - prev[1]),
                max(0.0, high[i] - prev[2]),
                row.qualifier,
                row.tally_id,
            ]
        )
        prev_end, prev = row.as_of, (row.value, low[i], high[i])
    return pieces


def tally_increments(
    tallies: pd.DataFrame, official_only: bool = True, merge_days: int = 14, scope: str = "all"
) -> pd.DataFrame:
    """Turn cumulative tallies into counts over disjoint windows, with bounds.

    Rules, in order:

    1. Only tallies with a ``window_start``, the given ``scope`` (``"all"``:
       every country) and (by default) an official speaker are used.
    2. Tallies whose windows start within ``merge_days`` of each other form
       one cumulative series (e.g. counts "since 7 October" and "since 17
       October" when nothing happened in between); the series starts on the
       start date most of its tallies give.
    3. Within a series, a tally lower than an earlier one cannot be cumulative
       and is skipped; the difference between consecutive ``as_of`` dates is
       the count in between.
    4. Windows are kept series by series, the series with most tallies first;
       a window that overlaps a kept one by more than a day is dropped, and a
       one-day overlap at an edge is trimmed.

    Qualifiers: the point count uses the number given (``more_than N`` as
    ``N + 1``). ``count_low`` and ``count_high`` are the increments when every
    tally of the series sits at its lower bound, or at its upper bound (see
    :func:`_bounds`): summed over consecutive windows they telescope to the
    difference of the bounds at the ends, so a period that ends on an exact
    tally has no qualifier range at all.

    Returns
    -------
    DataFrame
        window_start, window_end (both inclusive), days, count, count_low,
        count_high, qualifier, tally_id.

    Examples
    --------
    >>> tally_increments(load_tallies())  # doctest: +SKIP
    """
    columns = [
        "window_start",
        "window_end",
        "days",
        "count",
        "count_low",
        "count_high",
        "qualifier",
        "tally_id",
    ]
    t = tallies[tallies["window_start"].notna()].copy()
    if "scope" in t:
        t = t[t["scope"] == scope]
    if official_only and "official" in t:
        t = t[t["official"].astype(bool)]
    if t.empty:
        return pd.DataFrame(columns=columns)
    t["value"] = t["count"] + t["qualifier"].map(_QUALIFIER_OFFSET).fillna(0)
    t = t.sort_values("window_start")
    group, first = [], None
    for start in t["window_start"]:
        if first is None or (start - first).days > merge_days:
            first = start
        group.append(first)
    t["series"] = group
    series = [_series_windows(grp) for _, grp in t.groupby("series", sort=True)]
    kept: list[list] = []
    one_day = pd.Timedelta(days=1)
    for pieces in sorted(series, key=lambda p: (-len(p), p[0][0])):
        for lo, hi, *rest in pieces:
            ok = True
            for k_lo, k_hi, *_ in kept:
                if lo <= k_hi and k_lo <= hi:
                    if hi == k_lo and lo < hi:
                        hi = hi - one_day
                    elif lo == k_hi and lo < hi:
                        lo = lo + one_day
                    else:
                        ok = False
                        break
            if ok:
                kept.append([lo, hi, *rest])
    out = pd.DataFrame(kept, columns=[c for c in columns if c != "days"])
    out = out.sort_values("window_start", ignore_index=True)
    out["days"] = (out["window_end"] - out["window_start"]).dt.days + 1
    return out[columns]


def _day_weights(windows: pd.DataFrame, daily: pd.Series | None) -> list[pd.Series]:
    """For each window, the share of its count on each day: constant, or shaped by the incident list."""
    out = []
    for w in windows.itertuples():
        days = pd.date_range(w.window_start, w.window_end, freq="D")
        shape = None if daily is None else daily.reindex(days, fill_value=0).astype(float)
        if shape is None or shape.sum() == 0:
            shape = pd.Series(1.0, index=days)
        out.append(shape / shape.sum())
    return out


def rates_from_tallies(
    tallies: pd.DataFrame,
    periods: Iterable[Period] | Mapping | None = None,
    reference: str | None = None,
    alpha: float = 0.05,
    official_only: bool = True,
    allocation: Literal["constant", "shape"] = "constant",
    incidents: pd.DataFrame | None = None,
    scope: Scope | str | None = None,
    tally_scope: str = "all",
) -> PeriodComparison:
    """Attack rates per period estimated from the official tallies.

    The cumulative counts become disjoint windows (:func:`tally_increments`).
    A window that straddles a period boundary is shared between the periods:

    * ``allocation="constant"``: in proportion to the days each period holds
      (a constant rate within the window);
    * ``allocation="shape"``: in proportion to the attacks the incident list
      (in ``scope``) records on those days, so a window whose early months
      were busier gives them more; a window with no listed attacks falls back
      to days.

    A period's exposure is the number of its days that some tally window
    covers; a period no tally covers gets no estimate (empty cells), never a
    zero. Rate and ratio intervals are exact Poisson (Garwood, conditional
    binomial) computed at the bounds the qualifiers allow: the low end from
    ``count_low`` (and the reference's ``count_high`` for a ratio), the high end
    from ``count_high``. ``events_low``/``events_high`` give that range.

    Parameters
    ----------
    tallies : DataFrame
        From :func:`analysis.load_tallies`.
    periods, reference, alpha
        As in :func:`compare_periods`.
    official_only : bool
        Use only tallies given by a US government speaker (default).
    allocation : {"constant", "shape"}
        How a window's count is shared between periods.
    incidents : DataFrame, optional
        The incident list, needed for ``allocation="shape"``.
    scope : Scope or str, optional
        Which incidents shape the allocation; default ``"pentagon"``, the tallies' own scope.
    tally_scope : str
        Which tallies are used (``"all"``: counts for every country).

    Examples
    --------
    >>> rates_from_tallies(load_tallies(), reference="calm")  # doctest: +SKIP
    """
    if allocation not in ("constant", "shape"):
        raise ArgumentError("allocation", allocation, ["constant", "shape"])
    if allocation == "shape" and incidents is None:
        raise ArgumentError("incidents", None, "the incident list when allocation='shape'")
    periods = check_periods(resolve_periods(periods), allow_overlap=False)
    reference = _reference(periods, reference)
    windows = tally_increments(tallies, official_only=official_only, scope=tally_scope)
    daily = None
    if allocation == "shape":
        daily = daily_counts(get_scope(scope).select(incidents), confirmation=None)["events"]
    weights = _day_weights(windows, daily)
    totals = []
    for p in periods:
        p_start, p_end = pd.Timestamp(p.start), pd.Timestamp(p.end)
        acc = np.zeros(3)
        covered = 0
        for w, share in zip(windows.itertuples(), weights):
            part = share[p_start:p_end].sum()
            covered += int(((share.index >= p_start) & (share.index <= p_end)).sum())
            acc += part * np.array([w.count, w.count_low, w.count_high])
        totals.append((p, acc, covered))
    ref = next(r for r in totals if r[0].name == reference)
    out = [_tally_row(p, acc, covered, ref, reference, alpha) for p, acc, covered in totals]
    table = pd.DataFrame(out)
    table["p_holm"] = np.nan
    table["comparison"] = [_role(p.name, reference, None) for p in periods]
    table["from_record"] = [p.from_record for p in periods]
    table["label"] = [p.label for p in periods]
    table["allocation"] = allocation
    return PeriodComparison(
        table=table[[*TABLE_COLUMNS, "events_low", "events_high", "allocation"]],
        reference=reference,
        source="tallies",
        alpha=alpha,
        periods=tuple(periods),
        windows=windows,
        scope=get_scope(scope),
    )


def _tally_row(p: Period, acc: np.ndarray, covered: int, ref, reference: str, alpha: float) -> dict:
    row = {
        "period": p.name,
        "start": pd.Timestamp(p.start),
        "end": pd.Timestamp(p.end),
        "days": covered,
        "attack_days": np.nan,  # tallies count attacks per window, not per day
    }
    events, low, high = acc[0], acc.min(), acc.max()
    nan = dict(rate_ratio=np.nan, rr_ci_low=np.nan, rr_ci_high=np.nan, p_value=np.nan)
    if covered == 0:
        row.update(
            events=np.nan,
            events_low=np.nan,
            events_high=np.nan,
            rate_per_30d=np.nan,
            rate_ci_low=np.nan,
            rate_ci_high=np.nan,
            method="no tally covers this period",
            **nan,
        )
        return row
    row.update(
        events=events,
        events_low=low,
        events_high=high,
        rate_per_30d=RATE_DAYS * events / covered,
        rate_ci_low=RATE_DAYS * garwood_interval(low, covered, alpha).ci_low,
        rate_ci_high=RATE_DAYS * garwood_interval(high, covered, alpha).ci_high,
    )
    _, r_acc, r_days = ref
    r_events, r_low, r_high = r_acc[0], r_acc.min(), r_acc.max()
    if p.name == reference:
        row.update(rate_ratio=1.0, rr_ci_low=1.0, rr_ci_high=1.0, p_value=np.nan, method="reference")
    elif r_days == 0 or round(r_events) == 0:
        row.update(method="undefined: no tally estimate for the reference", **nan)
    else:
        rr, _, _, pv = rate_ratio_exact(events, covered, r_events, r_days, alpha)
        lo = rate_ratio_exact(low, covered, max(r_high, 1), r_days, alpha).ci_low
        hi = rate_ratio_exact(high, covered, max(r_low, 1), r_days, alpha).ci_high
        row.update(rate_ratio=rr, rr_ci_low=lo, rr_ci_high=hi, p_value=pv, method="exact (tallies)")
    return row

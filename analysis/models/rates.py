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
>>> from analysis import compare_periods, load_incidents, load_study
>>> compare_periods(load_incidents(), study=load_study())
<PeriodComparison: 11 periods, 286 events, reference=calm, scope=pentagon>
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.config import data_coverage
from analysis.counts import daily_counts
from analysis.errors import ArgumentError, DataQualityWarning, StatisticalWarning
from analysis.models.intervals import (
    METHODS,
    SMALL_COUNT,
    Method,
    attack_days,
    rate_interval,
    rate_ratio_interval,
)
from analysis.periods import Period, check_periods, covered_periods
from analysis.results import Result
from analysis.scope import Scope, get_scope

if TYPE_CHECKING:
    from analysis.study import Study

__all__ = [
    "SMALL_COUNT",
    "PeriodComparison",
    "compare_periods",
    "dispersion_test",
    "resolve_periods",
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
SCOPE_FILTERS = ("confirmation", "countries", "weapons", "target_types", "actor_classes")
#: compare_periods' own arguments, listed when a misspelt one arrives among the scope filters.
COMPARE_ARGUMENTS = (
    "periods",
    "reference",
    "by",
    "method",
    "alpha",
    "scope",
    "data_range",
    "primary",
    "precision",
    "study",
)
_UNSET = object()


@dataclass(frozen=True, eq=False, repr=False)
class PeriodComparison(Result):
    """Rates per period and rate ratios against a reference period.

    Attributes
    ----------
    table : DataFrame
        The package's table vocabulary, numbers first: estimate, ci_low,
        ci_high, p_value, then n (events), exposure (days), quantity
        (``rate_per_30d`` or ``rate_ratio``), period, the split column with
        ``by=``, p_holm, method and comparison; one row per period and quantity.
    wide : DataFrame
        The same numbers one row per period (per group with ``by=``), the
        columns of :data:`TABLE_COLUMNS`: the view the report's tables show.
    reference : str
        Name of the reference period.
    source : str
        ``"incidents"`` or ``"tallies"``.
    windows : DataFrame
        For tallies: the disjoint count windows the rates were built from.
    """

    table: pd.DataFrame
    wide: pd.DataFrame
    reference: str
    source: str = "incidents"
    alpha: float = 0.05
    periods: tuple[Period, ...] = ()
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)
    scope: Scope | None = None
    assumptions: str = ASSUMPTIONS

    def _repr_fields(self) -> str:
        n_periods = self.wide["period"].nunique()
        events = self.wide["events"].sum()
        events_txt = f"{events:.0f}" if float(events).is_integer() else f"{events:.1f}"
        scope = f", scope={self.scope.name}" if self.scope is not None else ""
        return f"{n_periods} periods, {events_txt} events, reference={self.reference}{scope}"

    def _extra_blocks(self) -> list:
        if self.source != "incidents":
            return []
        return [coverage_note(self.wide["method"])]

    @classmethod
    def build(cls, wide: pd.DataFrame, **fields) -> PeriodComparison:
        """A comparison from its wide view; ``.table`` is derived from it."""
        return cls(table=_tidy(wide), wide=wide, **fields)

    def plot(self, ax=None, column: str = "rate_per_30d"):
        """Rates per period with their intervals (or rate ratios with ``column="rate_ratio"``).

        Examples
        --------
        >>> comparison = compare_periods(incidents, study=study)
        >>> ax = comparison.plot(column="rate_ratio")
        >>> ax.get_xlabel()
        'rate ratio against the Post-withdrawal calm (95% CI, log scale; open circle = no attacks)'
        """
        from analysis.plots import plot_period_rates

        return plot_period_rates(self, ax=ax, column=column)


def _tidy(t: pd.DataFrame) -> pd.DataFrame:
    """The wide view in the table vocabulary: one row per period and quantity, numbers first."""
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
        "p_value",
        "n",
        "exposure",
        "quantity",
        "period",
        *keys,
        "p_holm",
        "method",
        "comparison",
    ]
    return pd.concat(parts, ignore_index=True)[order]


def resolve_periods(periods, study=None) -> list[Period]:
    """Accept Periods or a mapping name -> (start, end); ``None`` takes the study's periods.

    No model reads ``periods.toml`` on its own: without periods, pass ``study=``
    (:func:`analysis.load_study`).
    """
    if periods is None:
        if study is None:
            raise ArgumentError(
                "periods", None, "a list of Period, a mapping name -> (start, end), or study=load_study()"
            )
        return list(study.periods)
    if isinstance(periods, Mapping):
        out = []
        for name, (start, end) in periods.items():
            out.append(Period(str(name), str(name), pd.Timestamp(start).date(), pd.Timestamp(end).date()))
        return out
    periods = list(periods)
    if not all(isinstance(p, Period) for p in periods):
        raise ArgumentError("periods", periods, "Period objects or a mapping name -> (start, end)")
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


def compare_periods(
    incidents: pd.DataFrame,
    periods: Iterable[Period] | Mapping | None = None,
    reference: str | None = None,
    by: str | None = None,
    method: Method = "nights",
    alpha: float | None = None,
    scope: Scope | str | None = None,
    data_range: tuple | None = None,
    primary=_UNSET,
    precision: str = "first_day",
    study: Study | None = None,
    **filters,
) -> PeriodComparison:
    """Attack rate per period, with intervals and rate ratios against a reference.

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (needs ``event_date``).
    periods : list of Period, mapping name -> (start, end), or None
        Disjoint periods (overlaps raise). ``None`` takes the study's periods.
    reference : str, optional
        Period the others are compared with; default the study's reference,
        else the first period.
    by : str, optional
        Column to split by (``"country"``, ``"weapon"``): one row per period and group.
    method : {"nights", "hac", "exact", "poisson", "quasipoisson", "negbin", "bootstrap"}
        Interval method (:mod:`analysis.models.intervals`); default ``nights``, the
        one that held its coverage with clustered nights and persistent rates. For the
        others, below 10 events the exact method is used and ``method`` says so.
    alpha : float, optional
        1 - confidence level of every interval; default the study's, else 0.05.
    scope : Scope or str, optional
        What is counted (:mod:`analysis.scope`); default the study's scope,
        else :data:`analysis.scope.DEFAULT_SCOPE` (``"pentagon"``).
    data_range : (start, end), optional
        The dates the list covers; default the dataset's coverage
        (:func:`analysis.config.data_coverage`), which a subset keeps. A period
        wholly outside it raises; one partly outside is cut to it, with a
        :class:`DataQualityWarning`.
    primary : str or None, optional
        The period whose comparison was posed in advance (marked
        ``pre-specified``, not adjusted for multiplicity); default the
        study's headline period when present, else none.
    precision : {"first_day", "spread", "exclude"}
        Rows dated only to a week or month: on the first day (default; their
        period is the one holding that day), spread over their days, or left
        out (see :func:`analysis.counts.daily_counts`).
    study : Study, optional
        The study (:func:`analysis.load_study`) whose periods, reference,
        headline period, scope and alpha fill the arguments not given.
    **filters
        Scope changes: ``confirmation=``, ``countries=``, ``weapons=``,
        ``target_types=``, ``actor_classes=`` (a string or a list; ``None`` for any).

    Returns
    -------
    PeriodComparison

    Examples
    --------
    >>> res = compare_periods(incidents, study=study, countries="Syria")
    >>> res.table.loc[res.table["period"] == "surge", ["estimate", "ci_low", "ci_high", "n", "quantity"]].round(1)
        estimate  ci_low  ci_high   n      quantity
    4       17.8     3.6     87.4  66  rate_per_30d
    15      17.9     5.3     59.9  66    rate_ratio
    """
    if method not in METHODS:
        raise ArgumentError("method", method, METHODS)
    alpha = _alpha(alpha, study)
    scope = _scope(scope, study, filters)
    if study is not None:
        periods = study.periods if periods is None else periods
        reference = study.reference if reference is None else reference
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
    primary = _primary(periods, reference, primary, study)
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
    counts = daily_counts(rows, by=by, start=start, end=end, scope=scope, precision=precision)
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
    return PeriodComparison.build(
        table[columns],
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


def _primary(periods, reference, primary, study) -> str | None:
    names = [p.name for p in periods]
    if primary is _UNSET:
        head = study.headline_period if study is not None else None
        return head if head in names and head != reference else None
    if primary is not None and primary not in names:
        raise ArgumentError("primary", primary, names)
    return primary


def _alpha(alpha, study) -> float:
    """The argument, else the study's, else 0.05; a number strictly between 0 and 1."""
    alpha = (study.alpha if study is not None else 0.05) if alpha is None else alpha
    if not isinstance(alpha, float | int) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise ArgumentError("alpha", alpha, "a number between 0 and 1")
    return float(alpha)


def _scope(scope, study, filters) -> Scope:
    """The scope asked for (else the study's, else the default) with its filter changes."""
    for name in filters:
        if name not in SCOPE_FILTERS:
            raise ArgumentError("argument", name, [*COMPARE_ARGUMENTS, *SCOPE_FILTERS])
    if scope is None and study is not None:
        scope = study.scope
    return get_scope(scope, **filters)

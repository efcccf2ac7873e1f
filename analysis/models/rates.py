"""Attack rates by named period, and how much they changed.

Model
-----
Within each period attacks are assumed to arrive as a Poisson process with a
constant rate (events per day). The rate per 30 days is ``30 n / d`` with an
exact Garwood interval. The rate ratio of a period against the reference uses

* the exact conditional test (``n`` given ``n + n_ref`` is binomial) when
  either count is below :data:`SMALL_COUNT`: valid for any count, zero included;
* otherwise a GLM on the daily counts of the two periods with a period
  indicator: Poisson, or negative binomial (NB2, dispersion estimated by
  maximum likelihood) when the Cameron-Trivedi test on the daily counts
  rejects equidispersion within periods (``model="auto"``).

The ``method`` column says which gave each number.

Examples
--------
>>> from analysis import load_incidents, load_periods, compare_periods  # doctest: +SKIP
>>> compare_periods(load_incidents(), load_periods(), reference="calm")  # doctest: +SKIP
<PeriodComparison: 6 periods, 412 events, reference=calm>
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.counts import DEFAULT_CONFIRMATION, daily_counts, select_incidents
from analysis.models.exact import garwood_interval, rate_ratio_exact
from analysis.periods import Period, PeriodError, check_periods
from analysis.results import Result

__all__ = [
    "SMALL_COUNT",
    "PeriodComparison",
    "compare_periods",
    "dispersion_test",
    "rates_from_tallies",
    "resolve_periods",
    "tally_increments",
]

#: Below this many events in either period the exact conditional method is used.
SMALL_COUNT = 10
RATE_DAYS = 30

TABLE_COLUMNS = [
    "period",
    "start",
    "end",
    "days",
    "events",
    "rate_per_30d",
    "rate_ci_low",
    "rate_ci_high",
    "rate_ratio",
    "rr_ci_low",
    "rr_ci_high",
    "p_value",
    "method",
]

ASSUMPTIONS = (
    "Within each period attacks arrive independently at a constant rate (Poisson); rate intervals are "
    "exact (Garwood). Rate ratios use the exact conditional binomial method when a count is small, else a "
    "Poisson or, when daily counts are overdispersed, a negative-binomial GLM. Dates are local; rows dated "
    "only to a week or month count on their first day."
)

Model = Literal["auto", "poisson", "negbin", "exact"]


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
    assumptions: str = ASSUMPTIONS

    def _repr_fields(self) -> str:
        n_periods = self.table["period"].nunique()
        events = self.table["events"].sum()
        events_txt = f"{events:.0f}" if float(events).is_integer() else f"{events:.1f}"
        return f"{n_periods} periods, {events_txt} events, reference={self.reference}"

    @property
    def result(self):
        """The first statsmodels result (for power users); see ``models`` for all."""
        return next(iter(self.models.values()), None)

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
        raise ValueError(f"reference period {reference!r} is not one of {names}")
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


def _glm_ratio(y: np.ndarray, x: np.ndarray, family: str, alpha: float):
    """Rate ratio of x=1 against x=0 days from a Poisson or NB2 model."""
    X = sm.add_constant(x.astype(float), has_constant="add")
    if family == "poisson":
        fit = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.NegativeBinomial(y, X, loglike_method="nb2").fit(disp=0, maxiter=200, method="bfgs")
    coef, se = float(fit.params[1]), float(fit.bse[1])
    z = stats.norm.ppf(1 - alpha / 2)
    return np.exp(coef), np.exp(coef - z * se), np.exp(coef + z * se), float(fit.pvalues[1]), fit


def _check_range(periods: Sequence[Period], data_range: tuple[dt.date, dt.date]) -> None:
    lo, hi = data_range
    for p in periods:
        if p.end < lo or p.start > hi:
            raise PeriodError(
                f"period {p.name!r} ({p.start}..{p.end}) is outside the data range {lo}..{hi}; "
                "drop it, or pass data_range=(start, end) if the data truly cover it"
            )
        if p.start < lo or p.end > hi:
            from analysis.data import DataQualityWarning

            warnings.warn(
                f"period {p.name!r} ({p.start}..{p.end}) extends past the data ({lo}..{hi}); "
                "days without data count as days without attacks",
                DataQualityWarning,
                stacklevel=3,
            )


def compare_periods(
    incidents: pd.DataFrame,
    periods: Iterable[Period] | Mapping | None = None,
    reference: str | None = None,
    by: str | None = None,
    model: Model = "auto",
    alpha: float = 0.05,
    confirmation: Sequence[str] | None = DEFAULT_CONFIRMATION,
    data_range: tuple | None = None,
) -> PeriodComparison:
    """Attack rate per period, with exact intervals and rate ratios against a reference.

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (needs ``event_date``).
    periods : list of Period, mapping name -> (start, end), or None
        Disjoint periods (overlaps raise). ``None`` loads ``data/periods.toml``.
    reference : str, optional
        Period the others are compared with; default the first period.
    by : str, optional
        Column to split by (e.g. ``"country"``); one row per period and group.
    model : {"auto", "poisson", "negbin", "exact"}
        How rate ratios are estimated for periods with enough events (see the
        module notes). ``"exact"`` uses the conditional method throughout.
    alpha : float
        1 - confidence level of every interval.
    confirmation : sequence of str or None
        Confirmation levels counted; default official and media, ``None`` all.
    data_range : (start, end), optional
        The dates the incident list covers; default the first day of the
        month of its first event to its last event. A period wholly outside
        it raises an error rather than counting zeros the data cannot vouch
        for; one that extends past it draws a :class:`DataQualityWarning`.

    Returns
    -------
    PeriodComparison

    Examples
    --------
    >>> res = compare_periods(incidents, periods, reference="calm")  # doctest: +SKIP
    >>> res.table[["period", "rate_per_30d", "rate_ratio", "rr_ci_low", "rr_ci_high"]]  # doctest: +SKIP
    """
    if model not in ("auto", "poisson", "negbin", "exact"):
        raise ValueError(f"model must be auto, poisson, negbin or exact, not {model!r}")
    periods = check_periods(resolve_periods(periods), allow_overlap=False)
    if not periods:
        raise ValueError("no periods given")
    reference = _reference(periods, reference)
    rows = select_incidents(incidents, confirmation)
    if data_range is None:
        if rows.empty:
            raise ValueError("no incidents to compare; pass data_range to compare empty data")
        first = rows["event_date"].min()
        data_range = (first.replace(day=1).date(), rows["event_date"].max().date())
    data_range = (pd.Timestamp(data_range[0]).date(), pd.Timestamp(data_range[1]).date())
    _check_range(periods, data_range)
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    counts = daily_counts(rows, by=by, start=start, end=end, confirmation=None)
    if by is None:
        groups = {None: counts["events"]}
    else:
        groups = {g: counts[g] for g in counts.columns}

    out, models, disp_rows = [], {}, []
    for group, series in groups.items():
        labels = _period_labels(series.index, periods)
        inside = labels.notna()
        y_all = series[inside].to_numpy()
        lab = labels[inside].to_numpy()
        # Within-period mean as the null model: overdispersion beyond the period effects.
        mu = pd.Series(y_all).groupby(lab).transform("mean").to_numpy()
        t_stat, p_disp, a_hat = dispersion_test(y_all, mu)
        disp_rows.append({"group": group, "statistic": t_stat, "p_value": p_disp, "alpha_hat": a_hat})
        family = {"poisson": "poisson", "negbin": "negbin"}.get(model)
        if model == "auto":
            family = "negbin" if p_disp < alpha else "poisson"

        ref_p = next(p for p in periods if p.name == reference)
        ref_n = int(series[labels == ref_p.name].sum())
        for p in periods:
            n = int(series[labels == p.name].sum())
            lo, hi = garwood_interval(n, p.days, alpha)
            row = {
                "period": p.name,
                "start": pd.Timestamp(p.start),
                "end": pd.Timestamp(p.end),
                "days": p.days,
                "events": n,
                "rate_per_30d": RATE_DAYS * n / p.days,
                "rate_ci_low": RATE_DAYS * lo,
                "rate_ci_high": RATE_DAYS * hi,
            }
            if p.name == reference:
                row.update(rate_ratio=1.0, rr_ci_low=1.0, rr_ci_high=1.0, p_value=np.nan, method="reference")
            elif ref_n == 0:
                row.update(
                    rate_ratio=np.nan, rr_ci_low=np.nan, rr_ci_high=np.nan, p_value=np.nan,
                    method="undefined: reference has 0 events",
                )
            elif model == "exact" or min(n, ref_n) < SMALL_COUNT:
                rr, rlo, rhi, pv = rate_ratio_exact(n, p.days, ref_n, ref_p.days, alpha)
                row.update(rate_ratio=rr, rr_ci_low=rlo, rr_ci_high=rhi, p_value=pv, method="exact_conditional")
            else:
                pair = labels.isin([p.name, reference])
                y = series[pair].to_numpy()
                x = (labels[pair] == p.name).to_numpy().astype(float)
                rr, rlo, rhi, pv, fit = _glm_ratio(y, x, family, alpha)
                models[(group, p.name)] = fit
                row.update(
                    rate_ratio=rr, rr_ci_low=rlo, rr_ci_high=rhi, p_value=pv,
                    method="negbin_glm" if family == "negbin" else "poisson_glm",
                )
            if by is not None:
                row[by] = group
            out.append(row)
    columns = TABLE_COLUMNS if by is None else [by, *TABLE_COLUMNS]
    table = pd.DataFrame(out)[columns]
    dispersion = pd.DataFrame(disp_rows)
    return PeriodComparison(
        table=table,
        reference=reference,
        source="incidents",
        alpha=alpha,
        models=models,
        dispersion=dispersion,
        periods=tuple(periods),
    )


def _period_labels(index: pd.DatetimeIndex, periods: Sequence[Period]) -> pd.Series:
    labels = pd.Series(pd.NA, index=index, dtype="object")
    for p in periods:
        labels[(index >= pd.Timestamp(p.start)) & (index <= pd.Timestamp(p.end))] = p.name
    return labels


# ------------------------------------------------------------------ tallies

_QUALIFIER_OFFSET = {"exact": 0, "about": 0, "at_least": 0, "more_than": 1}


def tally_increments(
    tallies: pd.DataFrame, official_only: bool = True, merge_days: int = 14
) -> pd.DataFrame:
    """Turn cumulative tallies into counts over disjoint windows.

    Rules, in order:

    1. Only tallies with a ``window_start``, ``scope == "all"`` and (by
       default) an official speaker are used.
    2. Tallies whose windows start within ``merge_days`` of each other form
       one cumulative series (e.g. counts "since 7 October" and "since 17
       October" when nothing happened in between); the series starts on the
       start date most of its tallies give.
    3. Within a series, a tally lower than an earlier one cannot be cumulative
       and is skipped; the difference between consecutive ``as_of`` dates is
       the count in between.
    4. Windows are kept series by series, the series with most tallies first;
       a window that overlaps a kept one by more than a day is dropped, and a
       one-day overlap at an edge (an ``as_of`` day that is also the next
       series' first day) is trimmed.

    Qualifiers: ``exact``, ``about`` and ``at_least`` use the number given;
    ``more_than N`` uses ``N + 1``. ``at_least``/``more_than`` make the
    result a lower bound.

    Returns
    -------
    DataFrame
        window_start, window_end (both inclusive), days, count, tally_id.

    Examples
    --------
    >>> tally_increments(load_tallies())  # doctest: +SKIP
    """
    columns = ["window_start", "window_end", "days", "count", "tally_id"]
    t = tallies[tallies["window_start"].notna()].copy()
    if "scope" in t:
        t = t[t["scope"] == "all"]
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

    series = []
    for _, grp in t.groupby("series", sort=True):
        start = grp["window_start"].value_counts().sort_index().idxmax()
        grp = grp.sort_values(["as_of", "value"]).drop_duplicates("as_of", keep="last")
        pieces, prev_end, prev_val = [], start - pd.Timedelta(days=1), 0.0
        for row in grp.itertuples():
            if row.value < prev_val or row.as_of <= prev_end:
                continue
            pieces.append([prev_end + pd.Timedelta(days=1), row.as_of, float(row.value - prev_val), row.tally_id])
            prev_end, prev_val = row.as_of, row.value
        series.append(pieces)

    kept: list[list] = []
    one_day = pd.Timedelta(days=1)
    for pieces in sorted(series, key=lambda p: (-len(p), p[0][0])):
        for lo, hi, count, tally_id in pieces:
            ok = True
            for k_lo, k_hi, _, _ in kept:
                if lo <= k_hi and k_lo <= hi:
                    if hi == k_lo and lo < hi:
                        hi = hi - one_day
                    elif lo == k_hi and lo < hi:
                        lo = lo + one_day
                    else:
                        ok = False
                        break
            if ok:
                kept.append([lo, hi, count, tally_id])
    out = pd.DataFrame(kept, columns=["window_start", "window_end", "count", "tally_id"])
    out = out.sort_values("window_start", ignore_index=True)
    out["days"] = (out["window_end"] - out["window_start"]).dt.days + 1
    return out[columns]


def rates_from_tallies(
    tallies: pd.DataFrame,
    periods: Iterable[Period] | Mapping | None = None,
    reference: str | None = None,
    alpha: float = 0.05,
    official_only: bool = True,
) -> PeriodComparison:
    """Attack rates per period estimated from the official tallies.

    The cumulative counts become disjoint windows (:func:`tally_increments`).
    A window that straddles a period boundary contributes to each period in
    proportion to the days it shares with it (a constant rate within the
    window is assumed). A period's exposure is the number of its days that
    some tally window covers; a period no tally covers gets no estimate
    (empty cells, ``method`` says so), never a zero.

    Qualifiers: ``at_least`` and ``about`` counts are used as given and
    ``more_than N`` as ``N + 1``, so rates from ``at_least``/``more_than``
    tallies are lower bounds. Apportioned counts can be fractional; the
    Garwood interval interpolates and the exact conditional rate ratio uses
    them rounded to whole attacks.

    Parameters
    ----------
    tallies : DataFrame
        From :func:`analysis.load_tallies`.
    periods, reference, alpha
        As in :func:`compare_periods`.
    official_only : bool
        Use only tallies given by a US government speaker (default).

    Examples
    --------
    >>> rates_from_tallies(load_tallies(), reference="calm")  # doctest: +SKIP
    """
    periods = check_periods(resolve_periods(periods), allow_overlap=False)
    reference = _reference(periods, reference)
    windows = tally_increments(tallies, official_only=official_only)
    rows = []
    for p in periods:
        p_start, p_end = pd.Timestamp(p.start), pd.Timestamp(p.end)
        events, covered = 0.0, 0
        ids = []
        for w in windows.itertuples():
            lo, hi = max(p_start, w.window_start), min(p_end, w.window_end)
            overlap = (hi - lo).days + 1
            if overlap > 0:
                events += w.count * overlap / w.days
                covered += overlap
                ids.append(w.tally_id)
        rows.append((p, events, covered, ids))
    ref = next(r for r in rows if r[0].name == reference)
    out = []
    for p, events, covered, _ids in rows:
        row = {"period": p.name, "start": pd.Timestamp(p.start), "end": pd.Timestamp(p.end), "days": covered}
        if covered == 0:
            row.update(events=np.nan, rate_per_30d=np.nan, rate_ci_low=np.nan, rate_ci_high=np.nan,
                       rate_ratio=np.nan, rr_ci_low=np.nan, rr_ci_high=np.nan, p_value=np.nan,
                       method="no tally covers this period")
            out.append(row)
            continue
        lo, hi = garwood_interval(events, covered, alpha)
        row.update(events=events, rate_per_30d=RATE_DAYS * events / covered,
                   rate_ci_low=RATE_DAYS * lo, rate_ci_high=RATE_DAYS * hi)
        if p.name == reference:
            row.update(rate_ratio=1.0, rr_ci_low=1.0, rr_ci_high=1.0, p_value=np.nan, method="reference")
        elif ref[2] == 0 or round(ref[1]) == 0:
            row.update(rate_ratio=np.nan, rr_ci_low=np.nan, rr_ci_high=np.nan, p_value=np.nan,
                       method="undefined: no tally estimate for the reference")
        else:
            rr, rlo, rhi, pv = rate_ratio_exact(events, covered, ref[1], ref[2], alpha)
            row.update(rate_ratio=rr, rr_ci_low=rlo, rr_ci_high=rhi, p_value=pv,
                       method="exact_conditional (tallies)")
        out.append(row)
    return PeriodComparison(
        table=pd.DataFrame(out)[TABLE_COLUMNS],
        reference=reference,
        source="tallies",
        alpha=alpha,
        periods=tuple(periods),
        windows=windows,
    )

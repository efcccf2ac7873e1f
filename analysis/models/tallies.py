"""Attack rates from the official tallies: cumulative counts turned into rates per period.

Officials gave running totals ("about 170 attacks since 17 October"); each
series of totals becomes disjoint count windows (:func:`tally_increments`),
and the windows are spread over the days they cover to give each period's
count and rate with an interval (:func:`rates_from_tallies`), in the same
table as :func:`analysis.models.rates.compare_periods`.

Examples
--------
>>> from analysis.data import load_tallies
>>> windows = tally_increments(load_tallies())
>>> bool((windows["count"] >= 0).all())
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from analysis.counts import daily_counts
from analysis.errors import ArgumentError
from analysis.models.exact import garwood_interval, rate_ratio_exact
from analysis.models.rates import (
    RATE_DAYS,
    TABLE_COLUMNS,
    PeriodComparison,
    _alpha,
    _reference,
    _role,
    resolve_periods,
)
from analysis.periods import Period, check_periods
from analysis.scope import Scope, get_scope

if TYPE_CHECKING:
    from analysis.study import Study

__all__ = ["ABOUT_SHARE", "rates_from_tallies", "tally_increments"]


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
    >>> from analysis import load_tallies
    >>> windows = tally_increments(load_tallies())
    >>> first = windows.iloc[0]
    >>> f"{first.window_start:%Y-%m-%d}", f"{first.window_end:%Y-%m-%d}", int(first["count"]), first.tally_id
    ('2021-01-20', '2023-03-28', 83, 'secdef-testimony-2023-03-28')
    >>> bool((windows["window_start"].iloc[1:].to_numpy() > windows["window_end"].iloc[:-1].to_numpy()).all())
    True
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
    alpha: float | None = None,
    official_only: bool = True,
    allocation: Literal["constant", "shape"] = "constant",
    incidents: pd.DataFrame | None = None,
    scope: Scope | str | None = None,
    tally_scope: str | None = None,
    study: Study | None = None,
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
    periods, reference, alpha, study
        As in :func:`~analysis.models.rates.compare_periods`.
    official_only : bool
        Use only tallies given by a US government speaker (default).
    allocation : {"constant", "shape"}
        How a window's count is shared between periods.
    incidents : DataFrame, optional
        The incident list, needed for ``allocation="shape"``.
    scope : Scope or str, optional
        Which incidents shape the allocation; default the study's scope, else
        ``"pentagon"``, the tallies' own scope.
    tally_scope : str, optional
        Which tallies are used; default the study's, else ``"all"`` (counts for every country).

    Examples
    --------
    >>> from analysis.data import load_tallies
    >>> res = rates_from_tallies(load_tallies(), study=study)
    >>> bool(res.wide.set_index("period").loc["surge", "events"] > 150)
    True
    """
    if allocation not in ("constant", "shape"):
        raise ArgumentError("allocation", allocation, ["constant", "shape"])
    if allocation == "shape" and incidents is None:
        raise ArgumentError("incidents", None, "the incident list when allocation='shape'")
    if study is not None:
        reference = study.reference if reference is None else reference
        scope = study.scope if scope is None else scope
        tally_scope = study.tally_scope if tally_scope is None else tally_scope
    alpha = _alpha(alpha, study)
    tally_scope = "all" if tally_scope is None else tally_scope
    periods = check_periods(resolve_periods(periods, study), allow_overlap=False)
    reference = _reference(periods, reference)
    windows = tally_increments(tallies, official_only=official_only, scope=tally_scope)
    daily = None
    if allocation == "shape":
        daily = daily_counts(incidents, scope=scope)["events"]
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
    return PeriodComparison.build(
        table[[*TABLE_COLUMNS, "events_low", "events_high", "allocation"]],
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

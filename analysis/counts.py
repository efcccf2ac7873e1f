"""Zero-filled event counts on a regular calendar.

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-01-03"]),
...                     "confirmation": ["official", "media"], "target_type": ["base", "base"]})
>>> daily_counts(inc)["events"].tolist()
[1, 0, 1]

Every model and plot counts through :func:`daily_counts`, in one scope
(:data:`analysis.scope.DEFAULT_SCOPE` unless told otherwise).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.scope import Scope, get_scope

__all__ = [
    "attacks_by_site",
    "coarse_dated",
    "daily_counts",
    "select_incidents",
    "warn_coarse_dated",
]

_FREQ_ALIASES = {"D": "D", "W": "W-SUN", "M": "MS", "MS": "MS", "Y": "YS", "YS": "YS", "Q": "QS", "QS": "QS"}


#: A bin width in words.
FREQ_WORDS = {
    "D": "day",
    "W": "week",
    "M": "month",
    "MS": "month",
    "Q": "quarter",
    "QS": "quarter",
    "Y": "year",
    "YS": "year",
}


def per_bin(freq: str | None, what: str = "attacks") -> str:
    """``what`` per bin of ``freq`` in words, for axis labels.

    Examples
    --------
    >>> per_bin("W"), per_bin("W-SUN"), per_bin("MS"), per_bin(None, "events")
    ('attacks per week', 'attacks per week', 'attacks per month', 'events per day')
    """
    freq = getattr(freq, "freqstr", freq)  # a pandas offset as its code
    key = "D" if freq is None else ("W" if str(freq).startswith("W") else str(freq))
    return f"{what} per {FREQ_WORDS[key]}" if key in FREQ_WORDS else f"{what} per bin ({freq})"


def select_incidents(incidents: pd.DataFrame, scope: Scope | str | None = None) -> pd.DataFrame:
    """Keep the rows an analysis counts: those of ``scope`` (default :data:`analysis.scope.DEFAULT_SCOPE`).

    The same rule as every model and plot applies (see :mod:`analysis.scope`).

    Parameters
    ----------
    incidents : DataFrame
        As returned by :func:`analysis.load_incidents`.
    scope : Scope or str, optional
        A counting scope or the name of a preset; ``None`` is the default scope.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
    ...                     "confirmation": ["official", "claim"], "target_type": ["base", "base"]})
    >>> len(select_incidents(inc)), len(select_incidents(inc, scope="with_claims"))
    (1, 2)
    """
    return get_scope(scope).select(incidents)


def _spread(rows: pd.DataFrame, precision: str) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Dates, weights and row positions: week- or month-dated rows spread over their days, or left out."""
    dates = pd.to_datetime(rows["event_date"]).dt.normalize().reset_index(drop=True)
    n = len(rows)
    if "time_precision" not in rows or precision == "first_day":
        return dates, np.ones(n), np.arange(n)
    level = rows["time_precision"].astype("int64").to_numpy()
    if precision == "exclude":
        keep = np.flatnonzero(level == 1)
        return dates.iloc[keep].reset_index(drop=True), np.ones(len(keep)), keep
    days = np.where(level == 2, 7, np.where(level == 3, dates.dt.days_in_month.to_numpy(), 1))
    positions = np.repeat(np.arange(n), days)
    offset = np.arange(len(positions)) - np.repeat(np.cumsum(days) - days, days)
    spread = pd.Series(dates.to_numpy()[positions] + pd.to_timedelta(offset, unit="D"))
    return spread, 1.0 / days[positions], positions


#: Columns a count may be split by.
BY_COLUMNS = (
    "country",
    "admin1",
    "location",
    "target_type",
    "weapon",
    "outcome",
    "actor_class",
    "claimed_by",
    "confirmation",
)


def daily_counts(
    incidents: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    freq: str = "D",
    start=None,
    end=None,
    scope: Scope | str | None = None,
    precision: str = "first_day",
) -> pd.DataFrame:
    """Count incidents per day (or week, month), filling empty bins with 0.

    This is the one counting function: every model and plot counts through it,
    in the same scope, so a count is the same number wherever it appears.

    Parameters
    ----------
    incidents : DataFrame
        Needs an ``event_date`` column (datetime64) and the columns the scope
        filters on (a frame from :func:`analysis.load_incidents` has them).
    by : str or sequence of str, optional
        Columns to split by (``"country"``, ``["country", "weapon"]``): one
        count column per category (a column MultiIndex for several columns).
        Without it the single column is ``events``.
    freq : {"D", "W", "MS", "QS", "YS"}
        Bin width. ``"W"`` bins are weeks ending on Sunday, labelled by the
        Monday they start; ``"M"``, ``"Q"`` and ``"Y"`` are aliases of
        ``"MS"``, ``"QS"`` and ``"YS"`` (labelled by the first day).
    start, end : date-like, optional
        Calendar to cover, both inclusive; default the dataset's coverage
        (``incidents.attrs["coverage"]``, kept by subsets), else the first
        and last event.
    scope : Scope or str, optional
        The counting scope (:mod:`analysis.scope`); ``None`` is the default,
        :data:`analysis.scope.DEFAULT_SCOPE` (``"pentagon"``).
    precision : {"first_day", "spread", "exclude"}
        Rows dated only to a week or month: counted on the first day
        (default, whole counts), spread evenly over the 7 days or the month
        (fractional counts), or left out. Day models use ``"exclude"``.

    Returns
    -------
    DataFrame
        int64 counts (float64 when spread) on a regular DatetimeIndex named ``date``.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-01-09", "2024-01-10"]),
    ...                     "confirmation": "official", "target_type": "base",
    ...                     "country": ["Iraq", "Syria", "Syria"]})
    >>> weekly = daily_counts(inc, by="country", freq="W")
    >>> [str(d.date()) for d in weekly.index], weekly.to_dict("list")
    (['2024-01-01', '2024-01-08'], {'Iraq': [1, 0], 'Syria': [0, 2]})
    """
    if freq not in _FREQ_ALIASES:
        raise ArgumentError("freq", freq, sorted(_FREQ_ALIASES))
    if precision not in ("first_day", "spread", "exclude"):
        raise ArgumentError("precision", precision, ["first_day", "spread", "exclude"])
    rows = select_incidents(incidents, scope)
    by = [by] if isinstance(by, str) else (list(by) if by is not None else [])
    for column in by:
        if column not in rows:
            raise ArgumentError("by", column, [c for c in BY_COLUMNS if c in rows])
    dates, weights, positions = _spread(rows, precision)
    days = _calendar(incidents, dates, start, end)
    inside = ((dates >= days[0]) & (dates <= days[-1])).to_numpy()
    daily = _bin(rows, by, dates[inside].to_numpy(), weights[inside], positions[inside], days)
    whole = precision != "spread" or bool((rows.get("time_precision", pd.Series(1)) == 1).all())
    daily = daily.round().astype("int64") if whole else daily.astype("float64")
    return _resample(daily, freq)


def _calendar(incidents: pd.DataFrame, dates: pd.Series, start, end) -> pd.DatetimeIndex:
    """The days counted: the arguments, else the dataset's coverage, else the first and last event."""
    covered = incidents.attrs.get("coverage")
    if covered is not None:
        start = covered[0] if start is None else start
        end = covered[1] if end is None else end
    start = pd.Timestamp(start) if start is not None else (dates.min() if len(dates) else None)
    end = pd.Timestamp(end) if end is not None else (dates.max() if len(dates) else None)
    if start is None or end is None:
        raise ArgumentError("start, end", None, "dates to count over when no incident is counted")
    if start > end:
        raise ArgumentError("start", str(start.date()), f"a day on or before end ({end.date()})")
    return pd.date_range(start, end, freq="D", name="date")


def _bin(rows, by: list[str], dates, weights, positions, days) -> pd.DataFrame:
    """Weighted counts per day, one column per category of ``by`` (or ``events``)."""
    if not by:
        daily = pd.Series(weights, index=dates).groupby(level=0).sum().reindex(days, fill_value=0)
        return daily.to_frame("events").rename_axis("date")
    keys = [rows[c].astype("object").fillna("unknown").astype(str).to_numpy()[positions] for c in by]
    table = pd.crosstab(dates, keys, values=weights, aggfunc="sum", rownames=["date"], colnames=by)
    daily = table.fillna(0).reindex(days, fill_value=0)
    daily.index.name = "date"
    return daily


def _resample(daily: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Daily counts summed into weeks (Monday-labelled), months, quarters or years."""
    if freq == "D":
        return daily
    rule = _FREQ_ALIASES[freq]
    if rule == "W-SUN":
        out = daily.resample("W-SUN", label="left", closed="right").sum()
        out.index = out.index + pd.Timedelta(days=1)
    else:
        out = daily.resample(rule).sum()
    out.index.name = "date"
    return out.astype(daily.dtypes.iloc[0]) if len(daily.columns) else out


def attacks_by_site(incidents: pd.DataFrame, scope: Scope | str | None = None) -> pd.DataFrame:
    """Counted attacks per site, most attacked first.

    Examples
    --------
    >>> attacks_by_site(incidents)["attacks"].sum() == len(select_incidents(incidents))
    True
    """
    return (
        get_scope(scope)
        .select(incidents)
        .groupby(["location", "country"])
        .size()
        .rename("attacks")
        .reset_index()
        .sort_values(["attacks", "location"], ascending=[False, True], ignore_index=True)
    )


def coarse_dated(rows: pd.DataFrame) -> int:
    """How many rows are dated only to a week or month (``time_precision`` 2 or 3).

    Day models leave them out (their day is unknown) and say how many.

    Examples
    --------
    >>> coarse_dated(pd.DataFrame({"time_precision": [1, 2, 3, 1]}))
    2
    """
    if "time_precision" not in rows:
        return 0
    return int((rows["time_precision"].astype("int64") > 1).sum())


def warn_coarse_dated(rows: pd.DataFrame) -> int:
    """Warn (StatisticalWarning) that a day model leaves out the week- or month-dated rows; return how many."""
    n = coarse_dated(rows)
    if n:
        warnings.warn(
            f"{n} rows dated only to a week or month were left out: their day is unknown",
            StatisticalWarning,
            stacklevel=4,
        )
    return n

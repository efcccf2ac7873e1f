"""Zero-filled event counts on a regular calendar.

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-01-03"]),
...                     "confirmation": ["official", "media"]})
>>> daily_counts(inc)["events"].tolist()
[1, 0, 1]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.scope import Scope, get_scope

__all__ = [
    "DEFAULT_CONFIRMATION",
    "attacks_by_site",
    "coarse_dated",
    "daily_counts",
    "select_incidents",
    "warn_coarse_dated",
]

#: Analyses count official and media-confirmed attacks; claims are a sensitivity.
DEFAULT_CONFIRMATION: tuple[str, ...] = ("official", "media")

_FREQ_ALIASES = {"D": "D", "W": "W-SUN", "M": "MS", "MS": "MS", "Y": "YS", "YS": "YS", "Q": "QS", "QS": "QS"}


def select_incidents(
    incidents: pd.DataFrame,
    confirmation: Sequence[str] | str | None = DEFAULT_CONFIRMATION,
    target_types: Sequence[str] | str | None = None,
    scope: Scope | str | None = None,
) -> pd.DataFrame:
    """Keep the rows an analysis counts.

    With ``scope`` given, the scope decides (see :mod:`analysis.scope`) and
    ``confirmation``/``target_types`` are ignored; without it they filter
    directly (the older interface, kept for scripts).

    Parameters
    ----------
    incidents : DataFrame
        As returned by :func:`analysis.load_incidents`.
    confirmation : sequence of str, str or None
        Confirmation levels to keep; ``None`` keeps all (claims included).
    target_types : sequence of str, str or None
        e.g. ``("base",)`` to match the Pentagon's "strikes on our facilities".
    scope : Scope or str, optional
        A counting scope or the name of a preset.

    Examples
    --------
    >>> select_incidents(load_incidents(), scope="all_attacks")  # doctest: +SKIP
    """
    if scope is not None:
        return get_scope(scope).select(incidents)
    return Scope(confirmation=confirmation, target_types=target_types).select(incidents)


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


def daily_counts(
    incidents: pd.DataFrame,
    by: str | None = None,
    freq: str = "D",
    start=None,
    end=None,
    confirmation: Sequence[str] | str | None = DEFAULT_CONFIRMATION,
    scope: Scope | str | None = None,
    precision: str = "first_day",
) -> pd.DataFrame:
    """Count incidents per day (or week, month), filling empty bins with 0.

    Rows dated only to the week or month (``time_precision`` 2 or 3) count on
    the date recorded, the first day of that week or month.

    Parameters
    ----------
    incidents : DataFrame
        Needs an ``event_date`` column (datetime64).
    by : str, optional
        A column to split by (``"country"``, ``"weapon"``): one count column
        per category. Without it the single column is ``events``.
    freq : {"D", "W", "MS", "YS"}
        Bin width. ``"W"`` bins are weeks ending on Sunday, labelled by the
        Monday they start; ``"M"`` is an alias of ``"MS"`` (labelled by the
        first of the month).
    start, end : date-like, optional
        Calendar to cover, both inclusive; default the dataset's coverage
        (``incidents.attrs["coverage"]``, kept by subsets), else the first
        and last event.
    confirmation : sequence of str or None
        Passed to :func:`select_incidents`; default official and media.
    scope : Scope or str, optional
        A counting scope (:mod:`analysis.scope`); when given it replaces
        ``confirmation``.
    precision : {"first_day", "spread", "exclude"}
        Rows dated only to a week or month: counted on the first day
        (default, whole counts), spread evenly over the 7 days or the month
        (fractional counts), or left out.

    Returns
    -------
    DataFrame
        int64 counts on a regular DatetimeIndex named ``date``.

    Examples
    --------
    >>> daily_counts(load_incidents(), by="country", freq="MS")  # doctest: +SKIP
    """
    if freq not in _FREQ_ALIASES:
        raise ValueError(f"freq must be one of {sorted(_FREQ_ALIASES)}, not {freq!r}")
    if precision not in ("first_day", "spread", "exclude"):
        raise ArgumentError("precision", precision, ["first_day", "spread", "exclude"])
    rows = select_incidents(incidents, confirmation, scope=scope)
    if by is not None and by not in rows:
        raise ArgumentError(
            "by",
            by,
            [
                c
                for c in ("country", "weapon", "target_type", "location", "actor_class", "confirmation")
                if c in rows
            ],
        )
    dates, weights, positions = _spread(rows, precision)
    covered = incidents.attrs.get("coverage")
    if covered is not None:
        start = covered[0] if start is None else start
        end = covered[1] if end is None else end
    start = pd.Timestamp(start) if start is not None else (dates.min() if len(dates) else None)
    end = pd.Timestamp(end) if end is not None else (dates.max() if len(dates) else None)
    if start is None or end is None:
        raise ValueError("no incidents to count and no start/end given")
    if start > end:
        raise ValueError(f"start {start.date()} is after end {end.date()}")
    days = pd.date_range(start, end, freq="D", name="date")
    inside = (dates >= start) & (dates <= end)
    inside = inside.to_numpy()
    w = weights[inside]
    if by is None:
        daily = (
            pd.Series(w, index=dates[inside].to_numpy())
            .groupby(level=0)
            .sum()
            .reindex(days, fill_value=0)
            .to_frame("events")
        )
    else:
        groups = rows[by].astype("object").fillna("unknown").to_numpy()[positions][inside]
        table = pd.crosstab(dates[inside].to_numpy(), groups, values=w, aggfunc="sum").fillna(0)
        daily = table.reindex(days, fill_value=0)
        daily.columns = [str(c) for c in daily.columns]
        daily.columns.name = by
    whole = precision != "spread" or bool((rows.get("time_precision", pd.Series(1)) == 1).all())
    daily = daily.round().astype("int64") if whole else daily.astype("float64")
    daily.index.name = "date"
    if freq == "D":
        return daily
    rule = _FREQ_ALIASES[freq]
    if rule == "W-SUN":
        out = daily.resample("W-SUN", label="left", closed="right").sum()
        out.index = out.index + pd.Timedelta(days=1)
    else:
        out = daily.resample(rule).sum()
    out.index.name = "date"
    return out.astype(daily.dtypes.iloc[0])


def attacks_by_site(incidents: pd.DataFrame, scope: Scope | str | None = None) -> pd.DataFrame:
    """Counted attacks per site, most attacked first.

    Examples
    --------
    >>> attacks_by_site(load_incidents()).head(3)  # doctest: +SKIP
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

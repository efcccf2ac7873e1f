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

from collections.abc import Sequence

import pandas as pd

__all__ = ["DEFAULT_CONFIRMATION", "daily_counts", "select_incidents"]

#: Analyses count official and media-confirmed attacks; claims are a sensitivity.
DEFAULT_CONFIRMATION: tuple[str, ...] = ("official", "media")

_FREQ_ALIASES = {"D": "D", "W": "W-SUN", "M": "MS", "MS": "MS", "Y": "YS", "YS": "YS", "Q": "QS", "QS": "QS"}


def select_incidents(
    incidents: pd.DataFrame,
    confirmation: Sequence[str] | None = DEFAULT_CONFIRMATION,
    target_types: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Keep the rows an analysis counts.

    Parameters
    ----------
    incidents : DataFrame
        As returned by :func:`analysis.load_incidents`.
    confirmation : sequence of str or None
        Confirmation levels to keep; ``None`` keeps all (claims included).
    target_types : sequence of str or None
        e.g. ``("base",)`` to match the Pentagon's "strikes on our facilities".

    Examples
    --------
    >>> select_incidents(load_incidents(), confirmation=None)  # doctest: +SKIP
    """
    keep = pd.Series(True, index=incidents.index)
    if confirmation is not None and "confirmation" in incidents:
        keep &= incidents["confirmation"].isin(list(confirmation))
    if target_types is not None:
        keep &= incidents["target_type"].isin(list(target_types))
    return incidents[keep]


def daily_counts(
    incidents: pd.DataFrame,
    by: str | None = None,
    freq: str = "D",
    start=None,
    end=None,
    confirmation: Sequence[str] | None = DEFAULT_CONFIRMATION,
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
        Calendar to cover; default the first and last event. Both inclusive.
    confirmation : sequence of str or None
        Passed to :func:`select_incidents`; default official and media.

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
    rows = select_incidents(incidents, confirmation)
    dates = pd.to_datetime(rows["event_date"]).dt.normalize()
    start = pd.Timestamp(start) if start is not None else (dates.min() if len(dates) else None)
    end = pd.Timestamp(end) if end is not None else (dates.max() if len(dates) else None)
    if start is None or end is None:
        raise ValueError("no incidents to count and no start/end given")
    if start > end:
        raise ValueError(f"start {start.date()} is after end {end.date()}")
    days = pd.date_range(start, end, freq="D", name="date")
    inside = (dates >= start) & (dates <= end)
    if by is None:
        daily = dates[inside].value_counts().reindex(days, fill_value=0).to_frame("events")
    else:
        if by not in rows:
            raise KeyError(f"no column {by!r} in incidents")
        table = pd.crosstab(dates[inside], rows.loc[inside, by])
        daily = table.reindex(days, fill_value=0)
        daily.columns = [str(c) for c in daily.columns]
        daily.columns.name = by
    daily = daily.astype("int64")
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
    return out.astype("int64")

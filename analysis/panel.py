"""Panel counts at any scale: events per place, actor or any columns, per day, week or month, on DuckDB.

:func:`count_panel` runs one SQL query in an embedded DuckDB (no server) over a CSV or Parquet file of
any size, a DuckDB table or a DataFrame, and returns a long, zero-filled table: one row per group and
bin of the calendar, with the events counted and the days of exposure. It applies the same counting
scope as :func:`analysis.counts.daily_counts` (``scope=None`` is the default scope) and the same
date rule (rows dated only to a week or month count on their first day, or are left out with
``precision="exclude"``), so on the shipped data the two give the same numbers (tested).

It counts; it does not validate. Validate a file first (``python -m analysis validate FILE`` or
:func:`analysis.load_incidents`): the panel of a file with bad rows counts them as they are.

Examples
--------
>>> from analysis.data import data_dir
>>> panel = count_panel(data_dir() / "incidents.csv", by=["country"], freq="YS")
>>> list(panel.columns)
['country', 'date', 'events', 'exposure_days']
>>> int(panel["events"].sum()) == len(select_incidents(incidents))
True
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.counts import select_incidents  # noqa: F401  (named in the examples)
from analysis.errors import ArgumentError
from analysis.scope import _FILTERS, Scope, get_scope

__all__ = ["FREQS", "count_panel"]

#: Bin widths: the code, DuckDB's truncation unit, and the length of one bin for the calendar.
FREQS = {"D": "day", "W": "week", "MS": "month", "QS": "quarter", "YS": "year"}
_ALIASES = {"M": "MS", "Q": "QS", "Y": "YS"}
_PANDAS_BINS = {"D": "D", "W": "W-MON", "MS": "MS", "QS": "QS", "YS": "YS"}


def count_panel(
    source,
    by: str | Sequence[str] | None = None,
    freq: str = "D",
    scope: Scope | str | None = None,
    start=None,
    end=None,
    precision: str = "first_day",
    table: str | None = None,
) -> pd.DataFrame:
    """Zero-filled counts per group and bin, computed by DuckDB.

    Parameters
    ----------
    source : path, DataFrame or DuckDB connection
        A CSV (``.csv``, ``.csv.gz``) or Parquet file, a DataFrame, or a ``duckdb`` connection
        with ``table=`` naming the table.
    by : str or sequence of str, optional
        Columns that define a group (``["country", "admin1", "claimed_by"]``); none: one group.
    freq : {"D", "W", "MS", "QS", "YS"}
        Bin width; weeks start on Monday, as in :func:`~analysis.counts.daily_counts`.
    scope : Scope or str, optional
        The counting scope; default the default scope. A filter on a column the source lacks is an
        error; ``Scope(confirmation=None)`` (every filter off) counts every row.
    start, end : date-like, optional
        The calendar, both inclusive; default the shipped data's coverage for the shipped file, else
        the first day of the first event's month to the last event.
    precision : {"first_day", "exclude"}
        Rows dated only to a week or month (``time_precision`` 2 or 3) count on the day recorded, or
        are left out.
    table : str, optional
        The table of a DuckDB connection.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``date`` (the bin's first day), ``events`` (int64) and
        ``exposure_days`` (days of the bin inside the calendar), one row per group and bin.

    Examples
    --------
    >>> frame = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-01-03"]),
    ...                       "country": ["Iraq", "Syria"]})
    >>> count_panel(frame, by="country", scope=Scope(confirmation=None))["events"].tolist()
    [1, 0, 0, 0, 0, 1]
    """
    import duckdb

    freq = _ALIASES.get(freq, freq)
    if freq not in FREQS:
        raise ArgumentError("freq", freq, list(FREQS))
    if precision not in ("first_day", "exclude"):
        raise ArgumentError("precision", precision, ["first_day", "exclude"])
    by = [by] if isinstance(by, str) else list(by or [])
    con, relation = _relation(duckdb, source, table)
    try:
        columns = [c.lower() for c in con.sql(f"SELECT * FROM {relation} LIMIT 0").columns]
        for column in by:
            if column.lower() not in columns:
                raise ArgumentError("by", column, columns)
        where = _scope_sql(get_scope(scope), columns, precision)
        daily = _daily(con, relation, where, by)
    except duckdb.Error as exc:
        # The engine's own words, first line only, naming what it could not read; no traceback.
        first_line = str(exc).strip().splitlines()[0]
        raise ArgumentError(
            "source", str(source if table is None else table), "data DuckDB can read", note=first_line
        ) from None
    first, last = _calendar(daily, source, start, end)
    return _zero_filled(daily, by, freq, first, last)


def _relation(duckdb, source, table):
    """A connection and the SQL name of what it reads."""
    if table is not None:
        if not hasattr(source, "sql"):
            raise ArgumentError("table", table, "a table name with a duckdb connection as source")
        return source, _quoted(table)
    con = duckdb.connect()
    if isinstance(source, pd.DataFrame):
        con.register("source_frame", source)
        return con, "source_frame"
    path = Path(source)
    if not path.is_file():
        raise ArgumentError(
            "source", str(source), "an existing CSV or Parquet file, a DataFrame or a connection"
        )
    text = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return con, f"read_parquet('{text}')"
    if path.name.endswith((".csv", ".csv.gz")):
        # Every column as text: no type sniffing pass, and the query casts what it uses.
        return con, f"read_csv('{text}', header=true, all_varchar=true)"
    raise ArgumentError("source", str(source), "a .csv, .csv.gz or .parquet file")


def _quoted(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _scope_sql(scope: Scope, columns: list[str], precision: str) -> str:
    """The scope as a WHERE clause, with the same rules as Scope.mask (missing values are 'unknown')."""
    clauses = ["true"]
    for attr, (column, _, _) in _FILTERS.items():
        allowed = getattr(scope, attr)
        if allowed is None:
            continue
        if column not in columns:
            raise ArgumentError(
                "scope", scope.name, f"a scope the source can apply (it has no column {column!r})"
            )
        values = ", ".join(_literal(v) for v in allowed)
        clauses.append(f"COALESCE(CAST({_quoted(column)} AS VARCHAR), 'unknown') IN ({values})")
    if not scope.include_disputed and "disputed" in columns:
        clauses.append("NOT COALESCE(TRY_CAST(disputed AS BOOLEAN), false)")
    if scope.independent_only:
        raise ArgumentError(
            "scope",
            scope.name,
            "a scope without independent_only (the page classes are joined by load_incidents)",
        )
    if precision == "exclude" and "time_precision" in columns:
        clauses.append("CAST(time_precision AS INTEGER) = 1")
    return " AND ".join(clauses)


def _calendar(daily: pd.DataFrame, source, start, end) -> tuple[dt.date, dt.date]:
    """The days counted: the arguments, else the shipped coverage, else the data's own span (every row)."""
    if start is None or end is None:
        covered = _shipped_coverage(source)
        if covered is None:
            if daily.empty:
                raise ArgumentError("source", "no dated rows", "rows with an event_date, or start= and end=")
            low, high = daily["day"].min().date(), daily["day"].max().date()
            covered = (low.replace(day=1), high)
        start = covered[0] if start is None else start
        end = covered[1] if end is None else end
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if first > last:
        raise ArgumentError("start", str(first), f"a day on or before end ({last})")
    return first, last


def _shipped_coverage(source) -> tuple[dt.date, dt.date] | None:
    from analysis.data import data_dir

    if not isinstance(source, str | os.PathLike):
        return None
    path = Path(source).resolve()
    if path.parent != data_dir().resolve() or not (path.parent / "config.toml").is_file():
        return None
    from analysis.config import load_config

    cfg = load_config(path.parent / "config.toml")
    return cfg.coverage_start, cfg.data_through


def _daily(con, relation, where: str, by: list[str]) -> pd.DataFrame:
    """One pass over the source: counts in scope per group and day, and every dated row's day.

    Groups with no row in scope are kept (events 0) so the calendar can span every row, as
    daily_counts' does; they are dropped before zero-filling.
    """
    keys = [f"COALESCE(CAST({_quoted(c)} AS VARCHAR), 'unknown') AS {_quoted(c)}" for c in by]
    query = f"""
        SELECT {", ".join([*keys, "CAST(event_date AS DATE) AS day"])},
               count(*) FILTER (WHERE {where}) AS events
        FROM {relation}
        WHERE event_date IS NOT NULL
        GROUP BY ALL
    """
    daily = con.sql(query).df()
    daily["day"] = pd.to_datetime(daily["day"])
    return daily


def _zero_filled(daily: pd.DataFrame, by: list[str], freq: str, first, last) -> pd.DataFrame:
    """Every group crossed with every bin of the calendar, with its exposure; absent cells are 0."""
    period = {"D": "D", "W": "W-SUN", "MS": "M", "QS": "Q", "YS": "Y"}[freq]
    days = pd.date_range(first, last, freq="D")
    exposure = pd.Series(1, index=days.to_period(period).start_time).groupby(level=0).sum()
    calendar = exposure.rename("exposure_days").rename_axis("date").reset_index()
    inside = daily[
        (daily["day"] >= pd.Timestamp(first)) & (daily["day"] <= pd.Timestamp(last)) & (daily["events"] > 0)
    ]
    counts = (
        inside.assign(date=inside["day"].dt.to_period(period).dt.start_time)
        .groupby([*by, "date"], as_index=False)["events"]
        .sum()
    )
    if by:
        groups = counts[by].drop_duplicates().sort_values(by, ignore_index=True)
        grid = groups.merge(calendar, how="cross")
    else:
        grid = calendar
    out = grid.merge(counts, on=[*by, "date"], how="left")
    out["events"] = out["events"].fillna(0).astype("int64")
    out["exposure_days"] = out["exposure_days"].astype("int64")
    return out[[*by, "date", "events", "exposure_days"]].sort_values([*by, "date"], ignore_index=True)

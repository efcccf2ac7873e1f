"""Parsing text columns to the types the pandera model declares, each distinct value once.

Dates, counts and codes repeat a lot, so each distinct text is parsed once
and the result spread back over the rows by position. A cell that cannot be
parsed gets a neutral filler (first valid date, 0, NaN or False) so the row
stays checkable by the other rules, and the parse failure is recorded here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.data.failures import PARSE_MESSAGES
from analysis.schema import column_kind

_FILLERS: dict[str, np.generic | float] = {
    "date": np.datetime64("2020-01-01", "ns"),
    "int": 0,
    "float": np.nan,
    "bool": False,
}


def _parse_values(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells that could not be parsed."""
    present = values.notna()
    if kind == "date":
        parsed = pd.to_datetime(values.str.strip(), format="%Y-%m-%d", errors="coerce")
        # Years past 2262 do not fit nanoseconds; any such date is in the future,
        # and the not_in_future rule reports it as such.
        parsed = parsed.mask(parsed.dt.year > 2200, pd.Timestamp("2200-01-01"))
        return parsed.astype("datetime64[ns]"), present & parsed.isna()
    if kind in ("int", "float"):
        parsed = pd.to_numeric(values.str.strip(), errors="coerce")
        bad = present & parsed.isna()
        if kind == "int":
            fractional = parsed.notna() & (parsed % 1 != 0)
            bad |= fractional
            parsed = parsed.where(~fractional).astype("Float64").astype("Int64")
        return parsed, bad
    if kind == "bool":
        lowered = values.str.strip().str.lower()
        parsed = lowered.map({"true": True, "false": False})
        return parsed.astype("boolean"), present & parsed.isna()
    return values, pd.Series(False, index=values.index)


def parse_column(
    values: pd.Series, kind: str, nullable: bool
) -> tuple[pd.Series, np.ndarray | None, np.ndarray | None, tuple[np.ndarray, pd.Series] | None]:
    """Parse one text column to ``kind``.

    Returns the typed column (failed cells hold a neutral filler), a mask of
    cells that could not be parsed, a mask of missing cells when the column
    is a required count or flag (they become 0 or False), and ``(codes,
    distinct)``: each row's code into the typed distinct values (-1 missing).
    The masks are None when empty; the last is None for text.
    """
    if kind == "str":
        return values, None, None, None
    codes, uniques = pd.factorize(values)
    parsed, bad = _parse_values(pd.Series(uniques, dtype=values.dtype), kind)
    bad_distinct = bad.to_numpy(dtype=bool)
    # Lookup tables have one slot more than the distinct values: code -1 (a
    # missing cell) picks that last slot.
    if kind in ("date", "float"):
        empty = np.datetime64("NaT", "ns") if kind == "date" else np.nan
        table = parsed.to_numpy(dtype="datetime64[ns]" if kind == "date" else "float64", na_value=empty)
        table = np.where(bad_distinct, _FILLERS[kind], table).astype(table.dtype)
        typed = pd.Series(np.append(table, empty)[codes], index=values.index, copy=False)
        mask_missing = None
    else:
        numpy_type = "int64" if kind == "int" else "bool"
        table = parsed.to_numpy(dtype=numpy_type, na_value=_FILLERS[kind])
        table = np.where(bad_distinct, _FILLERS[kind], table).astype(numpy_type)
        na = np.append(parsed.isna().to_numpy(dtype=bool) & ~bad_distinct, True)[codes]
        data = np.append(table, _FILLERS[kind])[codes]
        if nullable:
            array = pd.arrays.IntegerArray(data, na) if kind == "int" else pd.arrays.BooleanArray(data, na)
            typed, mask_missing = pd.Series(array, index=values.index, copy=False), None
        else:
            typed, mask_missing = pd.Series(data, index=values.index, copy=False), (na if na.any() else None)
    bad_cells = np.append(bad_distinct, False)[codes] if bad_distinct.any() else None
    # The typed distinct values and each row's code: rules that look at one value at a time
    # run once per distinct value (analysis.data.rules.suspect_rows).
    distinct = (
        pd.Series(np.where(bad_distinct, _FILLERS[kind], table), dtype=typed.dtype)
        if kind in ("date", "float")
        else pd.Series(pd.array(table, dtype=typed.dtype))
    )
    return typed, bad_cells, mask_missing, (codes, distinct)


class _Now:
    """Run now, with the interface of a finished :class:`~concurrent.futures.Future` (no pool)."""

    def __init__(self, fn, *args):
        self._value = fn(*args)

    def result(self):
        return self._value


def typed_frame(
    schema: pa.DataFrameSchema, raw: pd.DataFrame, pool: ThreadPoolExecutor | None = None
) -> tuple[pd.DataFrame, list[tuple], dict]:
    """Parse every column to its declared type; failed cells get a neutral filler.

    Returns the typed frame, the parse failures as ``(row, column, value,
    check, message)`` and, per typed column, ``(codes, distinct values)``. With a
    ``pool``, columns are parsed in its threads (the hashing that finds
    distinct values runs in pyarrow, without the GIL).
    """
    out, failures, distinct = {}, [], {}
    jobs = {
        name: (pool.submit if pool else _Now)(
            parse_column, raw[name], column_kind(column.dtype), column.nullable
        )
        for name, column in schema.columns.items()
    }
    for name, column in schema.columns.items():
        kind = column_kind(column.dtype)
        parsed, bad, missing, values = jobs[name].result()
        if values is not None:
            distinct[name] = values
        if bad is not None:
            cells = raw.loc[bad, name]
            failures += [(i, name, v, f"parse_{kind}", PARSE_MESSAGES[kind]) for i, v in cells.items()]
        if missing is not None:
            failures += [
                (i, name, None, "not_nullable", "missing value (required)") for i in raw.index[missing]
            ]
        out[name] = parsed
    # copy=False: no copying the columns into one block per type (a million rows).
    return pd.DataFrame(out, index=raw.index, copy=False), failures, distinct

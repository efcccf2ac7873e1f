"""Reading one data file against its pandera model, reporting every problem with its line.

A clean file never builds a Python object per row: pyarrow reads it (every
column as text), each distinct date, count or code is parsed once, and the
model's rules run on whole columns (:mod:`analysis.data.rules`). When that
finds suspect rows, pandera validates *those rows only* and its failure
cases are translated into rows of :data:`~analysis.data.failures.FAILURE_COLUMNS`;
lines are named from the newline positions in the raw bytes (Python's csv
module only for files with multi-line fields or unreadable records). So a
file with a few bad rows costs about what a clean one does.
"""

from __future__ import annotations

import logging
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.data.failures import FAILURE_COLUMNS, broken_failure, check_message, fatal, short
from analysis.data.lines import Records, line_numbers, raw_frame
from analysis.data.parse import typed_frame
from analysis.data.rules import (
    WORKERS,
    arrow_text,
    compile_rules,
    may_contain,
    start_text_rules,
    suspect_rows,
)
from analysis.data.source import Source, arrow_read, check_header, header_line, open_source
from analysis.errors import DataQualityWarning, DataValidationError
from analysis.schema import CHECK_COLUMNS, OPTIONAL_COLUMNS, SCHEMAS

log = logging.getLogger("analysis.data")

Errors = Literal["raise", "exclude"]


def pandera_failures(schema: pa.DataFrameSchema, typed: pd.DataFrame, raw: pd.DataFrame) -> list[tuple]:
    """pandera's lazy validation of ``typed`` as ``(row, column, value, check, message)`` tuples.

    ``typed`` may be a subset of the rows of ``raw`` (same index labels);
    values are reported as they were read.
    """
    try:
        schema.validate(typed, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases.assign(check=cases["check"].astype(str), row=pd.to_numeric(cases["index"], errors="coerce"))
    failures = [
        (None, c.column if c.column in raw.columns else None, c.failure_case, c.check, check_message(c.check))
        for c in cases[cases["row"].isna()].itertuples(index=False)
    ]
    cases = cases[cases["row"].notna()].astype({"row": "int64"})
    frame_wide = cases["check"].isin(list(CHECK_COLUMNS))
    # pandera reports a frame-wide check once per column; report it once per row.
    cases = cases[~frame_wide | ~cases.duplicated(["row", "check"])]
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        rows, message = group["row"].to_numpy(), check_message(check)
        if check in CHECK_COLUMNS:
            names = CHECK_COLUMNS[check]
            values = [", ".join(f"{n}={raw.at[row, n]}" for n in names) for row in rows]
            failures += [(row, "/".join(names), v, check, message) for row, v in zip(rows.tolist(), values)]
        else:
            cells = (
                raw[column].array[raw.index.get_indexer(rows)]
                if column in raw.columns
                else [None] * len(rows)
            )
            column = column if column in raw.columns else None
            failures += [(row, column, v, check, message) for row, v in zip(rows.tolist(), cells)]
    return failures


def _failures_of(
    schema: pa.DataFrameSchema,
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    suspect: np.ndarray,
    parsed: list[tuple],
) -> list[tuple]:
    """pandera's failures, run on the suspect rows only; on every row if it clears one it should not."""
    unparsed = {(f[0], f[1]) for f in parsed}
    everything = bool(suspect.all())
    found = pandera_failures(schema, typed if everything else typed[suspect], raw)
    reported = {f[0] for f in found} | {f[0] for f in parsed}
    if not everything and not any(f[0] is None for f in found):
        cleared = set(typed.index[suspect]) - reported
        if cleared:
            # A rule that depends on other rows may pass on a subset: ask about the whole frame.
            found = pandera_failures(schema, typed, raw)
    return parsed + [f for f in found if (f[0], f[1]) not in unparsed]


def _failure_frame(
    path: Path, header: list[str], failures: list[tuple], records: Records
) -> tuple[pd.DataFrame, bool]:
    """Failures with their lines, sorted; and whether one concerns the file as a whole."""
    frame = pd.DataFrame(failures, columns=["row", "column", "value", "check", "message"])
    rows = pd.to_numeric(frame["row"]).to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(rows) & (np.nan_to_num(rows, nan=-1) < len(records.lines))
    line = np.where(np.isnan(rows), 1.0, np.nan)
    line[known] = records.lines[rows[known].astype(np.int64)]
    frame["line"] = line if np.isnan(line).any() else line.astype(np.int64)
    whole_file = bool(np.isnan(rows).any())
    broken = pd.DataFrame(
        [(None, *broken_failure(header, fields, problem), line) for line, fields, problem in records.broken],
        columns=["row", "column", "value", "check", "message", "line"],
    )
    if len(broken):
        frame = pd.concat([frame, broken], ignore_index=True) if len(frame) else broken
    frame["file"] = str(path)
    frame["value"] = frame["value"].map(short)
    frame = frame.sort_values(["line", "column"], na_position="first", kind="stable")
    return frame, whole_file


def _excluded_rows(
    frame: pd.DataFrame, raw: pd.DataFrame, header: list[str], records: Records
) -> pd.DataFrame:
    """The invalid rows as read, each with its line and every reason it failed."""
    value = frame["value"].map(
        lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else f" {v!r}"
    )
    text = frame["column"].fillna("") + value.fillna("") + ": " + frame["message"]
    in_raw = frame["row"].notna()
    reasons = _joined(text[in_raw], frame.loc[in_raw, "row"].astype(int))
    rows = raw.loc[reasons.index].copy()
    rows["line"] = records.lines[reasons.index.to_numpy()]
    rows["reason"] = reasons.to_numpy()
    broken = pd.DataFrame(
        [dict(zip(header, fields)) for _, fields, _ in records.broken], columns=list(raw.columns), dtype="str"
    )
    broken["line"] = [line for line, _, _ in records.broken]
    broken["reason"] = text[~in_raw].to_numpy()  # one failure per broken record, in line order
    parts = [part for part in (rows, broken) if len(part)]
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.sort_values("line", kind="stable").reset_index(drop=True)


def _joined(text: pd.Series, rows: pd.Series) -> pd.Series:
    """Each row's texts joined with '; ', by row; a join per row only where a row has several."""
    by_row = pd.DataFrame({"row": rows.to_numpy(), "text": text.to_numpy()})
    several = by_row["row"].duplicated(keep=False).to_numpy()
    single = by_row[~several].set_index("row")["text"]
    joined = by_row[several].groupby("row")["text"].agg("; ".join)
    return pd.concat([single, joined]).sort_index() if len(joined) else single.sort_index()


def _keep(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows where ``keep`` is True, column by column (much faster than ``drop`` on a million rows)."""
    return pd.DataFrame({name: frame[name].array[keep] for name in frame.columns}, copy=False)


def _with_optional(raw: pd.DataFrame, optional: frozenset[str]) -> pd.DataFrame:
    """Add the optional columns the file leaves out, empty."""
    for name in optional:
        if name not in raw:
            raw[name] = pd.Series(pd.NA, index=raw.index, dtype="str")
    return raw


def _records(source: Source, header: list[str], raw: pd.DataFrame, quotes: int) -> Records:
    """Where each record starts: from the newline positions when no field holds a line break."""
    one_per_line = not quotes or not any(
        text is not None and (may_contain(text, 10) or may_contain(text, 13))
        for text in (arrow_text(raw[name]) for name in header)
    )
    if one_per_line:
        lines = line_numbers(source)
        if len(lines) == len(raw):
            return Records.one_per_line(lines)
    return Records(source.path, source.text, len(header))


class _Loaded:
    """A file read and parsed, with what the fast checks found."""

    def __init__(self, path: Path, kind: str, schema: pa.DataFrameSchema):
        self.path, self.schema = path, schema
        self.source = open_source(path)
        self.optional = OPTIONAL_COLUMNS.get(kind, frozenset())
        self.header = check_header(path, header_line(self.source), list(schema.columns), self.optional)
        self.quotes = self.source.quote_count()
        arrow = arrow_read(self.source, self.header, quoted=self.quotes > 0)
        self.records = None
        # An odd number of quote characters: a quoted field may run to the end of
        # the file, which neither reader reports by itself.
        if arrow is None or arrow[1] or self.quotes % 2:
            self.records = Records(path, self.source.text, len(self.header))
        self.raw = _with_optional(raw_frame(self.source, self.header, arrow, self.records), self.optional)
        if self.raw.empty and not (self.records and self.records.broken):
            raise fatal(path, 1, None, None, "header only: the file has no data rows", "not_empty")
        rules = compile_rules(schema)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            started = start_text_rules(rules, self.raw, pool)
            self.typed, self.parsed, distinct = typed_frame(schema, self.raw, pool)
            self.suspect = suspect_rows(schema, rules, self.typed, started, distinct)

    @property
    def clean(self) -> bool:
        return not self.parsed and not self.suspect.any() and not (self.records and self.records.broken)

    def name_lines(self) -> Records:
        """Find each record's line; re-read with the csv module if it sees other records than pyarrow."""
        if self.records is not None:
            return self.records
        self.records = _records(self.source, self.header, self.raw, self.quotes)
        if self.records.broken or len(self.records.lines) != len(self.raw):
            # The two readers disagree about the records: trust the one that knows lines.
            raw = raw_frame(self.source, self.header, None, self.records)
            self.raw = _with_optional(raw, self.optional)
            self.typed, self.parsed, _ = typed_frame(self.schema, self.raw)
            self.suspect = np.ones(len(self.raw), dtype=bool)
        return self.records

    def failures(self) -> list[tuple]:
        suspect = self.suspect.copy()
        rows = [f[0] for f in self.parsed]
        suspect[self.raw.index.get_indexer(rows)] = True
        return _failures_of(self.schema, self.typed, self.raw, suspect, self.parsed)


def read_validated(
    path: str | os.PathLike,
    kind: str,
    errors: Errors = "raise",
    extra_checks: dict[str, pa.Check] | None = None,
) -> pd.DataFrame:
    """Read one data file and validate it against its pandera model.

    Parameters
    ----------
    path : path-like
        CSV file (UTF-8, comma separated, header line first).
    kind : {"incidents", "tallies", "locations", "context_events"}
        Which model in :data:`analysis.schema.SCHEMAS` to apply.
    errors : {"raise", "exclude"}
        ``"raise"`` raises :class:`DataValidationError` listing every problem;
        ``"exclude"`` returns the valid rows, keeps the invalid ones with their
        reasons on ``df.attrs["excluded"]`` and warns how many there were.
        Problems with the file as a whole (encoding, header) always raise.
    extra_checks : dict, optional
        Column name -> extra :class:`pandera.Check` (e.g. the gazetteer check).

    Notes
    -----
    A clean file takes the fast path: pyarrow reads it, each distinct value
    is parsed once, and the model's checks run on whole columns. pandera and
    the line numbers come in only for the rows that failed.

    Examples
    --------
    >>> from analysis.data import data_dir
    >>> df = read_validated(data_dir() / "tallies.csv", "tallies")
    >>> df.shape, len(df.attrs["excluded"])
    ((82, 16), 0)
    """
    if errors not in ("raise", "exclude"):
        raise ValueError(f"errors must be 'raise' or 'exclude', not {errors!r}")
    path = Path(path)
    schema = SCHEMAS[kind].to_schema()
    for column, check in (extra_checks or {}).items():
        schema = schema.update_column(column, checks=[*schema.columns[column].checks, check])
    loaded = _Loaded(path, kind, schema)
    excluded = pd.DataFrame(columns=[*loaded.raw.columns, "line", "reason"])
    result = loaded.typed
    if not loaded.clean:
        records = loaded.name_lines()
        frame, whole_file = _failure_frame(path, loaded.header, loaded.failures(), records)
        if len(frame) and (errors == "raise" or whole_file):
            raise DataValidationError(frame[FAILURE_COLUMNS])
        if len(frame):
            excluded = _excluded_rows(frame, loaded.raw, loaded.header, records)
            keep = np.ones(len(loaded.typed), dtype=bool)
            keep[loaded.typed.index.get_indexer(frame["row"].dropna().astype(int).unique())] = False
            result = _keep(loaded.typed, keep)
            total = len(loaded.raw) + len(records.broken)
            warnings.warn(
                f"{path}: excluded {len(excluded)} of {total} rows that failed validation; see df.attrs['excluded']",
                DataQualityWarning,
                stacklevel=3,
            )
        else:
            result = schema.validate(loaded.typed)  # a false alarm: pandera found nothing
    result = result.reset_index(drop=True)
    result.attrs["excluded"] = excluded.reset_index(drop=True)
    result.attrs["source"] = str(path)
    log.debug("loaded %s: %d rows, %d excluded", path, len(result), len(excluded))
    return result

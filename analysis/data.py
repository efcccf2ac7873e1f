"""Loading and validating the data files.

Every loader reads a CSV as text, parses each column to the type the pandera
model declares, validates lazily and reports *every* problem with the file, the
CSV line, the column, the value and the rule that failed. With
``errors="exclude"`` the valid rows come back and the invalid ones are kept on
``df.attrs["excluded"]`` with their reasons; nothing is dropped silently.

Speed: a clean file never builds a Python object per row. pyarrow reads it
(every column as text), each distinct date, count or code is parsed once, and
the model's rules run on whole columns (text rules in pyarrow, in threads).
Only when that finds something does the slow, exact path run: pandera
validates lazily and Python's csv module maps rows to lines. A million rows
load in under twice the time of a bare ``pandas.read_csv(engine="pyarrow")``
(``benchmarks/bench_load.py``). For files larger than memory,
:func:`count_by_day_streaming` validates and counts block by block.

Examples
--------
>>> from analysis import load_incidents
>>> incidents = load_incidents()                      # doctest: +SKIP
>>> incidents = load_incidents("my.csv", errors="exclude")  # doctest: +SKIP
>>> incidents.attrs["excluded"]                       # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import logging
import os
import re
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analysis.periods import Period, read_periods
from analysis.schema import (
    CHECK_COLUMNS,
    OPTIONAL_COLUMNS,
    PLAIN_TEXT_PATTERN,
    REGION_BBOX,
    SCHEMAS,
    column_kind,
)

log = logging.getLogger(__name__)

from analysis.errors import DataQualityWarning  # noqa: E402

__all__ = [
    "DataQualityWarning",
    "DataValidationError",
    "count_by_day_streaming",
    "data_dir",
    "load_context_events",
    "load_incidents",
    "load_locations",
    "load_periods",
    "load_tallies",
    "read_csv_text",
    "read_validated",
    "save_csv",
]

Errors = Literal["raise", "exclude"]
FAILURE_COLUMNS = ["file", "line", "column", "value", "check", "message"]
_MAX_VALUE_CHARS = 60
_MAX_LISTED = 1000


class DataValidationError(ValueError):
    """A data file failed validation.

    Attributes
    ----------
    failures : pandas.DataFrame
        One row per problem: file, line (1 is the header), column, value,
        check and message.
    """

    def __init__(self, failures: pd.DataFrame):
        self.failures = failures.reset_index(drop=True)
        super().__init__(self._message())

    def _message(self) -> str:
        f = self.failures
        files = ", ".join(dict.fromkeys(f["file"]))
        lines = [f"{len(f)} problem(s) in {files}:"]
        for row in f.head(_MAX_LISTED).itertuples(index=False):
            lines.append(_format_failure(row))
        if len(f) > _MAX_LISTED:
            lines.append(f"... and {len(f) - _MAX_LISTED} more (see .failures)")
        return "\n".join(lines)


def _format_failure(row) -> str:
    where = f"{row.file}:{row.line}" if pd.notna(row.line) else str(row.file)
    col = f" column '{row.column}'" if isinstance(row.column, str) and row.column else ""
    val = "" if row.value is None or row.value == "" else f" value {row.value!r}:"
    return f"  {where}:{col}{val} {row.message}"


def _short(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def data_dir() -> Path:
    """The folder holding the shipped data files.

    ``$ANALYSIS_DATA_DIR`` wins; otherwise the ``data/`` folder of the checkout
    this package was installed from, else ``./data``.
    """
    env = os.environ.get("ANALYSIS_DATA_DIR")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parent.parent / "data"
    return repo if repo.is_dir() else Path.cwd() / "data"


# ---------------------------------------------------------------- reading text
#
# The fast path reads with pyarrow's multi-threaded CSV reader, every column as
# text, and never builds a Python object per row. Python's csv module, which
# knows on which line each record starts, runs only when something is wrong:
# it names the lines, and it is the reference when the two parsers disagree.

_HEAD_BYTES = 1 << 16
#: Threads for the rules pyarrow runs without the GIL.
_WORKERS = min(4, os.cpu_count() or 1)
_SCAN_BYTES = 1 << 24
_BOM = b"\xef\xbb\xbf"


def _fatal(path: Path, line, column, value, message: str, check: str) -> DataValidationError:
    return DataValidationError(
        pd.DataFrame(
            [[str(path), line, column, _short(value), check, message]], columns=FAILURE_COLUMNS
        )
    )


class _Source:
    """A data file mapped into memory, not copied; Python bytes and text are made only on demand.

    The failure paths need them (to name lines); a clean load never does.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            self.buffer = pyarrow.memory_map(str(path)).read_buffer()
        except FileNotFoundError:
            raise _fatal(path, None, None, None, "file not found", "file_exists") from None
        except OSError as exc:
            raise _fatal(path, None, None, None, f"cannot read the file: {exc}", "file_exists") from None
        # Excel writes a UTF-8 byte-order mark; the content is still valid UTF-8.
        self.start = len(_BOM) if self.head(len(_BOM), 0) == _BOM else 0
        self._data: bytes | None = None
        self._text: str | None = None

    def head(self, size: int, start: int | None = None) -> bytes:
        start = self.start if start is None else start
        return self.buffer.slice(start, max(0, min(size, self.buffer.size - start))).to_pybytes()

    @property
    def data(self) -> bytes:
        """The whole file as bytes (byte-order mark included)."""
        if self._data is None:
            self._data = self.buffer.to_pybytes()
        return self._data

    @property
    def text(self) -> str:
        """The file decoded, without the byte-order mark."""
        if self._text is None:
            self._text = self.data[self.start :].decode("utf-8")
        return self._text

    def body(self) -> pyarrow.Buffer:
        return self.buffer.slice(self.start)

    def quote_count(self) -> int:
        """How many '"' the file holds, counted in slices to keep temporaries small."""
        values = np.frombuffer(self.buffer, dtype=np.uint8)
        quote = ord('"')
        return sum(int(np.count_nonzero(values[i : i + _SCAN_BYTES] == quote)) for i in range(0, len(values), _SCAN_BYTES))


def _open(path: Path) -> _Source:
    """Map the file; check it is UTF-8 and not blank, naming the line of a bad byte."""
    source = _Source(path)
    if not _is_utf8(source.buffer):
        try:
            source.text  # noqa: B018 - decoding is the check
        except UnicodeDecodeError as exc:
            _raise_not_utf8(path, source.data, source.start, source.start + exc.start)
    head = source.head(_HEAD_BYTES).decode("utf-8", "ignore")
    if not head.strip() and not source.text.strip():
        raise _fatal(path, 1, None, None, "file is empty: expected a header line", "not_empty")
    return source


def _is_utf8(buffer: pyarrow.Buffer) -> bool:
    if buffer.size == 0:
        return True
    # pyarrow validates UTF-8 at memory speed; the whole file is viewed as one value.
    offsets = pyarrow.py_buffer(np.array([0, buffer.size], dtype=np.int64))
    value = pyarrow.Array.from_buffers(pyarrow.large_binary(), 1, [None, offsets, buffer])
    try:
        value.cast(pyarrow.large_string())
    except pyarrow.ArrowInvalid:
        return False
    return True


def _raise_not_utf8(path: Path, raw: bytes, start: int, bad_at: int):
    line_start = raw.rfind(b"\n", start, bad_at) + 1 or start
    line = raw.count(b"\n", start, bad_at) + 1
    header_end = raw.find(b"\n", start)
    header = raw[start : header_end if header_end >= 0 else len(raw)]
    header = header.decode("utf-8", "replace").strip().split(",")
    field = raw[line_start:bad_at].count(b",")
    column = header[field] if field < len(header) else None
    bad = raw[bad_at : bad_at + 1].hex()
    raise _fatal(
        path, line, column, None,
        f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8", "utf8",
    ) from None


def _header_line(source: _Source) -> str:
    head = source.head(_HEAD_BYTES)
    if b"\n" not in head and b"\r" not in head:
        head = source.data[source.start :]
    # Lines may end in \n, \r\n or (old Mac) a lone \r.
    return re.split(rb"\r\n?|\n", head, maxsplit=1)[0].decode("utf-8")


def _check_header(path: Path, text: str, expected: list[str], optional=frozenset()) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0], newline="")))
    except csv.Error as exc:
        raise _fatal(path, 1, None, None, f"malformed CSV header: {exc}", "csv_syntax") from None
    header = [h.strip() for h in header]
    problems = []
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        problems.append((None, header[0][:40], "wrong delimiter: columns must be separated by ','"))
    else:
        seen = set()
        for name in header:
            if name in seen:
                problems.append((name, None, "duplicated column"))
            seen.add(name)
        for name in header:
            if name not in expected:
                problems.append((name, None, f"unexpected column (expected one of {expected})"))
        for name in expected:
            if name not in header and name not in optional:
                problems.append((name, None, "missing column"))
    if problems:
        raise DataValidationError(
            pd.DataFrame(
                [[str(path), 1, c, _short(v), "header", m] for c, v, m in problems],
                columns=FAILURE_COLUMNS,
            )
        )
    return header


def _arrow_read(source: _Source, header: list[str], quoted: bool) -> tuple[pyarrow.Table, int] | None:
    """Every column as text with pyarrow, and how many rows had the wrong number of fields.

    ``None`` when pyarrow cannot read the file at all; the csv module then
    says why, with a line number.
    """
    skipped = 0

    def on_bad_row(row) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    block_size = 1 << 20
    for _ in range(2):
        try:
            table = pacsv.read_csv(
                pyarrow.BufferReader(source.body()),
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=block_size),
                # A quoted field may hold a newline; the reader must then find record
                # ends by parsing quotes, which is slower: pay for it only when needed.
                parse_options=pacsv.ParseOptions(newlines_in_values=quoted, invalid_row_handler=on_bad_row),
                convert_options=pacsv.ConvertOptions(
                    # large_string is what pandas' str dtype holds: no conversion later.
                    column_types={name: pyarrow.large_string() for name in header},
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    check_utf8=False,  # already checked, with a line number
                ),
            )
            return table, skipped
        except pyarrow.ArrowInvalid as exc:
            if "straddle" not in str(exc) or block_size > source.buffer.size:
                return None
            # One record is longer than a block (e.g. a 10 MB field): read in one block.
            skipped, block_size = 0, source.buffer.size + 1
    return None


@contextlib.contextmanager
def _any_field_size():
    # The csv module refuses fields over 128 KiB; pyarrow has no such limit and
    # the schema's own length rules say what is too long, with a line number.
    old = csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


class _Lines:
    """Lines of a text for the csv module, remembering how far it has read."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.offset = 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.offset += len(line)
        return line


class _Records:
    """Where each CSV record starts, from Python's csv module (the slow reference).

    Attributes
    ----------
    lines : list of int
        Line of each well-formed record (the right number of fields), in order.
    broken : list of tuple
        ``(line, fields, problem)`` for each record that is not.
    """

    def __init__(self, path: Path, text: str, width: int):
        self.lines: list[int] = []
        self.broken: list[tuple[int, list[str], str]] = []
        with _any_field_size():
            self._read(path, text, width)

    def _read(self, path: Path, text: str, width: int) -> None:
        source = _Lines(text)
        reader = csv.reader(source)
        last_line, last_fields, last_offset = None, None, 0
        try:
            next(reader, None)  # the header, already checked
            line, offset = reader.line_num + 1, source.offset
            for fields in reader:
                if fields:  # a blank line is not a record, as for pyarrow
                    last_line, last_fields, last_offset = line, fields, offset
                    if len(fields) == width:
                        self.lines.append(line)
                    else:
                        self.broken.append((line, fields, "field count"))
                line, offset = reader.line_num + 1, source.offset
        except csv.Error as exc:
            raise _fatal(path, reader.line_num, None, None, f"malformed CSV: {exc}", "csv_syntax") from None
        if last_line is not None and _runs_into_end(text[last_offset:]):
            # Python's csv module (like pyarrow) silently ends a quoted field at
            # the end of the file; a file cut short must not pass as a short text.
            if self.lines and self.lines[-1] == last_line:
                self.lines.pop()
            else:
                self.broken.pop()
            self.broken.append((last_line, last_fields, "open quote"))


def _runs_into_end(record: str) -> bool:
    """Whether this last record ends inside a quoted field."""
    try:
        for _ in csv.reader(io.StringIO(record, newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _broken_failure(header: list[str], fields: list[str], problem: str) -> tuple[str | None, str | None, str, str]:
    """Column, value, check and message for a record that cannot be read as a row."""
    width = len(header)
    if problem == "open quote":
        column = header[min(len(fields), width) - 1]
        return column, fields[-1], "csv_syntax", "unclosed quote: the quoted field that opens on this line never closes"
    if len(fields) < width:
        return (
            header[len(fields)], None, "field_count",
            f"{len(fields)} fields, expected {width}: the line stops before this column (truncated?)",
        )
    return (
        header[-1], fields[width], "field_count",
        f"{len(fields)} fields, expected {width}: text after the last column "
        "(a ',' in a text field that is not quoted?)",
    )


def _frame_from_records(path: Path, text: str, header: list[str], records: _Records) -> pd.DataFrame:
    """The rows as text, read by the csv module, when pyarrow read them differently."""
    wanted = set(records.lines)
    columns: list[list[str]] = [[] for _ in header]
    with _any_field_size():
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader, None)
        line = reader.line_num + 1
        for fields in reader:
            if line in wanted:
                for column, value in zip(columns, fields):
                    column.append(value)
            line = reader.line_num + 1
    frame = pd.DataFrame({name: pd.array(values, dtype="str") for name, values in zip(header, columns)})
    return frame.where(frame != "")


# ------------------------------------------------------------- parsing columns

_PARSE_MESSAGES = {
    "date": "not a valid date (expected YYYY-MM-DD)",
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not true or false",
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


def _parse_column(
    values: pd.Series, kind: str, nullable: bool
) -> tuple[pd.Series, np.ndarray | None, np.ndarray | None, pd.Series | None]:
    """Parse one text column to ``kind``.

    Returns the typed column (failed cells hold a neutral filler: first valid
    date, 0, NaN or False), a mask of cells that could not be parsed, a mask of
    missing cells when the column is a required count or flag (they become 0
    or False), and the distinct parsed values. The masks are None when empty.

    Dates, counts and codes repeat a lot, so each distinct text is parsed once
    and the result spread back over the rows by position; the distinct values
    let the element-wise rules run once per value too.
    """
    if kind == "str":
        return values, None, None, None
    codes, uniques = pd.factorize(values)
    parsed, bad = _parse_values(pd.Series(uniques, dtype=values.dtype), kind)
    bad_distinct = bad.to_numpy(dtype=bool)
    distinct = parsed[~bad_distinct].dropna().reset_index(drop=True)
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
        distinct = distinct.astype(typed.dtype)
    bad_cells = np.append(bad_distinct, False)[codes] if bad_distinct.any() else None
    return typed, bad_cells, mask_missing, distinct


_FILLERS = {"date": np.datetime64("2020-01-01", "ns"), "int": 0, "float": np.nan, "bool": False}


class _call:
    """Run now, with the interface of a finished :class:`Future` (for running without a pool)."""

    def __init__(self, fn, *args):
        self._value = fn(*args)

    def result(self):
        return self._value


def _typed(
    schema: pa.DataFrameSchema, raw: pd.DataFrame, pool: ThreadPoolExecutor | None = None
) -> tuple[pd.DataFrame, list[tuple], dict[str, pd.Series]]:
    """Parse every column to its declared type; failed cells get a neutral filler.

    The filler (first valid date, 0, False) keeps the row checkable by the
    other rules, so one pass reports every problem; the parse failure itself
    is recorded here and the filled cell's own pandera failures are ignored.
    Also returns, per parsed column, its distinct values (for :func:`_all_valid`).
    With a ``pool``, columns are parsed in its threads (the hashing that finds
    distinct values runs in pyarrow, without the GIL).
    """
    out, failures, distinct = {}, [], {}
    jobs = {
        name: (pool.submit if pool else _call)(_parse_column, raw[name], column_kind(column.dtype), column.nullable)
        for name, column in schema.columns.items()
    }
    for name, column in schema.columns.items():
        kind = column_kind(column.dtype)
        parsed, bad, missing, values = jobs[name].result()
        if bad is not None:
            for idx in raw.index[bad]:
                failures.append((idx, name, raw.at[idx, name], f"parse_{kind}", _PARSE_MESSAGES[kind]))
        if missing is not None:
            for idx in raw.index[missing]:
                failures.append((idx, name, None, "not_nullable", "missing value (required)"))
        out[name] = parsed
        if values is not None:
            distinct[name] = values
    # copy=False: no copying the columns into one block per type (a million rows).
    return pd.DataFrame(out, index=raw.index, copy=False), failures, distinct


# ------------------------------------------------------------ checking values
#
# pandera is the authority on what is valid and on how failures are reported,
# but a lazy pandera run over a million rows costs seconds. So a clean file is
# first checked here with the same Check objects on whole columns (and
# pyarrow's RE2 for patterns Python's re would run row by row). Only when this
# says "maybe invalid" does pandera run, to find and describe each failure.
# The direction that matters is safe by construction: this returns True only
# when every rule pandera would apply holds.

#: Every character Python's ``\s`` matches in a str pattern (none lie above U+3000).
_PY_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_RE2_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE)
#: The same for text known to be ASCII: a much smaller automaton for RE2.
_RE2_ASCII_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE if ord(c) < 128)
#: Constructs whose meaning differs between Python's re and RE2, or that RE2 lacks.
_NOT_PORTABLE = re.compile(r"\\[dDwWbBAZuUNx0-9]|\(\?[^:]|\[:|\[\^?\]")
_ELEMENTWISE = {
    "isin", "notin", "str_matches", "str_contains", "str_startswith", "str_endswith", "str_length",
    "greater_than", "greater_than_or_equal_to", "less_than", "less_than_or_equal_to", "in_range",
    "equal_to", "not_equal_to",
}


def _arrow_regex(pattern: str, ascii_only: bool = False) -> str | None:
    r"""An RE2 pattern that matches (from the start) exactly where ``re.match(pattern)`` does.

    Python's ``\s`` covers Unicode spaces and its ``$`` also matches before a
    final newline; RE2 differs in both, so both are spelled out (only the
    ASCII spaces when ``ascii_only``, for text known to be ASCII). Anything
    else that could differ gives ``None`` and the caller uses Python's re.

    Examples
    --------
    >>> print(_arrow_regex(r"^a[^\s;]+$", ascii_only=True))
    ^(?:^a[^\x{9}\x{a}\x{b}\x{c}\x{d}\x{1c}\x{1d}\x{1e}\x{1f}\x{20};]+\n?$)
    >>> _arrow_regex(r"^\w+$") is None
    True
    """
    if _NOT_PORTABLE.search(pattern):
        return None
    space = _RE2_ASCII_SPACE if ascii_only else _RE2_SPACE
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            if escape == "\\s":
                out.append(space if in_class else f"[{space}]")
            elif escape == "\\S":
                if in_class:
                    return None
                out.append(f"[^{space}]")
            else:
                out.append(escape)
            i += 2
            continue
        if in_class:
            if char == "[":
                return None
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            if i != len(pattern) - 1:
                return None
            out.append("\\n?$")
            i += 1
            continue
        out.append(char)
        i += 1
    return None if in_class else f"^(?:{''.join(out)})"


def _arrow_text(series: pd.Series) -> pyarrow.Array | pyarrow.ChunkedArray | None:
    """The pyarrow data behind a text column (no copy), or None if it has none."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return pyarrow.array(series.array)
    return None


def _has_arrow_form(check: pa.Check) -> bool:
    """Whether :func:`_arrow_passes` can run this rule (a builtin text rule ignoring missing values)."""
    if not check.ignore_na:
        return False
    if check.name in ("isin", "str_length"):
        return True
    return check.name == "str_matches" and _arrow_regex(str(check.statistics["pattern"])) is not None


def _arrow_passes(check: pa.Check, text) -> bool:
    """A builtin text rule run by pyarrow on every non-missing value (see :func:`_has_arrow_form`).

    Missing values give missing results, which ``pc.all`` skips: pandera
    ignores missing values in these rules too (their ``ignore_na``).
    """
    stats = check.statistics
    if check.name == "isin":
        allowed = pyarrow.array([str(v) for v in stats["allowed_values"]], type=pyarrow.large_string())
        # is_in says False for a missing value; pandera skips those.
        return pc.all(pc.or_(pc.is_in(text, value_set=allowed), pc.is_null(text))).as_py() is not False
    if check.name == "str_length":
        lengths = pc.min_max(pc.utf8_length(text)).as_py()
        if lengths["min"] is None:
            return True
        low, high = stats.get("min_value"), stats.get("max_value")
        return (low is None or lengths["min"] >= low) and (high is None or lengths["max"] <= high)
    if str(stats["pattern"]) == PLAIN_TEXT_PATTERN and not _may_contain(text, ord("<")):
        return True  # no '<' anywhere: plain text, found without running the regex
    ascii_only = pc.all(pc.string_is_ascii(text)).as_py() is not False
    return pc.all(pc.match_substring_regex(text, _arrow_regex(str(stats["pattern"]), ascii_only))).as_py() is not False


def _may_contain(text, byte: int) -> bool:
    """Whether any value may hold ``byte``, looking at the raw value buffers (no per-value work)."""
    chunks = text.chunks if isinstance(text, pyarrow.ChunkedArray) else [text]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is not None and bool(np.any(np.frombuffer(data, dtype=np.uint8) == byte)):
            return True
    return False


def _text_checks(schema: pa.DataFrameSchema, raw: pd.DataFrame) -> dict[tuple[str, int], Callable[[], bool]]:
    """The text rules pyarrow can run by itself, keyed by column and rule position.

    Text columns are not changed by parsing, so these can run on the raw
    frame, in worker threads (pyarrow releases the GIL), while the other
    columns are parsed.
    """
    out = {}
    for name, column in schema.columns.items():
        text = _arrow_text(raw[name]) if column_kind(column.dtype) == "str" else None
        if text is None:
            continue
        for i, check in enumerate(column.checks):
            if _has_arrow_form(check):
                out[(name, i)] = functools.partial(_arrow_passes, check, text)
    return out


def _all_valid(
    schema: pa.DataFrameSchema,
    typed: pd.DataFrame,
    distinct: dict[str, pd.Series],
    started: dict[tuple[str, int], Future] | None = None,
) -> bool:
    """True only when pandera would accept ``typed`` as it is.

    ``distinct`` holds each parsed column's distinct non-missing values:
    element-wise rules give the same answer on those as on every row.
    ``started`` holds rules already running elsewhere (see :func:`_text_checks`).
    Rules are run from the model's Check objects without pandera's
    machinery, which costs more than the rules on a million rows.
    """
    started = started or {}
    for name, column in schema.columns.items():
        series = typed[name]
        if column_kind(column.dtype) == "str" and not str(column.dtype).startswith("str"):
            return False  # pandera would still coerce this column
        if not column.nullable and series.hasnans:
            return False
        if column.unique and not _is_unique(series):
            return False
        text, present = _arrow_text(series), distinct.get(name)
        for i, check in enumerate(column.checks):
            if (name, i) in started:
                continue
            if text is not None and _has_arrow_form(check):
                ok = _arrow_passes(check, text)
            else:
                if present is None:
                    present = series.dropna()  # pandera drops missing values before a column rule
                ok = _values_pass(check, present)
            if not ok:
                return False
    unique = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    if len(unique) == 1 and not _is_unique(typed[unique[0]]):
        return False
    if len(unique) > 1 and typed.duplicated(subset=unique).any():
        return False
    for check in schema.checks:
        if check.groupby is not None or not _all_true(check._check_fn(typed)):
            return False
    return all(future.result() for future in started.values())


_COMPARISONS = {
    "greater_than_or_equal_to": ("min_value", np.greater_equal),
    "greater_than": ("min_value", np.greater),
    "less_than_or_equal_to": ("max_value", np.less_equal),
    "less_than": ("max_value", np.less),
    "equal_to": ("value", np.equal),
    "not_equal_to": ("value", np.not_equal),
}


def _values_pass(check: pa.Check, values: pd.Series) -> bool:
    """One column rule on its non-missing values; unknown kinds of rule say False (ask pandera)."""
    if check.groupby is not None or not check.ignore_na:
        return False
    stats = check.statistics or {}
    if check.name in _COMPARISONS:
        key, compare = _COMPARISONS[check.name]
        return bool(compare(values, stats[key]).all())
    if check.name == "isin":
        return bool(values.isin(list(stats["allowed_values"])).all())
    if check.name == "notin":
        return not bool(values.isin(list(stats["forbidden_values"])).any())
    if check.name in _ELEMENTWISE:
        return False  # a builtin this shortcut does not know: pandera decides
    return _all_true(check._check_fn(values))


def _all_true(output) -> bool:
    if isinstance(output, (bool, np.bool_)):
        return bool(output)
    if isinstance(output, pd.DataFrame):
        output = output.all(axis=1)
    return isinstance(output, pd.Series) and output.dtype == bool and bool(output.all())


def _is_unique(series: pd.Series) -> bool:
    # A key kept in order, as curated lists are, is unique when it strictly
    # increases: one comparison per row instead of hashing every value.
    values = series.array
    if len(values) > 1 and not series.isna().any():
        try:
            if np.asarray(values[1:] > values[:-1], dtype=bool).all():
                return True
        except TypeError:
            pass
    return series.is_unique


def _check_message(check: str) -> str:
    if check in _CHECK_MESSAGES:
        return _CHECK_MESSAGES[check]
    if check.startswith("isin("):
        return "not an allowed value: " + check[len("isin(") : -1]
    if check.startswith("greater_than_or_equal_to("):
        return "must be >= " + check[len("greater_than_or_equal_to(") : -1]
    if check.startswith("less_than_or_equal_to("):
        return "must be <= " + check[len("less_than_or_equal_to(") : -1]
    if check == f"str_matches('{PLAIN_TEXT_PATTERN}')":
        return "looks like HTML markup ('<' before a letter, '/', '!' or '?'); write plain text"
    if check.startswith("str_matches("):
        return "does not match the required pattern " + check[len("str_matches(") : -1]
    if check.startswith("str_length("):
        return "text length out of range " + check[len("str_length(") : -1]
    return f"failed check {check}"


_CHECK_MESSAGES = {
    "not_nullable": "missing value (required)",
    "field_uniqueness": "duplicated value (must be unique)",
    "multiple_fields_uniqueness": "duplicated value (must be unique)",
    "not_in_future": "date is in the future",
    "lat_lon_pair_in_region": "latitude and longitude must both be present and inside "
    "Iraq, Syria or Jordan, or both be empty",
    "window_start_not_after_as_of": "window_start is after as_of",
    "in_gazetteer": "location is not a site in locations.csv",
}


def _pandera_failures(schema: pa.DataFrameSchema, typed: pd.DataFrame, raw: pd.DataFrame) -> list[tuple]:
    try:
        schema.validate(typed, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    failures, seen = [], set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = case.column if case.column in raw.columns else None
        idx = case.index
        if check in CHECK_COLUMNS and idx is not None and not pd.isna(idx):
            # pandera reports a frame-wide check once per column; report it once per row.
            if (idx, check) in seen:
                continue
            seen.add((idx, check))
            names = CHECK_COLUMNS[check]
            value = ", ".join(f"{n}={raw.at[int(idx), n]}" for n in names)
            failures.append((int(idx), "/".join(names), value, check, _check_message(check)))
            continue
        if idx is None or pd.isna(idx):
            failures.append((None, column, case.failure_case, check, _check_message(check)))
            continue
        idx = int(idx)
        value = raw.at[idx, column] if column else None
        failures.append((idx, column, value, check, _check_message(check)))
    return failures


# ------------------------------------------------------------------ the loader


def _raw_frame(
    source: _Source, header: list[str], arrow: tuple[pyarrow.Table, int] | None, records: _Records | None
) -> pd.DataFrame:
    """The data rows as text; pyarrow's reading unless the csv module saw other records."""
    if arrow is not None:
        table, skipped = arrow
        expected_rows = len(records.lines) if records else table.num_rows
        expected_skips = len(records.broken) if records else 0
        if records and records.broken and records.broken[-1][2] == "open quote":
            if len(records.broken[-1][1]) == len(header):
                # pyarrow kept the cut-off last record as a row; it is reported instead.
                expected_rows, expected_skips = expected_rows + 1, expected_skips - 1
        if table.num_rows == expected_rows and skipped == expected_skips:
            if records is not None:
                table = table.slice(0, len(records.lines))
            return table.to_pandas()
    if records is None:
        records = _Records(source.path, source.text, len(header))
    return _frame_from_records(source.path, source.text, header, records)


def _with_optional(raw: pd.DataFrame, optional: frozenset[str]) -> pd.DataFrame:
    """Add the optional columns the file leaves out, empty."""
    for name in optional:
        if name not in raw:
            raw[name] = pd.Series(pd.NA, index=raw.index, dtype="str")
    return raw


def _failure_frame(
    path: Path, header: list[str], failures: list[tuple], records: _Records
) -> tuple[pd.DataFrame, bool]:
    """Failures with their lines, sorted; and whether one concerns the file as a whole."""
    lines = records.lines
    frame = pd.DataFrame(failures, columns=["row", "column", "value", "check", "message"])
    frame["line"] = [
        lines[int(r)] if pd.notna(r) and int(r) < len(lines) else (1 if pd.isna(r) else None)
        for r in frame["row"]
    ]
    whole_file = bool(frame["row"].isna().any())
    broken = pd.DataFrame(
        [(None, *_broken_failure(header, fields, problem), line) for line, fields, problem in records.broken],
        columns=["row", "column", "value", "check", "message", "line"],
    )
    if len(broken):
        frame = pd.concat([frame, broken], ignore_index=True) if len(frame) else broken
    frame["file"] = str(path)
    frame["value"] = frame["value"].map(_short)
    frame = frame.sort_values(["line", "column"], na_position="first", kind="stable")
    return frame, whole_file


def _excluded_rows(frame: pd.DataFrame, raw: pd.DataFrame, header: list[str], records: _Records) -> pd.DataFrame:
    """The invalid rows as read, each with its line and every reason it failed."""
    text = frame["column"].fillna("") + ": " + frame["message"]
    in_raw = frame["row"].notna()
    reasons = text[in_raw].groupby(frame.loc[in_raw, "row"].astype(int)).agg("; ".join)
    rows = raw.loc[reasons.index].copy()
    rows["line"] = [records.lines[i] for i in reasons.index]
    rows["reason"] = reasons.to_numpy()
    broken = pd.DataFrame(
        [dict(zip(header, fields)) for _, fields, _ in records.broken], columns=list(raw.columns), dtype="str"
    )
    broken["line"] = [line for line, _, _ in records.broken]
    broken["reason"] = text[~in_raw].to_numpy()  # one failure per broken record, in line order
    parts = [part for part in (rows, broken) if len(part)]
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return out.sort_values("line", kind="stable").reset_index(drop=True)


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
    is parsed once, and the model's checks run on whole columns. Line numbers
    are worked out (with Python's csv module) only when something failed.

    Examples
    --------
    >>> df = read_validated("data/tallies.csv", "tallies")  # doctest: +SKIP
    """
    if errors not in ("raise", "exclude"):
        raise ValueError(f"errors must be 'raise' or 'exclude', not {errors!r}")
    path = Path(path)
    schema = SCHEMAS[kind].to_schema()
    for column, check in (extra_checks or {}).items():
        schema = schema.update_column(column, checks=[*schema.columns[column].checks, check])
    source = _open(path)
    optional = OPTIONAL_COLUMNS.get(kind, frozenset())
    header = _check_header(path, _header_line(source), list(schema.columns), optional)
    quotes = source.quote_count()
    arrow = _arrow_read(source, header, quoted=quotes > 0)
    records = None
    # An odd number of quote characters: a quoted field may run to the end of
    # the file, which neither reader reports by itself.
    if arrow is None or arrow[1] or quotes % 2:
        records = _Records(path, source.text, len(header))
    raw = _with_optional(_raw_frame(source, header, arrow, records), optional)
    if raw.empty and not (records and records.broken):
        raise _fatal(path, 1, None, None, "header only: the file has no data rows", "not_empty")
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        started = {key: pool.submit(rule) for key, rule in _text_checks(schema, raw).items()}
        typed, failures, distinct = _typed(schema, raw, pool)
        clean = not failures and not (records and records.broken) and _all_valid(schema, typed, distinct, started)
        for future in started.values():
            future.cancel()

    excluded = pd.DataFrame(columns=[*raw.columns, "line", "reason"])
    if not clean:
        if records is None:
            records = _Records(path, source.text, len(header))
            if records.broken or len(records.lines) != len(raw):
                # The two readers disagree about the records: trust the one that knows lines.
                raw = _with_optional(_raw_frame(source, header, None, records), optional)
                typed, failures, distinct = _typed(schema, raw)
        parsed_cells = {(f[0], f[1]) for f in failures}
        failures += [f for f in _pandera_failures(schema, typed, raw) if (f[0], f[1]) not in parsed_cells]
        frame, whole_file = _failure_frame(path, header, failures, records)
        if len(frame) and (errors == "raise" or whole_file):
            raise DataValidationError(frame[FAILURE_COLUMNS])
        if len(frame):
            excluded = _excluded_rows(frame, raw, header, records)
            bad_rows = frame["row"].dropna().astype(int).unique()
            typed = typed.drop(index=bad_rows)
            warnings.warn(
                f"{path}: excluded {len(excluded)} of {len(raw) + len(records.broken)} rows that failed "
                "validation; see df.attrs['excluded']",
                DataQualityWarning,
                stacklevel=3,
            )
        result = schema.validate(typed.reset_index(drop=True)) if len(typed) else typed.reset_index(drop=True)
    else:
        result = typed.reset_index(drop=True)
    result.attrs["excluded"] = excluded.reset_index(drop=True)
    result.attrs["source"] = str(path)
    log.debug("loaded %s: %d rows, %d excluded", path, len(result), len(excluded))
    return result


def _in_order(df: pd.DataFrame, keys: list[str]) -> bool:
    """Whether every row is <= the next by ``keys``, compared column by column."""
    undecided = np.ones(len(df) - 1, dtype=bool)
    for key in keys:
        values = df[key].array
        after, before = values[1:], values[:-1]
        greater = np.asarray(after > before, dtype=bool)
        equal = np.asarray(after == before, dtype=bool)
        if (undecided & ~greater & ~equal).any():
            return False
        undecided &= equal
    return True


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``df`` sorted by ``keys`` (stable), skipping the sort for a file already in order."""
    if len(df) < 2 or (not df[keys].isna().to_numpy().any() and _in_order(df, keys)):
        out = df.reset_index(drop=True)
    else:
        out = df.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs.update(df.attrs)
    return out


def read_csv_text(path: str | os.PathLike, required: list[str]) -> pd.DataFrame:
    """Every column of a CSV in another layout (e.g. an ACLED export) as text.

    The same fast, careful reading as :func:`read_validated` (UTF-8 checked,
    quoted newlines kept, empty cells missing), without a schema: ``required``
    columns must be in the header, others are kept as they are.

    Parameters
    ----------
    path : path-like
        The CSV file.
    required : list of str
        Columns that must be present.

    Raises
    ------
    DataValidationError
        Not UTF-8, empty, a required column missing or duplicated (line 1), or
        a record with the wrong number of fields (its line).

    Examples
    --------
    >>> raw = read_csv_text("acled.csv", ["event_id_cnty", "notes"])  # doctest: +SKIP
    """
    path = Path(path)
    source = _open(path)
    header = [h.strip() for h in next(csv.reader(io.StringIO(_header_line(source))))]
    problems = [(name, "duplicated column") for i, name in enumerate(header) if name in header[:i]]
    problems += [(name, "missing column") for name in required if name not in header]
    if problems:
        raise DataValidationError(
            pd.DataFrame([[str(path), 1, c, None, "header", m] for c, m in problems], columns=FAILURE_COLUMNS)
        )
    quotes = source.quote_count()
    arrow = _arrow_read(source, header, quoted=quotes > 0)
    if arrow is not None and not arrow[1] and not quotes % 2:
        return arrow[0].to_pandas()
    records = _Records(path, source.text, len(header))
    if records.broken:
        rows = [
            [str(path), line, *_broken_failure(header, fields, problem)]
            for line, fields, problem in records.broken
        ]
        raise DataValidationError(pd.DataFrame(rows, columns=FAILURE_COLUMNS))
    return _raw_frame(source, header, arrow, records)


def save_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a data frame so that the loaders read back exactly the same frame.

    UTF-8, ``\\n`` line ends, dates as ``YYYY-MM-DD``, missing values as empty
    cells. Python's csv writer does not quote a text holding a bare carriage
    return when lines end in ``\\n``, and every reader would then split the row
    there; when any text holds one, every text cell is quoted instead.

    Parameters
    ----------
    frame : pandas.DataFrame
        E.g. the result of :func:`load_incidents`.
    path : path-like
        The CSV file to write (its folder is created).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> save_csv(load_incidents(), "incidents_copy.csv")  # doctest: +SKIP
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_datetime64_any_dtype(frame[c])]
    has_cr = any(frame[c].astype("str").str.contains("\r", regex=False).any() for c in text)
    frame.to_csv(
        path,
        index=False,
        date_format="%Y-%m-%d",
        lineterminator="\n",
        encoding="utf-8",
        quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL,
    )
    return path


# -------------------------------------------------- files larger than memory


def count_by_day_streaming(
    path: str | os.PathLike,
    locations: str | os.PathLike | pd.DataFrame | None = None,
    block_size: int = 1 << 22,
) -> pd.Series:
    """Incidents per day in a file too large for memory, validated block by block.

    pyarrow's streaming CSV reader hands the file over in blocks of about
    ``block_size`` bytes; each block goes to Polars, is parsed, and is
    validated with pandera's Polars backend against the same rules as
    :class:`IncidentSchema` (types, required cells, vocabularies, patterns,
    ranges, dates not in the future, coordinates in the region, and the
    gazetteer when ``locations`` is given); ids are checked unique across
    blocks, and only the daily counts are kept. Memory holds one block plus
    the ids seen. Needs the optional ``polars`` dependency
    (``pip install 'analysis[scale]'``).

    Unlike :func:`load_incidents` it cannot name CSV lines (records are
    numbered instead: line = record + 1 when no field spans lines), nor keep
    the valid rows of a bad file: use it to count, and ``load_incidents`` to
    find and fix problems.

    Parameters
    ----------
    path : path-like
        An incidents CSV.
    locations : path-like or DataFrame, optional
        Gazetteer to check ``location`` against; by default none.
    block_size : int
        Bytes per block.

    Returns
    -------
    pandas.Series
        Incidents per ``event_date`` (only days with incidents), named
        ``incidents``; equal to ``load_incidents(path).groupby("event_date").size()``.

    Raises
    ------
    DataValidationError
        Any rule fails in any block (every failure listed, line unknown).
    ImportError
        Polars is not installed.

    Examples
    --------
    >>> count_by_day_streaming("huge_incidents.csv").tail(3)  # doctest: +SKIP
    """
    try:
        import pandera.polars as pap
        import polars as pl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("count_by_day_streaming needs polars: pip install 'analysis[scale]'") from exc
    path = Path(path)
    schema = SCHEMAS["incidents"].to_schema()
    optional = OPTIONAL_COLUMNS.get("incidents", frozenset())
    header = _check_header(path, _first_line(path), list(schema.columns), optional)
    sites = None
    if locations is not None:
        sites = (locations if isinstance(locations, pd.DataFrame) else load_locations(locations))["location"]
    polars_schema = _polars_schema(schema, sites, pl, pap)
    parse = {
        "date": lambda c: c.str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        "int": lambda c: c.str.strip_chars().cast(pl.Int64, strict=False),
        "float": lambda c: c.str.strip_chars().cast(pl.Float64, strict=False),
        "bool": lambda c: c.str.strip_chars().str.to_lowercase().replace_strict(
            {"true": True, "false": False}, default=None, return_dtype=pl.Boolean),
        "str": lambda c: c,
    }
    kinds = {name: column_kind(column.dtype) for name, column in schema.columns.items()}
    broken = []
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=block_size),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=lambda row: broken.append(row.text) or "skip"
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pyarrow.large_string() for name in header}, null_values=[""],
            strings_can_be_null=True, quoted_strings_can_be_null=True,
        ),
    )
    failures, counts, seen, record = [], {}, set(), 1
    while True:
        try:
            block = reader.read_next_batch()
        except StopIteration:
            break
        except pyarrow.ArrowInvalid as exc:
            message = f"cannot read past data record {record}: {exc}; run validate for the line"
            failures.append([str(path), None, None, None, "csv_syntax", message])
            break
        batch = pl.from_arrow(block).with_row_index("_record", offset=record)
        batch = batch.with_columns(
            [pl.lit(None, dtype=pl.String).alias(name) for name in sorted(optional) if name not in header]
        )
        record += block.num_rows
        batch = batch.with_columns(
            [parse[kind](pl.col(name)).alias(name) for name, kind in kinds.items()]
            + [pl.col(name).alias(f"{name}__text") for name, kind in kinds.items() if kind != "str"]
        )
        failures += _polars_batch_failures(path, batch, kinds, polars_schema, pl, pap)
        ids = batch["event_id"].drop_nulls().to_list()
        block_ids = set(ids)
        repeated = block_ids & seen
        if len(block_ids) < len(ids):
            repeated |= {i for i, n in Counter(ids).items() if n > 1}
        failures += [[str(path), None, "event_id", _short(i), "field_uniqueness",
                      "duplicated value (must be unique)"] for i in sorted(repeated)]
        seen |= block_ids
        for day, n in batch.group_by("event_date").len().iter_rows():
            counts[day] = counts.get(day, 0) + n
    failures += [[str(path), None, None, _short(text), "field_count",
                  f"a record has {len(next(csv.reader([text])))} fields, expected {len(header)}"]
                 for text in broken]
    if failures:
        raise DataValidationError(pd.DataFrame(failures, columns=FAILURE_COLUMNS))
    days = sorted(counts)
    return pd.Series(
        [counts[d] for d in days], index=pd.DatetimeIndex(days, name="event_date").astype("datetime64[ns]"),
        name="incidents", dtype="int64",
    )


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return re.split(r"\r\n?|\n", f.readline(), maxsplit=1)[0]
    except FileNotFoundError:
        raise _fatal(path, None, None, None, "file not found", "file_exists") from None
    except UnicodeDecodeError:
        raise _fatal(path, 1, None, None, "not valid UTF-8; save the file as UTF-8", "utf8") from None


def _polars_schema(schema: pa.DataFrameSchema, sites, pl, pap):
    """The pandas model's rules as a pandera Polars schema (one batch at a time)."""
    dtypes = {"date": pl.Date, "int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "str": pl.String}
    today = dt.date.today()
    allowed = sorted(set(sites)) if sites is not None else None
    columns = {}
    for name, column in schema.columns.items():
        checks = []
        for check in column.checks:
            if check.name == "not_in_future":
                checks.append(pap.Check(lambda d: d.lazyframe.select(pl.col(d.key) <= today), name="not_in_future"))
            elif check.name in ("greater_than_or_equal_to", "less_than_or_equal_to"):
                bound = check.statistics["min_value" if "greater" in check.name else "max_value"]
                bound = bound.date() if isinstance(bound, pd.Timestamp) else bound
                maker = pap.Check.ge if "greater" in check.name else pap.Check.le
                checks.append(maker(bound))
            elif check.name in _ELEMENTWISE:
                checks.append(check)
        if name == "location" and allowed is not None:
            checks.append(pap.Check(lambda d: d.lazyframe.select(pl.col(d.key).is_in(allowed)), name="in_gazetteer"))
        columns[name] = pap.Column(dtypes[column_kind(column.dtype)], checks=checks, nullable=column.nullable)

    def lat_lon(data):
        lat, lon = pl.col("latitude"), pl.col("longitude")
        inside = lat.is_between(REGION_BBOX["lat_min"], REGION_BBOX["lat_max"]) & lon.is_between(
            REGION_BBOX["lon_min"], REGION_BBOX["lon_max"]
        )
        return data.lazyframe.select((lat.is_null() & lon.is_null()) | inside.fill_null(False))

    return pap.DataFrameSchema(columns, checks=[pap.Check(lat_lon, name="lat_lon_pair_in_region")])


def _polars_batch_failures(path: Path, batch, kinds: dict[str, str], schema, pl, pap) -> list[list]:
    """Every rule one block breaks, as rows of :data:`FAILURE_COLUMNS` (no line numbers)."""
    failures, unparsed = [], set()
    for name, kind in kinds.items():
        if kind == "str":
            continue
        bad = batch.filter(pl.col(f"{name}__text").is_not_null() & pl.col(name).is_null())
        for record, value in bad.select("_record", f"{name}__text").iter_rows():
            unparsed.add((name, record))
            failures.append([str(path), None, name, _short(value), f"parse_{kind}",
                             f"{_PARSE_MESSAGES[kind]} (data record {record})"])
    data = batch.select(list(kinds))
    try:
        schema.validate(data, lazy=True)
    except pap.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        records = batch["_record"].to_list()
        for case in cases.iter_rows(named=True):
            index, column = case.get("index"), case.get("column")
            record = records[index] if index is not None else None
            if (column, record) in unparsed:
                continue  # already reported as unparseable (it is missing now)
            check = str(case.get("check"))
            value = case.get("failure_case")
            if check in CHECK_COLUMNS and index is not None:
                # A frame-wide rule: name its columns and their values, as load_incidents does.
                names = CHECK_COLUMNS[check]
                column = "/".join(names)
                value = ", ".join(f"{n}={batch[n][index]}" for n in names)
            where = f" (data record {record})" if record is not None else ""
            failures.append([str(path), None, column, _short(value), check, _check_message(check) + where])
    return failures


def _default(path, name: str) -> Path:
    return Path(path) if path is not None else data_dir() / f"{name}.csv"


def load_locations(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load the gazetteer of sites (``data/locations.csv``).

    Examples
    --------
    >>> sites = load_locations()  # doctest: +SKIP
    """
    return read_validated(_default(path, "locations"), "locations", errors)


def load_incidents(
    path: str | os.PathLike | None = None,
    errors: Errors = "raise",
    locations: str | os.PathLike | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load and validate the incident list.

    Every ``location`` must be a site of the gazetteer: by default
    ``locations.csv`` beside the incidents file (the check is skipped, with a
    :class:`DataQualityWarning`, when there is none).

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/incidents.csv``.
    errors : {"raise", "exclude"}
        See :func:`read_validated`.
    locations : path-like or DataFrame, optional
        The gazetteer to check ``location`` against.

    Examples
    --------
    >>> incidents = load_incidents()  # doctest: +SKIP
    >>> incidents.groupby("country").size()  # doctest: +SKIP
    """
    path = _default(path, "incidents")
    extra = _gazetteer_check(path, locations)
    df = _sorted(read_validated(path, "incidents", errors, extra), ["event_date", "event_id"])
    from analysis.config import coverage_for_file

    df.attrs["coverage"] = coverage_for_file(path, df)
    return df


def _gazetteer_check(
    path: Path, locations: str | os.PathLike | pd.DataFrame | None = None
) -> dict[str, pa.Check]:
    """The extra check that every incident's location is a gazetteer site."""
    if locations is None:
        candidate = Path(path).parent / "locations.csv"
        if not candidate.exists():
            warnings.warn(
                f"{path}: no locations.csv beside it; the gazetteer check was skipped",
                DataQualityWarning,
                stacklevel=3,
            )
            return {}
        locations = candidate
    if not isinstance(locations, pd.DataFrame):
        locations = load_locations(locations)
    sites = set(locations["location"])
    return {"location": pa.Check(lambda s: s.isin(sites), name="in_gazetteer")}


def load_tallies(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load the official and other public counts of attacks (``data/tallies.csv``).

    Examples
    --------
    >>> tallies = load_tallies()  # doctest: +SKIP
    """
    df = read_validated(_default(path, "tallies"), "tallies", errors)
    return _sorted(df, ["as_of", "tally_id"])


def load_context_events(
    path: str | os.PathLike | None = None, errors: Errors = "raise"
) -> pd.DataFrame:
    """Load the dated context events analysts annotate (``data/context_events.csv``).

    Examples
    --------
    >>> events = load_context_events()  # doctest: +SKIP
    """
    df = read_validated(_default(path, "context_events"), "context_events", errors)
    return _sorted(df, ["event_date", "label"])


def load_periods(path: str | os.PathLike | None = None) -> list[Period]:
    """Load the named analysis periods from ``data/periods.toml``.

    Examples
    --------
    >>> [p.name for p in load_periods()]  # doctest: +SKIP
    ['campaign_2020', 'escalation_2021', 'calm', 'surge', ...]
    """
    path = Path(path) if path is not None else data_dir() / "periods.toml"
    try:
        return read_periods(path)
    except ValueError as exc:
        line = getattr(exc, "line", None)
        raise _fatal(path, line, getattr(exc, "column", None), None, str(exc), "periods") from None


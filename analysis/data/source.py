"""Reading a data file: mapped into memory, checked to be UTF-8, its header checked, read by pyarrow.

The fast path reads with pyarrow's multi-threaded CSV reader, every column as
text, and never builds a Python object per row. Python's csv module
(:mod:`analysis.data.lines`) runs only when something is wrong.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.csv as pacsv

from analysis.data.failures import FAILURE_COLUMNS, fatal, short
from analysis.errors import DataValidationError

_HEAD_BYTES = 1 << 16
#: Bytes scanned at a time, to keep temporaries small.
SCAN_BYTES = 1 << 24
_BOM = b"\xef\xbb\xbf"


class Source:
    """A data file mapped into memory, not copied; Python bytes and text are made only on demand.

    The csv-module fallback needs them (to name lines in odd files); a clean
    load, and a load of an ordinary file with bad rows, never does.
    """

    def __init__(self, path) -> None:
        self.path = path
        try:
            self.buffer = pyarrow.memory_map(str(path)).read_buffer()
        except FileNotFoundError:
            raise fatal(path, None, None, None, "file not found", "file_exists") from None
        except OSError as exc:
            raise fatal(path, None, None, None, f"cannot read the file: {exc}", "file_exists") from None
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

    def bytes_view(self) -> np.ndarray:
        """The file (after any byte-order mark) as a numpy view of its bytes, without a copy."""
        return np.frombuffer(self.body(), dtype=np.uint8)

    def quote_count(self) -> int:
        """How many '"' the file holds, counted in slices to keep temporaries small."""
        values = self.bytes_view()
        quote = ord('"')
        return sum(
            int(np.count_nonzero(values[i : i + SCAN_BYTES] == quote))
            for i in range(0, len(values), SCAN_BYTES)
        )


def open_source(path) -> Source:
    """Map the file; check it is UTF-8 and not blank, naming the line of a bad byte."""
    source = Source(path)
    if not _is_utf8(source.buffer):
        try:
            source.text  # noqa: B018 - decoding is the check
        except UnicodeDecodeError as exc:
            _raise_not_utf8(path, source.data, source.start, source.start + exc.start)
    head = source.head(_HEAD_BYTES).decode("utf-8", "ignore")
    if not head.strip() and not source.text.strip():
        raise fatal(path, 1, None, None, "file is empty: expected a header line", "not_empty")
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


def _raise_not_utf8(path, raw: bytes, start: int, bad_at: int):
    line_start = raw.rfind(b"\n", start, bad_at) + 1 or start
    line = raw.count(b"\n", start, bad_at) + 1
    header_end = raw.find(b"\n", start)
    header = (
        raw[start : header_end if header_end >= 0 else len(raw)].decode("utf-8", "replace").strip().split(",")
    )
    field = raw[line_start:bad_at].count(b",")
    column = header[field] if field < len(header) else None
    bad = raw[bad_at : bad_at + 1].hex()
    raise fatal(
        path, line, column, None, f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8", "utf8"
    ) from None


def header_line(source: Source) -> str:
    """The first line of the file, whatever its line end."""
    head = source.head(_HEAD_BYTES)
    if b"\n" not in head and b"\r" not in head:
        head = source.data[source.start :]
    # Lines may end in \n, \r\n or (old Mac) a lone \r.
    return re.split(rb"\r\n?|\n", head, maxsplit=1)[0].decode("utf-8")


def check_header(path, text: str, expected: list[str], optional=frozenset()) -> list[str]:
    """The header's column names; raises listing every missing, unexpected or duplicated one."""
    try:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0], newline="")))
    except csv.Error as exc:
        raise fatal(path, 1, None, None, f"malformed CSV header: {exc}", "csv_syntax") from None
    header = [h.strip() for h in header]
    problems: list[tuple[str | None, str | None, str]] = []
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        problems.append((None, header[0][:40], "wrong delimiter: columns must be separated by ','"))
    else:
        seen = set()
        for name in header:
            if name in seen:
                problems.append((name, None, "duplicated column"))
            seen.add(name)
        problems += [
            (n, None, f"unexpected column (expected one of {expected})") for n in header if n not in expected
        ]
        problems += [(n, None, "missing column") for n in expected if n not in header and n not in optional]
    if problems:
        raise DataValidationError(
            pd.DataFrame(
                [[str(path), 1, c, short(v), "header", m] for c, v, m in problems],
                columns=FAILURE_COLUMNS,
            )
        )
    return header


def arrow_read(source: Source, header: list[str], quoted: bool) -> tuple[pyarrow.Table, int] | None:
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

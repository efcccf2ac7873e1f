"""Which CSV line each record starts on, and the rows as text when pyarrow cannot be trusted.

Two ways to name lines:

* :func:`line_numbers`, vectorised from the newline positions in the raw
  bytes, for the usual file in which every record is one line (no field
  holds a line break); it makes no Python object per row;
* :class:`Records`, Python's csv module reading the whole text (the slow
  reference), for files with multi-line fields or records pyarrow skipped.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys

import numpy as np
import pandas as pd
import pyarrow

from analysis.data.failures import FAILURE_COLUMNS, broken_failure, fatal
from analysis.data.source import SCAN_BYTES, Source, arrow_read, header_line, open_source
from analysis.errors import DataValidationError


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


class Records:
    """Where each CSV record starts, from Python's csv module (the slow reference).

    Attributes
    ----------
    lines : numpy.ndarray of int
        Line of each well-formed record (the right number of fields), in order.
    broken : list of tuple
        ``(line, fields, problem)`` for each record that is not.
    """

    def __init__(self, path, text: str, width: int):
        lines: list[int] = []
        self.broken: list[tuple[int, list[str], str]] = []
        with _any_field_size():
            self._read(path, text, width, lines)
        self.lines = np.asarray(lines, dtype=np.int64)

    @classmethod
    def one_per_line(cls, lines: np.ndarray) -> Records:
        """Records known to be one line each, at ``lines`` (see :func:`line_numbers`)."""
        records = cls.__new__(cls)
        records.lines, records.broken = lines, []
        return records

    def _read(self, path, text: str, width: int, lines: list[int]) -> None:
        source = _Lines(text)
        reader = csv.reader(source)
        # last_fields is read only once last_line is set, and the two are set together.
        last_line: int | None = None
        last_fields: list[str] = []
        last_offset = 0
        try:
            next(reader, None)  # the header, already checked
            line, offset = reader.line_num + 1, source.offset
            for fields in reader:
                if fields:  # a blank line is not a record, as for pyarrow
                    last_line, last_fields, last_offset = line, fields, offset
                    if len(fields) == width:
                        lines.append(line)
                    else:
                        self.broken.append((line, fields, "field count"))
                line, offset = reader.line_num + 1, source.offset
        except csv.Error as exc:
            raise fatal(path, reader.line_num, None, None, f"malformed CSV: {exc}", "csv_syntax") from None
        if last_line is not None and _runs_into_end(text[last_offset:]):
            # Python's csv module (like pyarrow) silently ends a quoted field at
            # the end of the file; a file cut short must not pass as a short text.
            if lines and lines[-1] == last_line:
                lines.pop()
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


def line_numbers(source: Source) -> np.ndarray:
    """The line of every data record, from where the raw bytes break lines.

    Valid only when every record is one line (no field holds a line break):
    record ``i`` is then the ``i``-th non-blank line after the header. Lines
    end in ``\\n``, ``\\r\\n`` or a lone ``\\r``, as for the csv module. The
    file is scanned in slices; only the line ends are kept (8 bytes a line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_bytes(b"a,b\\r\\n1,2\\r\\n\\r\\n3,4\\n5,6")
    >>> line_numbers(Source(path)).tolist()
    [2, 4, 5]
    """
    values = source.bytes_view()
    pieces = []
    for i in range(0, len(values), SCAN_BYTES):
        part = values[i : i + SCAN_BYTES + 1]  # one byte more: is a '\r' followed by '\n'?
        newline = np.flatnonzero(part[:SCAN_BYTES] == 10)
        cr = np.flatnonzero(part[:SCAN_BYTES] == 13)
        if len(cr):
            lone = cr[(cr + 1 >= len(part)) | (part[np.minimum(cr + 1, len(part) - 1)] != 10)]
            newline = np.union1d(newline, lone)
        pieces.append(newline + i)
    ends = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)
    if not len(ends) or ends[-1] < len(values) - 1:
        ends = np.append(ends, len(values))  # a last line without a line end
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    # A '\r\n' ends at its '\n': its '\r' is no content.
    last = max(len(values) - 1, 0)
    crlf = (
        (ends > starts) & (values[np.minimum(ends - 1, last)] == 13) & (values[np.minimum(ends, last)] == 10)
    )
    ends = ends - crlf
    content = np.flatnonzero(ends > starts) + 1  # line numbers of the non-blank lines
    return content[content > 1]


def frame_from_records(text: str, header: list[str], records: Records) -> pd.DataFrame:
    """The rows as text, read by the csv module, when pyarrow read them differently."""
    wanted = set(records.lines.tolist())
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


def raw_frame(
    source: Source, header: list[str], arrow: tuple[pyarrow.Table, int] | None, records: Records | None
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
        records = Records(source.path, source.text, len(header))
    return frame_from_records(source.text, header, records)


def read_csv_text(path, required: list[str]) -> pd.DataFrame:
    """Every column of a CSV in another layout (e.g. an ACLED export) as text.

    The same fast, careful reading as :func:`~analysis.data.read_validated`
    (UTF-8 checked, quoted newlines kept, empty cells missing), without a
    schema: ``required`` columns must be in the header, others are kept as
    they are.

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
    >>> from analysis.data import data_dir
    >>> raw = read_csv_text(data_dir() / "incidents.csv", ["event_id", "summary"])
    >>> raw.shape, raw.loc[0, "event_id"]
    ((617, 23), 'USF-0001')
    """
    from pathlib import Path

    path = Path(path)
    source = open_source(path)
    header = [h.strip() for h in next(csv.reader(io.StringIO(header_line(source))))]
    problems = [(name, "duplicated column") for i, name in enumerate(header) if name in header[:i]]
    problems += [(name, "missing column") for name in required if name not in header]
    if problems:
        raise DataValidationError(
            pd.DataFrame([[str(path), 1, c, None, "header", m] for c, m in problems], columns=FAILURE_COLUMNS)
        )
    quotes = source.quote_count()
    arrow = arrow_read(source, header, quoted=quotes > 0)
    if arrow is not None and not arrow[1] and not quotes % 2:
        return arrow[0].to_pandas()
    records = Records(path, source.text, len(header))
    if records.broken:
        rows = [
            [str(path), line, *broken_failure(header, fields, problem)]
            for line, fields, problem in records.broken
        ]
        raise DataValidationError(pd.DataFrame(rows, columns=FAILURE_COLUMNS))
    return raw_frame(source, header, arrow, records)

"""Loading and validating the data files.

Every loader reads a CSV as text, parses each column to the type the pandera
model declares, validates lazily and reports *every* problem with the file, the
CSV line, the column, the value and the rule that failed. With
``errors="exclude"`` the valid rows come back and the invalid ones are kept on
``df.attrs["excluded"]`` with their reasons; nothing is dropped silently.

Examples
--------
>>> from analysis import load_incidents
>>> incidents = load_incidents()                      # doctest: +SKIP
>>> incidents = load_incidents("my.csv", errors="exclude")  # doctest: +SKIP
>>> incidents.attrs["excluded"]                       # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import warnings
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from analysis.periods import Period, read_periods
from analysis.schema import CHECK_COLUMNS, OPTIONAL_COLUMNS, SCHEMAS

log = logging.getLogger(__name__)

__all__ = [
    "DataQualityWarning",
    "DataValidationError",
    "data_dir",
    "load_context_events",
    "load_incidents",
    "load_locations",
    "load_periods",
    "load_tallies",
    "read_validated",
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


class DataQualityWarning(UserWarning):
    """Rows were excluded or a cross-file check could not run."""


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


def _fatal(path: Path, line, column, value, message: str, check: str) -> DataValidationError:
    return DataValidationError(
        pd.DataFrame(
            [[str(path), line, column, _short(value), check, message]], columns=FAILURE_COLUMNS
        )
    )


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fatal(path, None, None, None, "file not found", "file_exists") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        # Excel writes a UTF-8 byte-order mark; the content is still valid UTF-8.
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").strip().split(",")
        field = raw[line_start : exc.start].count(b",")
        column = header[field] if field < len(header) else None
        bad = raw[exc.start : exc.start + 1].hex()
        raise _fatal(
            path, line, column, None,
            f"not valid UTF-8 (byte 0x{bad}); save the file as UTF-8", "utf8",
        ) from None
    if not text.strip():
        raise _fatal(path, 1, None, None, "file is empty: expected a header line", "not_empty")
    return text


def _check_header(path: Path, text: str, expected: list[str], optional=frozenset()) -> list[str]:
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])))
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


def _record_lines(text: str) -> list[int]:
    """1-based line on which each data record starts (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(text))
    starts, line = [], 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts[1:]


def _read_frame(path: Path, text: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"(?:line|row) (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise _fatal(path, line, None, None, f"malformed CSV: {exc}", "csv_syntax") from None
    except pd.errors.EmptyDataError:
        raise _fatal(path, 1, None, None, "file is empty: expected a header line", "not_empty") from None


# ------------------------------------------------------------- parsing columns

_PARSE_MESSAGES = {
    "date": "not a valid date (expected YYYY-MM-DD)",
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not true or false",
}


def _kind(dtype) -> str:
    name = str(dtype).lower()
    if name.startswith("datetime"):
        return "date"
    if name.startswith("int") or name.startswith("uint"):
        return "int"
    if name.startswith("float"):
        return "float"
    if name == "bool" or name == "boolean":
        return "bool"
    return "str"


def _parse_column(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
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


def _typed(schema: pa.DataFrameSchema, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple]]:
    """Parse every column to its declared type; failed cells get a neutral filler.

    The filler (first valid date, 0, False) keeps the row checkable by the
    other rules, so one pass reports every problem; the parse failure itself
    is recorded here and the filled cell's own pandera failures are ignored.
    """
    out, failures = {}, []
    for name, column in schema.columns.items():
        kind = _kind(column.dtype)
        parsed, bad = _parse_column(raw[name], kind)
        if bad.any():
            for idx in bad[bad].index:
                failures.append((idx, name, raw.at[idx, name], f"parse_{kind}", _PARSE_MESSAGES[kind]))
            filler = {"date": pd.Timestamp("2020-01-01"), "int": 0, "float": float("nan"), "bool": False}[kind]
            parsed = parsed.mask(bad, filler)
        if kind == "int" and not column.nullable:
            missing = parsed.isna()
            for idx in missing[missing].index:
                failures.append((idx, name, None, "not_nullable", "missing value (required)"))
            parsed = parsed.fillna(0).astype("int64")
        if kind == "bool" and not column.nullable:
            missing = parsed.isna()
            for idx in missing[missing].index:
                failures.append((idx, name, None, "not_nullable", "missing value (required)"))
            parsed = parsed.fillna(False).astype(bool)
        out[name] = parsed
    return pd.DataFrame(out, index=raw.index), failures


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


def _check_message(check: str) -> str:
    if check in _CHECK_MESSAGES:
        return _CHECK_MESSAGES[check]
    if check.startswith("isin("):
        return "not an allowed value: " + check[len("isin(") : -1]
    if check.startswith("greater_than_or_equal_to("):
        return "must be >= " + check[len("greater_than_or_equal_to(") : -1]
    if check.startswith("less_than_or_equal_to("):
        return "must be <= " + check[len("less_than_or_equal_to(") : -1]
    if check.startswith("str_matches("):
        return "does not match the required pattern " + check[len("str_matches(") : -1]
    if check.startswith("str_length("):
        return "text length out of range " + check[len("str_length(") : -1]
    return f"failed check {check}"


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
    text = _read_text(path)
    optional = OPTIONAL_COLUMNS.get(kind, frozenset())
    _check_header(path, text, list(schema.columns), optional)
    raw = _read_frame(path, text).reset_index(drop=True)
    if raw.empty:
        raise _fatal(path, 1, None, None, "header only: the file has no data rows", "not_empty")
    for name in optional:
        if name not in raw:
            raw[name] = pd.Series(pd.NA, index=raw.index, dtype="str")
    typed, failures = _typed(schema, raw)
    parsed_cells = {(f[0], f[1]) for f in failures}
    failures += [f for f in _pandera_failures(schema, typed, raw) if (f[0], f[1]) not in parsed_cells]

    excluded = pd.DataFrame(columns=[*raw.columns, "line", "reason"])
    if failures:
        lines = _record_lines(text)
        frame = pd.DataFrame(failures, columns=["row", "column", "value", "check", "message"])
        frame["line"] = [lines[int(r)] if pd.notna(r) and int(r) < len(lines) else (1 if pd.isna(r) else None) for r in frame["row"]]
        frame["file"] = str(path)
        frame["value"] = frame["value"].map(_short)
        frame = frame.sort_values(["line", "column"], na_position="first", kind="stable")
        whole_file = frame["row"].isna().any()
        if errors == "raise" or whole_file:
            raise DataValidationError(frame[FAILURE_COLUMNS])
        reasons = (
            frame.assign(text=frame["column"].fillna("") + ": " + frame["message"])
            .groupby("row")["text"]
            .agg("; ".join)
        )
        bad_rows = reasons.index.astype(int)
        excluded = raw.loc[bad_rows].copy()
        excluded["line"] = [lines[i] for i in bad_rows]
        excluded["reason"] = reasons.to_numpy()
        typed = typed.drop(index=bad_rows)
        warnings.warn(
            f"{path}: excluded {len(bad_rows)} of {len(raw)} rows that failed validation; "
            "see df.attrs['excluded']",
            DataQualityWarning,
            stacklevel=3,
        )
    result = schema.validate(typed.reset_index(drop=True)) if len(typed) else typed.reset_index(drop=True)
    result.attrs["excluded"] = excluded.reset_index(drop=True)
    result.attrs["source"] = str(path)
    log.debug("loaded %s: %d rows, %d excluded", path, len(result), len(excluded))
    return result


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
    df = read_validated(path, "incidents", errors, extra)
    return df.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True).pipe(
        _keep_attrs, df
    )


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


def _keep_attrs(new: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    new.attrs.update(old.attrs)
    return new


def load_tallies(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load the official and other public counts of attacks (``data/tallies.csv``).

    Examples
    --------
    >>> tallies = load_tallies()  # doctest: +SKIP
    """
    df = read_validated(_default(path, "tallies"), "tallies", errors)
    return df.sort_values(["as_of", "tally_id"], kind="stable").reset_index(drop=True).pipe(_keep_attrs, df)


def load_context_events(
    path: str | os.PathLike | None = None, errors: Errors = "raise"
) -> pd.DataFrame:
    """Load the dated context events analysts annotate (``data/context_events.csv``).

    Examples
    --------
    >>> events = load_context_events()  # doctest: +SKIP
    """
    df = read_validated(_default(path, "context_events"), "context_events", errors)
    return df.sort_values(["event_date", "label"], kind="stable").reset_index(drop=True).pipe(_keep_attrs, df)


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


"""Counting incidents per day in a file larger than memory, block by block, with Polars.

pyarrow's streaming CSV reader hands the file over in blocks; each block goes
to Polars, is parsed, and is validated with pandera's Polars backend against
the rules of :class:`~analysis.schema.IncidentSchema` (its builtin checks as
they are, its own checks restated for Polars); ids are checked unique across
blocks, and only the daily counts are kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.csv as pacsv

from analysis.data.failures import FAILURE_COLUMNS, PARSE_MESSAGES, check_message, fatal, short
from analysis.data.source import check_header
from analysis.errors import DataValidationError
from analysis.schema import CHECK_COLUMNS, OPTIONAL_COLUMNS, REGION_BBOX, SCHEMAS, column_kind


def _load_locations(path):
    from analysis.data.loaders import load_locations

    return load_locations(path)


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
    >>> from analysis.data import data_dir, load_incidents
    >>> counts = count_by_day_streaming(data_dir() / "incidents.csv", block_size=1 << 16)
    >>> int(counts.sum()), counts.equals(load_incidents().groupby("event_date").size().rename("incidents"))
    (617, True)
    """
    try:
        import pandera.polars as pap
        import polars as pl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("count_by_day_streaming needs polars: pip install 'analysis[scale]'") from exc
    path = Path(path)
    schema = SCHEMAS["incidents"].to_schema()
    optional = OPTIONAL_COLUMNS.get("incidents", frozenset())
    header = check_header(path, _first_line(path), list(schema.columns), optional)
    sites = None
    if locations is not None:
        sites = (locations if isinstance(locations, pd.DataFrame) else _load_locations(locations))["location"]
    polars_schema = _polars_schema(schema, sites, pl, pap)
    kinds = {name: column_kind(column.dtype) for name, column in schema.columns.items()}
    broken: list[str] = []
    reader = _open_blocks(path, header, block_size, broken)
    missing = sorted(optional - set(header))
    failures, counts = _count_blocks(path, reader, kinds, polars_schema, pl, pap, missing)
    failures += [
        [
            str(path),
            None,
            None,
            short(text),
            "field_count",
            f"a record has {len(next(csv.reader([text])))} fields, expected {len(header)}",
        ]
        for text in broken
    ]
    if failures:
        raise DataValidationError(pd.DataFrame(failures, columns=FAILURE_COLUMNS))
    days = sorted(counts)
    return pd.Series(
        [counts[d] for d in days],
        index=pd.DatetimeIndex(days, name="event_date").astype("datetime64[ns]"),
        name="incidents",
        dtype="int64",
    )


def _open_blocks(path: Path, header: list[str], block_size: int, broken: list[str]):
    """pyarrow's streaming reader, every column as text; records with the wrong width go to ``broken``."""

    def skip(row) -> str:
        broken.append(row.text)
        return "skip"

    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=block_size),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pyarrow.large_string() for name in header},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _parsers(pl) -> dict:
    """Polars expressions parsing text to each column kind (null where a cell does not parse)."""
    return {
        "date": lambda c: c.str.strip_chars().str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        "int": lambda c: c.str.strip_chars().cast(pl.Int64, strict=False),
        "float": lambda c: c.str.strip_chars().cast(pl.Float64, strict=False),
        "bool": lambda c: (
            c.str.strip_chars()
            .str.to_lowercase()
            .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
        ),
        "str": lambda c: c,
    }


def _count_blocks(
    path: Path, reader, kinds: dict[str, str], polars_schema, pl, pap, missing: Sequence[str] = ()
) -> tuple[list, dict]:
    """Validate and count block by block: the failures, and incidents per day."""
    parse = _parsers(pl)
    failures: list[list] = []
    counts: dict[dt.date, int] = {}
    seen: set[str] = set()
    record = 1
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
        # Optional columns the file leaves out are empty, as the loader makes them.
        batch = batch.with_columns([pl.lit(None, dtype=pl.String).alias(name) for name in missing])
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
        failures += [
            [str(path), None, "event_id", short(i), "field_uniqueness", "duplicated value (must be unique)"]
            for i in sorted(repeated)
        ]
        seen |= block_ids
        for day, n in batch.group_by("event_date").len().iter_rows():
            counts[day] = counts.get(day, 0) + n
    return failures, counts


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return re.split(r"\r\n?|\n", f.readline(), maxsplit=1)[0]
    except FileNotFoundError:
        raise fatal(path, None, None, None, "file not found", "file_exists") from None
    except UnicodeDecodeError:
        raise fatal(path, 1, None, None, "not valid UTF-8; save the file as UTF-8", "utf8") from None


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
                checks.append(
                    pap.Check(lambda d: d.lazyframe.select(pl.col(d.key) <= today), name="not_in_future")
                )
            elif check.name in ("greater_than_or_equal_to", "less_than_or_equal_to"):
                bound = check.statistics["min_value" if "greater" in check.name else "max_value"]
                bound = bound.date() if isinstance(bound, pd.Timestamp) else bound
                maker = pap.Check.ge if "greater" in check.name else pap.Check.le
                checks.append(maker(bound))
            elif pa.Check.is_builtin_check(check.name):
                checks.append(check)  # a builtin runs on any backend
        if name == "location" and allowed is not None:
            checks.append(
                pap.Check(lambda d: d.lazyframe.select(pl.col(d.key).is_in(allowed)), name="in_gazetteer")
            )
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
            failures.append(
                [
                    str(path),
                    None,
                    name,
                    short(value),
                    f"parse_{kind}",
                    f"{PARSE_MESSAGES[kind]} (data record {record})",
                ]
            )
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
            failures.append([str(path), None, column, short(value), check, check_message(check) + where])
    return failures

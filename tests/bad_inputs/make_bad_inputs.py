"""Write the malformed incident files of the bad-input suite, and their manifest.

Every file starts from the same five valid rows (lines 2-6) and breaks one
thing. ``EXPECTED.csv`` lists, per file, each problem the loader must report:
the line (1 for the header or the file as a whole), the column (empty when no
single column is to blame), a fragment of the message, and the scope: ``row``
(``errors="exclude"`` keeps the other rows) or ``file`` (nothing can be kept).

Made-up rows only: no ACLED or other third-party data. Run it again after a
schema change, from the repository root::

    python tests/bad_inputs/make_bad_inputs.py

Cases marked large (a 10 MB field) are not committed; the tests write them
into a temporary folder with :func:`write_case`.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE.parent))

from conftest import incident_row  # noqa: E402

from analysis.schema import OPTIONAL_COLUMNS, SCHEMAS  # noqa: E402

# Optional columns (disputed) are left out: the files stay in the shape most users' files have.
COLUMNS = [c for c in SCHEMAS["incidents"].to_schema().columns if c not in OPTIONAL_COLUMNS["incidents"]]
LOCATION_COLUMNS = list(SCHEMAS["locations"].to_schema().columns)


def row(i: int, **changes: str) -> dict[str, str]:
    """Valid row ``i`` (it sits on line ``i + 1``), with ``changes``."""
    base = incident_row(
        i, longitude="42.44", summary=f"Rockets fired at the test base, report {i}; no damage reported."
    )
    base.update(changes)
    return base


def rows(**by_number: dict[str, str]) -> list[dict[str, str]]:
    """The five base rows, row ``rN`` changed by ``by_number["rN"]``."""
    return [row(i, **by_number.get(f"r{i}", {})) for i in range(1, 6)]


def to_csv(
    records: list[dict[str, str]],
    columns: list[str] = COLUMNS,
    delimiter: str = ",",
    header: list[str] | None = None,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header or columns)
    for record in records:
        writer.writerow([record.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


CLEAN = to_csv(rows())


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _replace_line(data: bytes, line: int, new: bytes) -> bytes:
    lines = _lines(data)
    lines[line - 1] = new
    return b"\n".join(lines)


@dataclass(frozen=True)
class Case:
    """One malformed file: how to make it and what the loader must say."""

    make: Callable[[], bytes]
    expected: tuple[tuple[int, str, str], ...]
    scope: str = "row"
    large: bool = False


def _renamed(old: str, new: str) -> bytes:
    return to_csv(rows(), header=[new if c == old else c for c in COLUMNS])


def _truncated() -> bytes:
    # The file stops in the middle of its last row, as when a copy is cut short.
    lines = _lines(CLEAN)
    lines[5] = lines[5][:22]
    return b"\n".join(lines[:6])


def _unclosed_quote_last() -> bytes:
    lines = _lines(CLEAN)
    fields = next(csv.reader([lines[5].decode()]))
    fields[-1] = '"' + fields[-1][:30]
    return b"\n".join([*lines[:5], ",".join(f for f in fields).encode()])


def _unclosed_quote_middle() -> bytes:
    lines = _lines(
        to_csv(
            rows(**{f"r{i}": {"summary": f"Rockets fired at the test base number {i}."} for i in range(1, 6)})
        )
    )
    lines[2] = lines[2].replace(b"Rockets fired", b'"Rockets fired')
    return b"\n".join(lines)


def _extra_field() -> bytes:
    # A comma inside a text field that was not quoted: one field too many.
    lines = _lines(CLEAN)
    lines[2] = lines[2].replace(
        b'"Rockets fired at the test base, report 2; no damage reported."',
        b"Rockets fired at the test base, report 2; no damage reported.",
    )
    return b"\n".join(lines)


def _latin1(line: int, header: bool = False) -> bytes:
    data = to_csv(rows(r3={"summary": "Rockets hit the caf\u00e9 by the test base; no damage."}))
    if header:
        data = data.replace(b"summary", b"r\xe9sum\xe9", 1)
        return data
    return data.replace("caf\u00e9".encode(), b"caf\xe9")


def _huge() -> bytes:
    return to_csv(rows(r2={"summary": "Rockets fired at the test base. " * 330_000}))


CASES: dict[str, Case] = {
    # --- the file as a whole: nothing can be kept
    "incidents_empty_file.csv": Case(lambda: b"", ((1, "", "file is empty"),), "file"),
    "incidents_blank_file.csv": Case(lambda: b"\n  \n\n", ((1, "", "file is empty"),), "file"),
    "incidents_header_only.csv": Case(lambda: to_csv([]), ((1, "", "no data rows"),), "file"),
    "incidents_semicolon_delimiter.csv": Case(
        lambda: to_csv(rows(), delimiter=";"), ((1, "", "wrong delimiter"),), "file"
    ),
    "incidents_tab_delimiter.csv": Case(
        lambda: to_csv(rows(), delimiter="\t"), ((1, "", "wrong delimiter"),), "file"
    ),
    "incidents_missing_column.csv": Case(
        lambda: to_csv(rows(), columns=[c for c in COLUMNS if c != "weapon"]),
        ((1, "weapon", "missing column"),),
        "file",
    ),
    "incidents_extra_column.csv": Case(
        lambda: to_csv(rows(), columns=[*COLUMNS, "notes"]), ((1, "notes", "unexpected column"),), "file"
    ),
    "incidents_duplicated_column.csv": Case(
        lambda: to_csv(rows(), columns=[*COLUMNS, "weapon"]), ((1, "weapon", "duplicated column"),), "file"
    ),
    "incidents_renamed_column.csv": Case(
        lambda: _renamed("weapon", "arm"),
        ((1, "arm", "unexpected column"), (1, "weapon", "missing column")),
        "file",
    ),
    "incidents_not_utf8.csv": Case(lambda: _latin1(4), ((4, "summary", "not valid UTF-8"),), "file"),
    "incidents_not_utf8_header.csv": Case(
        lambda: _latin1(1, header=True), ((1, "r\ufffdsum\ufffd", "not valid UTF-8"),), "file"
    ),
    # --- one row: the others are kept with errors="exclude"
    "incidents_wrong_type_int.csv": Case(
        lambda: to_csv(rows(r3={"time_precision": "one"})), ((4, "time_precision", "not a whole number"),)
    ),
    "incidents_wrong_type_float.csv": Case(
        lambda: to_csv(rows(r2={"latitude": "north"})),
        ((3, "latitude", "not a number"), (3, "latitude/longitude", "both be present")),
    ),
    "incidents_date_feb_31.csv": Case(
        lambda: to_csv(rows(r3={"event_date": "2024-02-31"})), ((4, "event_date", "not a valid date"),)
    ),
    "incidents_date_month_13.csv": Case(
        lambda: to_csv(rows(r3={"event_date": "2024-13-01"})), ((4, "event_date", "not a valid date"),)
    ),
    "incidents_date_day_first.csv": Case(
        lambda: to_csv(rows(r3={"event_date": "31/02/2024"})), ((4, "event_date", "not a valid date"),)
    ),
    "incidents_date_with_time.csv": Case(
        lambda: to_csv(rows(r1={"event_date": "2023-11-02T10:00:00"})),
        ((2, "event_date", "not a valid date"),),
    ),
    "incidents_future_date.csv": Case(
        lambda: to_csv(rows(r5={"event_date": "2099-06-01"})), ((6, "event_date", "in the future"),)
    ),
    "incidents_date_before_2019.csv": Case(
        lambda: to_csv(rows(r5={"event_date": "2018-12-31"})), ((6, "event_date", ">= 2019-01-01"),)
    ),
    "incidents_empty_id.csv": Case(
        lambda: to_csv(rows(r2={"event_id": ""})), ((3, "event_id", "missing value"),)
    ),
    "incidents_duplicated_id.csv": Case(
        lambda: to_csv(rows(r4={"event_id": "T-0002"})),
        ((3, "event_id", "duplicated value"), (5, "event_id", "duplicated value")),
    ),
    "incidents_id_with_space.csv": Case(
        lambda: to_csv(rows(r3={"event_id": "T 0003"})), ((4, "event_id", "pattern"),)
    ),
    "incidents_negative_count.csv": Case(
        lambda: to_csv(rows(r2={"munitions": "-3"})), ((3, "munitions", ">= 0"),)
    ),
    "incidents_absurd_count.csv": Case(
        lambda: to_csv(rows(r4={"us_wounded": "1000000"})), ((5, "us_wounded", "<= 100000"),)
    ),
    "incidents_fractional_count.csv": Case(
        lambda: to_csv(rows(r4={"munitions": "2.5"})), ((5, "munitions", "not a whole number"),)
    ),
    "incidents_swapped_lat_lon.csv": Case(
        lambda: to_csv(rows(r3={"latitude": "42.44", "longitude": "33.8"})),
        ((4, "latitude/longitude", "inside Iraq, Syria or Jordan"),),
    ),
    "incidents_out_of_region.csv": Case(
        lambda: to_csv(rows(r3={"latitude": "51.5", "longitude": "-0.12"})),
        ((4, "latitude/longitude", "inside Iraq, Syria or Jordan"),),
    ),
    "incidents_half_coordinate.csv": Case(
        lambda: to_csv(rows(r3={"longitude": ""})), ((4, "latitude/longitude", "both be present"),)
    ),
    "incidents_unknown_weapon.csv": Case(
        lambda: to_csv(rows(r2={"weapon": "laser"})), ((3, "weapon", "not an allowed value"),)
    ),
    "incidents_unknown_country.csv": Case(
        lambda: to_csv(rows(r2={"country": "Lebanon"})), ((3, "country", "not an allowed value"),)
    ),
    "incidents_category_wrong_case.csv": Case(
        lambda: to_csv(rows(r5={"target_type": "Base"})), ((6, "target_type", "not an allowed value"),)
    ),
    "incidents_time_precision_4.csv": Case(
        lambda: to_csv(rows(r1={"time_precision": "4"})), ((2, "time_precision", "not an allowed value"),)
    ),
    "incidents_missing_required.csv": Case(
        lambda: to_csv(rows(r3={"outcome": ""})), ((4, "outcome", "missing value"),)
    ),
    "incidents_not_in_gazetteer.csv": Case(
        lambda: to_csv(rows(r3={"location": "Atlantis"})), ((4, "location", "not a site in locations.csv"),)
    ),
    "incidents_formula_in_url.csv": Case(
        lambda: to_csv(rows(r2={"source_url": '=HYPERLINK("http://evil.example","click")'})),
        ((3, "source_url", "pattern"),),
    ),
    "incidents_formula_in_other_sources.csv": Case(
        lambda: to_csv(rows(r2={"other_sources": "=cmd|' /C calc'!A0"})), ((3, "other_sources", "pattern"),)
    ),
    "incidents_url_without_scheme.csv": Case(
        lambda: to_csv(rows(r4={"source_url": "www.example.org/report"})), ((5, "source_url", "pattern"),)
    ),
    "incidents_script_in_summary.csv": Case(
        lambda: to_csv(rows(r3={"summary": "Rockets fired <script>alert(1)</script> at the base."})),
        ((4, "summary", "HTML markup"),),
    ),
    "incidents_summary_too_short.csv": Case(
        lambda: to_csv(rows(r3={"summary": "Rockets."})), ((4, "summary", "text length out of range"),)
    ),
    "incidents_huge_field.csv": Case(_huge, ((3, "summary", "text length out of range"),), large=True),
    "incidents_truncated_last_line.csv": Case(
        _truncated, ((6, "admin1", "the line stops before this column"),)
    ),
    "incidents_unclosed_quote_last_line.csv": Case(_unclosed_quote_last, ((6, "summary", "unclosed quote"),)),
    "incidents_unclosed_quote_middle.csv": Case(_unclosed_quote_middle, ((3, "summary", "unclosed quote"),)),
    "incidents_extra_field_in_row.csv": Case(_extra_field, ((3, "summary", "23 fields, expected 22"),)),
}


def locations_csv() -> bytes:
    """The gazetteer every bad file is checked against (one site: Test Base)."""
    site = {
        "location": "Test Base",
        "country": "Iraq",
        "admin1": "Anbar",
        "latitude": "33.8",
        "longitude": "42.44",
        "aliases": "TB",
        "source_url": "https://example.org/site",
    }
    return to_csv([site], columns=LOCATION_COLUMNS)


def write_case(name: str, folder: Path) -> Path:
    """Write one case (and the gazetteer beside it) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "locations.csv").write_bytes(locations_csv())
    path = folder / name
    path.write_bytes(CASES[name].make())
    return path


def manifest() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "line", "column", "fragment", "scope"])
    for name, case in CASES.items():
        for line, column, fragment in case.expected:
            writer.writerow([name, line, column, fragment, case.scope])
    return out.getvalue().encode("utf-8")


def main() -> None:
    for old in HERE.glob("incidents_*.csv"):
        old.unlink()
    for name, case in CASES.items():
        if not case.large:
            write_case(name, HERE)
    (HERE / "EXPECTED.csv").write_bytes(manifest())
    print(f"wrote {sum(not c.large for c in CASES.values())} files and EXPECTED.csv to {HERE}")


if __name__ == "__main__":
    main()

"""Loading and validation: real files, every kind of bad row, and exclusion."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import INCIDENT_COLUMNS, incident_row, write_csv

import analysis
from analysis import DataQualityWarning, DataValidationError, load_incidents


def test_shipped_data_load_and_types():
    incidents = analysis.load_incidents()
    assert len(incidents) > 0
    assert incidents["event_date"].dtype == "datetime64[ns]"
    assert str(incidents["us_killed"].dtype) == "Int64"  # unknown stays missing, not 0
    assert incidents["event_id"].is_unique
    assert incidents["source_url"].str.startswith("http").all()
    assert len(analysis.load_tallies()) > 0
    assert len(analysis.load_locations()) > 0
    assert len(analysis.load_context_events()) > 0
    assert incidents["location"].isin(analysis.load_locations()["location"]).all()


def _failures(path: Path) -> pd.DataFrame:
    with pytest.raises(DataValidationError) as info:
        load_incidents(path)
    return info.value.failures


@pytest.mark.parametrize(
    ("override", "column", "fragment"),
    [
        ({"event_date": "2024-02-31"}, "event_date", "not a valid date"),
        ({"event_date": "31/12/2023"}, "event_date", "not a valid date"),
        ({"event_date": "2018-12-31"}, "event_date", ">= 2019-01-01"),
        ({"event_date": "2999-01-01"}, "event_date", "in the future"),
        ({"weapon": "banana"}, "weapon", "not an allowed value"),
        ({"country": "Lebanon"}, "country", "not an allowed value"),
        ({"source_url": ""}, "source_url", "missing value"),
        ({"source_url": "www.example.org"}, "source_url", "pattern"),
        ({"latitude": "60.0"}, "latitude/longitude", "inside Iraq, Syria or Jordan"),
        ({"latitude": ""}, "latitude/longitude", "both be present"),
        ({"munitions": "-2"}, "munitions", ">= 0"),
        ({"us_wounded": "1.5"}, "us_wounded", "whole number"),
        ({"munitions": "many"}, "munitions", "whole number"),
        ({"location": "Atlantis"}, "location", "not a site in locations.csv"),
        ({"summary": ""}, "summary", "missing value"),
        ({"time_precision": "7"}, "time_precision", "not an allowed value"),
    ],
)
def test_bad_cell_names_file_line_column(data_folder, override, column, fragment):
    rows = [incident_row(i) for i in range(1, 6)]
    rows[2] = incident_row(3, **override)  # third data row: line 4 of the file
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    failures = _failures(path)
    assert len(failures) == 1, failures
    failure = failures.iloc[0]
    assert failure["file"] == str(path)
    assert failure["line"] == 4
    assert failure["column"] == column
    assert fragment in failure["message"]
    assert f"{path}:4:" in str(DataValidationError(failures))


def test_every_failure_is_listed_not_only_the_first(data_folder):
    rows = [incident_row(i) for i in range(1, 6)]
    rows[0] = incident_row(1, weapon="laser")
    rows[3] = incident_row(4, event_date="2023-13-01", outcome="boom")
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    failures = _failures(path)
    assert sorted(zip(failures["line"], failures["column"])) == [
        (2, "weapon"),
        (5, "event_date"),
        (5, "outcome"),
    ]


def test_duplicate_id_names_both_lines(data_folder):
    rows = [incident_row(i) for i in range(1, 4)] + [incident_row(2)]
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    failures = _failures(path)
    assert set(failures["line"]) == {3, 5}
    assert set(failures["column"]) == {"event_id"}


def test_quoted_multiline_field_keeps_line_numbers_right(data_folder):
    rows = [
        incident_row(1, summary="First line of a long summary\nsecond line of it."),
        incident_row(2, weapon="x"),
    ]
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    failures = _failures(path)
    assert failures.iloc[0]["line"] == 4  # record 1 spans lines 2-3


@pytest.mark.parametrize(
    ("mutate", "column", "fragment"),
    [
        (lambda cols: [c for c in cols if c != "weapon"], "weapon", "missing column"),
        (lambda cols: [("arm" if c == "weapon" else c) for c in cols], "arm", "unexpected column"),
        (lambda cols: cols + ["weapon"], "weapon", "duplicated column"),
    ],
)
def test_header_problems_point_at_line_1(data_folder, mutate, column, fragment):
    path = data_folder / "incidents.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    new = mutate(header)
    body = []
    for line in lines[1:]:
        cells = dict(zip(header, line.split(",")))
        body.append(",".join(cells.get("weapon" if c == "arm" else c, "rocket") for c in new))
    path.write_text("\n".join([",".join(new), *body]) + "\n")
    failures = _failures(path)
    hit = failures[failures["column"] == column]
    assert len(hit) == 1 and hit.iloc[0]["line"] == 1
    assert fragment in hit.iloc[0]["message"]


def test_empty_file_header_only_and_non_utf8(data_folder):
    path = data_folder / "incidents.csv"
    path.write_text("")
    f = _failures(path).iloc[0]
    assert (f["line"], f["message"]) == (1, "file is empty: expected a header line")

    path.write_text(",".join(INCIDENT_COLUMNS) + "\n")
    f = _failures(path).iloc[0]
    assert f["line"] == 1 and "no data rows" in f["message"]

    write_csv(
        path,
        INCIDENT_COLUMNS,
        [incident_row(1), incident_row(2, summary="Cafe attack near the base, no damage")],
    )
    raw = path.read_bytes().replace(b"Cafe", b"Caf\xe9")
    path.write_bytes(raw)
    f = _failures(path).iloc[0]
    assert (f["line"], f["column"]) == (3, "summary")
    assert "not valid UTF-8" in f["message"]


def test_exclude_keeps_every_valid_row_and_explains_the_rest(data_folder):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[1] = incident_row(2, weapon="laser")
    rows[6] = incident_row(7, event_date="2023-02-30")
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    with pytest.warns(DataQualityWarning, match="excluded 2 of 10"):
        df = load_incidents(path, errors="exclude")
    assert len(df) == 8
    assert set(df["event_id"]) == {f"T-{i:04d}" for i in range(1, 11)} - {"T-0002", "T-0007"}
    excluded = df.attrs["excluded"]
    assert list(excluded["event_id"]) == ["T-0002", "T-0007"]
    assert list(excluded["line"]) == [3, 8]
    assert "weapon" in excluded["reason"].iloc[0] and "event_date" in excluded["reason"].iloc[1]


def test_exclude_still_raises_for_whole_file_problems(data_folder):
    path = data_folder / "incidents.csv"
    path.write_text("")
    with pytest.raises(DataValidationError):
        load_incidents(path, errors="exclude")


def test_clean_load_excludes_nothing(data_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = load_incidents(data_folder / "incidents.csv")
    assert len(df) == 10 and df.attrs["excluded"].empty


def test_missing_gazetteer_warns(tmp_path, data_folder):
    path = tmp_path / "sub"
    path.mkdir()
    target = write_csv(path / "incidents.csv", INCIDENT_COLUMNS, [incident_row(1)])
    with pytest.warns(DataQualityWarning, match="gazetteer check was skipped"):
        assert len(load_incidents(target)) == 1


# ----------------------------------------------------------------- fast path
# A clean file is read by pyarrow and checked column by column without pandera;
# pandera runs only when something may be wrong. These tests keep both honest.


def test_clean_files_take_the_fast_path(data_folder, monkeypatch):
    import analysis.data.validate as data

    def no_pandera(*args, **kwargs):
        raise AssertionError("a clean file went down the slow path")

    monkeypatch.setattr(data, "pandera_failures", no_pandera)
    assert len(load_incidents(data_folder / "incidents.csv")) == 10
    assert len(analysis.load_incidents()) > 0
    assert len(analysis.load_tallies()) > 0 and len(analysis.load_context_events()) > 0


def test_fast_path_gives_what_pandera_gives(data_folder, monkeypatch):
    import numpy as np

    import analysis.data.validate as data

    fast = [load_incidents(data_folder / "incidents.csv"), analysis.load_incidents(), analysis.load_tallies()]
    # Every row suspect: pandera validates the whole frame.
    monkeypatch.setattr(
        data,
        "suspect_rows",
        lambda schema, rules, typed, started, distinct=None: np.ones(len(typed), dtype=bool),
    )
    slow = [load_incidents(data_folder / "incidents.csv"), analysis.load_incidents(), analysis.load_tallies()]
    for a, b in zip(fast, slow):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize(
    "pattern_name", ["URL_PATTERN", "URL_LIST_PATTERN", "ID_PATTERN", "PLAIN_TEXT_PATTERN"]
)
def test_rules_run_by_pyarrow_agree_with_python_re(pattern_name):
    import re

    import pyarrow as pa
    import pyarrow.compute as pc

    import analysis.schema as schema
    from analysis.data.rules import arrow_regex as _arrow_regex

    pattern = getattr(schema, pattern_name)
    samples = [
        "https://a.b/c",
        "https://a.b/c\n",
        "https://a.b/c\n\n",
        "https://a\u00a0b",
        "https://a\x0bb",
        "https://a\u3000b",
        "https://a\u2028b",
        "https://a\x1cb",
        "https://a\x85b",
        "https://a\u200bb",
        "https://a;b",
        "https://a.b; https://c.d",
        "https://a.b ;https://c.d\n",
        "http://\u00e9.fr/\u00fc",
        "x\ny",
        "a < b\n",
        "<b>",
        "a<<b>",
        "x <!-- y",
        "T-0001",
        "T-0001\n",
        "\u00fc-1",
        "=HYPERLINK(1)",
        "",
        " https://a",
        "1 <2 and 3> 2",
        "<\n",
        "ends <",
    ]
    expected = [bool(re.match(pattern, s)) for s in samples]
    for ascii_only in (False, True):
        values = [s for s in samples if s.isascii()] if ascii_only else samples
        got = pc.match_substring_regex(pa.array(values, pa.large_string()), _arrow_regex(pattern, ascii_only))
        assert got.to_pylist() == [e for s, e in zip(samples, expected) if s in values]


def test_blank_lines_and_old_mac_line_ends_keep_line_numbers_right(data_folder):
    path = data_folder / "incidents.csv"
    rows = [incident_row(1), incident_row(2, weapon="laser")]
    lines = write_csv(path, INCIDENT_COLUMNS, rows).read_text().splitlines()
    path.write_text("\n".join([lines[0], "", lines[1], "", lines[2]]) + "\n")
    assert list(_failures(path)["line"]) == [5]
    path.write_text("\r".join(lines) + "\r")
    assert list(_failures(path)["line"]) == [3]


def test_a_file_out_of_order_comes_back_sorted(data_folder):
    rows = [incident_row(i) for i in (5, 3, 9, 1)] + [incident_row(2, event_date="2023-11-04")]
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    df = load_incidents(path)
    assert list(df["event_id"]) == ["T-0001", "T-0002", "T-0003", "T-0005", "T-0009"]
    assert df.equals(df.sort_values(["event_date", "event_id"]).reset_index(drop=True))


def test_save_csv_round_trips_text_with_carriage_returns(data_folder):
    from analysis.data import save_csv

    df = load_incidents(data_folder / "incidents.csv")
    df.loc[0, "summary"] = "ends with a carriage return\r"
    df.loc[1, "claimed_by"] = 'a\r\nb, "c"'
    save_csv(df, data_folder / "copy" / "incidents.csv")
    (data_folder / "copy" / "locations.csv").write_bytes((data_folder / "locations.csv").read_bytes())
    pd.testing.assert_frame_equal(load_incidents(data_folder / "copy" / "incidents.csv"), df)


def test_read_csv_text_names_missing_columns_and_broken_lines(tmp_path):
    from analysis.data import read_csv_text

    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_csv_text(path, ["a", "c"])
    assert "missing column" in str(info.value) and f"{path}:1:" in str(info.value)
    with pytest.raises(DataValidationError) as info:
        read_csv_text(path, ["a"])
    assert f"{path}:3:" in str(info.value) and "1 fields, expected 2" in str(info.value)
    path.write_text('a,b\n1,"x\ny"\n', encoding="utf-8")
    assert read_csv_text(path, ["a", "b"])["b"].tolist() == ["x\ny"]


def test_streaming_count_matches_the_loader(data_folder):
    pytest.importorskip("polars")
    from analysis.data import count_by_day_streaming

    rows = [incident_row(i) for i in range(1, 40)]
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    expected = load_incidents(path).groupby("event_date").size().rename("incidents")
    # A tiny block size forces many blocks, as a file larger than memory would.
    got = count_by_day_streaming(path, locations=data_folder / "locations.csv", block_size=1024)
    pd.testing.assert_series_equal(got, expected)


def test_streaming_count_reports_every_rule_it_breaks(data_folder):
    pytest.importorskip("polars")
    from analysis.data import count_by_day_streaming

    rows = [incident_row(i) for i in range(1, 30)]
    rows[3] = incident_row(4, weapon="laser")
    rows[10] = incident_row(11, event_date="2024-02-31")
    rows[20] = incident_row(2)  # a duplicate id, in another block
    rows[25] = incident_row(26, location="Atlantis", latitude="60.0")
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    with pytest.raises(DataValidationError) as info:
        count_by_day_streaming(path, locations=data_folder / "locations.csv", block_size=1024)
    failures = info.value.failures
    assert set(failures["column"]) == {"weapon", "event_date", "event_id", "location", "latitude/longitude"}
    assert "data record 11" in " ".join(failures["message"])

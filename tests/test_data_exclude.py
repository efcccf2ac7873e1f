"""The failure path: a file with a few bad rows keeps every valid row and reports every bad one."""

from __future__ import annotations

import csv
import io
import random
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import INCIDENT_COLUMNS, incident_row, write_csv

import analysis.data.validate as validate
from analysis import DataValidationError, load_incidents
from analysis.data.lines import line_numbers
from analysis.data.source import Source

#: (column, bad value, what the message says), used in turn for every tenth row.
BAD = [
    ("weapon", "laser", "not an allowed value"),
    ("event_date", "2023-02-30", "not a valid date"),
    ("munitions", "-3", ">= 0"),
    ("source_url", "www.example.org", "pattern"),
    ("location", "Atlantis", "not a site in locations.csv"),
    ("time_precision", "many", "whole number"),
]


def _one_percent_file(folder, n=600, every=10, summary=None):
    rows, bad = [], {}
    for i in range(n):
        row = incident_row(i + 1, event_date=f"2023-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}")
        if summary is not None and i == 1:
            row["summary"] = summary
        if i % every == 0:
            column, value, fragment = BAD[(i // every) % len(BAD)]
            row[column] = value
            bad[row["event_id"]] = (column, value, fragment)
        rows.append(row)
    return write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows), bad


def _exclude(path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_incidents(path, errors="exclude")


def _lines_of(path) -> dict[str, int]:
    """Line of each record by event_id, from Python's csv module."""
    out = {}
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    next(reader)
    line = reader.line_num + 1
    for fields in reader:
        if fields:
            out[fields[0]] = line
        line = reader.line_num + 1
    return out


@pytest.mark.parametrize(
    "summary", [None, 'Quoted, with a comma and "quotes" in it.', "Two lines:\nsecond line here."]
)
def test_every_valid_row_kept_every_bad_row_reported(data_folder, summary):
    path, bad = _one_percent_file(data_folder, summary=summary)
    lines = _lines_of(path)
    df = _exclude(path)
    assert set(df["event_id"]) == set(lines) - set(bad)
    excluded = df.attrs["excluded"]
    assert sorted(excluded["event_id"]) == sorted(bad)
    for row in excluded.itertuples():
        column, value, fragment = bad[row.event_id]
        assert row.line == lines[row.event_id]
        assert row.reason.startswith(f"{column} {value!r}: ") and fragment in row.reason
    with pytest.raises(DataValidationError) as info:
        load_incidents(path)
    failures = info.value.failures
    assert len(failures) == len(bad)
    for failure in failures.itertuples():
        event_id = next(k for k, v in lines.items() if v == failure.line)
        column, value, fragment = bad[event_id]
        assert (failure.column, failure.value) == (column, value) and fragment in failure.message


def test_pandera_runs_on_the_failing_rows_only(data_folder, monkeypatch):
    path, bad = _one_percent_file(data_folder)
    sizes = []
    real = validate.pandera_failures

    def spy(schema, typed, raw):
        sizes.append(len(typed))
        return real(schema, typed, raw)

    monkeypatch.setattr(validate, "pandera_failures", spy)
    df = _exclude(path)
    assert sizes == [len(bad)] and len(df) == 600 - len(bad)


def test_line_numbers_from_newlines_match_the_csv_module(tmp_path):
    rng = random.Random(0)
    for trial in range(30):
        ends = rng.choice(["\n", "\r\n", "\r"])
        lines = ["a,b"] + [rng.choice(["1,2", "", "x,y", '"q,1",2']) for _ in range(rng.randint(1, 12))]
        text = ends.join(lines) + (ends if trial % 2 else "")
        path = tmp_path / f"f{trial}.csv"
        path.write_bytes(text.encode())
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader)
        expected, line = [], reader.line_num + 1
        for fields in reader:
            if fields:
                expected.append(line)
            line = reader.line_num + 1
        assert line_numbers(Source(path)).tolist() == expected, repr(text)


def test_a_duplicate_id_far_apart_is_reported_on_both_lines(data_folder):
    rows = [incident_row(i) for i in range(1, 300)]
    rows[250] = incident_row(7)
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    excluded = _exclude(path).attrs["excluded"]
    assert list(excluded["line"]) == [8, 252]
    assert np.all(excluded["event_id"] == "T-0007")

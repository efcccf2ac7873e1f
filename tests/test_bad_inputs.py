"""The bad-input suite: every malformed file gives a clear error, never a traceback.

``tests/bad_inputs/EXPECTED.csv`` (written by ``make_bad_inputs.py``) says, per
file, which line, column and message fragment the loader must report. Files
in ``tests/odd_inputs/`` are odd but valid and must load like the clean file.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import DataQualityWarning, DataValidationError, load_incidents
from analysis.cli import main

BAD = Path(__file__).resolve().parent / "bad_inputs"
ODD = Path(__file__).resolve().parent / "odd_inputs"


def _load_maker():
    spec = importlib.util.spec_from_file_location("make_bad_inputs", BAD / "make_bad_inputs.py")
    module = sys.modules["make_bad_inputs"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKER = _load_maker()
MANIFEST = pd.read_csv(BAD / "EXPECTED.csv", dtype=str, keep_default_na=False).astype({"line": int})
FILES = list(dict.fromkeys(MANIFEST["file"]))


def _path(name: str, tmp_path: Path) -> Path:
    """The committed file, or (for the large cases) one written now."""
    committed = BAD / name
    return committed if committed.exists() else MAKER.write_case(name, tmp_path)


def _expected(name: str) -> pd.DataFrame:
    return MANIFEST[MANIFEST["file"] == name]


def _records(path: Path) -> int:
    """Data records in the file as Python's csv module sees them (blank lines are not records)."""
    text = path.read_bytes().decode("utf-8")
    old = csv.field_size_limit(len(text) + 1)  # one case has a 10 MB field
    try:
        return sum(1 for fields in csv.reader(io.StringIO(text, newline="")) if fields) - 1
    finally:
        csv.field_size_limit(old)


def test_manifest_covers_at_least_thirty_files_and_matches_the_script():
    assert len(FILES) >= 30
    assert (BAD / "EXPECTED.csv").read_bytes() == MAKER.manifest(), "run tests/bad_inputs/make_bad_inputs.py"
    committed = {p.name for p in BAD.glob("incidents_*.csv")}
    assert committed == {n for n, c in MAKER.CASES.items() if not c.large}
    for name in committed:
        assert (BAD / name).read_bytes() == MAKER.CASES[name].make(), f"{name} differs from the script"


@pytest.mark.parametrize("name", FILES)
def test_error_names_file_line_column_and_rule(name, tmp_path):
    path = _path(name, tmp_path)
    with pytest.raises(DataValidationError) as info:
        load_incidents(path)
    failures = info.value.failures
    expected = _expected(name)
    assert set(failures["file"]) == {str(path)}
    assert set(failures["line"]) == set(expected["line"]), failures
    for exp in expected.itertuples():
        column = exp.column or None
        hits = failures[(failures["line"] == exp.line) & (failures["column"].fillna("").eq(exp.column))]
        assert len(hits), f"nothing reported on line {exp.line}, column {column}: {failures}"
        assert hits["message"].str.contains(exp.fragment, regex=False).any(), hits
        assert f"{path}:{exp.line}:" in str(info.value)


@pytest.mark.parametrize("name", FILES)
def test_cli_validate_exits_1_with_the_line_and_no_traceback(name, tmp_path, capsys):
    path = _path(name, tmp_path)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    for exp in _expected(name).itertuples():
        assert f"{path}:{exp.line}:" in text
        assert exp.fragment in text


@pytest.mark.parametrize("name", FILES)
def test_exclude_keeps_every_valid_row_and_lists_every_bad_one(name, tmp_path):
    path = _path(name, tmp_path)
    expected = _expected(name)
    if (expected["scope"] == "file").all():
        with pytest.raises(DataValidationError):
            load_incidents(path, errors="exclude")
        return
    with pytest.warns(DataQualityWarning, match="excluded"):
        kept = load_incidents(path, errors="exclude")
    excluded = kept.attrs["excluded"]
    assert sorted(excluded["line"]) == sorted(set(expected["line"]))
    assert len(kept) + len(excluded) == _records(path)
    for exp in expected.itertuples():
        reason = excluded.loc[excluded["line"] == exp.line, "reason"].iloc[0]
        assert exp.fragment in reason and (exp.column in reason)
    # The rows kept are the base rows whose lines had no problem.
    clean_ids = {f"T-{i:04d}" for i in range(1, 6)}
    assert set(kept["event_id"]) <= clean_ids


def test_subprocess_validate_never_prints_a_traceback():
    # One process for a sample of kinds (encoding, structure, header, empty):
    # starting Python is what costs time here.
    names = [
        "incidents_not_utf8.csv",
        "incidents_truncated_last_line.csv",
        "incidents_semicolon_delimiter.csv",
        "incidents_empty_file.csv",
        "incidents_unknown_weapon.csv",
    ]
    paths = [str(BAD / name) for name in names]
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", *paths], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text
    for name, path in zip(names, paths):
        line = _expected(name)["line"].iloc[0]
        assert f"{path}:{line}:" in text


ODD_FILES = sorted(p.name for p in ODD.glob("incidents_*.csv") if p.name != "incidents_clean.csv")


@pytest.mark.parametrize("name", ODD_FILES)
def test_odd_but_valid_files_load_like_the_clean_one(name):
    clean = load_incidents(ODD / "incidents_clean.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        odd = load_incidents(ODD / name)
    pd.testing.assert_frame_equal(odd, clean)
    assert odd.attrs["excluded"].empty


def test_odd_inputs_cover_bom_and_crlf():
    assert {"incidents_bom.csv", "incidents_crlf.csv", "incidents_bom_crlf.csv"} <= set(ODD_FILES)
    assert (ODD / "incidents_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (ODD / "incidents_crlf.csv").read_bytes()

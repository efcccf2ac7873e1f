"""The Study: every analysis choice loaded once from config.toml and periods.toml, checked like data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import analysis
from analysis.cli import main
from analysis.errors import ArgumentError, DataValidationError
from analysis.study import confidence_words, load_study

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def folder(tmp_path):
    for name in ("config.toml", "periods.toml"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_study_holds_every_choice():
    study = load_study()
    assert (study.headline_period, study.reference, study.scope, study.alpha, study.seed) == (
        "surge",
        "calm",
        "pentagon",
        0.05,
        0,
    )
    assert [p.name for p in study.headline_pair()] == ["surge", "calm"]
    assert (
        study.data_range[0] < study.period("calm").start < study.period("surge").start < study.data_range[1]
    )
    assert repr(study).startswith("Study(surge vs calm, scope=pentagon")


def test_alpha_sets_every_confidence_word():
    assert confidence_words(0.1) == "90%" and load_study().replace(alpha=0.1).confidence == "90%"
    with pytest.raises(DataValidationError, match="alpha"):
        load_study().replace(alpha=1.5)


@pytest.mark.parametrize(
    ("file", "old", "new", "column", "message"),
    [
        ("config.toml", 'reference = "calm"', 'reference = "Calm"', "reference", "no such period"),
        ("config.toml", 'period = "surge"', 'period = "war"', "period", "no such period"),
        (
            "config.toml",
            'scope = "pentagon"',
            'scope = "pentagone"',
            "scope",
            "scope='pentagone' is not allowed",
        ),
        (
            "config.toml",
            'tally_scope = "all"',
            'tally_scope = "al"',
            "tally_scope",
            "allowed: 'all', 'subset'",
        ),
        (
            "config.toml",
            "split_reference_at = 2022-04-09",
            "split_reference_at = 2025-04-09",
            "split_reference_at",
            "inside calm",
        ),
        ("config.toml", 'reference = "calm"', 'referense = "calm"', "referense", "unknown key"),
        ("config.toml", "seed = 0", 'seed = "zero"', "seed", "must be int"),
        ("periods.toml", 'name = "surge"', 'nam = "surge"', None, "missing key"),
        ("periods.toml", "start = 2023-10-17", "start = 2023-09-01", "start", "overlap"),
        (
            "config.toml",
            "changepoint_min_days = 14",
            "changepoint_min_days = -3",
            "changepoint_min_days",
            ">= 1",
        ),
        ("config.toml", "mse_boot = 200", "mse_boot = 5", "mse_boot", ">= 20"),
        ("config.toml", 'its_freq = "MS"', 'its_freq = "fortnight"', "its_freq", "allowed: 'D'"),
        ("config.toml", "through = 2026-03-28", 'through = "28 March"', "through", "must be a date"),
    ],
)
def test_a_bad_choice_is_a_failure_row_with_file_line_and_key(folder, file, old, new, column, message):
    _edit(folder / file, old, new)
    with pytest.raises(DataValidationError, match=message) as caught:
        load_study(folder)
    row = caught.value.failures.iloc[0]
    assert Path(row["file"]).name == file
    if column is not None:
        assert row["column"] == column and row["line"] >= 1


def test_periods_that_are_not_tables_are_named(folder):
    (folder / "periods.toml").write_text("period = [1, 2]\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not a table") as caught:
        load_study(folder)
    assert caught.value.failures.iloc[0]["line"] == 1


def test_a_file_that_is_not_toml_is_named(folder):
    (folder / "config.toml").write_text("[headline\nperiod = 1\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="not valid TOML"):
        load_study(folder)


def test_models_read_no_settings_file_of_their_own(incidents):
    with pytest.raises(ArgumentError, match="study=load_study"):
        analysis.compare_periods(incidents)
    # A user's own periods get no pre-specified comparison unless a study or primary= says so.
    mine = {"before": ("2023-01-01", "2023-10-16"), "surge": ("2023-10-17", "2024-02-04")}
    res = analysis.compare_periods(incidents, mine, reference="before")
    assert set(res.wide["comparison"]) == {"reference", "exploratory"}
    res = analysis.compare_periods(incidents, mine, study=load_study(), reference="before")
    assert "pre-specified" in set(res.wide["comparison"])


def test_the_study_alpha_reaches_intervals_and_words(incidents):
    study = load_study().replace(alpha=0.1)
    wide = analysis.compare_periods(incidents, study=study).wide.set_index("period")
    narrow = analysis.compare_periods(incidents, study=load_study()).wide.set_index("period")
    assert narrow.loc["surge", "rr_ci_low"] < wide.loc["surge", "rr_ci_low"] < wide.loc["surge", "rate_ratio"]
    ax = analysis.compare_periods(incidents, study=study).plot(column="rate_ratio")
    assert "90% CI" in ax.get_xlabel()


def test_the_report_command_names_a_bad_reference_without_a_traceback(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    _edit(data / "config.toml", 'reference = "calm"', 'reference = "Calm"')
    assert main(["report", "--data", str(data), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "config.toml:" in err and "'Calm'" in err and "Traceback" not in err

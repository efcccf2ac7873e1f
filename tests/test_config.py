"""data/config.toml: read strictly, so a misspelt key or a bad value names file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.config import load_config
from analysis.periods import PeriodError

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.toml"
    shutil.copy(DATA / "config.toml", path)
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_configuration_loads():
    assert load_config(DATA / "config.toml").headline_period == "surge"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'reference = "calm"',
            'referense = "calm"',
            r"config.toml:\d+: \[headline\] unknown key 'referense'",
        ),
        ("changepoint_min_days = 14", "changepoint_min_day = 14", r"unknown key 'changepoint_min_day'"),
        (
            "changepoint_min_days = 14",
            'changepoint_min_days = "x"',
            r"changepoint_min_days = 'x': must be int",
        ),
        ("[sensitivity]", "[sensitivty]", r"unknown section \[sensitivty\]"),
    ],
)
def test_a_misspelt_key_or_bad_value_is_named_with_its_line(config, old, new, message):
    _edit(config, old, new)
    with pytest.raises(PeriodError, match=message):
        load_config(config)


def test_the_report_command_prints_a_configuration_error_without_a_traceback(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    _edit(data / "config.toml", "seed = 0", "sead = 0")
    assert main(["report", "--data", str(data), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "unknown key 'sead'" in err and "Traceback" not in err

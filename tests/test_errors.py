"""The ordinary mistakes of issue 13 get messages naming the argument, the value and what is allowed."""

import subprocess
import sys

import pandas as pd
import pytest

import analysis
from analysis import Period, compare_periods


@pytest.fixture(scope="module")
def incidents():
    return analysis.load_incidents()


def test_a_single_confirmation_string_is_one_level(incidents):
    res = compare_periods(incidents, study=analysis.load_study(), confirmation="official")
    assert res.scope.confirmation == ("official",) and res.wide["events"].sum() > 0


def test_period_dates_as_strings_work_and_bad_ones_are_named():
    assert Period("a", "A", "2024-01-01", "2024-01-31").days == 31
    with pytest.raises(ValueError, match="start='2024-13-01' is not allowed; allowed: a date"):
        Period("a", "A", "2024-13-01", "2024-01-31")


def test_a_plain_read_csv_frame_gives_the_same_counts(incidents):
    raw = pd.read_csv(analysis.load_incidents.__globals__["data_dir"]() / "incidents.csv")
    a = compare_periods(incidents, study=analysis.load_study()).wide["events"].tolist()
    assert compare_periods(raw, study=analysis.load_study()).wide["events"].tolist() == a


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "bases"}, "scope='bases' is not allowed; allowed: 'pentagon', 'all_attacks'"),
        ({"weapons": "drone"}, "weapons='drone' is not allowed; allowed: 'rocket', 'one_way_drone'"),
        ({"reference": "Calm"}, "reference='Calm' is not allowed; allowed: 'campaign_2020'"),
    ],
)
def test_bad_scope_and_reference(incidents, kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare_periods(incidents, study=analysis.load_study(), **kwargs)


def test_validate_prints_file_line_column_and_value(tmp_path):
    good = (analysis.load_incidents.__globals__["data_dir"]() / "incidents.csv").read_text(encoding="utf-8")
    lines = good.splitlines()
    lines[3] = (
        lines[3].replace(",rocket,", ",rockett,", 1)
        if ",rocket," in lines[3]
        else lines[3].replace(",base,", ",bass,", 1)
    )
    bad = tmp_path / "incidents.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(bad)], capture_output=True, text=True
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout
    text = out.stdout + out.stderr
    assert f"{bad}:4" in text and ("'rockett'" in text or "'bass'" in text)


def test_an_empty_selection_warns_and_gives_real_zeros(incidents):
    with pytest.warns(analysis.StatisticalWarning, match="the scope selects no incidents"):
        res = compare_periods(incidents, study=analysis.load_study(), countries="Jordan", weapons="ied")
    assert res.wide["events"].sum() == 0 and res.wide["rate_ci_high"].gt(0).all()

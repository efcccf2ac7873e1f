"""Both notebooks run top to bottom in a real kernel, in well under a minute, and say what they should."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from analysis.data import load_incidents
from analysis.scope import get_scope

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def run(name: str, tmp_path: Path):
    """Execute notebooks/<name> from a copy of the folder in ``tmp_path`` (its files land there, not in the repo)."""
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(NOTEBOOKS / name, work / name)
    nb = nbformat.read(work / name, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    ).execute()
    elapsed = time.perf_counter() - start
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.get("name") != "stderr")
    text += "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    return nb, outputs, text, elapsed


#: Warnings a notebook may show because its text explains them: the shipped periods run past
#: "data through", and compare_periods says which days it leaves out; a period with its attacks
#: on fewer than 3 days has no interval that holds.
EXPLAINED = ("outside the data's coverage", "extends past the data's coverage", "too few attack days")


def check_clean_run(outputs, elapsed):
    assert not [o for o in outputs if o.get("output_type") == "error"]
    stderr = [o["text"] for o in outputs if o.get("name") == "stderr"]
    unexplained = [
        line
        for text in stderr
        for line in text.splitlines()
        if "Warning" in line and not any(reason in line for reason in EXPLAINED)
    ]
    assert not unexplained, "a cell warned"
    assert elapsed < 60, f"took {elapsed:.0f} s"


@pytest.mark.parametrize("name", ["quickstart.ipynb", "your_question.ipynb"])
def test_committed_notebook_has_no_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "make lab" in "".join(c.source for c in nb.cells)
    assert all(
        not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code"
    )


@pytest.mark.slow
def test_quickstart_explains_the_scope_and_the_headline(tmp_path):
    nb, outputs, text, elapsed = run("quickstart.ipynb", tmp_path)
    check_clean_run(outputs, elapsed)
    incidents = load_incidents()
    counted = len(get_scope("pentagon").select(incidents))
    assert f"{len(incidents)} rows in the file become {counted} counted attacks" in text
    assert "rows left out: the rule is 'confirmation is official or media'" in text
    assert "rows_removed" in text  # the funnel table itself
    assert "Gaza-war surge: " in text and "times the calm" in text and "95% interval" in text
    assert "<PeriodComparison" not in text
    assert len([o for o in outputs if "image/png" in o.get("data", {})]) == 2


@pytest.mark.slow
def test_your_question_compares_syria_drones_and_exports(tmp_path):
    nb, outputs, text, elapsed = run("your_question.ipynb", tmp_path)
    check_clean_run(outputs, elapsed)
    assert "weapon is one_way_drone" in text and "country is Syria" in text
    assert "Gaza-war surge: " in text and "times the rate before the Gaza war" in text
    assert len([o for o in outputs if "image/png" in o.get("data", {})]) == 1
    out = tmp_path / "reports" / "your_question"
    table = pd.read_csv(out / "syria_one_way_drones.csv")
    assert table["period"].tolist() == [
        "Before the Gaza war",
        "Gaza-war surge",
        "After Tower 22",
        "After Assad fell",
    ]
    expected = get_scope("pentagon", countries=["Syria"], weapons=["one_way_drone"]).select(load_incidents())
    in_periods = expected[(expected.event_date >= "2023-01-01") & (expected.event_date <= "2026-03-18")]
    assert table["attacks"].sum() == len(in_periods)
    tex = (out / "syria_one_way_drones.tex").read_text()
    assert "\\begin{tabular}" in tex and "Gaza-war surge" in tex
    assert (out / "syria_one_way_drones.md").exists()

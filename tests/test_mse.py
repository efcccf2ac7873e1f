"""Tests for analysis.models.mse.estimate and .result: the estimate, its result, bad input, a fast simulation."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.models.mse import estimate_undercount

ROOT = Path(__file__).resolve().parents[1]


THREE = pd.DataFrame(
    {
        "A": [1, 0, 0, 1, 1, 0, 1],
        "B": [0, 1, 0, 1, 0, 1, 1],
        "C": [0, 0, 1, 0, 1, 1, 1],
        "count": [30, 25, 20, 12, 10, 8, 5],
    }
)


def test_result_contract_table_summary_plot_repr():
    res = estimate_undercount(THREE, n_boot=50, seed=1)
    t = res.table
    assert list(t.columns[:5]) == ["stratum", "estimate", "ci_low", "ci_high", "observed"]
    row = t.iloc[0]
    assert row["observed"] == 110
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
    assert row["completeness"] == pytest.approx(110 / row["estimate"])
    assert "bootstrap" in row["method"]
    assert repr(res).startswith("<UndercountResult: 1 strata, 110 attacks seen")
    assert "Assumptions: closed population" in res.summary()
    assert "<table" in res._repr_html_()
    ax = res.plot()
    assert ax.get_title(loc="left") == "How many attacks did every source miss?"
    assert "all" in res.fits and res.boot["all"].shape == (50, 2)


def test_same_seed_same_interval():
    a = estimate_undercount(THREE, n_boot=40, seed=3).table
    b = estimate_undercount(THREE, n_boot=40, seed=3).table
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("frame", "lists", "match"),
    [
        (THREE[["A", "B", "count"]], None, "three or more"),
        (THREE, ["A", "B"], "three or more"),
        (THREE.iloc[0:0], None, "empty"),
        (THREE.assign(C=THREE["C"] * 2), ["A", "B", "C"], "0/1"),
        (THREE, ["A", "B", "Z"], "Z"),
    ],
)
def test_bad_input_is_an_argument_error(frame, lists, match):
    with pytest.raises(ArgumentError, match=match):
        estimate_undercount(frame, lists=lists, n_boot=0)


@pytest.mark.parametrize(
    "argument", [{"criterion": "dic"}, {"estimator": "mean"}, {"n_boot": -1}, {"alpha": 2}]
)
def test_bad_options_are_argument_errors(argument):
    with pytest.raises(ArgumentError):
        estimate_undercount(THREE, **argument)


def test_no_overlap_warns_and_gives_no_number():
    single = pd.DataFrame({"A": [1, 0, 0], "B": [0, 1, 0], "C": [0, 0, 1], "count": [4, 5, 6]})
    with pytest.warns(StatisticalWarning, match="no attack is on two or more lists"):
        res = estimate_undercount(single, n_boot=0)
    assert np.isnan(res.table["estimate"].iloc[0])
    assert res.table["observed"].iloc[0] == 15


def test_a_list_that_caught_nothing_is_dropped_and_too_few_lists_warn():
    frame = THREE.assign(D=0)
    res = estimate_undercount(frame, n_boot=0)
    assert res.table["n_lists"].iloc[0] == 3
    assert "dropped: D" in res.table["note"].iloc[0]
    with pytest.warns(StatisticalWarning, match="fewer than three lists"):
        res = estimate_undercount(frame.assign(C=0), n_boot=0)
    assert np.isnan(res.table["estimate"].iloc[0])


def test_strata_are_estimated_separately():
    frame = pd.concat([THREE.assign(stratum="x"), THREE.assign(stratum="y", count=THREE["count"] * 2)])
    t = estimate_undercount(frame, n_boot=0).table.set_index("stratum")
    assert t.loc["y", "observed"] == 2 * t.loc["x", "observed"]
    # Doubling every cell keeps the independence fit's completeness (the MLE scales).
    assert t.loc["y", "completeness"] == pytest.approx(t.loc["x", "completeness"], rel=0.05)


@pytest.mark.slow
def test_fast_simulation_average_aic_covers_on_independent_and_dependent_lists():
    """A fast slice of benchmarks/sim_mse.py: 30 populations, the default estimator."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from sim_mse import mse_study

    table = mse_study(
        reps=30, n_boot=49, scenarios=("independent_calm", "dependent"), methods=("average AIC (bootstrap)",)
    )
    assert (table["coverage"] >= 0.85).all(), table
    assert (table["median_rel_bias"].abs() < 0.15).all(), table


DATA = ROOT / "tests" / "data" / "mse"


def test_uk_five_lists_aic_search_finds_the_published_stepwise_model():
    """Of all 1,024 models, AIC picks the one Silverman's stepwise method chose (11,313, in the 10-13k range)."""
    table = pd.read_csv(DATA / "uk2013_5list.csv")
    row = estimate_undercount(table, n_boot=0, criterion="aic").table.iloc[0]
    chosen = set(row["model"].split(" + "))
    assert chosen == {"LA:NG", "NG:GP", "PFNCA:GP", "LA:PFNCA", "GO:GP", "NG:GO"}
    assert row["estimate"] == pytest.approx(11313.0, rel=5e-5)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((9889.2, 13063.1), rel=2e-4)


def test_six_lists_are_refused_with_a_clear_message():
    table = pd.read_csv(DATA / "uk2013_6list.csv")
    with pytest.raises(ArgumentError, match="at most 5 lists"):
        estimate_undercount(table, n_boot=0)

"""Multiple systems estimation: fits against statsmodels, intervals, bad input, a fast simulation."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.errors import ArgumentError, DataQualityWarning, StatisticalWarning
from analysis.models.mse import (
    _as_cells,
    _design,
    _fit_all,
    _newton,
    capture_histories,
    estimate_undercount,
    fit_loglinear,
    loglinear_models,
)

ROOT = Path(__file__).resolve().parents[1]
THREE = pd.DataFrame(
    {
        "A": [1, 0, 0, 1, 1, 0, 1],
        "B": [0, 1, 0, 1, 0, 1, 1],
        "C": [0, 0, 1, 0, 1, 1, 1],
        "count": [30, 25, 20, 12, 10, 8, 5],
    }
)


def test_every_hierarchical_two_way_model_is_enumerated():
    assert len(loglinear_models("abc")) == 8
    assert len(loglinear_models("abcde")) == 1024
    assert ((("a", "b"), ("a", "c"), ("b", "c"))) in loglinear_models("abc")


def test_batched_newton_matches_statsmodels_glm_for_every_model():
    cells = _as_cells(THREE, ["A", "B", "C"])
    for pairs in loglinear_models(["A", "B", "C"]):
        X = _design(cells, ["A", "B", "C"], pairs)
        beta, mu, ll, conv = _newton(X, cells["count"].to_numpy(float)[None, :])
        ref = sm.GLM(cells["count"].to_numpy(float), X, family=sm.families.Poisson()).fit()
        assert conv[0]
        np.testing.assert_allclose(beta[0], ref.params, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(ll[0], ref.llf, rtol=1e-9)


def test_independence_estimate_is_observed_plus_exp_intercept():
    fit = fit_loglinear(_as_cells(THREE, ["A", "B", "C"]), ["A", "B", "C"])
    res = estimate_undercount(THREE, estimator="best", n_boot=0, criterion="bic")
    independence = res.models.set_index("model").loc["independence", "estimate"]
    assert independence == pytest.approx(110 + np.exp(fit.params["const"]), rel=1e-8)


def _profile_by_grid(cells, lists, pairs, alpha=0.05):
    """The profile likelihood of N on a fine grid, each point fitted by statsmodels (independent code)."""
    from scipy import special, stats

    n = cells["count"].sum()
    full = pd.concat([cells, pd.DataFrame([{**{c: 0 for c in lists}, "count": 0}])], ignore_index=True)
    X = _design(full, lists, pairs)
    grid = np.arange(n, n + 400, 0.25)
    prof = []
    for N in grid:
        y = full["count"].to_numpy(float)
        y[-1] = N - n
        fit = sm.GLM(y, X, family=sm.families.Poisson()).fit()
        mu = fit.mu
        ll = np.sum(special.xlogy(y, mu) - mu - special.gammaln(y + 1))
        prof.append(ll + special.gammaln(N + 1) + N - N * np.log(N))
    prof = np.array(prof)
    inside = grid[2 * (prof.max() - prof) <= stats.chi2.ppf(1 - alpha, 1)]
    return inside.min(), inside.max()


def test_profile_interval_matches_a_grid_search_with_statsmodels():
    res = estimate_undercount(THREE, estimator="best", n_boot=0, criterion="bic")
    row = res.models.set_index("model").loc["independence"]
    low, high = _profile_by_grid(_as_cells(THREE, ["A", "B", "C"]), ["A", "B", "C"], ())
    assert row["ci_low"] == pytest.approx(low, abs=0.3)
    assert row["ci_high"] == pytest.approx(high, abs=0.3)


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


def test_bic_penalises_more_than_aic():
    _, est, aic, _ = _fit_all(_as_cells(THREE, ["A", "B", "C"]), ["A", "B", "C"], "aic")
    _, _, bic, _ = _fit_all(_as_cells(THREE, ["A", "B", "C"]), ["A", "B", "C"], "bic")
    assert np.all(bic[0] > aic[0])


def test_latent_class_recovers_a_heterogeneous_total():
    rng = np.random.default_rng(5)
    N = 3000
    big = rng.random(N) < 0.3
    p = np.where(big[:, None], 0.7, np.array([0.1, 0.2, 0.25, 0.15]))
    caught = (rng.random((N, 4)) < p).astype(int)
    seen = pd.DataFrame(caught[caught.any(axis=1)], columns=list("ABCD"))
    res = estimate_undercount(seen, heterogeneity="latent_class", n_boot=0)
    assert res.table["estimate"].iloc[0] == pytest.approx(N, rel=0.12)
    independence = estimate_undercount(seen, estimator="best", n_boot=0).models
    naive = independence.set_index("model").loc["independence", "estimate"]
    assert naive < 0.9 * N  # heterogeneity biases the independence model down


def test_latent_class_needs_four_lists():
    with pytest.warns(StatisticalWarning, match="four or more lists"):
        res = estimate_undercount(THREE, heterogeneity="latent_class", n_boot=0)
    assert np.isnan(res.table["estimate"].iloc[0])


# ------------------------------------------------------------------ capture histories


def test_capture_histories_of_the_shipped_record_account_for_every_row(incidents):
    from analysis.scope import get_scope

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        hist = capture_histories(incidents)
    in_scope = get_scope("pentagon").replace(confirmation=None).select(incidents)
    assert len(hist) + len(hist.attrs["dropped"]) == len(in_scope)
    assert set(hist.columns) >= {"event_id", "stratum", "period", "official", "claim", "media"}
    assert hist[["official", "claim", "media", "monitor", "state_media"]].sum(axis=1).min() >= 1
    if hist.attrs["dropped"]:
        assert any(issubclass(w.category, DataQualityWarning) for w in seen)


def test_capture_histories_map_systems_to_lists():
    inc = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "source_systems": ["us_official;independent_media", "coalition_official", ""],
        }
    )
    with pytest.warns(DataQualityWarning, match="1 rows"):
        hist = capture_histories(inc, strata=None, scope=False)
    assert hist["official"].tolist() == [1, 1]
    assert hist["media"].tolist() == [1, 0]
    assert hist.attrs["dropped"][0][0] == "c"


def test_capture_histories_bad_lists_and_strata():
    inc = pd.DataFrame({"event_id": ["a"], "source_systems": ["claim"]})
    with pytest.raises(ArgumentError, match="three or more"):
        capture_histories(inc, lists={"a": ["claim"], "b": ["monitor"]}, strata=None, scope=False)
    with pytest.raises(ArgumentError, match="rumour"):
        capture_histories(
            inc, lists={"a": ["rumour"], "b": ["monitor"], "c": ["claim"]}, strata=None, scope=False
        )
    with pytest.raises(ArgumentError, match="strata"):
        capture_histories(inc, strata="province", scope=False)
    with pytest.raises(ArgumentError, match="source_systems"):
        capture_histories(inc.drop(columns="source_systems"), strata=None, scope=False)


# ------------------------------------------------------------------ fast simulation


def test_fast_simulation_average_aic_covers_on_independent_and_dependent_lists():
    """A fast slice of benchmarks/sim_mse.py: 30 populations, the default estimator."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from sim_mse import mse_study

    table = mse_study(
        reps=30, n_boot=49, scenarios=("independent_calm", "dependent"), methods=("average AIC (bootstrap)",)
    )
    assert (table["coverage"] >= 0.85).all(), table
    assert (table["median_rel_bias"].abs() < 0.15).all(), table


# ------------------------------------------------------------------ published tables

DATA = ROOT / "tests" / "data" / "mse"


@pytest.mark.parametrize(
    ("name", "pairs", "total", "low", "high"),
    [
        (
            "uk2013_5list",
            [("LA", "NG"), ("NG", "GP"), ("PFNCA", "GP"), ("LA", "PFNCA"), ("GO", "GP"), ("NG", "GO")],
            11313.0,
            9889.2,
            13063.1,
        ),
        (
            "uk2013_6list",
            [
                ("PF", "NCA"),
                ("LA", "NG"),
                ("NG", "GP"),
                ("LA", "PF"),
                ("PF", "GP"),
                ("GO", "GP"),
                ("NG", "GO"),
            ],
            11418.0,
            9982.3,
            13181.7,
        ),
        ("hiv_rome", [("c1", "c2")], 12318.5, 10266.0, 14992.3),
        ("kosovo1999", [], 7394.6, 7147.7, 7656.2),
    ],
)
def test_published_tables_reproduce_rcapture_and_glm(name, pairs, total, low, high):
    """Named models on published lists: the total and Rcapture's profile interval to 4 figures."""
    from analysis.models.mse import _profile_interval

    table = pd.read_csv(DATA / f"{name}.csv")
    lists = [c for c in table.columns if c != "count"]
    cells = _as_cells(table, lists)
    fit = fit_loglinear(cells, lists, pairs)
    estimate = cells["count"].sum() + np.exp(fit.params["const"])
    assert estimate == pytest.approx(total, rel=5e-5)
    ci = _profile_interval(cells, lists, pairs, estimate, 0.05)
    assert ci == pytest.approx((low, high), rel=2e-4)


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


def test_tally_windows_count_the_scope_in_each_window_and_name_bad_ids():
    import warnings

    from analysis import load_incidents, load_tallies
    from analysis.errors import ArgumentError
    from analysis.models.mse import undercount_in_tally_windows
    from analysis.scope import get_scope

    inc, tallies = load_incidents(), load_tallies()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = undercount_in_tally_windows(inc, tallies, ["sohr-syria-2024-10-09"], n_boot=0)
    row = out.iloc[0]
    rows = get_scope("pentagon", countries=["Syria"]).replace(confirmation=None).select(inc)
    seen = rows[(rows["event_date"] >= "2023-10-19") & (rows["event_date"] <= "2024-10-09")]
    seen = seen[seen["source_systems"].fillna("") != ""]
    assert (row["countries"], row["tally"], row["observed"]) == ("Syria", 143.0, len(seen))
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"] and row["observed"] <= row["ci_low"] + 1e-9
    with pytest.raises(ArgumentError, match="tally_ids"):
        undercount_in_tally_windows(inc, tallies, ["no-such-tally"], n_boot=0)

"""Tests for analysis.models.mse.loglinear: fits against statsmodels, the profile interval, published tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.models.mse import (
    _as_cells,
    _design,
    _fit_all,
    _newton,
    _profile_interval,
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


def test_bic_penalises_more_than_aic():
    _, est, aic, _ = _fit_all(_as_cells(THREE, ["A", "B", "C"]), ["A", "B", "C"], "aic")
    _, _, bic, _ = _fit_all(_as_cells(THREE, ["A", "B", "C"]), ["A", "B", "C"], "bic")
    assert np.all(bic[0] > aic[0])


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
    table = pd.read_csv(DATA / f"{name}.csv")
    lists = [c for c in table.columns if c != "count"]
    cells = _as_cells(table, lists)
    fit = fit_loglinear(cells, lists, pairs)
    estimate = cells["count"].sum() + np.exp(fit.params["const"])
    assert estimate == pytest.approx(total, rel=5e-5)
    ci = _profile_interval(cells, lists, pairs, estimate, 0.05)
    assert ci == pytest.approx((low, high), rel=2e-4)

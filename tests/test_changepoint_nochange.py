"""Tests for analysis.models.changepoint.nochange: the Monte Carlo tests of no change at all."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.models.changepoint import detect_changepoints


def daily(y, start="2023-01-01") -> pd.Series:
    return pd.Series(np.asarray(y), index=pd.date_range(start, periods=len(y), freq="D"))


def test_no_change_tests_calibrated_and_powerful():
    """Under no change (100 seeds, 60 days): the single-change test is properly sized, asserted as
    P(p <= 0.1) <= 0.2 and 0.35 <= P(p <= 0.5) <= 0.65; the selected-model test is conservative,
    P(p <= 0.1) <= 0.15. Measured: 0.06 / 0.47 and 0.06."""
    p = np.array(
        [
            detect_changepoints(
                daily(np.random.default_rng(seed).poisson(1.0, 60)),
                min_segment_days=3,
                n_boot=49,
                seed=seed,
                penalty="bic",
                dispersion=None,
                rerun_search=True,
            )
            .test["p_value"]
            .to_numpy()
            for seed in range(100)
        ]
    )
    single, selected = p[:, 0], p[:, 1]
    print(
        f"null P(p<=0.1): selected {np.mean(selected <= 0.1):.2f}, single {np.mean(single <= 0.1):.2f}; "
        f"single P(p<=0.5) {np.mean(single <= 0.5):.2f}"
    )
    assert np.mean(single <= 0.1) <= 0.2
    assert 0.35 <= np.mean(single <= 0.5) <= 0.65
    assert np.mean(selected <= 0.1) <= 0.15
    rng = np.random.default_rng(1)
    strong = detect_changepoints(
        daily(np.r_[rng.poisson(0.5, 60), rng.poisson(3.0, 60)]), n_boot=49, rerun_search=True
    )
    np.testing.assert_allclose(strong.test["p_value"], 1 / 50)
    assert strong.test["statistic"].iloc[0] > strong.penalty_value


def test_no_change_test_is_deterministic_given_seed():
    y = np.random.default_rng(2).poisson(1.0, 80)
    a = detect_changepoints(daily(y), n_boot=29, seed=4, rerun_search=True)
    b = detect_changepoints(daily(y), n_boot=29, seed=4, rerun_search=True)
    np.testing.assert_array_equal(a.boot_statistics, b.boot_statistics)
    assert a.boot_statistics.shape == (29, 2)


def test_search_rerun_is_opt_in():
    y = daily(np.random.default_rng(2).poisson(1.0, 200))
    quick = detect_changepoints(y, n_boot=19)
    assert quick.test["test"].tolist() == ["best single change vs none"] and quick.boot_statistics.shape == (
        19,
        1,
    )
    full = detect_changepoints(y, n_boot=19, rerun_search=True)
    assert full.test["test"].tolist() == ["best single change vs none", "selected segmentation vs none"]
    assert full.test["p_value"].iloc[0] == quick.test["p_value"].iloc[0]

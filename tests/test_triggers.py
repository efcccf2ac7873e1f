"""Tests for analysis.models.triggers against independent pandas/scipy computations."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.models.triggers import trigger_windows  # noqa: E402


def incidents_from(days: np.ndarray, origin="2023-01-01") -> pd.DataFrame:
    return pd.DataFrame({"event_date": pd.Timestamp(origin) + pd.to_timedelta(np.asarray(days), unit="D")})


def independent_counts(dates: pd.Series, trigger: pd.Timestamp, window: int, baseline: int):
    """Counts by direct date comparison (no cumulative sums), as a reader would do it."""
    after = ((dates > trigger) & (dates <= trigger + pd.Timedelta(days=window))).sum()
    before = ((dates >= trigger - pd.Timedelta(days=baseline)) & (dates < trigger)).sum()
    return int(after), int(before)


def scipy_rate_ratio(x_after, t_after, x_before, t_before, alpha=0.05):
    """Exact conditional test and Clopper-Pearson interval written directly with scipy."""
    n = x_after + x_before
    share = t_after / (t_after + t_before)
    p_value = stats.binomtest(x_after, n, share).pvalue
    lo = stats.beta.ppf(alpha / 2, x_after, n - x_after + 1) if x_after > 0 else 0.0
    hi = stats.beta.ppf(1 - alpha / 2, x_after + 1, n - x_after) if x_after < n else 1.0
    odds = lambda p: p / (1 - p) * t_before / t_after  # noqa: E731
    return (x_after / t_after) / (x_before / t_before), odds(lo), odds(hi), p_value


@pytest.fixture
def scenario():
    rng = np.random.default_rng(0)
    days = rng.integers(0, 365, 300)
    trig = pd.DataFrame({"event_date": pd.to_datetime(["2023-02-15", "2023-06-01", "2023-09-10", "2023-11-20"]),
                         "label": ["a", "b", "c", "d"]})
    return incidents_from(days), trig


def test_counts_and_pooled_ratio_match_scipy(scenario):
    incidents, trig = scenario
    res = trigger_windows(incidents, trig, window_days=7, baseline_days=28, n_perm=0,
                          span=("2023-01-01", "2023-12-31"))
    table = res.table
    total_after = total_before = 0
    for i, day in enumerate(trig["event_date"]):
        after, before = independent_counts(incidents["event_date"], day, 7, 28)
        assert table.loc[i, "window_events"] == after and table.loc[i, "baseline_events"] == before
        assert table.loc[i, "window_days"] == 7 and table.loc[i, "baseline_days"] == 28
        expected = scipy_rate_ratio(after, 7, before, 28)
        got = table.loc[i, ["rate_ratio", "ci_low", "ci_high", "p_value"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, expected, rtol=1e-9)
        total_after += after
        total_before += before
    pooled = table.iloc[-1]
    assert pooled["trigger"] == "pooled"
    assert (pooled["window_events"], pooled["baseline_events"]) == (total_after, total_before)
    expected = scipy_rate_ratio(total_after, 28, total_before, 112)
    got = pooled[["rate_ratio", "ci_low", "ci_high", "p_value"]].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert math.isnan(res.p_value_two_sided)


def test_trigger_day_is_in_neither_window_nor_baseline():
    incidents = incidents_from([30, 30, 30, 31, 29])  # trigger on day 30
    res = trigger_windows(incidents, [pd.Timestamp("2023-01-31")], window_days=3, baseline_days=3, n_perm=0,
                          span=("2023-01-01", "2023-03-31"))
    row = res.table.iloc[0]
    assert (row["window_events"], row["baseline_events"]) == (1, 1)


def test_windows_clipped_to_span_and_empty_baseline():
    incidents = incidents_from([0, 2, 3, 5])
    res = trigger_windows(incidents, ["2023-01-02"], window_days=7, baseline_days=28, n_perm=0,
                          span=("2023-01-01", "2023-03-31"))
    row = res.table.iloc[0]
    assert row["baseline_days"] == 1 and row["baseline_events"] == 1  # only 1 January is in the span
    empty = trigger_windows(incidents_from([10, 11, 12, 40]), ["2023-01-05"], window_days=10, baseline_days=3,
                            n_perm=0, span=("2023-01-01", "2023-03-31")).table.iloc[0]
    assert empty["baseline_events"] == 0 and math.isinf(empty["rate_ratio"]) and math.isinf(empty["ci_high"])
    assert 0 < empty["ci_low"] < np.inf


def test_overlapping_windows_are_flagged(scenario):
    incidents, _ = scenario
    res = trigger_windows(incidents, ["2023-03-01", "2023-03-20", "2023-08-01"], n_perm=0)
    assert res.table["overlaps_earlier"].tolist() == [False, True, False, True]


def test_permutation_p_value_matches_full_enumeration():
    """With one trigger, each draw is uniform over eligible days: the Monte Carlo p-value must be
    within 4 binomial SEs of the exact enumeration over all eligible days."""
    rng = np.random.default_rng(1)
    days = rng.integers(0, 120, 150)
    days = np.r_[days, np.full(6, 61), np.full(5, 63)]  # a burst after day 60
    incidents = incidents_from(days)
    span = ("2023-01-01", "2023-04-30")
    res = trigger_windows(incidents, ["2023-03-02"], window_days=5, baseline_days=14, n_perm=1999, seed=3,
                          span=span)
    daily = res.daily_counts.to_numpy()
    eligible = np.arange(14, len(daily) - 5)
    stat = np.array([daily[d + 1 : d + 6].sum() / 5 - daily[d - 14 : d].sum() / 14 for d in eligible])
    assert res.statistic == pytest.approx(stat[eligible == 60][0])
    q = np.mean(stat >= res.statistic - 1e-12)
    se = math.sqrt(q * (1 - q) / 1999) + 1 / 2000
    assert abs(res.p_value_greater - q) < 4 * se
    assert res.p_value_greater < 0.1


def test_permutation_detects_effect_and_is_calibrated_under_null():
    """Stated thresholds: an imposed effect gives permutation p < 0.01; under no effect, P(p <= 0.1) <= 0.25
    over 40 random trigger sets."""
    rng = np.random.default_rng(2)
    base = rng.integers(0, 730, 400)
    trig_days = np.sort(rng.choice(np.arange(60, 700), 8, replace=False))
    burst = np.concatenate([d + rng.integers(1, 8, 6) for d in trig_days])
    res = trigger_windows(incidents_from(np.r_[base, burst]), pd.Timestamp("2023-01-01") + pd.to_timedelta(
        trig_days, unit="D"), n_perm=499, seed=0)
    assert res.p_value_greater < 0.01 and res.table.iloc[-1]["rate_ratio"] > 1.5
    small = 0
    for seed in range(40):
        r = np.random.default_rng(100 + seed)
        days = r.integers(0, 730, 400)
        triggers = pd.Timestamp("2023-01-01") + pd.to_timedelta(r.choice(np.arange(30, 720), 5, replace=False),
                                                                 unit="D")
        small += trigger_windows(incidents_from(days), triggers, n_perm=199, seed=seed).p_value_two_sided <= 0.1
    assert small / 40 <= 0.25


def test_deterministic_given_seed_and_result_api(scenario):
    incidents, trig = scenario
    a = trigger_windows(incidents, trig, n_perm=199, seed=5)
    b = trigger_windows(incidents, trig, n_perm=199, seed=5)
    np.testing.assert_array_equal(a.permutation_statistics, b.permutation_statistics)
    assert len(a.table) == len(trig) + 1
    assert a.table["trigger"].tolist() == ["a", "b", "c", "d", "pooled"]
    assert repr(a).startswith("<TriggerResult: 4 triggers, pooled RR ")
    assert "trigger day itself is excluded" in a.summary()
    before = dict(plt.rcParams)
    ax = a.plot()
    assert isinstance(ax, plt.Axes) and dict(plt.rcParams) == before
    plt.close("all")


def test_list_of_dates_and_bad_windows():
    incidents = incidents_from(np.arange(0, 100, 3))
    res = trigger_windows(incidents, ["2023-02-01", "2023-03-01"], n_perm=0)
    assert res.table["trigger"].tolist() == ["2023-02-01", "2023-03-01", "pooled"]
    with pytest.raises(ValueError):
        trigger_windows(incidents, ["2023-02-01"], window_days=0)

"""Tests for analysis.models.changepoint.detect and .result: zeros, recovery, dates and rate ratios, the result."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.models.changepoint import detect_changepoints  # noqa: E402
from analysis.models.exact import garwood_interval, rate_ratio_exact  # noqa: E402


def daily(y, start="2023-01-01") -> pd.Series:
    return pd.Series(np.asarray(y), index=pd.date_range(start, periods=len(y), freq="D"))


def test_all_zero_series():
    fit = detect_changepoints(daily(np.zeros(60, dtype=int)), n_boot=19)
    assert len(fit.breakpoints) == 0
    assert fit.cost == 0.0
    row = fit.segments.iloc[0]
    assert row["events"] == 0 and row["rate_per_30d"] == 0.0 and row["rate_ci_low"] == 0.0
    assert row["rate_ci_high"] == pytest.approx(30 * garwood_interval(0, 60.0)[1])
    assert (fit.test["p_value"] == 1.0).all()
    assert fit.changepoints.empty and fit.changepoints["date"].dtype.kind == "M"


def test_all_zero_segment_next_to_events():
    y = np.r_[np.zeros(40, dtype=int), np.random.default_rng(0).poisson(2.0, 40)]
    fit = detect_changepoints(daily(y), n_boot=0)
    assert fit.breakpoints.tolist() == [40]
    assert fit.segments["events"].iloc[0] == 0
    cp = fit.changepoints.iloc[0]
    # Before-rate zero: the ratio is infinite, with a finite exact lower bound.
    assert math.isinf(cp["rate_ratio"]) and 1 < cp["rr_ci_low"] < np.inf
    assert cp["date_low"] <= cp["date"] <= cp["date_high"]
    assert "ci_low" not in cp  # date intervals are date_low/date_high, never ci_low


@pytest.mark.slow  # a power and false-positive simulation
def test_power_false_positive_rate_and_date_coverage():
    """Stated thresholds: power >= 0.90, FPR <= 0.10 (BIC) and <= 0.05 (MBIC), coverage >= 0.85.

    Power: one change at day 200 of 365, 0.5 -> 1.5 events/day, detected when a
    changepoint falls within 14 days of it. FPR: constant 1 event/day for 365
    days, any changepoint is a false positive. Coverage: the 95% date interval
    contains the true date, among runs that found exactly one changepoint.
    Measured on seeds 0-99: power 0.98, FPR 0.04 / 0.00, coverage 0.97.
    """
    idx = pd.date_range("2023-01-01", periods=365, freq="D")
    truth = idx[200]
    seeds = range(100)
    hits = covered = single = 0
    false_bic = false_mbic = 0
    for seed in seeds:
        rng = np.random.default_rng(seed)
        y = np.r_[rng.poisson(0.5, 200), rng.poisson(1.5, 165)]
        fit = detect_changepoints(pd.Series(y, index=idx), n_boot=0, penalty="bic", dispersion=None)
        dates = fit.changepoints["date"]
        hits += bool((abs((dates - truth).dt.days) <= 14).any())
        if len(dates) == 1:
            single += 1
            covered += bool(
                fit.changepoints["date_low"].iloc[0] <= truth <= fit.changepoints["date_high"].iloc[0]
            )
        null = pd.Series(rng.poisson(1.0, 365), index=idx)
        false_bic += len(detect_changepoints(null, n_boot=0, penalty="bic", dispersion=None).breakpoints) > 0
        false_mbic += len(detect_changepoints(null, n_boot=0, dispersion=None).breakpoints) > 0
    n = len(seeds)
    power, fpr_bic, fpr_mbic, coverage = hits / n, false_bic / n, false_mbic / n, covered / single
    print(f"power={power:.2f} fpr_bic={fpr_bic:.2f} fpr_mbic={fpr_mbic:.2f} coverage={coverage:.2f}")
    assert power >= 0.90
    assert fpr_bic <= 0.10
    assert fpr_mbic <= 0.05
    assert coverage >= 0.85


def test_two_changes_recovered_within_tolerance():
    rng = np.random.default_rng(11)
    y = np.r_[rng.poisson(1.0, 150), rng.poisson(4.0, 60), rng.poisson(1.0, 150)]
    fit = detect_changepoints(daily(y), n_boot=0)
    assert len(fit.breakpoints) == 2
    assert abs(fit.breakpoints[0] - 150) <= 5 and abs(fit.breakpoints[1] - 210) <= 5


def test_date_posterior_matches_numerical_integration():
    """The posterior over the change date equals direct integration over both rates."""
    rng = np.random.default_rng(3)
    y = np.r_[rng.poisson(0.5, 15), rng.poisson(3.0, 15)]
    fit = detect_changepoints(daily(y), min_segment_days=3, n_boot=0)
    assert len(fit.breakpoints) >= 1
    dates, prob = fit.posteriors[0]
    positions = [(d - fit.index[0]).days for d in dates]
    # The first change lives between the series start and the second change (or the end).
    y = y[: np.r_[fit.breakpoints, len(y)][1]]

    def marginal(seg):
        # Jeffreys prior lambda^(-1/2) on each side; with lambda = u^2 the integrand has no singularity.
        f = lambda u: 2 * np.exp(np.sum(stats.poisson.logpmf(seg, u * u)))  # noqa: E731
        peak = math.sqrt(max(seg.mean(), 1e-3))
        return integrate.quad(f, 0, 10, points=[peak], limit=500, epsabs=0, epsrel=1e-10)[0]

    direct = np.array([marginal(y[:tau]) * marginal(y[tau:]) for tau in positions])
    direct /= direct.sum()
    np.testing.assert_allclose(prob, direct, rtol=1e-5, atol=1e-10)
    assert fit.changepoints["date_mass"].iloc[0] >= 0.95


def test_rate_ratio_is_exact_on_segment_sums():
    rng = np.random.default_rng(8)
    y = np.r_[rng.poisson(0.8, 100), rng.poisson(2.5, 100)]
    fit = detect_changepoints(daily(y), n_boot=0)
    seg = fit.segments
    cp = fit.changepoints.iloc[0]
    expected = rate_ratio_exact(seg["events"][1], seg["days"][1], seg["events"][0], seg["days"][0])
    assert (cp["rate_ratio"], cp["rr_ci_low"], cp["rr_ci_high"], cp["rr_p_value"]) == pytest.approx(expected)
    assert "post-selection" in cp["inference"]
    lo, hi = garwood_interval(seg["events"][0], seg["days"][0])
    assert (seg["rate_ci_low"][0], seg["rate_ci_high"][0]) == pytest.approx((30 * lo, 30 * hi))


def test_result_api_repr_plot_simulate():
    rng = np.random.default_rng(0)
    y = np.r_[rng.poisson(1.0, 120), rng.poisson(4.0, 60), rng.poisson(1.0, 120)]
    fit = detect_changepoints(daily(y), n_boot=19)
    assert repr(fit) == f"<ChangepointResult: 2 changepoints, {y.sum()} events, penalty=mbic>"
    assert fit.penalty_value == pytest.approx(3 * math.log(300)) and fit.dispersion == 1.0
    assert list(fit.segments.columns) == [
        "segment",
        "start",
        "end",
        "days",
        "events",
        "rate_per_30d",
        "rate_ci_low",
        "rate_ci_high",
    ]
    assert fit.segments["events"].sum() == y.sum() and fit.segments["days"].sum() == 300
    assert list(fit.table.columns[:4]) == ["estimate", "ci_low", "ci_high", "p_value"] and len(fit.table) == 2
    assert fit.table["estimate"].tolist() == fit.changepoints["rate_ratio"].tolist() and not fit.table.attrs
    assert "post-selection" in fit.summary() and "<table" in fit._repr_html_()
    before = dict(plt.rcParams)
    ax = fit.plot()
    assert isinstance(ax, plt.Axes) and dict(plt.rcParams) == before
    fig, given = plt.subplots()
    assert fit.plot(ax=given) is given
    plt.close("all")
    sim = fit.simulate(seed=3)
    pd.testing.assert_series_equal(sim, fit.simulate(seed=3))
    assert sim.index.equals(fit.index)
    later = fit.simulate("2024-01-01", "2024-12-31", seed=1)
    assert len(later) == 366 and later.mean() == pytest.approx(fit.segment_rates[-1], rel=0.2)

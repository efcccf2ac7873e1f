"""Tests for analysis.models.changepoint: exactness, recovery, intervals, the no-change test."""

from __future__ import annotations

import itertools
import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.errors import ArgumentError  # noqa: E402
from analysis.models.changepoint import (  # noqa: E402
    _pelt,
    changepoint_penalty_path,
    detect_changepoints,
)
from analysis.models.exact import garwood_interval, rate_ratio_exact  # noqa: E402


def daily(y, start="2023-01-01") -> pd.Series:
    return pd.Series(np.asarray(y), index=pd.date_range(start, periods=len(y), freq="D"))


def cost_matrix(y, e, mbic):
    """-2 x Poisson log-likelihood of every segment, written independently with scipy."""
    n = len(y)
    cost = np.full((n + 1, n + 1), np.inf)
    for s in range(n):
        for t in range(s + 1, n + 1):
            rate = y[s:t].sum() / e[s:t].sum()
            cost[s, t] = -2 * stats.poisson.logpmf(y[s:t], rate * e[s:t]).sum()
            if mbic:
                cost[s, t] += math.log(t - s)
    return cost


def exhaustive(y, e, beta, min_size, mbic):
    """Every segmentation with segments >= min_size, sorted by penalised cost."""
    n = len(y)
    cost = cost_matrix(y, e, mbic)
    out = []
    for k in range(n):
        for cuts in itertools.combinations(range(1, n), k):
            edges = (0, *cuts, n)
            if min(np.diff(edges)) < min_size:
                continue
            out.append((sum(cost[a, b] for a, b in zip(edges[:-1], edges[1:])) + beta * k, cuts))
    out.sort(key=lambda r: r[0])
    return out, cost


def objective(cost, cuts, n, beta):
    edges = (0, *cuts, n)
    return sum(cost[a, b] for a, b in zip(edges[:-1], edges[1:])) + beta * len(cuts)


def random_case(rng):
    n = int(rng.integers(10, 15))
    rates = rng.choice([0.0, 0.3, 1.0, 3.0, 8.0], size=3)
    y = np.concatenate([rng.poisson(r, size) for r, size in zip(rates, (n // 3, n // 3, n - 2 * (n // 3)))])
    return y


# --------------------------------------------------------------------------- exactness


@pytest.mark.parametrize("case", range(30))
def test_pelt_equals_exhaustive_optimal_partitioning(case):
    rng = np.random.default_rng(1000 + case)
    y = random_case(rng)
    monthly = case % 3 == 2
    if monthly:
        # Unequal bin lengths (months) exercise the exposure-weighted cost.
        series = pd.Series(y, index=pd.date_range("2020-01-01", periods=len(y), freq="MS"))
        min_days = float(rng.choice([20, 40, 70]))
    else:
        series = daily(y)
        min_days = float(rng.integers(1, 4))
    penalty = ["bic", "mbic", 0.0, 1.5, 6.0][case % 5]
    fit = detect_changepoints(series, penalty=penalty, min_segment_days=min_days, n_boot=0, dispersion=None)
    e = fit.exposure
    mbic = penalty == "mbic"
    ranked, cost = exhaustive(y, e, fit.penalty_value, fit.min_size, mbic)
    got = objective(cost, tuple(fit.breakpoints), len(y), fit.penalty_value)
    assert got == pytest.approx(ranked[0][0], abs=1e-8)
    if len(ranked) == 1 or ranked[1][0] - ranked[0][0] > 1e-8:
        assert tuple(fit.breakpoints) == ranked[0][1]


@pytest.mark.parametrize("case", range(12))
def test_segment_neighbourhood_equals_exhaustive_for_every_k(case):
    rng = np.random.default_rng(2000 + case)
    y = random_case(rng)
    min_size = 1 + case % 3
    fit = detect_changepoints(
        daily(y), max_changepoints=len(y), penalty=0.0, min_segment_days=min_size, n_boot=0, dispersion=None
    )
    ranked, _ = exhaustive(y, np.ones(len(y)), 0.0, min_size, False)
    for k, got in enumerate(fit.cost_by_k):
        best = [c for c, cuts in ranked if len(cuts) == k]
        if not best:
            assert not np.isfinite(got)
            continue
        # cost_by_k drops the data-only constant sum(log y!) that scipy's logpmf keeps.
        const = 2 * np.sum([math.lgamma(v + 1) for v in y])
        assert got + const == pytest.approx(min(best), abs=1e-8)


@pytest.mark.parametrize(
    "y, min_size, beta, mbic",
    [
        # Pruning at t must only take effect from t + min_size on (found by brute force).
        ([1, 0, 1, 2, 1, 2, 2, 4], 2, 0.0, False),
        # MBIC's log-length terms are not sub-additive: PELT needs K = -log(n), not 0.
        ([7, 9, 6, 1, 2, 1, 1, 2, 0], 2, 0.0, True),
    ],
)
def test_pelt_pruning_edge_cases(y, min_size, beta, mbic):
    y = np.array(y)
    ranked, cost = exhaustive(y, np.ones(len(y)), beta, min_size, mbic)
    cuts = _pelt(y, np.ones(len(y)), beta, min_size, mbic)
    assert objective(cost, tuple(cuts), len(y), beta) == pytest.approx(ranked[0][0], abs=1e-9)


def test_pelt_scales_to_3000_days_and_matches_segment_neighbourhood():
    rng = np.random.default_rng(5)
    y = np.concatenate([rng.poisson(r, 500) for r in [0.2, 1.0, 0.5, 3.0, 0.3, 0.6]])
    pelt = detect_changepoints(daily(y), n_boot=0, penalty="bic", dispersion=None)
    sn = detect_changepoints(daily(y), max_changepoints=8, n_boot=0, penalty="bic", dispersion=None)
    assert pelt.objective == pytest.approx(sn.objective, abs=1e-7)
    np.testing.assert_array_equal(pelt.breakpoints, sn.breakpoints)
    assert len(pelt.breakpoints) == 5


# --------------------------------------------------------------------------- zeros


def test_all_zero_series():
    fit = detect_changepoints(daily(np.zeros(60, dtype=int)), n_boot=19)
    assert len(fit.breakpoints) == 0
    assert fit.cost == 0.0
    row = fit.table.iloc[0]
    assert row["events"] == 0 and row["rate_per_30d"] == 0.0 and row["rate_ci_low"] == 0.0
    assert row["rate_ci_high"] == pytest.approx(30 * garwood_interval(0, 60.0)[1])
    assert (fit.test["p_value"] == 1.0).all()
    assert fit.changepoints.empty and fit.changepoints["date"].dtype.kind == "M"


def test_all_zero_segment_next_to_events():
    y = np.r_[np.zeros(40, dtype=int), np.random.default_rng(0).poisson(2.0, 40)]
    fit = detect_changepoints(daily(y), n_boot=0)
    assert fit.breakpoints.tolist() == [40]
    assert fit.table["events"].iloc[0] == 0
    cp = fit.changepoints.iloc[0]
    # Before-rate zero: the ratio is infinite, with a finite exact lower bound.
    assert math.isinf(cp["rate_ratio"]) and 1 < cp["rr_ci_low"] < np.inf
    assert cp["date_low"] <= cp["date"] <= cp["date_high"]
    assert "ci_low" not in cp  # date intervals are date_low/date_high, never ci_low


# --------------------------------------------------------------------------- recovery


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


# --------------------------------------------------------------------------- inference


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
    seg = fit.table
    cp = fit.changepoints.iloc[0]
    expected = rate_ratio_exact(seg["events"][1], seg["days"][1], seg["events"][0], seg["days"][0])
    assert (cp["rate_ratio"], cp["rr_ci_low"], cp["rr_ci_high"], cp["rr_p_value"]) == pytest.approx(expected)
    assert "post-selection" in cp["inference"]
    lo, hi = garwood_interval(seg["events"][0], seg["days"][0])
    assert (seg["rate_ci_low"][0], seg["rate_ci_high"][0]) == pytest.approx((30 * lo, 30 * hi))


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


# --------------------------------------------------------------------------- inputs


def test_bins_for_end_labelled_and_monthly_frequencies():
    days = daily(np.random.default_rng(0).poisson(1.0, 70), start="2024-01-01")  # a Monday
    weekly = detect_changepoints(days.resample("W").sum(), n_boot=0)
    assert weekly.bin_start[0] == pd.Timestamp("2024-01-01")
    assert weekly.bin_end[0] == pd.Timestamp("2024-01-07")
    assert weekly.min_size == 1
    monthly = detect_changepoints(days.resample("ME").sum(), n_boot=0, min_segment_days=1)
    assert monthly.exposure.tolist() == [31.0, 29.0, 31.0]
    assert monthly.table["start"].iloc[0] == pd.Timestamp("2024-01-01")
    starts = detect_changepoints(days.resample("MS").sum(), n_boot=0)
    assert starts.exposure.tolist() == [31.0, 29.0, 31.0]


def test_min_segment_days_converted_to_bins():
    y = daily(np.random.default_rng(0).poisson(1.0, 100))
    assert detect_changepoints(y, min_segment_days=7, n_boot=0).min_size == 7
    weekly = y.resample("W").sum().iloc[1:-1]
    assert detect_changepoints(weekly, min_segment_days=10, n_boot=0).min_size == 2


@pytest.mark.parametrize(
    "series, message",
    [
        (pd.Series([1, 2, 3], index=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"])), "regular"),
        (daily([1, -1, 2, 0]), "non-negative"),
        (daily([1.0, np.nan, 2.0, 0.0]), "missing"),
        (daily([1.5, 1.0, 2.0, 0.0]), "integers"),
    ],
)
def test_bad_inputs_raise(series, message):
    with pytest.raises(ValueError, match=message):
        detect_changepoints(series, n_boot=0)


def test_unknown_penalty_raises():
    with pytest.raises(ValueError, match="penalty"):
        detect_changepoints(daily([1, 2, 3, 4]), penalty="aic", n_boot=0)


# --------------------------------------------------------------------------- path


def test_penalty_path_agrees_with_direct_runs():
    rng = np.random.default_rng(4)
    y = np.r_[rng.poisson(1.0, 80), rng.poisson(2.5, 40), rng.poisson(0.6, 80)]
    series = daily(y)
    path = changepoint_penalty_path(series, 1.0, 80.0)
    assert path["n_changepoints"].is_monotonic_decreasing
    assert path["penalty_low"].iloc[0] == 1.0 and path["penalty_high"].iloc[-1] == 80.0
    for row in path.itertuples(index=False):
        mid = (row.penalty_low + row.penalty_high) / 2
        direct = detect_changepoints(series, penalty=mid, n_boot=0, dispersion=None)
        assert len(direct.breakpoints) == row.n_changepoints
        assert direct.cost == pytest.approx(row.cost, abs=1e-7)


# --------------------------------------------------------------------------- result API


def test_result_api_repr_plot_simulate():
    rng = np.random.default_rng(0)
    y = np.r_[rng.poisson(1.0, 120), rng.poisson(4.0, 60), rng.poisson(1.0, 120)]
    fit = detect_changepoints(daily(y), n_boot=19)
    assert repr(fit) == f"<ChangepointResult: 2 changepoints, {y.sum()} events, penalty=mbic>"
    assert fit.penalty_value == pytest.approx(3 * math.log(300)) and fit.dispersion == 1.0
    assert list(fit.table.columns) == [
        "segment",
        "start",
        "end",
        "days",
        "events",
        "rate_per_30d",
        "rate_ci_low",
        "rate_ci_high",
    ]
    assert fit.table["events"].sum() == y.sum() and fit.table["days"].sum() == 300
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


# --------------------------------------------------------------------------- overdispersion


def nb_series(rng, mean, ratio, days=800):
    size = mean / (ratio - 1.0)
    return daily(rng.negative_binomial(size, size / (size + mean), days))


def test_default_does_not_split_overdispersed_series_without_change():
    """40 NB series, 800 days, mean 1.4/day, variance-to-mean 2.1, no change.

    Stated thresholds: the default (MBIC, dispersion estimated) splits at most 2 of 40;
    BIC with the plain Poisson cost splits at least half (benchmarks/bench_changepoint.py
    measures both on 500 series: see the detect_changepoints docstring).
    """
    rng = np.random.default_rng(11)
    series = [nb_series(rng, 1.4, 2.1) for _ in range(40)]
    default = sum(len(detect_changepoints(x, n_boot=0).breakpoints) > 0 for x in series)
    bic = sum(
        len(detect_changepoints(x, n_boot=0, penalty="bic", dispersion=None).breakpoints) > 0 for x in series
    )
    print(f"split: default {default}/40, Poisson BIC {bic}/40")
    assert default <= 2
    assert bic >= 20


def test_dispersion_estimate_is_robust_to_a_change():
    rng = np.random.default_rng(5)
    over = detect_changepoints(nb_series(rng, 1.4, 3.0, days=3000), n_boot=0)
    assert 2.6 < over.dispersion < 3.4 and "dispersion" in repr(over)
    jump = daily(np.r_[rng.poisson(0.05, 400), rng.poisson(1.4, 400)])
    fit = detect_changepoints(jump, n_boot=0)
    assert fit.dispersion < 1.15 and len(fit.breakpoints) == 1
    assert detect_changepoints(daily(np.zeros(30, dtype=int)), n_boot=0).dispersion == 1.0


def test_dispersion_scales_penalty_and_widens_date_interval():
    rng = np.random.default_rng(8)
    y = daily(np.r_[rng.poisson(0.5, 150), rng.poisson(1.5, 150)])
    scaled = detect_changepoints(y, penalty="bic", dispersion=2.0, n_boot=0)
    same = detect_changepoints(y, penalty=2.0 * 2 * math.log(300), dispersion=None, n_boot=0)
    np.testing.assert_array_equal(scaled.breakpoints, same.breakpoints)
    plain = detect_changepoints(y, penalty="bic", dispersion=None, n_boot=0)
    width = (scaled.changepoints["date_high"] - scaled.changepoints["date_low"]).iloc[0]
    assert width >= (plain.changepoints["date_high"] - plain.changepoints["date_low"]).iloc[0]
    with pytest.raises(ArgumentError, match="dispersion"):
        detect_changepoints(y, dispersion=0.5)
    with pytest.raises(ArgumentError, match="dispersion"):
        detect_changepoints(y, dispersion="robust")


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


def test_incident_table_input_uses_the_scope_and_the_coverage():
    import warnings

    import analysis
    from analysis.counts import daily_counts

    inc = analysis.load_incidents()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_table = detect_changepoints(inc, n_boot=0)
        syria = detect_changepoints(inc, n_boot=0, scope=analysis.get_scope(countries="Syria"))
    start, end = inc.attrs["coverage"]
    daily = daily_counts(inc, scope="pentagon", start=start, end=end, precision="exclude")["events"]
    assert from_table.counts.sum() == daily.sum() and len(from_table.counts) == len(daily)
    assert syria.counts.sum() < from_table.counts.sum()

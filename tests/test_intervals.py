"""Interval methods: a fast version of the coverage study in benchmarks/sim_coverage.py."""

import warnings

import numpy as np
import pytest
from scipy.fft import dct

from analysis.errors import StatisticalWarning
from analysis.models import intervals
from analysis.models.exact import garwood_interval
from analysis.models.intervals import (
    attack_days,
    ewc_cosines,
    fay_feuer_interval,
    fixed_b_factor,
    hac_maxlags,
    rate_interval,
    rate_ratio_interval,
)
from analysis.simulation import simulate_periods, true_values


def _coverage(scenario: str, method: str, reps: int = 150, quantity: str = "ratio") -> float:
    rng = np.random.default_rng([7, len(scenario)])
    ratio, ref = true_values(scenario)
    hits = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        for _ in range(reps):
            y1, y0 = simulate_periods(scenario, seed=rng)
            if quantity == "ratio":
                est, truth = rate_ratio_interval(y1, y0, method=method), ratio
            else:
                est, truth = rate_interval(y1, method=method), ratio * ref
            hits += bool(est.ci_low <= truth <= est.ci_high)
    return hits / reps


@pytest.mark.parametrize("scenario", ["clusters", "autocorrelated", "all", "short_surge", "long_persistent"])
def test_default_interval_holds_its_coverage_on_data_shaped_like_ours(scenario):
    # 150 series: a true coverage of 95% falls below 0.90 with probability < 0.5%.
    assert _coverage(scenario, "nights") >= 0.90


@pytest.mark.slow  # a small coverage simulation; the full studies are in benchmarks/
@pytest.mark.parametrize("scenario", ["big_nights", "persistent"])
def test_nights_repairs_what_the_old_default_missed(scenario):
    # The shapes of issue 21: the old default covered 0.72-0.80; nights about 0.90 (the full study).
    for quantity in ("ratio", "rate"):
        old, new = (
            _coverage(scenario, "hac", quantity=quantity),
            _coverage(scenario, "nights", quantity=quantity),
        )
        assert old < 0.85 and new >= 0.86 and new > old + 0.05, (quantity, old, new)


def test_few_attack_nights_give_the_width_of_nights_not_attacks():
    single, nights = np.zeros(111), np.zeros(111)
    single[::8] = 1  # 14 attacks on 14 days, spread over the period
    nights[[10, 50, 90]] = [5, 5, 4]  # 14 attacks on 3 nights
    assert attack_days(nights) == 3
    a, b = rate_interval(single), rate_interval(nights)
    assert a.estimate == b.estimate and b.method == a.method == "nights"
    assert np.log(b.ci_high / b.ci_low) > 2 * np.log(a.ci_high / a.ci_low)


def test_nights_is_never_narrower_than_exact_at_any_count():
    for y in ([0] * 20 + [1] * 3, np.r_[np.zeros(90), np.ones(12)], np.r_[np.zeros(50), [2, 3, 1, 1]]):
        est = rate_interval(y)
        lo, hi = garwood_interval(float(np.sum(y)), len(y))
        assert est.ci_low <= lo + 1e-12 and est.ci_high >= hi - 1e-12


def test_one_attack_day_warns_that_no_interval_holds():
    with pytest.warns(StatisticalWarning, match="no interval can hold"):
        rate_interval(np.r_[np.zeros(30), [6]])


def test_fay_feuer_is_garwood_for_single_attacks_and_wider_for_clusters():
    y = np.r_[np.zeros(40), np.ones(7)]
    assert fay_feuer_interval(y) == pytest.approx(tuple(garwood_interval(7, len(y))))
    clustered = np.r_[np.zeros(44), [3, 2, 2]]
    lo, hi = fay_feuer_interval(clustered)
    g = garwood_interval(7, len(clustered))
    assert lo < g.ci_low and hi > g.ci_high


def test_cosine_projections_are_the_orthonormal_dct():
    # An independent computation: scipy's DCT-II with orthonormal scaling.
    y = np.random.default_rng(3).poisson(0.4, 120).astype(float)
    nu = 6
    ours = intervals._ewc_var_of_mean(y, nu)
    coef = dct(y - y.mean(), type=2, norm="ortho")[1 : nu + 1]
    assert ours == pytest.approx((coef**2).mean() / len(y))


def test_fewer_cosines_when_days_stay_correlated():
    flat = np.random.default_rng(1).poisson(0.7, 300).astype(float)
    rng = np.random.default_rng(2)
    slow = rng.poisson(0.7 * np.repeat(rng.gamma(1.0, 1.0, 10), 30)).astype(float)  # rates that last a month
    assert ewc_cosines(flat) == int(intervals.EWC_SHARE * 300 ** (2 / 3))
    assert ewc_cosines(slow) < ewc_cosines(flat)


def test_poisson_interval_undercovers_clustered_nights():
    """The study can fail: the Poisson interval misses the truth far too often when nights hit several sites."""
    assert _coverage("all", "poisson") < 0.88


def test_small_counts_fall_back_to_exact_for_the_other_methods():
    est = rate_interval([0] * 20 + [1] * 3, per=30, method="hac")
    lo, hi = garwood_interval(3, 23)
    assert (
        est.method == "exact"
        and est.ci_low == pytest.approx(30 * lo)
        and est.ci_high == pytest.approx(30 * hi)
    )
    assert rate_ratio_interval([1] * 5, [0] * 5).method.startswith("undefined")
    assert rate_ratio_interval([1] * 5, [0] * 5, method="hac").method.startswith("undefined")


def test_hac_never_narrower_than_exact():
    y1 = np.r_[np.ones(60), np.zeros(40)]
    y0 = np.r_[np.ones(30), np.zeros(300)]
    hac = rate_ratio_interval(y1, y0, method="hac")
    exact = rate_ratio_interval(y1, y0, method="exact")
    assert hac.ci_low <= exact.ci_low and hac.ci_high >= exact.ci_high


def test_bandwidth_and_fixed_b_factor():
    assert (hac_maxlags(111), hac_maxlags(813)) == (8, 14)
    assert fixed_b_factor(0) == 1 and 1.1 < fixed_b_factor(8 / 111) < 1.12

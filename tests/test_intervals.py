"""Interval methods: a fast version of the coverage study in benchmarks/sim_coverage.py."""

import numpy as np
import pytest

from analysis.models.exact import garwood_interval
from analysis.models.intervals import fixed_b_factor, hac_maxlags, rate_interval, rate_ratio_interval
from analysis.simulation import simulate_periods


def _coverage(scenario: str, method: str, reps: int = 150, ratio: float = 14.0) -> float:
    rng = np.random.default_rng([7, len(scenario)])
    hits = 0
    for _ in range(reps):
        y1, y0 = simulate_periods(scenario, ratio=ratio, seed=rng)
        est = rate_ratio_interval(y1, y0, method=method)
        hits += est.ci_low <= ratio <= est.ci_high
    return hits / reps


@pytest.mark.parametrize("scenario", ["clusters", "autocorrelated", "all"])
def test_default_interval_holds_its_coverage_on_data_shaped_like_ours(scenario):
    # 150 series: a true coverage of 95% falls below 0.90 with probability < 0.5%.
    assert _coverage(scenario, "hac") >= 0.90


def test_poisson_interval_undercovers_clustered_nights():
    """The study can fail: the Poisson interval misses the truth far too often when nights hit several sites."""
    assert _coverage("all", "poisson") < 0.88


def test_small_counts_fall_back_to_exact():
    est = rate_interval([0] * 20 + [1] * 3, per=30)
    lo, hi = garwood_interval(3, 23)
    assert (
        est.method == "exact"
        and est.ci_low == pytest.approx(30 * lo)
        and est.ci_high == pytest.approx(30 * hi)
    )
    assert rate_ratio_interval([1] * 5, [0] * 5).method.startswith("undefined")


def test_hac_never_narrower_than_exact():
    y1 = np.r_[np.ones(60), np.zeros(40)]
    y0 = np.r_[np.ones(30), np.zeros(300)]
    hac = rate_ratio_interval(y1, y0)
    exact = rate_ratio_interval(y1, y0, method="exact")
    assert hac.ci_low <= exact.ci_low and hac.ci_high >= exact.ci_high


def test_bandwidth_and_fixed_b_factor():
    assert (hac_maxlags(111), hac_maxlags(813)) == (8, 14)
    assert fixed_b_factor(0) == 1 and 1.1 < fixed_b_factor(8 / 111) < 1.12

"""Exact methods against independent scipy computations."""

import numpy as np
import pytest
from scipy import stats

from analysis.models.exact import garwood_interval, rate_ratio_exact


@pytest.mark.parametrize("n", [0, 1, 2, 5, 17, 126])
def test_garwood_matches_gamma_quantiles(n):
    # Independent form: Garwood bounds are Gamma quantiles (Ulm 1990).
    lo, hi = garwood_interval(n, 1.0)
    exp_lo = 0.0 if n == 0 else stats.gamma.ppf(0.025, n)
    assert lo == pytest.approx(exp_lo, rel=1e-10)
    assert hi == pytest.approx(stats.gamma.ppf(0.975, n + 1), rel=1e-10)


def test_garwood_zero_events_upper_bound_is_finite():
    lo, hi = garwood_interval(0, 30.0)
    assert lo == 0 and np.isfinite(hi) and hi * 30 == pytest.approx(3.6889, abs=1e-4)


def test_conditional_rate_ratio_equals_binomtest():
    n1, t1, n0, t0 = 7, 40.0, 3, 100.0
    rr, lo, hi, p = rate_ratio_exact(n1, t1, n0, t0)
    test = stats.binomtest(n1, n1 + n0, t1 / (t1 + t0))
    ci = test.proportion_ci(method="exact")
    assert p == pytest.approx(test.pvalue, rel=1e-12)
    assert lo == pytest.approx(ci.low / (1 - ci.low) * t0 / t1, rel=1e-12)
    assert hi == pytest.approx(ci.high / (1 - ci.high) * t0 / t1, rel=1e-12)
    assert rr == pytest.approx((7 / 40) / (3 / 100))


def test_zero_reference_is_an_error_and_zero_numerator_is_finite():
    with pytest.raises(ValueError, match="reference period has zero events"):
        rate_ratio_exact(3, 10.0, 0, 10.0)
    rr, lo, hi, _ = rate_ratio_exact(0, 10.0, 5, 10.0)
    assert rr == 0 and lo == 0 and np.isfinite(hi)

"""Intervals for a period's rate and for the ratio of two periods' rates, on daily counts.

Every method takes the daily counts of a period (one number per calendar day,
zeros included) and returns an estimate with a two-sided interval. They differ
in what they assume about the days:

``exact``
    Garwood interval for a rate, conditional binomial (Clopper-Pearson) for a
    ratio. Assumes a Poisson process: independent attacks at a constant rate.
    Valid for any count, zero included, but too narrow when one night hits
    several sites.
``poisson``
    Wald interval from a Poisson GLM: the same assumption, large-sample.
``quasipoisson``
    Poisson GLM with the variance scaled by the Pearson dispersion of the
    days (as R's ``quasipoisson``): allows same-night clusters, assumes
    independent days.
``negbin``
    NB2 GLM with the dispersion estimated by maximum likelihood: gamma-mixed
    Poisson days, independent.
``hac`` (the default for counts of :data:`SMALL_COUNT` or more)
    Poisson point estimate with Newey-West (heteroskedasticity and
    autocorrelation consistent) errors for each period's mean, Bartlett
    weights up to :func:`hac_maxlags` days, widened by the fixed-b factor of
    :func:`fixed_b_factor` (plain Newey-West covered 88-92% with
    autocorrelated days): allows same-night clusters, a rate
    that drifts inside the period, and correlation between nearby days. The
    two periods are independent, so the log ratio's variance is the sum. The
    interval is never narrower than the exact one (it is widened to contain
    it), so a Poisson floor always holds.
``bootstrap``
    Moving-block bootstrap of the days within each period (blocks of
    :func:`hac_maxlags` days), percentile interval of the log ratio.

``benchmarks/sim_coverage.py`` measures each method's coverage on simulated
series shaped like ours; the README reports the numbers.

Examples
--------
>>> import numpy as np
>>> y0 = np.r_[np.zeros(90), np.ones(10)]; y1 = np.r_[np.zeros(50), np.full(50, 2)]
>>> round(rate_ratio_interval(y1, y0, method="hac").estimate, 3)
10.0
"""

from __future__ import annotations

import math
import warnings
from typing import Literal, NamedTuple

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from analysis.models.exact import garwood_interval, rate_ratio_exact

__all__ = [
    "METHODS",
    "fixed_b_factor",
    "SMALL_COUNT",
    "Estimate",
    "hac_maxlags",
    "rate_interval",
    "rate_ratio_interval",
]

Method = Literal["hac", "exact", "poisson", "quasipoisson", "negbin", "bootstrap"]
#: Every interval method, in the order the coverage study prints them.
METHODS: tuple[str, ...] = ("exact", "poisson", "quasipoisson", "negbin", "hac", "bootstrap")
#: Below this many events in a period the exact method is used whatever was asked.
SMALL_COUNT = 10


class Estimate(NamedTuple):
    """A point estimate with its interval, the p-value of "no change" where it applies, and the method."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str


def hac_maxlags(days: int) -> int:
    """Bandwidth of the Newey-West errors and block length of the bootstrap, in days.

    ``ceil(1.5 * days ** (1/3))``: about 8 days for a 111-day period and 14 for
    the 813-day calm. Wider than Newey and West's ``4 (n/100)^(2/9)`` (4 and 6
    days), because drift inside a period makes correlations last; the coverage
    study chose it.

    Examples
    --------
    >>> hac_maxlags(111), hac_maxlags(813)
    (8, 14)
    """
    return max(1, math.ceil(1.5 * days ** (1 / 3)))


def fixed_b_factor(b: float) -> float:
    """Widening of Newey-West errors for a bandwidth that is a share ``b`` of the period.

    Kiefer and Vogelsang (2005) give the 97.5% critical value of the Bartlett
    kernel's fixed-b distribution as ``1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3``;
    dividing by 1.96 turns it into a factor on the standard error (applied at
    every confidence level, an approximation away from 95%). For the surge
    (8 lags in 111 days) the factor is 1.11.

    Examples
    --------
    >>> round(fixed_b_factor(8 / 111), 2)
    1.11
    """
    return (1.96 + 2.9694 * b + 0.4160 * b**2 - 0.5324 * b**3) / 1.96


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def _log_mean_se(y: np.ndarray, method: str) -> float:
    """Standard error of log(mean daily count) under the method's assumptions."""
    n, total = len(y), y.sum()
    mean = total / n
    if method == "poisson":
        return 1 / math.sqrt(total)
    if method == "quasipoisson":
        scale = max(1.0, float(((y - mean) ** 2).sum() / mean / max(n - 1, 1)))
        return math.sqrt(scale / total)
    if method == "hac":
        with warnings.catch_warnings():
            # An intercept-only fit to a constant series is not a separation problem.
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            fit = sm.GLM(y, np.ones(n), family=sm.families.Poisson()).fit(
                cov_type="HAC", cov_kwds={"maxlags": hac_maxlags(n), "use_correction": True}
            )
        # Fixed-b correction: Newey-West errors are too small in periods of ~100 days.
        se = float(fit.bse[0]) * fixed_b_factor(hac_maxlags(n) / n)
        # Never below the Poisson floor: a period of isolated single attacks is at least Poisson.
        return max(se, 1 / math.sqrt(total))
    if method == "negbin":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.NegativeBinomial(y, np.ones(n), loglike_method="nb2").fit(disp=0, maxiter=200)
        se = float(fit.bse[0])
        # At the boundary (no overdispersion) the Hessian can be singular: NB2 is then Poisson.
        return se if math.isfinite(se) else 1 / math.sqrt(total)
    raise ValueError(method)


def _block_means(y: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    n = len(y)
    block = min(hac_maxlags(n), n)
    k = math.ceil(n / block)
    starts = rng.integers(0, n - block + 1, size=(draws, k))
    idx = (starts[:, :, None] + np.arange(block)).reshape(draws, -1)[:, :n]
    return y[idx].mean(axis=1)


def rate_interval(y, alpha: float = 0.05, method: Method = "hac", per: float = 1.0) -> Estimate:
    """Mean daily count of one period (times ``per``) with its interval.

    Parameters
    ----------
    y : array of int
        Daily counts, one per calendar day of the period.
    alpha : float
        1 - confidence level.
    method : str
        One of :data:`METHODS`; below :data:`SMALL_COUNT` events the exact
        (Garwood) interval is used and ``method`` says so.
    per : float
        Scale, e.g. 30 for a rate per 30 days.

    Examples
    --------
    >>> rate_interval([0, 0, 0], per=30).ci_high > 0
    True
    """
    y = np.asarray(y, dtype=float)
    n, total = len(y), float(np.sum(y))
    lo_x, hi_x = garwood_interval(total, n, alpha)
    if method == "exact" or total < SMALL_COUNT:
        return Estimate(per * total / n, per * lo_x, per * hi_x, math.nan, "exact")
    mean = total / n
    if method == "bootstrap":
        means = _block_means(y, 2000, np.random.default_rng(20231017))
        lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    else:
        se = _log_mean_se(y, method)
        lo, hi = mean * math.exp(-_z(alpha) * se), mean * math.exp(_z(alpha) * se)
    if method in ("hac", "bootstrap"):
        lo, hi = min(lo, lo_x), max(hi, hi_x)
    return Estimate(per * mean, per * lo, per * hi, math.nan, method)


def rate_ratio_interval(
    y1, y0, alpha: float = 0.05, method: Method = "hac", seed: int = 20231017
) -> Estimate:
    """Ratio of period 1's mean daily count to period 0's, with interval and p-value.

    Parameters
    ----------
    y1, y0 : array of int
        Daily counts of the period compared and of the reference.
    alpha : float
        1 - confidence level.
    method : str
        One of :data:`METHODS`. Below :data:`SMALL_COUNT` events in either
        period the exact conditional method is used and ``method`` says so.
    seed : int
        For the bootstrap only.

    Returns
    -------
    Estimate
        NaN throughout when the reference has no events (the ratio is undefined).

    Examples
    --------
    >>> rate_ratio_interval([1, 0, 2, 0], [0, 0, 0, 1], method="exact").method
    'exact'
    """
    y1, y0 = np.asarray(y1, dtype=float), np.asarray(y0, dtype=float)
    n1, n0 = float(y1.sum()), float(y0.sum())
    if n0 == 0:
        return Estimate(math.nan, math.nan, math.nan, math.nan, "undefined: reference has 0 events")
    if method == "exact" or min(n1, n0) < SMALL_COUNT:
        rr, lo, hi, p = rate_ratio_exact(n1, len(y1), n0, len(y0), alpha)
        return Estimate(rr, lo, hi, p, "exact")
    rr = (n1 / len(y1)) / (n0 / len(y0))
    if method == "bootstrap":
        rng = np.random.default_rng(seed)
        m1, m0 = _block_means(y1, 2000, rng), _block_means(y0, 2000, rng)
        ok = (m1 > 0) & (m0 > 0)
        log_rr = np.log(m1[ok] / m0[ok])
        lo, hi = np.exp(np.quantile(log_rr, [alpha / 2, 1 - alpha / 2]))
        se = float(np.std(log_rr, ddof=1))
    else:
        se = math.hypot(_log_mean_se(y1, method), _log_mean_se(y0, method))
        lo, hi = rr * math.exp(-_z(alpha) * se), rr * math.exp(_z(alpha) * se)
    p = float(2 * stats.norm.sf(abs(math.log(rr)) / se)) if se > 0 else math.nan
    if method in ("hac", "bootstrap"):
        _, lo_x, hi_x, p_x = rate_ratio_exact(n1, len(y1), n0, len(y0), alpha)
        lo, hi, p = min(lo, lo_x), max(hi, hi_x), max(p, p_x)
    return Estimate(rr, float(lo), float(hi), p, method)

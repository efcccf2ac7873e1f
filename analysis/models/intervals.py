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
``nights`` (the default)
    The information is in the days that saw attacks (attack-nights), not in
    the attacks: 14 attacks on 3 nights get the width 3 nights deserve. The
    interval is the widest of (a) a compound-Poisson interval (each attack day
    a cluster: variance of the log total ``sum(y**2) / sum(y)**2``, Student t
    with attack days - 1 degrees of freedom), (b) a persistence-aware one
    (equal-weighted cosine long-run variance, Lazarus, Lewis, Stock and Watson
    2018, with ``nu`` cosines, ``nu`` at most :data:`EWC_SHARE` ``* days**(2/3)``
    and fewer when the days' autocorrelation decays slowly, t with ``nu``
    degrees of freedom, never more than attack days - 1), and (c) the exact
    interval: Fay and Feuer's (1997) gamma interval for a weighted sum of
    Poisson counts for a rate (each attack day weighted by its attacks;
    Garwood when no day has two), the conditional binomial on attack days
    scaled by the attacks per day for a ratio. Two periods add their
    variances, with Welch-Satterthwaite degrees of freedom. It is never
    narrower than the exact interval at any count (a few single attacks may
    be the visible part of clustered nights, so small counts get the t
    interval's width too); with one attack day or none no interval can hold
    and a :class:`~analysis.errors.StatisticalWarning` says so.
``hac`` (the default before December 2026)
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

from analysis.errors import StatisticalWarning
from analysis.models.exact import garwood_interval, rate_ratio_exact

__all__ = [
    "METHODS",
    "fixed_b_factor",
    "SMALL_COUNT",
    "Estimate",
    "hac_maxlags",
    "attack_days",
    "ewc_cosines",
    "fay_feuer_interval",
    "rate_interval",
    "rate_ratio_interval",
]

Method = Literal["nights", "hac", "exact", "poisson", "quasipoisson", "negbin", "bootstrap"]
#: Every interval method, in the order the coverage study prints them.
METHODS: tuple[str, ...] = ("exact", "poisson", "quasipoisson", "negbin", "hac", "bootstrap", "nights")
#: Below this many events in a period the exact method is used whatever was asked (except by
#: ``nights``, which is never narrower than the exact interval).
SMALL_COUNT = 10
#: Most cosines of the ``nights`` method's long-run variance, as a share of ``days**(2/3)``
#: (Lazarus et al. recommend 0.4 for moderate persistence; the coverage study chose 0.2, which
#: holds with persistence lasting weeks).
EWC_SHARE = 0.2


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


def attack_days(y) -> int:
    """Days with at least one attack: the clusters the ``nights`` method counts.

    Examples
    --------
    >>> attack_days([0, 3, 0, 1, 0])
    2
    """
    return int((np.asarray(y, dtype=float) > 0).sum())


def _decay(y: np.ndarray, lags: int = 10) -> float:
    """How slowly the days' autocorrelation decays: the ratio of lagged sums, in [0, 0.97]."""
    x = y - y.mean()
    var = float(x @ x)
    lags = min(lags, len(y) // 4)
    if var == 0 or lags < 2:
        return 0.0
    acf = np.array([x[:-k] @ x[k:] for k in range(1, lags + 1)]) / var
    den = acf[:-1].sum()
    return float(np.clip(acf[1:].sum() / den, 0.0, 0.97)) if den > 0 else 0.0


def ewc_cosines(y) -> int:
    """Cosines of the equal-weighted cosine variance of the ``nights`` method.

    At most ``EWC_SHARE * days**(2/3)``; fewer when the autocorrelation of the
    days decays as an AR(1) with coefficient ``r`` near 1: the highest cosine
    frequency is kept where the AR(1) spectrum is still at least half its
    value at frequency zero. At least 2.

    Examples
    --------
    >>> ewc_cosines(np.zeros(111)), ewc_cosines(np.zeros(813))
    (4, 17)
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    cap = max(2, int(EWC_SHARE * n ** (2 / 3)))
    r = _decay(y)
    if r <= 0:
        return cap
    cos_w = (1 + r * r - 2 * (1 - r) ** 2) / (2 * r)
    freq = math.acos(min(1.0, max(-1.0, cos_w)))
    return int(min(cap, max(2, math.floor(freq * n / math.pi))))


def _ewc_var_of_mean(y: np.ndarray, nu: int) -> float:
    n = len(y)
    t = np.arange(n) + 0.5
    proj = math.sqrt(2 / n) * (np.cos(np.pi * np.arange(1, nu + 1)[:, None] * t / n) @ (y - y.mean()))
    return float((proj**2).mean() / n)


def fay_feuer_interval(y, alpha: float = 0.05) -> tuple[float, float]:
    """Fay and Feuer's gamma interval for the mean daily count, each attack day a weighted event.

    The total is a sum of Poisson events (attack days) weighted by their attacks; the
    interval is exact-conservative for such sums (Fay and Feuer 1997, as R's
    ``asht::wspoissonTest``) and is Garwood's when no day has two attacks.

    Examples
    --------
    >>> lo, hi = fay_feuer_interval([0, 1, 0, 1, 0, 0, 0, 0, 0, 1])
    >>> round(lo * 10, 3), round(hi * 10, 3)  # Garwood's for 3 events
    (0.619, 8.767)
    """
    y = np.asarray(y, dtype=float)
    n, total, var = len(y), float(y.sum()), float((y * y).sum())
    top = float(y.max()) if total > 0 else 1.0
    lo = 0.0 if total == 0 else float(stats.gamma.ppf(alpha / 2, total**2 / var, scale=var / total))
    shape, scale = (total + top) ** 2 / (var + top**2), (var + top**2) / (total + top)
    return lo / n, float(stats.gamma.ppf(1 - alpha / 2, shape, scale=scale)) / n


def _nights_parts(y: np.ndarray) -> list[tuple[float, float]]:
    """(variance of the log total, degrees of freedom): compound Poisson, then cosine HAR."""
    total, k = float(y.sum()), attack_days(y)
    nu = ewc_cosines(y)
    v_ewc = _ewc_var_of_mean(y, nu) * len(y) ** 2 / total**2
    return [(float((y * y).sum()) / total**2, max(k - 1, 1)), (v_ewc, min(nu, max(k - 1, 1)))]


def _nights_half_width(parts1, parts0=None, alpha: float = 0.05) -> tuple[float, float, float]:
    """(Half-width on the log scale, standard error, degrees of freedom) of the wider variance form."""
    best = (0.0, math.inf, 1.0)
    for i, (v1, d1) in enumerate(parts1):
        v, df = v1, d1
        if parts0 is not None:
            v0, d0 = parts0[i]
            v = v1 + v0
            df = v**2 / (v1**2 / d1 + v0**2 / d0) if v > 0 else d1 + d0
        h = float(stats.t.ppf(1 - alpha / 2, df)) * math.sqrt(v)
        if h > best[0]:
            best = (h, math.sqrt(v), df)
    return best[0], best[1], best[2]


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


def rate_interval(y, alpha: float = 0.05, method: Method = "nights", per: float = 1.0) -> Estimate:
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
    if method == "nights":
        return _rate_nights(y, alpha, per)
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


def _few_days(k: int, what: str) -> None:
    warnings.warn(
        f"{what} has {k} attack day{'s' if k != 1 else ''}: with attacks in clusters of unknown size no "
        "interval can hold (the coverage study found the interval for a period's rate holds from about "
        "4 attack days; benchmarks/sim_coverage.py); the interval shown is exact for the attack days "
        "seen",
        StatisticalWarning,
        stacklevel=4,
    )


def _rate_nights(y: np.ndarray, alpha: float, per: float) -> Estimate:
    n, total, k = len(y), float(y.sum()), attack_days(y)
    lo, hi = fay_feuer_interval(y, alpha)
    mean = total / n
    if k < 2:
        _few_days(k, "the period")
        return Estimate(per * mean, per * lo, per * hi, math.nan, "exact (weighted)")
    h, _, _ = _nights_half_width(_nights_parts(y), alpha=alpha)
    lo, hi = min(lo, mean * math.exp(-h)), max(hi, mean * math.exp(h))
    return Estimate(per * mean, per * lo, per * hi, math.nan, "nights")


def _ratio_nights(y1: np.ndarray, y0: np.ndarray, alpha: float) -> Estimate:
    n1, n0 = float(y1.sum()), float(y0.sum())
    k1, k0 = attack_days(y1), attack_days(y0)
    rr, lo, hi, p = rate_ratio_exact(n1, len(y1), n0, len(y0), alpha)
    if k1 > 0:
        # Attack days are Poisson; the attacks per day scale their ratio.
        _, lo_d, hi_d, p_d = rate_ratio_exact(k1, len(y1), k0, len(y0), alpha)
        size = (n1 / k1) / (n0 / k0)
        lo, hi, p = min(lo, lo_d * size), max(hi, hi_d * size), max(p, p_d)
    if min(k1, k0) < 2:
        _few_days(min(k1, k0), "a period of the ratio")
        return Estimate(rr, lo, hi, p, "exact (attack days)")
    h, se, df = _nights_half_width(_nights_parts(y1), _nights_parts(y0), alpha)
    lo, hi = min(lo, rr * math.exp(-h)), max(hi, rr * math.exp(h))
    if rr > 0 and se > 0:
        p = max(p, float(2 * stats.t.sf(abs(math.log(rr)) / se, df)))
    return Estimate(rr, float(lo), float(hi), p, "nights")


def rate_ratio_interval(
    y1, y0, alpha: float = 0.05, method: Method = "nights", seed: int = 20231017
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
    if method == "nights":
        return _ratio_nights(y1, y0, alpha)
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

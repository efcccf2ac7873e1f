"""Exact methods for Poisson counts: Garwood intervals and the conditional test.

Both hold for any count, including zero, under the assumption that events
follow a Poisson process with a constant rate within each period.

Examples
--------
>>> lo, hi = garwood_interval(0, 30.0)
>>> lo, round(hi * 30, 3)
(0.0, 3.689)
>>> rr, lo, hi, p = rate_ratio_exact(20, 100.0, 5, 100.0)
>>> round(rr, 2)
4.0
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = ["Interval", "RateRatio", "garwood_interval", "rate_ratio_exact", "rate_ratio_exact_any"]


class Interval(NamedTuple):
    """A two-sided interval: ``ci_low``, ``ci_high``."""

    ci_low: float
    ci_high: float


class RateRatio(NamedTuple):
    """A rate ratio with its interval and the p-value of "no change"."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float


def garwood_interval(events: float, exposure: float, alpha: float = 0.05) -> Interval:
    """Exact (Garwood) confidence interval for a Poisson rate ``events / exposure``.

    Uses the chi-square form: lower = chi2(alpha/2; 2n) / 2, upper =
    chi2(1 - alpha/2; 2n + 2) / 2, each divided by the exposure. With zero
    events the lower bound is 0 and the upper bound is finite.

    Parameters
    ----------
    events : float
        Observed count (non-integer counts, e.g. apportioned tallies, are
        accepted; the chi-square quantiles interpolate).
    exposure : float
        Time at risk, in the unit the rate is expressed in.
    alpha : float
        1 - confidence level.

    Returns
    -------
    Interval
        ``(ci_low, ci_high)`` for the rate per unit of exposure.

    Examples
    --------
    >>> [round(x, 3) for x in garwood_interval(10, 1.0)]
    [4.795, 18.39]
    """
    if exposure <= 0:
        raise ValueError(f"exposure must be positive, got {exposure}")
    if events < 0:
        raise ValueError(f"events must be >= 0, got {events}")
    low = 0.0 if events == 0 else stats.chi2.ppf(alpha / 2, 2 * events) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2
    return Interval(float(low / exposure), float(high / exposure))


def rate_ratio_exact(
    events: float, exposure: float, ref_events: float, ref_exposure: float, alpha: float = 0.05
) -> RateRatio:
    """Exact conditional rate ratio, its Clopper-Pearson interval and p-value.

    Given the total ``N = events + ref_events``, ``events`` is binomial with
    ``p = RR t / (RR t + t0)``; the interval for ``p`` (Clopper-Pearson) maps
    to ``RR = p / (1 - p) * t0 / t``. The p-value is the two-sided exact
    binomial test of RR = 1 (:func:`scipy.stats.binomtest`).

    Returns
    -------
    RateRatio
        ``(estimate, ci_low, ci_high, p_value)``.

    Raises
    ------
    ValueError
        When both counts are zero (no information) or the reference has zero
        events (the ratio is unbounded).

    Examples
    --------
    >>> rr, lo, hi, p = rate_ratio_exact(0, 10.0, 8, 10.0)
    >>> rr, lo, round(hi, 3) > 0
    (0.0, 0.0, True)
    """
    events, ref_events = int(round(events)), int(round(ref_events))
    if ref_events == 0:
        raise ValueError("the reference period has zero events; its rate ratio is unbounded")
    total = events + ref_events
    share = exposure / (exposure + ref_exposure)
    test = stats.binomtest(events, total, share)
    ci = test.proportion_ci(confidence_level=1 - alpha, method="exact")
    scale = ref_exposure / exposure

    def to_rr(p: float) -> float:
        return float(np.inf) if p >= 1 else p / (1 - p) * scale

    rr = (events / exposure) / (ref_events / ref_exposure)
    return RateRatio(float(rr), to_rr(ci.low), to_rr(ci.high), float(test.pvalue))


def rate_ratio_exact_any(
    events: float, exposure: float, ref_events: float, ref_exposure: float, alpha: float = 0.05
) -> RateRatio:
    """:func:`rate_ratio_exact`, extended to an empty reference.

    With zero reference events and some events the ratio is infinite; its
    lower bound is the inverse of the upper bound of the swapped ratio. With
    no events on either side, or no exposure, nothing can be said (NaN).

    Examples
    --------
    >>> rr, lo, hi, p = rate_ratio_exact_any(4, 10.0, 0, 10.0)
    >>> rr, hi, lo > 0
    (inf, inf, True)
    """
    if exposure <= 0 or ref_exposure <= 0:
        return RateRatio(*(float("nan"),) * 4)
    if ref_events > 0:
        return rate_ratio_exact(events, exposure, ref_events, ref_exposure, alpha)
    if events > 0:
        _, _lo, hi, p = rate_ratio_exact(ref_events, ref_exposure, events, exposure, alpha)
        return RateRatio(float("inf"), (1.0 / hi if hi > 0 else 0.0), float("inf"), p)
    return RateRatio(float("nan"), float("nan"), float("nan"), 1.0)

"""Daily attack counts shaped like ours, with a known truth, for calibration studies.

A simulated series has two periods, a reference and a comparison, whose mean
rates differ by a known ratio. On top of the Poisson baseline a scenario adds
what our data show:

* ``clusters``: one night hits several sites (separate rows, same date): the
  number of nights is Poisson and each night hits 1 + Poisson(``extra_sites``)
  sites;
* ``drift``: the rate changes inside a period (the reference has a high
  first third and a low rest, four times lower, as the calm's two regimes;
  the comparison rises then falls) while each period's mean stays the truth;
* ``autocorrelated``: the log rate follows a stationary AR(1) across days
  (``ar``), normalised so its mean multiplier is 1;
* ``all``: the three together.

The true ratio is the ratio of the two periods' expected mean rates, which
is what :func:`analysis.compare_periods` estimates.

Examples
--------
>>> y1, y0 = simulate_periods("clusters", seed=1)
>>> len(y1), len(y0)
(111, 813)
"""

from __future__ import annotations

import numpy as np

__all__ = ["SCENARIOS", "simulate_periods"]

SCENARIOS: tuple[str, ...] = ("poisson", "clusters", "drift", "autocorrelated", "all")


def _shape(days: int, kind: str) -> np.ndarray:
    """Multiplier of the rate across a period's days, mean 1."""
    if kind == "reference":
        high = days // 3
        w = np.r_[np.full(high, 4.0), np.ones(days - high)]
    else:
        w = 0.4 + 1.6 * np.sin(np.linspace(0, np.pi, days))
    return w / w.mean()


def _ar_multiplier(days: int, ar: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    e = rng.normal(0, sd * np.sqrt(1 - ar**2), days)
    x = np.empty(days)
    x[0] = rng.normal(0, sd)
    for i in range(1, days):
        x[i] = ar * x[i - 1] + e[i]
    return np.exp(x - sd**2 / 2)


def simulate_periods(
    scenario: str = "all",
    ratio: float = 14.0,
    ref_rate: float = 0.052,
    days: tuple[int, int] = (111, 813),
    extra_sites: float = 0.7,
    ar: float = 0.6,
    ar_sd: float = 0.5,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Daily counts of a comparison period and a reference period.

    Parameters
    ----------
    scenario : {"poisson", "clusters", "drift", "autocorrelated", "all"}
        What is added to the Poisson baseline (see the module notes).
    ratio : float
        True rate ratio, comparison over reference.
    ref_rate : float
        Reference attacks per day (0.052 is the calm's rate in the Pentagon scope).
    days : (int, int)
        Lengths of the comparison and reference periods (the surge and the calm).
    extra_sites : float
        Mean extra sites hit per night in the cluster scenarios.
    ar, ar_sd : float
        Lag-1 correlation and standard deviation of the log-rate AR(1).
    seed : int or Generator

    Returns
    -------
    (y1, y0) : arrays of int
        Comparison and reference daily counts.

    Examples
    --------
    >>> y1, y0 = simulate_periods("poisson", ratio=1.0, seed=0)
    >>> y0.dtype.kind
    'i'
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {SCENARIOS}, not {scenario!r}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    clusters = scenario in ("clusters", "all")
    out = []
    for n_days, rate, kind in ((days[0], ref_rate * ratio, "comparison"), (days[1], ref_rate, "reference")):
        lam = np.full(n_days, rate)
        if scenario in ("drift", "all"):
            lam = lam * _shape(n_days, kind)
        if scenario in ("autocorrelated", "all"):
            lam = lam * _ar_multiplier(n_days, ar, ar_sd, rng)
        if clusters:
            nights = rng.poisson(lam / (1 + extra_sites))
            y = nights + rng.poisson(extra_sites * nights)
        else:
            y = rng.poisson(lam)
        out.append(y.astype(np.int64))
    return out[0], out[1]

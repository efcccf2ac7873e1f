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

Five more shapes, added in December 2026 (issue 21) where the old default fell short; each
sets its own ratio, rates and period lengths (:data:`SETTINGS`), which the caller may
still override:

* ``big_nights``: a small ratio (3) and about 14 attacks in the comparison period, 40% of
  nights hitting 5 to 10 sites;
* ``persistent``: an AR(1) log rate lasting weeks (lag-1 correlation 0.9, sd 0.8);
* ``short_surge``: a 30-day comparison period whose nights hit 1 + Poisson(3) sites;
* ``small_calm``: a reference of about 15 attacks, 30% of its nights hitting two sites;
* ``long_persistent``: a 300-day comparison period, persistence as ``persistent`` and
  the clusters of ``clusters``.

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

__all__ = ["SCENARIOS", "SETTINGS", "simulate_periods", "true_values"]

#: Scenario -> its settings (arguments of :func:`simulate_periods`) and what it adds.
SETTINGS: dict[str, dict] = {
    "poisson": {},
    "clusters": {"sites": "poisson"},
    "drift": {"drift": True},
    "autocorrelated": {"ar": 0.6, "ar_sd": 0.5},
    "all": {"sites": "poisson", "drift": True, "ar": 0.6, "ar_sd": 0.5},
    "big_nights": {"sites": "big", "ratio": 3.0, "ref_rate": 0.042},
    "persistent": {"ar": 0.9, "ar_sd": 0.8},
    "short_surge": {"sites": "poisson", "extra_sites": 3.0, "days": (30, 813)},
    "small_calm": {"sites": "pairs", "ref_rate": 15 / 813},
    "long_persistent": {"sites": "poisson", "ar": 0.9, "ar_sd": 0.8, "days": (300, 813)},
}
SCENARIOS: tuple[str, ...] = tuple(SETTINGS)
#: Mean sites per night of each way nights hit several sites.
_MEAN_SITES: dict[str | None, float] = {"big": 0.6 + 0.4 * 7.5, "pairs": 1.3}


def _sites(kind: str, nights: np.ndarray, extra: float, rng: np.random.Generator) -> np.ndarray:
    """Attacks per day given the nights with attacks on that day."""
    if kind == "poisson":
        return nights + rng.poisson(extra * nights)
    if kind == "pairs":
        return nights + rng.binomial(nights, 0.3)
    # "big": 60% of nights hit one site, 40% hit 5 to 10.
    out = np.zeros_like(nights)
    for i in np.flatnonzero(nights):
        big = rng.random(nights[i]) < 0.4
        out[i] = int((~big).sum() + rng.integers(5, 11, big.sum()).sum())
    return out


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
    ratio: float | None = None,
    ref_rate: float | None = None,
    days: tuple[int, int] | None = None,
    extra_sites: float | None = None,
    ar: float | None = None,
    ar_sd: float | None = None,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Daily counts of a comparison period and a reference period.

    Parameters
    ----------
    scenario : str
        One of :data:`SCENARIOS`: what is added to the Poisson baseline (see the module notes).
    ratio : float
        True rate ratio, comparison over reference (default 14, or the scenario's).
    ref_rate : float
        Reference attacks per day (default 0.052, the calm's rate in the Pentagon scope).
    days : (int, int)
        Lengths of the comparison and reference periods (default 111 and 813 days: the
        surge and the calm).
    extra_sites : float
        Mean extra sites hit per night when nights hit 1 + Poisson(extra) sites (0.7).
    ar, ar_sd : float
        Lag-1 correlation and standard deviation of the log-rate AR(1), in the
        scenarios that have one.
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
    given = {
        "ratio": ratio,
        "ref_rate": ref_rate,
        "days": days,
        "extra_sites": extra_sites,
        "ar": ar,
        "ar_sd": ar_sd,
    }
    cfg = {"ratio": 14.0, "ref_rate": 0.052, "days": (111, 813), "extra_sites": 0.7, **SETTINGS[scenario]}
    cfg.update(
        {k: v for k, v in given.items() if v is not None and (k not in ("ar", "ar_sd") or "ar" in cfg)}
    )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    kind = cfg.get("sites")
    mean_sites = 1 + cfg["extra_sites"] if kind == "poisson" else _MEAN_SITES.get(kind, 1.0)
    out = []
    for n_days, rate, part in (
        (cfg["days"][0], cfg["ref_rate"] * cfg["ratio"], "comparison"),
        (cfg["days"][1], cfg["ref_rate"], "reference"),
    ):
        lam = np.full(n_days, rate)
        if cfg.get("drift"):
            lam = lam * _shape(n_days, part)
        if "ar" in cfg:
            lam = lam * _ar_multiplier(n_days, cfg["ar"], cfg["ar_sd"], rng)
        if kind:
            y = _sites(kind, rng.poisson(lam / mean_sites), cfg["extra_sites"], rng)
        else:
            y = rng.poisson(lam)
        out.append(y.astype(np.int64))
    return out[0], out[1]


def true_values(scenario: str, **overrides) -> tuple[float, float]:
    """The scenario's true rate ratio and reference rate (attacks per day).

    Examples
    --------
    >>> true_values("big_nights")
    (3.0, 0.042)
    """
    cfg = {
        "ratio": 14.0,
        "ref_rate": 0.052,
        **SETTINGS[scenario],
        **{k: v for k, v in overrides.items() if v is not None},
    }
    return float(cfg["ratio"]), float(cfg["ref_rate"])

"""Simulated daily attack counts: clustered nights with optional triggering on later days.

The data-generating process of :func:`analysis.models.selfexcite.fit_self_excitation`'s
checks and studies (``benchmarks/sim_selfexcite.py``).
"""

from __future__ import annotations

import numpy as np

from analysis.models.selfexcite_likelihood import geometric_kernel

__all__ = ["simulate_self_excitation"]


def simulate_self_excitation(
    background: np.ndarray,
    branching: float = 0.0,
    mean_lag: float = 2.0,
    extra_sites: float = 0.7,
    max_lag: int = 30,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Daily attack counts from clustered nights with optional triggering on later days.

    Attack-nights on day ``t`` are Poisson with mean
    ``background_t / (1 + extra_sites) + branching * sum_k g_k n_{t-k}``, a
    geometric kernel of the given mean lag; each night hits
    ``1 + Poisson(extra_sites)`` sites (rows), so ``background`` is in attacks per day.

    Examples
    --------
    >>> simulate_self_excitation(np.full(5, 0.1), seed=0).dtype.kind
    'i'
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    nu = np.asarray(background, dtype=float) / (1 + extra_sites)
    n = np.zeros(len(nu), dtype=np.int64)
    g = np.zeros(max_lag)
    if branching > 0:
        q = 1 - 1 / mean_lag
        g, _ = geometric_kernel(q, max_lag)
    for t in range(len(nu)):
        past = n[max(0, t - max_lag) : t][::-1]
        rate = nu[t] + branching * float(g[: len(past)] @ past)
        n[t] = rng.poisson(rate)
    return n + rng.poisson(extra_sites * n)

"""Simulation of a Hawkes process with a piecewise-constant background by Ogata's thinning."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from analysis.errors import ArgumentError

__all__ = ["simulate_hawkes"]


def simulate_hawkes(
    mu: float | Sequence[float] | np.ndarray,
    branching_ratio: float,
    beta: float,
    end: float,
    start: float = 0.0,
    seed: int = 0,
    breaks: Sequence[float] | None = None,
) -> np.ndarray:
    """Simulate event times (days) by Ogata's thinning algorithm.

    Parameters
    ----------
    mu : float or sequence of float
        Background rate per day; a sequence gives one rate per piece, with
        the interior piece boundaries in ``breaks``.
    branching_ratio, beta : float
        Kernel ``branching_ratio * beta * exp(-beta t)``.
    end, start : float
        Window in days; the process starts empty at ``start``.
    seed : int
        Seed for :func:`numpy.random.default_rng`.
    breaks : sequence of float, optional
        Times where the background rate changes (``len(mu) - 1`` of them).

    Examples
    --------
    >>> t = simulate_hawkes(1.0, 0.5, 2.0, end=100.0, seed=0)
    >>> bool(np.all(np.diff(t) > 0))
    True
    """
    mus = np.atleast_1d(np.asarray(mu, dtype=float))
    cuts = np.asarray([] if breaks is None else breaks, dtype=float)
    if len(cuts) != len(mus) - 1:
        raise ArgumentError("breaks", breaks, f"{len(mus) - 1} times (len(mu) - 1)")
    rng = np.random.default_rng(seed)
    mu_max = float(mus.max())
    jump = branching_ratio * beta
    out: list[float] = []
    t, excite = float(start), 0.0
    while True:
        bound = mu_max + excite  # the excitation only decays until the next event
        if bound <= 0:
            break
        step = rng.exponential(1.0 / bound)
        t += step
        if t >= end:
            break
        excite *= math.exp(-beta * step)
        lam = mus[np.searchsorted(cuts, t, side="right")] + excite
        if rng.random() * bound <= lam:
            out.append(t)
            excite += jump
    return np.asarray(out)

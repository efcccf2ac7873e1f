"""Self-exciting (Hawkes) process with an exponential kernel, fitted by maximum likelihood.

The intensity, in events per day, is

    lambda(t) = mu(t) + sum over earlier events t_j of  n * beta * exp(-beta (t - t_j))

so each event triggers on average ``n`` further events (the branching ratio),
spread over time with decay rate ``beta`` per day (half-life ln 2 / beta).
``mu(t)`` is the background rate: one constant, or one constant per named
period, so that a known surge in the background is not mistaken for
self-excitation. The log-likelihood is computed in O(n) with the usual
recursion for the exponential kernel.

Examples
--------
>>> times = simulate_hawkes(mu=0.5, branching_ratio=0.5, beta=1.0, end=400.0, seed=3)
>>> fit = fit_hawkes(times, end=400.0)
>>> 0.2 < fit.branching_ratio < 0.8
True
"""

from analysis.models.hawkes.fit import fit_hawkes
from analysis.models.hawkes.likelihood import hawkes_loglik
from analysis.models.hawkes.result import HawkesResult
from analysis.models.hawkes.simulate import simulate_hawkes

__all__ = ["HawkesResult", "fit_hawkes", "hawkes_loglik", "simulate_hawkes"]

"""The naive O(n^2) Hawkes log-likelihood, the oracle for the O(n) one.

It sums the kernel over all pairs, straight from the definition, so it shares
no code with :mod:`analysis.models.hawkes.likelihood`; tests/test_hawkes.py and
benchmarks/bench_hawkes.py compare the two. It lives with the tests because no
caller of the package needs it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hawkes_loglik_naive"]


def hawkes_loglik_naive(
    times, mu: float, branching_ratio: float, beta: float, end: float, start: float = 0.0, block: int = 1024
) -> float:
    """The log-likelihood of :func:`analysis.models.hawkes.hawkes_loglik` by summing over all pairs: O(n^2).

    Examples
    --------
    >>> round(hawkes_loglik_naive([1.0, 1.5, 4.0], 0.5, 0.3, 1.2, end=5.0), 6)
    -4.995084
    """
    t = np.sort(np.asarray(times, dtype=float)) - start
    horizon = end - start
    log_lam = 0.0
    for lo in range(0, len(t), block):
        ti = t[lo : lo + block, None]
        diff = ti - t[None, : lo + block]  # later events cannot excite this block
        # Strictly earlier events only: tied events do not excite each other.
        kern = np.where(diff > 0, np.exp(-beta * np.where(diff > 0, diff, 0.0)), 0.0)
        lam = mu + branching_ratio * beta * np.sum(kern, axis=1)
        log_lam += np.sum(np.log(lam))
    compensator = mu * horizon + branching_ratio * np.sum(1 - np.exp(-beta * (horizon - t)))
    return float(log_lam - compensator)

"""Shared timing helper for the benchmark scripts."""

import statistics
import time


def timed(fn, repeats: int = 1):
    """Median wall time of ``repeats`` calls of ``fn`` and the last result."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out

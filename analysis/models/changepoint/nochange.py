"""Tests of "no change at all": likelihood ratios against multinomial draws given the total.

Given the total count, the null of no change does not depend on the unknown rate, so the
Monte Carlo p-values are exact for Poisson counts (see :func:`detect_changepoints`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from analysis.models.changepoint.search import _dispersion, _search, _total_cost


def _single_split_lr(y: np.ndarray, e: np.ndarray, min_size: int) -> np.ndarray:
    """Best one-change likelihood-ratio statistic for each row of ``y`` (vectorised).

    With ``a`` events over ``e1`` days before the change and ``b`` over ``e2``
    after (``a + b = S`` over ``E``), the linear terms of the costs cancel and
    ``LR = 2 [a log(a / e1) + b log(b / e2) - S log(S / E)]``; ``k log k`` of the
    integer counts comes from one table.
    """
    y = np.atleast_2d(np.asarray(y, dtype=np.int64))
    n = y.shape[1]
    if n < 2 * min_size:
        return np.zeros(len(y))
    cy = np.cumsum(y, axis=1)
    total = cy[:, -1]
    klogk = special.xlogy(np.arange(int(total.max()) + 1), np.arange(int(total.max()) + 1))
    ce = np.r_[0.0, np.cumsum(e)]
    tau = np.arange(min_size, n - min_size + 1)
    a = cy[:, tau - 1]
    b = total[:, None] - a
    log_e1, log_e2 = np.log(ce[tau]), np.log(ce[n] - ce[tau])
    split = klogk[a] - a * log_e1 + klogk[b] - b * log_e2
    whole = klogk[total] - total * math.log(ce[n])
    return 2.0 * (split.max(axis=1) - whole)


def _null_draws(rng: np.random.Generator, total: int, e: np.ndarray, n_boot: int) -> np.ndarray:
    """``n_boot`` multinomial draws of ``total`` events over bins with probabilities proportional to ``e``.

    Each event's bin is drawn directly (uniform draws placed on the cumulative
    exposure) and counted, which is several times faster than
    ``Generator.multinomial`` for a few thousand bins; very large totals use it.
    """
    n = len(e)
    if total * n_boot > 20_000_000:
        return rng.multinomial(total, e / e.sum(), size=n_boot)
    if np.all(e == e[0]):
        bins = rng.integers(0, n, size=(n_boot, total))
    else:
        bins = np.searchsorted(np.cumsum(e) / e.sum(), rng.random((n_boot, total)), side="right")
        bins = np.minimum(bins, n - 1)
    flat = (bins + n * np.arange(n_boot)[:, None]).ravel()
    return np.bincount(flat, minlength=n * n_boot).reshape(n_boot, n)


def _search_lr(y, e, beta, min_size, mbic, max_k, phi) -> float:
    """Likelihood-ratio statistic of the selected segmentation against none, on the dispersion scale."""
    starts, _ = _search(y, e, beta, min_size, mbic, max_k, phi)
    none = np.array([], dtype=np.int64)
    return (_total_cost(y, e, none, 0.0) - _total_cost(y, e, starts, 0.0)) / phi


def _no_change_tests(
    y, e, beta, min_size, mbic, max_k, n_boot, seed, dispersion, rerun_search
) -> tuple[pd.DataFrame, np.ndarray]:
    """Monte Carlo tests of "no change at all", conditional on the total count.

    Statistics are divided by the dispersion (re-estimated on every draw when it
    is estimated), so an overdispersed series is compared with draws on the same
    scale. The single-change test is vectorised over draws; the test of the
    selected segmentation reruns the search on every draw and runs only when
    ``rerun_search`` is true.
    """
    fixed = None if dispersion == "estimate" else float(dispersion or 1.0)
    phi_obs = float(_dispersion(y, e)[0]) if fixed is None else fixed
    names = ["best single change vs none"] + (["selected segmentation vs none"] if rerun_search else [])
    statistics = [float(_single_split_lr(y, e, min_size)[0]) / phi_obs]
    if rerun_search:
        statistics.append(_search_lr(y, e, beta, min_size, mbic, max_k, phi_obs))
    observed = np.array(statistics)
    boot = np.full((max(n_boot, 0), len(names)), np.nan)
    p = np.full(len(names), np.nan)
    total = int(y.sum())
    if total == 0:
        p[:] = 1.0  # no events: nothing can have changed
    elif n_boot > 0:
        draws = _null_draws(np.random.default_rng(seed), total, e, n_boot)
        phi = _dispersion(draws, e) if fixed is None else np.full(n_boot, fixed)
        boot[:, 0] = _single_split_lr(draws, e, min_size) / phi
        if rerun_search and observed[1] > 0:
            boot[:, 1] = [_search_lr(draws[b], e, beta, min_size, mbic, max_k, phi[b]) for b in range(n_boot)]
        elif rerun_search:
            boot[:, 1] = 0.0  # LR = 0 cannot be exceeded: p = 1 without rerunning the search
        p = (1 + np.sum(boot >= observed - 1e-9, axis=0)) / (n_boot + 1)
    test = pd.DataFrame({"test": names, "statistic": observed, "p_value": p, "n_boot": n_boot})
    return test, boot

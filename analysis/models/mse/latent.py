"""The two-class latent-class alternative to the log-linear models (heterogeneous catchability)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from analysis.errors import StatisticalWarning
from analysis.models.mse.result import _empty_row


def _latent_class(cells: pd.DataFrame, lists: Sequence[str], seed: int = 0, starts: int = 4, init=None):
    """Two-class latent-class capture-recapture by EM; returns (N, loglik, params).

    Lists are independent within a class (heterogeneous catchability between classes).
    The multinomial likelihood with N unknown is maximised by EM over the complete table
    (the unobserved cell filled with its expected count each step). ``init`` (pi, p) starts
    from a known fit (the bootstrap starts from the point estimate).
    """
    H = np.vstack([cells[list(lists)].to_numpy(float), np.zeros(len(lists))])
    y = cells["count"].to_numpy(float)
    n = y.sum()
    rng = np.random.default_rng(seed)
    best = None
    for s in range(starts):
        if init is not None and s == 0:
            pi, p = np.array(init[0], float), np.array(init[1], float)
        else:
            p = np.sort(rng.uniform(0.05, 0.9, size=(2, len(lists))), axis=0)
            pi = np.array([0.5, 0.5])
        ll_old = -np.inf
        for _ in range(500):
            like = np.exp(H @ np.log(p).T + (1 - H) @ np.log1p(-p).T) * pi
            prob = like.sum(axis=1)
            n0 = n * prob[-1] / max(1 - prob[-1], 1e-12)
            w = np.append(y, n0)[:, None] * like / prob[:, None]
            pi = w.sum(axis=0) / w.sum()
            p = np.clip((w.T @ H) / np.maximum(w.sum(axis=0)[:, None], 1e-12), 1e-6, 1 - 1e-6)
            ll = (
                special.gammaln(n + n0 + 1)
                - special.gammaln(n0 + 1)
                + n0 * np.log(max(prob[-1], 1e-300))
                + np.sum(y * np.log(prob[:-1]))
            )
            if ll - ll_old < 1e-8 * (1 + abs(ll)):
                break
            ll_old = ll
        if best is None or ll > best[1]:
            best = (float(n + n0), float(ll), {"pi": pi.tolist(), "p": p.tolist()})
    return best


def _latent_stratum(cells, cells_all, lists, name, n_boot, alpha, rng, dropped_note) -> dict:
    n = int(cells["count"].sum())
    if len(lists) < 4:
        note = "a two-class latent-class model needs four or more lists" + dropped_note
        warnings.warn(f"stratum {name!r}: {note}; no estimate", StatisticalWarning, stacklevel=4)
        return {"row": _empty_row(name, cells_all, lists, note), "models": pd.DataFrame(), "cells": cells_all}
    N, ll, params = _latent_class(cells, lists, seed=int(rng.integers(1 << 31)))
    boot = None
    low = high = np.nan
    if n_boot > 0:
        pi, p = np.array(params["pi"]), np.array(params["p"])
        H = cells[lists].to_numpy(float)
        prob = (np.exp(H @ np.log(p).T + (1 - H) @ np.log(1 - p).T) * pi).sum(axis=1)
        draws = []
        for _ in range(n_boot):
            Y = rng.poisson(N * prob)
            sim = cells.assign(count=Y)
            if Y.sum() == 0:
                continue
            total = _latent_class(sim, lists, seed=int(rng.integers(1 << 31)), starts=2, init=(pi, p))[0]
            draws.append((total, float(Y.sum())))
        boot = pd.DataFrame(draws, columns=["total", "seen"])
        low, high = np.quantile(boot["total"], [alpha / 2, 1 - alpha / 2])
    row = {
        "stratum": name,
        "estimate": N,
        "ci_low": max(float(low), n),
        "ci_high": float(high),
        "observed": n,
        "completeness": n / N,
        "completeness_low": n / float(high) if np.isfinite(high) else np.nan,
        "completeness_high": min(1.0, n / max(float(low), n)),
        "n_lists": len(lists),
        "model": "latent class (2 classes)",
        "method": f"latent class by EM, parametric bootstrap ({n_boot} draws)",
        "note": dropped_note.lstrip("; "),
    }
    models = pd.DataFrame([{"stratum": name, "model": "latent class (2 classes)", "loglik": ll, **params}])
    return {"row": row, "models": models, "cells": cells_all, "boot": boot}

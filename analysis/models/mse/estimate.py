"""estimate_undercount: each stratum's total, seen and unseen, from the overlaps of its lists."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.models.mse.histories import _as_cells
from analysis.models.mse.latent import _latent_stratum
from analysis.models.mse.loglinear import (
    _choose,
    _design,
    _fit_all,
    _newton,
    _profile_interval,
    fit_loglinear,
)
from analysis.models.mse.result import UndercountResult, _empty_row, _estimate_row

CRITERIA = ("aic", "bic")
#: Every model of k lists is 2^(k(k-1)/2) fits: 1,024 for 5 lists, 32,768 for 6.
MAX_LISTS = 5
HETEROGENEITY = (None, "latent_class")
#: Profile likelihood intervals are computed for at most this many models per stratum
#: (those with the most weight), plus any other with over 5% of it.
_PROFILED = 8


def estimate_undercount(
    histories: pd.DataFrame,
    lists: Sequence[str] | None = None,
    criterion: str = "aic",
    estimator: str = "average",
    n_boot: int = 500,
    alpha: float = 0.05,
    seed: int = 0,
    heterogeneity: str | None = None,
) -> UndercountResult:
    """Estimate each stratum's total number of attacks, seen and unseen, from list overlaps.

    Parameters
    ----------
    histories : DataFrame
        From :func:`capture_histories` (one row per attack), or any frame of 0/1 list
        columns with an optional ``count`` column (one row per history) and an optional
        ``stratum`` column.
    lists : sequence of str, optional
        The list columns; default every column other than event_id, stratum, count and
        the stratum columns recorded by :func:`capture_histories`.
    criterion : {"aic", "bic"}
        Information criterion for the choice and the weights.
    estimator : {"average", "best"}
        The IC-weighted model average (default, chosen on ``benchmarks/sim_mse.py``) or the
        single best model.
    n_boot : int
        Parametric bootstrap draws for the interval (model choice repeated in each); 0 gives
        the best model with its profile likelihood interval instead (whatever ``estimator``).
    alpha : float
        1 - confidence level.
    seed : int
        Seed of the bootstrap.
    heterogeneity : {None, "latent_class"}
        ``"latent_class"`` replaces the log-linear models with a two-class latent-class
        model (needs four or more lists; interval by parametric bootstrap).

    Returns
    -------
    UndercountResult

    Warns
    -----
    StatisticalWarning
        A stratum with fewer than three lists that caught anything, no attack on two
        lists, or no estimable model: its row has no estimate, and ``note`` says why.

    Examples
    --------
    >>> hist = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
    ...                      "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
    >>> res = estimate_undercount(hist, estimator="best", n_boot=0)
    >>> res.table["model"].iloc[0]
    'independence'
    """
    if criterion not in CRITERIA:
        raise ArgumentError("criterion", criterion, CRITERIA)
    if estimator not in ("average", "best"):
        raise ArgumentError("estimator", estimator, ["average", "best"])
    if heterogeneity not in HETEROGENEITY:
        raise ArgumentError("heterogeneity", heterogeneity, HETEROGENEITY)
    if not isinstance(n_boot, int) or n_boot < 0:
        raise ArgumentError("n_boot", n_boot, "a whole number >= 0")
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise ArgumentError("alpha", alpha, "a number between 0 and 1")
    if not isinstance(histories, pd.DataFrame) or histories.empty:
        raise ArgumentError("histories", "an empty table", "capture histories with at least one attack")
    lists = _list_columns(histories, lists)
    strata = histories["stratum"] if "stratum" in histories else pd.Series("all", index=histories.index)
    rng = np.random.default_rng(seed)
    rows, model_rows, overlaps, fits, boots = [], [], [], {}, {}
    for name in pd.unique(strata):
        part = histories[strata == name]
        out = _one_stratum(part, lists, str(name), criterion, estimator, n_boot, alpha, rng, heterogeneity)
        rows.append(out["row"])
        model_rows.append(out["models"])
        overlaps.append(out["cells"].assign(stratum=str(name)))
        if out.get("fit") is not None:
            fits[str(name)] = out["fit"]
        if out.get("boot") is not None:
            boots[str(name)] = out["boot"]
    table = pd.DataFrame(rows)
    return UndercountResult(
        table=table,
        models=pd.concat(model_rows, ignore_index=True) if model_rows else pd.DataFrame(),
        overlaps=pd.concat(overlaps, ignore_index=True),
        fits=fits,
        boot=boots,
        lists=tuple(lists),
        criterion=criterion,
        estimator=estimator if heterogeneity is None else "latent_class",
        alpha=alpha,
        heterogeneity=heterogeneity,
    )


def _list_columns(histories: pd.DataFrame, lists) -> list[str]:
    reserved = {"event_id", "stratum", "count", *histories.attrs.get("strata", ())}
    if lists is None:
        known = histories.attrs.get("lists")
        lists = list(known) if known else [c for c in histories.columns if c not in reserved]
        lists = [c for c in lists if c in histories and set(pd.unique(histories[c])) <= {0, 1}]
    lists = list(lists)
    for c in lists:
        if c not in histories:
            raise ArgumentError("lists", c, [c for c in histories.columns if c not in reserved])
        if not set(pd.unique(histories[c])) <= {0, 1}:
            raise ArgumentError(f"histories[{c!r}]", sorted(pd.unique(histories[c]))[:5], "0/1 values")
    if len(lists) < 3:
        raise ArgumentError(
            "lists", lists, "three or more list columns (two lists cannot estimate dependence)"
        )
    if len(lists) > MAX_LISTS:
        raise ArgumentError(
            "lists",
            lists,
            f"at most {MAX_LISTS} lists (every two-list model of 6 lists is 32,768 fits; merge lists, e.g. "
            "the official ones, or fit one model with fit_loglinear)",
        )
    return lists


def _one_stratum(part, all_lists, name, criterion, estimator, n_boot, alpha, rng, heterogeneity) -> dict:
    cells_all = _as_cells(part, all_lists)
    weights = part["count"] if "count" in part else pd.Series(1, index=part.index)
    caught = [c for c in all_lists if (part[c] * weights).sum() > 0]
    lists = caught
    cells = _as_cells(part, lists) if len(lists) >= 1 else cells_all
    unused = [c for c in all_lists if c not in caught]
    dropped_note = f"; lists with no capture dropped: {', '.join(unused)}" if unused else ""
    if len(lists) < 3:
        note = f"fewer than three lists caught any attack ({', '.join(lists) or 'none'}){dropped_note}"
        return _no_estimate(name, cells_all, lists, note)
    multi = cells.loc[cells[lists].sum(axis=1) >= 2, "count"].sum()
    if multi == 0:
        note = "no attack is on two or more lists: overlaps are needed to estimate what was missed"
        return _no_estimate(name, cells_all, lists, note)
    if heterogeneity == "latent_class":
        return _latent_stratum(cells, cells_all, lists, name, n_boot, alpha, rng, dropped_note)
    models, est, ic, dev = _fit_all(cells, lists, criterion)
    ok = np.isfinite(ic[0])
    if not ok.any():
        note = "no model is estimable (every fit runs to the boundary: too many empty cells)"
        return _no_estimate(name, cells_all, lists, note)
    w = np.where(ok, np.exp(-(ic[0] - np.nanmin(ic[0])) / 2), 0.0)
    w = w / w.sum()
    best_j = int(np.nanargmin(ic[0]))
    table = _models_table(name, cells, lists, models, est[0], ic[0], dev[0], w, alpha)
    point, low, high, method, boot = _total_and_interval(
        cells, lists, models, est, ic, w, criterion, estimator, n_boot, alpha, rng
    )
    note = "" + dropped_note.lstrip("; ")
    if w[best_j] < 0.5:
        note = (note + "; " if note else "") + f"the best model has {w[best_j]:.0%} of the weight"
    row = _estimate_row(name, cells, lists, point, low, high, _model_name(models[best_j]), method, note)
    return {
        "row": row,
        "models": table,
        "cells": cells_all,
        "fit": fit_loglinear(cells, lists, models[best_j]),
        "boot": boot,
    }


def _no_estimate(name, cells_all, lists, note) -> dict:
    """The warning and the empty row of a stratum the log-linear models cannot estimate."""
    # Level 4: the warning names the line that called estimate_undercount, not this helper.
    warnings.warn(f"stratum {name!r}: {note}; no estimate", StatisticalWarning, stacklevel=4)
    empty_models = pd.DataFrame(columns=["stratum", "model", "n_params", "deviance", "df", "ic", "weight"])
    return {"row": _empty_row(name, cells_all, lists, note), "models": empty_models, "cells": cells_all}


def _total_and_interval(cells, lists, models, est, ic, w, criterion, estimator, n_boot, alpha, rng):
    """The estimated total, its interval, how both were made, and the bootstrap draws (or None)."""
    best_est, avg_est = _choose(est, ic)
    if n_boot == 0:
        # Without the bootstrap the only interval is the best model's profile, so the point is its too.
        best_j = int(np.nanargmin(ic[0]))
        low, high = _profile_interval(cells, lists, models[best_j], est[0, best_j], alpha)
        method = "best model, profile likelihood (no bootstrap: the choice is not carried)"
        return float(best_est[0]), low, high, method, None
    point = float(avg_est[0] if estimator == "average" else best_est[0])
    boot = _bootstrap(cells, lists, models, est[0], ic[0], w, criterion, estimator, n_boot, rng)
    finite = boot["total"][np.isfinite(boot["total"])].to_numpy()
    low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2]) if finite.size else (np.nan, np.nan)
    low = max(float(low), float(cells["count"].sum()))
    method = f"{estimator} of models, parametric bootstrap ({n_boot} draws, choice repeated)"
    return point, low, high, method, boot


def _model_name(pairs) -> str:
    return "independence" if not pairs else " + ".join(f"{a}:{b}" for a, b in pairs)


def _models_table(name, cells, lists, models, est, ic, dev, w, alpha) -> pd.DataFrame:
    rows = []
    n_cells = len(cells)
    top = set(np.argsort(-w)[:_PROFILED].tolist())
    for j, pairs in enumerate(models):
        p = 1 + len(lists) + len(pairs)
        low = high = np.nan
        if np.isfinite(est[j]) and (w[j] > 0.05 or (w[j] > 0.01 and j in top)):
            low, high = _profile_interval(cells, lists, pairs, est[j], alpha)
        rows.append(
            {
                "stratum": name,
                "model": _model_name(pairs),
                "n_params": p,
                "df": n_cells - p,
                "deviance": dev[j],
                "ic": ic[j],
                "weight": w[j],
                "estimate": est[j],
                "ci_low": low,
                "ci_high": high,
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["ic", "n_params"], na_position="last", kind="stable").reset_index(drop=True)


def _bootstrap(cells, lists, models, est, ic, w, criterion, estimator, n_boot, rng) -> np.ndarray:
    """Totals from tables drawn from the averaged fit, each with the model choice repeated."""
    mu = np.zeros(len(cells))
    for j, pairs in enumerate(models):
        if w[j] <= 0:
            continue
        X = _design(cells, lists, pairs)
        _, fitted, _, _ = _newton(X, cells["count"].to_numpy(float)[None, :])
        mu += w[j] * fitted[0]
    Y = rng.poisson(mu, size=(n_boot, len(mu))).astype(float)
    _, b_est, b_ic, _ = _fit_all(cells, lists, criterion, Y)
    best, avg = _choose(b_est, b_ic)
    return pd.DataFrame({"total": avg if estimator == "average" else best, "seen": Y.sum(axis=1)})

"""The background of the self-exciting count model: a level per period and a smooth drift inside it.

Log-linear hat-function splines with a knot every ``smooth_days`` days, in
periods with the events to estimate them; ``smooth_days="auto"`` chooses the
spacing by quasi-AIC of the full fit (:func:`_choose_smoothing`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.models.selfexcite_likelihood import _quasi_lr
from analysis.periods import OUTSIDE, day_periods

__all__ = ["SMOOTH_CHOICES"]

#: A period needs this many events per spline knot to get a drift term.
_EVENTS_PER_KNOT = 10
#: Knot spacings (days) ``smooth_days="auto"`` chooses from, None being a constant per period.
SMOOTH_CHOICES: tuple[int | None, ...] = (7, 10, 14, 21, 30, 45, 60, 90, None)
#: With ``smooth_days="auto"`` a knot needs only this many events: the criterion guards the fit.
_AUTO_EVENTS_PER_KNOT = 5
_OUTSIDE = OUTSIDE


def _period_labels(days: pd.DatetimeIndex, background) -> tuple[np.ndarray, list[str]]:
    """The background period of each day (the first period containing it) and the names in order."""
    from analysis.models.rates import resolve_periods

    periods = sorted(resolve_periods(background), key=lambda p: p.start)
    labels = day_periods(days, periods)
    names = [n for n in [_OUTSIDE, *[p.name for p in periods]] if (labels == n).any()]
    return labels, names


def _background_design(
    labels: np.ndarray,
    names: list[str],
    y: np.ndarray,
    smooth_days: int | None,
    per_knot: int = _EVENTS_PER_KNOT,
):
    """Columns of log mu: one level per period with events, plus hat-function drift inside periods.

    Returns (Z, columns, zero_days): Z sparse (a level and at most two hats per row); ``zero_days``
    marks periods with no events (background 0).
    """
    cols, names_out, zero = [], [], np.zeros(len(y), dtype=bool)
    for name in names:
        inside = labels == name
        events = y[inside].sum()
        if events == 0:
            zero |= inside
            continue
        cols.append(inside.astype(float))
        names_out.append(f"level:{name}")
        idx = np.flatnonzero(inside)
        n_knots = (
            0 if smooth_days is None else min(int(round(len(idx) / smooth_days)), int(events // per_knot))
        )
        if n_knots >= 1:
            knots = np.linspace(0, len(idx) - 1, n_knots + 1)
            pos = np.arange(len(idx), dtype=float)
            step = knots[1] - knots[0]
            for j in range(1, n_knots + 1):  # hat 0 is absorbed by the level
                col = np.zeros(len(y))
                col[idx] = np.clip(1 - np.abs(pos - knots[j]) / step, 0, None)
                cols.append(col)
                names_out.append(f"drift:{name}:{j}")
    return sparse.csr_matrix(np.column_stack(cols)), names_out, zero


def _choose_smoothing(
    y: np.ndarray, labels, names, start_value: float, max_lag: int, excite: str
) -> tuple[int | None, pd.DataFrame]:
    """The knot spacing whose full fit (background and excitation) has the lowest quasi-AIC.

    Quasi-AIC: ``2 negloglik / c + 2 k`` with ``c`` the Pearson dispersion of the richest
    background-only fit (at least 1), so same-night clusters do not buy knots. The excitation is in
    every candidate, so follow-on attacks a few days apart are not bought by a background that
    wiggles at that scale; a drift on the scale of weeks is.
    """
    fits, disp = [], None
    for days in SMOOTH_CHOICES:
        Z, columns, fixed = _background_design(labels, names, y, days, _AUTO_EVENTS_PER_KNOT)
        start = np.where([c.startswith("level:") for c in columns], start_value, 0.0)
        beta_null, full, _, _ = _quasi_lr(y, Z, fixed, max_lag, excite, start)
        if disp is None:
            mu = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta_null, -30, 30)))
            use = ~fixed
            disp = max(1.0, float((((y - mu) ** 2)[use] / mu[use]).sum() / max(use.sum() - Z.shape[1], 1)))
        fits.append((days, Z.shape[1] + 2, float(full.fun)))
    table = pd.DataFrame(fits, columns=["smooth_days", "parameters", "negloglik"])
    table["qaic"] = 2 * table["negloglik"] / disp + 2 * table["parameters"]
    # Equal designs (too few events for more knots) tie: the coarser spacing is kept.
    best = table.loc[table["qaic"].round(9).iloc[::-1].idxmin(), "smooth_days"]
    return (None if pd.isna(best) else int(best)), table


def _smoothed_design(y: np.ndarray, labels, names, smooth_days, max_lag: int, excite: str):
    """The background design at ``smooth_days`` (chosen by quasi-AIC when ``"auto"``) and its start values.

    Returns (smooth_days, smoothing, Z, fixed, start): the spacing used, the table of candidates
    (empty unless ``"auto"``), the design of :func:`_background_design` and log-levels at the mean.
    """
    start_value = np.log(max(y.mean(), 1e-6))
    smoothing, per_knot = pd.DataFrame(), _EVENTS_PER_KNOT
    if smooth_days == "auto":
        smooth_days, smoothing = _choose_smoothing(y, labels, names, start_value, max_lag, excite)
        per_knot = _AUTO_EVENTS_PER_KNOT
    Z, columns, fixed = _background_design(labels, names, y, smooth_days, per_knot)
    start = np.where([c.startswith("level:") for c in columns], start_value, 0.0)
    return smooth_days, smoothing, Z, fixed, start

"""The undercount-adjusted rate ratio: two periods compared, each count replaced by its estimated total."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.models.mse.estimate import estimate_undercount
from analysis.models.mse.histories import capture_histories
from analysis.models.mse.result import AdjustedRatio, UndercountResult


def undercount_adjusted_ratio(
    incidents: pd.DataFrame,
    period: str | None = None,
    reference: str | None = None,
    periods=None,
    scope=None,
    lists: Mapping[str, Sequence[str]] | None = None,
    n_boot: int = 500,
    criterion: str = "aic",
    alpha: float = 0.05,
    seed: int = 0,
    undercount: UndercountResult | None = None,
    study=None,
) -> AdjustedRatio:
    """The rate ratio of two periods with each period's count replaced by its estimated total.

    Three views: the observed ratio in ``scope`` (the headline), the observed ratio over the
    estimate's population (the scope with every confirmation level: who reported an attack
    is its capture history, not a filter), and that ratio multiplied by the inverse ratio of
    the two periods' estimated completeness (:func:`estimate_undercount`). The adjusted
    interval adds, on the log scale, the counting variance of the observed ratio and the
    bootstrap variance of each period's log(estimated total / seen).

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (with ``source_systems``).
    period, reference : str, optional
        Period names of ``periods``; default the study's headline pair.
    periods : list of Period, optional
        Default the study's periods.
    scope : Scope or str, optional
        Default the study's scope, else ``"pentagon"``.
    lists, n_boot, criterion, alpha, seed
        As in :func:`capture_histories` and :func:`estimate_undercount`.
    undercount : UndercountResult, optional
        Estimates already made (with the bootstrap) for strata named as the two periods,
        from the same scope and lists; default: estimated here.
    study : Study, optional
        Supplies the period, reference, periods, scope and alpha not given (:func:`analysis.load_study`).

    Returns
    -------
    AdjustedRatio

    Examples
    --------
    >>> res = undercount_adjusted_ratio(incidents, n_boot=20, study=study)
    >>> res.table["view"].tolist()
    ['observed', 'observed, every confirmation', 'undercount-adjusted']
    """
    from analysis.models.rates import compare_periods
    from analysis.scope import get_scope

    if not isinstance(n_boot, int) or n_boot < 20:
        raise ArgumentError(
            "n_boot", n_boot, "a whole number >= 20 (the adjusted interval needs the bootstrap)"
        )
    if study is not None:
        period = study.headline_period if period is None else period
        reference = study.reference if reference is None else reference
        periods = study.periods if periods is None else periods
        scope = study.scope if scope is None else scope
    if period is None or reference is None:
        raise ArgumentError(
            "period, reference", (period, reference), "two period names, or study=load_study()"
        )
    chosen = _two_periods(periods, period, reference)
    scope = get_scope(scope)
    population = scope.replace(confirmation=None, name=f"{scope.name}, every confirmation")
    under = _period_estimates(incidents, undercount, chosen, scope, lists, criterion, n_boot, alpha, seed)
    comparisons = {
        "observed": compare_periods(incidents, chosen, reference=reference, scope=scope, alpha=alpha),
        "observed, every confirmation": compare_periods(
            incidents, chosen, reference=reference, scope=population, alpha=alpha
        ),
    }
    rows = []
    for view, comp in comparisons.items():
        t = comp.wide.set_index("period")
        rows.append(_ratio_row(view, t, period, reference))
    t = comparisons["observed, every confirmation"].wide.set_index("period")
    base = _ratio_row("undercount-adjusted", t, period, reference)
    rows.append(_adjusted(base, under, period, reference, alpha))
    return AdjustedRatio(
        table=pd.DataFrame(rows),
        undercount=under,
        comparisons=comparisons,
        period=period,
        reference=reference,
        alpha=alpha,
    )


def _two_periods(periods, period: str, reference: str) -> list:
    """The periods named ``period`` and ``reference`` among ``periods``."""
    from analysis.models.rates import resolve_periods

    periods = resolve_periods(periods)
    names = [p.name for p in periods]
    for arg, value in (("period", period), ("reference", reference)):
        if value not in names:
            raise ArgumentError(arg, value, names)
    return [p for p in periods if p.name in (period, reference)]


def _period_estimates(incidents, undercount, chosen, scope, lists, criterion, n_boot, alpha, seed):
    """The estimates of the two periods: ``undercount`` if given (with draws for both), else made here."""
    if undercount is None:
        hist = capture_histories(incidents, lists=lists, strata="period", periods=chosen, scope=scope)
        return estimate_undercount(hist, criterion=criterion, n_boot=n_boot, alpha=alpha, seed=seed)
    missing = {p.name for p in chosen} - set(undercount.boot)
    if missing:
        raise ArgumentError("undercount", sorted(missing), "a result with bootstrap draws for both periods")
    return undercount


def _adjusted(base: dict, under: UndercountResult, period: str, reference: str, alpha: float) -> dict:
    """``base`` (the observed ratio over the estimate's population) times the inverse completeness ratio.

    The interval adds on the log scale the counting variance of ``base`` and the bootstrap
    variances of the two periods' estimates.
    """
    u = under.table.set_index("stratum")
    if not (np.isfinite(u.loc[period, "estimate"]) and np.isfinite(u.loc[reference, "estimate"])):
        warnings.warn(
            "no undercount estimate for one of the periods; the adjusted ratio is missing",
            StatisticalWarning,
            # Level 3: the warning names the line that called undercount_adjusted_ratio.
            stacklevel=3,
        )
        base.update(estimate=np.nan, ci_low=np.nan, ci_high=np.nan)
        return base
    z = stats.norm.ppf(1 - alpha / 2)
    factor = (u.loc[period, "estimate"] / u.loc[period, "observed"]) / (
        u.loc[reference, "estimate"] / u.loc[reference, "observed"]
    )
    var_count = ((np.log(base["ci_high"]) - np.log(base["ci_low"])) / (2 * z)) ** 2
    var_est = sum(_log_inflation_var(under.boot[name]) for name in (period, reference))
    log_rr = np.log(base["estimate"] * factor)
    half = z * np.sqrt(var_count + var_est)
    base.update(
        estimate=float(np.exp(log_rr)),
        ci_low=float(np.exp(log_rr - half)),
        ci_high=float(np.exp(log_rr + half)),
        n=float(u.loc[period, "estimate"]),
        n_reference=float(u.loc[reference, "estimate"]),
        method="observed ratio x inverse completeness ratio; log-scale variances added",
    )
    return base


def _ratio_row(view: str, t: pd.DataFrame, period: str, reference: str) -> dict:
    return {
        "view": view,
        "estimate": float(t.loc[period, "rate_ratio"]),
        "ci_low": float(t.loc[period, "rr_ci_low"]),
        "ci_high": float(t.loc[period, "rr_ci_high"]),
        "n": float(t.loc[period, "events"]),
        "n_reference": float(t.loc[reference, "events"]),
        "exposure": int(t.loc[period, "days"]),
        "exposure_reference": int(t.loc[reference, "days"]),
        "method": str(t.loc[period, "method"]),
    }


def _log_inflation_var(boot: pd.DataFrame) -> float:
    """Bootstrap variance of log(estimated total / seen): the estimation part alone."""
    ratio = (boot["total"] / boot["seen"]).to_numpy(float)
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    return float(np.var(np.log(ratio), ddof=1)) if ratio.size > 1 else np.nan

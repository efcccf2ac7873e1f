"""analysis: attack rates on US and coalition forces, compared across periods.

Every public name is imported on first use (PEP 562), so ``import analysis``
and ``python -m analysis --help`` stay fast: pandas, statsmodels and
matplotlib load only when a function that needs them is first touched.

Examples
--------
>>> import analysis
>>> "compare_periods" in analysis.__all__
True
>>> analysis.compare_periods.__module__  # imported now, on first use
'analysis.models.rates'
>>> res = analysis.compare_periods(analysis.load_incidents(), study=analysis.load_study())
>>> res.table.query("period == 'surge' and quantity == 'rate_ratio'")[["estimate", "ci_low", "ci_high"]].round(1)
    estimate  ci_low  ci_high
15      22.2     8.3     59.2
"""

from __future__ import annotations

import importlib
import logging
import sys
import types

#: The package version: the only place the number is written (pyproject.toml reads it from here).
__version__ = "0.1.0"
#: The date this version was released (CITATION.cff repeats both; a test keeps them equal).
__date__ = "2026-12-08"

# Public name -> the module that defines it. Imported on first access by __getattr__.
_EXPORTS: dict[str, str] = {
    # data loading and validation
    "DataQualityWarning": "analysis.errors",
    "DataValidationError": "analysis.errors",
    "count_by_day_streaming": "analysis.data",
    "load_context_events": "analysis.data",
    "load_incidents": "analysis.data",
    "load_locations": "analysis.data",
    "load_periods": "analysis.data",
    "load_tallies": "analysis.data",
    "load_sources": "analysis.data",
    "load_config": "analysis.config",
    "Study": "analysis.study",
    "load_study": "analysis.study",
    "save_csv": "analysis.data",
    "acled_locations": "analysis.acled",
    "from_acled": "analysis.acled",
    "neutralise_formulas": "analysis.safety",
    # counting
    "daily_counts": "analysis.counts",
    "count_panel": "analysis.panel",
    "select_incidents": "analysis.counts",
    "attacks_by_site": "analysis.counts",
    "Scope": "analysis.scope",
    "SCOPES": "analysis.scope",
    "get_scope": "analysis.scope",
    "scope_funnel": "analysis.scope",
    "StatisticalWarning": "analysis.errors",
    "ArgumentError": "analysis.errors",
    "coverage": "analysis.coverage",
    "Period": "analysis.periods",
    "covered_periods": "analysis.periods",
    "periods_table": "analysis.periods",
    # models
    "ChangepointResult": "analysis.models.changepoint",
    "changepoint_penalty_path": "analysis.models.changepoint",
    "detect_changepoints": "analysis.models.changepoint",
    "plot_penalty_path": "analysis.models.changepoint",
    "garwood_interval": "analysis.models.exact",
    "rate_ratio_exact": "analysis.models.exact",
    "HawkesResult": "analysis.models.hawkes",
    "fit_hawkes": "analysis.models.hawkes",
    "simulate_hawkes": "analysis.models.hawkes",
    "ITSResult": "analysis.models.its",
    "interrupted_time_series": "analysis.models.its",
    "AdjustedRatio": "analysis.models.mse",
    "UndercountResult": "analysis.models.mse",
    "capture_histories": "analysis.models.mse",
    "estimate_undercount": "analysis.models.mse",
    "undercount_adjusted_ratio": "analysis.models.mse",
    "undercount_in_tally_windows": "analysis.models.mse",
    "PeriodComparison": "analysis.models.rates",
    "compare_periods": "analysis.models.rates",
    "GroupComparison": "analysis.models.groups",
    "compare_groups": "analysis.models.groups",
    "rates_from_tallies": "analysis.models.tallies",
    "tally_increments": "analysis.models.tallies",
    "Headline": "analysis.headline",
    "compute_headline": "analysis.headline",
    "rate_interval": "analysis.models.intervals",
    "rate_ratio_interval": "analysis.models.intervals",
    "SelfExcitationResult": "analysis.models.selfexcite",
    "fit_self_excitation": "analysis.models.selfexcite",
    "TriggerResult": "analysis.models.triggers",
    "trigger_windows": "analysis.models.triggers",
    # outputs
    "plot_by_month": "analysis.plots",
    "plot_coverage": "analysis.plots",
    "plot_group_changes": "analysis.plots",
    "plot_its": "analysis.plots",
    "plot_period_rates": "analysis.plots",
    "plot_rate_ratios": "analysis.plots",
    "plot_sites": "analysis.plots",
    "plot_timeline": "analysis.plots",
    "plot_undercount": "analysis.plots",
    "plot_adjusted_ratio": "analysis.plots",
    "write_table": "analysis.tables",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Import the module that defines ``name`` on first access and cache the value here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """The package module, keeping ``analysis.coverage`` the function.

    Importing a submodule binds it on its package under its own name; where a
    public function shares its module's name (``analysis.coverage``), the
    function stays bound, as it was when this file imported everything eagerly.
    """

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


logging.getLogger(__name__).addHandler(logging.NullHandler())

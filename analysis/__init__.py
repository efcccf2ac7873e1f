"""analysis: attack rates on US and coalition forces, compared across periods.

Examples
--------
>>> from analysis import load_incidents, load_periods, compare_periods  # doctest: +SKIP
>>> compare_periods(load_incidents(), load_periods(), reference="calm").table  # doctest: +SKIP
"""

import logging

__version__ = "0.1.0"

from analysis.acled import acled_locations, from_acled  # noqa: E402
from analysis.counts import DEFAULT_CONFIRMATION, daily_counts, select_incidents  # noqa: E402
from analysis.coverage import coverage  # noqa: E402
from analysis.data import (  # noqa: E402
    DataQualityWarning,
    DataValidationError,
    count_by_day_streaming,
    load_context_events,
    load_incidents,
    load_locations,
    load_periods,
    load_sources,
    load_tallies,
    save_csv,
)
from analysis.models.changepoint import (  # noqa: E402
    ChangepointResult,
    changepoint_penalty_path,
    detect_changepoints,
    plot_penalty_path,
)
from analysis.models.exact import garwood_interval, rate_ratio_exact  # noqa: E402
from analysis.models.hawkes import HawkesResult, fit_hawkes, simulate_hawkes  # noqa: E402
from analysis.models.its import ITSResult, interrupted_time_series  # noqa: E402
from analysis.models.rates import (  # noqa: E402
    PeriodComparison,
    compare_periods,
    rates_from_tallies,
    tally_increments,
)
from analysis.models.selfexcite import SelfExcitationResult, fit_self_excitation  # noqa: E402
from analysis.models.triggers import TriggerResult, trigger_windows  # noqa: E402
from analysis.periods import Period  # noqa: E402
from analysis.plots import (  # noqa: E402
    plot_by_month,
    plot_coverage,
    plot_its,
    plot_period_rates,
    plot_rate_ratios,
    plot_sites,
    plot_timeline,
)
from analysis.safety import neutralise_formulas  # noqa: E402
from analysis.tables import write_table  # noqa: E402

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "ChangepointResult",
    "DEFAULT_CONFIRMATION",
    "DataQualityWarning",
    "DataValidationError",
    "HawkesResult",
    "ITSResult",
    "Period",
    "PeriodComparison",
    "SelfExcitationResult",
    "TriggerResult",
    "acled_locations",
    "changepoint_penalty_path",
    "compare_periods",
    "count_by_day_streaming",
    "coverage",
    "daily_counts",
    "detect_changepoints",
    "fit_hawkes",
    "fit_self_excitation",
    "from_acled",
    "garwood_interval",
    "interrupted_time_series",
    "load_context_events",
    "load_incidents",
    "load_locations",
    "load_periods",
    "load_sources",
    "load_tallies",
    "neutralise_formulas",
    "plot_by_month",
    "plot_coverage",
    "plot_its",
    "plot_penalty_path",
    "plot_period_rates",
    "plot_rate_ratios",
    "plot_sites",
    "plot_timeline",
    "rate_ratio_exact",
    "rates_from_tallies",
    "save_csv",
    "select_incidents",
    "simulate_hawkes",
    "tally_increments",
    "trigger_windows",
    "write_table",
]

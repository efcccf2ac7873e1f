"""Figures. Every function takes ``ax=None``, returns the Axes, applies the
packaged style only inside itself and never calls ``plt.show()``.

:mod:`analysis.plots.data` draws rows of the incident list (counted through
:func:`analysis.counts.daily_counts`); :mod:`analysis.plots.rates` draws rates
and rate ratios; :mod:`analysis.plots.results` draws the other fitted results; :mod:`analysis.plots.style` holds the shared look.

Examples
--------
>>> ax = plot_timeline(incidents, study.periods)
>>> ax.get_ylabel()
'attacks per week'
"""

from analysis.plots.data import plot_by_month, plot_coverage, plot_sites, plot_timeline
from analysis.plots.rates import plot_group_changes, plot_headline, plot_period_rates, plot_rate_ratios
from analysis.plots.results import (
    plot_adjusted_ratio,
    plot_changepoints,
    plot_hawkes,
    plot_its,
    plot_penalty_path,
    plot_self_excitation,
    plot_trigger_windows,
    plot_undercount,
)
from analysis.plots.style import HUMAN, SOURCE_LINE, add_source_line, human, save_figure, style, styled_axes

__all__ = [
    "HUMAN",
    "SOURCE_LINE",
    "add_source_line",
    "human",
    "plot_adjusted_ratio",
    "plot_by_month",
    "plot_changepoints",
    "plot_coverage",
    "plot_group_changes",
    "plot_hawkes",
    "plot_headline",
    "plot_its",
    "plot_penalty_path",
    "plot_period_rates",
    "plot_rate_ratios",
    "plot_self_excitation",
    "plot_sites",
    "plot_timeline",
    "plot_trigger_windows",
    "plot_undercount",
    "save_figure",
    "style",
    "styled_axes",
]

"""Figures of rates and rate ratios: per period, the headline in every view, and across groups.

Each takes results (``PeriodComparison``, ``Headline``, ``GroupComparison``) and ``ax=None``, and
returns the Axes; the confidence level in labels is the result's own ``alpha``.
"""

from __future__ import annotations

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from analysis.plots.style import _GROUP_COLUMNS, _level, human, style, styled_axes


def _row_names(table: pd.DataFrame) -> pd.Series:
    """One readable name per row: the period label, with the group when the table is split."""
    names = table["label"] if "label" in table else table["period"]
    group = [c for c in table.columns if c not in ("period", "label") and c in _GROUP_COLUMNS]
    if group:
        names = names.astype(str) + " · " + table[group[0]].astype(str).map(human)
    return names.astype(str)


def plot_period_rates(*comparisons, ax=None, column: str = "rate_per_30d", labels=None):
    """Rates (or rate ratios) per period with intervals; several results side by side.

    A log axis with plain tick labels; a zero estimate is drawn as an open
    marker at the left edge with its upper bound. Ratio charts name the
    reference period.

    Examples
    --------
    >>> from analysis import compare_periods, load_tallies, rates_from_tallies
    >>> from_incidents = compare_periods(incidents, study=study)
    >>> from_tallies = rates_from_tallies(load_tallies(), incidents=incidents, study=study)
    >>> ax = plot_period_rates(from_incidents, from_tallies, labels=["incidents", "tallies"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['incidents', 'tallies']
    """
    ratio = column != "rate_per_30d"
    lo_col, hi_col = ("rr_ci_low", "rr_ci_high") if ratio else ("rate_ci_low", "rate_ci_high")
    labels = labels or [getattr(c, "source", f"result {i}") for i, c in enumerate(comparisons)]
    with style():
        ax = styled_axes(ax, figsize=(8, 0.9 + 0.32 * max(len(c.wide) for c in comparisons)))
        names = list(dict.fromkeys(n for c in comparisons for n in _row_names(c.wide)))
        y = np.arange(len(names))
        offsets = np.linspace(-0.15, 0.15, len(comparisons)) if len(comparisons) > 1 else [0.0]
        positive = [v for c in comparisons for v in c.wide[[column, lo_col]].to_numpy(float).ravel() if v > 0]
        floor = min(positive) / 2 if positive else 0.01
        for comp, off, lab in zip(comparisons, offsets, labels):
            t = comp.wide.assign(_name=_row_names(comp.wide).to_numpy()).set_index("_name").reindex(names)
            est, lo, hi = (t[c].to_numpy(float) for c in (column, lo_col, hi_col))
            ok = ~np.isnan(est)
            zero = ok & (est <= 0)
            pos = ok & ~zero
            line = ax.errorbar(
                est[pos],
                y[pos] + off,
                xerr=[est[pos] - np.maximum(lo[pos], floor), hi[pos] - est[pos]],
                fmt="o",
                ms=4,
                capsize=2,
                lw=1,
                label=lab,
            )
            if zero.any():
                color = line[0].get_color()
                ax.hlines(y[zero] + off, floor, hi[zero], color=color, lw=1)
                ax.plot(np.full(zero.sum(), floor), y[zero] + off, "o", mfc="white", color=color, ms=4)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ref = comparisons[0]
        level = _level(ref)
        ref_label = next(
            (p.label for p in getattr(ref, "periods", ()) if p.name == ref.reference), ref.reference
        )
        if ratio:
            ax.axvline(1.0, color="#555555", lw=0.8, ls="--")
            ax.set_xlabel(
                f"rate ratio against the {ref_label} ({level} CI, log scale; open circle = no attacks)"
            )
            ax.set_title(f"How many times the {ref_label} rate")
        else:
            ax.set_xlabel(f"attacks per 30 days ({level} CI, log scale; open circle = no attacks)")
            ax.set_title("Attack rate by period")
        ax.grid(axis="x", color="#dddddd")
        if len(comparisons) > 1:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=len(comparisons))
    return ax


def plot_rate_ratios(*comparisons, ax=None, labels=None):
    """Forest plot of rate ratios against the reference period."""
    return plot_period_rates(*comparisons, ax=ax, column="rate_ratio", labels=labels)


def plot_headline(headline, ax=None):
    """The headline ratio in every view: incident list, tallies (two allocations), all attacks, sensitivities.

    Examples
    --------
    >>> from analysis import compute_headline, load_tallies
    >>> ax = plot_headline(compute_headline(incidents, load_tallies(), study))
    >>> ax.get_title(loc="left")
    'How many times the post-withdrawal calm rate: every view of the headline'
    """
    study = headline.study
    names = {
        "incidents": "incident list, bases (pre-specified)",
        "tallies_constant": "official tallies, even spread",
        "tallies_shape": "official tallies, spread as the list",
        "all_attacks": "incident list, all attacks",
        "with_claims": "bases, claims counted",
        "early_reference": f"against the early {study.reference_words}",
        "late_reference": f"against the late {study.reference_words}",
        "day_dated_only": "rows dated to the day only",
        "old_interval_hac": "old interval method (hac)",
    }
    t = headline.table
    with style():
        ax = styled_axes(ax, figsize=(8, 0.8 + 0.4 * len(t)))
        y = np.arange(len(t))
        ax.errorbar(
            t["estimate"],
            y,
            xerr=[t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]],
            fmt="o",
            ms=5,
            capsize=3,
            lw=1.2,
            color="#1b4f72",
        )
        ax.set_yticks(y, [names.get(v, v) for v in t["view"]])
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ax.axvline(1, color="#555555", lw=0.8, ls="--")
        ax.set_xlabel(
            f"rate ratio, {study.period_words} against {study.reference_words} ({study.confidence} CI, log scale)"
        )
        ax.set_title(f"How many times the {study.reference_words} rate: every view of the headline")
        ax.grid(axis="x", color="#dddddd")
    return ax


def plot_group_changes(result, ax=None, period: str | None = None, top: int = 20):
    """The groups whose rate changed most against the reference, with their intervals (log scale).

    Groups are ranked by how far the ratio is from 1 on the log scale (finite ratios first); filled
    markers are those below ``alpha`` after Benjamini-Hochberg across groups.

    Examples
    --------
    >>> from analysis import compare_groups, count_panel
    >>> from analysis.data import data_dir
    >>> res = compare_groups(count_panel(data_dir() / "incidents.csv", by=["country"]), study=study)
    >>> plot_group_changes(res, period="surge").get_xlabel()
    'rate ratio, surge against calm (95% CI, log scale)'
    """
    t = result.table
    period = period or t["period"].iloc[0]
    rows = t[(t["period"] == period) & np.isfinite(t["estimate"]) & (t["estimate"] > 0)].copy()
    rows = rows.assign(_distance=np.abs(np.log(rows["estimate"]))).nlargest(top, "_distance")
    names = rows[list(result.by)].astype(str).agg(" · ".join, axis=1) if result.by else rows["period"]
    with style():
        ax = styled_axes(ax, figsize=(8, 0.9 + 0.3 * max(len(rows), 1)))
        y = np.arange(len(rows))
        low = np.maximum(rows["ci_low"].to_numpy(float), rows["estimate"].min() / 10)
        high = np.minimum(rows["ci_high"].to_numpy(float), rows["estimate"].max() * 10)
        est = rows["estimate"].to_numpy(float)
        ax.hlines(y, low, high, color="#1b4f72", lw=1)
        found = (rows["p_bh"] < result.alpha).to_numpy()
        ax.plot(est[found], y[found], "o", color="#1b4f72", ms=4, label=f"below {result.alpha:g} after BH")
        ax.plot(est[~found], y[~found], "o", mfc="white", color="#1b4f72", ms=4, label="not below")
        ax.set_yticks(y, [str(n) for n in names])
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.axvline(1.0, color="#555555", lw=0.8, ls="--")
        ax.set_xlabel(f"rate ratio, {period} against {result.reference} ({_level(result)} CI, log scale)")
        ax.set_title(f"The {len(rows)} groups whose rate changed most")
        ax.legend(loc="lower right")
    return ax

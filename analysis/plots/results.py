"""Figures that draw fitted results: rates and ratios, the headline, ITS, changepoints, self-excitation,
trigger windows, Hawkes, the undercount.

Each takes a result (or several) and ``ax=None``, and returns the Axes; the
confidence level in labels is the result's own ``alpha``.
"""

from __future__ import annotations

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from analysis.counts import per_bin
from analysis.plots.style import _level, human, style, styled_axes


def plot_its(result, ax=None):
    """Interrupted time series in whole bins: observed, fitted, and the no-change projection with its band.

    The projection and its band are drawn only after the first interruption,
    where they answer "what if nothing had changed", and the band is clipped a
    little above the data so it cannot squash the counts. The y axis is a
    log-like scale from zero (symlog) with plain tick labels (0, 1, 10, 100).

    Examples
    --------
    >>> from analysis import daily_counts, interrupted_time_series
    >>> daily = daily_counts(incidents)["events"]
    >>> ax = plot_its(interrupted_time_series(daily, at="2023-10-17"))
    >>> ax.get_ylabel()
    'attacks per month'
    """
    with style():
        ax = styled_axes(ax)
        cf = result.counterfactual
        after = cf.index >= min(result.interruptions)
        ax.plot(cf.index, cf["observed"], "o", ms=3, color="#7d8c8d", label="observed")
        ax.plot(cf.index, cf["fitted"], color="#1b4f72", label="fitted")
        ax.plot(
            cf.index[after],
            cf["counterfactual"][after],
            color="#c0392b",
            ls="--",
            label="projected without the interruptions",
        )
        top = float(np.nanmax(np.r_[cf["observed"].to_numpy(float), cf["fitted"].to_numpy(float), 1.0]))
        ax.fill_between(
            cf.index[after],
            cf["cf_ci_low"][after],
            np.minimum(cf["cf_ci_high"][after], top * 1.3),
            color="#c0392b",
            alpha=0.10,
            lw=0,
            label=f"{100 * (1 - result.alpha):.0f}% interval of the projection",
        )
        for t in result.interruptions:
            ax.axvline(t, color="#555555", lw=0.8)
        ax.set_yscale("symlog", linthresh=1)
        ax.set_ylim(0, top * 1.6)
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_ylabel(per_bin(getattr(result, "freq", "MS")))
        ax.set_title("Interrupted time series: level change at each interruption")
        ax.legend(loc="upper left")
    return ax


_TRIGGER_COLOURS = {
    "pooled trigger": "#1b4f72",
    "opens period": "#d68910",
    "pooled": "#c0392b",
    "no window in span": "#7d8c8d",
}


_TRIGGER_MARKERS = {"pooled trigger": "o", "opens period": "s", "pooled": "D", "no window in span": "x"}


def _trigger_row(ax, row, y: float, lo_edge: float, hi_edge: float) -> None:
    """One trigger's ratio and interval; zero, infinite or open values drawn at the edge and written out."""
    c = _TRIGGER_COLOURS.get(row["role"], "#555555")
    if row["role"] == "no window in span":
        ax.text(lo_edge, y, "  no window day in the data", va="center", fontsize=6.5, color=c)
        return
    lo = row["ci_low"] if row["ci_low"] > 0 else lo_edge
    hi = row["ci_high"] if np.isfinite(row["ci_high"]) else hi_edge
    ax.hlines(y, lo, hi, colors=c, lw=1.2 if row["role"] == "pooled" else 0.9)
    e = row["estimate"]
    shown = lo_edge if e == 0 else (hi_edge if not np.isfinite(e) else e)
    ax.scatter([shown], [y], marker=_TRIGGER_MARKERS.get(row["role"], "o"), color=c, s=24, zorder=3)
    if e == 0 or not np.isfinite(e):
        ax.annotate(
            "0 events" if e == 0 else "∞ (none before)",
            (shown, y),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=6,
            color=c,
        )


def _trigger_label(r) -> str:
    """A trigger's tick label: date, name cut to 42 characters, and the period it opens."""
    text = str(r.trigger)
    text = text if len(text) <= 42 else text[:41] + "…"
    when = f"{r.date:%Y-%m-%d} " if pd.notna(r.date) and not text.startswith(f"{r.date:%Y-%m-%d}") else ""
    return when + text + (f"\n(opens {r.period})" if r.role == "opens period" else "")


def plot_trigger_windows(result, ax=None):
    """Forest plot of every trigger and the pooled ratio (log scale).

    Pooled triggers: observed over expected events in the window (expected from
    the period's background). Triggers that open a period: against the period
    before, drawn as squares. A ratio of 0 or infinity, or an open interval
    end, is drawn at the axis edge with its value written out, so no trigger is
    dropped from the figure; a trigger without a window in the data is listed
    with that note.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    rows = result.table.reset_index(drop=True)
    with style():
        ax = styled_axes(ax, figsize=(7, 0.3 * len(rows) + 1.4))
        y = np.arange(len(rows))[::-1]
        est = rows["estimate"].to_numpy(float)
        finite = np.r_[est, rows["ci_low"], rows["ci_high"]]
        finite = finite[np.isfinite(finite) & (finite > 0)]
        lo_edge = min(0.05, finite.min() / 1.5) if len(finite) else 0.05
        hi_edge = max(20.0, finite.max() * 1.5) if len(finite) else 20.0
        for i, row in rows.iterrows():
            _trigger_row(ax, row, y[i], lo_edge, hi_edge)
        ax.axvline(1.0, color="#555555", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_xlim(lo_edge / 1.3, hi_edge * 1.3)
        ax.xaxis.set_major_locator(
            LogLocator(base=10, subs=(1.0,) if hi_edge / lo_edge > 1e3 else (1.0, 2.0, 5.0))
        )
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())

        labels = [_trigger_label(r) for r in rows.itertuples()]
        ax.set_yticks(y, labels, fontsize=6.5)
        ax.set_xlabel(
            f"rate ratio, days 1-{result.window_days} after vs the period's background\n"
            "(square: opens a period, vs the period before; diamond: pooled)"
        )
        n = len(rows) - 1  # the last row is the pooled one
        ax.set_title(f"Attacks after trigger dates ({n} trigger{'s' if n != 1 else ''}, all shown)")
    return ax


def plot_self_excitation(result, ax=None):
    """Weekly attacks with the fitted background and background plus excitation, summed to weeks.

    Examples
    --------
    >>> from analysis import fit_self_excitation
    >>> ax = plot_self_excitation(fit_self_excitation(incidents, n_boot=0, study=study))
    >>> ax.get_ylabel()
    'attacks per week'
    """
    with style():
        ax = styled_axes(ax, figsize=(10, 4.5))
        weekly = (
            result.daily[["observed", "background", "fitted"]]
            .resample("W-MON", label="left", closed="left")
            .sum()
        )
        ax.bar(
            weekly.index, weekly["observed"], width=6, align="edge", color="#aab7b8", lw=0, label="attacks"
        )
        ax.step(
            weekly.index,
            weekly["background"],
            where="post",
            color="#1b4f72",
            lw=1.1,
            label="background (per period, with drift)",
        )
        ax.step(
            weekly.index,
            weekly["fitted"],
            where="post",
            color="#c0392b",
            lw=0.9,
            label="background + follow-on attacks",
        )
        row = result.table.set_index("parameter").loc["branching_ratio"]
        lag = result.table.set_index("parameter").loc["mean_lag_days", "estimate"]
        ax.set_title(
            f"Attacks on later days: branching ratio {row['estimate']:.2f} "
            f"({_level(result)} CI {row['ci_low']:.2f}-{row['ci_high']:.2f}), mean lag {lag:.1f} days, "
            f"no-excitation p={result.p_value:.2g}"
        )
        ax.set_ylim(bottom=0)
        ax.set_ylabel("attacks per week")
        ax.legend(loc="upper left")
    return ax


def plot_changepoints(result, ax=None):
    """Counts per bin, the fitted segment rates and the 95% date intervals of a changepoint fit.

    Examples
    --------
    >>> from analysis import daily_counts, detect_changepoints
    >>> ax = plot_changepoints(detect_changepoints(daily_counts(incidents)["events"], n_boot=0))
    >>> ax.get_title(loc="left")
    'Changepoints found in the daily counts (4 changes)'
    """
    with style():
        ax = styled_axes(ax, figsize=(9, 3.5))
        edges = result.bin_start.append(pd.DatetimeIndex([result.bin_end[-1] + pd.Timedelta(days=1)]))
        fitted = result.fitted().to_numpy()
        ax.plot(
            edges,
            np.r_[result.counts, result.counts[-1]],
            drawstyle="steps-post",
            color="#aab7b8",
            lw=0.7,
            label=per_bin(result.freq),
        )
        ax.plot(
            edges,
            np.r_[fitted, fitted[-1]],
            drawstyle="steps-post",
            color="#c0392b",
            lw=1.8,
            label="segment rate",
        )
        for i, row in enumerate(result.changepoints.itertuples(index=False)):
            last_bin = result.bin_start.get_loc(row.date_high)
            ax.axvspan(
                row.date_low,
                result.bin_end[last_bin] + pd.Timedelta(days=1),
                color="#1b4f72",
                alpha=0.2,
                lw=0,
                label=f"{_level(result)} date interval" if i == 0 else None,
            )
            ax.axvline(row.date, color="#1b4f72", ls="--", lw=1)
        ax.set_ylabel(per_bin(result.freq))
        ax.set_ylim(bottom=0)
        n = len(result.changepoints)
        ax.set_title(f"Changepoints found in the daily counts ({n} change{'s' if n != 1 else ''})")
        ax.legend(loc="upper left")
    return ax


def plot_hawkes(result, ax=None):
    """Events per day, the fitted Hawkes intensity and the background rate.

    Examples
    --------
    >>> from analysis import fit_hawkes
    >>> ax = plot_hawkes(fit_hawkes(incidents))
    >>> ax.get_ylabel()
    'events per day'
    """
    with style():
        ax = styled_axes(ax, figsize=(9, 3.5))
        horizon = result.window[1]
        counts = np.bincount(np.floor(result.times).astype(int), minlength=int(np.ceil(horizon)))
        grid = np.linspace(0.0, horizon, min(20000, max(2000, 20 * len(result.times))), endpoint=False)
        ax.bar(
            result._to_time(np.arange(len(counts), dtype=float)),
            counts,
            width=1.0,
            align="edge",
            color="#d5dbdb",
            label="events per day",
        )
        ax.plot(
            result._to_time(grid), result.intensity(grid), color="#c0392b", lw=0.8, label="fitted intensity"
        )
        starts = result.pieces["start_day"].to_numpy(dtype=float)
        ends = result.pieces["end_day"].to_numpy(dtype=float)
        for i, (a, b) in enumerate(zip(starts, ends)):
            ax.plot(
                result._to_time(np.array([a, b])),
                [result.mu[i]] * 2,
                color="#1b4f72",
                lw=2,
                label="background" if i == 0 else None,
            )
        ax.set_ylabel("events per day")
        ax.set_title("Hawkes process: fitted intensity and background")
        ax.legend(loc="upper left")
    return ax


def plot_penalty_path(path: pd.DataFrame, ax=None):
    """Cost against number of changepoints, labelled with the penalty range where each is optimal.

    Examples
    --------
    >>> from analysis import changepoint_penalty_path
    >>> counts = pd.Series([0, 1] * 30 + [4, 6] * 30, index=pd.date_range("2024-01-01", periods=120))
    >>> ax = plot_penalty_path(changepoint_penalty_path(counts, pen_min=1, pen_max=50))
    >>> ax.get_xlabel()
    'number of changepoints'
    """
    with style():
        ax = styled_axes(ax, figsize=(5, 3.5))
        ax.plot(path["n_changepoints"], path["cost"], marker="o", color="#1b4f72")
        # Label only the sparsest segmentations: the dense end of the path is unreadable and rarely chosen.
        for row in path.tail(8).itertuples(index=False):
            ax.annotate(
                f"{row.penalty_low:.3g}-{row.penalty_high:.3g}",
                (row.n_changepoints, row.cost),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize="x-small",
            )
        ax.set_xlabel("number of changepoints")
        ax.set_ylabel("-2 log-likelihood (+ constant)")
        ax.set_title("Penalty path (labels: penalty range where optimal)")
    return ax


def plot_undercount(result, ax=None, tallies: pd.DataFrame | None = None):
    """Multiple systems estimates: attacks seen by one list, by two or more, and the estimated unseen.

    One horizontal bar per stratum split into attacks documented by exactly one list and by
    two or more (the overlaps the estimate rests on), the estimated total with its interval,
    and, when ``tallies`` is given (columns stratum, count, label), the official counts.

    Examples
    --------
    >>> from analysis.models.mse import estimate_undercount
    >>> hist = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
    ...                      "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
    >>> ax = plot_undercount(estimate_undercount(hist, n_boot=0))
    >>> ax.get_xlabel()
    'attacks'
    """
    table = result.table
    cells = result.overlaps
    lists = [c for c in result.lists if c in cells]
    on = cells[lists].sum(axis=1)
    single = cells[on == 1].groupby("stratum")["count"].sum()
    multi = cells[on >= 2].groupby("stratum")["count"].sum()
    names = list(table["stratum"])
    y = np.arange(len(names))
    level = f"{1 - result.alpha:.0%}"
    with style():
        ax = styled_axes(ax, figsize=(8, 1.0 + 0.45 * len(names)))
        one = single.reindex(names, fill_value=0).to_numpy()
        two = multi.reindex(names, fill_value=0).to_numpy()
        ax.barh(y, two, color="#1b4f72", label="documented by two or more lists")
        ax.barh(y, one, left=two, color="#85c1e9", label="documented by one list")
        est = table["estimate"].to_numpy(float)
        ok = np.isfinite(est)
        ax.errorbar(
            est[ok],
            y[ok],
            xerr=[
                est[ok] - table["ci_low"].to_numpy(float)[ok],
                table["ci_high"].to_numpy(float)[ok] - est[ok],
            ],
            fmt="D",
            color="#c0392b",
            ms=5,
            capsize=3,
            lw=1.2,
            label=f"estimated total ({level} interval)",
        )
        if tallies is not None and len(tallies):
            pos = {n: i for i, n in enumerate(names)}
            t = tallies[tallies["stratum"].isin(pos)]
            ax.scatter(
                t["count"],
                [pos[s] for s in t["stratum"]],
                marker="|",
                s=300,
                color="#111111",
                label="official tally",
            )
        ax.set_yticks(y, [human(n) for n in names])
        ax.invert_yaxis()
        ax.set_xlabel("attacks")
        ax.set_title("How many attacks did every source miss?")
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        ax.grid(axis="x", color="#dddddd")
    return ax


def plot_adjusted_ratio(result, ax=None):
    """The rate ratio observed, over every confirmation level, and adjusted for the undercount.

    Examples
    --------
    >>> from analysis import undercount_adjusted_ratio
    >>> lists = {"official": ["us_official", "coalition_official"], "media": ["independent_media"],
    ...          "claim": ["claim", "state_media", "monitor"]}  # not the default five: 1 s, not 15
    >>> res = undercount_adjusted_ratio(incidents, lists=lists, n_boot=20, study=study)
    >>> ax = plot_adjusted_ratio(res)
    >>> ax.get_title(loc="left")
    'The ratio before and after the undercount adjustment'
    """
    t = result.table
    level = f"{1 - result.alpha:.0%}"
    with style():
        ax = styled_axes(ax, figsize=(8, 0.9 + 0.45 * len(t)))
        y = np.arange(len(t))
        ok = np.isfinite(t["estimate"].to_numpy(float))
        ax.errorbar(
            t["estimate"][ok],
            y[ok],
            xerr=[(t["estimate"] - t["ci_low"])[ok], (t["ci_high"] - t["estimate"])[ok]],
            fmt="o",
            ms=5,
            capsize=3,
            lw=1.2,
            color="#1b4f72",
        )
        ax.set_yticks(y, list(t["view"]))
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_xlabel(f"rate ratio, {result.period} against {result.reference} ({level} CI, log scale)")
        ax.set_title("The ratio before and after the undercount adjustment")
        ax.grid(axis="x", color="#dddddd")
    return ax

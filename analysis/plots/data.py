"""Figures that count rows of the incident list: timeline, months by category, coverage, sites.

Every count comes from :func:`analysis.counts.daily_counts` (or
:func:`~analysis.counts.attacks_by_site`) in the one counting scope.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from analysis.counts import attacks_by_site, daily_counts, per_bin
from analysis.errors import ArgumentError
from analysis.plots.style import _shade_periods, human, style, styled_axes

_CATEGORY_WORDS = {
    "us_strike": "US strike",
    "escalation": "escalation",
    "policy": "policy change",
    "regional": "regional event",
    "anniversary": "anniversary",
}


def plot_timeline(
    incidents,
    periods=None,
    context_events=None,
    ax=None,
    freq: str = "W",
    scope=None,
    categories=("us_strike", "escalation"),
):
    """Weekly (or ``freq``) attack counts with periods shaded and context events marked.

    Examples
    --------
    >>> from analysis import load_context_events
    >>> ax = plot_timeline(incidents, study.periods, load_context_events())
    >>> ax.get_title(loc="left")
    'Attacks on US and coalition forces'
    """
    with style():
        ax = styled_axes(ax, figsize=(10, 4.5))
        counts = daily_counts(incidents, freq=freq, scope=scope)["events"]
        _shade_periods(ax, periods)
        width = {"D": 1, "W": 6, "MS": 27}.get(freq, 6)
        ax.bar(counts.index, counts.to_numpy(), width=width, align="edge", color="#1b4f72", lw=0)
        if context_events is not None and len(context_events):
            ev = context_events[context_events["category"].isin(categories)] if categories else context_events
            colors = {
                "us_strike": "#c0392b",
                "escalation": "#d68910",
                "policy": "#7d3c98",
                "regional": "#17a589",
            }
            for category, grp in ev.groupby("category", sort=True):
                for i, d in enumerate(grp["event_date"]):
                    ax.axvline(
                        d,
                        color=colors.get(category, "#555555"),
                        lw=0.6,
                        alpha=0.6,
                        zorder=1,
                        label=_CATEGORY_WORDS.get(category, category) if i == 0 else None,
                    )
            ax.legend(loc="upper left", title="marked")
        ax.set_ylabel(per_bin(freq))
        ax.set_title("Attacks on US and coalition forces")
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.set_xlim(counts.index.min(), counts.index.max() + pd.Timedelta(days=7))
    return ax


def _mark_part_month(ax, incidents, months: pd.DatetimeIndex, heights: np.ndarray) -> None:
    """Hatch the last month when the data end before it does, and say how many days it holds."""
    covered = incidents.attrs.get("coverage") if hasattr(incidents, "attrs") else None
    if covered is None or not len(months):
        return
    end = pd.Timestamp(covered[1])
    last = months[-1]
    if end < last + pd.offsets.MonthEnd(0):
        ax.bar(
            [last],
            [max(heights[-1], 0.5)],
            width=26,
            align="edge",
            fill=False,
            hatch="///",
            edgecolor="#555555",
            lw=0.5,
        )
        ax.annotate(
            f"{last:%b %Y}: {end.day} of {last.days_in_month} days",
            (last, max(heights[-1], 0.5)),
            textcoords="offset points",
            xytext=(-4, 4),
            ha="right",
            fontsize=7,
            color="#555555",
        )


def plot_by_month(incidents, by: str = "country", ax=None, scope=None):
    """Monthly counts stacked by a category (``country``, ``weapon``, ``target_type``)."""
    with style():
        ax = styled_axes(ax, figsize=(10, 4.5))
        counts = daily_counts(incidents, by=by, freq="MS", scope=scope)
        counts.columns = [human(c) for c in counts.columns]
        bottom = np.zeros(len(counts))
        for col in counts.columns:
            ax.bar(
                counts.index, counts[col].to_numpy(), width=26, bottom=bottom, align="edge", label=col, lw=0
            )
            bottom += counts[col].to_numpy()
        _mark_part_month(ax, incidents, counts.index, bottom)
        ax.set_ylabel("attacks per month")
        ax.set_title(f"Monthly attacks by {by.replace('_', ' ')}")
        ax.legend(ncols=min(4, len(counts.columns)), loc="upper left")
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    return ax


def plot_coverage(incidents, tallies, period=None, ax=None, scope=None, start=None, end=None):
    """Cumulative incidents in our list against the official cumulative tallies over one period.

    Parameters
    ----------
    incidents, tallies : DataFrame
        From :func:`analysis.load_incidents` and :func:`analysis.load_tallies`.
    period : Period, optional
        The window shown (e.g. ``study.period("surge")``); or give ``start`` and ``end``.
    scope : Scope or str, optional
        Our rows counted; default the default scope.

    Examples
    --------
    >>> from analysis import load_tallies
    >>> ax = plot_coverage(incidents, load_tallies(), study.period("surge"))
    >>> ax.get_ylabel()
    'cumulative attacks since 17 Oct 2023'
    """
    if period is not None:
        start, end = period.start, period.end
    if start is None or end is None:
        raise ArgumentError("period", period, "a Period, or start= and end= dates")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    with style():
        ax = styled_axes(ax)
        counts = daily_counts(incidents, start=start, end=end, scope=scope)["events"].cumsum()
        ax.step(counts.index, counts.to_numpy(), where="post", label="our incident list", color="#1b4f72")
        t = tallies[
            (tallies["as_of"] >= pd.Timestamp(start))
            & (tallies["as_of"] <= pd.Timestamp(end) + pd.Timedelta(days=10))
        ]
        # Only counts of the same series: windows starting within 10 days of ``start``.
        near = (t["window_start"] - pd.Timestamp(start)).abs() <= pd.Timedelta(days=10)
        t = t[near & (t["scope"] == "all")]
        off = t[t["official"]]
        other = t[~t["official"]]
        ax.scatter(off["as_of"], off["count"], color="#c0392b", s=14, zorder=3, label="official tally")
        if len(other):
            ax.scatter(
                other["as_of"],
                other["count"],
                color="#7d8c8d",
                s=10,
                marker="x",
                zorder=3,
                label="other public count",
            )
        ax.set_ylabel(f"cumulative attacks since {start:%-d %b %Y}")
        ax.set_title("Coverage: our list against the official counts")
        ax.legend(loc="upper left")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    return ax


def plot_sites(incidents: pd.DataFrame, locations: pd.DataFrame, ax=None, scope=None):
    """Sites on a plain longitude/latitude frame, points sized by attacks.

    No basemap or tiles are downloaded; sites without coordinates are listed
    in the legend title as a count.
    """
    with style():
        ax = styled_axes(ax, figsize=(7, 5.5))
        n = attacks_by_site(incidents, scope).groupby("location")["attacks"].sum()
        sites = locations.set_index("location").join(n, how="inner")
        placed = sites.dropna(subset=["latitude", "longitude"])
        colors = {"Iraq": "#1b4f72", "Syria": "#c0392b", "Jordan": "#d68910"}
        for country, grp in placed.groupby("country"):
            ax.scatter(
                grp["longitude"],
                grp["latitude"],
                s=8 + 6 * grp["attacks"],
                alpha=0.6,
                color=colors.get(country, "#7d8c8d"),
                label=country,
                edgecolor="white",
                lw=0.5,
            )
        # Sites that share a reference point get one label naming them all.
        top = placed.sort_values("attacks", ascending=False).head(12)
        labelled: list[tuple[float, float]] = []
        for (lon, lat), grp in top.groupby(["longitude", "latitude"], sort=False):
            crowded = any(abs(lon - x) < 0.6 and abs(lat - y) < 0.3 for x, y in labelled)
            ax.annotate(
                " / ".join(grp.index),
                (lon, lat),
                fontsize=6,
                textcoords="offset points",
                xytext=(3, -9) if crowded else (3, 3),
            )
            labelled.append((lon, lat))
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        ax.set_aspect("equal")
        ax.grid(True, color="#eeeeee")
        missing = len(sites) - len(placed)
        ax.legend(
            title=f"{missing} sites without\ncoordinates not shown" if missing else None,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            title_fontsize=7,
        )
        ax.set_title("Attacks by site (point area ~ attacks)")
    return ax

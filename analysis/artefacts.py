"""Every figure and table the report writes, declared once.

Each :class:`Figure` and :class:`Table` names its file stem, caption, the
report section it appears in, the data sources its credit line names, its
size and the function that builds it. The report writes exactly these, the
sections show them in this order, and :func:`check_artefacts` verifies the
list (unique stems, known sections and sources) before anything is fitted.
Adding a figure is one entry here.

Captions may hold ``{confidence}`` (the study's level, e.g. ``95%``).

Examples
--------
>>> check_artefacts()
>>> [a.stem for a in ARTEFACTS if a.section == "how-much"]
['rates_by_period', 'rate_ratios', 'rates_incidents', 'rates_tallies']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["ARTEFACTS", "SECTIONS", "SOURCES", "Figure", "Table", "check_artefacts", "figures", "tables"]

#: The report's sections, in page order (id -> title); ``downloads`` are tables written but not shown.
SECTIONS: dict[str, str] = {
    "how-much": "How much did the rate change?",
    "how-sure": "How sure are we?",
    "complete": "How complete is the list?",
    "missed": "How many did every source miss?",
    "when": "What happened when?",
    "beget": "Do attacks beget attacks?",
    "strikes": "Attacks after US strikes",
    "where": "Where?",
    "downloads": "Tables written for download only",
}

#: Each data source a credit line can name.
SOURCES: dict[str, str] = {
    "incidents": "incident list (data/incidents.csv)",
    "tallies": "official US tallies (data/tallies.csv)",
    "context": "dated US strikes and escalations (data/context_events.csv)",
    "locations": "site gazetteer (data/locations.csv)",
    "sources": "source pages and their systems (data/sources.csv)",
}


@dataclass(frozen=True)
class Figure:
    """One figure: drawn by ``draw(inputs, results, ax)``, saved as .svg and .png."""

    stem: str
    caption: str
    section: str
    draw: Callable[[Any, dict, Any], Any]
    sources: tuple[str, ...] = ("incidents",)
    size: tuple[float, float] = (8, 4.5)


@dataclass(frozen=True)
class Table:
    """One table: built by ``build(inputs, results)``, saved as .csv, .md and .tex.

    ``caption`` describes the file; ``title`` heads it in the report's section.
    """

    stem: str
    caption: str
    section: str
    build: Callable[[Any, dict], pd.DataFrame]
    title: str = ""


def _plots():
    from analysis import plots

    return plots


def _tally_totals(r: dict) -> pd.DataFrame:
    """The official tallies' count in each stratum of the undercount estimate (spread evenly)."""
    t = r["tallies"].wide
    t = t[t["period"].isin(r["undercount"].table["stratum"]) & t["events"].notna()]
    return pd.DataFrame({"stratum": t["period"], "count": t["events"], "label": "official tallies"})


def _scope(inp) -> str:
    return inp.study.scope


_FIGURES = (
    Figure(
        "headline",
        "The headline rate ratio in every view, with {confidence} intervals",
        "how-sure",
        lambda inp, r, ax: r["headline"].plot(ax=ax),
        ("incidents", "tallies"),
    ),
    Figure(
        "rates_by_period",
        "Attacks per 30 days by period, incident list and official tallies",
        "how-much",
        lambda inp, r, ax: _plots().plot_period_rates(
            r["rates"], r["tallies"], ax=ax, labels=["incident list", "official tallies"]
        ),
        ("incidents", "tallies"),
    ),
    Figure(
        "rate_ratios",
        "Rate ratios against the reference period",
        "how-much",
        lambda inp, r, ax: _plots().plot_rate_ratios(
            r["rates"], r["tallies"], ax=ax, labels=["incident list", "official tallies"]
        ),
        ("incidents", "tallies"),
    ),
    Figure(
        "coverage_surge",
        "Our list against the official cumulative counts in the {period}",
        "complete",
        lambda inp, r, ax: _plots().plot_coverage(
            inp.incidents,
            inp.tallies,
            period=inp.study.period(inp.study.headline_period),
            ax=ax,
            scope=_scope(inp),
        ),
        ("incidents", "tallies"),
    ),
    Figure(
        "timeline_weekly",
        "Attacks per week, named periods shaded, US strikes and escalations marked",
        "when",
        lambda inp, r, ax: _plots().plot_timeline(
            inp.incidents, inp.periods, inp.context, ax=ax, scope=_scope(inp)
        ),
        ("incidents", "context"),
        (10, 4.5),
    ),
    Figure(
        "monthly_by_country",
        "Attacks per month by country",
        "when",
        lambda inp, r, ax: _plots().plot_by_month(inp.incidents, "country", ax=ax, scope=_scope(inp)),
        size=(10, 4),
    ),
    Figure(
        "monthly_by_weapon",
        "Attacks per month by weapon",
        "when",
        lambda inp, r, ax: _plots().plot_by_month(inp.incidents, "weapon", ax=ax, scope=_scope(inp)),
        size=(10, 4),
    ),
    Figure(
        "its_monthly",
        "Monthly attacks with the fitted segmented model and the no-change projection",
        "when",
        lambda inp, r, ax: r["its"].plot(ax=ax),
    ),
    Figure(
        "changepoints",
        "Daily attacks with the segments the changepoint search found",
        "when",
        lambda inp, r, ax: r["changepoints"].plot(ax=ax),
        size=(10, 4.5),
    ),
    Figure(
        "self_excitation",
        "Daily attacks with the fitted background and follow-on attacks",
        "beget",
        lambda inp, r, ax: r["self_excitation"].plot(ax=ax),
        size=(10, 4.5),
    ),
    Figure(
        "triggers",
        "Attacks in the week after each US strike against the period's background",
        "strikes",
        lambda inp, r, ax: r["triggers"].plot(ax=ax),
        ("incidents", "context"),
        (8, 6),
    ),
    Figure(
        "sites_map",
        "Attacks by site",
        "where",
        lambda inp, r, ax: _plots().plot_sites(inp.incidents, inp.locations, ax=ax, scope=_scope(inp)),
        ("incidents", "locations"),
        (7, 5.5),
    ),
    Figure(
        "undercount",
        "Attacks documented by one list and by several, and the estimated total per period",
        "missed",
        lambda inp, r, ax: r["undercount"].plot(ax=ax, tallies=_tally_totals(r)),
        ("incidents", "sources"),
        (8, 5.5),
    ),
    Figure(
        "undercount_ratio",
        "The headline ratio before and after the undercount adjustment",
        "missed",
        lambda inp, r, ax: r["undercount_ratio"].plot(ax=ax),
        ("incidents", "sources"),
        (8, 2.8),
    ),
)


def _changepoints_vs_periods(inp, r) -> pd.DataFrame:
    from analysis.periods import nearest_boundaries

    return nearest_boundaries(r["changepoints"].changepoints["date"], inp.periods)


def _periods(inp, r) -> pd.DataFrame:
    from analysis.periods import periods_table

    return periods_table(inp.periods, inp.study.data_range)


def _funnel(inp, r) -> pd.DataFrame:
    from analysis.scope import scope_funnel

    return scope_funnel(inp.incidents, inp.study.scope)


def _sites(inp, r) -> pd.DataFrame:
    from analysis.counts import attacks_by_site

    return attacks_by_site(inp.incidents, inp.study.scope)


def _provenance(inp, r) -> pd.DataFrame:
    from analysis.manifest import manifest

    counts = {
        "incidents.csv": len(inp.incidents),
        "tallies.csv": len(inp.tallies),
        "locations.csv": len(inp.locations),
        "context_events.csv": len(inp.context),
        "periods.toml": len(inp.periods),
        "config.toml": 1,
    }
    if (inp.data / "sources.csv").exists():
        counts["sources.csv"] = (inp.data / "sources.csv").read_text(encoding="utf-8").count("\n") - 1
    return manifest(inp.data, counts)


_TABLES = (
    Table(
        "headline",
        "the pre-specified ratio in every view: incident list, tallies, all attacks, sensitivities",
        "how-sure",
        lambda inp, r: r["headline"].table,
        "The headline ratio in every view",
    ),
    Table(
        "scope_funnel",
        "why the file's rows become the counted attacks: each rule of the counting scope",
        "complete",
        _funnel,
        "From rows to counted attacks",
    ),
    Table(
        "rates_incidents",
        "rates and rate ratios by period from the incident list",
        "how-much",
        lambda inp, r: r["rates"].wide,
        "Rates and rate ratios by period, incident list",
    ),
    Table(
        "rates_tallies",
        "rates and rate ratios by period from the official tallies",
        "how-much",
        lambda inp, r: r["tallies"].wide,
        "Rates and rate ratios by period, official tallies",
    ),
    Table(
        "rates_all_attacks",
        "rates and rate ratios counting every attack (convoys and diplomatic sites included)",
        "how-sure",
        lambda inp, r: r["all_attacks"].wide,
        "Rates and ratios counting every attack (convoys included)",
    ),
    Table(
        "rates_with_claims",
        "sensitivity: rates counting claim-only rows too",
        "how-sure",
        lambda inp, r: r["with_claims"].wide,
        "Sensitivity: claim-only rows counted too",
    ),
    Table(
        "its",
        "interrupted time series level changes, aligned to the day of each interruption",
        "when",
        lambda inp, r: r["its"].table,
        "Interrupted time series: level changes",
    ),
    Table(
        "coverage",
        "each tally against our rows in the same window and scope",
        "complete",
        lambda inp, r: r["coverage"],
        "Each tally against our rows in the same window and scope",
    ),
    Table("attacks_by_site", "attacks per site", "where", _sites, "Attacks per site"),
    Table("periods", "period definitions with rationale and source", "downloads", _periods),
    Table(
        "changepoints",
        "changepoints found in the daily counts, with date intervals",
        "when",
        lambda inp, r: r["changepoints"].changepoints,
        "Changepoints found in the daily counts",
    ),
    Table(
        "changepoint_segments",
        "segments between changepoints with their rates",
        "downloads",
        lambda inp, r: r["changepoints"].segments,
    ),
    Table(
        "changepoints_vs_periods",
        "each changepoint against the nearest named period boundary",
        "when",
        _changepoints_vs_periods,
        "Each changepoint against the nearest period boundary",
    ),
    Table(
        "self_excitation",
        "self-excitation on days: branching ratio, mean lag, background per period",
        "beget",
        lambda inp, r: r["self_excitation"].table,
        "Self-excitation on days: branching ratio, lag, background",
    ),
    Table(
        "triggers",
        "each US strike's week against the period background, pooled and apart",
        "strikes",
        lambda inp, r: r["triggers"].table,
        "Each strike's week against the period background",
    ),
    Table(
        "undercount",
        "multiple systems estimates of the headline periods' total attacks, seen and unseen",
        "missed",
        lambda inp, r: r["undercount"].table,
        "Estimated total attacks per period, seen and unseen",
    ),
    Table(
        "undercount_models",
        "every log-linear model of the undercount estimate, with its weight",
        "missed",
        lambda inp, r: r["undercount"].models[lambda m: m["weight"] > 0.01].reset_index(drop=True),
        "The log-linear models with more than 1% of the weight",
    ),
    Table(
        "undercount_ratio",
        "the headline ratio before and after the undercount adjustment",
        "missed",
        lambda inp, r: r["undercount_ratio"].table,
        "The headline ratio before and after the adjustment",
    ),
    Table(
        "excluded_rows", "rows excluded by validation, with reasons", "downloads", lambda inp, r: inp.excluded
    ),
    Table("provenance", "sha256 and row counts of the data files", "downloads", _provenance),
)

#: Every artefact, in the order the report writes and shows them.
ARTEFACTS: tuple[Figure | Table, ...] = (*_FIGURES, *_TABLES)


def figures() -> dict[str, Figure]:
    """The figures by stem."""
    return {a.stem: a for a in ARTEFACTS if isinstance(a, Figure)}


def tables() -> dict[str, Table]:
    """The tables by stem."""
    return {a.stem: a for a in ARTEFACTS if isinstance(a, Table)}


def check_artefacts(artefacts: tuple = ARTEFACTS) -> None:
    """Raise ``ValueError`` naming the entry when the list does not hold together.

    Stems are unique within figures and within tables; every section and source
    is declared; every shown table has a title; every builder is callable.

    Examples
    --------
    >>> bad = (Table("x", "a table", "nowhere", lambda inp, r: None, "X"),)
    >>> check_artefacts(bad)
    Traceback (most recent call last):
    ...
    ValueError: artefact 'x': section 'nowhere' is not one of how-much, how-sure, complete, missed, when, beget, strikes, where, downloads
    """
    seen: set[tuple[type, str]] = set()
    for a in artefacts:
        key = (type(a), a.stem)
        if key in seen:
            raise ValueError(f"artefact {a.stem!r}: declared twice")
        seen.add(key)
        if a.section not in SECTIONS:
            raise ValueError(
                f"artefact {a.stem!r}: section {a.section!r} is not one of {', '.join(SECTIONS)}"
            )
        if not callable(getattr(a, "draw", getattr(a, "build", None))):
            raise ValueError(f"artefact {a.stem!r}: its builder is not callable")
        unknown = set(getattr(a, "sources", ())) - set(SOURCES)
        if unknown:
            raise ValueError(f"artefact {a.stem!r}: unknown source {sorted(unknown)[0]!r}")
        if isinstance(a, Table) and a.section != "downloads" and not a.title:
            raise ValueError(f"artefact {a.stem!r}: a table shown in a section needs a title")

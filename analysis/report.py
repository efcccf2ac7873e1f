"""Build reports/ from data/: wiring only, the work is done in the modules.

Examples
--------
>>> build_report("reports")  # doctest: +SKIP
PosixPath('reports/index.html')
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jinja2
import matplotlib.pyplot as plt
import pandas as pd

from analysis import __version__, plots
from analysis.config import load_config
from analysis.counts import daily_counts
from analysis.coverage import coverage
from analysis.data import (
    data_dir,
    load_context_events,
    load_incidents,
    load_locations,
    load_periods,
    load_tallies,
)
from analysis.headline import compute_headline, coverage_sentence
from analysis.models.changepoint import detect_changepoints
from analysis.models.hawkes import fit_hawkes
from analysis.models.its import ASSUMPTIONS as ITS_ASSUMPTIONS
from analysis.models.its import interrupted_time_series
from analysis.models.rates import ASSUMPTIONS as RATE_ASSUMPTIONS
from analysis.models.rates import compare_periods, rates_from_tallies
from analysis.models.triggers import trigger_windows
from analysis.scope import get_scope, scope_funnel
from analysis.tables import format_table, write_table

__all__ = ["FIGURES", "TABLES", "build_report"]

#: Figures the report writes (stem -> what it shows); each as .svg and .png.
FIGURES = {
    "headline": "the headline rate ratio in every view",
    "timeline_weekly": "weekly attacks, named periods shaded, US strikes and escalations marked",
    "monthly_by_country": "monthly attacks stacked by country",
    "monthly_by_weapon": "monthly attacks stacked by weapon",
    "rates_by_period": "attacks per 30 days by period with exact intervals, incidents and tallies",
    "rate_ratios": "forest plot of rate ratios against the calm, incidents and tallies",
    "coverage_surge": "cumulative incidents in our list against the official tallies, surge window",
    "its_monthly": "interrupted time series of monthly counts with counterfactual band",
    "sites_map": "sites on a lat/lon frame, points sized by attacks",
    "changepoints": "daily counts with the detected segments, their rates and the date intervals",
    "hawkes": "fitted Hawkes intensity over time with the per-period background",
    "triggers": "attack rate in the 7 days after each US strike against the 28 days before",
}
#: Tables the report writes (stem -> what it shows); each as .csv, .md and .tex.
TABLES = {
    "headline": "the pre-specified ratio in every view: incident list, tallies, all attacks, sensitivities",
    "scope_funnel": "why the file's rows become the counted attacks: each rule of the counting scope",
    "rates_all_attacks": "rates and rate ratios counting every attack (convoys and diplomatic sites included)",
    "rates_incidents": "rates and rate ratios by period from the incident list",
    "rates_tallies": "rates and rate ratios by period from the official tallies",
    "rates_with_claims": "sensitivity: rates counting claim-only rows too",
    "rate_ratios": "rate ratios against the calm, incidents and tallies side by side",
    "its": "interrupted time series level changes",
    "coverage": "each tally against our rows in the same window",
    "attacks_by_site": "attacks per site",
    "periods": "period definitions with rationale and source",
    "changepoints": "detected changepoints: date, 95% date interval, nominal rate ratio",
    "changepoint_segments": "segments between changepoints with exact rate intervals",
    "changepoints_vs_periods": "each detected date against the nearest named period boundary",
    "hawkes": "Hawkes fit: background per period, branching ratio, decay, half-life, AIC",
    "triggers": "trigger windows after US strikes, pooled exact rate ratio, permutation p-value",
    "excluded_rows": "rows excluded by validation, with reasons",
    "provenance": "sha256 and row counts of the data files",
}
ITS_AT = ["2021-07-26", "2023-10-17", "2024-02-05"]


def _html(frame: pd.DataFrame) -> str:
    return format_table(frame).to_html(index=False, border=0, escape=True, na_rep="")


def build_report(out: str | Path = "reports", data: str | Path | None = None,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Rebuild every figure and table under ``out`` and return the path of ``index.html``.

    Parameters
    ----------
    out : path-like
        Output folder (``figures/``, ``tables/``, ``index.html``, ``summary.md``).
    data : path-like, optional
        Data folder; default :func:`analysis.data.data_dir`.
    progress : callable, optional
        Called with one line per stage (the CLI passes ``print``).
    """
    say = progress or (lambda _msg: None)
    data = Path(data) if data else data_dir()
    out = Path(out)
    figs, tabs = out / "figures", out / "tables"

    say("load: validating data files")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        incidents = load_incidents(data / "incidents.csv", errors="exclude")
        tallies = load_tallies(data / "tallies.csv", errors="exclude")
        locations = load_locations(data / "locations.csv", errors="exclude")
        context = load_context_events(data / "context_events.csv", errors="exclude")
    periods = load_periods(data / "periods.toml")
    excluded = pd.concat(
        [df.attrs["excluded"][["line", "reason"]].assign(file=name)
         for name, df in {"incidents.csv": incidents, "tallies.csv": tallies,
                          "locations.csv": locations, "context_events.csv": context}.items()],
        ignore_index=True,
    )[["file", "line", "reason"]]

    say("models: headline, rates by period, tallies, ITS, coverage")
    cfg = load_config(data / "config.toml")
    ref_name = cfg.reference
    head = compute_headline(incidents, tallies, periods, cfg)
    from_inc = compare_periods(incidents, periods, reference=ref_name, scope=cfg.scope)
    from_tal = rates_from_tallies(tallies, periods, reference=ref_name, allocation="shape", incidents=incidents,
                                  scope=cfg.scope)
    with_claims = compare_periods(incidents, periods, reference=ref_name, scope="with_claims")
    all_attacks = compare_periods(incidents, periods, reference=ref_name, scope=cfg.second_scope)
    funnel = scope_funnel(incidents, cfg.scope)
    monthly = daily_counts(incidents, freq="MS", scope=cfg.scope)["events"]
    its = interrupted_time_series(monthly, at=ITS_AT, slope_change=False)
    cov = coverage(incidents, tallies, scope=cfg.scope)
    by_site = (get_scope(cfg.scope).select(incidents)
               .groupby(["location", "country"]).size().rename("attacks").reset_index()
               .sort_values(["attacks", "location"], ascending=[False, True], ignore_index=True))
    period_table = pd.DataFrame(
        [{"period": p.name, "label": p.label, "start": pd.Timestamp(p.start), "end": pd.Timestamp(p.end),
          "days": p.days, "rationale": p.rationale, "source_url": p.source_url} for p in periods]
    )
    ratios = from_inc.table[["period", "events", "rate_ratio", "rr_ci_low", "rr_ci_high", "method"]].merge(
        from_tal.table[["period", "events", "rate_ratio", "rr_ci_low", "rr_ci_high"]],
        on="period", suffixes=("_incidents", "_tallies"),
    )
    provenance = pd.DataFrame(
        [{"file": f"data/{name}", "rows": rows,
          "sha256": hashlib.sha256((data / name).read_bytes()).hexdigest()}
         for name, rows in [("incidents.csv", len(incidents)), ("tallies.csv", len(tallies)),
                            ("locations.csv", len(locations)), ("context_events.csv", len(context)),
                            ("periods.toml", len(periods))]
         + ([("sources.csv", (data / "sources.csv").read_text(encoding="utf-8").count("\n") - 1)]
            if (data / "sources.csv").exists() else [])]
    )

    say("models: changepoints, Hawkes, trigger windows")
    counted = get_scope(cfg.scope).select(incidents)
    changes = detect_changepoints(daily_counts(incidents, scope=cfg.scope)["events"], penalty="mbic", min_segment_days=14,
                                  n_boot=99, seed=0)
    boundaries = pd.Series([pd.Timestamp(p.start) for p in periods], index=[p.name for p in periods])
    vs_periods = pd.DataFrame(
        [{"detected": row.date, "ci_low": row.ci_low, "ci_high": row.ci_high,
          "nearest_boundary": boundaries.iloc[(boundaries - row.date).abs().argmin()],
          "period_starting": boundaries.index[(boundaries - row.date).abs().argmin()]}
         for row in changes.changepoints.itertuples()]
    )
    if len(vs_periods):
        vs_periods["days_apart"] = (vs_periods["detected"] - vs_periods["nearest_boundary"]).dt.days
    hawkes = fit_hawkes(counted["event_date"], background=periods, seed=0)
    strikes = context[context["category"] == "us_strike"]
    triggers = trigger_windows(counted, strikes, window_days=7, baseline_days=28, seed=0)

    say(f"tables: writing {len(TABLES)} tables to {tabs}")
    frames = {
        "headline": head.table, "scope_funnel": funnel, "rates_all_attacks": all_attacks.table,
        "rates_incidents": from_inc.table, "rates_tallies": from_tal.table, "rates_with_claims": with_claims.table,
        "rate_ratios": ratios, "its": its.table, "coverage": cov, "attacks_by_site": by_site,
        "periods": period_table, "excluded_rows": excluded, "provenance": provenance,
        "changepoints": changes.changepoints, "changepoint_segments": changes.table,
        "changepoints_vs_periods": vs_periods, "hawkes": hawkes.table, "triggers": triggers.table,
    }
    for stem, frame in frames.items():
        write_table(frame, tabs / stem, caption=TABLES[stem])

    say(f"figures: drawing {len(FIGURES)} figures to {figs}")
    drawings = {
        "headline": lambda ax: head.plot(ax=ax),
        "timeline_weekly": lambda ax: plots.plot_timeline(incidents, periods, context, ax=ax),
        "monthly_by_country": lambda ax: plots.plot_by_month(incidents, "country", ax=ax),
        "monthly_by_weapon": lambda ax: plots.plot_by_month(incidents, "weapon", ax=ax),
        "rates_by_period": lambda ax: plots.plot_period_rates(from_inc, from_tal, ax=ax),
        "rate_ratios": lambda ax: plots.plot_rate_ratios(from_inc, from_tal, ax=ax),
        "coverage_surge": lambda ax: plots.plot_coverage(incidents, tallies, ax=ax),
        "its_monthly": lambda ax: plots.plot_its(its, ax=ax),
        "sites_map": lambda ax: plots.plot_sites(incidents, locations, ax=ax),
        "changepoints": lambda ax: changes.plot(ax=ax),
        "hawkes": lambda ax: hawkes.plot(ax=ax),
        "triggers": lambda ax: triggers.plot(ax=ax),
    }
    sizes = {"timeline_weekly": (10, 4.5), "monthly_by_country": (10, 4), "monthly_by_weapon": (10, 4),
             "sites_map": (7, 5.5), "changepoints": (10, 4.5), "hawkes": (10, 4.5)}
    for stem, draw in drawings.items():
        with plots.style():
            fig, ax = plt.subplots(figsize=sizes.get(stem, (8, 4.5)))
        draw(ax)
        plots.add_source_line(ax)
        plots.save_figure(fig, figs / stem)
        plt.close(fig)

    say("html: writing index.html and summary.md")
    headline = head.sentences()
    coverage_statement = coverage_sentence(cov, head)
    excluded_statement = (
        f"{len(excluded)} rows were excluded by validation." if len(excluded)
        else "0 rows were excluded by validation: every row of every data file passed the schema."
    )
    its_text = (
        "Monthly counts (official and media rows), quasi-Poisson segmented regression with level changes at "
        + ", ".join(ITS_AT) + " (the 2021 announcement, the surge, the end of the surge)."
    )
    env = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string((resources.files("analysis") / "templates" / "report.html").read_text("utf-8"))
    html = template.render(
        headline=headline, coverage_statement=coverage_statement, excluded_statement=excluded_statement,
        its_text=its_text, version=__version__, extra_sections=[
            {"title": "Changepoints found from the data", "figures": ["changepoints"],
             "tables": ["changepoints", "changepoints_vs_periods", "changepoint_segments"],
             "text": f"{changes!r}. Exact Poisson segmentation (PELT, MBIC penalty, segments of at least 14 days) "
                     "of daily counts. Date intervals assume one change between neighbours; segment rate "
                     "ratios are nominal only, because the dates were chosen from the same data."},
            {"title": "Do attacks beget attacks? (Hawkes process)", "figures": ["hawkes"], "tables": ["hawkes"],
             "text": f"{hawkes!r}. Self-exciting process with an exponential kernel on top of a background "
                     "rate per named period, so the surge itself is not read as self-excitation; same-day "
                     "ties are spread by seeded jitter averaged over 20 draws."},
            {"title": "Attacks after US strikes (trigger windows)", "figures": ["triggers"], "tables": ["triggers"],
             "text": f"{triggers!r}. Days 1-7 after each US strike in data/context_events.csv against the "
                     "28 days before it; pooled exact rate ratio and a permutation test over random dates."},
        ],
        assumptions=[RATE_ASSUMPTIONS, ITS_ASSUMPTIONS, changes.assumptions, hawkes.assumptions,
                     triggers.assumptions,
                     "Coverage: rows are attacks found in public reports; the coverage table compares each "
                     "official tally with our rows in the same window and scope."],
        tables={k: jinja2.utils.markupsafe.Markup(_html(v)) for k, v in frames.items()},
    )
    index = out / "index.html"
    index.write_text(html, encoding="utf-8")
    summary = "\n".join([
        "# Attack rates: summary", "", *[f"- {h}" for h in headline], "", f"- {coverage_statement}", "",
        "## Rates by period (incident list)", "", format_table(from_inc.table).to_markdown(index=False, disable_numparse=True), "",
        "## Rates by period (official tallies)", "", format_table(from_tal.table).to_markdown(index=False, disable_numparse=True), "",
        "## Interrupted time series", "", format_table(its.table).to_markdown(index=False, disable_numparse=True), "",
    ])
    (out / "summary.md").write_text(summary, encoding="utf-8")
    return index

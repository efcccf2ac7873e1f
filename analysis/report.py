"""Build reports/ from data/: wiring only.

``build_report`` reads load -> count -> fit -> tables -> figures -> render.
What the report shows (periods, reference, interruptions, scope, model
settings) comes from ``data/config.toml`` and ``data/periods.toml``; what it
says comes from :mod:`analysis.sections`, worded from the results.

Examples
--------
>>> # skipped: fits every model with the report's full draws (over a minute) and writes reports/
>>> build_report("reports")  # doctest: +SKIP
PosixPath('reports/index.html')
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import shutil
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2
import matplotlib.pyplot as plt
import pandas as pd

from analysis import __version__, plots
from analysis.artefacts import check_artefacts, figures, tables
from analysis.config import data_coverage
from analysis.counts import coarse_dated, daily_counts
from analysis.coverage import coverage
from analysis.data import (
    data_dir,
    load_context_events,
    load_incidents,
    load_locations,
    load_tallies,
)
from analysis.headline import compute_headline, coverage_sentence
from analysis.models.changepoint import detect_changepoints
from analysis.models.its import interrupted_time_series
from analysis.models.mse import capture_histories, estimate_undercount, undercount_adjusted_ratio
from analysis.models.rates import compare_periods
from analysis.models.selfexcite import fit_self_excitation
from analysis.models.tallies import rates_from_tallies
from analysis.models.triggers import trigger_windows
from analysis.periods import Period, covered_periods
from analysis.scope import get_scope
from analysis.sections import compose_page, figure_credit
from analysis.study import Study, load_study
from analysis.tables import format_table, write_table

__all__ = [
    "FIGURES",
    "TABLES",
    "Inputs",
    "build_report",
    "cached_fit",
    "draw_figures",
    "fit_all",
    "load_inputs",
]

#: Figures the report writes (stem -> what it shows); each as .svg and .png. Declared in analysis.artefacts.
FIGURES = {stem: a.caption for stem, a in figures().items()}
#: Tables the report writes (stem -> what it shows); each as .csv, .md and .tex.
TABLES = {stem: a.caption for stem, a in tables().items()}


@dataclass(frozen=True)
class Inputs:
    """Everything read from the data folder."""

    incidents: pd.DataFrame
    tallies: pd.DataFrame
    locations: pd.DataFrame
    context: pd.DataFrame
    study: Study
    excluded: pd.DataFrame
    data: Path

    @property
    def periods(self) -> list[Period]:
        """The study's named periods."""
        return list(self.study.periods)


def load_inputs(data: Path) -> Inputs:
    """Load and validate every data file; invalid rows are kept aside, never dropped silently."""
    study = load_study(data)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        frames = {
            name: loader(data / f"{name}.csv", errors="exclude")
            for name, loader in (
                ("incidents", load_incidents),
                ("tallies", load_tallies),
                ("locations", load_locations),
                ("context_events", load_context_events),
            )
        }
    excluded = pd.concat(
        [df.attrs["excluded"][["line", "reason"]].assign(file=f"{name}.csv") for name, df in frames.items()],
        ignore_index=True,
    )[["file", "line", "reason"]]
    return Inputs(
        frames["incidents"],
        frames["tallies"],
        frames["locations"],
        frames["context_events"],
        study,
        excluded,
        data,
    )


def fit_all(inp: Inputs) -> dict:
    """Every model the report shows, each fitted once, in the configured scope."""
    cfg, rep, inc = inp.study, inp.study.report, inp.incidents
    start, end = data_coverage(inc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the periods table shows covered days; the page says why
        periods = covered_periods(inp.periods, (start, end))
    # Day models: rows dated only to a week or month are left out (their day is unknown).
    daily = daily_counts(inc, scope=cfg.scope, start=start, end=end, precision="exclude")["events"]
    head = compute_headline(inc, inp.tallies, cfg)
    strikes = inp.context[inp.context["category"] == "us_strike"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # caveats are worded into the report's sections instead
        out = {
            "scope": get_scope(cfg.scope),
            "counted": get_scope(cfg.scope).select(inc),
            "headline": head,
            "rates": compare_periods(inc, periods, study=cfg),
            "tallies": rates_from_tallies(inp.tallies, periods, allocation="shape", incidents=inc, study=cfg),
            "all_attacks": compare_periods(inc, periods, scope=cfg.second_scope, study=cfg),
            "with_claims": compare_periods(inc, periods, scope="with_claims", study=cfg),
            "its": interrupted_time_series(
                daily, at=[pd.Timestamp(d) for d in rep["its_at"]], freq=rep["its_freq"], slope_change=False
            ),
            "changepoints": detect_changepoints(
                daily,
                penalty=rep["changepoint_penalty"],
                min_segment_days=rep["changepoint_min_days"],
                n_boot=rep["changepoint_boot"],
                seed=rep["seed"],
            ),
            "self_excitation": fit_self_excitation(
                inc,
                background=periods,
                scope=cfg.scope,
                max_lag=rep["selfexcite_max_lag"],
                n_boot=rep["selfexcite_boot"],
                seed=rep["seed"],
            ),
            "triggers": trigger_windows(
                inc,
                strikes,
                window_days=rep["trigger_window_days"],
                seed=rep["seed"],
                scope=cfg.scope,
                background=periods,
            ),
        }
    out.update(_undercount(inc, periods, cfg))
    out["coarse_dated"] = coarse_dated(out["counted"])
    out["coverage"] = coverage(inc, inp.tallies, scope=cfg.scope)
    out["coverage_sentence"] = coverage_sentence(out["coverage"], head)
    out["assumptions"] = [
        out[k].assumptions for k in ("rates", "its", "changepoints", "self_excitation", "triggers")
    ] + [out["tallies"].assumptions]
    return out


def _undercount(inc: pd.DataFrame, periods: list[Period], cfg: Study) -> dict:
    """Multiple systems estimates for the headline's two periods and the adjusted headline ratio.

    Only the headline pair: the estimate is a sensitivity of the headline, and each stratum's
    bootstrap refits every log-linear model (``[report] mse_boot`` times).
    """
    rep = cfg.report
    pair = [p for p in periods if p.name in (cfg.headline_period, cfg.reference)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropped rows and empty strata are worded in the section
        hist = capture_histories(inc, strata="period", periods=pair, scope=cfg.scope)
        under = estimate_undercount(hist, n_boot=rep["mse_boot"], seed=rep["seed"])
        adjusted = undercount_adjusted_ratio(
            inc,
            period=cfg.headline_period,
            reference=cfg.reference,
            periods=periods,
            scope=cfg.scope,
            n_boot=rep["mse_boot"],
            seed=rep["seed"],
            undercount=under,
        )
    return {
        "undercount": under,
        "undercount_ratio": adjusted,
        "undercount_dropped": len(hist.attrs["dropped"]),
    }


#: The fewest draws of each resampling step: for previews of the page and the gallery, not for p-values.
PREVIEW_DRAWS = {"changepoint_boot": 0, "selfexcite_boot": 0, "mse_boot": 20}


def preview_data(out: Path) -> Path:
    """A copy of the data folder in ``out/data`` whose config asks for :data:`PREVIEW_DRAWS`.

    Every model is fitted as the report fits it, with far fewer bootstrap and permutation draws: the
    page's shape is right in seconds, its p-values are not to be read.
    """
    data = Path(out) / "data"
    shutil.copytree(data_dir(), data)
    config = data / "config.toml"
    lines = []
    for line in config.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        lines.append(f"{key} = {PREVIEW_DRAWS[key]}" if key in PREVIEW_DRAWS else line)
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def report_tables(inp: Inputs, r: dict) -> dict[str, pd.DataFrame]:
    """Every table the report writes, by stem (the list in :mod:`analysis.artefacts`)."""
    return {stem: table.build(inp, r) for stem, table in tables().items()}


def caption(artefact, study: Study) -> str:
    """An artefact's caption with the study's words filled in."""
    return artefact.caption.format(confidence=study.confidence, period=study.period_words)


_JOB: tuple | None = None


def _draw_one(stem: str) -> str:
    """Draw one figure of the job set up by :func:`draw_figures` (run in a worker or in-process)."""
    assert _JOB is not None, "draw_figures sets the job before any figure is drawn"
    inp, r, folder = _JOB
    figure = figures()[stem]
    with plots.style():
        fig, ax = plt.subplots(figsize=figure.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figure.draw(inp, r, ax)
    plots.add_source_line(ax, figure_credit(stem, f"{inp.study.data_through:%-d %B %Y}"))
    plots.save_figure(fig, folder / stem)
    plt.close(fig)
    return stem


def draw_figures(inp: Inputs, r: dict, folder: Path, workers: int | None = None) -> None:
    """Draw and save every figure, each with a credit line naming only the sources it uses.

    Figures do not depend on each other, so they are drawn by forked worker
    processes (one per core) where the platform forks; each file is the same
    as when drawn in-process.
    """
    global _JOB
    _JOB = (inp, r, folder)
    workers = workers or min(len(FIGURES), os.cpu_count() or 1)
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                list(pool.map(_draw_one, FIGURES))
        else:
            for stem in FIGURES:
                _draw_one(stem)
    finally:
        _JOB = None


def _fingerprint(data: Path) -> str:
    """sha256 of every data file and every source file of the package: what the fitted models depend on."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    files = (
        sorted(Path(data).glob("*.csv")) + sorted(Path(data).glob("*.toml")) + sorted(package.rglob("*.py"))
    )
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_fit(inp: Inputs, cache: Path | None) -> dict:
    """:func:`fit_all`, reused from ``cache`` when neither the data nor the code changed since it was saved."""
    if cache is None:
        return fit_all(inp)
    path = cache / f"fit-{_fingerprint(inp.data)[:32]}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    results = fit_all(inp)
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob("fit-*.pkl"):
        old.unlink()
    with path.open("wb") as handle:
        pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return results


def render_html(page: dict) -> str:
    """The report page as HTML, from the packaged template (CSS and JavaScript inlined, text escaped)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analysis", "templates"), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template("report.html").render(page=page)


def render(page: dict, out: Path) -> Path:
    """Write index.html from the packaged template."""
    index = out / "index.html"
    index.write_text(render_html(page), encoding="utf-8")
    return index


def write_summary(page: dict, frames: dict, out: Path) -> None:
    """summary.md: the headline and the main tables, for a README or pull request."""
    md = lambda f: format_table(f).to_markdown(index=False, disable_numparse=True)  # noqa: E731
    parts = [
        "# Attack rates: summary",
        "",
        *[f"- {s}" for s in page["headline"]],
        "",
        "## The headline in every view",
        "",
        md(frames["headline"]),
        "",
        "## Rates by period (incident list)",
        "",
        md(frames["rates_incidents"]),
        "",
        "## Rates by period (official tallies)",
        "",
        md(frames["rates_tallies"]),
        "",
    ]
    (out / "summary.md").write_text("\n".join(parts), encoding="utf-8")


def build_report(
    out: str | Path = "reports",
    data: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    cache: bool = True,
) -> Path:
    """Rebuild every figure and table under ``out`` and return the path of ``index.html``.

    Parameters
    ----------
    out : path-like
        Output folder (``figures/``, ``tables/``, ``index.html``, ``summary.md``).
    data : path-like, optional
        Data folder; default :func:`analysis.data.data_dir`.
    progress : callable, optional
        Called with one line per stage (the CLI passes ``print``).
    cache : bool
        Reuse the fitted models from ``out/.cache`` when the data files and the
        package's code are byte-identical to the last build (keyed by their
        sha256); the outputs are the same either way.
    """
    say = progress or (lambda _msg: None)
    out = Path(out)
    check_artefacts()
    say("load: validating data files")
    inputs = load_inputs(Path(data) if data else data_dir())
    say("models: headline, rates, tallies, ITS, changepoints, self-excitation, trigger windows")
    results = cached_fit(inputs, out / ".cache" if cache else None)
    frames = report_tables(inputs, results)
    say(f"tables: writing {len(frames)} tables to {out / 'tables'}")
    for stem, frame in frames.items():
        write_table(frame, out / "tables" / stem, caption=TABLES[stem])
    say(f"figures: drawing {len(FIGURES)} figures to {out / 'figures'}")
    draw_figures(inputs, results, out / "figures")
    say("html: writing index.html and summary.md")
    page = compose_page(inputs, results, frames, __version__)
    write_summary(page, frames, out)
    return render(page, out)

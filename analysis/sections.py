"""What the report says: one section per question, each answer worded from the results.

:func:`compose_page` turns the fitted results into the ``page`` the HTML
template renders: the headline, then sections (how much did the rate change,
how sure are we, how complete is the list, what happened when, do attacks
beget attacks, attacks after US strikes, where), the periods with their
sources, an appendix of every counted attack with links to its pages, and the
assumptions. Every number in the prose is read from a result here, never typed.

Examples
--------
>>> from analysis import __version__
>>> from analysis.data import data_dir
>>> from analysis.report import fit_all, load_inputs, report_tables
>>> inputs = load_inputs(data_dir())
>>> # skipped: fit_all fits every model with the report's full draws (over a minute; tests/page_fixture.py uses fewer)
>>> results = fit_all(inputs)  # doctest: +SKIP
>>> page = compose_page(inputs, results, report_tables(inputs, results), __version__)  # doctest: +SKIP
>>> [section["title"] for section in page["sections"]][:3]  # doctest: +SKIP
['How much did the rate change?', 'How sure are we?', 'How complete is the list?']
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pandas as pd
from markupsafe import Markup

from analysis.artefacts import ARTEFACTS, SECTIONS, SOURCES, Figure, Table, figures
from analysis.models.rates import coverage_note
from analysis.models.tallies import ABOUT_SHARE
from analysis.plots import human
from analysis.tables import format_table

__all__ = ["COLUMN_WORDS", "compose_page", "figure_credit", "humanise"]


def figure_credit(stem: str, data_through: str) -> str:
    """The credit line of one figure: only the sources it uses, and the data-through date.

    Examples
    --------
    >>> figure_credit("monthly_by_country", "18 March 2026")
    'Source: incident list (data/incidents.csv). Data through 18 March 2026.'
    """
    sources = figures()[stem].sources if stem in figures() else ("incidents",)
    return "Source: " + "; ".join(SOURCES[s] for s in sources) + f". Data through {data_through}."


def _fig(figure: Figure, meta: dict) -> dict:
    caption = figure.caption.format(confidence=meta["confidence"], period=meta["period_words"])
    return {
        "stem": figure.stem,
        "caption": f"{caption}. Counted: {meta['scope']}.",
        "alt": caption,
        "credit": figure_credit(figure.stem, meta["data_through"]),
    }


#: Column names as readers see them in the HTML report (the CSV files keep the codes);
#: ``{level}`` is the confidence level of the intervals.
COLUMN_WORDS = {
    "rate_per_30d": "attacks per 30 days",
    "rate_ci_low": "rate, {level} low",
    "rate_ci_high": "rate, {level} high",
    "rate_ratio": "rate ratio",
    "rr_ci_low": "ratio, {level} low",
    "rr_ci_high": "ratio, {level} high",
    "p_value": "p",
    "p_holm": "p (Holm)",
    "from_record": "boundary from the record",
    "ci_low": "{level} low",
    "ci_high": "{level} high",
    "date_low": "date, {level} low",
    "date_high": "date, {level} high",
    "rr_p_value": "p",
    "ref_events": "reference attacks",
    "ref_rate": "reference rate",
    "events_low": "attacks, low",
    "events_high": "attacks, high",
    "rows_left": "rows left",
    "rows_removed": "rows left out",
    "official_count": "official count",
    "our_rows": "our rows",
    "region": "provinces",
    "window_start": "window start",
    "as_of": "as of",
    "window_events": "attacks in window",
    "window_days": "days in window",
    "expected_events": "expected attacks",
    "perm_p_greater": "permutation p (greater)",
    "perm_p_two_sided": "permutation p (two-sided)",
    "shared_window_days": "days shared with other strikes",
}
_TOKEN = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def humanise(frame: pd.DataFrame, labels: dict[str, str], level: str = "95%") -> pd.DataFrame:
    """A table for readers: period names as their labels, coded values and column names in words.

    Examples
    --------
    >>> humanise(pd.DataFrame({"period": ["calm"], "rate_ratio": [1.0]}), {"calm": "Calm"}).columns.tolist()
    ['period', 'rate ratio']
    """

    def words(value):
        if not isinstance(value, str) or value.startswith(("http://", "https://", "data/")):
            return value
        return _TOKEN.sub(lambda m: labels.get(m.group(0), human(m.group(0))), value)

    out = frame.drop(columns=["label"], errors="ignore").copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(words)
    return out.rename(columns=lambda c: COLUMN_WORDS.get(c, c.replace("_", " ")).format(level=level))


def _tab(table: Table, frames: dict, meta: dict) -> dict:
    shown = humanise(frames[table.stem], meta["labels"], meta["confidence"])
    html = format_table(shown).to_html(index=False, border=0, escape=True, na_rep="")
    return {"stem": table.stem, "caption": table.title, "html": Markup(html)}


def _how_much(r: dict, frames: dict, meta: dict) -> dict:
    table = r["rates"].wide
    explo = table[table["comparison"] == "exploratory"]
    flagged = table.loc[table["from_record"], "label"].tolist()
    return {
        "id": "how-much",
        "question": f"How many times the {meta['reference_words']} rate did attacks run in each period?",
        "answer": [
            *r["headline"].sentences()[:1],
            f"The other {len(explo)} period comparisons are exploratory: their p-values are shown raw and "
            f"Holm-adjusted ({(explo['p_holm'] < meta['alpha']).sum()} of {len(explo)} stay below "
            f"{meta['alpha']:g} after "
            "adjustment).",
        ],
        "caveats": [
            f"Periods whose boundaries were drawn from the record itself: {', '.join(flagged)}."
            if flagged
            else "No period boundary was drawn from the record itself."
        ],
    }


def _how_sure(r: dict, frames: dict, meta: dict) -> dict:
    return {
        "id": "how-sure",
        "question": "Does the answer survive other counting choices and other ways of reading the tallies?",
        "answer": r["headline"].sentences()[1:],
        "caveats": [
            "Intervals treat each day with attacks as one cluster (one night that hits several sites is one "
            "piece of information) and allow drift inside a period and correlated days. "
            + coverage_note(r["rates"].wide["method"]),
            "Tally rates: exact Poisson intervals at the ends of the range the qualifiers allow "
            f"('about N' read as N plus or minus {ABOUT_SHARE:.0%}).",
        ],
    }


def _how_complete(r: dict, frames: dict, meta: dict) -> dict:
    funnel = frames["scope_funnel"]
    return {
        "id": "complete",
        "question": "How many of the attacks the Pentagon counted does our list hold, and what do we count?",
        "answer": [
            r["coverage_sentence"],
            f"The file holds {funnel['rows_left'].iloc[0]} rows; the counting scope keeps "
            f"{funnel['rows_left'].iloc[-1]} ({meta['scope']}); the table shows what each rule leaves out.",
        ],
        "caveats": [
            "The list is not matched to the tallies one to one: early in the surge it holds attacks the "
            "Pentagon did not count as strikes on its facilities."
        ],
    }


def _when(r: dict, frames: dict, meta: dict) -> dict:
    its = r["its"].table
    steps = "; ".join(
        f"{row.interruption:%d %b %Y}: {row.estimate:.2g} times ({meta['confidence']} CI {row.ci_low:.2g} to "
        f"{row.ci_high:.2g})"
        for row in its[its["term"] == "level_change"].itertuples()
    )
    cps = r["changepoints"].changepoints
    found = ", ".join(f"{d:%d %b %Y}" for d in cps["date"])
    return {
        "id": "when",
        "question": "When did the rate change, and by how much at each turning point?",
        "answer": [
            "Aligned to the day of each interruption (a month that holds one is split at it), the interrupted time "
            f"series gives these level changes in the monthly rate: {steps}.",
            f"A changepoint search on daily counts, blind to the named periods, finds {len(cps)} "
            f"change{'s' if len(cps) != 1 else ''}" + (f": {found}." if len(cps) else "."),
        ],
        "caveats": [
            "Changepoint rate ratios are nominal: the dates were chosen from the same data.",
            "The interrupted time series assumes nothing else changed on those days.",
            f"The day models leave out the {r['coarse_dated']} counted rows dated only to a week or month; "
            "the headline table shows the rate ratio without them too (rows dated to the day only).",
        ],
    }


def _beget(r: dict, frames: dict, meta: dict) -> dict:
    t = r["self_excitation"].table.set_index("parameter")
    br, lag = t.loc["branching_ratio"], t.loc["mean_lag_days"]
    excludes_zero = br["ci_low"] > 0
    p = br["p_value"]
    verdict = (
        "Attacks on one night make attacks on the following days more likely"
        if excludes_zero and p < meta["alpha"]
        else "Any follow-on effect is small: the interval of the share of attack-nights that follow from earlier "
        "ones includes zero"
        + (
            ", although the bootstrap test of no excitation rejects (p = "
            f"{p:.3g}), which any short swing the background cannot follow would also cause"
            if p < meta["alpha"]
            else f" and the test of no excitation does not reject (p = {p:.2g})"
        )
    )
    return {
        "id": "beget",
        "question": "Beyond the level of each period, do attacks on one night raise the chance of attacks on the "
        "next days?",
        "answer": [
            f"{verdict}. Branching ratio {br['estimate']:.2f} ({meta['confidence']} CI {br['ci_low']:.2f} to "
            f"{br['ci_high']:.2f}), mean lag {lag['estimate']:.1f} days.",
            "Same-night attacks on several sites count as one night: they are one decision, not triggering.",
        ],
        "caveats": ["Our dates are days, so excitation within a day cannot be told from a multi-site night."],
    }


def _strikes(r: dict, frames: dict, meta: dict) -> dict:
    tr = r["triggers"]
    opening = tr.table[tr.table["role"].str.contains("open", na=False)]
    answer = [f"Pooled over the US strikes that fall inside a period: {tr.sentence()}."]
    for row in opening.itertuples():
        answer.append(
            f"Reported apart because it opens a period: {row.trigger} ({row.date:%d %b %Y}), "
            f"{row.window_events} attacks in {row.window_days} days, {row.estimate:.1f} times the rate "
            f"of the period before."
        )
    return {
        "id": "strikes",
        "question": "Did attacks rise in the week after US strikes on militias, beyond the period's own level?",
        "answer": answer,
        "caveats": [
            "Each attack-day is counted once; the permutation re-draws strike dates within their period."
        ],
    }


def _where(r: dict, frames: dict, meta: dict) -> dict:
    top = frames["attacks_by_site"].head(3)
    return {
        "id": "where",
        "question": "Which sites were attacked most?",
        "answer": [
            "Most attacked: " + "; ".join(f"{row.location} ({row.attacks})" for row in top.itertuples()) + "."
        ],
        "caveats": ["Sites without sourced coordinates are counted but not drawn."],
    }


def _missed(r: dict, frames: dict, meta: dict) -> dict:
    under = r["undercount"]
    t = under.table.set_index("stratum")
    adj = r["undercount_ratio"]
    rows = adj.table.set_index("view")
    level = f"{1 - under.alpha:.0%}"

    def total(name: str) -> str:
        if name not in t.index or pd.isna(t.loc[name, "estimate"]):
            return f"{meta['labels'].get(name, name)}: no estimate ({t.loc[name, 'note'] if name in t.index else 'no attacks'})"
        row = t.loc[name]
        return (
            f"{meta['labels'].get(name, name)}: {int(row['observed'])} attacks documented, an estimated "
            f"{row['estimate']:.0f} in all ({level} interval {row['ci_low']:.0f} to {row['ci_high']:.0f}; "
            f"the list holds {row['completeness']:.0%})"
        )

    obs, allc, fixed = (
        rows.loc["observed"],
        rows.loc["observed, every confirmation"],
        rows.loc["undercount-adjusted"],
    )
    headline = f"{adj.period} against {adj.reference}"
    adjusted = (
        f"Adjusted for what every source missed, the {meta['labels'].get(adj.period, adj.period)} ran at "
        f"{fixed['estimate']:.1f} times the {meta['labels'].get(adj.reference, adj.reference)} rate ({level} interval "
        f"{fixed['ci_low']:.1f} to {fixed['ci_high']:.1f}), against {allc['estimate']:.1f} "
        f"({allc['ci_low']:.1f} to {allc['ci_high']:.1f}) counting every reported attack and the headline's "
        f"{obs['estimate']:.1f} ({obs['ci_low']:.1f} to {obs['ci_high']:.1f}). This is a sensitivity beside the "
        "headline, never in its place."
        if pd.notna(fixed["estimate"])
        else f"No undercount-adjusted ratio ({headline}): one of the two periods has no estimate."
    )
    return {
        "id": "missed",
        "question": "Several systems document attacks: US officials, other governments, militia claims, "
        "independent media, monitors, state media. How many attacks did none of them document?",
        "answer": [
            total(adj.period) + ". " + total(adj.reference) + ".",
            _tally_words(r, [adj.period, adj.reference], meta),
            adjusted,
        ],
        "caveats": [
            "Lists: "
            + "; ".join(
                f"{human(k)} = {', '.join(human(m) for m in v)}"
                for k, v in zip(under.lists, _list_members(under))
            )
            + ".",
            "Assumptions: " + under.assumptions,
            "Every confirmation level enters the estimate (who reported an attack is its capture history); "
            "a militia claim of an attack that did not happen would inflate it. "
            f"{r['undercount_dropped']} rows in scope are on no list (every page unread or of unknown origin) "
            "and are left out of the estimate.",
            "The estimator (the AIC-weighted average of every log-linear model with two-list interactions, "
            "interval by a parametric bootstrap that repeats the choice) was chosen on the simulation study "
            "in benchmarks/sim_mse.py.",
        ],
    }


def _tally_words(r: dict, names: list[str], meta: dict) -> str:
    t = r["tallies"].wide.set_index("period")
    parts = [
        f"{t.loc[n, 'events']:.0f} in the {meta['labels'].get(n, n)}"
        for n in names
        if n in t.index and pd.notna(t.loc[n, "events"])
    ]
    if not parts:
        return "No official tally covers these periods."
    return (
        "Beside them, the official tallies (each window's count spread evenly over its days, on bases "
        "only) give " + " and ".join(parts) + "."
    )


def _list_members(under) -> list[tuple[str, ...]]:
    from analysis.models.mse import DEFAULT_LISTS

    return [DEFAULT_LISTS.get(name, (name,)) for name in under.lists]


def _links(row) -> list[dict]:
    urls = [
        row.source_url,
        *(str(row.other_sources).split(";") if isinstance(row.other_sources, str) else []),
    ]
    return [
        {"label": urlparse(u.strip()).netloc.removeprefix("www."), "url": u.strip()}
        for u in urls
        if u.strip()
    ]


def appendix(counted: pd.DataFrame) -> list[dict]:
    """Every counted attack, with links to its pages."""
    return [
        {
            "event_id": r.event_id,
            "date": f"{r.event_date:%Y-%m-%d}",
            "site": r.location,
            "country": r.country,
            "weapon": human(r.weapon),
            "target": human(r.target_type),
            "confirmation": r.confirmation,
            # disputed is a nullable boolean: missing (not coded) is not disputed.
            "disputed": bool(pd.notna(getattr(r, "disputed", None)) and r.disputed),
            "summary": r.summary,
            "links": _links(r),
        }
        for r in counted.itertuples()
    ]


def _placed(section: dict, frames: dict, meta: dict) -> dict:
    """A section with the figures and tables the artefact list places in it, in its order."""
    mine = [a for a in ARTEFACTS if a.section == section["id"]]
    return {
        **section,
        "title": SECTIONS[section["id"]],
        "figures": [_fig(a, meta) for a in mine if isinstance(a, Figure)],
        "tables": [_tab(a, frames, meta) for a in mine if isinstance(a, Table)],
    }


def compose_page(inputs, results: dict, frames: dict, version: str) -> dict:
    """The ``page`` context of the report template."""
    cfg = inputs.study
    meta = {
        "version": version,
        "data_through": f"{cfg.data_through:%-d %B %Y}",
        "scope": results["scope"].describe(),
        "coverage": f"{cfg.coverage_start:%B %Y} to {cfg.data_through:%-d %B %Y}",
    }
    # The sections also need the period labels for their tables; the page's meta does not.
    context = {
        **meta,
        "labels": {p.name: p.label for p in inputs.periods},
        "confidence": cfg.confidence,
        "alpha": cfg.alpha,
        "period_words": cfg.period_words,
        "reference_words": cfg.reference_words,
    }
    covered = frames["periods"].set_index("period")["covered_days"]
    sections = [
        _placed(build(results, frames, context), frames, context)
        for build in (_how_much, _how_sure, _how_complete, _missed, _when, _beget, _strikes, _where)
    ]
    excluded = frames["excluded_rows"]
    return {
        "title": "Attacks on US and coalition forces in Iraq, Syria and Jordan",
        "meta": meta,
        "headline": results["headline"].sentences()[:1] + [results["coverage_sentence"]],
        "sections": sections,
        "periods": [
            {
                "name": p.name,
                "label": p.label,
                "start": f"{p.start}",
                "end": f"{p.end}",
                "days": p.days,
                "covered_days": int(covered[p.name]),
                "rationale": p.rationale,
                "source_url": p.source_url,
                "from_record": p.from_record,
            }
            for p in inputs.periods
        ],
        "appendix": appendix(results["counted"]),
        "assumptions": results["assumptions"],
        "excluded_statement": (
            f"{len(excluded)} rows were excluded by validation."
            if len(excluded)
            else "0 rows were excluded by validation: every row of every data file passed the schema."
        ),
        "excluded_html": Markup(
            format_table(humanise(excluded, {})).to_html(index=False, border=0, na_rep="")
        ),
        "provenance_html": Markup(
            format_table(humanise(frames["provenance"], {})).to_html(index=False, border=0, na_rep="")
        ),
    }

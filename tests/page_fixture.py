"""A realistic ``page`` for the report template, built from the real data without ``analysis.report``.

The template (``analysis/templates/report.html``) renders one context variable,
``page``. This module builds one from ``data/`` with the public functions, draws
two real figures, and renders the template the way the report does, so the
page's HTML, CSS and JavaScript can be tested on their own (``test_template.py``)
and previewed in a browser::

    python tests/page_fixture.py /tmp/preview   # then open /tmp/preview/index.html
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from analysis import __version__, compare_periods, load_incidents, load_periods, plots  # noqa: E402
from analysis.scope import get_scope, scope_funnel  # noqa: E402
from analysis.tables import format_table  # noqa: E402

WEAPONS = {
    "rocket": "Rocket",
    "one_way_drone": "One-way drone",
    "ballistic_missile": "Ballistic missile",
    "ied": "Roadside bomb",
    "small_arms": "Small arms",
    "mortar": "Mortar",
}


def render(page: dict) -> str:
    """Render the template as the report does: package loader (for the inlined CSS/JS), autoescape on."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("analysis", "templates"), autoescape=True, keep_trailing_newline=True
    )
    return env.get_template("report.html").render(page=page)


def _html(frame, labels: dict | None = None) -> Markup:
    """Human column names and period labels, as the report shows them."""
    frame = frame.copy()
    if labels and "period" in frame:
        frame["period"] = frame["period"].map(lambda p: labels.get(p, p))
    frame.columns = [
        str(c).replace("rate_per_30d", "per 30 days").replace("rr_", "ratio ").replace("_", " ")
        for c in frame.columns
    ]
    return Markup(format_table(frame).to_html(index=False, border=0, escape=True, na_rep=""))


def _links(row) -> list[dict]:
    urls = [row.source_url, *[u for u in str(row.other_sources or "").split(";") if u.strip()]]
    return [
        {"label": urlparse(u.strip()).netloc.removeprefix("www.") or "source", "url": u.strip()}
        for u in urls
        if isinstance(u, str) and u.strip()
    ]


def make_page(out: Path) -> dict:
    """Draw ``out/figures/*.svg|png`` and return a ``page`` dict shaped like the report's."""
    out = Path(out)
    incidents, periods = load_incidents(), load_periods()
    comparison = compare_periods(incidents, periods, reference="calm")
    funnel = scope_funnel(incidents)
    counted = get_scope("pentagon").select(incidents)

    figs = out / "figures"
    for stem, draw in {
        "timeline_weekly": lambda ax: plots.plot_timeline(incidents, periods, ax=ax),
        "rates_by_period": lambda ax: plots.plot_period_rates(comparison, ax=ax),
    }.items():
        with plots.style():
            fig, ax = plt.subplots(figsize=(10, 4.5))
        draw(ax)
        plots.save_figure(fig, figs / stem)
        plt.close(fig)

    surge = comparison.table.set_index("period").loc["surge"]
    credit = "Incident list: official and media-confirmed attacks on bases, data through 18 March 2026."
    label = {p.name: p.label for p in periods}
    appendix = [
        {
            "event_id": r.event_id,
            "date": r.event_date.strftime("%d %B %Y").lstrip("0"),
            "site": r.location,
            "country": r.country,
            "weapon": WEAPONS.get(r.weapon, str(r.weapon).replace("_", " ")),
            "target": str(r.target_type).capitalize(),
            "confirmation": str(r.confirmation).capitalize(),
            "disputed": bool(r.disputed),
            "summary": r.summary,
            "links": _links(r),
        }
        for r in counted.sort_values(["event_date", "event_id"]).itertuples()
    ]
    return {
        "title": "Attacks on US and coalition forces in Iraq, Syria and Jordan",
        "meta": {
            "version": __version__,
            "data_through": "18 March 2026",
            "scope": "official or media-confirmed attacks on bases, undisputed",
            "coverage": "October 2019 to 18 March 2026",
        },
        "headline": [
            f"There were {surge.rate_per_30d:.1f} attacks per 30 days in the Gaza-war surge, "
            f"{surge.rate_ratio:.1f} times the post-withdrawal calm "
            f"(95% interval {surge.rr_ci_low:.1f} to {surge.rr_ci_high:.1f}).",
            f"The list counts {len(counted)} attacks out of {len(incidents)} rows in the file.",
        ],
        "sections": [
            {
                "id": "rate-change",
                "title": "How much did the rate change?",
                "question": "How many attacks per 30 days in each period, against the post-withdrawal calm?",
                "answer": [
                    f"The surge rate was {surge.rate_ratio:.1f} times the calm rate.",
                    "Every other period is compared with the calm in the table below.",
                ],
                "figures": [
                    {
                        "stem": "rates_by_period",
                        "caption": "Attacks per 30 days by period, with 95% intervals. "
                        "Scope: official or media-confirmed attacks on bases; data through 18 March 2026.",
                        "alt": "Dot plot of attacks per 30 days in each named period",
                        "credit": credit,
                    },
                    {
                        "stem": "timeline_weekly",
                        "caption": "Weekly attacks with the named periods shaded.",
                        "alt": "Weekly counts of attacks from 2019 to 2026",
                        "credit": credit,
                    },
                ],
                "tables": [
                    {
                        "stem": "rates_incidents",
                        "caption": "Rates and rate ratios by period (incident list)",
                        "html": _html(comparison.table, label),
                    }
                ],
                "caveats": [
                    "Periods were named after the fact; only the surge comparison was posed in advance.",
                    "March 2026 is a part month (18 days).",
                ],
            },
            {
                "id": "completeness",
                "title": "How complete is the list?",
                "question": "Why do the file's rows become the counted attacks?",
                "answer": [f"{len(incidents)} rows in the file; {len(counted)} are counted."],
                "figures": [],
                "tables": [
                    {
                        "stem": "scope_funnel",
                        "caption": "The counting scope, rule by rule",
                        "html": _html(funnel),
                    }
                ],
                "caveats": [],
            },
        ],
        "periods": [
            {
                "name": p.name,
                "label": p.label,
                "start": p.start.strftime("%d %B %Y").lstrip("0"),
                "end": p.end.strftime("%d %B %Y").lstrip("0"),
                "days": p.days,
                "rationale": p.rationale,
                "source_url": p.source_url,
                "from_record": p.from_record,
            }
            for p in periods
        ],
        "appendix": appendix,
        "assumptions": [
            "Attacks in a period follow a Poisson process with a constant rate.",
            f"Period labels: {', '.join(label.values())}.",
        ],
        "excluded_statement": "0 rows were excluded by validation: every row of every data file passed the schema.",
        "excluded_html": Markup("<p>No rows excluded.</p>"),
        "provenance_html": Markup(
            "<table><tr><th>file</th><th>sha256</th></tr>"
            "<tr><td>data/incidents.csv</td><td>" + "0" * 64 + "</td></tr></table>"
        ),
    }


def build(out: Path) -> Path:
    """Write ``out/index.html`` from :func:`make_page` and return its path."""
    out = Path(out)
    page = make_page(out)
    index = out / "index.html"
    index.write_text(render(page), encoding="utf-8")
    return index


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "reports/preview")))

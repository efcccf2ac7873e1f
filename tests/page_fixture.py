"""A real report ``page`` built through the report's own code, quickly, for the template tests.

The data folder is copied with the report's bootstrap and permutation draws cut to the minimum
(``[report]`` of ``config.toml``); everything else runs as ``make report`` runs it: loading,
fitting, the declared artefacts, the figures, the sections and the template. Preview it with::

    python tests/page_fixture.py /tmp/preview   # then open /tmp/preview/index.html
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from analysis import __version__  # noqa: E402
from analysis.report import draw_figures, fit_all, load_inputs, preview_data, render_html, report_tables  # noqa: E402
from analysis.sections import compose_page  # noqa: E402


def render(page: dict) -> str:
    """The report's own renderer."""
    return render_html(page)


def make_page(out: Path) -> dict:
    """Draw ``out/figures/*`` and return the ``page`` the report would render."""
    out = Path(out)
    inputs = load_inputs(preview_data(out))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = fit_all(inputs)
    frames = report_tables(inputs, results)
    draw_figures(inputs, results, out / "figures")
    return compose_page(inputs, results, frames, __version__)


def build(out: Path) -> Path:
    """Write ``out/index.html`` from :func:`make_page` and return its path."""
    out = Path(out)
    page = make_page(out)
    index = out / "index.html"
    index.write_text(render(page), encoding="utf-8")
    return index


if __name__ == "__main__":
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "reports/preview")))

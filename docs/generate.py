"""Write the generated pages of the documentation site into docs/_generated/ (run by docs/conf.py).

- notebooks/: the two notebooks, copied (myst-nb executes them at build time);
- gallery.md and gallery/: every figure the report draws, from the declared artefacts, drawn on the
  shipped data with few bootstrap draws, each beside the code that draws it;
- methods/: one page per method: the module's own description, what it assumes, its references,
  and the tables of the studies that checked it, read from benchmarks/results/.

Nothing here is typed twice: captions, assumptions and study tables come from the package and from
the saved study results.
"""

from __future__ import annotations

import inspect
import shutil
import tempfile
import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "_generated"
RESULTS = ROOT / "benchmarks" / "results"

#: One page per method: (title, module, the result class whose assumptions it states, references,
#: saved study results shown on the page).
METHODS = {
    "rates": (
        "Rates by period and rate ratios",
        "analysis.models.rates",
        "analysis.models.rates.PeriodComparison",
        [
            "Garwood, F. (1936). Fiducial limits for the Poisson distribution. Biometrika 28, 437-442.",
            "Fay, M. P. and Feuer, E. J. (1997). Confidence intervals for directly standardized rates: a "
            "method based on the gamma distribution. Statistics in Medicine 16, 791-801.",
            "Newey, W. K. and West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and "
            "autocorrelation consistent covariance matrix. Econometrica 55, 703-708.",
            "Lazarus, E., Lewis, D. J., Stock, J. H. and Watson, M. W. (2018). HAR inference: "
            "recommendations for practice. Journal of Business & Economic Statistics 36, 541-559.",
        ],
        ["coverage"],
    ),
    "tallies": (
        "Rates from the official tallies",
        "analysis.models.tallies",
        "analysis.models.rates.PeriodComparison",
        ["Garwood, F. (1936). Fiducial limits for the Poisson distribution. Biometrika 28, 437-442."],
        [],
    ),
    "its": (
        "Interrupted time series",
        "analysis.models.its",
        "analysis.models.its.ITSResult",
        [
            "Bernal, J. L., Cummins, S. and Gasparrini, A. (2017). Interrupted time series regression for "
            "the evaluation of public health interventions: a tutorial. International Journal of "
            "Epidemiology 46, 348-355.",
        ],
        [],
    ),
    "changepoints": (
        "Changepoints",
        "analysis.models.changepoint",
        "analysis.models.changepoint.ChangepointResult",
        [
            "Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal detection of changepoints with a "
            "linear computational cost. Journal of the American Statistical Association 107, 1590-1598.",
            "Zhang, N. R. and Siegmund, D. O. (2007). A modified Bayes information criterion with "
            "applications to the analysis of comparative genomic hybridization data. Biometrics 63, 22-32.",
        ],
        ["changepoint_fpr.txt"],
    ),
    "self_excitation": (
        "Self-excitation on days",
        "analysis.models.selfexcite",
        "analysis.models.selfexcite.SelfExcitationResult",
        [
            "Ferland, R., Latour, A. and Oraichi, D. (2006). Integer-valued GARCH process. Journal of Time "
            "Series Analysis 27, 923-942.",
            "Hawkes, A. G. (1971). Spectra of some self-exciting and mutually exciting point processes. "
            "Biometrika 58, 83-90.",
        ],
        ["sim_selfexcite_holdout.txt", "sim_selfexcite.txt"],
    ),
    "triggers": (
        "Attacks after trigger dates",
        "analysis.models.triggers",
        "analysis.models.triggers.TriggerResult",
        [],
        [],
    ),
    "hawkes": (
        "Hawkes process on exact times",
        "analysis.models.hawkes",
        "analysis.models.hawkes.HawkesResult",
        [
            "Hawkes, A. G. (1971). Spectra of some self-exciting and mutually exciting point processes. "
            "Biometrika 58, 83-90.",
            "Ogata, Y. (1981). On Lewis' simulation method for point processes. IEEE Transactions on "
            "Information Theory 27, 23-31.",
        ],
        ["compare_peers.txt"],
    ),
    "undercount": (
        "How many attacks every source missed",
        "analysis.models.mse",
        "analysis.models.mse.UndercountResult",
        [
            "Bishop, Y. M. M., Fienberg, S. E. and Holland, P. W. (1975). Discrete Multivariate Analysis. "
            "MIT Press (chapter 6, estimating the size of a closed population).",
            "Silverman, B. W. (2020). Multiple-systems analysis for the quantification of modern slavery: "
            "classical and Bayesian approaches. Journal of the Royal Statistical Society A 183, 691-736.",
        ],
        ["mse", "mse_r_parity.txt"],
    ),
}


def _object(path: str):
    module, _, name = path.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


def _study(name: str) -> str:
    """A saved study's table or text, as Markdown."""
    from analysis import readme

    if name == "coverage":
        block = readme.coverage_block()
        return "\n".join(line for line in block.splitlines() if not line.startswith("<!--"))
    if name == "mse":
        return "\n".join(readme._mse_study_lines(RESULTS / "sim_mse.csv")).strip()
    text = (RESULTS / name).read_text(encoding="utf-8").rstrip()
    if text.lstrip().startswith("|") or "\n|" in text:
        return f"From `benchmarks/results/{name}`:\n\n{text}"
    return f"From `benchmarks/results/{name}`:\n\n```text\n{text}\n```"


def _rubrics(doc: str) -> str:
    """A module docstring with its section titles as rubrics (titles would clash across pages)."""
    lines = doc.splitlines()
    out: list[str] = []
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        under = lines[i + 1] if i + 1 < len(lines) else ""
        if (
            line.strip()
            and under
            and set(under.strip()) <= set("-=~^")
            and len(under.strip()) >= len(line.strip())
        ):
            out += [f".. rubric:: {line.strip()}", ""]
            skip = True
        else:
            out.append(line)
    return "\n".join(out)


def method_pages() -> None:
    folder = OUT / "methods"
    folder.mkdir(parents=True, exist_ok=True)
    toc = []
    for stem, (title, module, result, references, studies) in METHODS.items():
        assumptions = getattr(_object(result), "assumptions", "")
        parts = [
            f"# {title}",
            "",
            f"From the docstring of `{module}` (the API reference has every function):",
            "",
            "```{eval-rst}",
            _rubrics(inspect.getdoc(__import__(module, fromlist=["_"])) or ""),
            "```",
            "",
            "## What it assumes",
            "",
            str(assumptions),
            "",
        ]
        if studies:
            parts += ["## The studies that checked it", ""]
            parts += [_study(s) + "\n" for s in studies]
        if references:
            parts += ["## References", ""] + [f"- {r}" for r in references] + [""]
        (folder / f"{stem}.md").write_text("\n".join(parts), encoding="utf-8")
        toc.append(stem)
    index = ["# Methods", "", "```{toctree}", ":maxdepth: 1", "", *toc, "```", ""]
    (folder / "index.md").write_text("\n".join(index), encoding="utf-8")


def gallery() -> None:
    from analysis.artefacts import SECTIONS, figures
    from analysis.report import PREVIEW_DRAWS, caption, draw_figures, fit_all, load_inputs, preview_data

    folder = OUT / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        inputs = load_inputs(preview_data(Path(tmp)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = fit_all(inputs)
        draw_figures(inputs, results, folder, workers=1)
    parts = [
        "# Gallery",
        "",
        "Every figure the report draws, from the list in `analysis/artefacts.py`, drawn here on the "
        f"shipped data with fewer bootstrap draws than the report ({', '.join(f'{k} = {v}' for k, v in PREVIEW_DRAWS.items())}). "
        "`inp` is what `analysis.report.load_inputs(data_dir())` returns (the data files and the study), "
        "`r` what `analysis.report.fit_all(inp)` returns (every fitted result, by name), `ax` an Axes.",
        "",
    ]
    for stem, figure in figures().items():
        code = textwrap.dedent(inspect.getsource(figure.draw)).strip().rstrip(",")
        parts += [
            f"## {caption(figure, inputs.study)}",
            "",
            f"Section: {SECTIONS[figure.section]} Sources: {', '.join(figure.sources)}.",
            "",
            f"![{stem}](gallery/{stem}.png)",
            "",
            "```python",
            code,
            "```",
            "",
        ]
    (OUT / "gallery.md").write_text("\n".join(parts), encoding="utf-8")


def notebooks() -> None:
    folder = OUT / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(path, folder / path.name)


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    notebooks()
    method_pages()
    gallery()


if __name__ == "__main__":
    main()

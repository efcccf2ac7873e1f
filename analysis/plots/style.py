"""The packaged look shared by every figure: style, axes, source line, saving, words for codes."""

from __future__ import annotations

import contextlib
from importlib import resources
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

SOURCE_LINE = (
    "Source: analysis incident list (official and media-confirmed rows) and public Pentagon tallies."
)


_GROUP_COLUMNS = ("country", "weapon", "target_type", "actor_class", "location", "confirmation")


#: Human names for coded values shown on figures.
HUMAN = {
    "one_way_drone": "one-way drone",
    "ballistic_missile": "ballistic missile",
    "small_arms": "small arms",
    "ied": "IED",
    "mixed": "rockets and drones",
    "drone_dropped": "drone-dropped munitions",
    "base": "bases",
    "convoy": "convoys",
    "diplomatic": "diplomatic sites",
    "other": "other",
    "iran_state": "Iran (state)",
    "militia": "militias",
}


def human(value) -> str:
    """A coded value in words (``one_way_drone`` -> ``one-way drone``).

    Examples
    --------
    >>> human("one_way_drone")
    'one-way drone'
    """
    return HUMAN.get(value, str(value).replace("_", " "))


_SHADES = ["#eaf2f8", "#fdedec", "#f4f6f6", "#fef5e7", "#e9f7ef", "#f5eef8"]


@contextlib.contextmanager
def style():
    """Context manager applying the packaged matplotlib style, then restoring rcParams.

    Only ``backend`` and ``interactive`` survive the context: the first
    figure of a Jupyter session activates the inline backend inside it, and
    undoing that would stop figures from showing.
    """
    path = resources.files("analysis") / "styles" / "analysis.mplstyle"
    with plt.style.context(str(path)):
        yield
        activated = {k: matplotlib.rcParams[k] for k in ("backend", "interactive")}
    matplotlib.rcParams.update(activated)


def styled_axes(ax=None, figsize=None):
    """Return ``ax``, or a new Axes on a figure made in the packaged style.

    Examples
    --------
    >>> ax = styled_axes(figsize=(4, 3))
    >>> ax.figure.get_layout_engine() is not None
    True
    """
    if ax is not None:
        return ax
    with style():
        _, ax = plt.subplots(figsize=figsize)
    return ax


def add_source_line(ax, text: str = SOURCE_LINE):
    """Write a source line at the foot of the figure.

    It is the figure's ``supxlabel`` so constrained layout keeps it clear of the
    tick labels.
    """
    ax.figure.supxlabel(text, x=0.01, ha="left", fontsize=6.5, color="#555555")
    return ax


def _shade_periods(ax, periods, label=True):
    for i, p in enumerate(periods or []):
        ax.axvspan(
            pd.Timestamp(p.start),
            pd.Timestamp(p.end) + pd.Timedelta(days=1),
            color=_SHADES[i % len(_SHADES)],
            zorder=0,
            lw=0,
        )
        if label:
            ax.text(
                pd.Timestamp(p.start),
                1.0,
                p.label,
                transform=ax.get_xaxis_transform(),
                fontsize=6,
                rotation=90,
                va="top",
                ha="left",
                color="#555555",
            )


def save_figure(fig, stem: str | Path) -> list[Path]:
    """Save ``stem.svg`` and ``stem.png`` byte-reproducibly; return the paths.

    SVG: fixed hash salt, no date; PNG: no Software tag. The per-figure salt
    is the file name, so inlined SVGs keep distinct element ids.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context({"svg.hashsalt": stem.name, "svg.fonttype": "path"}):
        fig.savefig(stem.with_suffix(".svg"), format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(stem.with_suffix(".png"), format="png", metadata={"Software": None}, dpi=150)
    return [stem.with_suffix(".svg"), stem.with_suffix(".png")]


def _level(result) -> str:
    """The result's confidence level in words (``95%`` when it carries no ``alpha``)."""
    from analysis.study import confidence_words

    return confidence_words(getattr(result, "alpha", 0.05))

"""Every public plot_* function: ax=None gives new Axes, ax=given is drawn on and returned, no plt.show(),
rcParams untouched, and its labels follow the result's alpha and the counts' frequency."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from analysis import plots

CALLS = {
    "plot_timeline": lambda d, ax: plots.plot_timeline(d["inc"], d["study"].periods, d["ctx"], ax=ax),
    "plot_by_month": lambda d, ax: plots.plot_by_month(d["inc"], "weapon", ax=ax),
    "plot_coverage": lambda d, ax: plots.plot_coverage(d["inc"], d["tal"], d["study"].period("surge"), ax=ax),
    "plot_sites": lambda d, ax: plots.plot_sites(d["inc"], d["loc"], ax=ax),
    "plot_period_rates": lambda d, ax: plots.plot_period_rates(d["cmp"], d["tcmp"], ax=ax),
    "plot_rate_ratios": lambda d, ax: plots.plot_rate_ratios(d["cmp"], ax=ax),
    "plot_headline": lambda d, ax: plots.plot_headline(d["headline"], ax=ax),
    "plot_its": lambda d, ax: plots.plot_its(d["its"], ax=ax),
    "plot_changepoints": lambda d, ax: plots.plot_changepoints(d["cp"], ax=ax),
    "plot_penalty_path": lambda d, ax: plots.plot_penalty_path(d["path"], ax=ax),
    "plot_self_excitation": lambda d, ax: plots.plot_self_excitation(d["se"], ax=ax),
    "plot_trigger_windows": lambda d, ax: plots.plot_trigger_windows(d["tw"], ax=ax),
    "plot_hawkes": lambda d, ax: plots.plot_hawkes(d["hawkes"], ax=ax),
    "plot_undercount": lambda d, ax: plots.plot_undercount(d["under"], ax=ax),
    "plot_adjusted_ratio": lambda d, ax: plots.plot_adjusted_ratio(d["adj"], ax=ax),
    "plot_group_changes": lambda d, ax: plots.plot_group_changes(d["groups"], ax=ax),
}

#: Where each plot states a confidence level or a bin width, and what it must say.
LABELS = {
    "plot_period_rates": ("xlabel", "90% CI"),
    "plot_rate_ratios": ("xlabel", "90% CI"),
    "plot_headline": ("xlabel", "90% CI"),
    "plot_its": ("ylabel", "attacks per week"),
    "plot_timeline": ("ylabel", "attacks per week"),
    "plot_by_month": ("ylabel", "attacks per month"),
    "plot_self_excitation": ("title", "90% CI"),
    "plot_group_changes": ("xlabel", "90% CI"),
}


def _text(ax, where: str) -> str:
    """An axis label, or the title wherever the style places it (the packaged style puts it left)."""
    if where == "title":
        return " ".join(ax.get_title(loc=loc) for loc in ("left", "center", "right"))
    return getattr(ax, f"get_{where}")()


def test_every_public_plot_function_is_checked():
    public = {name for name in plots.__all__ if name.startswith("plot_")}
    assert public == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_plot_contract(fitted, name, monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(1))
    before = dict(matplotlib.rcParams)
    ax = CALLS[name](fitted, None)
    assert isinstance(ax, matplotlib.axes.Axes) and ax.has_data()
    _, given = plt.subplots()
    assert CALLS[name](fitted, given) is given
    assert dict(matplotlib.rcParams) == before and not shown
    if name in LABELS:
        where, words = LABELS[name]
        assert words in _text(ax, where)
    texts = [_text(ax, w) for w in ("xlabel", "ylabel", "title")]
    if ax.get_legend():
        texts += [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("95%" in t for t in texts), texts
    plt.close("all")

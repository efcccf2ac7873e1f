"""Plot functions: ax=None, return the Axes, no plt.show(), rcParams untouched."""

import matplotlib
import matplotlib.pyplot as plt
import pytest

import analysis
from analysis import plots
from analysis.models.rates import compare_periods
from analysis.models.tallies import rates_from_tallies


@pytest.fixture(scope="module")
def shipped():
    inc = analysis.load_incidents()
    per = analysis.load_periods()
    return {
        "inc": inc,
        "per": per,
        "ctx": analysis.load_context_events(),
        "tal": analysis.load_tallies(),
        "loc": analysis.load_locations(),
        "cmp": compare_periods(inc, per, reference="calm"),
        "tcmp": rates_from_tallies(analysis.load_tallies(), per, reference="calm"),
    }


CALLS = {
    "timeline": lambda d, ax: plots.plot_timeline(d["inc"], d["per"], d["ctx"], ax=ax),
    "by_month": lambda d, ax: plots.plot_by_month(d["inc"], "weapon", ax=ax),
    "rates": lambda d, ax: plots.plot_period_rates(d["cmp"], d["tcmp"], ax=ax),
    "ratios": lambda d, ax: plots.plot_rate_ratios(d["cmp"], ax=ax),
    "coverage": lambda d, ax: plots.plot_coverage(
        d["inc"], d["tal"], analysis.load_study().period("surge"), ax=ax
    ),
    "sites": lambda d, ax: plots.plot_sites(d["inc"], d["loc"], ax=ax),
    "method": lambda d, ax: d["cmp"].plot(ax=ax),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_plot_contract(shipped, name, monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(1))
    before = dict(matplotlib.rcParams)
    ax = CALLS[name](shipped, None)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.has_data()
    fig, given = plt.subplots()
    assert CALLS[name](shipped, given) is given
    assert dict(matplotlib.rcParams) == before
    assert not shown
    plt.close("all")


def test_save_figure_is_byte_reproducible(tmp_path, shipped):
    paths = []
    for run in (1, 2):
        ax = plots.plot_by_month(shipped["inc"], "country")
        paths.append(plots.save_figure(ax.figure, tmp_path / f"run{run}" / "fig"))
        plt.close("all")
    for a, b in zip(*paths):
        assert a.read_bytes() == b.read_bytes()
    svg = paths[0][0].read_text()
    assert "<dc:date>" not in svg


def test_split_comparison_plots_every_period_and_group():
    import matplotlib.pyplot as plt

    res = analysis.compare_periods(analysis.load_incidents(), study=analysis.load_study(), by="country")
    for ax in (res.plot(), analysis.plot_rate_ratios(res)):
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert len(labels) == len(res.wide) and any("Syria" in label for label in labels)
        plt.close(ax.figure)


def test_data_text_with_dollar_signs_is_drawn_as_text_not_mathtext():
    import io

    import matplotlib.pyplot as plt

    from analysis.plots import style, styled_axes

    bad = "$\\frac{$ base"  # a site name a user might type; malformed as a formula
    fig, ax = plt.subplots()
    ax.set_title(bad)
    with pytest.raises(ValueError):  # matplotlib's own default reads it as mathtext and fails
        fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)
    with style():
        ax = styled_axes(None)
        ax.set_title(bad)
        ax.set_yticks([0], [bad])
        ax.figure.savefig(io.BytesIO(), format="svg")  # the packaged style draws it as plain text
    plt.close(ax.figure)

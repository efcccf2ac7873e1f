import pandas as pd
import pytest

from analysis.counts import daily_counts, select_incidents
from analysis.errors import ArgumentError
from analysis.scope import get_scope


def _inc(dates, **cols):
    frame = pd.DataFrame({"event_date": pd.to_datetime(dates)})
    frame["confirmation"] = cols.pop("confirmation", ["official"] * len(dates))
    frame["target_type"] = cols.pop("target_type", ["base"] * len(dates))
    for k, v in cols.items():
        frame[k] = v
    return frame


def test_zero_filled_daily_counts():
    out = daily_counts(_inc(["2024-01-01", "2024-01-01", "2024-01-04"]))
    assert out["events"].tolist() == [2, 0, 0, 1]
    assert out.index.freqstr == "D" and out["events"].dtype == "int64"


def test_by_category_and_explicit_range():
    inc = _inc(["2024-01-02", "2024-01-02", "2024-01-03"], country=["Iraq", "Syria", "Iraq"])
    out = daily_counts(inc, by="country", start="2024-01-01", end="2024-01-05")
    assert list(out.columns) == ["Iraq", "Syria"]
    assert out["Iraq"].tolist() == [0, 1, 1, 0, 0]
    assert out["Syria"].tolist() == [0, 1, 0, 0, 0]


def test_by_several_columns_gives_one_column_per_combination():
    inc = _inc(
        ["2024-01-01", "2024-01-01", "2024-01-02"],
        country=["Iraq", "Syria", "Iraq"],
        weapon=["rocket", "rocket", "one_way_drone"],
    )
    out = daily_counts(inc, by=["country", "weapon"])
    assert out.columns.names == ["country", "weapon"]
    assert out[("Iraq", "rocket")].tolist() == [1, 0]
    assert out[("Iraq", "one_way_drone")].tolist() == [0, 1]
    assert int(out.to_numpy().sum()) == 3


def test_weekly_bins_start_on_monday_and_monthly_on_the_first():
    inc = _inc(["2024-01-01", "2024-01-07", "2024-01-08", "2024-02-29"])
    weekly = daily_counts(inc, freq="W")
    assert weekly.index[0] == pd.Timestamp("2024-01-01")  # a Monday
    assert weekly["events"].iloc[:2].tolist() == [2, 1]
    monthly = daily_counts(inc, freq="M")
    assert monthly["events"].tolist() == [3, 1]
    assert weekly["events"].sum() == monthly["events"].sum() == 4


def test_default_is_the_default_scope_everywhere():
    inc = _inc(
        ["2024-01-01", "2024-01-02", "2024-01-03"],
        confirmation=["official", "claim", "media"],
        target_type=["base", "base", "convoy"],
    )
    assert daily_counts(inc)["events"].sum() == 1
    assert len(select_incidents(inc)) == len(get_scope(None).select(inc)) == 1
    assert daily_counts(inc, scope="all_attacks")["events"].sum() == 2
    assert daily_counts(inc, scope=get_scope("all_attacks", confirmation=None))["events"].sum() == 3


def test_bad_arguments_are_clear():
    with pytest.raises(ArgumentError, match="freq='H' is not allowed"):
        daily_counts(_inc(["2024-01-01"]), freq="H")
    with pytest.raises(ArgumentError, match="start"):
        daily_counts(_inc(["2024-01-01"]), start="2024-02-01", end="2024-01-01")
    with pytest.raises(ArgumentError, match="by='province'"):
        daily_counts(_inc(["2024-01-01"]), by=["province"])


def test_every_public_counting_path_gives_one_number(incidents):
    """daily_counts, select_incidents, attacks_by_site, the scope funnel and compare_periods agree."""
    import warnings

    import analysis

    n = int(daily_counts(incidents)["events"].sum())
    assert n == len(select_incidents(incidents)) == int(analysis.attacks_by_site(incidents)["attacks"].sum())
    assert n == int(analysis.scope_funnel(incidents)["rows_left"].iloc[-1])
    assert n == int(daily_counts(incidents, freq="MS", by="country").to_numpy().sum())
    whole = {"all": (incidents.attrs["coverage"][0], incidents.attrs["coverage"][1])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = analysis.compare_periods(incidents, whole)
    assert int(res.wide["events"].iloc[0]) == n


def test_the_figures_count_what_the_models_count(incidents):
    """The timeline's bars, the monthly stacks and the coverage curve add up to the models' counts."""
    import warnings

    import matplotlib.pyplot as plt

    import analysis

    study = analysis.load_study()
    n = len(select_incidents(incidents))
    ax = analysis.plot_timeline(incidents, study.periods)
    assert sum(b.get_height() for c in ax.containers for b in c) == n
    ax = analysis.plot_by_month(incidents, "country")
    # One labelled stack per country; the part-month outline drawn over the last month has no label.
    stacks = [c for c in ax.containers if not c.get_label().startswith("_")]
    assert sum(b.get_height() for c in stacks for b in c) == n
    surge = study.period("surge")
    ax = analysis.plot_coverage(incidents, analysis.load_tallies(), surge)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        events = analysis.compare_periods(incidents, [surge]).wide["events"].iloc[0]
    assert ax.lines[0].get_ydata()[-1] == events
    plt.close("all")

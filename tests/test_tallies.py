"""rates_from_tallies and tally_increments: official running totals turned into period rates."""

import numpy as np
import pandas as pd
import pytest
from conftest import incidents_on as _incidents
from conftest import period as _p

import analysis
from analysis.models.exact import garwood_interval
from analysis.models.tallies import rates_from_tallies, tally_increments


def _tallies(rows):
    frame = pd.DataFrame(rows, columns=["tally_id", "as_of", "window_start", "count", "qualifier"])
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    frame["window_start"] = pd.to_datetime(frame["window_start"])
    frame["official"] = True
    frame["scope"] = "all"
    return frame


def test_tally_increments_and_boundary_apportioning():
    t = _tallies(
        [
            ("a", "2023-01-10", "2023-01-01", 10, "exact"),
            ("b", "2023-01-20", "2023-01-01", 30, "exact"),
            (
                "c",
                "2023-01-15",
                "2023-01-01",
                5,
                "exact",
            ),  # lower than an earlier one? no: earlier as_of is a (10) -> skipped
        ]
    )
    inc = tally_increments(t)
    assert inc["count"].tolist() == [10.0, 20.0]
    assert inc["days"].tolist() == [10, 10]
    periods = [_p("first", "2023-01-01", "2023-01-15"), _p("second", "2023-01-16", "2023-01-20")]
    res = rates_from_tallies(t, periods, reference="first")
    tab = res.wide.set_index("period")
    # Window 11-20 Jan (20 attacks, 10 days) straddles the boundary: 5 days each side.
    assert tab.loc["first", "events"] == pytest.approx(10 + 10)
    assert tab.loc["second", "events"] == pytest.approx(10)
    assert tab.loc["second", "rate_per_30d"] == pytest.approx(30 * 10 / 5)


def test_tallies_uncovered_period_is_empty_not_zero():
    t = _tallies([("a", "2023-01-10", "2023-01-01", 10, "more_than")])
    res = rates_from_tallies(t, [_p("a", "2023-01-01", "2023-01-10"), _p("b", "2023-03-01", "2023-03-10")])
    tab = res.wide.set_index("period")
    assert tab.loc["a", "events"] == 11  # more_than 10 counts as 11
    assert np.isnan(tab.loc["b", "events"]) and tab.loc["b", "method"] == "no tally covers this period"


def test_shipped_tallies_give_a_surge_rate():
    res = rates_from_tallies(analysis.load_tallies(), study=analysis.load_study())
    t = res.wide.set_index("period")
    assert t.loc["surge", "events"] >= 150 and t.loc["surge", "rr_ci_low"] > 5


def test_shape_allocation_follows_the_incident_list():
    """A window whose attacks all fall in its first half gives that half (period) the whole count."""
    t = _tallies([("a", "2023-01-20", "2023-01-01", 20, "exact")])
    inc = _incidents(pd.date_range("2023-01-01", "2023-01-10"))
    inc["target_type"] = "base"
    periods = [_p("first", "2023-01-01", "2023-01-10"), _p("second", "2023-01-11", "2023-01-20")]
    const = rates_from_tallies(t, periods, reference="first").wide.set_index("period")
    shape = rates_from_tallies(
        t, periods, reference="first", allocation="shape", incidents=inc
    ).wide.set_index("period")
    assert const.loc["first", "events"] == pytest.approx(10) and shape.loc[
        "first", "events"
    ] == pytest.approx(20)
    assert shape.loc["second", "events"] == pytest.approx(0)


def test_qualifiers_give_a_range_that_telescopes():
    t = _tallies(
        [
            ("a", "2023-01-10", "2023-01-01", 10, "at_least"),
            ("b", "2023-01-20", "2023-01-01", 30, "exact"),
            ("c", "2023-01-31", "2023-01-01", 50, "about"),
        ]
    )
    inc = tally_increments(t)
    assert inc["count_low"].tolist() == [10, 20, 15] and inc["count_high"].tolist() == [30, 0, 25]
    tab = rates_from_tallies(t, [_p("all", "2023-01-01", "2023-01-31")]).wide.iloc[0]
    assert (tab["events"], tab["events_low"], tab["events_high"]) == (50, 45, 55)
    assert tab["rate_ci_low"] == pytest.approx(30 * garwood_interval(45, 31)[0])

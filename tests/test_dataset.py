"""The shipped dataset itself: scope, sourcing, and the no-duplicates rule."""

import re

import pandas as pd

import analysis

SEPARATE = re.compile(
    r"second|third|separate|one of|of two|of 2|first of|another|again|later the same day", re.I
)


def test_scope_and_size():
    inc = analysis.load_incidents()
    assert len(inc) >= 300
    assert inc["event_date"].min() <= pd.Timestamp("2019-12-31")
    assert inc["event_date"].max() >= pd.Timestamp("2026-01-01")
    assert set(inc["country"]) == {"Iraq", "Syria", "Jordan"}


def test_every_row_is_sourced_and_summarised():
    inc = analysis.load_incidents()
    assert inc["source_url"].str.match(r"^https?://").all()
    assert inc["summary"].str.len().between(10, 400).all()
    assert inc["summary"].is_unique


def test_same_site_date_weapon_only_when_the_sources_say_separate_attacks():
    inc = analysis.load_incidents()
    groups = inc[inc.duplicated(["location", "event_date", "weapon"], keep=False)]
    for _, grp in groups.groupby(["location", "event_date", "weapon"]):
        marked = grp["summary"].str.contains(SEPARATE).sum()
        assert marked >= len(grp) - 1, grp[["event_id", "summary"]].to_string()


def test_event_ids_are_stable_and_sequential_where_assigned_here():
    ids = analysis.load_incidents()["event_id"]
    ours = ids[ids.str.startswith("USF-")]
    assert ours.str.match(r"^USF-\d{4}$").all() and ours.is_unique


def test_official_surge_series_is_complete_enough():
    t = analysis.load_tallies()
    surge = t[(t["window_start"] == pd.Timestamp("2023-10-17")) & t["official"]]
    assert len(surge) >= 15
    assert {"calm", "surge"} <= {p.name for p in analysis.load_periods()}

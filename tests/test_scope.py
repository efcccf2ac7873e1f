"""Tests for analysis.scope: the presets, custom scopes and the funnel from rows to counted attacks."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import ArgumentError
from analysis.scope import SCOPES, Scope, get_scope, scope_funnel


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Incident rows as (event_id, confirmation, target_type, country, weapon, disputed)."""
    columns = ["event_id", "confirmation", "target_type", "country", "weapon", "disputed"]
    out = pd.DataFrame(rows, columns=columns)
    out["actor_class"] = "militia"
    out["disputed"] = out["disputed"].astype("boolean")
    return out


MIXED = frame(
    [
        ("official-base", "official", "base", "Iraq", "rocket", False),
        ("media-base", "media", "base", "Syria", "one_way_drone", False),
        ("claim-base", "claim", "base", "Iraq", "rocket", False),
        ("state-base", "state_media", "base", "Syria", "rocket", False),
        ("media-convoy", "media", "convoy", "Iraq", "ied", False),
        ("official-embassy", "official", "diplomatic", "Iraq", "rocket", False),
        ("disputed-base", "official", "base", "Jordan", "one_way_drone", True),
        ("unmarked-base", "media", "base", "Iraq", "rocket", pd.NA),
    ]
)


def test_pentagon_keeps_official_and_media_attacks_on_bases_and_drops_disputed_ones():
    kept = get_scope("pentagon").select(MIXED)["event_id"].tolist()
    assert kept == ["official-base", "media-base", "unmarked-base"]


def test_all_attacks_keeps_every_target_and_disputed_rows_but_not_claims():
    kept = set(get_scope("all_attacks").select(MIXED)["event_id"])
    assert kept == {
        "official-base",
        "media-base",
        "media-convoy",
        "official-embassy",
        "disputed-base",
        "unmarked-base",
    }


def test_the_default_scope_is_pentagon_and_changes_make_a_custom_copy():
    assert get_scope(None) == SCOPES["pentagon"]
    syria = get_scope(None, countries="Syria")
    assert syria.countries == ("Syria",) and syria.name == "pentagon+"
    assert syria.select(MIXED)["event_id"].tolist() == ["media-base"]
    assert SCOPES["pentagon"].countries is None  # the preset itself is unchanged


def test_an_unknown_preset_raises_argument_error_naming_every_allowed_preset():
    with pytest.raises(ArgumentError) as err:
        get_scope("bases")
    message = str(err.value)
    assert message.startswith("scope='bases' is not allowed")
    assert all(repr(name) in message for name in SCOPES)


def test_an_unknown_filter_value_or_field_is_named():
    with pytest.raises(ArgumentError, match="weapons='drone' is not allowed"):
        Scope(weapons=("drone",))
    with pytest.raises(ArgumentError, match="scope field='weapon' is not allowed"):
        get_scope("pentagon").replace(weapon="rocket")
    with pytest.raises(ArgumentError, match="countries=\\(\\) is not allowed"):
        Scope(countries=())


def test_a_filter_on_a_missing_column_is_an_argument_error():
    with pytest.raises(ArgumentError, match="a frame without column 'weapon'"):
        get_scope("pentagon", weapons="rocket").select(MIXED.drop(columns="weapon"))


def test_describe_puts_every_filter_in_words():
    scope = get_scope("all_attacks", countries=["Iraq", "Syria"], weapons="one_way_drone")
    assert scope.describe() == "official or media-confirmed attacks, in Iraq and Syria, by one-way-drone"
    assert get_scope("with_claims").describe() == "all reported (claims included) attacks on bases"


def test_funnel_steps_follow_the_filters_and_the_counts_add_up():
    funnel = scope_funnel(MIXED, "pentagon")
    assert funnel["step"].tolist() == ["all rows", "confirmation", "target type", "include disputed"]
    assert funnel["rows_left"].tolist() == [8, 6, 4, 3]
    assert funnel["rows_removed"].tolist() == [0, 2, 2, 1]


def test_funnel_on_the_shipped_list_ends_at_the_counted_rows(incidents):
    funnel = scope_funnel(incidents)
    left = funnel["rows_left"]
    assert left.iloc[0] == len(incidents)
    assert left.iloc[-1] == len(get_scope("pentagon").select(incidents))
    assert (funnel["rows_removed"] >= 0).all()
    assert funnel["rows_removed"].sum() == left.iloc[0] - left.iloc[-1]

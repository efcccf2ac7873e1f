"""Tests for analysis.sections: figure credits, tables in readers' words, the appendix of attacks."""

from __future__ import annotations

import pandas as pd

from analysis.artefacts import figures
from analysis.sections import appendix, figure_credit, humanise


def test_a_figure_credit_names_only_the_sources_it_draws_on():
    credit = figure_credit("triggers", "28 March 2026")
    assert credit == (
        "Source: incident list (data/incidents.csv); dated US strikes and escalations "
        "(data/context_events.csv). Data through 28 March 2026."
    )
    assert "tallies" not in credit


def test_every_captioned_figure_has_a_credit_and_an_unknown_one_credits_the_incident_list():
    for stem in figures():
        assert figure_credit(stem, "1 May 2026").startswith("Source: incident list")
    assert figure_credit("no_such_figure", "1 May 2026") == (
        "Source: incident list (data/incidents.csv). Data through 1 May 2026."
    )


def test_humanise_puts_codes_and_column_names_in_words_and_leaves_links_and_numbers():
    frame = pd.DataFrame(
        {
            "period": ["early_calm", "surge"],
            "label": ["Early calm", "Surge"],
            "weapon": ["one_way_drone", "rocket"],
            "source_url": ["https://example.org/a_b", "data/incidents_2024.csv"],
            "rate_ratio": [1.5, 2.0],
            "p_holm": [0.01, 0.2],
        }
    )
    out = humanise(frame, {"early_calm": "Early calm"})
    assert out.columns.tolist() == ["period", "weapon", "source url", "rate ratio", "p (Holm)"]
    assert out["period"].tolist() == ["Early calm", "surge"]
    assert out["weapon"].tolist() == ["one-way drone", "rocket"]
    assert out["source url"].tolist() == ["https://example.org/a_b", "data/incidents_2024.csv"]
    assert out["rate ratio"].tolist() == [1.5, 2.0]
    assert frame.columns[0] == "period" and "label" in frame  # the input is not changed


def test_humanise_rewrites_codes_inside_sentences():
    out = humanise(pd.DataFrame({"note": ["drone_dropped near late_calm end"]}), {"late_calm": "Late calm"})
    assert out["note"].tolist() == ["drone-dropped munitions near Late calm end"]


def test_appendix_lists_each_attack_with_a_link_per_page():
    counted = pd.DataFrame(
        {
            "event_id": ["USF-0001", "USF-0002"],
            "event_date": pd.to_datetime(["2024-01-05", "2024-01-06"]),
            "location": ["Ain al-Asad", "Tower 22"],
            "country": ["Iraq", "Jordan"],
            "weapon": ["one_way_drone", "ballistic_missile"],
            "target_type": ["base", "base"],
            "confirmation": ["official", "media"],
            "summary": ["Drone attack.", "Missile attack."],
            "source_url": ["https://www.reuters.com/a", "https://apnews.com/b"],
            "other_sources": ["https://www.bbc.co.uk/c; ;https://x.org/d", None],
        }
    )
    first, second = appendix(counted)
    assert first["date"] == "2024-01-05" and first["site"] == "Ain al-Asad"
    assert first["weapon"] == "one-way drone" and first["target"] == "bases"
    assert first["links"] == [
        {"label": "reuters.com", "url": "https://www.reuters.com/a"},
        {"label": "bbc.co.uk", "url": "https://www.bbc.co.uk/c"},
        {"label": "x.org", "url": "https://x.org/d"},
    ]
    assert second["links"] == [{"label": "apnews.com", "url": "https://apnews.com/b"}]
    assert second["weapon"] == "ballistic missile" and not second["disputed"]


def test_a_disputed_row_is_marked_disputed_in_the_appendix():
    """disputed is a nullable boolean in the loaded data; True shows, missing does not."""
    counted = pd.DataFrame(
        {
            "event_id": ["USF-0001", "USF-0002", "USF-0003"],
            "event_date": pd.to_datetime(["2024-01-05", "2024-01-06", "2024-01-07"]),
            "location": ["Ain al-Asad"] * 3,
            "country": ["Iraq"] * 3,
            "weapon": ["rocket"] * 3,
            "target_type": ["base"] * 3,
            "confirmation": ["official"] * 3,
            "summary": ["A.", "B.", "C."],
            "source_url": ["https://a.org/1"] * 3,
            "other_sources": [None] * 3,
            "disputed": pd.array([True, False, None], dtype="boolean"),
        }
    )
    assert [row["disputed"] for row in appendix(counted)] == [True, False, False]

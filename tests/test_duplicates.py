"""Possible double counts: candidate pairs and the review file's decisions."""

from __future__ import annotations

import pandas as pd
from conftest import INCIDENT_COLUMNS, incident_row, write_csv

from analysis.data.duplicates import REVIEW_COLUMNS, duplicate_candidates, duplicate_failures


def _frame(rows):
    return pd.DataFrame(rows).assign(event_date=lambda f: pd.to_datetime(f["event_date"]))


def test_candidates_need_the_same_place_a_day_apart_and_compatible_weapons():
    base = {"country": "Iraq", "location": "X", "latitude": 33.0, "longitude": 44.0}
    rows = [
        {"event_id": "A", "event_date": "2024-01-01", "weapon": "rocket", **base},
        {"event_id": "B", "event_date": "2024-01-02", "weapon": "unknown", **base},
        {"event_id": "C", "event_date": "2024-01-02", "weapon": "one_way_drone", **base},
        {"event_id": "D", "event_date": "2024-01-04", "weapon": "rocket", **base},
        {
            **base,
            "event_id": "E",
            "event_date": "2024-01-01",
            "weapon": "rocket",
            "location": "Y",
            "latitude": 33.05,
        },
        {
            **base,
            "event_id": "F",
            "event_date": "2024-01-01",
            "weapon": "rocket",
            "location": "Z",
            "latitude": 34.0,
        },
    ]
    pairs = {tuple(p) for p in duplicate_candidates(_frame(rows))[["event_id_a", "event_id_b"]].to_numpy()}
    # E is 5.6 km from X, F 111 km; C's drone is not compatible with A's rockets; D is three days later.
    assert pairs == {("A", "B"), ("A", "E"), ("B", "C"), ("E", "B")}


def test_an_undecided_pair_fails_at_the_later_row_and_a_decided_one_passes(data_folder):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[1].update(event_date=rows[0]["event_date"], location=rows[0]["location"], weapon=rows[0]["weapon"])
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    review = data_folder / "duplicate_review.csv"
    write_csv(review, REVIEW_COLUMNS, [])
    failures = duplicate_failures(path)
    assert len(failures) >= 1
    first = failures.iloc[0]
    assert (first["file"], first["check"]) == (str(path), "duplicate_pair_decided")
    assert "T-0002" in first["value"] or "T-0001" in first["value"]
    decided = [
        {"event_id_a": a, "event_id_b": b, "decision": "kept", "reason": "two statements"}
        for a, b in duplicate_candidates(_frame_of(path))[["event_id_a", "event_id_b"]].to_numpy()
    ]
    write_csv(review, REVIEW_COLUMNS, decided)
    assert duplicate_failures(path).empty
    decided[0]["decision"] = "maybe"
    write_csv(review, REVIEW_COLUMNS, decided)
    bad = duplicate_failures(path)
    assert (bad["line"].iloc[0], bad["column"].iloc[0], bad["value"].iloc[0]) == (2, "decision", "maybe")


def _frame_of(path):
    frame = pd.read_csv(path)
    frame["event_date"] = pd.to_datetime(frame["event_date"])
    return frame


def test_a_merged_pair_names_the_retired_id_and_that_row_is_gone(data_folder):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[1].update(event_date=rows[0]["event_date"], location=rows[0]["location"], weapon=rows[0]["weapon"])
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    review = data_folder / "duplicate_review.csv"
    pair = {"event_id_a": "T-0001", "event_id_b": "T-0002", "decision": "merged", "reason": "one attack"}
    write_csv(review, REVIEW_COLUMNS, [{**pair, "retired": ""}])
    bad = duplicate_failures(path)
    assert (bad["line"].iloc[0], bad["column"].iloc[0]) == (2, "retired")
    write_csv(review, REVIEW_COLUMNS, [{**pair, "retired": "T-0002"}])
    still = duplicate_failures(path)
    assert still["value"].iloc[0] == "T-0002" and "still in incidents.csv" in still["message"].iloc[0]
    write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, [rows[0], *rows[2:]])
    after = duplicate_failures(path)
    assert "retired" not in set(after["column"]) and not after["value"].str.contains("T-0002").any()


def test_the_shipped_record_has_every_candidate_pair_decided():
    from analysis.data import data_dir

    review = pd.read_csv(data_dir() / "duplicate_review.csv", dtype=str, keep_default_na=False)
    assert duplicate_failures(data_dir() / "incidents.csv").empty
    assert set(review["decision"]) == {"kept", "merged"}
    assert (review["first_reader"] != "").all() and (review["second_reader"] != "").all()

"""Shared fixtures: small, valid data files written into a temporary folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

INCIDENT_COLUMNS = (
    "event_id,event_date,time_precision,country,admin1,location,latitude,longitude,geo_precision,"
    "target_type,weapon,munitions,outcome,us_killed,us_wounded,claimed_by,attributed_to,actor_class,"
    "confirmation,source_url,other_sources,summary"
).split(",")
LOCATION_COLUMNS = "location,country,admin1,latitude,longitude,aliases,source_url".split(",")


def incident_row(i: int = 1, **overrides) -> dict:
    row = {
        "event_id": f"T-{i:04d}",
        "event_date": f"2023-11-{(i % 28) + 1:02d}",
        "time_precision": "1",
        "country": "Iraq",
        "admin1": "Anbar",
        "location": "Test Base",
        "latitude": "33.8",
        "longitude": "42.4",
        "geo_precision": "1",
        "target_type": "base",
        "weapon": "rocket",
        "munitions": "3",
        "outcome": "impact",
        "us_killed": "",
        "us_wounded": "",
        "claimed_by": "",
        "attributed_to": "",
        "actor_class": "militia",
        "confirmation": "media",
        "source_url": f"https://example.org/report/{i}",
        "other_sources": "",
        "summary": "Rockets fired at the test base; no damage reported.",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    """A folder with a valid gazetteer and ten valid incidents."""
    write_csv(
        tmp_path / "locations.csv",
        LOCATION_COLUMNS,
        [
            {
                "location": "Test Base",
                "country": "Iraq",
                "admin1": "Anbar",
                "latitude": "33.8",
                "longitude": "42.4",
                "aliases": "TB",
                "source_url": "https://example.org/site",
            }
        ],
    )
    write_csv(tmp_path / "incidents.csv", INCIDENT_COLUMNS, [incident_row(i) for i in range(1, 11)])
    return tmp_path


@pytest.fixture(scope="session")
def incidents():
    """The shipped incident list, loaded once (with its sources joined)."""
    from analysis import load_incidents

    return load_incidents()

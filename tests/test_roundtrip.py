"""Property tests: any valid incident list survives save -> load -> save -> load unchanged.

The strategies are our own rather than ``IncidentSchema.strategy()``: pandera
cannot generate data for our custom rules (dates not in the future,
coordinates inside the region, the gazetteer), so it would reject almost
every example. Text is drawn from all of Unicode (but no surrogates or NUL),
so commas, quotes, newlines and non-Latin scripts all get exercised.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import load_incidents
from analysis.data import save_csv
from analysis.schema import (
    ACTOR_CLASSES,
    CONFIRMATIONS,
    COUNTRIES,
    FIRST_DATE,
    ID_PATTERN,
    MAX_COUNT,
    OUTCOMES,
    PLAIN_TEXT_PATTERN,
    REGION_BBOX,
    SCHEMAS,
    TARGET_TYPES,
    URL_LIST_PATTERN,
    URL_PATTERN,
    WEAPONS,
)

COLUMNS = list(SCHEMAS["incidents"].to_schema().columns)
LOCATION_COLUMNS = list(SCHEMAS["locations"].to_schema().columns)
SITES = ["Site A", "Site, with comma", 'Site "quoted"', "موقع"]
#: One target type per site (the schema's one_target_type_per_site); any row may be "other".
SITE_TYPES = dict(zip(SITES, ["base", "diplomatic", "convoy", "base"]))
assert set(SITE_TYPES.values()) | {"other"} <= set(TARGET_TYPES)
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.text(CHARS, min_size=1, max_size=40)


def _maybe(strategy):
    return st.none() | strategy


def _count():
    return _maybe(st.integers(0, MAX_COUNT).map(str))


def _coordinates():
    lat = st.floats(REGION_BBOX["lat_min"], REGION_BBOX["lat_max"], allow_nan=False)
    lon = st.floats(REGION_BBOX["lon_min"], REGION_BBOX["lon_max"], allow_nan=False)
    return st.just((None, None)) | st.tuples(lat.map(repr), lon.map(repr))


SUMMARY = st.text(CHARS, min_size=10, max_size=400).filter(lambda s: re.match(PLAIN_TEXT_PATTERN, s))


@st.composite
def incident(draw, event_id: str) -> dict:
    lat, lon = draw(_coordinates())
    date = draw(st.dates(FIRST_DATE.date(), dt.date.today()))
    return {
        "event_id": event_id,
        "event_date": date.isoformat(),
        "time_precision": draw(st.sampled_from("123")),
        "country": draw(st.sampled_from(COUNTRIES)),
        "admin1": draw(_maybe(TEXT)),
        "location": (site := draw(st.sampled_from(SITES))),
        "latitude": lat,
        "longitude": lon,
        "geo_precision": draw(st.sampled_from("123")),
        "target_type": draw(st.sampled_from([SITE_TYPES[site], "other"])),
        "weapon": draw(st.sampled_from(WEAPONS)),
        "munitions": draw(_count()),
        "outcome": draw(st.sampled_from(OUTCOMES)),
        "us_killed": draw(_count()),
        "us_wounded": draw(_count()),
        "claimed_by": draw(_maybe(TEXT)),
        "attributed_to": draw(_maybe(TEXT)),
        "actor_class": draw(st.sampled_from(ACTOR_CLASSES)),
        "confirmation": draw(st.sampled_from(CONFIRMATIONS)),
        "source_url": draw(st.from_regex(URL_PATTERN, fullmatch=True, alphabet=CHARS)),
        "other_sources": draw(_maybe(st.from_regex(URL_LIST_PATTERN, fullmatch=True, alphabet=CHARS))),
        "summary": draw(SUMMARY),
    }


@st.composite
def incident_lists(draw) -> list[dict]:
    ids = draw(
        st.lists(
            st.from_regex(ID_PATTERN, fullmatch=True, alphabet=CHARS), min_size=1, max_size=8, unique=True
        )
    )
    return [draw(incident(event_id)) for event_id in ids]


def _write(path: Path, columns: list[str], rows: list[dict]) -> Path:
    # CRLF line ends make the csv module quote any text holding \r or \n (with
    # "\n" alone it would leave a bare \r unquoted, which every reader splits on).
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return path


def _gazetteer(folder: Path) -> None:
    rows = [
        {
            "location": s,
            "country": "Iraq",
            "admin1": None,
            "latitude": None,
            "longitude": None,
            "aliases": None,
            "source_url": "https://example.org/site",
        }
        for s in SITES
    ]
    _write(folder / "locations.csv", LOCATION_COLUMNS, rows)


def _load(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not one row may be excluded
        return load_incidents(path)


@pytest.mark.slow  # 40 generated files through save and load twice
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
@given(incident_lists())
def test_save_load_save_load_loses_nothing(rows):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _gazetteer(folder)
        first = _load(_write(folder / "incidents.csv", COLUMNS, rows))
        assert len(first) == len(rows)
        by_id = first.set_index("event_id")
        for row in rows:
            got = by_id.loc[row["event_id"]]
            for column in ("summary", "source_url", "admin1", "claimed_by", "other_sources"):
                assert (pd.isna(got[column]) and row[column] is None) or got[column] == row[column], column
            if row["latitude"] is not None:
                assert got["latitude"] == float(row["latitude"]) and got["longitude"] == float(
                    row["longitude"]
                )
            assert got["event_date"] == pd.Timestamp(row["event_date"])
            assert (pd.isna(got["munitions"]) and row["munitions"] is None) or got["munitions"] == int(
                row["munitions"]
            )
        second = _load(save_csv(first, folder / "again.csv"))
        pd.testing.assert_frame_equal(second, first, check_exact=True)

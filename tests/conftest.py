"""Shared fixtures: small, valid data files written into a temporary folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
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


ALPHA = 0.1  # not 0.05, so a label that types "95%" is caught


@pytest.fixture(scope="session")
def fitted(incidents):
    """Every kind of result, fitted once on the shipped data at ``alpha=ALPHA`` with few draws."""
    import warnings

    import pandas as pd

    import analysis
    from analysis.counts import daily_counts

    study = analysis.load_study().replace(alpha=ALPHA)
    tallies = analysis.load_tallies()
    strikes = analysis.load_context_events().query("category == 'us_strike'")
    pair = study.headline_pair()
    daily = daily_counts(incidents, precision="exclude", start=pair[1].start, end=pair[0].end)["events"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = analysis.capture_histories(incidents, periods=pair)
        # Three lists keep the bootstrap fast; the figures and the table shape are what is under test.
        under = analysis.estimate_undercount(
            hist, lists=["official", "claim", "media"], n_boot=20, alpha=ALPHA
        )
        return {
            "study": study,
            "inc": incidents,
            "tal": tallies,
            "loc": analysis.load_locations(),
            "ctx": analysis.load_context_events(),
            "cmp": analysis.compare_periods(incidents, study=study),
            "tcmp": analysis.rates_from_tallies(tallies, study=study),
            "headline": analysis.compute_headline(incidents, tallies, study),
            "its": analysis.interrupted_time_series(
                daily_counts(incidents, freq="W")["events"],
                at=[pd.Timestamp("2023-10-16")],
                freq="W",
                alpha=ALPHA,
            ),
            "cp": analysis.detect_changepoints(daily, n_boot=0, alpha=ALPHA),
            "path": analysis.changepoint_penalty_path(daily, 1.0, 50.0),
            "se": analysis.fit_self_excitation(incidents, study=study, n_boot=0, smooth_days=60, alpha=ALPHA),
            "tw": analysis.trigger_windows(incidents, strikes, n_perm=0, study=study, alpha=ALPHA),
            "hawkes": analysis.fit_hawkes(
                incidents.query("'2023-10-17' <= event_date <= '2024-02-04'")["event_date"],
                n_jitter=2,
                alpha=ALPHA,
            ),
            "under": under,
            "groups": analysis.compare_groups(
                analysis.count_panel(analysis.data.data_dir() / "incidents.csv", by=["country"]),
                study=study,
            ),
            "adj": analysis.undercount_adjusted_ratio(
                incidents, study=study, n_boot=20, alpha=ALPHA, undercount=under
            ),
        }


def incidents_on(dates) -> pd.DataFrame:
    """A minimal incident frame: one official attack on an Iraqi base on each date."""
    import pandas as pd

    return pd.DataFrame(
        {
            "event_date": pd.to_datetime(dates),
            "confirmation": "official",
            "country": "Iraq",
            "target_type": "base",
        }
    )


def period(name: str, start: str, end: str):
    """A Period named ``name`` from ISO dates."""
    import datetime as dt

    from analysis import Period

    return Period(name, name, dt.date.fromisoformat(start), dt.date.fromisoformat(end))

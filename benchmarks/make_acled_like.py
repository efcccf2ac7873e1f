"""Write large synthetic inputs for the loading benchmark (never real ACLED rows).

Two files of the same size, both made up from fixed word lists and a seeded
random generator:

* ``acled_like.csv``: the 31 documented ACLED export columns, with a mix of
  both ``event_date`` styles, some non-US targets and countries outside the
  region, so :func:`analysis.acled.from_acled` has something to filter;
* ``incidents.csv`` (with ``locations.csv`` beside it): every row valid in
  *our* incidents schema, so :func:`analysis.load_incidents` can be timed on
  exactly the path real data takes.

Examples
--------
Run from the repository root (about half a minute for the default million rows)::

    python benchmarks/make_acled_like.py --rows 1000000 --out benchmarks/data
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.acled import ACLED_COLUMNS
from analysis.schema import IncidentSchema

#: (name, country, admin1, latitude, longitude): made-up sites inside the region box.
SITES = [
    (f"Site {i:02d}", country, admin1, lat, lon)
    for i, (country, admin1, lat, lon) in enumerate(
        [
            ("Iraq", "Anbar", 33.80, 42.44),
            ("Iraq", "Erbil", 36.24, 43.96),
            ("Iraq", "Baghdad", 33.26, 44.23),
            ("Iraq", "Basra", 30.55, 47.66),
            ("Iraq", "Nineveh", 36.34, 43.13),
            ("Syria", "Deir ez-Zor", 35.10, 40.43),
            ("Syria", "Hasakah", 36.50, 40.75),
            ("Syria", "Homs", 33.50, 38.64),
            ("Syria", "Deir ez-Zor", 34.45, 40.92),
            ("Jordan", "Amman", 31.95, 35.93),
            ("Jordan", "Mafraq", 32.34, 36.21),
            ("Jordan", "Ma'an", 30.19, 35.73),
        ]
        * 4
    )
]


def _dates(rng: np.random.Generator, n: int) -> pd.DatetimeIndex:
    start = pd.Timestamp("2019-01-01")
    days = (pd.Timestamp("2025-12-31") - start).days
    return start + pd.to_timedelta(rng.integers(0, days + 1, n), unit="D")


def _site_types(sites: pd.DataFrame, rng: np.random.Generator) -> pd.Series:
    """A target type for each site name (most are bases), fixed for the whole file."""
    names = sites["location"].drop_duplicates().to_numpy()
    kinds = rng.choice(["base", "convoy", "diplomatic", "other"], len(names), p=[0.85, 0.1, 0.03, 0.02])
    return pd.Series(kinds, index=names)


def incidents_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` valid rows in our incidents schema, as text, in schema column order."""
    rng = np.random.default_rng(seed)
    site = rng.integers(0, len(SITES), n)
    sites = pd.DataFrame(SITES, columns=["location", "country", "admin1", "latitude", "longitude"])
    picked = sites.iloc[site].reset_index(drop=True)
    munitions = rng.integers(0, 12, n).astype(str).astype(object)
    munitions[rng.random(n) < 0.3] = ""
    wounded = rng.integers(0, 5, n).astype(str).astype(object)
    wounded[rng.random(n) < 0.8] = ""
    other = np.where(rng.random(n) < 0.2, "https://example.org/more/1; https://example.org/more/2", "")
    weapons = np.array(["rocket", "one_way_drone", "mortar", "ballistic_missile", "ied", "small_arms"])
    outcomes = np.array(["impact", "intercepted", "no_damage", "unknown"])
    weapon = weapons[rng.integers(0, len(weapons), n)]
    ids = pd.Series(np.arange(1, n + 1)).map("B-{:07d}".format)
    frame = pd.DataFrame(
        {
            "event_id": ids,
            # Sorted, with ids in date order, as a curated incident list is kept.
            "event_date": _dates(rng, n).sort_values().strftime("%Y-%m-%d"),
            "time_precision": rng.choice(["1", "2", "3"], n, p=[0.9, 0.07, 0.03]),
            "country": picked["country"],
            "admin1": picked["admin1"],
            "location": picked["location"],
            "latitude": picked["latitude"].map("{:.3f}".format),
            "longitude": picked["longitude"].map("{:.3f}".format),
            "geo_precision": rng.choice(["1", "2", "3"], n, p=[0.8, 0.15, 0.05]),
            # One target type per site, as the schema's frame-wide rule requires.
            "target_type": _site_types(sites, rng)[picked["location"]].to_numpy(),
            "weapon": weapon,
            "munitions": munitions,
            "outcome": outcomes[rng.integers(0, len(outcomes), n)],
            "us_killed": "",
            "us_wounded": wounded,
            "claimed_by": np.where(rng.random(n) < 0.3, "Islamic Resistance in Iraq", ""),
            "attributed_to": "",
            "actor_class": "militia",
            "confirmation": rng.choice(["official", "media", "claim"], n),
            "source_url": "https://example.org/report/" + ids,
            "other_sources": other,
            "summary": "Synthetic "
            + pd.Series(weapon).str.replace("_", " ")
            + " attack on "
            + picked["location"]
            + ", a made-up benchmark row; no real event.",
            "disputed": np.where(rng.random(n) < 0.02, "true", "false"),
        }
    )
    assert list(frame.columns) == list(IncidentSchema.to_schema().columns)
    return frame


def locations_frame() -> pd.DataFrame:
    """The gazetteer that matches :func:`incidents_frame`."""
    frame = pd.DataFrame(SITES, columns=["location", "country", "admin1", "latitude", "longitude"])
    return frame.drop_duplicates("location").assign(aliases="", source_url="https://example.org/site")


def acled_frame(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` made-up rows in the ACLED export layout (31 columns, text)."""
    rng = np.random.default_rng(seed)
    dates = _dates(rng, n)
    iso_dates = pd.Series(dates.strftime("%Y-%m-%d"))
    long_dates = pd.Series(dates.strftime("%d %B %Y"))
    countries = np.array(["Iraq", "Syria", "Jordan", "Lebanon", "Yemen"])
    country = countries[rng.choice(len(countries), n, p=[0.45, 0.35, 0.05, 0.1, 0.05])]
    sub_events = np.array(
        [
            "Air/drone strike",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Armed clash",
            "Grenade",
            "Peaceful protest",
        ]
    )
    sub = sub_events[rng.integers(0, len(sub_events), n)]
    us_target = rng.random(n) < 0.3
    actor2 = np.where(us_target, "Military Forces of the United States (2021-)", "Civilians (Iraq)")
    weapon_word = np.where(rng.random(n) < 0.1, "a ballistic missile", "rockets")
    notes = (
        "On "
        + long_dates
        + ", unidentified militants fired "
        + pd.Series(weapon_word)
        + np.where(us_target, " at a base hosting US forces", " at a local checkpoint")
        + ". No casualties were reported."
    )
    lat = rng.uniform(30.0, 37.0, n).round(4).astype(str)
    lon = rng.uniform(36.0, 47.0, n).round(4).astype(str)
    ids = pd.Series(np.arange(1, n + 1)).map("ACL{:07d}".format)
    frame = pd.DataFrame(
        {
            "event_id_cnty": ids,
            "event_date": np.where(rng.random(n) < 0.5, iso_dates, long_dates),
            "year": dates.year.astype(str),
            "time_precision": rng.choice(["1", "2", "3"], n, p=[0.9, 0.07, 0.03]),
            "disorder_type": "Political violence",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": sub,
            "actor1": "Islamic Resistance in Iraq",
            "assoc_actor_1": "",
            "inter1": "3",
            "actor2": actor2,
            "assoc_actor_2": "",
            "inter2": np.where(us_target, "8", "7"),
            "interaction": np.where(us_target, "38", "37"),
            "civilian_targeting": np.where(us_target, "", "Civilian targeting"),
            "iso": "368",
            "region": "Middle East",
            "country": country,
            "admin1": "Anbar",
            "admin2": "Heet",
            "admin3": "",
            "location": "Place " + pd.Series(rng.integers(0, 500, n)).astype(str),
            "latitude": lat,
            "longitude": lon,
            "geo_precision": rng.choice(["1", "2", "3"], n, p=[0.7, 0.25, 0.05]),
            "source": "Shafaq News; Rudaw",
            "source_scale": "National",
            "notes": notes,
            "fatalities": "0",
            "tags": "",
            "timestamp": "1700000000",
        }
    )
    assert list(frame.columns) == ACLED_COLUMNS
    return frame


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "data"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    incidents_frame(args.rows, args.seed).to_csv(out / "incidents.csv", index=False, lineterminator="\n")
    locations_frame().to_csv(out / "locations.csv", index=False, lineterminator="\n")
    acled_frame(args.rows, args.seed + 1).to_csv(out / "acled_like.csv", index=False, lineterminator="\n")
    for name in ("incidents.csv", "locations.csv", "acled_like.csv"):
        path = out / name
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()

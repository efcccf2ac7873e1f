"""Possible double counts: candidate pairs of rows and the decision recorded for each.

A duplicate looks like two attacks, each seen by fewer lists: it inflates counts and,
worse, multiple systems estimates. Two rows are a *candidate pair* when they are in the
same country, at most :data:`MAX_DAYS` apart, at the same site or within :data:`MAX_KM`
of each other, with compatible weapons (the same, or either unknown or mixed). The stored
pages give no reliable time of day, so time is not used.

``data/duplicate_review.csv`` holds a decision for each pair: ``kept`` (two attacks, with
the reason) or ``merged`` (one attack: the retired row is removed, logged in the
corrections log, its id never reused). ``python -m analysis validate`` fails on a
candidate pair with no decision (rule ``duplicate_pair_decided``).

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"event_id": ["A", "B", "C"], "event_date": pd.to_datetime(["2024-01-01", "2024-01-02",
...     "2024-01-09"]), "country": ["Iraq"] * 3, "location": ["X"] * 3, "latitude": [33.0] * 3,
...     "longitude": [44.0] * 3, "weapon": ["rocket", "unknown", "rocket"]})
>>> duplicate_candidates(inc)[["event_id_a", "event_id_b"]].values.tolist()
[['A', 'B']]
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.failures import FAILURE_COLUMNS

__all__ = ["MAX_DAYS", "MAX_KM", "REVIEW_COLUMNS", "duplicate_candidates", "duplicate_failures"]

MAX_DAYS = 1
MAX_KM = 15.0
#: Weapons compatible with any other (a row that does not know, or a mix).
_WILDCARD = {"unknown", "mixed"}
REVIEW_COLUMNS = ["event_id_a", "event_id_b", "decision", "retired", "reason"]
DECISIONS = ("kept", "merged")
_CHECK = "duplicate_pair_decided"


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine, km)."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(h))


def duplicate_candidates(
    incidents: pd.DataFrame, max_days: int = MAX_DAYS, max_km: float = MAX_KM
) -> pd.DataFrame:
    """Every pair of rows that could be one attack, by the rule of this module.

    Returns
    -------
    DataFrame
        event_id_a, event_id_b (a before b in date, then id order), days apart, km apart
        (NaN when a site has no coordinates and the sites differ), same_site, both dates,
        sites and weapons.
    """
    cols = ["event_id", "event_date", "country", "location", "latitude", "longitude", "weapon"]
    rows = incidents[cols].copy()
    rows["event_date"] = pd.to_datetime(rows["event_date"])
    rows = rows.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)
    # Pair each row with the later rows of the same country within max_days (a self-merge on day keys).
    rows["day"] = rows["event_date"].dt.normalize()
    pairs = []
    for shift in range(max_days + 1):
        right = rows.assign(day=rows["day"] - pd.Timedelta(days=shift))
        merged = rows.merge(right, on=["day", "country"], suffixes=("_a", "_b"))
        merged = merged[(shift > 0) | (merged["event_id_a"] < merged["event_id_b"])]
        pairs.append(merged)
    pairs = pd.concat(pairs, ignore_index=True)
    pairs = pairs[pairs["event_id_a"] != pairs["event_id_b"]]
    pairs["same_site"] = pairs["location_a"] == pairs["location_b"]
    pairs["km"] = _km(pairs["latitude_a"], pairs["longitude_a"], pairs["latitude_b"], pairs["longitude_b"])
    pairs.loc[pairs["same_site"], "km"] = 0.0
    near = pairs["same_site"] | (pairs["km"] <= max_km)
    wa, wb = pairs["weapon_a"], pairs["weapon_b"]
    compatible = (wa == wb) | wa.isin(_WILDCARD) | wb.isin(_WILDCARD)
    out = pairs[near & compatible].copy()
    out["days"] = (out["event_date_b"] - out["event_date_a"]).dt.days
    keep = ["event_id_a", "event_id_b", "days", "km", "same_site", "event_date_a", "event_date_b"]
    keep += ["location_a", "location_b", "weapon_a", "weapon_b"]
    out = out[keep].drop_duplicates(["event_id_a", "event_id_b"])
    return out.sort_values(["event_date_a", "event_id_a", "event_id_b"], kind="stable").reset_index(drop=True)


def load_review(path: str | os.PathLike) -> pd.DataFrame:
    """``duplicate_review.csv`` as text (an empty frame when the file is missing)."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _incident_rows(incidents_path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """The incidents with a usable date, typed for pairing, and the file line of every event_id."""
    from analysis.data.provenance import _record_lines

    _, records, lines = _record_lines(incidents_path)
    incidents = pd.DataFrame(records)
    line_of = dict(zip(incidents["event_id"], lines))
    for col in ("latitude", "longitude"):
        incidents[col] = pd.to_numeric(incidents[col], errors="coerce")
    incidents["event_date"] = pd.to_datetime(incidents["event_date"], errors="coerce")
    return incidents[incidents["event_date"].notna()], line_of


def _review_problem(row, incidents_name: str, line_of: dict[str, int]) -> tuple[str, str, str] | None:
    """What is wrong with one review row, as (column, value, message), or None when it is sound."""
    retired = getattr(row, "retired", "")
    if row.decision not in DECISIONS:
        return "decision", row.decision, f"decision must be one of {', '.join(DECISIONS)} (with the reason)"
    if row.decision == "merged" and retired not in (row.event_id_a, row.event_id_b):
        message = f"a merged pair names the id it retires: {row.event_id_a} or {row.event_id_b}"
        return "retired", retired, message
    if row.decision == "merged" and row.retired in line_of:
        message = (
            f"{row.retired} is merged into its pair but still in {incidents_name}: delete the row "
            "and log it in the corrections file"
        )
        return "retired", row.retired, message
    if not str(row.reason).strip():
        return "reason", "", "a decision needs its reason"
    return None


def _review_failures(
    review: pd.DataFrame, review_path: Path, incidents_name: str, line_of: dict
) -> list[tuple]:
    """Failure rows for review rows with a bad decision, a wrong retired id or no reason."""
    failures = []
    # Line 1 is the header, so the first review row is line 2.
    for line, row in enumerate(review.itertuples(index=False), start=2):
        problem = _review_problem(row, incidents_name, line_of)
        if problem:
            column, value, message = problem
            failures.append((str(review_path), line, column, value, _CHECK, message))
    return failures


def _decided_pairs(review: pd.DataFrame) -> set[frozenset]:
    """The pairs the review gives any decision, each as an unordered pair of ids."""
    pairs = zip(review["event_id_a"], review["event_id_b"], review["decision"])
    return {frozenset((a, b)) for a, b, decision in pairs if decision}


def _undecided_failures(incidents, review, incidents_path: Path, review_path: Path, line_of) -> list[tuple]:
    """Failure rows for candidate pairs with no decision, at the line of the later row."""
    decided = _decided_pairs(review)
    failures = []
    for row in duplicate_candidates(incidents).itertuples(index=False):
        if frozenset((row.event_id_a, row.event_id_b)) in decided:
            continue
        message = (
            f"possible duplicate ({row.location_a}, {row.event_date_a:%Y-%m-%d} and "
            f"{row.location_b}, {row.event_date_b:%Y-%m-%d}) has no decision in "
            f"{review_path.name}: add a row kept or merged, with the reason"
        )
        value = f"{row.event_id_b} (with {row.event_id_a})"
        failures.append((str(incidents_path), line_of[row.event_id_b], "event_id", value, _CHECK, message))
    return failures


def duplicate_failures(
    incidents_path: str | os.PathLike, review_path: str | os.PathLike | None = None
) -> pd.DataFrame:
    """Candidate pairs without a decision, and review rows with a bad decision, as failure rows.

    A pair with no decision is reported at the line of its later row in the incidents file.

    Examples
    --------
    >>> from analysis.data import data_dir
    >>> duplicate_failures(data_dir() / "incidents.csv").empty
    True
    """
    incidents_path = Path(incidents_path)
    review_path = Path(review_path) if review_path else incidents_path.parent / "duplicate_review.csv"
    incidents, line_of = _incident_rows(incidents_path)
    review = load_review(review_path)
    failures = _review_failures(review, review_path, incidents_path.name, line_of)
    failures += _undecided_failures(incidents, review, incidents_path, review_path, line_of)
    return pd.DataFrame(failures, columns=FAILURE_COLUMNS)

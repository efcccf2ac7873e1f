"""Import an ACLED export as incidents in our schema.

ACLED (the Armed Conflict Location & Event Data project) codes political
violence worldwide. :func:`from_acled` keeps the events in Iraq, Syria and
Jordan whose *target* is US or coalition forces and maps each to one row of
:class:`analysis.schema.IncidentSchema`; :func:`acled_locations` builds the
gazetteer those rows need. ``python -m analysis import-acled`` does both and
validates the result. ACLED rows are never committed to this repository: its
terms restrict redistribution, so tests make small ACLED-format files.

Which events are kept
---------------------
A row is kept when its country is Iraq, Syria or Jordan, US or coalition
forces are *not* on the attacking side (``actor1``, ``assoc_actor_1``), and
either the target side (``actor2``, ``assoc_actor_2``) matches
:data:`US_ACTOR_PATTERN`, or ``notes`` match :data:`US_TARGET_NOTES_PATTERN`
(a verb of attack followed by US or coalition forces, troops, a base, convoy
or embassy; a base "hosting" US troops; or such forces "were targeted").
"Coalition" alone is not enough: Iraqi party lists are called coalitions too.

How columns are mapped
----------------------
=================  ============================================================
event_id           ``event_id_cnty``
event_date         ``event_date``, as ``2023-10-17`` or ``17 October 2023``
time_precision,    as ACLED's (1, 2, 3)
geo_precision
country, admin1,   as ACLED's; the gazetteer gets one site per ``location``
location, lat/lon
weapon             ``sub_event_type``: Air/drone strike -> one_way_drone;
                   Shelling/artillery/missile attack -> ballistic_missile if the
                   notes say "ballistic", mortar if they say mortar and not
                   rocket, else rocket; Remote explosive/landmine/IED -> ied;
                   Armed clash -> small_arms; anything else -> unknown
target_type        diplomatic if the notes name an embassy or consulate, convoy
                   if a convoy, else base
us_killed,         only from the notes: "N US soldiers killed/wounded", or 0 and
us_wounded         0 when they say there were no casualties; else empty
outcome            unknown; munitions, claimed_by and attributed_to empty
actor_class        iran_state when ``actor1`` is Iran's military, else militia
confirmation       media (ACLED codes press reports)
source_url         :data:`ACLED_URL`, the ACLED API query for this event id
other_sources      only the entries of ``source`` that are URLs
summary            the notes (one line, cut to fit 400 characters, '<' and '>'
                   replaced) then ``(ACLED <id>; sources: <source names>)``
=================  ============================================================

Examples
--------
ACLED's rows cannot ship here, so the export is a one-row file written to a temporary folder:

>>> import pathlib, tempfile
>>> from analysis.acled import ACLED_COLUMNS, acled_locations, from_acled
>>> row = dict.fromkeys(ACLED_COLUMNS, "")
>>> row.update(event_id_cnty="IRQ1", event_date="17 October 2023", time_precision="1",
...     sub_event_type="Air/drone strike", actor1="Islamic Resistance in Iraq",
...     actor2="Military Forces of the United States (2021-)", country="Iraq",
...     admin1="Anbar", location="Ain al-Asad", latitude="33.8", longitude="42.44",
...     geo_precision="1", source="Rudaw", notes="Drones targeted Ain al-Asad air base.")
>>> export = pathlib.Path(tempfile.mkdtemp()) / "acled_export.csv"
>>> pd.DataFrame([row]).to_csv(export, index=False)
>>> incidents = from_acled(export)
>>> incidents.loc[0, ["event_id", "weapon", "confirmation"]].tolist()
['IRQ1', 'one_way_drone', 'media']
>>> sites = acled_locations(incidents)
>>> sites[["location", "latitude", "longitude"]].values.tolist()
[['Ain al-Asad', 33.8, 42.44]]
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from analysis.data import read_csv_text
from analysis.schema import COUNTRIES, SCHEMAS, IncidentSchema

__all__ = [
    "ACLED_COLUMNS",
    "ACLED_URL",
    "US_ACTOR_PATTERN",
    "USED_COLUMNS",
    "US_TARGET_NOTES_PATTERN",
    "acled_locations",
    "from_acled",
]

#: The documented columns of an ACLED export, in order.
ACLED_COLUMNS = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,"
    "fatalities,tags,timestamp"
).split(",")

#: The columns :func:`from_acled` reads; the others may be left out of an export.
USED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
]

#: Citation for an event: ACLED has no public page per event, so the API
#: query that returns exactly this event (it needs an ACLED account and an OAuth
#: token from https://acleddata.com/oauth/token; the old api.acleddata.com host is retired).
ACLED_URL = "https://acleddata.com/api/acled/read?event_id_cnty={event_id}"

#: ACLED actor names for US or coalition forces (case-insensitive).
US_ACTOR_PATTERN = (
    r"Military Forces of the United States"
    r"|Global Coalition Against (?:Daesh|ISIS|the Islamic State)"
    r"|(?:International|Global|US-led|U\.S\.-led|Anti-ISIS|Anti-IS) Coalition"
    r"|Coalition Forces|Operation Inherent Resolve|CJTF-OIR"
)

_US = r"(?:U\.?S\.?|American|United States|US-led|(?:international |global |anti-ISIS )?coalition)"
_WHAT = (
    r"(?:forces|troops|soldiers|personnel|service ?members|military|base|bases|air ?base|airbase|"
    r"facility|facilities|positions?|convoys?|embassy|consulate|diplomatic)"
)
_VERB = (
    r"(?:target(?:ed|ing|s)?|attack(?:ed|ing|s)?(?: on| against)?|struck|hit|shelled|"
    r"fired (?:at|on|towards?)|launched (?:at|towards?)|landed (?:in|near|inside))"
)
#: Notes that say US or coalition forces were the target (case-insensitive):
#: a verb of attack, then within the sentence US or coalition forces, troops, a
#: base, convoy or embassy; a base "hosting" US troops; or such forces "were
#: targeted", "came under fire".
US_TARGET_NOTES_PATTERN = (
    rf"\b{_VERB}\b[^.;]{{0,80}}?\b{_US}\b[^.;]{{0,30}}?\b{_WHAT}\b"
    rf"|\b(?:base|air ?base|airbase|airport|facility|compound)\b[^.;]{{0,40}}"
    rf"\b(?:hosting|hosts|housing|houses|used by)\b[^.;]{{0,20}}\b{_US}\b"
    rf"|\b{_US}\b[^.;]{{0,20}}\b{_WHAT}\b[^.;]{{0,40}}\b(?:was|were|came|has been|have been) "
    r"(?:targeted|attacked|struck|hit|under (?:attack|fire))\b"
)

_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}
_COUNT = r"(\d{1,4}|" + "|".join(_NUMBERS) + r")"
_US_PEOPLE = (
    r"(?:U\.?S\.?|American|coalition) (?:soldiers|troops|service ?members|servicemen|personnel|contractors)"
)
_KILLED = re.compile(
    rf"\b{_COUNT} {_US_PEOPLE} (?:were |was )?killed|\bkilling {_COUNT} {_US_PEOPLE}", re.IGNORECASE
)
_WOUNDED = re.compile(
    rf"\b{_COUNT} {_US_PEOPLE} (?:were |was )?(?:wounded|injured|hurt)"
    rf"|\b(?:wounding|injuring) {_COUNT} {_US_PEOPLE}",
    re.IGNORECASE,
)
_NO_CASUALTIES = re.compile(r"\bno (?:casualties|injuries|one was (?:hurt|injured|killed))\b", re.IGNORECASE)
_MAX_SUMMARY = 400


def from_acled(path_or_frame: str | os.PathLike | pd.DataFrame, us_forces_only: bool = True) -> pd.DataFrame:
    """ACLED events as incidents, with exactly the columns of :class:`IncidentSchema`.

    Parameters
    ----------
    path_or_frame : path-like or DataFrame
        An ACLED export (CSV, UTF-8) or the same as a frame. Only the columns
        in :data:`USED_COLUMNS` are needed.
    us_forces_only : bool
        Keep only events whose target is US or coalition forces (see the
        module notes). ``False`` keeps every event in Iraq, Syria and Jordan,
        e.g. to see what the filter drops.

    Returns
    -------
    pandas.DataFrame
        One row per kept event, typed as :func:`analysis.load_incidents`
        returns them, in the export's order. It is not validated: a date
        ACLED wrote in neither format becomes missing, and validation (as in
        ``python -m analysis import-acled``) reports it.

    Raises
    ------
    analysis.DataValidationError
        The file is not UTF-8 CSV or lacks a needed column.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.acled import ACLED_COLUMNS, from_acled
    >>> row = dict.fromkeys(ACLED_COLUMNS, "")
    >>> row.update(event_id_cnty="IRQ1", event_date="17 October 2023", time_precision="1",
    ...     sub_event_type="Air/drone strike", actor1="Islamic Resistance in Iraq",
    ...     actor2="Military Forces of the United States (2021-)", country="Iraq",
    ...     admin1="Anbar", location="Ain al-Asad", latitude="33.8", longitude="42.44",
    ...     geo_precision="1", source="Rudaw", notes="Drones targeted Ain al-Asad air base.")
    >>> out = from_acled(pd.DataFrame([row]))
    >>> out.loc[0, ["event_id", "weapon", "target_type"]].tolist()
    ['IRQ1', 'one_way_drone', 'base']
    """
    raw = _read(path_or_frame)
    raw = raw[raw["country"].isin(COUNTRIES)]
    if us_forces_only:
        raw = raw[_targets_us(raw)]
    raw = raw.reset_index(drop=True)
    notes = raw["notes"].fillna("").astype(str)
    killed, wounded = _casualties(notes)
    out = pd.DataFrame(
        {
            "event_id": raw["event_id_cnty"].astype("str"),
            "event_date": _dates(raw["event_date"]),
            "time_precision": _whole(raw["time_precision"]),
            "country": raw["country"].astype("str"),
            "admin1": raw["admin1"].astype("str"),
            "location": raw["location"].astype("str"),
            "latitude": pd.to_numeric(raw["latitude"], errors="coerce").astype("float64"),
            "longitude": pd.to_numeric(raw["longitude"], errors="coerce").astype("float64"),
            "geo_precision": _whole(raw["geo_precision"]),
            "target_type": _target_type(notes),
            "weapon": _weapon(raw["sub_event_type"].fillna(""), notes),
            "munitions": pd.array([pd.NA] * len(raw), dtype="Int64"),
            "outcome": "unknown",
            "us_killed": killed,
            "us_wounded": wounded,
            "claimed_by": pd.Series(np.nan, index=raw.index, dtype="str"),
            "attributed_to": pd.Series(np.nan, index=raw.index, dtype="str"),
            "actor_class": np.where(
                raw["actor1"].fillna("").str.contains("Military Forces of Iran", regex=False),
                "iran_state",
                "militia",
            ),
            "confirmation": "media",
            "source_url": raw["event_id_cnty"].map(lambda i: ACLED_URL.format(event_id=i)),
            "other_sources": raw["source"].map(_source_urls),
            "summary": [_summary(n, i, s) for n, i, s in zip(notes, raw["event_id_cnty"], raw["source"])],
            # ACLED does not record denials: unknown, not false.
            "disputed": pd.array([pd.NA] * len(raw), dtype="boolean"),
        },
        index=raw.index,
    )
    for name in (
        "target_type",
        "weapon",
        "outcome",
        "actor_class",
        "confirmation",
        "source_url",
        "other_sources",
        "summary",
    ):
        out[name] = out[name].astype("str")
    assert list(out.columns) == list(IncidentSchema.to_schema().columns)
    return out


def acled_locations(frame: pd.DataFrame) -> pd.DataFrame:
    """Gazetteer rows for the sites named in ``frame``, positioned by ACLED.

    One row per distinct ``location`` with its first country, admin1 and
    coordinates. Coordinates outside the region box are left empty here, so
    the gazetteer stays valid and the incident row itself fails its
    ``lat_lon_pair_in_region`` rule, where the problem is.

    Parameters
    ----------
    frame : DataFrame
        :func:`from_acled` output, or an ACLED export read as a frame.

    Returns
    -------
    pandas.DataFrame
        The columns of :class:`analysis.schema.LocationSchema`.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = acled_locations(pd.DataFrame({"location": ["Ain al-Asad"], "country": ["Iraq"],
    ...     "admin1": ["Anbar"], "latitude": [33.8], "longitude": [42.44], "geo_precision": [1]}))
    >>> sites[["location", "latitude"]].to_dict("records")
    [{'location': 'Ain al-Asad', 'latitude': 33.8}]
    """
    from analysis.schema import REGION_BBOX

    columns = list(SCHEMAS["locations"].to_schema().columns)
    sites = frame.dropna(subset=["location"]).drop_duplicates("location").reset_index(drop=True)
    lat = pd.to_numeric(sites["latitude"], errors="coerce")
    lon = pd.to_numeric(sites["longitude"], errors="coerce")
    inside = lat.between(REGION_BBOX["lat_min"], REGION_BBOX["lat_max"]) & lon.between(
        REGION_BBOX["lon_min"], REGION_BBOX["lon_max"]
    )
    out = pd.DataFrame(
        {
            "location": sites["location"].astype("str"),
            "country": sites["country"].astype("str"),
            "admin1": sites["admin1"].astype("str"),
            "latitude": lat.where(inside),
            "longitude": lon.where(inside),
            "aliases": pd.Series(np.nan, index=sites.index, dtype="str"),
            "source_url": "https://acleddata.com/",
            "notes": "Position as coded by ACLED (geo_precision "
            + sites["geo_precision"].astype("str").fillna("?")
            + ").",
        }
    )
    return out.reindex(columns=columns)


# ------------------------------------------------------------------ helpers


def _read(path_or_frame) -> pd.DataFrame:
    if isinstance(path_or_frame, pd.DataFrame):
        missing = [c for c in USED_COLUMNS if c not in path_or_frame.columns]
        if missing:
            raise ValueError(f"not an ACLED export: missing column(s) {missing}")
        # Frames may hold numbers (a pandas read with inferred types); work on
        # text, with empty cells missing as when reading the file.
        frame = path_or_frame[USED_COLUMNS].astype("str")
        return frame.where(frame != "")
    return read_csv_text(path_or_frame, USED_COLUMNS)[USED_COLUMNS]


def _targets_us(raw: pd.DataFrame) -> pd.Series:
    def matches(column: str, pattern: str) -> pd.Series:
        return raw[column].fillna("").str.contains(pattern, case=False, regex=True)

    attacker_is_us = matches("actor1", US_ACTOR_PATTERN) | matches("assoc_actor_1", US_ACTOR_PATTERN)
    target_is_us = matches("actor2", US_ACTOR_PATTERN) | matches("assoc_actor_2", US_ACTOR_PATTERN)
    # Notes are long: only search those the actor columns did not settle.
    undecided = ~attacker_is_us & ~target_is_us
    by_notes = pd.Series(False, index=raw.index)
    if undecided.any():
        by_notes[undecided] = matches("notes", US_TARGET_NOTES_PATTERN)[undecided]
    return ~attacker_is_us & (target_is_us | by_notes)


def _dates(values: pd.Series) -> pd.Series:
    text = values.str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    long = pd.to_datetime(text, format="%d %B %Y", errors="coerce")
    return iso.fillna(long).astype("datetime64[ns]")


def _whole(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    numbers = numbers.where(numbers % 1 == 0)
    out = numbers.astype("Float64").astype("Int64")
    return out.astype("int64") if out.notna().all() else out


def _weapon(sub_event: pd.Series, notes: pd.Series) -> np.ndarray:
    lowered = notes.str.lower()
    shelling = np.select(
        [
            lowered.str.contains("ballistic", regex=False),
            lowered.str.contains("mortar", regex=False) & ~lowered.str.contains("rocket", regex=False),
        ],
        ["ballistic_missile", "mortar"],
        default="rocket",
    )
    return np.select(
        [
            sub_event.eq("Air/drone strike"),
            sub_event.eq("Shelling/artillery/missile attack"),
            sub_event.eq("Remote explosive/landmine/IED"),
            sub_event.eq("Armed clash"),
        ],
        ["one_way_drone", shelling, "ied", "small_arms"],
        default="unknown",
    )


def _target_type(notes: pd.Series) -> np.ndarray:
    return np.select(
        [
            notes.str.contains(r"\b(?:embassy|consulate|diplomatic)\b", case=False, regex=True),
            notes.str.contains(r"\bconvoys?\b", case=False, regex=True),
        ],
        ["diplomatic", "convoy"],
        default="base",
    )


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def _casualties(notes: pd.Series) -> tuple[pd.Series, pd.Series]:
    """US killed and wounded when the notes state them; missing otherwise (unknown is not 0)."""
    none_said = notes.str.contains(_NO_CASUALTIES)
    # Python's re runs row by row: only on notes that mention a casualty at all.
    maybe = notes.str.contains(r"kill|wound|injur|hurt", case=False, regex=True)

    def count(pattern: re.Pattern) -> pd.Series:
        numbers = pd.Series(np.where(none_said, 0.0, np.nan), index=notes.index)
        if maybe.any():
            # Each pattern has two ways to say it, so two groups: take the one that matched.
            groups = notes[maybe].str.extract(pattern)
            found = groups[0].fillna(groups[1]).map(lambda w: _number(w) if isinstance(w, str) else np.nan)
            numbers[maybe] = found.astype(float).fillna(numbers[maybe])
        return numbers.astype("Float64").astype("Int64")

    return count(_KILLED), count(_WOUNDED)


def _source_urls(source) -> float | str:
    if not isinstance(source, str):
        return np.nan
    urls = [s.strip() for s in source.split(";") if re.fullmatch(r"https?://[^\s;]+", s.strip())]
    return "; ".join(urls) if urls else np.nan


def _summary(notes: str, event_id: str, source) -> str:
    names = [s.strip() for s in source.split(";")] if isinstance(source, str) else []
    names = [n for n in names if n and not n.startswith(("http://", "https://"))]
    suffix = f" (ACLED {event_id}; sources: {'; '.join(names) or 'not given'})"
    if len(suffix) > _MAX_SUMMARY // 2:
        suffix = suffix[: _MAX_SUMMARY // 2 - 2] + "…)"
    # One line of plain text: no newlines, nothing a browser could read as markup.
    text = " ".join(notes.split()).replace("<", "‹").replace(">", "›") or "ACLED event without notes."
    room = _MAX_SUMMARY - len(suffix)
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return text + suffix

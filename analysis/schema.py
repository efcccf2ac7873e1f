"""Pandera models for every data file: the single source of truth.

Column names, types, vocabularies and rules live here. The loader
(:mod:`analysis.data`), the data dictionary (``docs/data_dictionary.md``) and
``data/datapackage.json`` are all derived from these models.

Examples
--------
>>> from analysis.schema import IncidentSchema
>>> "event_date" in IncidentSchema.to_schema().columns
True
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

# Controlled vocabularies. ACLED's names where the meaning is the same.
COUNTRIES = ["Iraq", "Syria", "Jordan"]
TARGET_TYPES = ["base", "convoy", "diplomatic", "other"]
WEAPONS = [
    "rocket",
    "one_way_drone",
    "mortar",
    "ballistic_missile",
    "ied",
    "small_arms",
    "mixed",
    "drone_dropped",
    "unknown",
]
OUTCOMES = ["impact", "intercepted", "no_damage", "unknown"]
ACTOR_CLASSES = ["militia", "iran_state", "other"]
CONFIRMATIONS = ["official", "media", "claim", "state_media"]
#: Independent documentation systems an attack can be reported by (the lists of
#: :mod:`analysis.models.mse`). A page belongs to one (its ``system`` in ``sources.csv``;
#: a repost belongs to its origin); ``unattributed`` marks a repost whose origin is unknown.
SYSTEMS = ["us_official", "coalition_official", "claim", "independent_media", "monitor", "state_media"]
PAGE_SYSTEMS = [*SYSTEMS, "unattributed"]
QUALIFIERS = ["exact", "at_least", "about", "more_than"]
TALLY_SCOPES = ["all", "subset"]
CONTEXT_CATEGORIES = ["policy", "us_strike", "escalation", "anniversary", "regional"]
#: Kinds of outlet a source page comes from (``data/sources.csv``), most to least direct.
OUTLET_CLASSES = [
    "official",
    "wire",
    "major",
    "regional",
    "monitor",
    "state_affiliated",
    "partisan",
    "aggregator",
]
#: What a source page can back, in the order ``supports`` lists them.
SUPPORT_FIELDS = [
    "date",
    "site",
    "weapon",
    "munitions",
    "outcome",
    "casualties",
    "claim",
    "us_official",
    "coalition_official",
]
#: Incident column -> the ``supports`` field a page must list to back a specific value there.
BACKED_BY = {
    "weapon": "weapon",
    "munitions": "munitions",
    "outcome": "outcome",
    "us_killed": "casualties",
    "us_wounded": "casualties",
    "claimed_by": "claim",
}

#: Bounding box of Iraq, Syria and Jordan together (degrees).
REGION_BBOX = {"lat_min": 29.0, "lat_max": 37.6, "lon_min": 34.8, "lon_max": 48.9}
#: Earliest event date the project covers.
FIRST_DATE = pd.Timestamp("2019-01-01")
#: A count above this is a typing error, not an attack (no salvo or tally comes close).
MAX_COUNT = 100_000

URL_PATTERN = r"^https?://[^\s;]+$"
URL_LIST_PATTERN = r"^https?://[^\s;]+( ?; ?https?://[^\s;]+)*$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
#: Plain text: no '<' directly before a letter, '/', '!' or '?', i.e. nothing a
#: browser or report template could take for an HTML tag or comment.
PLAIN_TEXT_PATTERN = r"^(?:[^<]|<+[^A-Za-z/!?<])*<*$"


def column_kind(dtype) -> str:
    """Classify a column dtype as ``date``, ``int``, ``float``, ``bool`` or ``str``.

    Examples
    --------
    >>> column_kind("Int64"), column_kind("datetime64[ns]")
    ('int', 'date')
    """
    name = str(dtype).lower()
    if name.startswith("datetime"):
        return "date"
    if name.startswith(("int", "uint")):
        return "int"
    if name.startswith("float"):
        return "float"
    if name in ("bool", "boolean"):
        return "bool"
    return "str"


def _not_in_future(series: pd.Series) -> pd.Series:
    today = pd.Timestamp(dt.date.today())
    return series <= today


# Any, as pa.Field itself returns: the field stands as the default of a Series[...] attribute.
def _date_field(description: str, **kwargs) -> Any:
    return pa.Field(ge=FIRST_DATE, description=description, **kwargs)


def _count_field(description: str, nullable: bool = True) -> Any:
    return pa.Field(ge=0, le=MAX_COUNT, nullable=nullable, description=description)


def _lat_lon_ok(df: pd.DataFrame) -> pd.Series:
    """Both coordinates present and inside the region, or both missing."""
    lat, lon = df["latitude"], df["longitude"]
    both_missing = lat.isna() & lon.isna()
    inside = (
        lat.between(REGION_BBOX["lat_min"], REGION_BBOX["lat_max"])
        & lon.between(REGION_BBOX["lon_min"], REGION_BBOX["lon_max"])
    ).fillna(False)
    return both_missing | inside


def _one_target_type(df: pd.DataFrame) -> pd.Series:
    """A fixed site's rows share one target type (a base is never coded diplomatic).

    ``convoy`` (a route, not a site) and ``other`` (a drone downed away from the
    site) are exempt. A row fails when its type is not the site's most common
    type; when two types tie, every row of both fails.
    """
    typed = df[["location", "target_type"]].astype("object")
    exempt = typed["target_type"].isin(["convoy", "other"])
    counted = typed[~exempt].value_counts()
    top = counted.groupby(level="location").transform("max")
    main = counted[counted == top].reset_index().groupby("location")["target_type"]
    site_type = main.first().where(main.size() == 1)
    expected = typed["location"].map(site_type)
    return exempt | (typed["target_type"] == expected)


class IncidentSchema(pa.DataFrameModel):
    """One attack on one site housing US or coalition personnel at one time."""

    event_id: Series[str] = pa.Field(
        str_matches=ID_PATTERN,
        description="Stable identifier of the incident; never reused.",
    )
    event_date: Series[pd.Timestamp] = _date_field(
        "Local date (UTC+3) of the attack, YYYY-MM-DD; the first day of the "
        "week or month when time_precision is 2 or 3."
    )
    time_precision: Series[int] = pa.Field(
        isin=[1, 2, 3],
        description="How precisely the date is known, as ACLED: 1 day, 2 week, 3 month.",
    )
    country: Series[str] = pa.Field(isin=COUNTRIES, description="Country of the site.")
    admin1: Series[str] | None = pa.Field(
        nullable=True, description="First-level administrative unit (province, governorate)."
    )
    location: Series[str] = pa.Field(description="Canonical site name; must exist in data/locations.csv.")
    latitude: Series[float] | None = pa.Field(
        nullable=True, description="Latitude of the site in decimal degrees (WGS84)."
    )
    longitude: Series[float] | None = pa.Field(
        nullable=True, description="Longitude of the site in decimal degrees (WGS84)."
    )
    geo_precision: Series[int] = pa.Field(
        isin=[1, 2, 3],
        description="Spatial precision, as ACLED: 1 the site, 2 near a town, 3 province only.",
    )
    target_type: Series[str] = pa.Field(
        isin=TARGET_TYPES,
        description="What was attacked: a base or airport, a logistics convoy, a "
        "diplomatic site, or other (e.g. a drone downed away from any base).",
    )
    weapon: Series[str] = pa.Field(
        isin=WEAPONS,
        description="Weapon used; mixed means rockets and drones together; drone_dropped is a drone "
        "that dropped munitions and returned (not a one-way drone).",
    )
    munitions: Series[pd.Int64Dtype] | None = _count_field(
        "Number of rockets, drones or missiles reported; empty when not stated."
    )
    outcome: Series[str] = pa.Field(
        isin=OUTCOMES,
        description="impact (something hit the site), intercepted (all shot down), "
        "no_damage (missed or no damage reported), unknown.",
    )
    us_killed: Series[pd.Int64Dtype] | None = _count_field(
        "US personnel killed as reported; empty when unknown (unknown is not 0)."
    )
    us_wounded: Series[pd.Int64Dtype] | None = _count_field(
        "US personnel wounded as reported; empty when unknown (unknown is not 0)."
    )
    claimed_by: Series[str] | None = pa.Field(
        nullable=True, description="Group that claimed the attack, as named in the claim."
    )
    attributed_to: Series[str] | None = pa.Field(
        nullable=True, description="Group US officials blamed; kept apart from the claim."
    )
    actor_class: Series[str] | None = pa.Field(
        isin=ACTOR_CLASSES,
        nullable=True,
        description="militia, iran_state (Iran's own forces) or other (e.g. an insider); "
        "empty when the sources do not say who launched it.",
    )
    confirmation: Series[str] = pa.Field(
        isin=CONFIRMATIONS,
        description="Derived from the systems that documented the row (rule confirmation_follows_systems): "
        "official (a US, coalition or host-government official), else media (independent media or a "
        "monitor), else claim (a militia or IRGC claim), else state_media (only state-affiliated or "
        "partisan reporting, no claim).",
    )
    source_url: Series[str] = pa.Field(
        str_matches=URL_PATTERN,
        description="URL of a page that reports the incident: the original (official, wire, major, "
        "regional or monitor page stating the date and site) where one is stored; a rewrite or "
        "repost stays in other_sources.",
    )
    other_sources: Series[str] | None = pa.Field(
        nullable=True,
        str_matches=URL_LIST_PATTERN,
        description="Further URLs reporting the incident, separated by ';'.",
    )
    summary: Series[str] = pa.Field(
        str_length={"min_value": 10, "max_value": 400},
        str_matches=PLAIN_TEXT_PATTERN,
        description="One line in our own words: what, where, outcome. Plain text: no HTML "
        "markup ('<' before a letter, '/', '!' or '?').",
    )
    disputed: Series[pd.BooleanDtype] | None = pa.Field(
        nullable=True,
        description="true when a US or coalition official denied the attack or the sources conflict on "
        "whether it happened (the summary says who said what); false when no such dispute was found. "
        "Optional: a file without the column (an ACLED import) loads with it empty.",
    )

    class Config:
        strict = True
        coerce = True
        unique = ["event_id"]

    @pa.check("event_date", name="not_in_future")
    def _event_date_not_in_future(cls, series: pd.Series) -> pd.Series:
        return _not_in_future(series)

    @pa.dataframe_check(name="lat_lon_pair_in_region")
    def _coordinates(cls, df: pd.DataFrame) -> pd.Series:
        return _lat_lon_ok(df)

    @pa.dataframe_check(name="one_target_type_per_site")
    def _site_target_type(cls, df: pd.DataFrame) -> pd.Series:
        return _one_target_type(df)


class TallySchema(pa.DataFrameModel):
    """A public cumulative or period count of attacks."""

    tally_id: Series[str] = pa.Field(str_matches=ID_PATTERN, description="Stable identifier of the tally.")
    as_of: Series[pd.Timestamp] = _date_field("Last day the count covers.")
    window_start: Series[pd.Timestamp] | None = _date_field(
        "First day the count covers; empty when the speaker gave no start date "
        "(such a tally is listed but cannot be turned into a rate).",
        nullable=True,
    )
    count: Series[int] = _count_field("Number of attacks in the window.", nullable=False)
    qualifier: Series[str] = pa.Field(
        isin=QUALIFIERS,
        description="How the speaker qualified the count: exact, at_least, about, more_than.",
    )
    iraq: Series[pd.Int64Dtype] | None = _count_field("Attacks in Iraq, if split out.")
    syria: Series[pd.Int64Dtype] | None = _count_field("Attacks in Syria, if split out.")
    jordan: Series[pd.Int64Dtype] | None = _count_field("Attacks in Jordan, if split out.")
    us_wounded: Series[pd.Int64Dtype] | None = _count_field("US personnel wounded in the window, if given.")
    us_killed: Series[pd.Int64Dtype] | None = _count_field("US personnel killed in the window, if given.")
    region: Series[str] | None = pa.Field(
        nullable=True,
        str_matches=r"^[^;]+(;[^;]+)*$",
        description="Provinces the count covers when narrower than its country (admin1 names as in "
        "incidents.csv, ';'-separated, e.g. 'Erbil;Sulaymaniyah;Duhok' for the Kurdistan Region); empty "
        "when it covers whole countries. Optional column.",
    )
    scope: Series[str] = pa.Field(
        isin=TALLY_SCOPES,
        description="all: every attack on US or coalition forces the speaker counts; "
        "subset: only a part (e.g. drone attacks only), not usable as a total.",
    )
    speaker: Series[str] = pa.Field(description="Office that gave the count.")
    official: Series[bool] = pa.Field(description="True when the speaker is a US government office.")
    source_url: Series[str] = pa.Field(
        str_matches=URL_PATTERN, description="URL of a page that reports the count."
    )
    summary: Series[str] = pa.Field(
        str_length={"min_value": 10, "max_value": 400},
        str_matches=PLAIN_TEXT_PATTERN,
        description="One line in our own words on what was counted. Plain text: no HTML markup.",
    )

    class Config:
        strict = True
        coerce = True
        unique = ["tally_id"]

    @pa.check("as_of", name="not_in_future")
    def _as_of_not_in_future(cls, series: pd.Series) -> pd.Series:
        return _not_in_future(series)

    @pa.dataframe_check(name="window_start_not_after_as_of")
    def _window_order(cls, df: pd.DataFrame) -> pd.Series:
        return df["window_start"].isna() | (df["window_start"] <= df["as_of"])


class LocationSchema(pa.DataFrameModel):
    """The gazetteer: one row per site."""

    location: Series[str] = pa.Field(description="Canonical site name used in incidents.")
    country: Series[str] = pa.Field(isin=COUNTRIES, description="Country of the site.")
    admin1: Series[str] | None = pa.Field(nullable=True, description="First-level administrative unit.")
    latitude: Series[float] | None = pa.Field(
        nullable=True, description="Latitude in decimal degrees (WGS84)."
    )
    longitude: Series[float] | None = pa.Field(
        nullable=True, description="Longitude in decimal degrees (WGS84)."
    )
    aliases: Series[str] | None = pa.Field(
        nullable=True, description="Other spellings seen in sources, separated by ';'."
    )
    source_url: Series[str] = pa.Field(
        str_matches=URL_PATTERN, description="URL of a page that gives the site and its position."
    )
    notes: Series[str] | None = pa.Field(
        nullable=True,
        description="How the position was found: the site itself, a nearby town used as a "
        "reference point, or no position found.",
    )

    class Config:
        strict = True
        coerce = True
        unique = ["location"]

    @pa.dataframe_check(name="lat_lon_pair_in_region")
    def _coordinates(cls, df: pd.DataFrame) -> pd.Series:
        return _lat_lon_ok(df)


class ContextEventSchema(pa.DataFrameModel):
    """Events analysts annotate on figures and test against."""

    event_date: Series[pd.Timestamp] = _date_field("Date of the event.")
    label: Series[str] = pa.Field(
        str_length={"min_value": 3, "max_value": 120}, description="Short label for plots."
    )
    category: Series[str] = pa.Field(
        isin=CONTEXT_CATEGORIES,
        description="policy, us_strike, escalation, anniversary or regional.",
    )
    source_url: Series[str] = pa.Field(
        str_matches=URL_PATTERN, description="URL of a page that reports the event."
    )

    class Config:
        strict = True
        coerce = True
        unique = ["event_date", "label"]

    @pa.check("event_date", name="not_in_future")
    def _event_date_not_in_future(cls, series: pd.Series) -> pd.Series:
        return _not_in_future(series)


_SUPPORTS_PATTERN = r"^(?:{0})(?:;(?:{0}))*$".format("|".join(SUPPORT_FIELDS))


class SourceSchema(pa.DataFrameModel):
    """One page that reports one incident: which outlet, what kind, and what it backs."""

    event_id: Series[str] = pa.Field(
        str_matches=ID_PATTERN,
        description="The incident the page reports (an event_id of incidents.csv).",
    )
    url: Series[str] = pa.Field(
        str_matches=URL_PATTERN,
        description="The page, exactly as cited in source_url or other_sources of the incident "
        "(every cited URL has a row here; pages found later are added).",
    )
    outlet: Series[str] = pa.Field(
        str_length={"min_value": 1, "max_value": 120},
        description="Who published the page, e.g. Reuters, Kurdistan24, Syrian Observatory for Human Rights.",
    )
    outlet_class: Series[str] = pa.Field(
        isin=OUTLET_CLASSES,
        description="Kind of outlet: official (US, coalition or host-government statement: defense.gov, "
        "CENTCOM, Iraq's Security Media Cell), wire (Reuters, AP, AFP and their faithful copies), major "
        "(national or international outlet: CNN, NYT, Times of Israel, Al Jazeera), regional (Rudaw, "
        "Kurdistan24, Shafaq News, The National, Al-Monitor), monitor (Syrian Observatory, FDD Long War "
        "Journal, ISW), state_affiliated (IRNA, Tasnim, Press TV, Al Mayadeen, RT, Sputnik, Xinhua, "
        "Anadolu, SANA), partisan (militia channels, SouthFront, ISWNews, Islam Times and their "
        "reposts), aggregator (content farms, news digests, US local sites carrying AP copy).",
    )
    system: Series[str] = pa.Field(
        isin=PAGE_SYSTEMS,
        description="The documentation system the page's report comes from (one per page; a rewrite "
        "or repost belongs to its origin): us_official, coalition_official (another coalition member "
        "or the host government), claim (a militia or IRGC claim, or a page only relaying one), "
        "independent_media (wire, major or regional reporting of its own), monitor (the Syrian "
        "Observatory and similar), state_media (state-affiliated or partisan reporting without a "
        "claim), unattributed (a repost whose origin is unknown: no system). Must fit outlet_class "
        "(rule system_fits_outlet_class).",
    )
    supports: Series[str] | None = pa.Field(
        nullable=True,
        str_matches=_SUPPORTS_PATTERN,
        description="Fields the page itself states, ';'-separated, from date, site, weapon, munitions, "
        "outcome, casualties, claim (a named group's claim), us_official (a US official or the US-led "
        "coalition is quoted) and coalition_official (another coalition or the host government's "
        "official is quoted), e.g. 'date;site;weapon;us_official'. Empty: the page has not been "
        "re-read, so it backs nothing yet.",
    )
    notes: Series[str] | None = pa.Field(
        nullable=True,
        str_matches=PLAIN_TEXT_PATTERN,
        description="What the page says in our words (date it gives, who it quotes, conflicts), "
        "or 'not re-read'.",
    )

    class Config:
        strict = True
        coerce = True
        unique = ["event_id", "url"]


#: Columns each frame-wide check reads, so an error can name them.
CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "lat_lon_pair_in_region": ("latitude", "longitude"),
    "one_target_type_per_site": ("location", "target_type"),
    "window_start_not_after_as_of": ("window_start", "as_of"),
}

#: Columns a file may leave out entirely (they are then empty); every other
#: column must be in the header, even when its values may be empty.
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "locations": frozenset({"notes"}),
    "incidents": frozenset({"disputed"}),
    "tallies": frozenset({"region"}),
}

#: File stem -> model, for the loader, the CLI and the generated documentation.
SCHEMAS: dict[str, type[pa.DataFrameModel]] = {
    "incidents": IncidentSchema,
    "tallies": TallySchema,
    "locations": LocationSchema,
    "context_events": ContextEventSchema,
    "sources": SourceSchema,
}

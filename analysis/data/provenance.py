"""Provenance: ``data/sources.csv`` and the rules that tie it to the incident list.

Each incident's pages are rows of ``sources.csv`` (one per page per incident)
with the outlet's class and the fields the page itself states (``supports``).
The rules across the two files, checked by ``python -m analysis validate``:

``source_url_in_sources`` / ``other_sources_in_sources``
    every URL an incident cites has a row of ``sources.csv`` for that incident;
``backed_by_source``
    every coded field is stated by at least one of the row's pages that was
    read (its ``supports`` lists the field): the date and the site (a
    placeholder site, "Unspecified ...", names none and needs none), and each
    specific value (``weapon`` other than unknown, ``munitions``, ``outcome``
    other than unknown, ``us_killed``, ``us_wounded``, ``claimed_by``;
    ``casualties`` backs the two counts, ``claim`` backs ``claimed_by``). A page
    with an empty ``supports`` could not be read (not found in the stored
    corpus) and backs nothing: a value resting only on it fails, and is coded
    unknown or empty instead;
``system_fits_outlet_class``
    a page's ``system`` is one its ``outlet_class`` can carry (:data:`CLASS_SYSTEMS`):
    an official page is an official system, a wire, major or regional page is
    independent media or the statement or claim it only relays, a monitor is a
    monitor, a state-affiliated or partisan page is state media, a claim or a
    relayed official; an aggregator's repost may be of any origin;
``confirmation_follows_systems``
    ``confirmation`` is the level :func:`confirmation_from_systems` derives from the
    row's ``source_systems`` (:func:`source_systems`): official, else media, else
    claim, else state_media;
``in_incidents``
    every ``sources.csv`` row names an incident of ``incidents.csv``.

Every failure names the file, line, column and value, like any other.

Examples
--------
>>> from analysis.data.provenance import load_sources
>>> sources = load_sources()
>>> sources["outlet_class"].value_counts().head(3).to_dict()
{'aggregator': 479, 'regional': 400, 'major': 297}
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd

from analysis.data.failures import FAILURE_COLUMNS, short
from analysis.data.validate import Errors, read_validated
from analysis.schema import BACKED_BY, PAGE_SYSTEMS, SYSTEMS

__all__ = [
    "CLASS_SYSTEMS",
    "INDEPENDENT_CLASSES",
    "backing_table",
    "confirmation_from_systems",
    "independent_source",
    "load_sources",
    "provenance_failures",
    "source_systems",
    "sources_beside",
]

_RELAYS = ("us_official", "coalition_official", "claim")
#: The systems a page of each outlet class can belong to. A page belongs to the system its
#: report comes from: a wire story that only relays a Pentagon statement or a militia claim
#: belongs to that statement or claim; a repost belongs to its origin; a page that could not
#: be read may be ``unattributed`` (it backs nothing either way).
CLASS_SYSTEMS: dict[str, tuple[str, ...]] = {
    "official": ("us_official", "coalition_official", "unattributed"),
    "wire": ("independent_media", *_RELAYS, "unattributed"),
    "major": ("independent_media", *_RELAYS, "unattributed"),
    "regional": ("independent_media", *_RELAYS, "unattributed"),
    "monitor": ("monitor", *_RELAYS, "unattributed"),
    "state_affiliated": ("state_media", *_RELAYS, "unattributed"),
    "partisan": ("state_media", *_RELAYS, "unattributed"),
    "aggregator": tuple(PAGE_SYSTEMS),
}
#: A quoted official or a reported claim on a read page adds that system to the row: the
#: statement or claim was published, whoever carried it (``supports`` tag -> system).
RELAYED_BY_TAG = {"us_official": "us_official", "coalition_official": "coalition_official", "claim": "claim"}
#: Confirmation levels, each with the systems that give it, in order of precedence.
CONFIRMATION_RULE: tuple[tuple[str, frozenset[str]], ...] = (
    ("official", frozenset({"us_official", "coalition_official"})),
    ("media", frozenset({"independent_media", "monitor"})),
    ("claim", frozenset({"claim"})),
    ("state_media", frozenset({"state_media"})),
)
#: Outlet classes that make a row ``independent_source``: an outlet with its own
#: reporting or a wire. An ``aggregator`` page does not count by itself: the class
#: mixes faithful copies of Reuters, AP or AFP with reposts of partisan and state
#: outlets, and a domain cannot tell them apart. A page the re-read found to be a
#: copy of wire text is classed ``wire`` (its notes say so), and counts.
INDEPENDENT_CLASSES = ("official", "wire", "major", "regional", "monitor")

#: Incident columns whose value is "specific" (must be backed) when it is not one of these.
_UNSPECIFIC = {"weapon": {"unknown"}, "outcome": {"unknown"}}

_MESSAGES = {
    "source_url_in_sources": "source_url has no row in sources.csv for this event_id",
    "other_sources_in_sources": "a URL of other_sources has no row in sources.csv for this event_id",
    "system_fits_outlet_class": "the page's system cannot come from an outlet of its outlet_class",
    "in_incidents": "event_id is not an incident of incidents.csv",
    "target_rule": "no read page says this site (or the forces in it) was attacked or targeted, or that a "
    "projectile came down on it or was downed over it (no page lists 'site' in supports): recode "
    "target_type other, or mark the row disputed, with the reason in the corrections log",
}
#: Target types the target rule exempts: an attack near, not on, a site housing US personnel.
_OFF_TARGET = {"other"}


def sources_beside(path: str | os.PathLike) -> Path | None:
    """``sources.csv`` in the folder of an incidents file, or None when there is none."""
    candidate = Path(path).parent / "sources.csv"
    return candidate if candidate.exists() else None


def load_sources(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load and validate ``data/sources.csv`` (one row per page per incident).

    Examples
    --------
    >>> load_sources().columns.tolist()
    ['event_id', 'url', 'outlet', 'outlet_class', 'system', 'supports', 'notes']
    """
    from analysis.data.loaders import data_dir

    path = Path(path) if path is not None else data_dir() / "sources.csv"
    return read_validated(path, "sources", errors)


def _as_sources(sources) -> pd.DataFrame:
    if isinstance(sources, pd.DataFrame):
        return sources
    return load_sources(sources)


def independent_source(incidents: pd.DataFrame, sources) -> pd.Series:
    """Per incident: True when at least one of its pages is official, wire, major, regional or monitor.

    Rows resting only on partisan, state-affiliated or aggregator pages are False
    (see :data:`INDEPENDENT_CLASSES` for why aggregators alone do not count).

    Parameters
    ----------
    incidents : DataFrame
        With ``event_id``.
    sources : DataFrame or path-like
        ``sources.csv`` or its frame.

    Returns
    -------
    Series of boolean
        Aligned with ``incidents``; False for an incident with no sources row.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_id": ["A", "B", "C"]})
    >>> src = pd.DataFrame({"event_id": ["A", "A", "B"], "outlet_class": ["partisan", "wire", "aggregator"]})
    >>> independent_source(inc, src).tolist()
    [True, False, False]
    """
    sources = _as_sources(sources)
    ok = sources.loc[sources["outlet_class"].isin(INDEPENDENT_CLASSES), "event_id"]
    return pd.Series(incidents["event_id"].isin(set(ok)).to_numpy(), index=incidents.index, dtype="boolean")


def _page_systems(sources: pd.DataFrame) -> dict[str, set[str]]:
    """Per incident: the systems its read pages belong to or relay (unread pages back nothing)."""
    out: dict[str, set[str]] = {}
    system = sources["system"] if "system" in sources else pd.Series("unattributed", index=sources.index)
    supports = sources["supports"].astype("object").where(sources["supports"].notna(), "")
    for eid, sys_, sup in zip(sources["event_id"], system, supports):
        tags = {t for t in str(sup).split(";") if t}
        found = out.setdefault(eid, set())
        if not tags:
            continue
        if sys_ in SYSTEMS:
            found.add(sys_)
        found.update(RELAYED_BY_TAG[t] for t in tags if t in RELAYED_BY_TAG)
    return out


def source_systems(incidents: pd.DataFrame, sources) -> pd.Series:
    """Per incident: the documentation systems that reported it, ``;``-separated in a fixed order.

    A read page (non-empty ``supports``) adds its own ``system`` (unless unattributed) and
    any system it relays: a quoted US official (``us_official``), another coalition or
    host-government official (``coalition_official``) or a named group's claim (``claim``).
    These are the lists of :func:`analysis.models.mse.capture_histories`.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_id": ["A", "B"]})
    >>> src = pd.DataFrame({"event_id": ["A", "A", "B"], "system": ["independent_media", "state_media", "claim"],
    ...                     "supports": ["date;site;us_official", "date;site", ""]})
    >>> source_systems(inc, src).tolist()
    ['us_official;independent_media;state_media', '']
    """
    found = _page_systems(_as_sources(sources))
    order = {s: i for i, s in enumerate(SYSTEMS)}
    # _page_systems keeps only systems of SYSTEMS, so every key is in order.
    joined = [";".join(sorted(found.get(e, ()), key=order.__getitem__)) for e in incidents["event_id"]]
    return pd.Series(joined, index=incidents.index, dtype="object")


def confirmation_from_systems(systems: str | set[str]) -> str | None:
    """The confirmation level the systems give: official, else media, else claim, else state_media.

    ``None`` when no system documented the row (every page unread or unattributed).

    Examples
    --------
    >>> confirmation_from_systems("claim;state_media"), confirmation_from_systems({"monitor", "claim"})
    ('claim', 'media')
    """
    if isinstance(systems, str):
        systems = {s for s in systems.split(";") if s}
    for level, members in CONFIRMATION_RULE:
        if members & systems:
            return level
    return None


def _record_lines(path: Path) -> tuple[list[str], list[dict], list[int]]:
    """Header, records as text and the line each record starts on (csv module)."""
    from analysis.data.lines import _any_field_size

    text = Path(path).read_text(encoding="utf-8-sig")
    rows, lines = [], []
    # A field over the csv module's 128 KiB limit is the schema's to report (with its line), not a crash.
    with _any_field_size():
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        start = reader.line_num + 1
        for record in reader:
            if record:
                rows.append(dict(zip(header, record)))
                lines.append(start)
            start = reader.line_num + 1
    return header, rows, lines


def _pages(sources: pd.DataFrame) -> dict[str, list[tuple[str, str, set[str]]]]:
    out: dict[str, list] = {}
    supports = sources["supports"].astype("object").where(sources["supports"].notna(), "")
    for eid, url, cls, sup in zip(sources["event_id"], sources["url"], sources["outlet_class"], supports):
        out.setdefault(eid, []).append((url, cls, {t for t in str(sup).split(";") if t}))
    return out


def _specific(column: str, value: str) -> bool:
    return value.strip() != "" and value.strip() not in _UNSPECIFIC.get(column, set())


#: Columns every row codes, with the field a page must state for them.
_ALWAYS = {"event_date": "date", "location": "site"}
#: Every column a page must back, with its ``supports`` field.
_ROW_FIELDS = {**_ALWAYS, **BACKED_BY}
#: A site name that says no page named the site (nothing to back).
PLACEHOLDER_SITE = "Unspecified "


def _must_back(column: str, value: str) -> bool:
    if column == "location":
        return not value.startswith(PLACEHOLDER_SITE)
    return column in _ALWAYS or _specific(column, value)


def _url_problems(row: dict, urls: set[str]) -> list[tuple]:
    """The row's source_url and other_sources that have no sources.csv row for its incident."""
    problems = []
    if row.get("source_url", "").strip() not in urls:
        problems.append(("source_url", row.get("source_url"), "source_url_in_sources", None))
    for url in (u.strip() for u in (row.get("other_sources") or "").split(";")):
        if url and url not in urls:
            problems.append(("other_sources", url, "other_sources_in_sources", None))
    return problems


def _confirmation_message(derived: str | None, found: set[str]) -> str:
    """Why the row's confirmation is wrong: the level its systems give, or that none documents it."""
    if not derived:
        return "no read page of a known system documents the row: find one, or remove the row"
    systems = ";".join(sorted(found)) or "none: no read page of a known system"
    return (
        f"confirmation must be {derived!r}, what the row's source systems give "
        f"({systems}; official > media > claim > state_media)"
    )


def _confirmation_problems(row: dict, found: set[str]) -> list[tuple]:
    """The row's confirmation when it is not the level its source systems give."""
    derived = confirmation_from_systems(found)
    if row.get("confirmation") == derived:
        return []
    message = _confirmation_message(derived, found)
    return [("confirmation", row.get("confirmation"), "confirmation_follows_systems", message)]


def _backing_problems(row: dict, backed: set[str]) -> list[tuple]:
    """Every coded field of the row that no read page states."""
    problems = []
    for column, field in _ROW_FIELDS.items():
        value = row.get(column, "")
        if _must_back(column, value) and field not in backed:
            fix = "find a page that states it" if column in _ALWAYS else "code it unknown or empty"
            message = (
                f"no page of the row states the {field} (none lists '{field}' in supports; a page "
                f"not found in the stored corpus backs nothing); {fix}"
            )
            problems.append((column, value, "backed_by_source", message))
    return problems


def _target_problems(row: dict, backed: set[str]) -> list[tuple]:
    """The row's target_type when no read page says the site was hit and the row is not disputed."""
    # A placeholder site needs no name, but a page must still say the forces were hit.
    if row.get("target_type") in _OFF_TARGET or "site" in backed or row.get("disputed") == "true":
        return []
    return [("target_type", row.get("target_type"), "target_rule", None)]


def _incident_problems(row: dict, own: list, found: set[str]) -> list[tuple]:
    """Every rule one incident row breaks, as (column, value, check, message) in the report's order."""
    backed = set().union(*(sup for _, _, sup in own if sup))
    return [
        *_url_problems(row, {url for url, _, _ in own}),
        *_confirmation_problems(row, found),
        *_backing_problems(row, backed),
        *_target_problems(row, backed),
    ]


def _source_problems(row: dict, known: set[str]) -> list[tuple]:
    """Every rule one sources.csv row breaks: an unknown incident, a system its outlet cannot carry."""
    problems: list[tuple] = []
    if row.get("event_id") not in known:
        problems.append(("event_id", row.get("event_id"), "in_incidents", None))
    system, outlet_class = row.get("system"), row.get("outlet_class", "")
    allowed = CLASS_SYSTEMS.get(outlet_class, ())
    if system and allowed and system not in allowed:
        message = f"a {outlet_class} page cannot belong to system {system!r}; allowed: {', '.join(allowed)}"
        problems.append(("system", system, "system_fits_outlet_class", message))
    return problems


def _failure(path: Path, line: int, column: str, value, check: str, message: str | None) -> tuple:
    """One failure row; a rule without its own message gets the rule's standard one."""
    return (str(path), line, column, short(value), check, message or _MESSAGES[check])


def provenance_failures(
    incidents_path: str | os.PathLike, sources_path: str | os.PathLike | None = None
) -> pd.DataFrame:
    """Every break of the rules between ``incidents.csv`` and ``sources.csv``, one row per problem.

    Parameters
    ----------
    incidents_path : path-like
        The incident list (rows are read as text; the schema itself is checked by
        :func:`read_validated`).
    sources_path : path-like, optional
        Defaults to ``sources.csv`` beside the incidents file.

    Returns
    -------
    DataFrame
        Columns :data:`~analysis.data.failures.FAILURE_COLUMNS` (file, line, column,
        value, check, message); empty when every rule holds.

    Examples
    --------
    >>> from analysis.data import data_dir
    >>> provenance_failures(data_dir() / "incidents.csv").empty
    True
    """
    incidents_path = Path(incidents_path)
    sources_path = Path(sources_path) if sources_path is not None else incidents_path.parent / "sources.csv"
    sources = load_sources(sources_path)
    pages, systems = _pages(sources), _page_systems(sources)
    _, rows, lines = _record_lines(incidents_path)
    failures = []
    for row, line in zip(rows, lines):
        eid = row.get("event_id", "")
        for problem in _incident_problems(row, pages.get(eid, []), systems.get(eid, set())):
            failures.append(_failure(incidents_path, line, *problem))
    known = {row.get("event_id", "") for row in rows}
    _, source_rows, source_lines = _record_lines(sources_path)
    for row, line in zip(source_rows, source_lines):
        for problem in _source_problems(row, known):
            failures.append(_failure(sources_path, line, *problem))
    frame = pd.DataFrame(failures, columns=FAILURE_COLUMNS)
    return frame.sort_values(["file", "line"], kind="stable").reset_index(drop=True)


def backing_table(incidents: pd.DataFrame, sources) -> pd.DataFrame:
    """Field by field: how many rows code a specific value, and how many a page backs.

    ``date`` counts every row and ``site`` every row with a named site;
    ``us_official`` counts the ``official`` rows (backed by an official page or a
    quoted US official); the last line counts rows with every coded field backed.
    A page that could not be read backs nothing.

    Returns
    -------
    DataFrame
        field, coded, backed, share (backed / coded).

    Examples
    --------
    >>> table = backing_table(incidents, load_sources()).set_index("field")
    >>> table.loc["date", "share"], table.loc["every coded field (rows)", ["coded", "backed"]].tolist()
    (1.0, [617, 604])
    """
    sources = _as_sources(sources)
    pages = _pages(sources)

    def backs(eid: str, field: str) -> bool:
        return any(
            sup
            and (
                field in sup
                or (field == "us_official" and (cls == "official" or "coalition_official" in sup))
            )
            for _, cls, sup in pages.get(eid, [])
        )

    cols = ["event_id", "event_date", "location", "confirmation", *BACKED_BY]
    text = pd.DataFrame(
        {c: incidents[c].astype("object").where(incidents[c].notna(), "").astype(str) for c in cols}
    )
    unbacked = pd.Series(False, index=text.index)
    out = []
    for column, field in _ROW_FIELDS.items():
        coded = text[column].map(lambda v, c=column: _must_back(c, v))
        backed = text["event_id"].map(lambda e, f=field: backs(e, f))
        unbacked |= coded & ~backed
        name = field if column in _ALWAYS else column
        out.append((name, int(coded.sum()), int((coded & backed).sum())))
    official = text["confirmation"] == "official"
    backed = text["event_id"].map(lambda e: backs(e, "us_official"))
    unbacked |= official & ~backed
    out.append(("us_official (official rows)", int(official.sum()), int((official & backed).sum())))
    out.append(("every coded field (rows)", len(text), int((~unbacked).sum())))
    frame = pd.DataFrame(out, columns=["field", "coded", "backed"])
    frame["share"] = (frame["backed"] / frame["coded"].where(frame["coded"] > 0)).round(3)
    return frame

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
``official_source``
    an ``official`` row has a page of class ``official`` or a read page quoting
    a US or coalition official (``us_official``);
``media_independent``
    a ``media`` row has at least one page that is neither ``partisan`` nor
    ``state_affiliated`` (this needs only the outlet classes, so every row);
``in_incidents``
    every ``sources.csv`` row names an incident of ``incidents.csv``.

Every failure names the file, line, column and value, like any other.

Examples
--------
>>> from analysis.data.provenance import load_sources
>>> sources = load_sources()  # doctest: +SKIP
>>> sources["outlet_class"].value_counts()  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd

from analysis.data.failures import FAILURE_COLUMNS, short
from analysis.data.validate import Errors, read_validated
from analysis.schema import BACKED_BY

__all__ = [
    "INDEPENDENT_CLASSES",
    "PARTISAN_OR_STATE",
    "backing_table",
    "independent_source",
    "load_sources",
    "provenance_failures",
    "sources_beside",
]

#: Outlet classes a ``media`` row needs at least one page outside of (the floor for ``media``).
PARTISAN_OR_STATE = ("partisan", "state_affiliated")
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
    "official_source": "confirmation is official but no page of the row is an official source or "
    "quotes a US or coalition official (supports us_official)",
    "media_independent": "confirmation is media but every page of the row is partisan or state-affiliated "
    "(code it claim)",
    "in_incidents": "event_id is not an incident of incidents.csv",
}


def sources_beside(path: str | os.PathLike) -> Path | None:
    """``sources.csv`` in the folder of an incidents file, or None when there is none."""
    candidate = Path(path).parent / "sources.csv"
    return candidate if candidate.exists() else None


def load_sources(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load and validate ``data/sources.csv`` (one row per page per incident).

    Examples
    --------
    >>> load_sources().columns.tolist()  # doctest: +SKIP
    ['event_id', 'url', 'outlet', 'outlet_class', 'supports', 'notes']
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


def _record_lines(path: Path) -> tuple[list[str], list[dict], list[int]]:
    """Header, records as text and the line each record starts on (csv module)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows, lines = [], []
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
    >>> provenance_failures("data/incidents.csv").empty  # doctest: +SKIP
    True
    """
    incidents_path = Path(incidents_path)
    sources_path = Path(sources_path) if sources_path is not None else incidents_path.parent / "sources.csv"
    sources = load_sources(sources_path)
    pages = _pages(sources)
    _, rows, lines = _record_lines(incidents_path)
    failures = []

    def fail(path, line, column, value, check, message=None):
        failures.append((str(path), line, column, short(value), check, message or _MESSAGES[check]))

    known = set()
    for row, line in zip(rows, lines):
        eid = row.get("event_id", "")
        known.add(eid)
        own = pages.get(eid, [])
        urls = {u for u, _, _ in own}
        if row.get("source_url", "").strip() not in urls:
            fail(incidents_path, line, "source_url", row.get("source_url"), "source_url_in_sources")
        for url in (u.strip() for u in (row.get("other_sources") or "").split(";")):
            if url and url not in urls:
                fail(incidents_path, line, "other_sources", url, "other_sources_in_sources")
        classes = {c for _, c, _ in own}
        if row.get("confirmation") == "media" and own and classes <= set(PARTISAN_OR_STATE):
            fail(incidents_path, line, "confirmation", "media", "media_independent")
        read = [(cls, sup) for _, cls, sup in own if sup]
        backed = set().union(*(sup for _, sup in read))
        for column, field in _ROW_FIELDS.items():
            value = row.get(column, "")
            if _must_back(column, value) and field not in backed:
                fail(
                    incidents_path,
                    line,
                    column,
                    value,
                    "backed_by_source",
                    f"no page of the row states the {field} (none lists '{field}' in supports; a page "
                    "not found in the stored corpus backs nothing); "
                    + ("find a page that states it" if column in _ALWAYS else "code it unknown or empty"),
                )
        if (
            row.get("confirmation") == "official"
            and "us_official" not in backed
            and "official" not in {cls for cls, _ in read}
        ):
            fail(incidents_path, line, "confirmation", "official", "official_source")
    _, source_rows, source_lines = _record_lines(sources_path)
    for row, line in zip(source_rows, source_lines):
        if row.get("event_id") not in known:
            fail(sources_path, line, "event_id", row.get("event_id"), "in_incidents")
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
    >>> backing_table(load_incidents(), load_sources())  # doctest: +SKIP
    """
    sources = _as_sources(sources)
    pages = _pages(sources)

    def backs(eid: str, field: str) -> bool:
        return any(
            sup and (field in sup or (field == "us_official" and cls == "official"))
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

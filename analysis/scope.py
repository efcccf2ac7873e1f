"""What is counted: one explicit counting scope, the same for every function.

A :class:`Scope` says which rows of the incident list an analysis counts:
confirmation levels, target types, countries, weapons, actor classes, and
(optionally) whether rows resting only on partisan or state-affiliated outlets
are left out. Every counting function (``daily_counts``, ``compare_periods``,
``coverage``, the changepoint, self-excitation and trigger models, the plots)
takes ``scope=`` and applies it the same way, with the same default.

Presets
-------
``"pentagon"`` (the default)
    Official or media-confirmed attacks on **bases** (airports and bases
    housing US or coalition troops) in Iraq, Syria and Jordan, any weapon,
    any actor, leaving out rows an official denied or sources dispute. This is what the Pentagon's tallies count: its spokesman
    defined attacks as "strikes on our facilities" and later gave the count
    as attacks "on our bases". Embassy and consulate attacks are left out:
    those compounds are State Department facilities, and the tallies were
    never said to include them. Convoys and drones downed away from a base
    are left out for the same reason.
``"all_attacks"``
    Every official or media-confirmed attack in the list: bases, convoys,
    diplomatic sites and drones downed away from a base.
``"bases_and_diplomatic"``
    Bases plus the embassy and consulates: a sensitivity for the embassy
    decision above.
``"with_claims"``
    The Pentagon scope with claim-only rows counted too (a sensitivity).
``"independent"``
    The Pentagon scope without rows that no official, wire, major, regional
    or monitor page reports, i.e. rows resting only on partisan,
    state-affiliated or aggregator pages (the ``independent_source`` column
    :func:`~analysis.data.load_incidents` joins from ``data/sources.csv``).
    ``media`` rows whose every page is partisan or state-affiliated are
    already ``claim``; this scope also drops rows resting on aggregator
    reposts, whose origin a domain cannot show.

Examples
--------
>>> import pandas as pd
>>> inc = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
...                     "confirmation": ["official", "claim"], "target_type": ["base", "base"],
...                     "country": ["Iraq", "Syria"], "weapon": ["rocket", "one_way_drone"]})
>>> len(get_scope("pentagon").select(inc))
1
>>> get_scope("pentagon", countries=["Syria"], confirmation=None).select(inc)["country"].tolist()
['Syria']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.errors import ArgumentError
from analysis.schema import ACTOR_CLASSES, CONFIRMATIONS, COUNTRIES, TARGET_TYPES, WEAPONS

__all__ = ["DEFAULT_SCOPE", "SCOPES", "Scope", "get_scope", "scope_funnel"]

#: The columns a scope filters on, the vocabulary each allows, and its label in prose.
_FILTERS: dict[str, tuple[str, list[str], str]] = {
    "confirmation": ("confirmation", CONFIRMATIONS, "confirmation"),
    "target_types": ("target_type", TARGET_TYPES, "target type"),
    "countries": ("country", COUNTRIES, "country"),
    "weapons": ("weapon", WEAPONS, "weapon"),
    "actor_classes": ("actor_class", ACTOR_CLASSES, "actor class"),
}


@dataclass(frozen=True)
class Scope:
    """Which incident rows are counted.

    Each filter is a tuple of allowed values, or ``None`` for "any value".

    Parameters
    ----------
    name : str
        Short identifier shown in tables (``"pentagon"``).
    label : str
        Plain-words description for captions.
    confirmation, target_types, countries, weapons, actor_classes : tuple of str or None
        Allowed values of the columns ``confirmation``, ``target_type``,
        ``country``, ``weapon`` and ``actor_class``. An ``actor_classes``
        filter keeps rows whose actor is unknown only if ``"unknown"`` is listed.
    independent_only : bool
        Leave out rows whose every source page is partisan, state-affiliated or
        an aggregator (the ``independent_source`` column, from the
        ``outlet_class`` of ``data/sources.csv``).
    include_disputed : bool
        Count rows marked ``disputed`` (an official denied it or sources conflict).

    Examples
    --------
    >>> Scope(name="drones", label="drone attacks", weapons=("one_way_drone",)).weapons
    ('one_way_drone',)
    """

    name: str = "custom"
    label: str = "custom selection"
    confirmation: tuple[str, ...] | None = ("official", "media")
    target_types: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    weapons: tuple[str, ...] | None = None
    actor_classes: tuple[str, ...] | None = None
    independent_only: bool = False
    include_disputed: bool = True

    def __post_init__(self):
        for attr, (_, allowed, _) in _FILTERS.items():
            value = getattr(self, attr)
            if value is None:
                continue
            if isinstance(value, str):
                value = (value,)
            value = tuple(value)
            extra = ("unknown",) if attr == "actor_classes" else ()
            for v in value:
                if v not in (*allowed, *extra):
                    raise ArgumentError(attr, v, [*allowed, *extra])
            if not value:
                raise ArgumentError(attr, value, "a non-empty list of values, or None for any value")
            object.__setattr__(self, attr, value)

    def replace(self, **changes) -> Scope:
        """A copy with some filters changed; the name becomes ``custom`` unless given.

        Examples
        --------
        >>> get_scope("pentagon").replace(countries=["Syria"]).countries
        ('Syria',)
        """
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ArgumentError("scope field", sorted(unknown)[0], [f.name for f in dataclasses.fields(self)])
        if "name" not in changes:
            changes["name"] = f"{self.name}+" if self.name != "custom" else "custom"
        if "label" not in changes:
            merged = dataclasses.replace(self, **changes, label=self.label)
            changes["label"] = merged.describe()
        return dataclasses.replace(self, **changes)

    def mask(self, incidents: pd.DataFrame) -> pd.Series:
        """Boolean Series: which rows are counted."""
        keep = pd.Series(True, index=incidents.index)
        for attr, (column, _, _) in _FILTERS.items():
            allowed = getattr(self, attr)
            if allowed is None:
                continue
            if column not in incidents:
                raise ArgumentError(
                    "incidents",
                    f"a frame without column {column!r}",
                    "a frame from load_incidents()",
                    note=f"scope filters on {attr}",
                )
            values = incidents[column].astype("object").where(incidents[column].notna(), "unknown")
            keep &= values.isin(list(allowed)).to_numpy()
        if not self.include_disputed and "disputed" in incidents:
            keep &= ~incidents["disputed"].fillna(False).astype(bool)
        if self.independent_only:
            if "independent_source" not in incidents:
                raise ArgumentError(
                    "scope.independent_only",
                    True,
                    "False for a frame without provenance",
                    note="load incidents with load_incidents() so data/sources.csv is joined",
                )
            keep &= incidents["independent_source"].fillna(False).astype(bool)
        return keep

    def select(self, incidents: pd.DataFrame) -> pd.DataFrame:
        """The rows this scope counts (the frame's ``attrs``, coverage included, are kept)."""
        return incidents[self.mask(incidents)]

    def describe(self) -> str:
        """Plain words, for captions and notes.

        Examples
        --------
        >>> get_scope("pentagon").describe()
        'official or media-confirmed attacks on bases, undisputed'
        """
        conf = (
            "all reported (claims included)"
            if self.confirmation is None
            else (" or ".join(self.confirmation) + "-confirmed")
        )
        what = (
            "attacks"
            if self.target_types is None
            else "attacks on " + _join(_TARGET_WORDS.get(t, t) for t in self.target_types)
        )
        parts = [f"{conf} {what}"]
        if self.countries is not None:
            parts.append("in " + _join(self.countries))
        if self.weapons is not None:
            parts.append("by " + _join(w.replace("_", "-") for w in self.weapons))
        if self.actor_classes is not None:
            parts.append("by actor class " + _join(self.actor_classes))
        if self.independent_only:
            parts.append("confirmed by at least one independent outlet")
        if not self.include_disputed:
            parts.append("undisputed")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        """The scope as plain values (for tables and provenance)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


_TARGET_WORDS = {
    "base": "bases",
    "convoy": "convoys",
    "diplomatic": "diplomatic sites",
    "other": "other targets",
}


def _join(items: Iterable[str], word: str = "and") -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


SCOPES: dict[str, Scope] = {
    "pentagon": Scope(
        name="pentagon",
        label="official or media-confirmed attacks on bases (the Pentagon tallies' scope)",
        target_types=("base",),
        include_disputed=False,
    ),
    "all_attacks": Scope(
        name="all_attacks",
        label="all official or media-confirmed attacks (bases, convoys, diplomatic sites, other)",
    ),
    "bases_and_diplomatic": Scope(
        name="bases_and_diplomatic",
        label="official or media-confirmed attacks on bases and diplomatic sites",
        target_types=("base", "diplomatic"),
    ),
    "with_claims": Scope(
        name="with_claims",
        label="attacks on bases, claim-only rows included",
        confirmation=None,
        target_types=("base",),
    ),
    "independent": Scope(
        name="independent",
        label="official or media-confirmed attacks on bases reported by at least one official, wire, major, "
        "regional or monitor page (not only partisan, state-affiliated or aggregator pages)",
        target_types=("base",),
        independent_only=True,
        include_disputed=False,
    ),
}

#: The scope every function uses unless told otherwise.
DEFAULT_SCOPE = "pentagon"


def get_scope(scope: Scope | str | None = None, **changes) -> Scope:
    """Resolve a scope given as a preset name, a Scope or ``None`` (the default), with changes.

    Parameters
    ----------
    scope : Scope, str or None
        A :class:`Scope`, the name of a preset in :data:`SCOPES`, or ``None`` for
        :data:`DEFAULT_SCOPE`.
    **changes
        Filters to override, e.g. ``countries=["Syria"]``. A single string is
        taken as a one-element list; ``None`` means any value.

    Examples
    --------
    >>> get_scope(None).name
    'pentagon'
    >>> get_scope("all_attacks", weapons="one_way_drone").weapons
    ('one_way_drone',)
    """
    if scope is None:
        scope = DEFAULT_SCOPE
    if isinstance(scope, str):
        if scope not in SCOPES:
            raise ArgumentError("scope", scope, list(SCOPES), note="or a Scope object")
        scope = SCOPES[scope]
    elif isinstance(scope, Mapping):
        scope = Scope(**scope)
    elif not isinstance(scope, Scope):
        raise ArgumentError("scope", scope, [*SCOPES, "a Scope object"])
    return scope.replace(**changes) if changes else scope


def scope_funnel(incidents: pd.DataFrame, scope: Scope | str | None = None) -> pd.DataFrame:
    """How many rows each filter of the scope leaves, in order: why N rows become n counted attacks.

    Returns
    -------
    DataFrame
        step, rule, rows_left, rows_removed.

    Examples
    --------
    >>> funnel = scope_funnel(incidents)
    >>> funnel[["step", "rows_left"]].values.tolist()
    [['all rows', 617], ['confirmation', 434], ['target type', 303], ['include disputed', 290]]
    """
    scope = get_scope(scope)
    steps = [("all rows", "every row in the file", len(incidents))]
    current = incidents
    for attr, (_, _, words) in _FILTERS.items():
        allowed = getattr(scope, attr)
        if allowed is None:
            continue
        current = Scope(**{"name": "step", "confirmation": None, attr: allowed}).select(current)
        steps.append((words, f"{words} is {_join(allowed, 'or')}", len(current)))
    for flag, rule in (
        ("independent_only", "an independent outlet reports it"),
        ("include_disputed", "not disputed"),
    ):
        value = getattr(scope, flag)
        if (flag == "independent_only" and value) or (flag == "include_disputed" and not value):
            step = Scope(name="step", confirmation=None, **{flag: value})
            current = step.select(current)
            steps.append((flag.replace("_", " "), rule, len(current)))
    out = pd.DataFrame(steps, columns=["step", "rule", "rows_left"])
    out["rows_removed"] = (-out["rows_left"].diff()).fillna(0).astype(int)
    return out

"""Capture histories: which lists documented each attack, and the counts per observable history."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.errors import ArgumentError, DataQualityWarning

#: How the source systems of ``data/sources.csv`` form the lists of the estimate. US and
#: coalition or host-government officials are one list by default: the coalition list alone
#: holds a handful of attacks, too few to estimate its interactions.
DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "official": ("us_official", "coalition_official"),
    "claim": ("claim",),
    "media": ("independent_media",),
    "monitor": ("monitor",),
    "state_media": ("state_media",),
}


def capture_histories(
    incidents: pd.DataFrame,
    lists: Mapping[str, Sequence[str]] | None = None,
    strata: str | Sequence[str] | None = "period",
    periods=None,
    scope=None,
    systems_column: str = "source_systems",
    study=None,
) -> pd.DataFrame:
    """One row per attack, one 0/1 column per list, and its stratum.

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (needs ``source_systems``: the systems that
        documented each row, ``;``-separated).
    lists : mapping of list name to systems, optional
        Which systems make each list; default :data:`DEFAULT_LISTS`. An attack is on a list
        when any of its systems is.
    strata : str, list of str or None
        ``"period"`` (the named periods of ``periods``), any column (``"country"``), a list
        of them, or ``None`` for one stratum called ``all``.
    periods : list of Period, optional
        For ``strata="period"``; default the study's periods.
    scope : Scope or str, optional
        What is counted (:mod:`analysis.scope`), default ``"pentagon"``. Its confirmation
        filter is *not* applied: confirmation is a function of who reported an attack, which
        is the capture history itself, so a claim-only attack is an attack seen by one list.
    study : Study, optional
        Supplies ``periods`` and ``scope`` when they are not given (:func:`analysis.load_study`).

    Returns
    -------
    DataFrame
        event_id, ``stratum`` (text) and the stratum columns, one 0/1 column per list.
        ``attrs["lists"]`` holds the mapping; ``attrs["dropped"]`` the (event_id, reason)
        of each row left out (outside every period, or on no list), which a
        :class:`DataQualityWarning` also counts.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_id": ["a", "b"], "source_systems": ["claim;state_media", "monitor"]})
    >>> capture_histories(inc, strata=None, scope=False)[["claim", "monitor"]].to_numpy().tolist()
    [[1, 0], [0, 1]]
    """
    lists = _check_lists(lists)
    if study is not None:
        periods = study.periods if periods is None else periods
        scope = study.scope if scope is None else scope
    if systems_column not in incidents:
        raise ArgumentError(
            "incidents",
            f"a frame without column {systems_column!r}",
            "a frame from load_incidents() (it joins source_systems from data/sources.csv)",
        )
    rows = incidents
    if scope is not False:
        from analysis.scope import get_scope

        rows = get_scope(scope).replace(confirmation=None).select(incidents)
    systems = rows[systems_column].fillna("").astype(str).str.split(";")
    out = pd.DataFrame({"event_id": rows["event_id"].to_numpy()}, index=rows.index)
    for name, members in lists.items():
        out[name] = systems.map(lambda s, m=set(members): int(bool(m.intersection(s)))).astype(int)
    dropped = []
    names = _strata_names(strata)
    for column in names:
        if column == "period":
            out["period"] = _period_of(rows, periods)
        elif column not in rows:
            raise ArgumentError("strata", column, ["period", *[c for c in rows.columns if c != "event_id"]])
        else:
            out[column] = rows[column].astype("object").to_numpy()
    outside = out[names].isna().any(axis=1) if names else pd.Series(False, index=out.index)
    unlisted = out[list(lists)].sum(axis=1) == 0
    for eid in out.loc[outside, "event_id"]:
        dropped.append((eid, "outside every stratum (e.g. dated in no named period)"))
    for eid in out.loc[unlisted & ~outside, "event_id"]:
        dropped.append((eid, "on no list (its pages are of no listed system)"))
    out = out[~outside & ~unlisted].reset_index(drop=True)
    out["stratum"] = [" / ".join(map(str, v)) for v in out[names].itertuples(index=False)] if names else "all"
    out = out[["event_id", "stratum", *names, *lists]]
    out.attrs = {
        "lists": {k: tuple(v) for k, v in lists.items()},
        "strata": tuple(names),
        "dropped": tuple(dropped),
    }
    if dropped:
        reasons = pd.Series([r for _, r in dropped]).value_counts()
        warnings.warn(
            f"{len(dropped)} rows in scope left out of the capture histories: "
            + "; ".join(f"{n} {reason}" for reason, n in reasons.items())
            + " (listed in .attrs['dropped'])",
            DataQualityWarning,
            stacklevel=2,
        )
    return out


def _check_lists(lists) -> dict[str, tuple[str, ...]]:
    from analysis.schema import SYSTEMS

    lists = DEFAULT_LISTS if lists is None else lists
    if not isinstance(lists, Mapping) or not lists:
        raise ArgumentError("lists", lists, "a mapping of list name to source systems")
    out = {}
    for name, members in lists.items():
        members = (members,) if isinstance(members, str) else tuple(members)
        for m in members:
            if m not in SYSTEMS:
                raise ArgumentError(f"lists[{name!r}]", m, SYSTEMS)
        out[str(name)] = members
    if len(out) < 3:
        raise ArgumentError("lists", list(out), "three or more lists (two lists cannot estimate dependence)")
    return out


def _strata_names(strata) -> list[str]:
    if strata is None:
        return []
    return [strata] if isinstance(strata, str) else list(strata)


def _period_of(rows: pd.DataFrame, periods) -> pd.Series:
    from analysis.models.rates import resolve_periods

    periods = resolve_periods(periods)
    dates = pd.to_datetime(rows["event_date"]).dt.date
    label = pd.Series(None, index=rows.index, dtype="object")
    for p in periods:
        label[(dates >= p.start) & (dates <= p.end)] = p.name
    return label


def _as_cells(histories: pd.DataFrame, lists: Sequence[str]) -> pd.DataFrame:
    """Counts per observable history (all 2^k - 1 of them, zeros included)."""
    weight = histories["count"] if "count" in histories else pd.Series(1, index=histories.index)
    grouped = histories.assign(_n=weight).groupby(list(lists))["_n"].sum()
    full = pd.MultiIndex.from_product([[0, 1]] * len(lists), names=list(lists))
    cells = grouped.reindex(full, fill_value=0).reset_index(name="count")
    cells.attrs = {}
    return cells[cells[list(lists)].sum(axis=1) > 0].reset_index(drop=True)

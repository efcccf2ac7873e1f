"""How complete is the incident list? Compare it with the public tallies.

Examples
--------
>>> from analysis import coverage, load_incidents, load_tallies
>>> cov = coverage(load_incidents(), load_tallies())
>>> official = cov.query("official")
>>> len(official), round(official["ratio"].median(), 2)
(34, 0.89)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.scope import Scope, get_scope

__all__ = ["coverage"]


def coverage(
    incidents: pd.DataFrame,
    tallies: pd.DataFrame,
    scope: Scope | str | None = None,
) -> pd.DataFrame:
    """For each tally, our rows in the same window and scope, and the ratio.

    A tally's window is ``window_start`` to ``as_of`` inclusive. A tally for all
    countries (``scope="all"``) is compared with our rows in all three (the
    Pentagon's counts for Iraq and Syria included the Jordan strike of January
    2024); a one-country count (``scope="subset"`` with only its ``iraq``,
    ``syria`` or ``jordan`` column filled, e.g. the Syrian Observatory's or the
    Jordanian army's) with our rows in that country only, named in
    ``country``; a count for some provinces only (``region``, e.g. a Kurdistan
    monitor's) with our rows in those provinces. Tallies without a window start
    get no ratio (empty), never a guess.

    Parameters
    ----------
    incidents, tallies : DataFrame
        From :func:`analysis.load_incidents` and :func:`analysis.load_tallies`.
    scope : Scope or str, optional
        Our rows counted (:mod:`analysis.scope`); default ``"pentagon"``, the
        tallies' own scope (attacks on bases).

    Returns
    -------
    DataFrame
        tally_id, as_of, window_start, official_count, qualifier, our_rows,
        ratio (our_rows / official_count), official, scope, country (the
        one country compared, or "all"), region (the provinces compared, or
        empty), speaker.

    Examples
    --------
    >>> from analysis import load_tallies
    >>> cov = coverage(incidents, load_tallies())
    >>> row = cov.set_index("tally_id").loc["centcom-testimony-2024-03-07"]
    >>> int(row["official_count"]), int(row["our_rows"]), round(row["ratio"], 2)
    (173, 113, 0.65)
    """
    rows = get_scope(scope).select(incidents)
    out = []
    for t in tallies.itertuples():
        country = _one_country(t)
        region = getattr(t, "region", None)
        region = region if isinstance(region, str) and region else None
        if pd.isna(t.window_start):
            ours = np.nan
        else:
            mask = (rows["event_date"] >= t.window_start) & (rows["event_date"] <= t.as_of)
            if country != "all":
                mask &= rows["country"] == country
            if region:
                mask &= rows["admin1"].isin(region.split(";"))
            ours = int(mask.sum())
        out.append(
            {
                "tally_id": t.tally_id,
                "as_of": t.as_of,
                "window_start": t.window_start,
                "official_count": int(t.count),
                "qualifier": t.qualifier,
                "our_rows": ours,
                "ratio": ours / t.count if pd.notna(ours) and t.count else np.nan,
                "official": bool(t.official),
                "scope": getattr(t, "scope", "all"),
                "country": country,
                "region": region,
                "speaker": t.speaker,
            }
        )
    return pd.DataFrame(out)


def _one_country(tally) -> str:
    """The country a subset tally counts, when only that country's column is filled; else "all"."""
    if getattr(tally, "scope", "all") != "subset":
        return "all"
    filled = [name for name in ("Iraq", "Syria", "Jordan") if pd.notna(getattr(tally, name.lower(), np.nan))]
    return filled[0] if len(filled) == 1 else "all"

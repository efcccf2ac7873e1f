"""How complete is the incident list? Compare it with the public tallies.

Examples
--------
>>> from analysis import coverage, load_incidents, load_tallies  # doctest: +SKIP
>>> coverage(load_incidents(), load_tallies()).query("official")  # doctest: +SKIP
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

    A tally's window is ``window_start`` to ``as_of`` inclusive and covers all
    three countries (the Pentagon's counts for Iraq and Syria included the
    Jordan strike of January 2024). Tallies without a window start get no
    ratio (empty), never a guess.

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
        ratio (our_rows / official_count), official, scope, speaker.

    Examples
    --------
    >>> cov = coverage(incidents, tallies)  # doctest: +SKIP
    >>> cov.loc[cov.tally_id == "centcom-testimony-2024-03-07", "ratio"]  # doctest: +SKIP
    """
    rows = get_scope(scope).select(incidents)
    out = []
    for t in tallies.itertuples():
        if pd.isna(t.window_start):
            ours = np.nan
        else:
            mask = (rows["event_date"] >= t.window_start) & (rows["event_date"] <= t.as_of)
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
                "speaker": t.speaker,
            }
        )
    return pd.DataFrame(out)

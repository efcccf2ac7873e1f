"""The external check: the estimated total in each official tally's own window, beside the tally."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.errors import ArgumentError
from analysis.models.mse.estimate import estimate_undercount
from analysis.models.mse.histories import capture_histories


def undercount_in_tally_windows(
    incidents: pd.DataFrame,
    tallies: pd.DataFrame,
    tally_ids: Sequence[str],
    scope=None,
    n_boot: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The estimated total in each official tally's own window, beside the tally.

    The external check of the estimate: the population of each window is the counting scope
    (every confirmation level), narrowed to the tally's one country when it counts only one
    (a ``subset`` tally with one country column equal to its count).

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents`.
    tallies : DataFrame
        From :func:`analysis.load_tallies`; each named tally needs ``window_start``.
    tally_ids : list of str
        The ``tally_id`` values to check.
    scope, n_boot, seed, alpha
        As in :func:`capture_histories` and :func:`estimate_undercount`.

    Returns
    -------
    DataFrame
        estimate, ci_low, ci_high, observed, tally (the official count), then tally_id,
        speaker, window_start, as_of, countries and note.

    Examples
    --------
    >>> from analysis import load_tallies
    >>> check = undercount_in_tally_windows(incidents, load_tallies(), ["centcom-testimony-2024-03-07"], n_boot=0)
    >>> int(check.loc[0, "tally"]), int(check.loc[0, "observed"]), round(check.loc[0, "estimate"])
    (173, 174, 209)
    """
    from analysis.periods import Period
    from analysis.scope import get_scope

    known = tallies.set_index("tally_id")
    rows = []
    for tid in tally_ids:
        if tid not in known.index:
            raise ArgumentError("tally_ids", tid, sorted(known.index))
        t = known.loc[tid]
        if pd.isna(t["window_start"]):
            raise ArgumentError("tally_ids", tid, "tallies with a window_start")
        start, end = pd.Timestamp(t["window_start"]).date(), pd.Timestamp(t["as_of"]).date()
        one = [c for c in ("iraq", "syria", "jordan") if pd.notna(t.get(c)) and t.get(c) == t["count"]]
        countries = [one[0].capitalize()] if t["scope"] == "subset" and len(one) == 1 else None
        sc = get_scope(scope, countries=countries) if countries else get_scope(scope)
        hist = capture_histories(incidents, periods=[Period(tid, tid, start, end, "", "", False)], scope=sc)
        r = estimate_undercount(hist, n_boot=n_boot, seed=seed, alpha=alpha).table.iloc[0]
        rows.append(
            {
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "observed": int(r["observed"]),
                "tally": float(t["count"]),
                "tally_id": tid,
                "speaker": t["speaker"],
                "window_start": start,
                "as_of": end,
                "countries": ", ".join(countries or ["all"]),
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)

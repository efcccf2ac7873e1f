"""Tests for analysis.models.mse.tally_windows: the estimate in each official tally's window."""

from __future__ import annotations

import pytest


def test_tally_windows_count_the_scope_in_each_window_and_name_bad_ids():
    import warnings

    from analysis import load_incidents, load_tallies
    from analysis.errors import ArgumentError
    from analysis.models.mse import undercount_in_tally_windows
    from analysis.scope import get_scope

    inc, tallies = load_incidents(), load_tallies()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = undercount_in_tally_windows(inc, tallies, ["sohr-syria-2024-10-09"], n_boot=0)
    row = out.iloc[0]
    rows = get_scope("pentagon", countries=["Syria"]).replace(confirmation=None).select(inc)
    seen = rows[(rows["event_date"] >= "2023-10-19") & (rows["event_date"] <= "2024-10-09")]
    seen = seen[seen["source_systems"].fillna("") != ""]
    assert (row["countries"], row["tally"], row["observed"]) == ("Syria", 143.0, len(seen))
    assert row["ci_low"] <= row["estimate"] <= row["ci_high"] and row["observed"] <= row["ci_low"] + 1e-9
    with pytest.raises(ArgumentError, match="tally_ids"):
        undercount_in_tally_windows(inc, tallies, ["no-such-tally"], n_boot=0)

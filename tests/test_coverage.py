import numpy as np
import pandas as pd

import analysis
from analysis.coverage import coverage


def test_coverage_counts_rows_in_window_and_scope():
    inc = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2023-10-17", "2023-10-20", "2023-10-25", "2023-10-21"]),
            "confirmation": ["official", "media", "official", "claim"],
            "target_type": ["base", "diplomatic", "base", "base"],
            "country": "Iraq",
        }
    )
    tallies = pd.DataFrame(
        {
            "tally_id": ["t1", "t2"],
            "as_of": pd.to_datetime(["2023-10-24", "2023-10-24"]),
            "window_start": pd.to_datetime(["2023-10-17", None]),
            "count": [4, 4],
            "qualifier": ["exact", "exact"],
            "official": [True, True],
            "scope": "all",
            "speaker": "x",
            "iraq": [np.nan, np.nan],
            "syria": np.nan,
            "jordan": np.nan,
        }
    )
    out = coverage(inc, tallies).set_index("tally_id")
    # Default scope (the tallies' own): official or media attacks on bases only.
    assert out.loc["t1", "our_rows"] == 1 and out.loc["t1", "ratio"] == 0.25
    wider = coverage(inc, tallies, scope="bases_and_diplomatic").set_index("tally_id")
    assert wider.loc["t1", "our_rows"] == 2
    assert np.isnan(out.loc["t2", "ratio"])  # no window start: no guess


def test_shipped_surge_coverage_is_measured():
    cov = coverage(analysis.load_incidents(), analysis.load_tallies()).set_index("tally_id")
    ratio = cov.loc["centcom-testimony-2024-03-07", "ratio"]
    assert 0.5 < ratio <= 1.2


def _two_tallies(ids, as_of, start, **columns) -> pd.DataFrame:
    """Two tallies over one window (count 4 each unless given), with the columns that differ."""
    base = {
        "tally_id": ids,
        "as_of": pd.to_datetime([as_of] * 2),
        "window_start": pd.to_datetime([start] * 2),
        "count": [4, 4],
        "qualifier": "exact",
        "official": False,
        "scope": "subset",
        "speaker": "x",
        "iraq": np.nan,
        "syria": np.nan,
        "jordan": np.nan,
    }
    return pd.DataFrame({**base, **columns})


def test_one_country_tally_is_compared_with_that_country_only():
    inc = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2024-03-02", "2024-03-03", "2024-03-04"]),
            "confirmation": "media",
            "target_type": "base",
            "country": ["Syria", "Iraq", "Syria"],
        }
    )
    tallies = _two_tallies(
        ["sohr", "all"],
        "2024-03-31",
        "2024-03-01",
        official=[False, True],
        scope=["subset", "all"],
        syria=[4, np.nan],
    )
    out = coverage(inc, tallies).set_index("tally_id")
    assert (out.loc["sohr", "our_rows"], out.loc["sohr", "country"]) == (2, "Syria")
    assert (out.loc["all", "our_rows"], out.loc["all", "country"]) == (3, "all")


def test_a_province_tally_is_compared_with_those_provinces_only():
    inc = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]),
            "confirmation": "media",
            "target_type": "base",
            "country": "Iraq",
            "admin1": ["Erbil", "Baghdad", "Sulaymaniyah", "Erbil"],
        }
    )
    tallies = _two_tallies(
        ["monitor", "iraq"],
        "2026-03-09",
        "2026-02-28",
        iraq=[8, 8],
        region=["Erbil;Sulaymaniyah;Duhok", None],
    )
    out = coverage(inc, tallies).set_index("tally_id")
    # The Kurdistan count meets Kurdistan's rows, not Baghdad's.
    assert out.loc["monitor", ["our_rows", "region"]].tolist() == [3, "Erbil;Sulaymaniyah;Duhok"]
    assert out.loc["iraq", "our_rows"] == 4 and pd.isna(out.loc["iraq", "region"])

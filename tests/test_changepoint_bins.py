"""Tests for analysis.models.changepoint.bins: frequencies, bin lengths, bad input, incident tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.models.changepoint import detect_changepoints


def daily(y, start="2023-01-01") -> pd.Series:
    return pd.Series(np.asarray(y), index=pd.date_range(start, periods=len(y), freq="D"))


def test_bins_for_end_labelled_and_monthly_frequencies():
    days = daily(np.random.default_rng(0).poisson(1.0, 70), start="2024-01-01")  # a Monday
    weekly = detect_changepoints(days.resample("W").sum(), n_boot=0)
    assert weekly.bin_start[0] == pd.Timestamp("2024-01-01")
    assert weekly.bin_end[0] == pd.Timestamp("2024-01-07")
    assert weekly.min_size == 1
    monthly = detect_changepoints(days.resample("ME").sum(), n_boot=0, min_segment_days=1)
    assert monthly.exposure.tolist() == [31.0, 29.0, 31.0]
    assert monthly.segments["start"].iloc[0] == pd.Timestamp("2024-01-01")
    starts = detect_changepoints(days.resample("MS").sum(), n_boot=0)
    assert starts.exposure.tolist() == [31.0, 29.0, 31.0]


def test_min_segment_days_converted_to_bins():
    y = daily(np.random.default_rng(0).poisson(1.0, 100))
    assert detect_changepoints(y, min_segment_days=7, n_boot=0).min_size == 7
    weekly = y.resample("W").sum().iloc[1:-1]
    assert detect_changepoints(weekly, min_segment_days=10, n_boot=0).min_size == 2


@pytest.mark.parametrize(
    "series, message",
    [
        (pd.Series([1, 2, 3], index=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"])), "regular"),
        (daily([1, -1, 2, 0]), "non-negative"),
        (daily([1.0, np.nan, 2.0, 0.0]), "missing"),
        (daily([1.5, 1.0, 2.0, 0.0]), "integers"),
    ],
)
def test_bad_inputs_raise(series, message):
    with pytest.raises(ValueError, match=message):
        detect_changepoints(series, n_boot=0)


def test_incident_table_input_uses_the_scope_and_the_coverage():
    import warnings

    import analysis
    from analysis.counts import daily_counts

    inc = analysis.load_incidents()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_table = detect_changepoints(inc, n_boot=0)
        syria = detect_changepoints(inc, n_boot=0, scope=analysis.get_scope(countries="Syria"))
    start, end = inc.attrs["coverage"]
    daily = daily_counts(inc, scope="pentagon", start=start, end=end, precision="exclude")["events"]
    assert from_table.counts.sum() == daily.sum() and len(from_table.counts) == len(daily)
    assert syria.counts.sum() < from_table.counts.sum()

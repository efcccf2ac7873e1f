import pandas as pd
import pytest

from analysis.counts import daily_counts, select_incidents


def _inc(dates, **cols):
    frame = pd.DataFrame({"event_date": pd.to_datetime(dates)})
    frame["confirmation"] = cols.pop("confirmation", ["official"] * len(dates))
    for k, v in cols.items():
        frame[k] = v
    return frame


def test_zero_filled_daily_counts():
    out = daily_counts(_inc(["2024-01-01", "2024-01-01", "2024-01-04"]))
    assert out["events"].tolist() == [2, 0, 0, 1]
    assert out.index.freqstr == "D" and out["events"].dtype == "int64"


def test_by_category_and_explicit_range():
    inc = _inc(["2024-01-02", "2024-01-02", "2024-01-03"], country=["Iraq", "Syria", "Iraq"])
    out = daily_counts(inc, by="country", start="2024-01-01", end="2024-01-05")
    assert list(out.columns) == ["Iraq", "Syria"]
    assert out["Iraq"].tolist() == [0, 1, 1, 0, 0]
    assert out["Syria"].tolist() == [0, 1, 0, 0, 0]


def test_weekly_bins_start_on_monday_and_monthly_on_the_first():
    inc = _inc(["2024-01-01", "2024-01-07", "2024-01-08", "2024-02-29"])
    weekly = daily_counts(inc, freq="W")
    assert weekly.index[0] == pd.Timestamp("2024-01-01")  # a Monday
    assert weekly["events"].iloc[:2].tolist() == [2, 1]
    monthly = daily_counts(inc, freq="M")
    assert monthly["events"].tolist() == [3, 1]
    assert weekly["events"].sum() == monthly["events"].sum() == 4


def test_claims_are_left_out_by_default():
    inc = _inc(["2024-01-01", "2024-01-02"], confirmation=["official", "claim"])
    assert daily_counts(inc)["events"].sum() == 1
    assert daily_counts(inc, confirmation=None)["events"].sum() == 2
    assert len(select_incidents(inc, confirmation=("claim",))) == 1


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="freq"):
        daily_counts(_inc(["2024-01-01"]), freq="H")
    with pytest.raises(ValueError, match="after end"):
        daily_counts(_inc(["2024-01-01"]), start="2024-02-01", end="2024-01-01")

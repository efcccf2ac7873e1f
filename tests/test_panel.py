"""count_panel: DuckDB panel counts that agree with daily_counts, from every kind of source."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.counts import daily_counts
from analysis.data import data_dir
from analysis.errors import ArgumentError
from analysis.panel import count_panel
from analysis.scope import Scope

SHIPPED = data_dir() / "incidents.csv"


def _long(wide: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if not by:
        return wide.reset_index()
    long = wide.stack(list(range(wide.columns.nlevels)), future_stack=True).rename("events").reset_index()
    long.columns = ["date", *by, "events"]
    return long


@pytest.mark.parametrize(
    ("by", "freq", "kwargs"),
    [
        (["country"], "MS", {}),
        (["country", "weapon"], "W", {}),
        ([], "D", {"precision": "exclude"}),
        (["target_type"], "YS", {"scope": "all_attacks"}),
        (["actor_class"], "QS", {"scope": "with_claims"}),
    ],
)
def test_the_panel_counts_what_daily_counts_counts(incidents, by, freq, kwargs):
    panel = count_panel(SHIPPED, by=by, freq=freq, **kwargs)
    wide = daily_counts(incidents, by=by or None, freq=freq, **kwargs)
    both = panel.merge(_long(wide, by), on=[*by, "date"], how="outer", suffixes=("", "_daily"))
    assert both["events"].notna().all() and both["events_daily"].notna().all()
    assert (both["events"] == both["events_daily"]).all()


def test_zero_filled_with_exposure_over_the_calendar():
    frame = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2024-01-03", "2024-01-10", "2024-01-10"]),
            "country": ["Iraq", "Syria", "Syria"],
        }
    )
    panel = count_panel(
        frame, by="country", freq="W", scope=Scope(confirmation=None), start="2024-01-03", end="2024-01-16"
    )
    assert panel["date"].dt.strftime("%m-%d").tolist() == ["01-01", "01-08", "01-15"] * 2
    assert panel["exposure_days"].tolist() == [5, 7, 2] * 2
    assert panel["events"].tolist() == [1, 0, 0, 0, 2, 0]


def test_parquet_and_a_duckdb_table_give_the_same_panel(tmp_path, incidents):
    import duckdb

    csv = count_panel(SHIPPED, by=["country"], freq="MS")
    raw = pd.read_csv(SHIPPED)
    raw.to_parquet(tmp_path / "incidents.parquet")
    start, end = incidents.attrs["coverage"]
    parquet = count_panel(tmp_path / "incidents.parquet", by=["country"], freq="MS", start=start, end=end)
    con = duckdb.connect()
    con.register("frame", raw)
    con.sql("CREATE TABLE attacks AS SELECT * FROM frame")
    table = count_panel(con, table="attacks", by=["country"], freq="MS", start=start, end=end)
    pd.testing.assert_frame_equal(csv, parquet)
    pd.testing.assert_frame_equal(csv, table)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "province"}, "by='province' is not allowed; allowed: 'event_id'"),
        ({"freq": "H"}, "freq='H' is not allowed; allowed: 'D', 'W', 'MS', 'QS', 'YS'"),
        ({"precision": "spread"}, "precision='spread' is not allowed"),
        ({"scope": "independent"}, "without independent_only"),
    ],
)
def test_bad_arguments_name_the_argument_and_what_is_allowed(kwargs, message):
    with pytest.raises(ArgumentError, match=message.replace("(", r"\(")):
        count_panel(SHIPPED, **kwargs)


def test_a_source_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(ArgumentError, match="source="):
        count_panel(tmp_path / "missing.csv")
    (tmp_path / "events.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"a \.csv, \.csv\.gz or \.parquet file"):
        count_panel(tmp_path / "events.xlsx")
    frame = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-01"])})
    with pytest.raises(ArgumentError, match="no column 'confirmation'"):
        count_panel(frame)
    bad = tmp_path / "bad.csv"
    bad.write_text("event_date,country\n2024-01-01,Iraq\n2024-02-30,Syria\n", encoding="utf-8")
    with pytest.raises(ArgumentError, match=r"bad\.csv.*2024-02-30"):
        count_panel(bad, by="country", scope=Scope(confirmation=None))

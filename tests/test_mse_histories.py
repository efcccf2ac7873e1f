"""Tests for analysis.models.mse.histories: capture histories from the incidents."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import analysis
from analysis.errors import ArgumentError, DataQualityWarning
from analysis.models.mse import capture_histories


def test_capture_histories_of_the_shipped_record_account_for_every_row(incidents):
    from analysis.scope import get_scope

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        hist = capture_histories(incidents, study=analysis.load_study())
    in_scope = get_scope("pentagon").replace(confirmation=None).select(incidents)
    assert len(hist) + len(hist.attrs["dropped"]) == len(in_scope)
    assert set(hist.columns) >= {"event_id", "stratum", "period", "official", "claim", "media"}
    assert hist[["official", "claim", "media", "monitor", "state_media"]].sum(axis=1).min() >= 1
    if hist.attrs["dropped"]:
        assert any(issubclass(w.category, DataQualityWarning) for w in seen)


def test_capture_histories_map_systems_to_lists():
    inc = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "source_systems": ["us_official;independent_media", "coalition_official", ""],
        }
    )
    with pytest.warns(DataQualityWarning, match="1 rows"):
        hist = capture_histories(inc, strata=None, scope=False)
    assert hist["official"].tolist() == [1, 1]
    assert hist["media"].tolist() == [1, 0]
    assert hist.attrs["dropped"][0][0] == "c"


def test_capture_histories_bad_lists_and_strata():
    inc = pd.DataFrame({"event_id": ["a"], "source_systems": ["claim"]})
    with pytest.raises(ArgumentError, match="three or more"):
        capture_histories(inc, lists={"a": ["claim"], "b": ["monitor"]}, strata=None, scope=False)
    with pytest.raises(ArgumentError, match="rumour"):
        capture_histories(
            inc, lists={"a": ["rumour"], "b": ["monitor"], "c": ["claim"]}, strata=None, scope=False
        )
    with pytest.raises(ArgumentError, match="strata"):
        capture_histories(inc, strata="province", scope=False)
    with pytest.raises(ArgumentError, match="source_systems"):
        capture_histories(inc.drop(columns="source_systems"), strata=None, scope=False)

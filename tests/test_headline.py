"""Tests for analysis.headline: the sentences read their numbers from the table, the coverage sentence."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from analysis.headline import Headline, coverage_sentence
from analysis.periods import Period
from analysis.study import Study

SURGE = Period("surge", "Surge", "2023-10-17", "2024-02-04")
CALM = Period("calm", "Calm", "2021-12-10", "2023-10-16")


def view(name: str, estimate: float, events: int, ref_events: int, ref_rate: float = 0.5, **kw) -> dict:
    row = {
        "estimate": estimate,
        "ci_low": estimate * 0.8,
        "ci_high": estimate * 1.25,
        "events": events,
        "ref_events": ref_events,
        "rate": 40.0,
        "rate_ci_low": 35.0,
        "rate_ci_high": 45.0,
        "ref_rate": ref_rate,
        "view": name,
        "source": "incidents",
        "scope": "pentagon",
        "method": "nights",
        "comparison": "sensitivity",
    }
    return {**row, **kw}


def headline(split: tuple[int, int] | None = None) -> Headline:
    """A headline over hand-made rows; ``split`` gives the early and late reference attacks (100 days each)."""
    rows = [
        view("incidents", 20.0, 150, 40, comparison="pre-specified"),
        view("tallies_constant", 18.0, 170, 48, source="tallies"),
        view("tallies_shape", 16.0, 170, 48, source="tallies"),
        view("all_attacks", 15.0, 190, 55, scope="all_attacks"),
    ]
    comparisons = {"incidents": SimpleNamespace(periods=[CALM, SURGE])}
    if split:
        for part, events in zip(("early", "late"), split):
            rows.append(view(f"{part}_reference", 10.0, 150, events, ref_rate=events * 30 / 100))
            piece = Period(f"{part}_calm", part, "2022-01-01", "2022-04-10")  # 100 days
            comparisons[f"{part}_reference"] = SimpleNamespace(periods=[piece, SURGE])
    study = Study(
        periods=(CALM, SURGE),
        coverage_start=dt.date(2019, 10, 1),
        data_through=dt.date(2026, 3, 28),
        period_words="Gaza-war surge",
        reference_words="post-withdrawal calm",
        split_reference_at=dt.date(2022, 4, 9) if split else None,
    )
    return Headline(table=pd.DataFrame(rows), comparisons=comparisons, study=study)


def test_sentences_read_every_number_from_the_table():
    first, tallies, every = headline().sentences()
    assert "in the Gaza-war surge (95% CI 35.0 to 45.0; 150 attacks)" in first
    assert "0.50 in the post-withdrawal calm (40 attacks): 20.0 times the rate (95% CI 16.0 to 25.0)" in first
    assert "18.0 times the post-withdrawal calm rate (95% CI 14.4 to 22.5)" in tallies
    assert "or 16.0 (95% CI 12.8 to 20.0)" in tallies
    # The attacks outside the tallies' scope are the differences between the two views.
    assert "15 in the post-withdrawal calm, 40 in the Gaza-war surge." in every


def test_without_a_split_there_is_no_regime_sentence():
    assert len(headline().sentences()) == 3


def test_a_reference_with_two_regimes_is_called_so():
    regime = headline(split=(60, 6)).sentences()[3]
    assert regime.startswith("The post-withdrawal calm was not one regime in this count")
    assert "first part ran at 18.00 attacks per 30 days and the rest at 1.80" in regime
    assert "(9 April 2022) was found in the data" in regime


def test_a_reference_with_similar_parts_is_called_similar():
    regime = headline(split=(30, 31)).sentences()[3]
    assert regime.startswith("In this count the post-withdrawal calm's two parts ran at similar rates")


def test_row_and_repr_name_the_views():
    h = headline()
    assert h.row("tallies_shape")["estimate"] == 16.0
    assert repr(h) == "<Headline: surge/calm = 20.0 (16.0-25.0), 4 views>"


def coverage(**changes) -> pd.DataFrame:
    """One official, all-scope tally row of the surge; ``changes`` are extra rows' values."""
    base = {
        "official": True,
        "scope": "all",
        "ratio": 0.9,
        "window_start": pd.Timestamp("2023-10-17"),
        "as_of": pd.Timestamp("2024-02-04"),
        "speaker": "Pentagon",
        "official_count": 170,
        "our_rows": 150,
    }
    return pd.DataFrame([base, *({**base, **c} for c in changes.values())])


def test_coverage_sentence_uses_the_last_matching_official_count():
    cov = coverage(
        early=dict(as_of=pd.Timestamp("2023-12-01"), official_count=90, our_rows=100),
        media=dict(official=False, as_of=pd.Timestamp("2024-02-20"), official_count=999),
        other_window=dict(window_start=pd.Timestamp("2023-11-15"), as_of=pd.Timestamp("2024-02-10")),
        too_late=dict(as_of=pd.Timestamp("2024-03-20"), official_count=999),
    )
    text = coverage_sentence(cov, headline())
    assert text.startswith("The last official count for the Gaza-war surge (Pentagon) gave 170 attacks")
    assert "from 17 Oct 2023 to 4 Feb 2024; the list holds 150 attacks" in text
    assert "(88% of it, fewer than the official count)" in text


def test_coverage_sentence_says_so_when_no_tally_covers_the_period():
    cov = coverage()
    cov["scope"] = "bases"
    assert coverage_sentence(cov, headline()).startswith("No official tally covers the headline period")

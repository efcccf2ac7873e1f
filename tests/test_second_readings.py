"""The second readings' agreement rates quoted in the READMEs are the ones their files give."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SECOND = ROOT / "docs" / "research" / "2026-12" / "second"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SECOND / name, dtype=str, keep_default_na=False)


def test_blind_system_coding_agreement_is_quoted_as_computed():
    blind = _read("systems_blind_coded.csv")
    found = blind[~blind["note"].str.lower().str.contains("not found")]
    # The record as it stood at the reading (pages keep their system; USF-0477 and 0265 left later).
    coded = pd.read_csv(ROOT / "data" / "sources.csv", dtype=str, keep_default_na=False)
    system = dict(zip(coded["url"], coded["system"]))
    same = int(sum(system.get(u) == s for u, s in zip(found["url"], found["system"])))
    text = (ROOT / "README.md").read_text(encoding="utf-8") + (ROOT / "data" / "README.md").read_text(
        encoding="utf-8"
    )
    assert f"{same} of the {len(found)}" in text
    assert f"{len(found)} found, the same system on {same}" in text


def test_duplicate_review_agreement_is_quoted_as_computed():
    review = pd.read_csv(ROOT / "data" / "duplicate_review.csv", dtype=str, keep_default_na=False)
    first_pass = review[review["second_reader"] != ""].iloc[:180]
    agree = int((first_pass["first_reader"] == first_pass["second_reader"]).sum())
    assert (agree, len(first_pass)) == (170, 180)
    assert "agree on\n  170 (94%)" in (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def test_candidate_field_agreement_is_quoted_as_computed():
    fields = _read("candidates_second_reader.csv")
    fields = fields[fields["field"] != "verdict"]
    agree = int((fields["agree"] == "yes").sum())
    assert f"{len(fields)} readings, {agree} agree" in (ROOT / "data" / "README.md").read_text(
        encoding="utf-8"
    )

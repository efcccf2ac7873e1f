"""Formula neutralising for CSV files people open in a spreadsheet."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.safety import FORMULA_START, neutralise_formulas


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Rockets fired = 3", "Rockets fired = 3"),  # only the first character matters
        ("-3", "-3"),  # a number written as text stays a number
        ("+1.5e3", "+1.5e3"),
        ("", ""),
    ],
)
def test_text_cells(cell, expected):
    out = neutralise_formulas(pd.DataFrame({"summary": pd.Series([cell], dtype="str")}))
    assert out.loc[0, "summary"] == expected


def test_numbers_dates_and_missing_untouched_and_input_unchanged():
    frame = pd.DataFrame(
        {
            "n": [-1, 2, 3],
            "x": [-1.5, None, 2.0],
            "d": pd.to_datetime(["2024-01-01", "2024-01-02", None]),
            "mixed": ["=1", 5, None],
            "text": pd.Series(["@a", None, "fine"], dtype="str"),
        }
    )
    before = frame.copy()
    out = neutralise_formulas(frame)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(out[["n", "x", "d"]], frame[["n", "x", "d"]])
    assert out["mixed"].tolist()[:2] == ["'=1", 5] and pd.isna(out["mixed"].iloc[2])
    assert out["text"].tolist()[0] == "'@a" and pd.isna(out["text"].iloc[1]) and out["text"].iloc[2] == "fine"
    assert out["text"].dtype == frame["text"].dtype


def test_every_start_character_is_covered():
    frame = pd.DataFrame({"c": [f"{ch}x" for ch in FORMULA_START]})
    assert neutralise_formulas(frame)["c"].str.startswith("'").all()

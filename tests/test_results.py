"""Tests for analysis.results: one set of blocks behind the repr, the text summary and the HTML view."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from analysis.results import Result


@dataclass(frozen=True, eq=False, repr=False)
class Demo(Result):
    table: pd.DataFrame
    note: str = ""
    assumptions: str = "days are independent"

    def _repr_fields(self) -> str:
        return f"{len(self.table)} rows"

    def _extra_blocks(self) -> list:
        extra = pd.DataFrame({"check": ["overdispersion"], "p_value": [0.012345]})
        return [extra, self.note] if self.note else [extra]


TABLE = pd.DataFrame({"period": ["calm", "surge"], "estimate": [1.0, 12.345678]})


def test_repr_is_one_line_with_the_class_name_and_its_fields():
    assert repr(Demo(TABLE)) == "<Demo: 2 rows>"


def test_summary_renders_repr_tables_sentences_and_assumptions_in_order():
    text = Demo(TABLE, note="Intervals: nights <exact>").summary()
    parts = text.split("\n\n")
    assert parts[0] == "<Demo: 2 rows>"
    assert "surge" in parts[1] and "12.3" in parts[1] and "12.345678" not in parts[1]
    assert "overdispersion" in parts[2]
    assert parts[3] == "Intervals: nights <exact>"
    assert parts[4] == "Assumptions: days are independent"


def test_summary_digits_set_the_significant_figures():
    assert "12.35" in Demo(TABLE).summary(digits=4)
    assert "12.35" not in Demo(TABLE).summary(digits=3)


def test_html_shows_every_block_of_the_summary_escaped():
    html = Demo(TABLE, note="Intervals: nights <exact>")._repr_html_()
    assert html.startswith("<p><strong>&lt;Demo: 2 rows&gt;</strong></p>")
    assert html.count("<table") == 2 and "overdispersion" in html
    assert "Intervals: nights &lt;exact&gt;" in html and "<exact>" not in html
    assert "Assumptions: days are independent" in html
    assert html.index("surge") < html.index("overdispersion") < html.index("Assumptions")


def test_a_result_without_assumptions_has_no_assumptions_block():
    @dataclass(frozen=True, eq=False, repr=False)
    class Bare(Result):
        table: pd.DataFrame

        def _repr_fields(self) -> str:
            return "bare"

    bare = Bare(TABLE)
    assert "Assumptions" not in bare.summary() and "Assumptions" not in bare._repr_html_()
    assert bare.summary().split("\n\n")[0] == "<Bare: bare>" and len(bare.summary().split("\n\n")) == 2


#: The table vocabulary: every result's .table leads with these; p_value where the quantity has a test.
LEAD = ["estimate", "ci_low", "ci_high"]
# The undercount totals, the adjusted ratio and Hawkes are estimates with intervals only (no test is posed).
TESTED = {"cmp", "tcmp", "headline", "its", "cp", "se", "tw", "groups"}


@pytest.mark.parametrize(
    "name", ["cmp", "tcmp", "headline", "its", "cp", "se", "tw", "hawkes", "under", "adj", "groups"]
)
def test_every_result_table_speaks_the_vocabulary(fitted, name):
    table = fitted[name].table
    assert set(LEAD) <= set(table.columns), list(table.columns)
    if name in TESTED:
        assert "p_value" in table.columns
    assert not table.attrs, "no side channels: what a table means is on the result, not in attrs"
    for alias in ("rate_ratio", "rr_ci_low", "rr_ci_high", "rr_p_value"):
        assert alias not in table.columns, f"{alias}: the wide names belong to .wide / .changepoints"

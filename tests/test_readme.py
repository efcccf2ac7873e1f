"""The README's headline numbers are the computed results, not a copy that can drift."""

from pathlib import Path

import pytest

from analysis.readme import (
    BEGIN,
    BENCH_BEGIN,
    BENCH_END,
    COV_BEGIN,
    COV_END,
    END,
    OUT_BEGIN,
    OUT_END,
    benchmarks_block,
    coverage_block,
    headline_block,
    outputs_block,
    read_block,
)

ROOT = Path(__file__).resolve().parent.parent


def test_readme_headline_block_matches_the_results():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = read_block(text, BEGIN, END)
    assert block == headline_block(), "README headline is stale: run `python -m analysis readme`"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [
        ["make", "report"],
        ["make", "test"],
    ]


def test_readme_outputs_table_lists_what_the_report_writes():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert read_block(text, OUT_BEGIN, OUT_END) == outputs_block()


def test_readme_coverage_table_is_the_simulation_output():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert read_block(text, COV_BEGIN, COV_END) == coverage_block()


def test_default_interval_beats_the_old_one_in_both_saved_studies():
    import pandas as pd

    cols = ["coverage_ratio", "coverage_rate_comparison", "coverage_rate_reference"]
    for name in ("sim_coverage.csv", "sim_holdout.csv"):
        t = pd.read_csv(ROOT / "benchmarks" / "results" / name)
        worst = t.groupby("method")[cols].min().min(axis=1)
        # The default holds about 0.9 where no other method reaches 0.8 (the README says where).
        assert worst["nights"] >= 0.89 and worst["nights"] > worst.drop("nights").max() + 0.1, name


def test_readme_benchmark_tables_are_the_saved_outputs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert read_block(text, BENCH_BEGIN, BENCH_END) == benchmarks_block()


def test_data_readme_provenance_counts_are_computed():
    from analysis.readme import PROV_BEGIN, PROV_END, provenance_block

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert read_block(text, PROV_BEGIN, PROV_END) == provenance_block()


def test_readme_states_the_about_convention_the_code_uses():
    from analysis.models.tallies import ABOUT_SHARE

    assert f'"about N" is N ± {ABOUT_SHARE:.0%}' in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_readme_undercount_block_matches_the_results():
    from analysis.readme import MSE_BEGIN, MSE_END, undercount_block

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert read_block(text, MSE_BEGIN, MSE_END) == undercount_block()


def test_the_readme_claims_on_self_excitation_size_hold_in_the_saved_study():
    import pandas as pd

    t = pd.read_csv(ROOT / "benchmarks" / "results" / "sim_selfexcite_holdout.csv", dtype={"smooth": str})
    size = t.set_index(["smooth", "scenario"])["rejects_at_5pct"]
    for scenario in ("bursts", "steps"):
        assert size["auto", scenario] < size["60", scenario] / 2
    nulls = t[t["true_branching"] == 0]
    assert (nulls["rejects_at_5pct"] > 0.05).any()  # "no setting holds 5%"
    assert "less than half of what fixed 60-day knots give" in (ROOT / "README.md").read_text(
        encoding="utf-8"
    )

"""The README's headline numbers are the computed results, not a copy that can drift."""

from pathlib import Path

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


def test_default_interval_meets_the_coverage_target_in_the_saved_study():
    import pandas as pd

    t = pd.read_csv(ROOT / "benchmarks" / "results" / "sim_coverage.csv")
    hac = t[t["method"] == "hac"]
    assert len(hac) == 5 and (hac[["coverage_ratio", "coverage_rate_comparison"]] >= 0.93).all().all()


def test_readme_benchmark_tables_are_the_saved_outputs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert read_block(text, BENCH_BEGIN, BENCH_END) == benchmarks_block()


def test_data_readme_provenance_counts_are_computed():
    from analysis.readme import PROV_BEGIN, PROV_END, provenance_block

    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert read_block(text, PROV_BEGIN, PROV_END) == provenance_block()


def test_readme_states_the_about_convention_the_code_uses():
    from analysis.models.rates import ABOUT_SHARE

    assert f'"about N" is N ± {ABOUT_SHARE:.0%}' in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_undercount_block_matches_the_results():
    from analysis.readme import MSE_BEGIN, MSE_END, undercount_block

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert read_block(text, MSE_BEGIN, MSE_END) == undercount_block()

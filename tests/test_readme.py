"""The README's headline numbers are the computed results, not a copy that can drift."""

from pathlib import Path

from analysis.readme import BEGIN, END, OUT_BEGIN, OUT_END, headline_block, outputs_block

ROOT = Path(__file__).resolve().parent.parent


def test_readme_headline_block_matches_the_results():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(BEGIN): text.index(END) + len(END)]
    assert block == headline_block(), "README headline is stale: run `python -m analysis readme`"


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = text.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "report"], ["make", "test"]]


def test_readme_outputs_table_lists_what_the_report_writes():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text[text.index(OUT_BEGIN): text.index(OUT_END) + len(OUT_END)] == outputs_block()

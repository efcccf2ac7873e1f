"""make report: every listed output exists, and two builds are byte-identical."""

import re
from pathlib import Path

import pytest

from analysis.report import FIGURES, TABLES, build_report

ROOT = Path(__file__).resolve().parent.parent

# Two full report builds (about a minute or more): `make test-fast` leaves them out.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    a = tmp_path_factory.mktemp("a")
    b = tmp_path_factory.mktemp("b")
    lines = []
    build_report(a, progress=lines.append)
    build_report(b)
    return a, b, lines


def _outputs(root):
    # The model cache (.cache/) is not an output: a pickle of fitted objects, rebuilt when data or code change.
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts)


def test_builds_are_byte_identical(two_builds):
    a, b, _ = two_builds
    files_a, files_b = _outputs(a), _outputs(b)
    assert files_a == files_b and len(files_a) >= 2 * len(FIGURES) + 3 * len(TABLES) + 2
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_every_output_in_the_readme_exists(two_builds):
    a, _, _ = two_builds
    readme = (ROOT / "README.md").read_text()
    outputs = readme.split("## Outputs", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"`reports/([^`]+)`", outputs)
    assert len(listed) >= len(FIGURES) + len(TABLES)
    for rel in listed:
        assert (a / rel).exists(), rel
    for stem in FIGURES:
        assert (a / "figures" / f"{stem}.svg").exists() and f"figures/{stem}" in readme
    for stem in TABLES:
        assert (a / "tables" / f"{stem}.csv").exists() and f"tables/{stem}" in readme


def test_html_has_headline_provenance_and_no_timestamps(two_builds):
    a, _, lines = two_builds
    html = (a / "index.html").read_text()
    assert "attacks per 30 days in the Gaza-war surge" in html
    assert "sha256" in html and "incidents.csv" in html
    assert "excluded by validation" in html
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:\d\d", html)
    assert len(lines) >= 4 and lines[0].startswith("load")


def test_html_escapes_data_text(tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    text = (data / "context_events.csv").read_text()
    (data / "periods.toml").write_text(
        (ROOT / "data" / "periods.toml")
        .read_text()
        .replace('label = "Gaza-war surge"', 'label = "<script>alert(1)</script>"')
    )
    (data / "context_events.csv").write_text(text)
    index = build_report(tmp_path / "out", data=data)
    html = index.read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_a_cached_rebuild_writes_the_same_bytes(two_builds, tmp_path):
    """The second build in the same folder takes the fitted models from the cache; the outputs do not change."""
    a, _, _ = two_builds
    assert list((a / ".cache").glob("fit-*.pkl"))
    build_report(a)
    c = tmp_path / "cold"
    build_report(c, cache=False)
    assert not (c / ".cache").exists()
    for rel in _outputs(c):
        assert (a / rel).read_bytes() == (c / rel).read_bytes(), rel

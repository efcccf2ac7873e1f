"""Publishing basics: one version, a fast command line, lazy imports, licence and citation files."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

import analysis

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

#: What `import analysis` and `--help` must not load: the slow parts of the stack.
HEAVY = ("matplotlib", "statsmodels", "scipy", "pandera", "pandas")


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout


def pyproject_version() -> str:
    """The version pyproject.toml declares, resolved as setuptools resolves ``attr:`` (statically)."""
    project, dynamic = PYPROJECT["project"], PYPROJECT["tool"]["setuptools"]["dynamic"]
    assert "version" not in project and "version" in project["dynamic"], "the version has one source"
    module, _, name = dynamic["version"]["attr"].rpartition(".")
    source = ROOT / (module.replace(".", "/") + "/__init__.py")
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{source} does not assign {name}")


def test_version_prints_the_pyproject_version():
    version = pyproject_version()
    for flag in ("--version", "-V"):
        out = subprocess.run(
            [sys.executable, "-m", "analysis", flag], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout
        assert out.strip() == f"attack-rates {version}"
    assert analysis.__version__ == version
    # The installed metadata copies it (make .venv reinstalls when analysis/__init__.py changes).
    assert importlib.metadata.version("attack-rates") == version


def test_citation_repeats_the_one_version_source():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert text.count(f"version: {analysis.__version__}\n") == 2
    assert text.count(f"date-released: {analysis.__date__}\n") == 2


def test_the_distribution_is_not_called_analysis_and_the_wheel_names_its_data():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["name"] == "attack-rates" and "attack-rates" in meta["scripts"]
    assert meta["authors"] and meta["classifiers"] and meta["keywords"]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "dataset/*.csv" in data["package-data"]["analysis"]
    assert (ROOT / "analysis" / "dataset" / "incidents.csv").is_file() and (
        ROOT / "analysis" / "py.typed"
    ).is_file()


def test_data_source_order_argument_environment_checkout(monkeypatch, tmp_path):
    from analysis.data import data_source

    assert data_source(tmp_path) == (tmp_path, "argument")
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(tmp_path))
    assert data_source() == (tmp_path, "environment")
    monkeypatch.delenv("ANALYSIS_DATA_DIR")
    assert data_source() == (ROOT / "data", "checkout")


def test_help_answers_in_well_under_a_second():
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "analysis", "--help"], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout
        times.append(time.perf_counter() - start)
        assert "compare" in out and "--version" in out
    assert statistics.median(times) < 1.0, times


def test_import_and_help_load_none_of_the_heavy_libraries():
    code = (
        "import sys, json, contextlib, io\n"
        "import analysis\n"
        f"after_import = sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)})\n"
        "from analysis.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help']); main(['--version']); main(['compare', '--help'])\n"
        f"after_help = sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)})\n"
        "print(json.dumps([after_import, after_help]))\n"
    )
    after_import, after_help = json.loads(_run(code))
    assert after_import == [], after_import
    assert after_help == [], after_help


def test_every_public_name_resolves_lazily_and_eagerly():
    # In a fresh interpreter, so the lazy path runs rather than names other tests already cached.
    code = (
        "import analysis, json, sys, types\n"
        "missing = [n for n in analysis.__all__ if getattr(analysis, n, None) is None]\n"
        "ns = {}\n"
        "exec('from analysis import ' + ', '.join(analysis.__all__), ns)\n"
        "modules = [n for n in analysis.__all__ if isinstance(ns[n], types.ModuleType)]\n"
        "print(json.dumps([missing, modules, sorted(set(analysis.__all__) - set(dir(analysis)))]))\n"
    )
    missing, modules, undirred = json.loads(_run(code))
    assert missing == [] and modules == [] and undirred == []
    for name in analysis.__all__:  # the same object as in the module that defines it
        assert getattr(analysis, name) is getattr(importlib.import_module(analysis._EXPORTS[name]), name)
    assert len(analysis.__all__) == len(set(analysis.__all__))


def test_unknown_names_raise_attribute_error_and_submodules_still_import():
    with pytest.raises(AttributeError, match="no_such_name"):
        analysis.no_such_name  # noqa: B018
    from analysis import counts, errors  # submodules that are not public names

    assert counts.__name__ == "analysis.counts" and errors.__name__ == "analysis.errors"
    # A public function named like its module stays the function once the module is imported.
    importlib.import_module("analysis.coverage")
    assert callable(analysis.coverage) and analysis.coverage.__name__ == "coverage"


def test_licence_and_citation_files():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    data_licence = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "CC-BY-4.0" in data_licence and "publishers" in data_licence
    assert PYPROJECT["project"]["license"] == "MIT AND CC-BY-4.0"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE", "LICENSE-DATA"]
    assert json.loads((ROOT / "data" / "datapackage.json").read_text())["licenses"][0]["name"] == "CC-BY-4.0"

    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    keys = {line.split(":")[0] for line in cff.splitlines() if line and line[0].isalpha()}
    assert {"cff-version", "message", "title", "authors", "license", "type", "references"} <= keys
    assert {
        "version",
        "date-released",
    } <= keys  # kept equal to analysis.__version__ and __date__ (test above)
    assert "US Forces Attack Record: attacks on US and coalition forces in Iraq, Syria" in " ".join(
        cff.split()
    )
    assert "type: software" in cff and "license: MIT" in cff


def test_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and "keepachangelog.com" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## [Unreleased]"
    assert all(h == "## [Unreleased]" or h.startswith("## [") for h in headings)


def test_readme_code_map_lists_every_module_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    assert headings.index("## Code map") + 1 == headings.index("## Data")
    section = readme.split("## Code map\n", 1)[1].split("\n## ", 1)[0]
    listed = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "analysis").rglob("*.py"))
    assert sorted(listed) == modules

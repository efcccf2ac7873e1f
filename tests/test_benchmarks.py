"""Every script in benchmarks/ runs at a small size (a smoke run: it works, not how fast it is).

Timings and studies are read from their full runs (benchmarks/results/); here each script only has to
finish cleanly on small inputs, so a change that breaks one is caught by `make test`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"

pytestmark = pytest.mark.slow

#: Each script with the arguments of its smoke run ("{tmp}" is a fresh folder).
SMOKE = {
    "bench_changepoint.py": ["--days", "300", "--repeats", "1", "--fpr-reps", "5"],
    "bench_hawkes.py": ["--events", "300", "--skip-naive-fit"],
    "bench_groups.py": ["--groups", "200", "--sample", "50"],
    "sim_coverage.py": ["--reps", "5"],
    "sim_holdout.py": ["--reps", "5"],
    "sim_mse.py": ["--reps", "2", "--boot", "5", "--scenarios", "small"],
    "sim_selfexcite.py": ["--series", "2", "--boot-series", "1", "--n-boot", "3", "--workers", "1"],
    "sim_selfexcite_holdout.py": ["--series", "1", "--power-series", "1", "--n-boot", "3", "--workers", "1"],
    "mse_parity.py": ["--only", "record_calm"],
    "compare_peers.py": ["--repeats", "1"],
    "bench_report.py": ["--repeats", "1", "--data", "{fast_data}"],
}


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


def test_every_script_has_a_smoke_run():
    scripts = {p.name for p in BENCH.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(SMOKE) | {"make_acled_like.py", "bench_load.py", "bench_panel.py"}


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_smoke(script, tmp_path):
    from analysis.report import preview_data

    args = [a.replace("{fast_data}", str(preview_data(tmp_path))) if "{" in a else a for a in SMOKE[script]]
    assert run(script, *args).strip()


def test_load_benchmark_on_a_small_acled_like_file(tmp_path):
    """make_acled_like.py writes files the loader accepts, and bench_load.py runs every variant on them."""
    run("make_acled_like.py", "--rows", "2000", "--out", str(tmp_path))
    out = run("bench_load.py", "--data", str(tmp_path), "--repeat", "1")
    assert "load_1pct_bad" in out and "ratio load_count / bare_count" in out
    out = run("bench_panel.py", "--data", str(tmp_path), "--repeat", "1")
    assert "count_panel / duckdb_query" in out

"""Panel counts on a large ACLED-like file: count_panel beside DuckDB's own query and the old path.

Variants, each in a fresh process (seconds and peak memory; the median of ``--repeat`` runs):

duckdb_query   DuckDB's own GROUP BY of country x actor x day (the peer: no scope, no zero-filling)
count_panel    ``analysis.panel.count_panel`` on the same file, same groups, zero-filled over the
               calendar, every filter off (``Scope(confirmation=None)``)
streaming      ``analysis.data.count_by_day_streaming``: the path before count_panel (validates block by
               block with Polars, one daily series only; skipped when polars is not installed)

Examples
--------
::

    python benchmarks/make_acled_like.py --rows 2000000
    python benchmarks/bench_panel.py --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_CHILD = r"""
import json, resource, sys, time
variant, path = sys.argv[1], sys.argv[2]
import duckdb
from analysis.panel import count_panel
from analysis.scope import Scope
start = time.perf_counter()
if variant == "duckdb_query":
    rows = duckdb.sql(
        f"SELECT country, claimed_by, CAST(event_date AS DATE) AS d, count(*) AS n "
        f"FROM read_csv('{path}', header=true) GROUP BY ALL"
    ).df()
    n, cells = int(rows["n"].sum()), len(rows)
elif variant == "count_panel":
    panel = count_panel(path, by=["country", "claimed_by"], freq="D", scope=Scope(confirmation=None))
    n, cells = int(panel["events"].sum()), len(panel)
else:
    from analysis.data import count_by_day_streaming
    daily = count_by_day_streaming(path)
    n, cells = int(daily.sum()), len(daily)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "events": n, "cells": cells}))
"""


def _run(variant: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, variant, str(path)], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{variant} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(HERE / "data"), help="folder written by make_acled_like.py")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = Path(args.data) / "incidents.csv"
    if not path.is_file():
        raise SystemExit(f"{path}: not found; run python benchmarks/make_acled_like.py first")
    variants = ["duckdb_query", "count_panel"]
    if importlib.util.find_spec("polars") is not None:
        variants.append("streaming")
    runs = {v: [_run(v, path) for _ in range(args.repeat)] for v in variants}
    print(f"{path}: {path.stat().st_size / 1e6:.0f} MB, {runs['count_panel'][0]['events']} rows")
    print(f"{'variant':<14} {'median s':>9} {'peak MB':>8} {'events':>9} {'cells':>10}")
    for variant, rs in runs.items():
        print(
            f"{variant:<14} {statistics.median(r['seconds'] for r in rs):>9.2f} "
            f"{max(r['peak_mb'] for r in rs):>8.0f} {rs[0]['events']:>9} {rs[0]['cells']:>10}"
        )
    ours = statistics.median(r["seconds"] for r in runs["count_panel"])
    peer = statistics.median(r["seconds"] for r in runs["duckdb_query"])
    print(f"count_panel / duckdb_query: {ours / peer:.2f}x (goal: at most 1.5x)")
    if "streaming" in runs:
        old = statistics.median(r["seconds"] for r in runs["streaming"])
        print(f"count_panel / streaming (the old path, one series): {ours / old:.2f}x (goal: at most 1x)")


if __name__ == "__main__":
    main()

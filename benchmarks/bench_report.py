"""`python -m analysis report`, cold and warm, beside a bare import of the libraries it is built on.

Each variant runs in a fresh process; the median of ``--repeats`` runs is printed. "Warm" is a
rebuild with the same data and code: the fitted models come from reports' cache (keyed by the
sha256 of the data files and the package's source) and the figures are drawn in parallel.

Usage: python benchmarks/bench_report.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

IMPORTS = "import pandas, statsmodels.api, matplotlib.pyplot, pandera.pandas"


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", default=None, help="data folder (default: the shipped data)")
    args = parser.parse_args()
    data = ["--data", args.data] if args.data else []
    py = sys.executable
    bare, cold, warm = [], [], []
    for _ in range(args.repeats):
        bare.append(_run([py, "-c", IMPORTS]))
        with tempfile.TemporaryDirectory() as out:
            cold.append(_run([py, "-m", "analysis", "report", "--out", out, *data]))
            warm.append(_run([py, "-m", "analysis", "report", "--out", out, *data]))
    b, c, w = (statistics.median(x) for x in (bare, cold, warm))
    print("| task | ours (s) | peer (s) | ratio | goal |\n|---|---|---|---|---|")
    print(
        f"| `python -m analysis report`, warm, vs a bare import of pandas, statsmodels, matplotlib, pandera "
        f"| {w:.2f} | {b:.2f} | {w / b:.2f}x | <= 4x |"
    )
    print(f"| `python -m analysis report`, cold (models fitted) | {c:.2f} | {b:.2f} | {c / b:.2f}x | info |")


if __name__ == "__main__":
    main()

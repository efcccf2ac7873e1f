"""Our log-linear multiple systems estimates beside R's glm (an independent computation) from one run.

For each table in tests/data/mse/*.csv (one 0/1 column per list and ``count``) and
for the shipped record's calm and surge strata, every hierarchical model with two-list
interactions is fitted by :mod:`analysis.models.mse` and by ``benchmarks/r/mse_glm.R``
(``Rscript`` from Debian's r-base-core; skipped with a note when absent). Prints the
estimates side by side and the largest relative difference.

Usage: python benchmarks/mse_parity.py [--out benchmarks/results/mse_r_parity.txt]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.models.mse import _as_cells, _fit_all

HERE = Path(__file__).resolve().parent


def ours(cells: pd.DataFrame) -> pd.DataFrame:
    lists = [c for c in cells.columns if c != "count"]
    cells = _as_cells(cells, lists)
    models, est, ic, dev = _fit_all(cells, lists, "aic")
    names = ["independence" if not m else " + ".join(f"{a}:{b}" for a, b in m) for m in models]
    return pd.DataFrame({"model": names, "ours_N": est[0], "ours_deviance": dev[0]}).dropna()


def theirs(cells: pd.DataFrame) -> pd.DataFrame | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cells.csv"
        cells.to_csv(path, index=False)
        out = subprocess.run(
            ["Rscript", str(HERE / "r" / "mse_glm.R"), str(path)], capture_output=True, text=True, check=True
        ).stdout
    rows = []
    for line in out.splitlines()[1:]:
        parts = line.rsplit(None, 3)
        rows.append((parts[0].strip(), float(parts[1]), float(parts[3])))
    return pd.DataFrame(rows, columns=["model", "R_deviance", "R_N"])


def shipped_tables() -> dict[str, pd.DataFrame]:
    from analysis import load_incidents, load_study
    from analysis.models.mse import capture_histories

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = capture_histories(load_incidents(), study=load_study())
    out = {}
    for name in ("calm", "surge"):
        part = hist[hist["stratum"] == name]
        lists = [c for c in hist.attrs["lists"] if part[c].sum() > 0]
        out[f"record_{name}"] = _as_cells(part, lists)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None)
    parser.add_argument("--only", nargs="+", metavar="TABLE", help="only these tables (e.g. record_calm)")
    args = parser.parse_args(argv)
    tables = {p.stem: pd.read_csv(p) for p in sorted((HERE.parent / "tests" / "data" / "mse").glob("*.csv"))}
    tables.update(shipped_tables())
    if args.only:
        unknown = sorted(set(args.only) - set(tables))
        if unknown:
            parser.error(f"--only {unknown[0]!r}: no such table; allowed: {', '.join(tables)}")
        tables = {name: tables[name] for name in args.only}
    lines = []
    for name, cells in tables.items():
        # Every observable history enters both fits, zero counts included (the packages' tables omit them).
        cells = _as_cells(cells, [c for c in cells.columns if c != "count"])
        mine = ours(cells)
        other = theirs(cells)
        lines.append(f"## {name}: {int(cells['count'].sum())} observed, {len(cells.columns) - 1} lists")
        if other is None:
            lines.append("Rscript not found: install r-base-core to run the independent computation")
            lines.append(mine.head(10).to_string(index=False))
            continue
        both = mine.merge(other, on="model", how="outer")
        both["rel_diff_N"] = (both["ours_N"] - both["R_N"]).abs() / both["R_N"]
        shown = both.sort_values("ours_deviance").head(10)
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        matched = both.dropna(subset=["ours_N", "R_N"])
        lines.append(
            f"models fitted by both: {len(matched)} of {len(both)} (others ran to the boundary in one of the two); "
            f"largest relative difference in N: {np.nanmax(matched['rel_diff_N']):.2e}"
        )
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

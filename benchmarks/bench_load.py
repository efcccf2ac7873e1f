"""Time and peak memory of loading a million incidents, against a bare pyarrow read.

Each variant runs in its own fresh Python process, several times, interleaved
in a shuffled order so that a noisy machine hurts every variant alike; the table gives the best
and the median wall time (imports excluded) and the peak resident memory of
the process (``ru_maxrss``, imports included, so the interpreter's own
footprint is listed too).

Variants
--------
bare_read        ``pandas.read_csv(engine="pyarrow")``, types inferred, nothing checked
bare_count       the same plus the daily counts (``groupby("event_date").size()``)
load_count       ``analysis.load_incidents`` (read, parse, every schema rule, the
                 gazetteer check, sort) plus the same daily counts
load_1pct_bad    ``analysis.load_incidents(errors="exclude")`` on a copy in which every
                 100th row is invalid (an unknown weapon, an impossible date, a negative
                 count or a malformed URL, in turn), plus the same daily counts; the
                 child checks that every valid row is kept and every bad one reported
acled_bare       ``pandas.read_csv(engine="pyarrow")`` of the ACLED-format file
from_acled       ``analysis.acled.from_acled`` on it (read, filter, map)
polars_count     ``analysis.data.count_by_day_streaming`` (block by block, pandera's
                 Polars backend; the path for files larger than memory; if installed)

Examples
--------
Make the data once, then run (five to ten minutes: each run starts a fresh process)::

    python benchmarks/make_acled_like.py
    python benchmarks/bench_load.py --repeat 5
    python benchmarks/bench_load.py --only bare_read load_count load_1pct_bad
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "data"

_CHILD = r"""
import json, resource, sys, time, warnings
variant, data = sys.argv[1], sys.argv[2]
import pandas as pd
if variant in ("load_count", "load_1pct_bad", "from_acled"):
    from analysis import load_incidents
    from analysis.acled import from_acled
if variant == "polars_count":
    from analysis.data import count_by_day_streaming
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if variant == "bare_read":
    n = len(pd.read_csv(f"{data}/incidents.csv", engine="pyarrow"))
elif variant == "bare_count":
    n = len(pd.read_csv(f"{data}/incidents.csv", engine="pyarrow").groupby("event_date").size())
elif variant == "load_count":
    n = len(load_incidents(f"{data}/incidents.csv").groupby("event_date").size())
elif variant == "load_1pct_bad":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = load_incidents(f"{data}/bad/incidents.csv", errors="exclude")
    n = len(df.groupby("event_date").size())
    excluded = df.attrs["excluded"]
    rows = len(df) + len(excluded)
    bad_lines = set(range(2, rows + 2, 100))  # every 100th data row, from the first
    assert set(excluded["line"]) == bad_lines and len(excluded) == len(bad_lines), "wrong rows excluded"
    assert not df["event_id"].isin(excluded["event_id"]).any()
elif variant == "acled_bare":
    n = len(pd.read_csv(f"{data}/acled_like.csv", engine="pyarrow"))
elif variant == "from_acled":
    n = len(from_acled(f"{data}/acled_like.csv"))
elif variant == "polars_count":
    n = len(count_by_day_streaming(f"{data}/incidents.csv", locations=f"{data}/locations.csv"))
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "base_mb": base / 1024, "n": n}))
"""


def _run(variant: str, data: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, variant, str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode:
        raise SystemExit(f"{variant} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


#: The kinds of bad value written into every 100th row, in turn: (column, value).
BAD_VALUES = [
    ("weapon", "laser"),
    ("event_date", "2023-02-30"),
    ("munitions", "-3"),
    ("source_url", "www.example.org/no-scheme"),
]


def _with_bad_rows(data: Path) -> Path:
    """A copy of incidents.csv with every 100th data row made invalid (deterministic).

    Only those rows are re-written (with the csv module); every other line is
    copied byte for byte. Rewritten only when the clean file is newer.
    """
    out = data / "bad"
    out.mkdir(exist_ok=True)
    target = out / "incidents.csv"
    (out / "locations.csv").write_bytes((data / "locations.csv").read_bytes())
    if target.exists() and target.stat().st_mtime > (data / "incidents.csv").stat().st_mtime:
        return target
    with (
        open(data / "incidents.csv", encoding="utf-8", newline="") as src,
        open(target, "w", encoding="utf-8", newline="") as dst,
    ):
        header_line = next(src)
        dst.write(header_line)
        header = next(csv.reader([header_line]))
        for i, line in enumerate(src):
            if i % 100:
                dst.write(line)
                continue
            fields = next(csv.reader([line]))
            column, value = BAD_VALUES[(i // 100) % len(BAD_VALUES)]
            fields[header.index(column)] = value
            csv.writer(dst, lineterminator="\n").writerow(fields)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="folder written by make_acled_like.py")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--with-bad", action="store_true", help="(the default; kept for old command lines)")
    parser.add_argument("--no-bad", action="store_true", help="skip the 1%%-invalid exclusion path")
    parser.add_argument("--only", nargs="+", metavar="VARIANT", help="run only these variants")
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "incidents.csv").exists():
        raise SystemExit(f"no {data}/incidents.csv: run benchmarks/make_acled_like.py first")
    variants = ["bare_read", "bare_count", "load_count"]
    if not args.no_bad:
        _with_bad_rows(data)
        variants.append("load_1pct_bad")
    if (data / "acled_like.csv").exists():
        variants += ["acled_bare", "from_acled"]
    try:
        import polars  # noqa: F401

        variants.append("polars_count")
    except ImportError:
        pass
    if args.only:
        variants = [v for v in variants if v in args.only]
    results: dict[str, list[dict]] = {v: [] for v in variants}
    order = random.Random(0)
    for _ in range(args.repeat):
        # A new order each round: whichever runs first after another file was
        # read meets a colder cache, and that should not always be the same one.
        for variant in order.sample(variants, len(variants)):
            results[variant].append(_run(variant, data))
    size = (data / "incidents.csv").stat().st_size / 1e6
    print(
        f"incidents.csv: {size:.0f} MB, {next(iter(results.values()))[0]['n']} rows or days; "
        f"{args.repeat} runs each, fresh process per run"
    )
    print(f"{'variant':15s} {'best s':>8s} {'median s':>9s} {'peak MB':>8s} {'after imports MB':>17s}")
    for variant, runs in results.items():
        secs = [r["seconds"] for r in runs]
        print(
            f"{variant:15s} {min(secs):8.2f} {statistics.median(secs):9.2f} "
            f"{max(r['peak_mb'] for r in runs):8.0f} {statistics.median(r['base_mb'] for r in runs):17.0f}"
        )

    def best(v: str) -> float:
        return min(r["seconds"] for r in results[v])

    def median(v: str) -> float:
        return statistics.median(r["seconds"] for r in results[v])

    for bare in ("bare_count", "bare_read"):
        if bare in results and "load_count" in results:
            print(
                f"ratio load_count / {bare}: best {best('load_count') / best(bare):.2f}x, "
                f"median {median('load_count') / median(bare):.2f}x (goal: at most 2x)"
            )
    if "load_1pct_bad" in results and "load_count" in results:
        print(f"{'':15s} {'clean':>8s} {'1% bad, exclude':>16s} {'ratio':>7s}")
        for label, pick in (("best s", best), ("median s", median)):
            clean, bad = pick("load_count"), pick("load_1pct_bad")
            print(f"{label:15s} {clean:8.2f} {bad:16.2f} {bad / clean:6.2f}x (goal: at most 2x)")


if __name__ == "__main__":
    main()

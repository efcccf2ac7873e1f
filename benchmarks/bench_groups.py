"""Period comparisons across many groups at once: compare_groups beside a loop of the scalar exact test.

A synthetic weekly panel (``--groups`` groups x 5 years, two periods, a tenth of the groups with a
doubled rate in the later period) is compared by :func:`analysis.models.groups.compare_groups`
(exact and HAC), and, for a sample of groups, by calling
:func:`analysis.models.exact.rate_ratio_exact_any` one group at a time (the peer), extrapolated to
all groups. Also prints how many of the doubled groups Benjamini-Hochberg finds and how many of the
others it flags.

Usage: python benchmarks/bench_groups.py [--groups 50000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis.models.exact import rate_ratio_exact_any
from analysis.models.groups import compare_groups


def panel(groups: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2020-01-06", periods=261, freq="W-MON")
    base = rng.gamma(1.0, 0.5, groups)
    doubled = rng.random(groups) < 0.1
    later = weeks >= pd.Timestamp("2023-01-02")
    rate = base[:, None] * np.where(later[None, :] & doubled[:, None], 2.0, 1.0)
    counts = rng.poisson(rate)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(groups), len(weeks)),
            "date": np.tile(weeks, groups),
            "events": counts.ravel(),
            "exposure_days": 7,
        }
    )
    return frame, doubled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--sample", type=int, default=2000, help="groups timed one at a time")
    args = parser.parse_args()
    frame, doubled = panel(args.groups)
    periods = {"before": ("2020-01-06", "2023-01-01"), "after": ("2023-01-02", "2024-12-31")}
    timings = {}
    for method in ("exact", "hac"):
        start = time.perf_counter()
        res = compare_groups(frame, periods, reference="before", method=method)
        timings[method] = time.perf_counter() - start
    t = res.table
    sample = t.sample(min(args.sample, len(t)), random_state=0)
    start = time.perf_counter()
    for row in sample.itertuples():
        rate_ratio_exact_any(row.n, row.exposure, row.n_reference, row.exposure_reference)
    loop = (time.perf_counter() - start) / len(sample) * len(t)
    found = (t["p_bh"] < 0.05).to_numpy()
    print(f"{args.groups} groups x 261 weeks ({len(frame):,} panel rows), one comparison each")
    print(f"compare_groups exact   {timings['exact']:7.2f} s")
    print(f"compare_groups hac     {timings['hac']:7.2f} s")
    print(f"scalar exact, one at a time (from {len(sample)} groups) {loop:7.2f} s")
    print(
        f"BH at 0.05 (hac): {found[doubled].mean():.2f} of the doubled groups found, "
        f"{found[~doubled].mean():.3f} of the others flagged"
    )


if __name__ == "__main__":
    main()

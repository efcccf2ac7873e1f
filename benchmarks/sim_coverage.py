"""Coverage of every interval method on simulated series shaped like ours.

For each scenario of :mod:`analysis.simulation` (same-night multi-site
clusters, a rate drifting inside each period, autocorrelated days, all
together) and each method of :mod:`analysis.models.intervals`, the share of
series whose 95% interval covers the true rate ratio (14 by default) and the
true rates of the two periods. The README's coverage table comes from this
script's output.

Usage: python benchmarks/sim_coverage.py [--reps 500] [--ratio 14] [--methods ...]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from analysis.errors import StatisticalWarning
from analysis.models.intervals import METHODS, rate_interval, rate_ratio_interval
from analysis.simulation import SCENARIOS, simulate_periods, true_values


def coverage_study(
    reps: int = 500,
    ratio: float | None = None,
    methods=METHODS,
    scenarios=SCENARIOS,
    ref_rate: float | None = None,
    seed: int = 2021,
) -> pd.DataFrame:
    """One row per scenario and method: coverage of the ratio and of each period's rate.

    ``ratio`` and ``ref_rate`` default to each scenario's own (14 and 0.052 unless the
    scenario sets them).
    """
    rows = []
    for scenario in scenarios:
        rng = np.random.default_rng([seed, SCENARIOS.index(scenario)])
        series = [simulate_periods(scenario, ratio=ratio, ref_rate=ref_rate, seed=rng) for _ in range(reps)]
        ratio_s, ref_s = true_values(scenario, ratio=ratio, ref_rate=ref_rate)
        for method in methods:
            hit_rr = hit_r1 = hit_r0 = 0
            widths = []
            for y1, y0 in series:
                rr = rate_ratio_interval(y1, y0, method=method)
                r1 = rate_interval(y1, method=method)
                r0 = rate_interval(y0, method=method)
                # A reference with no attack has no ratio: counted as not covered.
                hit_rr += bool(rr.ci_low <= ratio_s <= rr.ci_high)
                hit_r1 += r1.ci_low <= ref_s * ratio_s <= r1.ci_high
                hit_r0 += r0.ci_low <= ref_s <= r0.ci_high
                widths.append(np.log(rr.ci_high / rr.ci_low) if rr.ci_low > 0 else np.inf)
            rows.append(
                {
                    "scenario": scenario,
                    "method": method,
                    "coverage_ratio": hit_rr / reps,
                    "coverage_rate_comparison": hit_r1 / reps,
                    "coverage_rate_reference": hit_r0 / reps,
                    "median_log_width": float(np.median(widths)),
                    "reps": reps,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--ratio", type=float, default=None, help="default: each scenario's own")
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument(
        "--out",
        default=None,
        help="also write the table as CSV (the README's coverage table reads "
        "benchmarks/results/sim_coverage.csv)",
    )
    args = parser.parse_args()
    # Periods with one attack day warn that no interval holds; the study counts what they cover.
    warnings.simplefilter("ignore", StatisticalWarning)
    t0 = time.perf_counter()
    table = coverage_study(args.reps, args.ratio, args.methods)
    if args.out:
        table.to_csv(args.out, index=False, float_format="%.4f", lineterminator="\n")
    wide = table.pivot(index="method", columns="scenario", values="coverage_ratio").loc[
        args.methods, list(SCENARIOS)
    ]
    print(f"Coverage of the 95% interval for the rate ratio ({args.reps} series per scenario)")
    print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    for col in ("coverage_rate_comparison", "coverage_rate_reference"):
        wide = table.pivot(index="method", columns="scenario", values=col).loc[args.methods, list(SCENARIOS)]
        print(f"\n{col.replace('_', ' ')}")
        print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

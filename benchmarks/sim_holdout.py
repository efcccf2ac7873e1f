"""A second coverage study, kept apart from tuning: shapes the first study did not have.

Written after the default interval (``nights``) and its one setting (``EWC_SHARE``) were
chosen on ``benchmarks/sim_coverage.py``; nothing here was used to choose them. Its own
generator (not :mod:`analysis.simulation`), its own shapes:

* ``bursts``: the rate switches between a quiet state and bursts eight times as fast
  (a two-state Markov chain: bursts last 7 days on average, quiet spells 40);
* ``weekly_negbin``: a weekly cycle (one day in seven three times as busy) and
  negative-binomial days (dispersion 0.5: many days of several attacks);
* ``geometric_sites``: a 60-day comparison period whose nights hit a geometric number
  of sites (mean 2.5, a long tail);
* ``step_persistent``: the reference's rate triples halfway through, with an AR(1) log
  rate (0.8, sd 0.6) on top;
* ``tiny_surge``: a 20-day comparison period of about 11 attacks, nights of one or two;
* ``ratio40_long``: ratio 40 over a 200-day comparison period, clusters and mild
  persistence (AR 0.5);
* ``sparse_reference``: a 400-day reference of about 8 attacks against a 111-day period
  20 times as fast.

Every method of :mod:`analysis.models.intervals` is checked on the same series; the table
is written to ``benchmarks/results/sim_holdout.csv`` and printed beside the first study's
worst case per method.

Usage: python benchmarks/sim_holdout.py [--reps 500] [--out benchmarks/results/sim_holdout.csv]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import StatisticalWarning
from analysis.models.intervals import METHODS, rate_interval, rate_ratio_interval

RESULTS = Path(__file__).parent / "results"


def _markov(days, rate, rng):
    """Two-state chain: (mean daily rate multiplier sequence, stationary mean multiplier)."""
    p_enter, p_leave = 1 / 40, 1 / 7
    pi_burst = p_enter / (p_enter + p_leave)
    state = rng.random() < pi_burst
    out = np.empty(days)
    for i in range(days):
        out[i] = 8.0 if state else 1.0
        state = (rng.random() >= p_leave) if state else (rng.random() < p_enter)
    mean = pi_burst * 8 + (1 - pi_burst)
    return rate * out / mean


def _ar(days, ar, sd, rng):
    x = np.empty(days)
    x[0] = rng.normal(0, sd)
    e = rng.normal(0, sd * np.sqrt(1 - ar**2), days)
    for i in range(1, days):
        x[i] = ar * x[i - 1] + e[i]
    return np.exp(x - sd**2 / 2)


def _clustered(lam, mean_sites, rng, kind):
    nights = rng.poisson(lam / mean_sites)
    if kind == "geometric":
        p = 1 / mean_sites
        return np.array([rng.geometric(p, k).sum() if k else 0 for k in nights])
    if kind == "pairs":
        return nights + rng.binomial(nights, mean_sites - 1)
    return nights + rng.poisson((mean_sites - 1) * nights)


def _flat(r0, ratio, d1, d0, sites, kind, rng):
    """Constant rates, clustered nights: (y1, y0, ratio, true rates)."""
    y1 = _clustered(np.full(d1, r0 * ratio), sites, rng, kind)
    y0 = _clustered(np.full(d0, r0), sites, rng, kind)
    return y1, y0, ratio, r0 * ratio, r0


def simulate(shape: str, rng: np.random.Generator):
    """(y1, y0, true ratio, true comparison rate, true reference rate)."""
    if shape == "bursts":
        r0, ratio, d1, d0 = 0.05, 10.0, 111, 813
        return (
            rng.poisson(_markov(d1, r0 * ratio, rng)),
            rng.poisson(_markov(d0, r0, rng)),
            ratio,
            r0 * ratio,
            r0,
        )
    if shape == "weekly_negbin":
        r0, ratio, d1, d0, k = 0.05, 20.0, 111, 813, 0.5
        out = []
        for d, r in ((d1, r0 * ratio), (d0, r0)):
            week = np.where(np.arange(d) % 7 == 4, 3.0, 1.0)
            mu = r * week / (3 / 7 + 6 / 7)
            out.append(rng.negative_binomial(k, k / (k + mu)))
        return out[0], out[1], ratio, r0 * ratio, r0
    if shape == "geometric_sites":
        return _flat(0.05, 8.0, 60, 813, 2.5, "geometric", rng)
    if shape == "step_persistent":
        r0, ratio, d1, d0 = 0.05, 14.0, 111, 813
        step = np.r_[np.full(d0 // 2, 0.5), np.full(d0 - d0 // 2, 1.5)]
        y1 = rng.poisson(r0 * ratio * _ar(d1, 0.8, 0.6, rng))
        y0 = rng.poisson(r0 * step * _ar(d0, 0.8, 0.6, rng))
        return y1, y0, ratio, r0 * ratio, r0
    if shape == "tiny_surge":
        return _flat(0.055, 10.0, 20, 813, 1.4, "pairs", rng)
    if shape == "ratio40_long":
        r0, ratio, d1, d0 = 0.03, 40.0, 200, 813
        y1 = _clustered(r0 * ratio * _ar(d1, 0.5, 0.5, rng), 1.7, rng, "poisson")
        y0 = _clustered(r0 * _ar(d0, 0.5, 0.5, rng), 1.7, rng, "poisson")
        return y1, y0, ratio, r0 * ratio, r0
    if shape == "sparse_reference":
        return _flat(0.02, 20.0, 111, 400, 1.7, "poisson", rng)
    raise ValueError(shape)


SHAPES = (
    "bursts",
    "weekly_negbin",
    "geometric_sites",
    "step_persistent",
    "tiny_surge",
    "ratio40_long",
    "sparse_reference",
)


def holdout_study(reps: int = 500, methods=METHODS, shapes=SHAPES, seed: int = 777) -> pd.DataFrame:
    """One row per shape and method: coverage of the ratio and of each period's rate, and width."""
    rows = []
    for shape in shapes:
        rng = np.random.default_rng([seed, SHAPES.index(shape)])
        series = [simulate(shape, rng) for _ in range(reps)]
        for method in methods:
            hit = np.zeros(3)
            widths = []
            for y1, y0, ratio, r1_true, r0_true in series:
                rr = rate_ratio_interval(y1, y0, method=method)
                r1, r0 = rate_interval(y1, method=method), rate_interval(y0, method=method)
                hit += [
                    bool(rr.ci_low <= ratio <= rr.ci_high),
                    r1.ci_low <= r1_true <= r1.ci_high,
                    r0.ci_low <= r0_true <= r0.ci_high,
                ]
                widths.append(np.log(rr.ci_high / rr.ci_low) if rr.ci_low > 0 else np.inf)
            rows.append(
                {
                    "scenario": shape,
                    "method": method,
                    "coverage_ratio": hit[0] / reps,
                    "coverage_rate_comparison": hit[1] / reps,
                    "coverage_rate_reference": hit[2] / reps,
                    "median_log_width": float(np.median(widths)),
                    "reps": reps,
                }
            )
    return pd.DataFrame(rows)


def worst(table: pd.DataFrame) -> pd.DataFrame:
    """Per method: the lowest coverage over scenarios and quantities, and where."""
    cols = ["coverage_ratio", "coverage_rate_comparison", "coverage_rate_reference"]
    long = table.melt(
        id_vars=["scenario", "method"], value_vars=cols, var_name="quantity", value_name="coverage"
    )
    idx = long.groupby("method", sort=False)["coverage"].idxmin()
    return long.loc[idx].set_index("method")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--out", default=None, help="also write the table as CSV")
    args = parser.parse_args()
    warnings.simplefilter("ignore", StatisticalWarning)
    t0 = time.perf_counter()
    table = holdout_study(args.reps, args.methods)
    if args.out:
        table.to_csv(args.out, index=False, float_format="%.4f", lineterminator="\n")
    for col in ("coverage_ratio", "coverage_rate_comparison", "coverage_rate_reference"):
        wide = table.pivot(index="method", columns="scenario", values=col).loc[args.methods, list(SHAPES)]
        print(f"\nHold-out study, {col.replace('_', ' ')} ({args.reps} series per shape)")
        print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    first = RESULTS / "sim_coverage.csv"
    if first.exists():
        a, b = worst(pd.read_csv(first)), worst(table)
        side = pd.DataFrame(
            {
                "tuning study: worst": a["coverage"],
                "where": a["scenario"] + " / " + a["quantity"].str.replace("coverage_", ""),
                "hold-out study: worst": b["coverage"],
                "where ": b["scenario"] + " / " + b["quantity"].str.replace("coverage_", ""),
            }
        ).reindex(args.methods)
        print("\nEvery method's worst coverage in each study (95% intervals)")
        print(side.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\n{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

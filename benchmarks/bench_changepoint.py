"""Benchmark detect_changepoints on 3,000 daily counts, and its false-positive rate under overdispersion.

Run: ``.venv/bin/python benchmarks/bench_changepoint.py`` (``--fpr-only`` for the study
alone). Not part of the test suite. Optimal partitioning without pruning (the
O(n^2) dynamic programme PELT must agree with) is timed as the reference.

False-positive study: negative-binomial daily counts with no change (800 days,
mean 0.05 and 1.4 a day, variance-to-mean ratio 2.1, what one night hitting
1 + Poisson(0.7) sites gives, and 3.0), the share of series in which each
setting finds at least one change. The numbers quoted in the docstring of
:func:`analysis.detect_changepoints` come from this study.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _timing import timed  # benchmarks/ is on sys.path when the script runs

from analysis.models.changepoint import _total_cost, changepoint_penalty_path, detect_changepoints


def optimal_partitioning(y: np.ndarray, beta: float, min_size: int) -> np.ndarray:
    """Unpruned optimal partitioning (Jackson et al. 2005): every earlier split is tried."""
    n = len(y)
    cy = np.r_[0.0, np.cumsum(y, dtype=float)]
    f = np.full(n + 1, np.inf)
    f[0] = -beta
    last = np.zeros(n + 1, dtype=int)
    for t in range(min_size, n + 1):
        s = np.r_[0, np.arange(min_size, t - min_size + 1)]
        events, days = cy[t] - cy[s], t - s
        with np.errstate(divide="ignore", invalid="ignore"):
            cost = 2 * (events - np.where(events > 0, events * np.log(events / days), 0.0))
        vals = f[s] + cost + beta
        j = int(np.argmin(vals))
        f[t], last[t] = vals[j], s[j]
    cuts, t = [], n
    while t > 0:
        t = last[t]
        if t > 0:
            cuts.append(t)
    return np.array(sorted(cuts), dtype=int)


SETTINGS = {
    "default (MBIC, dispersion estimated)": {},
    "MBIC, Poisson cost (dispersion=None)": {"dispersion": None},
    "BIC, dispersion estimated": {"penalty": "bic"},
    "BIC, Poisson cost": {"penalty": "bic", "dispersion": None},
}


def false_positive_study(
    reps: int = 500, days: int = 800, means=(0.05, 1.4), ratios=(2.1, 3.0), seed: int = 7
) -> pd.DataFrame:
    """Share of no-change negative-binomial series in which each setting finds a change."""
    idx = pd.date_range("2020-01-01", periods=days, freq="D")
    rows = []
    for ratio in ratios:
        for mean in means:
            size = mean / (ratio - 1.0)  # NB variance mean + mean^2 / size = ratio x mean
            rng = np.random.default_rng([seed, int(mean * 100), int(ratio * 10)])
            series = [
                pd.Series(rng.negative_binomial(size, size / (size + mean), days), index=idx)
                for _ in range(reps)
            ]
            for label, kwargs in SETTINGS.items():
                hits = sum(len(detect_changepoints(x, n_boot=0, **kwargs).breakpoints) > 0 for x in series)
                rows.append(
                    {
                        "variance_to_mean": ratio,
                        "mean_per_day": mean,
                        "setting": label,
                        "false_positive_rate": hits / reps,
                        "reps": reps,
                    }
                )
    return pd.DataFrame(rows)


def print_fpr(reps: int) -> None:
    table = false_positive_study(reps)
    wide = table.pivot_table(
        index="setting",
        columns=["variance_to_mean", "mean_per_day"],
        values="false_positive_rate",
        sort=False,
    )
    print(f"False-positive rate: share of {reps} no-change NB series (800 days) with >= 1 change found")
    print(wide.to_string(float_format=lambda v: f"{v:.3f}"))


def scaling(rng) -> None:
    """PELT against optimal partitioning without pruning on longer series."""
    # Where pruning pays: per-step overhead dominates at 3,000 days, the O(n^2) work beyond.
    print(
        f"\nscaling (a change every 500 days, BIC, min 7 days): {'days':>7} {'PELT s':>9} {'no pruning s':>13}"
        f" {'same optimum':>13}"
    )
    for n in (3000, 12000, 30000):
        yy = np.concatenate([rng.poisson(r, 500) for r in rng.choice([0.2, 0.5, 1.0, 2.0, 3.0], n // 500)])
        series = pd.Series(yy, index=pd.date_range("1950-01-01", periods=n, freq="D"))
        b = 2 * np.log(n)
        sec_pelt, fit_n = timed(
            lambda s=series: detect_changepoints(s, n_boot=0, penalty="bic", dispersion=None), 1
        )
        sec_op, cuts = timed(lambda v=yy, b=b: optimal_partitioning(v, b, 7), 1)
        same = np.array_equal(fit_n.breakpoints, cuts)
        print(f"{'':<51} {n:>7d} {sec_pelt:>9.3f} {sec_op:>13.3f} {str(same):>13}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fpr-reps", type=int, default=500)
    parser.add_argument("--fpr-only", action="store_true")
    args = parser.parse_args()
    if args.fpr_only:
        print_fpr(args.fpr_reps)
        return

    rng = np.random.default_rng(2024)
    rates = [0.2, 1.0, 0.5, 3.0, 0.3, 0.6]
    size = args.days // len(rates)
    y = np.concatenate([rng.poisson(r, size) for r in rates])
    y = np.r_[y, rng.poisson(rates[-1], args.days - len(y))]
    idx = pd.date_range("2015-01-01", periods=len(y), freq="D")
    counts = pd.Series(y, index=idx)
    null = pd.Series(rng.poisson(y.mean(), len(y)), index=idx)
    beta = 2 * np.log(len(y))
    e = np.ones(len(y))

    rows = []

    def add(label, seconds, fit_cuts, series):
        yy = series.to_numpy()
        cost = _total_cost(yy, e, np.asarray(fit_cuts, dtype=np.int64), False) + beta * len(fit_cuts)
        rows.append((label, seconds, len(fit_cuts), cost))

    poisson_bic = {"penalty": "bic", "dispersion": None}
    for name, series in [("5 changes", counts), ("no change", null)]:
        sec, fit = timed(lambda s=series: detect_changepoints(s, n_boot=0, **poisson_bic), args.repeats)
        add(f"PELT, BIC, n_boot=0 ({name})", sec, fit.breakpoints, series)
        sec, fit = timed(lambda s=series: detect_changepoints(s, n_boot=0), args.repeats)
        rows.append((f"PELT, default MBIC, n_boot=0 ({name})", sec, len(fit.breakpoints), fit.objective))
        sec, cuts = timed(lambda s=series: optimal_partitioning(s.to_numpy(), beta, 7), 1)
        add(f"optimal partitioning, no pruning ({name})", sec, cuts, series)
        sec, fit = timed(
            lambda s=series: detect_changepoints(s, max_changepoints=8, n_boot=0, **poisson_bic), 1
        )
        add(f"segment neighbourhood, <= 8 changes ({name})", sec, fit.breakpoints, series)
    sec, fit = timed(lambda: detect_changepoints(counts), args.repeats)
    rows.append(("default call, n_boot=199 (5 changes)", sec, len(fit.breakpoints), fit.objective))
    sec, fit_null = timed(lambda: detect_changepoints(null), args.repeats)
    rows.append(("default call, n_boot=199 (no change)", sec, len(fit_null.breakpoints), fit_null.objective))
    sec, fit_rerun = timed(lambda: detect_changepoints(counts, rerun_search=True), 1)
    rows.append(
        ("default + rerun_search=True (5 changes)", sec, len(fit_rerun.breakpoints), fit_rerun.objective)
    )
    sec, path = timed(lambda: changepoint_penalty_path(counts, 4.0, 200.0), 1)
    rows.append(
        (
            f"penalty path (CROPS), pen 4..200: {len(path)} segmentations",
            sec,
            int(path["n_changepoints"].max()),
            np.nan,
        )
    )

    print(
        f"detect_changepoints on {len(y)} daily counts ({int(y.sum())} events; true changes at "
        f"{', '.join(str(idx[i].date()) for i in range(size, len(rates) * size, size))})"
    )
    print(
        f"median of {args.repeats} runs for the PELT rows, one run otherwise; objective = "
        f"-2 loglik + penalty (BIC rows: same objective, so equal values mean the same optimum)\n"
    )
    print(f"{'method':<52} {'seconds':>9} {'changes':>8} {'objective':>14}")
    for label, sec, m, obj in rows:
        print(f"{label:<52} {sec:>9.4f} {m:>8d} {obj:>14.4f}")
    print("\nfound:", ", ".join(str(d.date()) for d in fit.changepoints["date"]))
    print(fit_rerun.test.to_string(index=False))

    scaling(rng)
    print()
    print_fpr(args.fpr_reps)


if __name__ == "__main__":
    main()

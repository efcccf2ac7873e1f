"""Simulation study of fit_self_excitation: false-positive rate without triggering, power with it.

Run: ``.venv/bin/python benchmarks/sim_selfexcite.py [--series 200] [--boot-series 60] [--n-boot 49]``.
Not part of the test suite (tests/test_selfexcite.py runs a small version).

Design. The calendar, the named periods and each period's mean rate are those of the shipped data
(Pentagon scope, 1 Oct 2019 to 18 Mar 2026). Inside each period the background drifts, as in
``analysis.simulation``: alternately a high first third (four times the rest, as the calm's two
regimes) and a rise-and-fall, each with the period's mean. Nights with attacks are Poisson and each
night hits 1 + Poisson(0.7) sites (separate rows, same date).

* null: no triggering at all;
* triggering: each attack-night triggers Poisson(0.4) attack-nights on later days with a geometric
  lag of mean 2 days (branching ratio 0.4), the background scaled by 0.6 so the totals match.

For each series we record whether the 95% interval of the branching ratio excludes zero and, on a
subset, whether the parametric-bootstrap test of no excitation rejects at 5%. Also printed: the time
of one fit on ten years of daily counts (without the bootstrap), and the old ``fit_hawkes`` on the
same null series, for contrast.
"""

from __future__ import annotations

import argparse
import functools
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from _timing import timed  # benchmarks/ is on sys.path when the script runs

from analysis.config import data_coverage
from analysis.counts import daily_counts
from analysis.data import load_incidents, load_periods
from analysis.errors import StatisticalWarning
from analysis.models.selfexcite import fit_self_excitation, simulate_self_excitation

BRANCHING, MEAN_LAG, EXTRA_SITES = 0.4, 2.0, 0.7


def drift(days: int, kind: int) -> np.ndarray:
    """Within-period multiplier with mean 1: a 4x first third, or a rise and fall."""
    if kind % 2 == 0:
        high = max(days // 3, 1)
        w = np.r_[np.full(high, 4.0), np.ones(days - high)]
    else:
        w = 0.4 + 1.6 * np.sin(np.linspace(0, np.pi, days))
    return w / w.mean()


@functools.cache
def shipped_background() -> tuple[pd.DatetimeIndex, np.ndarray, list]:
    """The shipped calendar with each period's observed mean rate times a drift shape."""
    inc = load_incidents()
    start, end = data_coverage(inc)
    y = daily_counts(inc, start=start, end=end)["events"]
    periods = load_periods()
    rate = np.full(len(y), y.mean())
    for i, p in enumerate(sorted(periods, key=lambda p: p.start)):
        inside = (y.index >= pd.Timestamp(p.start)) & (y.index <= pd.Timestamp(p.end))
        if inside.any():
            rate[inside] = max(y[inside].mean(), 1e-4) * drift(int(inside.sum()), i)
    return y.index, rate, periods


def one_series(args) -> dict:
    seed, branching, n_boot = args
    days, rate, periods = shipped_background()
    scale = 1 - branching
    y = simulate_self_excitation(
        rate * scale, branching=branching, mean_lag=MEAN_LAG, extra_sites=EXTRA_SITES, seed=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = fit_self_excitation(pd.Series(y, index=days), background=periods, n_boot=n_boot, seed=seed)
    row = res.table.set_index("parameter").loc["branching_ratio"]
    lag = res.table.set_index("parameter").loc["mean_lag_days", "estimate"]
    return {
        "seed": seed,
        "branching": branching,
        "estimate": row["estimate"],
        "ci_low": row["ci_low"],
        "ci_high": row["ci_high"],
        "mean_lag": lag,
        "p_value": res.p_value,
    }


def study(branching: float, series: int, boot_series: int, n_boot: int, workers: int) -> pd.DataFrame:
    jobs = [(s, branching, n_boot if s < boot_series else 0) for s in range(series)]
    with ProcessPoolExecutor(workers) as pool:
        return pd.DataFrame(list(pool.map(one_series, jobs)))


def timing() -> None:
    days = pd.date_range("2016-01-01", periods=3653)
    rng = np.random.default_rng(0)
    rate = np.repeat(rng.gamma(1.0, 0.2, 20), int(np.ceil(3653 / 20)))[:3653]
    y = pd.Series(simulate_self_excitation(rate, branching=0.3, seed=1), index=days)
    edges = pd.date_range("2016-01-01", periods=21, freq="183D")
    periods = {f"p{i}": (a, b - pd.Timedelta(days=1)) for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))}
    periods["p19"] = (edges[-2], days[-1])
    fit_self_excitation(y, background=periods, n_boot=0)  # warm-up
    sec, res = timed(lambda: fit_self_excitation(y, background=periods, n_boot=0), repeats=5)
    print(
        f"one fit on ten years of daily counts ({len(y)} days, {int(y.sum())} attacks, 20 periods): "
        f"{sec:.3f} s (median of 5, no bootstrap)"
    )
    sec_b, _ = timed(lambda: fit_self_excitation(y, background=periods, n_boot=99, seed=0))
    print(f"the same with the 99-draw bootstrap test: {sec_b:.1f} s\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--boot-series", type=int, default=60)
    parser.add_argument("--n-boot", type=int, default=49)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    timing()
    for branching, label in (
        (0.0, "no triggering (clustered nights, drifting background)"),
        (BRANCHING, f"triggering: branching {BRANCHING}, mean lag {MEAN_LAG:g} days"),
    ):
        out = study(branching, args.series, args.boot_series, args.n_boot, args.workers)
        excl = (out["ci_low"] > 0).mean()
        boot = out.dropna(subset=["p_value"])
        rej = (boot["p_value"] <= 0.05).mean() if len(boot) else float("nan")
        print(label)
        print(f"  interval excludes zero: {excl:.1%} of {len(out)} series")
        print(f"  bootstrap test rejects at 5%: {rej:.1%} of {len(boot)} series ({args.n_boot} draws each)")
        print(
            f"  branching ratio: mean {out['estimate'].mean():.3f}, median {out['estimate'].median():.3f}; "
            f"mean lag (where > 0.05): median {out.loc[out['estimate'] > 0.05, 'mean_lag'].median():.2f} days\n"
        )


if __name__ == "__main__":
    main()

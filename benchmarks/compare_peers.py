"""Our models beside the tools an analyst would otherwise use, timed in one run.

Run: ``.venv/bin/python benchmarks/compare_peers.py`` after ``pip install -e '.[bench]'``
(tick and ruptures). Not part of the test suite. Each row times our call and the
peer's on the same data in the same process and prints the ratio ours / peer
against the goal of issue 15; the notes under the table check that both gave
the same answer.

Rows
----
hawkes
    :func:`analysis.fit_hawkes` on about 10,000 exact timestamps (simulated:
    mu 2/day, branching 0.6, decay 0.5/day), decay *estimated*, against tick's
    ``HawkesExpKern`` with the decay *given* (our estimate), which only fits
    the baseline and the branching ratio (likelihood, BFGS; tick's default
    AGD solver fails on these data at its default step).
changepoints
    :func:`analysis.detect_changepoints`, default call (penalty, bootstrap and
    all), on 3,000 daily counts with five changes, against ruptures' ``Pelt``
    with a custom Poisson cost, the same penalty and minimum segment length.
self-excitation (optional)
    ``fit_self_excitation`` on ten years of simulated daily counts, shown only
    when ``analysis.models.selfexcite`` exists (it is written on another branch).

The report and the loader rows of issue 15 are timed by ``benchmarks/bench_report.py``
and ``benchmarks/bench_load.py``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import math
import warnings

import numpy as np
import pandas as pd
from _timing import timed  # benchmarks/ is on sys.path when the script runs
from scipy import special

from analysis.models.changepoint import detect_changepoints
from analysis.models.hawkes import fit_hawkes, simulate_hawkes


def hawkes_row(repeats: int) -> tuple[tuple, list[str]]:
    """fit_hawkes (decay estimated) against tick HawkesExpKern (decay given)."""
    from tick.hawkes import HawkesExpKern

    mu, branching, beta, horizon = 2.0, 0.6, 0.5, 2000.0
    t = simulate_hawkes(mu, branching, beta, end=horizon, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, fit = timed(lambda: fit_hawkes(t, end=horizon), repeats)

    def run_tick():
        # solver="agd" (tick's default) stops with "The sum of the influence on someone cannot be
        # negative" on these data at its default step; BFGS converges, and is tick's fastest solver here.
        learner = HawkesExpKern(decays=fit.beta, gofit="likelihood", solver="bfgs")
        learner.fit([t])  # tick ends the window at the last event
        return learner

    peer, learner = timed(run_tick, repeats)
    tick_mu, tick_n = float(np.ravel(learner.baseline)[0]), float(np.ravel(learner.adjacency)[0])
    # Per-event diagnostics (events table, time-rescaling KS test) are computed on first access.
    diag, _ = timed(lambda: (fit.events, fit.ks))
    notes = [
        f"hawkes: fit includes standard errors and the Poisson AIC comparison; per-event diagnostics "
        f"(events table, KS test) are computed on first access: +{diag:.3f} s",
        f"hawkes: {len(t):,} events; ours mu={fit.mu[0]:.4f} n={fit.branching_ratio:.4f} beta={fit.beta:.4f} "
        f"(truth {mu}, {branching}, {beta}); tick at our beta: mu={tick_mu:.4f} n={tick_n:.4f}",
    ]
    row = (
        f"fit_hawkes, {len(t):,} exact timestamps (decay estimated) vs tick HawkesExpKern (decay given)",
        ours,
        peer,
        "<= 1x",
    )
    return row, notes


def _ruptures_poisson_cost(mbic: float, min_size: int):
    """A ruptures cost: -2 Poisson log-likelihood at the segment MLE, plus ``mbic`` x log(length)."""
    from ruptures.base import BaseCost

    class PoissonCost(BaseCost):
        model = "poisson"

        def __init__(self):
            self.min_size = min_size

        def fit(self, signal):
            self.signal = signal
            self.cy = np.r_[0.0, np.cumsum(np.ravel(signal), dtype=float)]
            return self

        def error(self, start, end):
            s = self.cy[end] - self.cy[start]
            cost = 2.0 * (s - special.xlogy(s, s / (end - start)))
            return cost + mbic * math.log(end - start) if mbic else cost

    return PoissonCost()


def changepoint_series(days: int = 3000) -> pd.Series:
    """The series of benchmarks/bench_changepoint.py: five changes in a Poisson rate."""
    rng = np.random.default_rng(2024)
    rates = [0.2, 1.0, 0.5, 3.0, 0.3, 0.6]
    size = days // len(rates)
    y = np.concatenate([rng.poisson(r, size) for r in rates])
    y = np.r_[y, rng.poisson(rates[-1], days - len(y))]
    return pd.Series(y, index=pd.date_range("2015-01-01", periods=len(y), freq="D"))


def changepoint_row(repeats: int) -> tuple[tuple, list[str]]:
    """detect_changepoints default call against ruptures Pelt with a Poisson cost."""
    import ruptures as rpt

    counts = changepoint_series()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, fit = timed(lambda: detect_changepoints(counts), repeats)
    # The same objective: our penalty per change (times the dispersion, if any) and MBIC's log-length terms.
    scale = float(getattr(fit, "dispersion", 1.0))
    pen = fit.penalty_value * scale
    mbic = scale if fit.penalty == "mbic" else 0.0
    signal = counts.to_numpy(dtype=float).reshape(-1, 1)

    def run_ruptures():
        algo = rpt.Pelt(custom_cost=_ruptures_poisson_cost(mbic, fit.min_size), min_size=fit.min_size, jump=1)
        return algo.fit(signal).predict(pen=pen)

    peer, bkps = timed(run_ruptures, repeats)
    theirs = [counts.index[b].date() for b in bkps[:-1]]
    mine = [d.date() for d in fit.changepoints["date"]]
    notes = [
        f"changepoints: default penalty {fit.penalty!r} ({pen:.2f}/change), ruptures with the same penalty; "
        f"same dates: {mine == theirs} ({', '.join(map(str, mine))})",
    ]
    return (
        "detect_changepoints default call, 3,000 daily counts vs ruptures Pelt (Poisson cost)",
        ours,
        peer,
        "<= 0.2x",
    ), notes


def simulate_daily_excitation(
    days: int, background: float, branching: float, mean_lag: float, seed: int
) -> pd.Series:
    """Daily counts with discrete-time self-excitation (geometric kernel on later days)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / mean_lag  # geometric lag >= 1 day with mean ``mean_lag``
    lags = np.arange(1, 60)
    kernel = branching * p * (1 - p) ** (lags - 1)
    y = np.zeros(days, dtype=np.int64)
    for d in range(days):
        past = y[max(0, d - len(lags)) : d][::-1]
        y[d] = rng.poisson(background + kernel[: len(past)] @ past)
    return pd.Series(y, index=pd.date_range("2016-01-01", periods=days, freq="D"))


def self_excitation_row(repeats: int) -> tuple[tuple, list[str]] | None:
    """OPTIONAL: the day model of issue 11 (analysis.models.selfexcite), written on another branch."""
    if importlib.util.find_spec("analysis.models.selfexcite") is None:
        return None
    selfexcite = importlib.import_module("analysis.models.selfexcite")
    daily_counts_series = simulate_daily_excitation(3652, 0.3, 0.4, 2.0, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, fit = timed(
            lambda: selfexcite.fit_self_excitation(daily_counts_series, background=None), repeats
        )
    notes = [
        f"self-excitation: {len(daily_counts_series):,} days, {int(daily_counts_series.sum()):,} events; "
        f"truth branching 0.4, mean lag 2 days; result {fit!r}"
    ]
    return ("fit_self_excitation, ten years of daily counts (no peer)", ours, float("nan"), "< 1 s"), notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="median of this many calls per cell")
    args = parser.parse_args()
    rows, notes = [], []
    for make in (hawkes_row, changepoint_row, self_excitation_row):
        out = make(args.repeats)
        if out is not None:
            rows.append(out[0])
            notes += out[1]
    print(f"median of {args.repeats} calls per cell, one run, same process\n")
    print(f"| {'task':<92} | {'ours (s)':>9} | {'peer (s)':>9} | {'ratio':>7} | {'goal':<7} |")
    print(f"|{'-' * 94}|{'-' * 11}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for task, ours, peer, goal in rows:
        ratio = f"{ours / peer:.2f}x" if peer == peer else "-"
        peer_text = f"{peer:.3f}" if peer == peer else "-"
        print(f"| {task:<92} | {ours:>9.3f} | {peer_text:>9} | {ratio:>7} | {goal:<7} |")
    if importlib.util.find_spec("analysis.models.selfexcite") is None:
        notes.append("self-excitation: analysis.models.selfexcite not present on this branch; row skipped")
    print()
    for note in notes:
        print("  " + note)
    print("  report and loader rows: see benchmarks/bench_report.py and benchmarks/bench_load.py")


if __name__ == "__main__":
    main()

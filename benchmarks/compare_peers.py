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
    with a custom Poisson cost, the same penalty per change and minimum
    segment length; a second row gives ruptures MBIC's log-length terms too.
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
import statistics
import warnings

import numpy as np
import pandas as pd
from _timing import timed  # benchmarks/ is on sys.path when the script runs
from scipy import special

from analysis import load_study
from analysis.models.changepoint import _total_cost, detect_changepoints
from analysis.models.hawkes import fit_hawkes, simulate_hawkes


def timed_pair(ours_fn, peer_fn, repeats: int):
    """Median wall times of ours and the peer, calls interleaved so that a busy machine slows both alike."""
    ours_t, peer_t, ours_out, peer_out = [], [], None, None
    for _ in range(repeats):
        sec, ours_out = timed(ours_fn)
        ours_t.append(sec)
        sec, peer_out = timed(peer_fn)
        peer_t.append(sec)
    return statistics.median(ours_t), ours_out, statistics.median(peer_t), peer_out


def hawkes_row(repeats: int) -> tuple[tuple, list[str]]:
    """fit_hawkes (decay estimated) against tick HawkesExpKern (decay given)."""
    from tick.hawkes import HawkesExpKern

    mu, branching, beta, horizon = 2.0, 0.6, 0.5, 2000.0
    t = simulate_hawkes(mu, branching, beta, end=horizon, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_hawkes(t, end=horizon)  # warm-up, and the decay tick is given

    def run_ours():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fit_hawkes(t, end=horizon)

    def run_tick():
        # solver="agd" (tick's default) stops with "The sum of the influence on someone cannot be
        # negative" on these data at its default step; BFGS converges, and is tick's fastest solver here.
        learner = HawkesExpKern(decays=fit.beta, gofit="likelihood", solver="bfgs")
        learner.fit([t])  # tick ends the window at the last event
        return learner

    run_tick()  # warm-up
    ours, fit, peer, learner = timed_pair(run_ours, run_tick, repeats)
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


def changepoint_rows(repeats: int) -> tuple[list[tuple], list[str]]:
    """detect_changepoints default call against ruptures Pelt with a Poisson cost.

    The peer row gives ruptures the Poisson cost and our penalty per change, for
    which its pruning (K = 0) is exact, so both return the optimum of the
    same segmentation problem up to MBIC's log-length terms. A second row adds
    those terms to ruptures' cost, our exact objective: its K = 0 pruning is
    then not guaranteed exact (Killick et al. 2012 need K = -log n for them).
    """
    import ruptures as rpt

    counts = changepoint_series()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = detect_changepoints(counts)
    # Our penalty per change, scaled by the dispersion (1 here: the series is Poisson).
    dispersion = float(getattr(fit, "dispersion", 1.0))  # 1 for results from before the dispersion option
    pen = fit.penalty_value * dispersion
    mbic = dispersion if fit.penalty == "mbic" else 0.0
    signal = counts.to_numpy(dtype=float).reshape(-1, 1)

    def run_ruptures(weight):
        algo = rpt.Pelt(
            custom_cost=_ruptures_poisson_cost(weight, fit.min_size), min_size=fit.min_size, jump=1
        )
        return algo.fit(signal).predict(pen=pen)

    ours, fit, peer, bkps = timed_pair(
        lambda: detect_changepoints(counts), lambda: run_ruptures(0.0), repeats
    )
    ours_2, _, peer_mbic, bkps_mbic = timed_pair(
        lambda: detect_changepoints(counts), lambda: run_ruptures(mbic), repeats
    )
    mine = [d.date() for d in fit.changepoints["date"]]
    y, e = counts.to_numpy(), np.ones(len(counts))

    def objective(cuts):
        cuts = np.asarray(cuts[:-1], dtype=np.int64)
        return (
            _total_cost(y, e, cuts, 0.0) / dispersion
            + _total_cost(np.zeros(len(y)), e, cuts, mbic)
            + (fit.penalty_value * len(cuts))
        )

    dates = [[counts.index[i].date() for i in b[:-1]] for b in (bkps, bkps_mbic)]
    notes = [
        f"changepoints: ours (default penalty {fit.penalty!r}, {pen:.2f}/change, dispersion {dispersion:.3g}): "
        f"{', '.join(map(str, mine))}; ruptures, Poisson cost, same penalty per change: same dates {mine == dates[0]}",
        f"changepoints: ruptures with MBIC's log-length terms in its cost: same dates {mine == dates[1]} "
        f"({', '.join(map(str, dates[1]))}); MBIC objective ours {fit.objective:.4f}, "
        f"ruptures {objective(bkps_mbic):.4f}",
    ]
    rows = [
        (
            "detect_changepoints default call, 3,000 daily counts vs ruptures Pelt (Poisson cost)",
            ours,
            peer,
            "<= 0.2x",
        ),
        (
            "  same, vs ruptures Pelt with MBIC's log-length terms (K = 0 pruning, not exact)",
            ours,
            peer_mbic,
            "info",
        ),
    ]
    return rows, notes


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
    """The day model (issue 15 item 6): one fit on ten years of daily counts; the bootstrap test timed apart."""
    if importlib.util.find_spec("analysis.models.selfexcite") is None:
        return None
    selfexcite = importlib.import_module("analysis.models.selfexcite")
    daily_counts_series = simulate_daily_excitation(3652, 0.3, 0.4, 2.0, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, fit = timed(
            lambda: selfexcite.fit_self_excitation(
                daily_counts_series, background=load_study().periods, n_boot=0
            ),
            repeats,
        )
        with_test, _ = timed(
            lambda: selfexcite.fit_self_excitation(
                daily_counts_series, background=load_study().periods, n_boot=99
            ),
            1,
        )
    notes = [
        f"self-excitation: {len(daily_counts_series):,} days, {int(daily_counts_series.sum()):,} events; "
        f"truth branching 0.4, mean lag 2 days; result {fit!r}",
        f"self-excitation: with the 99-draw bootstrap test of no excitation as well: {with_test:.2f} s",
    ]
    return (
        "fit_self_excitation, ten years of daily counts, one fit (no peer)",
        ours,
        float("nan"),
        "< 1 s",
    ), notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="median of this many calls per cell")
    args = parser.parse_args()
    rows, notes = [], []
    for make in (hawkes_row, changepoint_rows, self_excitation_row):
        out = make(args.repeats)
        if out is not None:
            rows += out[0] if isinstance(out[0], list) else [out[0]]
            notes += out[1]
    print(
        f"median of {args.repeats} calls per cell, ours and the peer's interleaved, one run, same process\n"
    )
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

"""Benchmark fit_hawkes on 10^4 events: O(n) against the naive O(n^2) likelihood, and tick.

Run: ``.venv/bin/python benchmarks/bench_hawkes.py``. Not part of the test suite.

"Equal accuracy": both likelihoods are maximised by the same optimiser
(L-BFGS-B, finite-difference gradient, same start, same tolerances) and must
reach the same optimum; the table shows the log-likelihood and the estimates
each reached. tick is optional: it is used in-process when installed (``pip
install -e '.[bench]'``), else from TICK_PYTHON (a Python that has tick). Its
result, or its failure, is printed as it is. tick's default AGD solver fails on
these data at its default step, so BFGS is used.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import timed  # benchmarks/ is on sys.path when the script runs
from scipy import optimize, special

from analysis.models.hawkes import fit_hawkes, hawkes_loglik, simulate_hawkes

# The naive O(n^2) likelihood is the tests' oracle; one copy, kept in tests/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from hawkes_oracle import hawkes_loglik_naive  # noqa: E402

MU, BRANCHING, BETA = 2.0, 0.6, 0.5

TICK_SCRIPT = r"""
import json, sys, time
import numpy as np
out = {}
try:
    import tick
    from tick.hawkes import HawkesExpKern
    out["version"] = getattr(tick, "__version__", "?")
    times = np.load(sys.argv[1])
    start = time.perf_counter()
    learner = HawkesExpKern(decays=float(sys.argv[3]), gofit="likelihood", solver="bfgs", tol=1e-10, max_iter=10000)
    learner.fit([times], end_times=float(sys.argv[2]))
    out["seconds"] = time.perf_counter() - start
    out["baseline"] = float(np.ravel(learner.baseline)[0])
    out["adjacency"] = float(np.ravel(learner.adjacency)[0])
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
"""


def same_optimiser(loglik, t, horizon, theta0):
    """Maximise ``loglik`` over (log mu, logit n, log beta) with L-BFGS-B and a numeric gradient."""
    calls = 0

    def objective(theta):
        nonlocal calls
        calls += 1
        return -loglik(t, math.exp(theta[0]), float(special.expit(theta[1])), math.exp(theta[2]), horizon)

    res = optimize.minimize(objective, theta0, method="L-BFGS-B", options={"ftol": 1e-12, "gtol": 1e-6})
    return res, calls


def run_tick(times: np.ndarray, horizon: float, beta: float) -> dict:
    try:
        import tick
        from tick.hawkes import HawkesExpKern
    except ImportError:
        return run_tick_elsewhere(times, horizon, beta)
    learner = HawkesExpKern(decays=beta, gofit="likelihood", solver="bfgs", tol=1e-10, max_iter=10000)
    seconds, _ = timed(lambda: learner.fit([times]))
    return {
        "version": getattr(tick, "__version__", "?"),
        "seconds": seconds,
        "baseline": float(np.ravel(learner.baseline)[0]),
        "adjacency": float(np.ravel(learner.adjacency)[0]),
    }


def run_tick_elsewhere(times: np.ndarray, horizon: float, beta: float) -> dict:
    python = os.environ.get("TICK_PYTHON", "/tmp/tickvenv/bin/python")
    if not Path(python).exists():
        return {"error": f"no Python with tick at {python} (set TICK_PYTHON); tick not run"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "times.npy"
        np.save(path, times)
        proc = subprocess.run(
            [python, "-c", TICK_SCRIPT, str(path), str(horizon), str(beta)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"tick run failed: {proc.stderr.strip()[-300:]}"}


def full_fits(t: np.ndarray, horizon: float, skip_naive_fit: bool):
    """Our fit, the same likelihoods under a generic optimiser, and the fit on day-dated times."""
    sec_fit, fit = timed(lambda: fit_hawkes(t, end=horizon))
    theta0 = np.array([math.log(len(t) / horizon * 0.7), special.logit(0.3), 0.0])
    rows = [
        (
            "fit_hawkes (decay grid + Newton, analytic Hessian, SEs)",
            sec_fit,
            None,
            fit.replicate_loglik[0],
            fit.mu[0],
            fit.branching_ratio,
            fit.beta,
        )
    ]

    def generic(label, loglik):
        sec, (res, calls) = timed(lambda: same_optimiser(loglik, t, horizon, theta0))
        mu, eta, beta = math.exp(res.x[0]), float(special.expit(res.x[1])), math.exp(res.x[2])
        return (label, sec, calls, -res.fun, mu, eta, beta)

    rows.append(generic("recursive O(n), L-BFGS-B numeric gradient", hawkes_loglik))
    if not skip_naive_fit:
        rows.append(generic("naive O(n^2), L-BFGS-B numeric gradient", hawkes_loglik_naive))

    origin = pd.Timestamp("2018-01-01")
    dates = origin + pd.to_timedelta(np.floor(t), unit="D")
    last_day = origin + pd.Timedelta(days=math.ceil(horizon) - 1)
    sec_dates, fit_dates = timed(lambda: fit_hawkes(dates, end=last_day, n_jitter=20))
    rows.append(
        (
            f"fit_hawkes on dates, 20 jitters ({dates.duplicated().mean():.0%} tied)",
            sec_dates,
            None,
            float(np.mean(fit_dates.replicate_loglik)),
            fit_dates.mu[0],
            fit_dates.branching_ratio,
            fit_dates.beta,
        )
    )

    return rows, fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--skip-naive-fit", action="store_true", help="skip the slow O(n^2) optimisation")
    args = parser.parse_args()

    horizon = args.events * (1 - BRANCHING) / MU
    t = simulate_hawkes(MU, BRANCHING, BETA, end=horizon, seed=2)
    print(
        f"simulated {len(t)} events over {horizon:.0f} days: mu={MU}/day, n={BRANCHING}, beta={BETA}/day "
        f"(Ogata thinning, seed 2)\n"
    )

    # 1. One likelihood evaluation.
    sec_fast, ll_fast = timed(lambda: hawkes_loglik(t, MU, BRANCHING, BETA, horizon), 20)
    sec_slow, ll_slow = timed(lambda: hawkes_loglik_naive(t, MU, BRANCHING, BETA, horizon), 3)
    print("one log-likelihood evaluation at the true parameters")
    print(f"  {'method':<34} {'seconds':>10} {'loglik':>18}")
    print(f"  {'recursive O(n) (hawkes_loglik)':<34} {sec_fast:>10.5f} {ll_fast:>18.9f}")
    print(f"  {'naive O(n^2) (hawkes_loglik_naive)':<34} {sec_slow:>10.5f} {ll_slow:>18.9f}")
    print(f"  speed-up {sec_slow / sec_fast:,.0f}x, |difference| {abs(ll_fast - ll_slow):.2e}\n")

    # 2. Full fits.
    rows, fit = full_fits(t, horizon, args.skip_naive_fit)

    # 3. tick, at the decay we estimated (tick cannot estimate it).
    tick = run_tick(t, horizon, fit.beta)
    if "error" in tick:
        tick_note = f"tick: FAILED, no numbers: {tick['error']}"
    else:
        tick_note = (
            f"tick {tick.get('version', '?')}: HawkesExpKern(decays={fit.beta:.4f}, gofit='likelihood', "
            "solver='bfgs'); its window ends at the last event"
        )
        rows.append(
            (
                "tick HawkesExpKern, decay fixed at ours",
                tick["seconds"],
                None,
                float("nan"),
                tick["baseline"],
                tick["adjacency"],
                fit.beta,
            )
        )

    print("maximum-likelihood fits (exact times unless stated)")
    print(f"  {'method':<52} {'seconds':>9} {'evals':>6} {'loglik':>16} {'mu':>8} {'n':>8} {'beta':>8}")
    for label, sec, calls, ll, mu, nbr, beta in rows:
        evals = "" if calls is None else str(calls)
        print(f"  {label:<52} {sec:>9.3f} {evals:>6} {ll:>16.6f} {mu:>8.4f} {nbr:>8.4f} {beta:>8.4f}")
    print(f"\n  {tick_note}")
    print("\nfit_hawkes table (exact times):")
    print(fit.table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))


if __name__ == "__main__":
    main()

"""Coverage and bias of every multiple-systems estimator on lists shaped like ours.

Each scenario draws a population with a known total N and lets each list document each
attack with its own probability; the estimators see only the attacks on at least one list.
Scenarios (4 lists: official, claim, media, state media):

- ``independent_calm``: a calm-sized stratum (N = 45), independent lists;
- ``independent_surge``: a surge-sized stratum (N = 200), independent lists;
- ``dependent``: state media repeat the claim channel (a claimed attack is reported by state
  media with probability 0.8, an unclaimed one with 0.15): positive dependence;
- ``heterogeneous``: 25% of attacks are big (every list reports them with probability
  0.8), the rest small (0.1-0.35): heterogeneous catchability;
- ``small``: a small stratum (N = 25), independent lists.

Methods: the independence model with its profile likelihood interval; the best model by AIC
or BIC with the profile interval of that model; the AIC- or BIC-weighted average with the
parametric bootstrap that repeats the choice; the two-class latent-class model.

Usage: python benchmarks/sim_mse.py [--reps 200] [--boot 99] [--out benchmarks/results/sim_mse.csv]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from analysis.errors import StatisticalWarning
from analysis.models.mse import estimate_undercount

LISTS = ("official", "claim", "media", "state_media")
BASE_P = np.array([0.35, 0.4, 0.55, 0.3])


def _draw(scenario: str, rng: np.random.Generator) -> tuple[pd.DataFrame, int]:
    if scenario in ("independent_calm", "independent_surge", "small"):
        N = {"independent_calm": 45, "independent_surge": 200, "small": 25}[scenario]
        caught = rng.random((N, 4)) < BASE_P
    elif scenario == "dependent":
        N = 120
        caught = rng.random((N, 4)) < BASE_P
        caught[:, 3] = rng.random(N) < np.where(caught[:, 1], 0.8, 0.15)
    elif scenario == "heterogeneous":
        N = 120
        big = rng.random(N) < 0.25
        p = np.where(big[:, None], 0.8, np.array([0.15, 0.25, 0.35, 0.1]))
        caught = rng.random((N, 4)) < p
    else:
        raise ValueError(scenario)
    seen = caught[caught.any(axis=1)].astype(int)
    return pd.DataFrame(seen, columns=list(LISTS)), N


SCENARIOS = ("independent_calm", "independent_surge", "dependent", "heterogeneous", "small")
METHODS = {
    "independence (profile)": dict(estimator="best", n_boot=0, only_independence=True),
    "best AIC (profile)": dict(estimator="best", criterion="aic", n_boot=0),
    "best BIC (profile)": dict(estimator="best", criterion="bic", n_boot=0),
    "average AIC (bootstrap)": dict(estimator="average", criterion="aic"),
    "average BIC (bootstrap)": dict(estimator="average", criterion="bic"),
    "latent class (bootstrap)": dict(heterogeneity="latent_class"),
}


def _estimate(hist: pd.DataFrame, method: dict, n_boot: int, seed: int) -> tuple[float, float, float]:
    kwargs = {k: v for k, v in method.items() if k != "only_independence"}
    kwargs.setdefault("n_boot", n_boot)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        res = estimate_undercount(hist, seed=seed, **kwargs)
    if method.get("only_independence"):
        m = res.models
        row = m[m["model"] == "independence"].iloc[0]
        if not np.isfinite(row["ci_low"]):
            from analysis.models.mse import _as_cells, _profile_interval

            low, high = _profile_interval(_as_cells(hist, LISTS), LISTS, (), row["estimate"], 0.05)
            return float(row["estimate"]), low, high
        return float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"])
    t = res.table.iloc[0]
    return float(t["estimate"]), float(t["ci_low"]), float(t["ci_high"])


def mse_study(
    reps: int = 200, n_boot: int = 99, scenarios=SCENARIOS, methods=tuple(METHODS), seed: int = 2020
) -> pd.DataFrame:
    """One row per scenario and method: coverage of the 95% interval, relative bias, median width."""
    rows = []
    for scenario in scenarios:
        rng = np.random.default_rng([seed, SCENARIOS.index(scenario)])
        draws = [_draw(scenario, rng) for _ in range(reps)]
        for method in methods:
            hits, est, widths, failed = 0, [], [], 0
            for r, (hist, N) in enumerate(draws):
                e, lo, hi = _estimate(hist, METHODS[method], n_boot, seed + r)
                if not np.isfinite(e):
                    failed += 1
                    continue
                hits += lo <= N <= hi
                est.append(e / N - 1)
                widths.append((hi - lo) / N)
            done = reps - failed
            rows.append(
                {
                    "scenario": scenario,
                    "method": method,
                    "true_total": draws[0][1],
                    "mean_seen": float(np.mean([len(h) for h, _ in draws])),
                    "coverage": hits / done if done else np.nan,
                    "median_rel_bias": float(np.median(est)) if est else np.nan,
                    "median_rel_width": float(np.median(widths)) if widths else np.nan,
                    "no_estimate": failed / reps,
                    "reps": reps,
                }
            )
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--boot", type=int, default=99)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    table = mse_study(args.reps, args.boot, scenarios=args.scenarios, methods=args.methods)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.pivot(index="method", columns="scenario", values="coverage").round(3).to_string())
        print()
        print(table.pivot(index="method", columns="scenario", values="median_rel_bias").round(3).to_string())
    print(
        f"\n{args.reps} populations per scenario, {args.boot} bootstrap draws; {time.perf_counter() - t0:.0f} s"
    )
    if args.out:
        table.to_csv(args.out, index=False, float_format="%.4f", lineterminator="\n")


if __name__ == "__main__":
    main()

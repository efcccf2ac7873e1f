"""Tests for analysis.models.selfexcite: the day-resolution self-exciting count model."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import analysis  # noqa: E402
from analysis.errors import ArgumentError, StatisticalWarning  # noqa: E402
from analysis.models.selfexcite import (  # noqa: E402
    _lag_matrix,
    _negll,
    fit_self_excitation,
    geometric_kernel,
    simulate_self_excitation,
)

DAYS = pd.date_range("2020-01-01", periods=1200)
PERIODS = {
    "a": ("2020-01-01", "2020-12-31"),
    "b": ("2021-01-01", "2021-08-31"),
    "c": ("2021-09-01", "2023-04-14"),
}
MEANS = {"a": 0.25, "b": 1.2, "c": 0.15}


def drifting_background() -> np.ndarray:
    """Each period's mean rate, with a 4x first third or a rise and fall inside it."""
    rate = np.zeros(len(DAYS))
    for i, (name, (start, end)) in enumerate(PERIODS.items()):
        inside = (DAYS >= start) & (DAYS <= end)
        n = int(inside.sum())
        w = (
            np.r_[np.full(n // 3, 4.0), np.ones(n - n // 3)]
            if i % 2 == 0
            else 0.4 + 1.6 * np.sin(np.linspace(0, np.pi, n))
        )
        rate[inside] = MEANS[name] * w / w.mean()
    return rate


def series(seed: int, branching: float) -> pd.Series:
    y = simulate_self_excitation(
        drifting_background() * (1 - branching), branching=branching, mean_lag=2.0, seed=seed
    )
    return pd.Series(y, index=DAYS)


def quiet_fit(y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StatisticalWarning)
        return fit_self_excitation(y, background=PERIODS, **kw)


def test_kernel_and_gradient():
    g, dg = geometric_kernel(0.5, 40)
    assert g.sum() == pytest.approx(1.0) and g @ np.arange(1, 41) == pytest.approx(2.0, abs=1e-6)
    eps = 1e-6
    assert dg[3] == pytest.approx(
        (geometric_kernel(0.5 + eps, 40)[0][3] - geometric_kernel(0.5 - eps, 40)[0][3]) / (2 * eps), rel=1e-5
    )
    rng = np.random.default_rng(0)
    y = rng.poisson(0.5, 300).astype(float)
    from scipy import sparse

    Z = sparse.csr_matrix(np.c_[np.ones(300), np.linspace(0, 1, 300)])
    L = _lag_matrix(np.minimum(y, 1), 10)
    fixed = np.zeros(300, dtype=bool)
    theta = np.array([-0.8, 0.3, 0.2, 0.4])
    _, grad = _negll(theta, y, Z, L, fixed)
    for j in range(4):
        e = np.zeros(4)
        e[j] = 1e-6
        num = (_negll(theta + e, y, Z, L, fixed, False) - _negll(theta - e, y, Z, L, fixed, False)) / 2e-6
        assert grad[j] == pytest.approx(num, rel=1e-4, abs=1e-6)


def test_same_day_attacks_never_trigger():
    y = np.zeros(50)
    y[10] = 5
    L = _lag_matrix(np.minimum(y, 1), 3)
    assert L[10].sum() == 0 and L[11, 0] == 1 and L[13, 2] == 1 and L[14].sum() == 0


def test_recovers_triggering():
    # Fixed 60-day knots: the automatic choice reads part of this drift-plus-triggering as drift.
    res = quiet_fit(series(1, 0.4), n_boot=0, smooth_days=60)
    row = res.table.set_index("parameter").loc["branching_ratio"]
    assert row["ci_low"] > 0 and 0.15 < row["estimate"] < 0.8
    assert 1.0 <= res.table.set_index("parameter").loc["mean_lag_days", "estimate"] < 4


@pytest.mark.slow
def test_false_positives_and_power_small_study():
    """20 series each: with no triggering (clustered nights, drifting background) the interval excludes zero
    and the bootstrap test (19 draws) rejects in at most 2 of 20 (10%); with branching 0.4, mean lag 2 days,
    the interval excludes zero in at least 14 of 20 (70%). The full study is benchmarks/sim_selfexcite.py."""
    null = [quiet_fit(series(100 + s, 0.0), n_boot=19, seed=s, smooth_days=60) for s in range(20)]
    excl = sum(r.table.loc[0, "ci_low"] > 0 for r in null)
    rejects = sum(r.p_value <= 0.05 for r in null)
    assert excl <= 2 and rejects <= 2
    power = [quiet_fit(series(200 + s, 0.4), n_boot=0, smooth_days=60) for s in range(20)]
    assert sum(r.table.loc[0, "ci_low"] > 0 for r in power) >= 14


def test_result_table_api_and_plot():
    res = quiet_fit(series(3, 0.2), n_boot=19, seed=1)
    params = res.table["parameter"].tolist()
    assert params[:3] == ["branching_ratio", "excitation", "mean_lag_days"]
    assert res.table.loc[res.table["parameter"] == "background", "period"].tolist() == ["a", "b", "c"]
    assert {"estimate", "ci_low", "ci_high", "p_value"} <= set(res.table.columns)
    assert 0 < res.p_value <= 1 and len(res.boot_statistics) == 19
    assert np.allclose(res.daily["fitted"], res.daily["background"] + res.daily["excitation"])
    assert repr(res).startswith("<SelfExcitationResult: branching ratio")
    assert "same date are one cluster" in res.summary()
    before = dict(plt.rcParams)
    ax = res.plot()
    assert isinstance(ax, plt.Axes) and dict(plt.rcParams) == before
    plt.close("all")


def test_incidents_input_uses_scope_and_coverage():
    from analysis.data import load_incidents

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = load_incidents()
        res = fit_self_excitation(inc, n_boot=0, study=analysis.load_study())
        wide = fit_self_excitation(inc, scope="all_attacks", n_boot=0, study=analysis.load_study())
    from analysis.config import load_config

    cfg = load_config()
    assert res.daily.index[0] == pd.Timestamp(cfg.coverage_start)
    assert res.daily.index[-1] == pd.Timestamp(cfg.data_through)
    assert wide.daily["observed"].sum() > res.daily["observed"].sum()


def test_caveats_are_warnings_and_bad_arguments_raise():
    short = pd.Series(
        np.r_[np.zeros(200), [1, 0, 0, 2, 0, 1]], index=pd.date_range("2022-01-01", periods=206)
    )
    with pytest.warns(StatisticalWarning, match="days with attacks"):
        fit_self_excitation(short, background={"all": ("2022-01-01", "2022-07-25")}, n_boot=0)
    with pytest.raises(ArgumentError, match="excite="):
        fit_self_excitation(short, excite="sites")
    with pytest.raises(ArgumentError, match="data="):
        fit_self_excitation(short.iloc[::2])


def test_empty_selection_says_what_is_missing():
    import analysis

    inc = analysis.load_incidents()
    with pytest.raises(ValueError, match="data='0 events' is not allowed; allowed: at least two events"):
        fit_self_excitation(inc.iloc[:0], n_boot=0, study=analysis.load_study())


def test_fit_matches_a_direct_statsmodels_likelihood():
    """An independent fit of the same mean model: statsmodels' GenericLikelihoodModel on a
    Poisson log-likelihood written here (lags by convolution, parameters on open scales)."""
    from statsmodels.base.model import GenericLikelihoodModel

    y = series(5, 0.4).to_numpy(dtype=float)
    res = quiet_fit(pd.Series(y, index=DAYS), n_boot=0, smooth_days=None)
    K = 14
    x = np.minimum(y, 1.0)
    level = np.zeros((len(y), 3))
    for j, (start, end) in enumerate(PERIODS.values()):
        level[:, j] = (DAYS >= start) & (DAYS <= end)

    class DayHawkes(GenericLikelihoodModel):
        def loglike(self, params):
            mu = level @ np.exp(params[:3])
            a, q = np.exp(params[3]), 1 / (1 + np.exp(-params[4]))
            w = q ** np.arange(K)
            lagged = np.convolve(x, np.r_[0.0, w / w.sum()])[: len(y)]
            lam = mu + a * lagged
            return float(np.sum(y * np.log(lam) - lam))

    start = np.r_[np.log([0.2, 1.0, 0.15]), np.log(0.5), 0.0]
    fit = DayHawkes(y, np.ones(len(y))).fit(start_params=start, method="bfgs", maxiter=2000, disp=0)
    a, q = np.exp(fit.params[3]), 1 / (1 + np.exp(-fit.params[4]))
    g = q ** np.arange(K)
    mean_lag = float((g / g.sum()) @ np.arange(1, K + 1))
    t = res.table.set_index("parameter")
    assert t.loc["excitation", "estimate"] == pytest.approx(a, rel=2e-3)
    assert t.loc["mean_lag_days", "estimate"] == pytest.approx(mean_lag, rel=2e-3)

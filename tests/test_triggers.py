"""Tests for analysis.models.triggers: each attack-day once, period background, within-period permutation."""

from __future__ import annotations

import math
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import analysis

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from analysis.errors import ArgumentError, StatisticalWarning  # noqa: E402
from analysis.models.triggers import _stratified_log_ratio, trigger_windows  # noqa: E402
from analysis.scope import Scope  # noqa: E402

ALL_ROWS = Scope(name="all rows", confirmation=None)
SPAN = ("2023-01-01", "2024-12-30")
PERIODS = {"quiet": ("2023-01-01", "2023-12-31"), "busy": ("2024-01-01", "2024-12-30")}


def incidents_from(days, origin="2023-01-01") -> pd.DataFrame:
    return pd.DataFrame({"event_date": pd.Timestamp(origin) + pd.to_timedelta(np.asarray(days), unit="D")})


def fit(incidents, triggers, **kw):
    kw = {"span": SPAN, "background": PERIODS, "scope": ALL_ROWS, "n_perm": 0, **kw}
    return trigger_windows(incidents, triggers, **kw)


def null_days(rng, n_quiet=60, n_busy=400):
    """Attacks with no trigger effect: a quiet year and a busy year."""
    return np.r_[rng.integers(0, 365, n_quiet), rng.integers(365, 730, n_busy)]


def test_pooled_ratio_equals_poisson_regression_with_period_dummies():
    rng = np.random.default_rng(0)
    inc = incidents_from(null_days(rng))
    trig = ["2023-03-01", "2023-09-10", "2024-02-01", "2024-02-05", "2024-07-01"]
    res = fit(inc, trig)
    daily = res.daily
    keep = daily["role"] != "trigger day"
    X = pd.get_dummies(daily.loc[keep, "period"], dtype=float)
    X["post"] = (daily.loc[keep, "role"] == "post").astype(float)
    ref = sm.GLM(daily.loc[keep, "events"].to_numpy(float), X, family=sm.families.Poisson()).fit()
    pooled = res.table.iloc[-1]
    assert pooled["estimate"] == pytest.approx(math.exp(ref.params["post"]), rel=1e-6)
    assert math.exp(res.statistic) == pytest.approx(pooled["estimate"], rel=1e-6)
    assert pooled["ci_low"] < pooled["estimate"] < pooled["ci_high"]


def test_overlapping_windows_count_each_day_once_and_trigger_days_are_left_out():
    inc = incidents_from([400, 401, 401, 402, 403, 405, 410, 420])  # 2024-02-05 is day 400
    res = fit(inc, ["2024-02-04", "2024-02-06"], window_days=7)
    daily = res.daily
    post = daily[daily["role"] == "post"]
    # Windows 5..11 Feb and 7..13 Feb merge to 5..13 Feb minus the trigger day 6 Feb: 8 days, once each.
    assert len(post) == 8 and post.index.is_unique
    assert res.table.iloc[-1]["window_days"] == 8
    assert res.table.iloc[-1]["window_events"] == post["events"].sum() == 4
    assert daily.loc["2024-02-06", "role"] == "trigger day"
    assert res.table.loc[0, "shared_window_days"] > 0


def test_trigger_that_opens_a_period_is_reported_apart():
    periods = {"before": ("2023-01-01", "2024-02-29"), "war": ("2024-03-01", "2024-12-30")}
    inc = incidents_from(np.r_[np.arange(426, 440), [100, 200]])  # a burst right after 1 March 2024
    res = fit(inc, ["2023-06-01", "2024-03-01"], background=periods)
    opener = res.table.iloc[1]
    assert opener["role"] == "opens period" and opener["period"] == "war (vs before)"
    assert opener["estimate"] > 20
    assert res.daily.loc["2024-03-02":"2024-03-08", "role"].eq("background").all()
    assert res.table.iloc[-1]["window_days"] == 7  # only the June 2023 window is pooled
    with_zero_before = fit(incidents_from(np.arange(426, 440)), ["2024-03-01"], background=periods)
    assert math.isinf(with_zero_before.table.iloc[0]["estimate"])


def test_permutation_within_periods_is_calibrated_when_triggers_cluster_in_the_busy_period():
    """No trigger effect, triggers mostly in the busy year: P(p <= 0.1) stays <= 0.2 over 40 datasets
    (drawing trigger dates over the whole record would put them in the quiet year and reject often)."""
    small = 0
    for seed in range(40):
        rng = np.random.default_rng(100 + seed)
        days = np.r_[rng.integers(365, 730, 40) + 0, rng.integers(0, 730, 0)]
        rates = np.r_[np.full(365, 0.15), np.full(365, 1.2) * np.linspace(0.5, 1.5, 365)]
        days = np.repeat(np.arange(730), rng.poisson(rates))
        trig = pd.Timestamp("2023-01-01") + pd.to_timedelta(
            np.r_[rng.choice(np.arange(10, 355), 1), rng.choice(np.arange(370, 720), 6, replace=False)],
            unit="D",
        )
        res = fit(incidents_from(days), trig, n_perm=199, seed=seed)
        small += res.p_value_two_sided <= 0.1
    assert small / 40 <= 0.2


def test_imposed_effect_is_detected():
    rng = np.random.default_rng(2)
    trig_days = np.sort(rng.choice(np.arange(380, 700), 8, replace=False))
    burst = np.concatenate([d + rng.integers(1, 8, 6) for d in trig_days])
    inc = incidents_from(np.r_[null_days(rng), burst])
    res = fit(inc, pd.Timestamp("2023-01-01") + pd.to_timedelta(trig_days, unit="D"), n_perm=499)
    assert res.p_value_greater < 0.01 and res.table.iloc[-1]["estimate"] > 1.5


def test_stratified_estimator_handles_empty_sides():
    assert _stratified_log_ratio([3.0], [7.0], [6.0], [28.0]) == pytest.approx(
        math.log((3 / 7) / (6 / 28)), abs=1e-9
    )
    assert _stratified_log_ratio([0.0], [7.0], [5.0], [28.0]) < -10
    assert _stratified_log_ratio([4.0], [7.0], [0.0], [28.0]) > 10


def test_figure_shows_every_trigger_and_result_api():
    rng = np.random.default_rng(3)
    inc = incidents_from(null_days(rng))
    trig = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2023-02-15", "2023-06-01", "2024-03-01", "2024-11-20"]),
            "label": ["a", "b", "c", "d"],
        }
    )
    a = fit(inc, trig, n_perm=99, seed=5)
    b = fit(inc, trig, n_perm=99, seed=5)
    np.testing.assert_array_equal(a.permutation_statistics, b.permutation_statistics)
    assert a.table["trigger"].tolist() == ["a", "b", "c", "d", "pooled"]
    assert repr(a).startswith("<TriggerResult: 4 pooled triggers")
    assert "each attack-day counts once" in a.summary()
    before = dict(plt.rcParams)
    ax = a.plot()
    assert len(ax.get_yticks()) == len(a.table) and dict(plt.rcParams) == before
    plt.close("all")


def test_warnings_and_bad_arguments():
    inc = incidents_from(np.arange(0, 700, 3))
    with pytest.warns(StatisticalWarning, match="no window day"):
        fit(inc, ["2022-06-01", "2023-05-01"])
    with pytest.warns(DeprecationWarning, match="baseline_days"):
        fit(inc, ["2023-05-01"], baseline_days=28)
    with pytest.raises(ArgumentError, match="window_days=0"):
        fit(inc, ["2023-05-01"], window_days=0)


def test_default_scope_and_coverage_on_shipped_data():
    from analysis.data import load_context_events, load_incidents

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc, ctx = load_incidents(), load_context_events()
    res = trigger_windows(inc, ctx[ctx["category"] == "us_strike"], n_perm=99, study=analysis.load_study())
    assert res.daily.index[0] == pd.Timestamp("2019-10-01")
    roles = res.table.set_index("date")["role"]
    assert roles[pd.Timestamp("2026-02-28")] == "opens period"
    assert (res.table["role"] == "pooled trigger").sum() == len(res.table) - 2

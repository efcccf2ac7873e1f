"""compare_periods and rates_from_tallies: values, methods and edge cases."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import incidents_on as _incidents
from conftest import period as _p
from scipy import stats

import analysis
from analysis import Period
from analysis.errors import ArgumentError
from analysis.models.exact import garwood_interval
from analysis.models.rates import compare_periods
from analysis.periods import PeriodError


@pytest.fixture
def two_periods():
    rng = np.random.default_rng(1)
    calm = pd.date_range("2023-01-01", "2023-06-30")
    surge = pd.date_range("2023-07-01", "2023-08-31")
    days = list(calm.repeat(rng.poisson(0.2, len(calm)))) + list(surge.repeat(rng.poisson(2.0, len(surge))))
    periods = [_p("calm", "2023-01-01", "2023-06-30"), _p("surge", "2023-07-01", "2023-08-31")]
    return _incidents(days), periods


def test_rates_and_garwood_intervals(two_periods):
    inc, periods = two_periods
    res = compare_periods(inc, periods, reference="calm", method="exact", scope="all_attacks")
    row = res.wide.set_index("period").loc["surge"]
    n = int(row["events"])
    lo, hi = garwood_interval(n, 62)
    assert row["rate_per_30d"] == pytest.approx(30 * n / 62)
    assert row["rate_ci_low"] == pytest.approx(30 * lo) and row["rate_ci_high"] == pytest.approx(30 * hi)
    ref = res.wide.set_index("period").loc["calm"]
    assert (ref["rate_ratio"], ref["rr_ci_low"], ref["rr_ci_high"], ref["comparison"]) == (
        1.0,
        1.0,
        1.0,
        "reference",
    )


def test_hac_interval_equals_statsmodels_newey_west(two_periods):
    """The hac interval is the Newey-West log-mean error from statsmodels, fixed-b widened."""
    from analysis.models.intervals import fixed_b_factor, hac_maxlags

    inc, periods = two_periods
    res = compare_periods(inc, periods, reference="calm", scope="all_attacks", method="hac")
    row = res.wide.set_index("period").loc["surge"]
    assert row["method"] == "hac"
    days = pd.date_range("2023-07-01", "2023-08-31")
    y = inc["event_date"].value_counts().reindex(days, fill_value=0).to_numpy()
    fit = sm.GLM(y, np.ones(len(y)), family=sm.families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": hac_maxlags(len(y)), "use_correction": True}
    )
    se = max(fit.bse[0] * fixed_b_factor(hac_maxlags(len(y)) / len(y)), 1 / np.sqrt(y.sum()))
    expected_high = 30 * y.mean() * np.exp(1.959964 * se)
    assert row["rate_ci_high"] == pytest.approx(
        max(expected_high, 30 * garwood_interval(y.sum(), 62)[1]), rel=1e-6
    )


def test_clustered_nights_widen_the_default_interval():
    """The same counts arranged as multi-site nights get a wider interval than as single attacks."""
    rng = np.random.default_rng(3)
    surge_days = pd.date_range("2023-07-01", "2023-08-29")
    spread = surge_days[np.sort(rng.choice(len(surge_days), 60, replace=False))]
    clustered = surge_days[np.sort(rng.choice(len(surge_days), 15, replace=False))].repeat(4)
    base = pd.date_range("2023-01-01", periods=40, freq="4D")
    periods = [_p("calm", "2023-01-01", "2023-06-30"), _p("surge", "2023-07-01", "2023-08-29")]
    width = {}
    for name, days in (("spread", spread), ("clustered", clustered)):
        t = compare_periods(
            _incidents(list(base) + list(days)),
            periods,
            reference="calm",
            scope="all_attacks",
            data_range=("2023-01-01", "2023-08-29"),
        ).wide.set_index("period")
        assert t.loc["surge", "events"] == 60
        width[name] = np.log(t.loc["surge", "rr_ci_high"] / t.loc["surge", "rr_ci_low"])
    assert width["clustered"] > 1.15 * width["spread"]


def test_attack_days_are_counted_and_too_few_warn_with_the_period_named():
    # 12 attacks on 2 nights in period b: no interval can hold there, and the warning says where.
    days = (
        ["2023-01-05", "2023-01-20", "2023-02-03", "2023-02-17", "2023-02-25"]
        + ["2023-03-10"] * 6
        + ["2023-04-12"] * 6
    )
    inc = _incidents(days)
    periods = [_p("a", "2023-01-01", "2023-02-28"), _p("b", "2023-03-01", "2023-04-30")]
    with pytest.warns(analysis.StatisticalWarning, match=r"b: 12 attacks on 2 day\(s\)"):
        res = compare_periods(
            inc, periods, reference="a", scope="all_attacks", data_range=("2023-01-01", "2023-04-30")
        )
    t = res.wide.set_index("period")
    assert (t.loc["a", "attack_days"], t.loc["b", "attack_days"]) == (5, 2)
    exact = compare_periods(
        inc,
        periods,
        reference="a",
        scope="all_attacks",
        data_range=("2023-01-01", "2023-04-30"),
        method="exact",
    ).wide.set_index("period")
    assert (
        t.loc["b", "rr_ci_low"] < exact.loc["b", "rr_ci_low"]
        and t.loc["b", "rr_ci_high"] > exact.loc["b", "rr_ci_high"]
    )
    assert "Intervals: nights (worst coverage" in res.summary()


def test_negbin_and_poisson_methods_run_and_say_so(two_periods):
    inc, periods = two_periods
    for method in ("poisson", "negbin", "quasipoisson", "bootstrap"):
        row = (
            compare_periods(inc, periods, reference="calm", method=method, scope="all_attacks")
            .wide.set_index("period")
            .loc["surge"]
        )
        assert row["method"] == method and row["rr_ci_low"] < row["rate_ratio"] < row["rr_ci_high"]


def test_small_counts_use_exact_conditional_test():
    inc = _incidents(["2023-01-05", "2023-02-01", "2023-03-10", "2023-04-02", "2023-04-03"])
    periods = [_p("a", "2023-01-01", "2023-02-28"), _p("b", "2023-03-01", "2023-04-30")]
    with pytest.warns(analysis.DataQualityWarning, match="extends past the data"):
        res = compare_periods(inc, periods, reference="a", scope="all_attacks", method="hac")
    row = res.wide.set_index("period").loc["b"]
    assert row["method"] == "exact"
    assert row["days"] == 34  # cut to the covered days (the data end on 3 April)
    quiet = compare_periods(
        inc,
        periods,
        reference="a",
        data_range=("2023-01-01", "2023-04-30"),
        scope="all_attacks",
        method="hac",
    )
    test = stats.binomtest(3, 5, 61 / (61 + 59))
    assert quiet.wide.set_index("period").loc["b", "p_value"] == pytest.approx(test.pvalue)


def test_zero_event_period_has_rate_zero_and_finite_upper_bound():
    inc = _incidents(["2023-01-05", "2023-01-06", "2023-01-07", "2023-03-30"])
    periods = [
        _p("busy", "2023-01-01", "2023-01-31"),
        _p("quiet", "2023-02-01", "2023-02-28"),
        _p("end", "2023-03-01", "2023-03-30"),
    ]
    t = compare_periods(inc, periods, reference="busy").wide.set_index("period")
    assert t.loc["quiet", "events"] == 0 and t.loc["quiet", "rate_per_30d"] == 0
    assert np.isfinite(t.loc["quiet", "rate_ci_high"]) and t.loc["quiet", "rate_ci_high"] > 0
    assert t.loc["quiet", "rate_ratio"] == 0 and np.isfinite(t.loc["quiet", "rr_ci_high"])
    assert not t[["rate_per_30d", "rate_ci_low", "rate_ci_high"]].isna().any().any()


def test_one_day_period():
    inc = _incidents(["2023-01-05", "2023-01-10", "2023-01-10"])
    periods = [_p("month", "2023-01-01", "2023-01-09"), _p("day", "2023-01-10", "2023-01-10")]
    t = compare_periods(inc, periods, reference="month").wide.set_index("period")
    assert t.loc["day", "days"] == 1 and t.loc["day", "rate_per_30d"] == 60


def test_overlapping_periods_are_an_error():
    inc = _incidents(["2023-01-05", "2023-02-10"])
    with pytest.raises(PeriodError, match="overlap"):
        compare_periods(inc, [_p("a", "2023-01-01", "2023-01-31"), _p("b", "2023-01-31", "2023-02-28")])


def test_period_outside_the_data_is_left_out_with_a_warning():
    inc = _incidents(["2023-01-05", "2023-01-20"])
    with pytest.warns(analysis.DataQualityWarning, match="b lie outside the data's coverage"):
        res = compare_periods(inc, [_p("a", "2023-01-05", "2023-01-20"), _p("b", "2023-06-01", "2023-06-30")])
    assert res.wide["period"].tolist() == ["a"]


def test_only_periods_outside_the_data_is_an_error():
    inc = _incidents(["2023-01-05", "2023-01-20"])
    with pytest.warns(analysis.DataQualityWarning), pytest.raises(ArgumentError, match="at least one Period"):
        compare_periods(inc, [_p("b", "2023-06-01", "2023-06-30")])


def test_all_zero_data_in_given_range():
    inc = _incidents([])
    with pytest.warns(analysis.StatisticalWarning, match="selects no incidents"):
        res = compare_periods(
            inc,
            [_p("a", "2023-01-01", "2023-01-31"), _p("b", "2023-02-01", "2023-02-28")],
            data_range=("2023-01-01", "2023-02-28"),
        )
    t = res.wide.set_index("period")
    assert t["events"].sum() == 0 and np.isfinite(t["rate_ci_high"]).all()
    assert t.loc["b", "method"].startswith("undefined")


def test_unknown_reference_is_an_error():
    inc = _incidents(["2023-01-05", "2023-01-20"])
    with pytest.raises(ValueError, match="reference='nope' is not allowed; allowed: 'a'"):
        compare_periods(inc, [_p("a", "2023-01-05", "2023-01-20")], reference="nope")


def test_by_group_gives_one_row_per_period_and_group():
    inc = _incidents(["2023-01-05", "2023-01-06", "2023-02-05"])
    inc["country"] = ["Iraq", "Syria", "Iraq"]
    res = compare_periods(
        inc, [_p("a", "2023-01-05", "2023-01-31"), _p("b", "2023-02-01", "2023-02-05")], by="country"
    )
    assert len(res.wide) == 4 and set(res.wide["country"]) == {"Iraq", "Syria"}


def test_result_interface(two_periods):
    inc, periods = two_periods
    res = compare_periods(inc, periods, reference="calm")
    assert repr(res).startswith("<PeriodComparison: 2 periods, ") and repr(res).endswith("scope=pentagon>")
    assert "rate_per_30d" in res.summary() and "<table" in res._repr_html_()
    assert list(res.wide.columns[:6]) == ["period", "label", "start", "end", "days", "events"]


def test_shipped_data_surge_exceeds_calm():
    res = compare_periods(analysis.load_incidents(), study=analysis.load_study())
    t = res.wide.set_index("period")
    assert t.loc["surge", "rr_ci_low"] > 3  # the surge is many times the calm rate


def test_subset_keeps_the_dataset_coverage():
    """Syria-only and drones-only comparisons run over every period the dataset covers."""
    inc = analysis.load_incidents()
    for kw in ({"countries": "Syria"}, {"weapons": "one_way_drone"}, {"countries": "Jordan"}):
        t = compare_periods(inc, study=analysis.load_study(), **kw).wide.set_index("period")
        span = (inc.attrs["coverage"][0], inc.attrs["coverage"][1])
        assert t["days"].sum() == sum(p.covered_days(span) for p in analysis.load_periods())
    hand = compare_periods(inc[inc["country"] == "Syria"], study=analysis.load_study()).wide
    assert (
        hand["events"].tolist()
        == compare_periods(inc, study=analysis.load_study(), countries="Syria").wide["events"].tolist()
    )


def test_prespecified_and_holm():
    t = compare_periods(analysis.load_incidents(), study=analysis.load_study()).wide.set_index("period")
    assert (
        t.loc["surge", "comparison"] == "pre-specified"
        and t.loc["surge", "p_holm"] == t.loc["surge", "p_value"]
    )
    explo = t[t["comparison"] == "exploratory"]
    assert (explo["p_holm"] >= explo["p_value"]).all() and (explo["p_holm"] > explo["p_value"]).any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "pentagn"}, "scope='pentagn' is not allowed; allowed: 'pentagon'"),
        ({"countries": "Irak"}, "countries='Irak' is not allowed; allowed: 'Iraq', 'Syria', 'Jordan'"),
        ({"confirmation": "oficial"}, "confirmation='oficial' is not allowed"),
        ({"method": "auto"}, "method='auto' is not allowed; allowed: 'exact'"),
        ({"model": "poisson"}, "argument='model' is not allowed"),
        ({"data_range": ("2020-13-01", "2021-01-01")}, "data_range='2020-13-01' is not allowed"),
    ],
)
def test_bad_arguments_name_the_argument_value_and_allowed(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compare_periods(analysis.load_incidents(), study=analysis.load_study(), **kwargs)


def test_string_confirmation_is_one_level_and_string_period_dates_work():
    inc = analysis.load_incidents()
    official = compare_periods(inc, study=analysis.load_study(), confirmation="official").wide
    assert (
        0 < official["events"].sum() < compare_periods(inc, study=analysis.load_study()).wide["events"].sum()
    )
    p = [Period("x", "x", "2023-10-17", "2024-02-04"), Period("y", "y", "2021-07-26", "2023-10-16")]
    assert compare_periods(inc, p, reference="y").wide["events"].iloc[0] > 100


def test_table_uses_the_shared_vocabulary(incidents):
    res = compare_periods(incidents, study=analysis.load_study(), by="country")
    tidy = res.table
    assert list(tidy.columns[:6]) == ["estimate", "ci_low", "ci_high", "p_value", "n", "exposure"]
    assert len(tidy) == 2 * len(res.wide) and set(tidy["quantity"]) == {"rate_per_30d", "rate_ratio"}
    surge = tidy.query("quantity == 'rate_ratio' and period == 'surge' and country == 'Syria'").iloc[0]
    row = res.wide.query("period == 'surge' and country == 'Syria'").iloc[0]
    assert (surge.estimate, surge.ci_low, surge.ci_high, surge.n) == (
        row.rate_ratio,
        row.rr_ci_low,
        row.rr_ci_high,
        row.events,
    )


def test_checked_coverage_is_what_both_studies_saved():
    from pathlib import Path

    from analysis.models.rates import CHECKED_COVERAGE

    results = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
    cols = ["coverage_ratio", "coverage_rate_comparison", "coverage_rate_reference"]
    for i, name in enumerate(("sim_coverage.csv", "sim_holdout.csv")):
        t = pd.read_csv(results / name)
        worst = t.groupby("method")[cols].min().min(axis=1)
        assert set(worst.index) == set(CHECKED_COVERAGE)
        for method, value in worst.items():
            assert CHECKED_COVERAGE[method][i] == pytest.approx(value, abs=5e-4), (name, method)

"""compare_groups: every group's period comparison at once, equal to the one-at-a-time computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

import analysis
from analysis.data import data_dir
from analysis.errors import ArgumentError
from analysis.models.exact import rate_ratio_exact_any
from analysis.models.groups import _mean_variance, compare_groups
from analysis.panel import count_panel


@pytest.fixture(scope="module")
def by_country_weapon():
    return count_panel(data_dir() / "incidents.csv", by=["country", "weapon"])


def test_holm_and_bh_equal_statsmodels_with_ties_and_missing_values():
    from analysis.models.groups import _adjusted

    p = np.array([0.01, np.nan, 0.04, 0.04, 0.2, 0.001, 1.0])
    ok = np.isfinite(p)
    for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh")):
        got = _adjusted(p, ours)
        np.testing.assert_allclose(got[ok], multipletests(p[ok], method=theirs)[1])
        assert np.isnan(got[~ok]).all()


def test_exact_ratios_equal_the_scalar_exact_test_for_every_group(by_country_weapon):
    res = compare_groups(by_country_weapon, study=analysis.load_study())
    assert len(res.table) > 50
    for row in res.table.itertuples():
        want = rate_ratio_exact_any(row.n, row.exposure, row.n_reference, row.exposure_reference)
        got = (row.estimate, row.ci_low, row.ci_high, row.p_value)
        np.testing.assert_allclose(got, tuple(want), rtol=1e-9, equal_nan=True)


def test_adjustments_are_holm_and_bh_within_each_period(by_country_weapon):
    table = compare_groups(by_country_weapon, study=analysis.load_study()).table
    surge = table[(table["period"] == "surge") & table["p_value"].notna()]
    np.testing.assert_allclose(surge["p_holm"], multipletests(surge["p_value"], method="holm")[1])
    np.testing.assert_allclose(surge["p_bh"], multipletests(surge["p_value"], method="fdr_bh")[1])


def test_one_group_agrees_with_compare_periods(incidents):
    study = analysis.load_study()
    panel = count_panel(data_dir() / "incidents.csv", by=["country"])
    syria = compare_groups(panel, study=study).table.query("country == 'Syria' and period == 'surge'").iloc[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wide = analysis.compare_periods(incidents, study=study, countries="Syria", method="exact").wide
    row = wide.set_index("period").loc["surge"]
    assert (syria.n, syria.n_reference) == (row.events, wide.set_index("period").loc["calm", "events"])
    assert syria.estimate == pytest.approx(row.rate_ratio)


def test_the_hac_variance_is_statsmodels_newey_west():
    rng = np.random.default_rng(1)
    y = rng.poisson(np.repeat(rng.gamma(2, 1, 40), 10)).astype(float)
    lags = int(np.floor(4 * (len(y) / 100) ** (2 / 9)))
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    assert _mean_variance(y[None, :])[0] == pytest.approx(fit.cov_params()[0, 0], rel=1e-9)


def test_hac_is_used_where_both_periods_have_ten_events(by_country_weapon):
    table = compare_groups(by_country_weapon, study=analysis.load_study(), method="hac").table
    big = (table["n"] >= 10) & (table["n_reference"] >= 10)
    assert (table.loc[big, "method"] == "hac").all() and (table.loc[~big, "method"] == "exact").all()
    assert big.any()


def test_result_interface_and_figure(by_country_weapon):
    import matplotlib.pyplot as plt

    res = compare_groups(by_country_weapon, study=analysis.load_study())
    assert list(res.table.columns[:4]) == ["estimate", "ci_low", "ci_high", "p_value"]
    assert repr(res).startswith("<GroupComparison:") and "p_bh" in res.summary()
    ax = res.plot(period="surge", top=5)
    assert len(ax.get_yticklabels()) == 5 and "surge against calm" in ax.get_xlabel()
    plt.close("all")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"method": "nights"}, "method='nights' is not allowed"), ({"by": ["admin9"]}, "by='admin9'")],
)
def test_bad_arguments_are_named(by_country_weapon, kwargs, message):
    with pytest.raises(ArgumentError, match=message):
        compare_groups(by_country_weapon, study=analysis.load_study(), **kwargs)
    with pytest.raises(ArgumentError, match="panel="):
        compare_groups(pd.DataFrame({"date": []}), study=analysis.load_study())

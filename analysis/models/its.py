"""Interrupted time series: segmented count regression.

Model
-----
``log E[y_t] = b0 + b1 t + sum_k (level_k 1[t >= t_k] + slope_k (t - t_k) 1[t >= t_k])
+ Fourier(t) + log(exposure_t)``

with ``t`` in units of ``freq`` and post-interruption time centred at each
interruption, so ``level_k`` is the immediate change at ``t_k``. Counts are
Poisson with variance ``phi * mean``: ``cov="scale"`` estimates ``phi`` from
the Pearson chi-square (quasi-Poisson, as R's ``family=quasipoisson``);
``cov="HAC"`` uses Newey-West standard errors with Bartlett weights, an
explicit ``maxlags`` and statsmodels' small-sample correction
(``use_correction=True``), which matches R's ``sandwich::NeweyWest(lag=L,
prewhite=FALSE, adjust=TRUE)`` up to the scale convention;
``family="negbin"`` fits NB2 with its dispersion estimated by maximum
likelihood instead of a quasi-Poisson scale.

Examples
--------
>>> res = interrupted_time_series(monthly, at="2023-10-17")  # doctest: +SKIP
>>> res.table  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.results import Result

__all__ = ["ITSResult", "interrupted_time_series"]

ASSUMPTIONS = (
    "Log-linear trend in the count rate with a level change (and optionally a slope change) at each "
    "interruption; variance proportional to the mean (quasi-Poisson) or NB2; no other change at the "
    "same time (no co-interventions); seasonality, when asked, as Fourier terms."
)

_PERIODS_PER_YEAR = {"D": 365.25, "W": 365.25 / 7, "MS": 12.0, "M": 12.0, "QS": 4.0, "YS": 1.0}


@dataclass(frozen=True, eq=False, repr=False)
class ITSResult(Result):
    """Segmented regression result.

    Attributes
    ----------
    table : DataFrame
        Rows ``level_change`` and ``slope_change`` per interruption: term,
        interruption, rate_ratio, ci_low, ci_high, p_value.
    counterfactual : DataFrame
        observed, fitted, counterfactual (no interruption) and its interval,
        indexed by date.
    result : statsmodels results
        The fitted model.
    """

    table: pd.DataFrame
    counterfactual: pd.DataFrame
    result: object
    interruptions: tuple[pd.Timestamp, ...]
    family: str
    cov: str
    alpha: float = 0.05
    assumptions: str = ASSUMPTIONS
    design: pd.DataFrame = field(default_factory=pd.DataFrame)

    def _repr_fields(self) -> str:
        dates = ", ".join(str(t.date()) for t in self.interruptions)
        return f"{len(self.interruptions)} interruption(s) at {dates}, family={self.family}, cov={self.cov}"

    def plot(self, ax=None):
        """Observed counts, the fitted model and the counterfactual with its band."""
        from analysis.plots import plot_its

        return plot_its(self, ax=ax)


def _as_series(counts) -> pd.Series:
    if isinstance(counts, pd.DataFrame):
        if counts.shape[1] != 1:
            raise ValueError("counts must have a single column; select one (e.g. counts['events'])")
        counts = counts.iloc[:, 0]
    if not isinstance(counts.index, pd.DatetimeIndex):
        raise TypeError("counts needs a DatetimeIndex")
    return counts.astype(float)


def _aggregate(counts: pd.Series, freq: str) -> pd.Series:
    """Sum counts into ``freq`` bins; a series already regular at ``freq`` is kept."""
    rule = {"M": "MS", "W": "W-MON"}.get(freq, freq)
    try:
        regular = counts.asfreq(rule)
        if len(regular) == len(counts) and regular.index.equals(counts.index):
            return counts
    except ValueError:
        pass
    if rule == "W-MON":
        return counts.resample(rule, label="left", closed="left").sum()
    return counts.resample(rule).sum()


def interrupted_time_series(
    counts: pd.Series | pd.DataFrame,
    at,
    exposure: pd.Series | None = None,
    seasonal: int | None = None,
    slope_change: bool = True,
    freq: str = "MS",
    cov: Literal["scale", "HAC", "model"] = "scale",
    alpha: float = 0.05,
    family: Literal["poisson", "negbin"] = "poisson",
    maxlags: int | None = None,
) -> ITSResult:
    """Segmented Poisson (quasi-Poisson or NB2) regression around one or more interruptions.

    Parameters
    ----------
    counts : Series or one-column DataFrame
        Counts on a DatetimeIndex; daily counts are summed to ``freq``.
    at : date-like or list of date-like
        The interruption(s). Each gets a level term and, with
        ``slope_change``, a slope term; the model period containing ``at``
        is the first post-interruption period.
    exposure : Series, optional
        Time at risk (or population) per bin, aligned with the aggregated
        counts; enters as ``log(exposure)`` offset. The one exposure argument
        of the package: pass days per bin to model rates per day.
    seasonal : int, optional
        Number of Fourier harmonic pairs (sin/cos) with a one-year period.
    slope_change : bool
        Include a change of trend at each interruption.
    freq : str
        Model frequency: "D", "W", "MS", "QS" or "YS".
    cov : {"scale", "HAC", "model"}
        Standard errors: quasi-Poisson Pearson scale, Newey-West HAC (needs
        ``maxlags``), or the model's own (pure Poisson / NB2).
    alpha : float
        1 - confidence level.
    family : {"poisson", "negbin"}
        ``negbin`` estimates the NB2 dispersion by maximum likelihood.
    maxlags : int, optional
        Lags for ``cov="HAC"`` (required there; we do not guess a bandwidth).

    Returns
    -------
    ITSResult

    Examples
    --------
    >>> sicily = pd.read_csv("tests/data/sicily.csv")  # doctest: +SKIP
    >>> y = pd.Series(sicily.aces.values, index=pd.date_range("2002-01", periods=59, freq="MS"))  # doctest: +SKIP
    >>> interrupted_time_series(y, at="2005-01-01", exposure=..., slope_change=False).table  # doctest: +SKIP
    """
    if cov not in ("scale", "HAC", "model"):
        raise ValueError(f"cov must be 'scale', 'HAC' or 'model', not {cov!r}")
    if cov == "HAC" and maxlags is None:
        raise ValueError("cov='HAC' needs an explicit maxlags (e.g. maxlags=3)")
    if family not in ("poisson", "negbin"):
        raise ValueError(f"family must be 'poisson' or 'negbin', not {family!r}")
    y = _aggregate(_as_series(counts), freq)
    n = len(y)
    at_list = [pd.Timestamp(a) for a in (at if isinstance(at, (list, tuple)) else [at])]
    t = np.arange(n, dtype=float)
    X = pd.DataFrame({"const": 1.0, "time": t}, index=y.index)
    positions = []
    for k, when in enumerate(sorted(at_list), start=1):
        pos = int(np.searchsorted(y.index.values, np.datetime64(when), side="left"))
        # The bin that contains the interruption counts as its first post bin.
        if pos > 0 and pos < n and y.index[pos] > when and y.index[pos - 1] <= when:
            pos -= 1 if freq == "D" else 0
        if pos <= 1 or pos >= n - 1:
            raise ValueError(f"interruption {when.date()} leaves too few points before or after it")
        positions.append(pos)
        suffix = "" if len(at_list) == 1 else f"_{k}"
        post = (t >= pos).astype(float)
        X[f"level_change{suffix}"] = post
        if slope_change:
            X[f"slope_change{suffix}"] = (t - pos) * post
    if seasonal:
        per_year = _PERIODS_PER_YEAR.get(freq, 12.0)
        # Phase from the calendar (month of year), as R's harmonic(month, k, 12).
        if freq in ("MS", "M"):
            phase = y.index.month.to_numpy(dtype=float)
        else:
            phase = (y.index.dayofyear.to_numpy(dtype=float) / 365.25) * per_year
        for j in range(1, seasonal + 1):
            X[f"sin{j}"] = np.sin(2 * np.pi * j * phase / per_year)
            X[f"cos{j}"] = np.cos(2 * np.pi * j * phase / per_year)
    offset = None
    if exposure is not None:
        exp = pd.Series(exposure).reindex(y.index) if isinstance(exposure, pd.Series) else pd.Series(exposure, index=y.index)
        if exp.isna().any() or (exp <= 0).any():
            raise ValueError("exposure must be positive and cover every bin")
        offset = np.log(exp.to_numpy(dtype=float))

    if family == "poisson":
        model = sm.GLM(y.to_numpy(), X, family=sm.families.Poisson(), offset=offset)
        if cov == "scale":
            fit = model.fit(scale="X2")
        elif cov == "HAC":
            fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True})
        else:
            fit = model.fit()
    else:
        extra = {} if offset is None else {"offset": offset}
        nb = sm.NegativeBinomial(y.to_numpy(), X, loglike_method="nb2", **extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kwargs = {"cov_type": "HAC", "cov_kwds": {"maxlags": maxlags}} if cov == "HAC" else {}
            fit = nb.fit(disp=0, maxiter=1000, method="bfgs", **kwargs)
        try:
            fit.cov_params()
            singular = False
        except ValueError:
            singular = True
        if singular:
            # Dispersion at the boundary (near-Poisson data) leaves the joint Hessian
            # singular; refit a GLM at the estimated alpha, as R's glm.nb reports.
            alpha_hat = max(float(np.asarray(fit.params)[-1]), 1e-8)
            glm = sm.GLM(y.to_numpy(), X, family=sm.families.NegativeBinomial(alpha=alpha_hat), offset=offset)
            fit = glm.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags}) if cov == "HAC" else glm.fit()

    z = stats.norm.ppf(1 - alpha / 2)
    bse, pvalues = fit.bse, fit.pvalues
    names = list(X.columns)
    params = pd.Series(np.asarray(fit.params)[: len(names)], index=names)
    bse = pd.Series(np.asarray(bse)[: len(names)], index=names)
    pvalues = pd.Series(np.asarray(pvalues)[: len(names)], index=names)
    rows = []
    for k, when in enumerate(sorted(at_list), start=1):
        suffix = "" if len(at_list) == 1 else f"_{k}"
        for term in ("level_change", "slope_change"):
            name = term + suffix
            if name not in params:
                continue
            b, s = params[name], bse[name]
            rows.append(
                {
                    "term": term,
                    "interruption": when,
                    "rate_ratio": float(np.exp(b)),
                    "ci_low": float(np.exp(b - z * s)),
                    "ci_high": float(np.exp(b + z * s)),
                    "p_value": float(pvalues[name]),
                }
            )
    table = pd.DataFrame(rows, columns=["term", "interruption", "rate_ratio", "ci_low", "ci_high", "p_value"])

    # Counterfactual: switch every interruption term off, keep trend, season and offset.
    X_cf = X.copy()
    for col in X.columns:
        if col.startswith(("level_change", "slope_change")):
            X_cf[col] = 0.0
    cov_matrix = np.asarray(fit.cov_params())[: len(names), : len(names)]
    eta_cf = X_cf.to_numpy() @ params.to_numpy() + (offset if offset is not None else 0.0)
    se_cf = np.sqrt(np.einsum("ij,jk,ik->i", X_cf.to_numpy(), cov_matrix, X_cf.to_numpy()))
    eta_fit = X.to_numpy() @ params.to_numpy() + (offset if offset is not None else 0.0)
    counterfactual = pd.DataFrame(
        {
            "observed": y.to_numpy(),
            "fitted": np.exp(eta_fit),
            "counterfactual": np.exp(eta_cf),
            "cf_ci_low": np.exp(eta_cf - z * se_cf),
            "cf_ci_high": np.exp(eta_cf + z * se_cf),
        },
        index=y.index,
    )
    return ITSResult(
        table=table,
        counterfactual=counterfactual,
        result=fit,
        interruptions=tuple(sorted(at_list)),
        family="quasipoisson" if (family == "poisson" and cov == "scale") else family,
        cov=cov,
        alpha=alpha,
        design=X,
    )

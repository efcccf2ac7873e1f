"""Interrupted time series: segmented count regression aligned to the interruption.

Model
-----
``log E[y_j] = b0 + b1 t_j + sum_k (level_k 1[j after t_k] + slope_k (t_j - t_k) 1[j after t_k])
+ Fourier(t_j) + log(exposure_j)``

The unit ``j`` is a *piece*: a ``freq`` bin, or the part of a bin on one side
of an interruption. Given daily counts, a bin that contains an interruption is
split at it, and each piece carries its share of the bin as exposure
(``days in piece / days in bin``, times ``exposure`` when given), so the
level change measures the jump on the interruption day, not a blend of the
days before and after it. A bin only partly covered by the data (the last,
unfinished month) is weighted the same way. ``t`` is the piece's centre in
units of ``freq`` (a whole bin sits at its integer index), and ``t_k`` is the
centre of the first piece after interruption ``k``: ``level_k`` is the rate
ratio there against the extrapolated trend.

Counts are Poisson with variance ``phi * mean``: ``cov="scale"`` estimates
``phi`` from the Pearson chi-square (quasi-Poisson, as R's
``family=quasipoisson``); ``cov="HAC"`` uses Newey-West standard errors with
Bartlett weights, an explicit ``maxlags`` and statsmodels' small-sample
correction (``use_correction=True``), which matches R's
``sandwich::NeweyWest(lag=L, prewhite=FALSE, adjust=TRUE)`` up to the scale
convention; ``family="negbin"`` fits NB2 with its dispersion estimated by
maximum likelihood instead of a quasi-Poisson scale. Fitted values and the
counterfactual are summed back to whole bins for display.

Examples
--------
>>> import numpy as np, pandas as pd
>>> days = pd.date_range("2022-01-01", "2023-12-31")
>>> rate = np.where(days >= "2023-10-17", 1.5, 0.1)
>>> y = pd.Series(np.random.default_rng(0).poisson(rate), index=days)
>>> res = interrupted_time_series(y, at="2023-10-17", slope_change=False)
>>> 8 < res.table.loc[0, "estimate"] < 25
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.results import Result

__all__ = ["ITSResult", "interrupted_time_series"]

ASSUMPTIONS = (
    "Log-linear trend in the count rate with a level change (and optionally a slope change) at each "
    "interruption, measured on the interruption day: a bin containing an interruption is split at it, each "
    "part weighted by its days; the rate is constant within each part of a bin; variance proportional to "
    "the mean (quasi-Poisson) or NB2; no other change at the same time (no co-interventions); seasonality, "
    "when asked, as Fourier terms."
)

_PERIODS_PER_YEAR = {"D": 365.25, "W": 365.25 / 7, "MS": 12.0, "M": 12.0, "QS": 4.0, "YS": 1.0}
#: pandas Period frequency whose start_time is the bin label.
_PERIOD_CODE = {"D": "D", "W": "W-SUN", "MS": "M", "M": "M", "QS": "Q", "YS": "Y"}
_TABLE_COLUMNS = ["term", "interruption", "estimate", "ci_low", "ci_high", "p_value"]


@dataclass(frozen=True, eq=False, repr=False)
class ITSResult(Result):
    """Segmented regression result.

    Attributes
    ----------
    table : DataFrame
        Rows ``level_change`` and ``slope_change`` per interruption: term,
        interruption, estimate (rate ratio), ci_low, ci_high, p_value.
    counterfactual : DataFrame
        observed, fitted, counterfactual (no interruption) and its interval
        ``cf_ci_low``, ``cf_ci_high``, summed to whole ``freq`` bins, indexed
        by the bin's first day.
    result : statsmodels results
        The fitted model (one row per piece).
    pieces : DataFrame
        The units the model was fitted on: bin, first day, days, observed,
        exposure, whether it entered the fit.
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
    pieces: pd.DataFrame = field(default_factory=pd.DataFrame)
    freq: str = "MS"

    def _repr_fields(self) -> str:
        dates = ", ".join(str(t.date()) for t in self.interruptions)
        return f"{len(self.interruptions)} interruption(s) at {dates}, family={self.family}, cov={self.cov}"

    def plot(self, ax=None):
        """Observed counts, the fitted model and the counterfactual with its band.

        Examples
        --------
        >>> days = pd.date_range("2022-01-01", "2023-12-31")
        >>> y = pd.Series(np.random.default_rng(0).poisson(np.where(days >= "2023-10-17", 1.5, 0.1)), index=days)
        >>> res = interrupted_time_series(y, at="2023-10-17", slope_change=False)
        >>> ax = res.plot()
        >>> ax.get_ylabel()
        'attacks per month'
        """
        from analysis.plots import plot_its

        return plot_its(self, ax=ax)


def _as_series(counts) -> pd.Series:
    if isinstance(counts, pd.DataFrame):
        if counts.shape[1] != 1:
            raise ArgumentError(
                "counts",
                f"a frame with {counts.shape[1]} columns",
                "a Series or one-column DataFrame (e.g. counts['events'])",
            )
        counts = counts.iloc[:, 0]
    if not isinstance(counts.index, pd.DatetimeIndex):
        raise ArgumentError("counts", type(counts.index).__name__, "a Series on a DatetimeIndex")
    return counts.astype(float).sort_index()


def _is_daily(index: pd.DatetimeIndex) -> bool:
    if len(index) < 2:
        return False
    steps = np.diff(index.normalize().values)
    return bool((steps == np.timedelta64(1, "D")).all())


def _pieces(y: pd.Series, freq: str, at_list: list[pd.Timestamp]) -> pd.DataFrame:
    """Split the series into bins of ``freq``, cut at interruptions when the input is daily.

    Returns one row per piece: bin (label), first (day), days, bin_days,
    observed, segment (interruptions at or before the piece), fit (bool), t.
    """
    code = _PERIOD_CODE[freq]
    cuts = np.array([np.datetime64(a) for a in at_list], dtype="datetime64[ns]")
    if _is_daily(y.index):
        days = y.index.normalize()
        per = days.to_period(code)
        frame = pd.DataFrame(
            {
                "bin": per.start_time,
                "day": days,
                "y": y.to_numpy(),
                "segment": np.searchsorted(cuts, days.values, side="right"),
            }
        )
        pieces = (
            frame.groupby(["bin", "segment"], sort=True)
            .agg(first=("day", "min"), days=("day", "size"), observed=("y", "sum"))
            .reset_index()
        )
        pieces["fit"] = True
    else:
        # Already binned: a bin can only be split if we know its days; a bin that contains an
        # interruption after its first day is left out of the fit.
        labels = y.index.to_period(code).start_time
        seg = np.searchsorted(cuts, labels.values, side="right")
        pieces = pd.DataFrame({"bin": labels, "segment": seg, "first": labels, "observed": y.to_numpy()})
        per = pd.PeriodIndex(labels, freq=code)
        pieces["days"] = ((per.end_time.normalize() - per.start_time).days + 1).to_numpy()
        ends = per.end_time.normalize().values
        straddle = np.zeros(len(pieces), dtype=bool)
        for c in cuts:
            straddle |= (labels.values < c) & (ends >= c)
        pieces["fit"] = ~straddle
        if straddle.any():
            warnings.warn(
                f"{int(straddle.sum())} {freq} bin(s) contain an interruption after their first day and "
                "were left out of the fit; pass daily counts so the bin is split at the interruption",
                StatisticalWarning,
                stacklevel=3,
            )
    per = pd.PeriodIndex(pieces["bin"], freq=code)
    pieces["bin_days"] = ((per.end_time.normalize() - per.start_time).days + 1).to_numpy()
    bins = pd.PeriodIndex(sorted(set(per)), freq=code)
    index = (per - bins[0]).map(lambda d: d.n).to_numpy(dtype=float)
    offset = (pieces["first"] - pieces["bin"]).dt.days.to_numpy(dtype=float)
    pieces["t"] = index + (offset + pieces["days"] / 2) / pieces["bin_days"] - 0.5
    return pieces


def _design(pieces: pd.DataFrame, at_list, slope_change: bool, seasonal, freq: str) -> pd.DataFrame:
    """Model matrix on the pieces: constant, trend, level and slope terms, Fourier terms."""
    t = pieces["t"].to_numpy()
    X = pd.DataFrame({"const": 1.0, "time": t}, index=pd.DatetimeIndex(pieces["first"]))
    for k, when in enumerate(at_list, start=1):
        post = pieces["segment"].to_numpy() >= k
        used = pieces["fit"].to_numpy()
        if (used & ~post).sum() < 2 or (used & post).sum() < 2:
            raise ArgumentError("at", str(when.date()), "dates leaving at least two bins before and after")
        suffix = "" if len(at_list) == 1 else f"_{k}"
        X[f"level_change{suffix}"] = post.astype(float)
        if slope_change:
            t0 = t[post].min()
            X[f"slope_change{suffix}"] = (t - t0) * post
    if seasonal:
        per_year = _PERIODS_PER_YEAR.get(freq, 12.0)
        # Phase from the calendar (month of year), as R's harmonic(month, k, 12).
        first = pd.DatetimeIndex(pieces["first"])
        if freq in ("MS", "M"):
            phase = first.month.to_numpy(dtype=float)
        else:
            phase = (first.dayofyear.to_numpy(dtype=float) / 365.25) * per_year
        for j in range(1, seasonal + 1):
            X[f"sin{j}"] = np.sin(2 * np.pi * j * phase / per_year)
            X[f"cos{j}"] = np.cos(2 * np.pi * j * phase / per_year)
    return X


def _exposure(pieces: pd.DataFrame, exposure) -> np.ndarray:
    """Per-piece exposure: the piece's share of its bin, times the bin's exposure when given."""
    share = pieces["days"].to_numpy(dtype=float) / pieces["bin_days"].to_numpy(dtype=float)
    if exposure is None:
        return share
    if isinstance(exposure, pd.Series):
        exp = exposure.reindex(pd.DatetimeIndex(pieces["bin"])).to_numpy(dtype=float)
    else:
        exp = np.asarray(exposure, dtype=float)
        if len(exp) != pieces["bin"].nunique():
            raise ArgumentError(
                "exposure", f"{len(exp)} values", f"one value per bin ({pieces['bin'].nunique()})"
            )
        exp = (
            pd.Series(exp, index=pd.DatetimeIndex(sorted(pieces["bin"].unique())))
            .reindex(pd.DatetimeIndex(pieces["bin"]))
            .to_numpy()
        )
    if np.isnan(exp).any() or (exp <= 0).any():
        raise ArgumentError("exposure", "values missing or not positive", "a positive value for every bin")
    return share * exp


def _fit(y: np.ndarray, X: pd.DataFrame, offset: np.ndarray, family: str, cov: str, maxlags):
    """Poisson GLM (scale, HAC or model covariance) or NB2 with a GLM fallback at the boundary."""
    if family == "poisson":
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
        if cov == "scale":
            return model.fit(scale="X2")
        if cov == "HAC":
            return model.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True})
        return model.fit()
    nb = sm.NegativeBinomial(y, X, loglike_method="nb2", offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = {"cov_type": "HAC", "cov_kwds": {"maxlags": maxlags}} if cov == "HAC" else {}
        fit = nb.fit(disp=0, maxiter=1000, method="bfgs", **kwargs)
    try:
        fit.cov_params()
        return fit
    except ValueError:
        # Dispersion at the boundary (near-Poisson data) leaves the joint Hessian
        # singular; refit a GLM at the estimated alpha, as R's glm.nb reports.
        alpha_hat = max(float(np.asarray(fit.params)[-1]), 1e-8)
        warnings.warn(
            f"NB2 dispersion at its boundary ({alpha_hat:.2g}); the counts look Poisson, "
            "reporting a GLM at that dispersion",
            StatisticalWarning,
            stacklevel=3,
        )
        glm = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=alpha_hat), offset=offset)
        return glm.fit(cov_type="HAC", cov_kwds={"maxlags": maxlags}) if cov == "HAC" else glm.fit()


def _table(fit, names: list[str], at_list, z: float) -> pd.DataFrame:
    params = pd.Series(np.asarray(fit.params)[: len(names)], index=names)
    bse = pd.Series(np.asarray(fit.bse)[: len(names)], index=names)
    pvalues = pd.Series(np.asarray(fit.pvalues)[: len(names)], index=names)
    rows = []
    for k, when in enumerate(at_list, start=1):
        suffix = "" if len(at_list) == 1 else f"_{k}"
        for term in ("level_change", "slope_change"):
            name = term + suffix
            if name in params:
                b, s = params[name], bse[name]
                rows.append(
                    {
                        "term": term,
                        "interruption": when,
                        "estimate": float(np.exp(b)),
                        "ci_low": float(np.exp(b - z * s)),
                        "ci_high": float(np.exp(b + z * s)),
                        "p_value": float(pvalues[name]),
                    }
                )
    table = pd.DataFrame(rows, columns=_TABLE_COLUMNS)
    return table


def _display(fit, X: pd.DataFrame, offset: np.ndarray, pieces: pd.DataFrame, z: float) -> pd.DataFrame:
    """Fitted and counterfactual means summed to whole bins, the band by the delta method on the sum."""
    names = list(X.columns)
    beta = np.asarray(fit.params)[: len(names)]
    V = np.asarray(fit.cov_params())[: len(names), : len(names)]
    X_cf = X.copy()
    X_cf.loc[:, [c for c in names if c.startswith(("level_change", "slope_change"))]] = 0.0
    mu_fit = np.exp(X.to_numpy() @ beta + offset)
    mu_cf = np.exp(X_cf.to_numpy() @ beta + offset)
    bins = pd.DatetimeIndex(pieces["bin"])
    labels = bins.unique().sort_values()
    A = (bins.values[None, :] == labels.values[:, None]).astype(float)
    G = A @ (mu_cf[:, None] * X_cf.to_numpy())
    cf = A @ mu_cf
    se_log = np.sqrt(np.einsum("ij,jk,ik->i", G, V, G)) / cf
    out = pd.DataFrame(
        {
            "observed": A @ pieces["observed"].to_numpy(dtype=float),
            "fitted": A @ mu_fit,
            "counterfactual": cf,
            "cf_ci_low": cf * np.exp(-z * se_log),
            "cf_ci_high": cf * np.exp(z * se_log),
        },
        index=labels,
    )
    left_out = A @ (~pieces["fit"].to_numpy()).astype(float) > 0
    out.loc[left_out, ["fitted", "counterfactual", "cf_ci_low", "cf_ci_high"]] = np.nan
    out.index.name = "date"
    return out


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
        Counts on a DatetimeIndex. Daily counts (recommended) are summed to
        ``freq`` bins, and a bin containing an interruption is split at it
        into two pieces weighted by their days. Counts already binned at
        ``freq`` are used as they are; a bin that contains an interruption
        after its first day cannot be split and is left out of the fit (with
        a :class:`~analysis.errors.StatisticalWarning`).
    at : date-like or list of date-like
        The interruption(s): the first day of the new regime. Each gets a
        level term and, with ``slope_change``, a slope term.
    exposure : Series, optional
        Time at risk (or population) per ``freq`` bin, indexed by the bin's
        first day; a split bin shares it in proportion to days. Without it
        each bin has exposure 1 (a part-bin its share of days), so the
        estimates are rates per bin.
    seasonal : int, optional
        Number of Fourier harmonic pairs (sin/cos) with a one-year period.
    slope_change : bool
        Include a change of trend at each interruption.
    freq : {"D", "W", "MS", "QS", "YS"}
        Model frequency.
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
        ``table`` has the level change (rate ratio at the interruption) and
        slope change (rate ratio per bin) with intervals and p-values.

    Notes
    -----
    Assumes a log-linear trend, a rate constant within each piece of a bin,
    variance proportional to the mean (or NB2), no co-interventions; the
    quasi-Poisson scale treats bins as independent given the trend (use
    ``cov="HAC"`` for autocorrelated bins).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2021-01-01", "2023-12-31")
    >>> y = pd.Series(np.random.default_rng(1).poisson(np.where(days >= "2023-10-17", 1.5, 0.1)), index=days)
    >>> res = interrupted_time_series(y, at="2023-10-17", slope_change=False)
    >>> res.table["term"].tolist()
    ['level_change']
    """
    if cov not in ("scale", "HAC", "model"):
        raise ArgumentError("cov", cov, ["scale", "HAC", "model"])
    if cov == "HAC" and maxlags is None:
        raise ArgumentError("maxlags", None, "an explicit number of lags with cov='HAC' (e.g. maxlags=3)")
    if family not in ("poisson", "negbin"):
        raise ArgumentError("family", family, ["poisson", "negbin"])
    if freq not in _PERIOD_CODE:
        raise ArgumentError("freq", freq, list(_PERIOD_CODE))
    y = _as_series(counts)
    at_list = sorted(pd.Timestamp(a).normalize() for a in (at if isinstance(at, (list, tuple)) else [at]))
    pieces = _pieces(y, freq, at_list)
    X = _design(pieces, at_list, slope_change, seasonal, freq)
    pieces["exposure"] = _exposure(pieces, exposure)
    offset = np.log(pieces["exposure"].to_numpy())
    used = pieces["fit"].to_numpy()
    fit = _fit(pieces["observed"].to_numpy()[used], X[used], offset[used], family, cov, maxlags)
    z = stats.norm.ppf(1 - alpha / 2)
    return ITSResult(
        table=_table(fit, list(X.columns), at_list, z),
        counterfactual=_display(fit, X, offset, pieces, z),
        result=fit,
        interruptions=tuple(at_list),
        family="quasipoisson" if (family == "poisson" and cov == "scale") else family,
        cov=cov,
        alpha=alpha,
        design=X,
        pieces=pieces,
        freq=freq,
    )

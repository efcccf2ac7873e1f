"""Do attacks beget attacks? A day-resolution self-exciting count model.

Model
-----
With ``y_t`` the attacks (rows) dated day ``t`` and ``x_t`` the excitation
input (by default ``x_t = min(y_t, 1)``, a night with attacks),

    E[y_t | past] = lambda_t = mu_t + a * sum_{k=1..K} g_k(q) x_{t-k}

* ``mu_t`` is the background: a level per named period (``analysis.periods``)
  times, where a period has the events to estimate it, a smooth drift inside
  the period (log-linear splines with a knot every ``smooth_days`` days), so a
  surge, or a wave that rises and fades within a period, is not read as
  attacks causing attacks;
* the excitation looks only at *earlier* days (``k >= 1``): attacks on the
  same date, often one night's salvo on several bases, are one cluster, not
  triggering, because a date-only record cannot order them;
* ``g_k(q)`` is a geometric lag kernel truncated at ``K = max_lag`` days,
  ``g_k ∝ q^(k-1)``, summing to one; its mean is the mean lag in days;
* ``a`` is the expected number of follow-on attacks on later days per
  excitation unit. The **branching ratio** reported is the expected number of
  follow-on *attack-nights* per attack-night: ``a`` divided by the mean
  number of attacks per attack-night (with ``excite="attacks"`` it is ``a``).

This is a discrete-time Hawkes process, the INGARCH(p, 0) family of R's
``tscount`` with an identity link, with a period background in place of a
constant. Parameters are estimated by Poisson quasi-likelihood: only the mean
is assumed, so several sites hit in one night (a day's count far more variable
than Poisson) do not bias the estimates; standard errors are the sandwich
(robust) ones, valid because each day's score has mean zero given the past.
The test of "no excitation" is a parametric bootstrap of the quasi-likelihood
ratio from the background-only fit, keeping the cluster structure: the number
of attack-nights each day is Poisson and the attacks per night are resampled
from the data's attack-days in the same period.

Why nights as the excitation input: a salvo on five bases in one night is one
decision by one group; counting it five times as triggering mass would let how
a list splits a salvo into rows set the answer, and a single large night would
dominate the estimate.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> days = pd.date_range("2020-01-01", periods=1500)
>>> y = pd.Series(simulate_self_excitation(np.full(1500, 0.2), branching=0.0, seed=1), index=days)
>>> res = fit_self_excitation(y, background={"all": ("2020-01-01", "2024-02-08")}, n_boot=19)
>>> res.table["parameter"].iloc[0]
'branching_ratio'
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, sparse, stats

from analysis.counts import warn_coarse_dated
from analysis.errors import ArgumentError, StatisticalWarning
from analysis.periods import OUTSIDE, day_periods
from analysis.results import Result

__all__ = ["SelfExcitationResult", "fit_self_excitation", "geometric_kernel", "simulate_self_excitation"]

ASSUMPTIONS = (
    "Day-dated counts: attacks on a day are expected at a background rate (a level per named period, with a "
    "smooth drift inside periods that have the events to show one) plus a multiple of the attack-nights on "
    "the previous days, up to the longest lag, weighted by a geometric lag kernel; attacks on the same date are one "
    "cluster and never trigger each other. Only the mean is modelled (Poisson quasi-likelihood, sandwich "
    "standard errors), so same-night multi-site clusters are allowed. The no-excitation p-value is a "
    "parametric bootstrap from the background-only fit with nights Poisson and sites per night resampled "
    "within period. A drift faster than the spline knots can follow would be read as excitation."
)

#: Bounds on the kernel ratio q: mean lag from ~1 day to the truncation.
_Q_BOUNDS = (0.01, 0.97)
#: A period needs this many events per spline knot to get a drift term.
_EVENTS_PER_KNOT = 10
#: Knot spacings (days) ``smooth_days="auto"`` chooses from, None being a constant per period.
SMOOTH_CHOICES: tuple[int | None, ...] = (7, 10, 14, 21, 30, 45, 60, 90, None)
#: With ``smooth_days="auto"`` a knot needs only this many events: the criterion guards the fit.
_AUTO_EVENTS_PER_KNOT = 5
_OUTSIDE = OUTSIDE


@dataclass(frozen=True, eq=False, repr=False)
class SelfExcitationResult(Result):
    """Fit of :func:`fit_self_excitation`.

    Attributes
    ----------
    table : DataFrame
        parameter, period, estimate, ci_low, ci_high, p_value, unit. Rows:
        ``branching_ratio`` (p_value: the bootstrap test of no excitation),
        ``excitation`` (follow-on attacks per excitation unit), ``mean_lag_days``,
        then ``background`` per period (mean attacks per 30 days fitted to the
        period, excitation excluded).
    daily : DataFrame
        observed, background, excitation (the triggered part) and fitted, per day.
    result : scipy.optimize.OptimizeResult
        The quasi-likelihood fit.
    covariance : ndarray
        Sandwich covariance of (background coefficients, a, q).
    p_value : float
        Parametric-bootstrap p-value of "no excitation" (NaN when ``n_boot=0``).
    smooth_days : int or None
        The background's knot spacing used (chosen when ``smooth_days="auto"``).
    smoothing : DataFrame
        With ``"auto"``: each candidate spacing's parameters, negative quasi-log-likelihood and quasi-AIC.
    lr_statistic : float
        Observed quasi-likelihood ratio statistic; ``boot_statistics`` holds the null draws.
    """

    table: pd.DataFrame
    daily: pd.DataFrame
    result: object
    covariance: np.ndarray
    p_value: float
    lr_statistic: float
    boot_statistics: np.ndarray
    excite: str
    max_lag: int
    smooth_days: int | None
    attacks_per_night: float
    smoothing: pd.DataFrame = field(default_factory=pd.DataFrame)
    alpha: float = 0.05
    assumptions: str = ASSUMPTIONS
    kernel: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _row(self, name: str) -> pd.Series:
        return self.table.set_index("parameter").loc[name]

    @property
    def branching_ratio(self) -> float:
        """Follow-on attack-nights per attack-night (point estimate)."""
        return float(self._row("branching_ratio")["estimate"])

    def _repr_fields(self) -> str:
        b, lag = self._row("branching_ratio"), self._row("mean_lag_days")
        return (
            f"branching ratio {b['estimate']:.2g} ({b['ci_low']:.2g}-{b['ci_high']:.2g}), "
            f"mean lag {lag['estimate']:.2g} days, no-excitation p={self.p_value:.3g}"
        )

    def plot(self, ax=None):
        """Weekly attacks with the fitted background and the fitted total (background + excitation).

        Examples
        --------
        >>> ax = res.plot()  # doctest: +SKIP
        """
        from analysis.plots import plot_self_excitation

        return plot_self_excitation(self, ax=ax)


# --------------------------------------------------------------------------- kernel and simulation


def geometric_kernel(q: float, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``g_k ∝ q^(k-1)`` on lags 1..max_lag summing to one, and their derivative in ``q``.

    Examples
    --------
    >>> g, _ = geometric_kernel(0.5, 30)
    >>> round(float(g @ np.arange(1, 31)), 3)
    2.0
    """
    k = np.arange(max_lag, dtype=float)
    w = q**k
    dw = np.where(k > 0, k * q ** np.maximum(k - 1, 0), 0.0)
    s, ds = w.sum(), dw.sum()
    return w / s, (dw * s - w * ds) / s**2


def simulate_self_excitation(
    background: np.ndarray,
    branching: float = 0.0,
    mean_lag: float = 2.0,
    extra_sites: float = 0.7,
    max_lag: int = 30,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Daily attack counts from clustered nights with optional triggering on later days.

    Attack-nights on day ``t`` are Poisson with mean
    ``background_t / (1 + extra_sites) + branching * sum_k g_k n_{t-k}``, a
    geometric kernel of the given mean lag; each night hits
    ``1 + Poisson(extra_sites)`` sites (rows), so ``background`` is in attacks per day.

    Examples
    --------
    >>> simulate_self_excitation(np.full(5, 0.1), seed=0).dtype.kind
    'i'
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    nu = np.asarray(background, dtype=float) / (1 + extra_sites)
    n = np.zeros(len(nu), dtype=np.int64)
    g = np.zeros(max_lag)
    if branching > 0:
        q = 1 - 1 / mean_lag
        g, _ = geometric_kernel(q, max_lag)
    for t in range(len(nu)):
        past = n[max(0, t - max_lag) : t][::-1]
        rate = nu[t] + branching * float(g[: len(past)] @ past)
        n[t] = rng.poisson(rate)
    return n + rng.poisson(extra_sites * n)


# --------------------------------------------------------------------------- inputs and background


def _daily_series(data, scope) -> pd.Series:
    """Daily counts from incidents (scope applied, dataset coverage as calendar) or a daily Series."""
    if isinstance(data, pd.DataFrame) and "event_date" in data:
        from analysis.config import data_coverage
        from analysis.counts import daily_counts
        from analysis.scope import get_scope

        if data.empty and "coverage" not in data.attrs:
            raise ArgumentError("data", "no incidents", "incidents with at least one row, or daily counts")
        start, end = data_coverage(data)
        rows = get_scope(scope).select(data)
        warn_coarse_dated(rows)
        return daily_counts(rows, start=start, end=end, confirmation=None, precision="exclude")[
            "events"
        ].astype(float)
    if isinstance(data, pd.DataFrame) and data.shape[1] == 1:
        data = data.iloc[:, 0]
    if not isinstance(data, pd.Series) or not isinstance(data.index, pd.DatetimeIndex):
        raise ArgumentError(
            "data", type(data).__name__, "incidents with event_date, or daily counts on a DatetimeIndex"
        )
    y = data.sort_index().astype(float)
    if len(y) < 2 or not (np.diff(y.index.normalize().values) == np.timedelta64(1, "D")).all():
        raise ArgumentError("data", "counts not on consecutive days", "one count per day, zeros included")
    if scope is not None:
        warnings.warn(
            "scope is ignored for daily counts; select rows before counting", StatisticalWarning, stacklevel=3
        )
    return y


def _period_labels(days: pd.DatetimeIndex, background) -> tuple[np.ndarray, list[str]]:
    """The background period of each day (the first period containing it) and the names in order."""
    from analysis.models.rates import resolve_periods

    periods = sorted(resolve_periods(background), key=lambda p: p.start)
    labels = day_periods(days, periods)
    names = [n for n in [_OUTSIDE, *[p.name for p in periods]] if (labels == n).any()]
    return labels, names


def _background_design(
    labels: np.ndarray,
    names: list[str],
    y: np.ndarray,
    smooth_days: int | None,
    per_knot: int = _EVENTS_PER_KNOT,
):
    """Columns of log mu: one level per period with events, plus hat-function drift inside periods.

    Returns (Z, columns, zero_days): Z sparse (a level and at most two hats per row); ``zero_days``
    marks periods with no events (background 0).
    """
    cols, names_out, zero = [], [], np.zeros(len(y), dtype=bool)
    for name in names:
        inside = labels == name
        events = y[inside].sum()
        if events == 0:
            zero |= inside
            continue
        cols.append(inside.astype(float))
        names_out.append(f"level:{name}")
        idx = np.flatnonzero(inside)
        n_knots = (
            0 if smooth_days is None else min(int(round(len(idx) / smooth_days)), int(events // per_knot))
        )
        if n_knots >= 1:
            knots = np.linspace(0, len(idx) - 1, n_knots + 1)
            pos = np.arange(len(idx), dtype=float)
            step = knots[1] - knots[0]
            for j in range(1, n_knots + 1):  # hat 0 is absorbed by the level
                col = np.zeros(len(y))
                col[idx] = np.clip(1 - np.abs(pos - knots[j]) / step, 0, None)
                cols.append(col)
                names_out.append(f"drift:{name}:{j}")
    return sparse.csr_matrix(np.column_stack(cols)), names_out, zero


def _choose_smoothing(
    y: np.ndarray, labels, names, start_value: float, max_lag: int, excite: str
) -> tuple[int | None, pd.DataFrame]:
    """The knot spacing whose full fit (background and excitation) has the lowest quasi-AIC.

    Quasi-AIC: ``2 negloglik / c + 2 k`` with ``c`` the Pearson dispersion of the richest
    background-only fit (at least 1), so same-night clusters do not buy knots. The excitation is in
    every candidate, so follow-on attacks a few days apart are not bought by a background that
    wiggles at that scale; a drift on the scale of weeks is.
    """
    fits, disp = [], None
    for days in SMOOTH_CHOICES:
        Z, columns, fixed = _background_design(labels, names, y, days, _AUTO_EVENTS_PER_KNOT)
        start = np.where([c.startswith("level:") for c in columns], start_value, 0.0)
        beta_null, full, _, _ = _quasi_lr(y, Z, fixed, max_lag, excite, start)
        if disp is None:
            mu = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta_null, -30, 30)))
            use = ~fixed
            disp = max(1.0, float((((y - mu) ** 2)[use] / mu[use]).sum() / max(use.sum() - Z.shape[1], 1)))
        fits.append((days, Z.shape[1] + 2, float(full.fun)))
    table = pd.DataFrame(fits, columns=["smooth_days", "parameters", "negloglik"])
    table["qaic"] = 2 * table["negloglik"] / disp + 2 * table["parameters"]
    # Equal designs (too few events for more knots) tie: the coarser spacing is kept.
    best = table.loc[table["qaic"].round(9).iloc[::-1].idxmin(), "smooth_days"]
    return (None if pd.isna(best) else int(best)), table


def _lag_matrix(x: np.ndarray, max_lag: int) -> np.ndarray:
    """``L[t, k-1] = x[t-k]`` (zero before the series starts)."""
    L = np.zeros((len(x), max_lag))
    for k in range(1, max_lag + 1):
        L[k:, k - 1] = x[:-k]
    return L


# --------------------------------------------------------------------------- fitting


def _fit_background(y: np.ndarray, Z, fixed: np.ndarray, beta0: np.ndarray) -> np.ndarray:
    """Poisson log-linear fit of ``y`` on ``Z`` by Newton's method (rows in ``fixed`` have mu = 0)."""
    use = ~fixed
    Zu, yu = Z[use], y[use]
    beta = beta0.copy()

    def loglik(b):
        eta = np.clip(Zu @ b, -30, 30)
        return float(yu @ eta - np.exp(eta).sum())

    current = loglik(beta)
    for _ in range(100):
        mu = np.exp(np.clip(Zu @ beta, -30, 30))
        hess = (Zu.T @ Zu.multiply(mu[:, None])).toarray() + 1e-9 * np.eye(Z.shape[1])
        step = np.linalg.solve(hess, Zu.T @ (yu - mu))
        for _ in range(30):  # step halving keeps every iteration uphill
            trial = loglik(beta + step)
            if trial >= current - 1e-12:
                break
            step = step / 2
        beta, gain, current = beta + step, trial - current, trial
        if np.max(np.abs(step)) < 1e-8 or abs(gain) < 1e-12:
            break
    return beta


def _parts(theta, Z, L, fixed):
    """Intensity pieces: mu, lambda and E = d lambda / d (a, q) (d lambda / d beta is mu * Z)."""
    p = Z.shape[1]
    beta, a, q = theta[:p], theta[p], theta[p + 1]
    mu = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta, -30, 30)))
    g, dg = geometric_kernel(q, L.shape[1])
    h = L @ g
    lam = np.maximum(mu + a * h, 1e-300)
    return mu, lam, np.column_stack([h, a * (L @ dg)])


def _negll(theta, y, Z, L, fixed, use_grad=True):
    """Negative Poisson quasi-log-likelihood sum(lambda - y log lambda) and its gradient."""
    mu, lam, E = _parts(theta, Z, L, fixed)
    value = float(np.sum(lam) - np.sum(y * np.log(lam)))
    if not use_grad:
        return value
    r = 1.0 - y / lam
    return value, np.r_[Z.T @ (r * mu), r @ E]


def _gram(Z, mu: np.ndarray, E: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``D' diag(w) D`` for ``D = [mu * Z, E]`` without forming the dense ``mu * Z``."""
    top = (Z.T @ Z.multiply((mu * mu * w)[:, None])).toarray()
    cross = np.asarray(Z.T @ ((mu * w)[:, None] * E))
    corner = E.T @ (w[:, None] * E)
    return np.block([[top, cross], [cross.T, corner]])


def _fit_full(y, Z, L, fixed, beta0, scale: float):
    """Maximise the quasi-likelihood over (beta, a >= 0, q) by projected Fisher scoring, two kernel starts.

    Fisher scoring (as R's tscount) converges in a few dozen cheap steps; each step is halved until the
    quasi-likelihood improves, and a and q are kept inside their bounds.
    """
    p = Z.shape[1]
    lower = np.r_[np.full(p, -30.0), 0.0, _Q_BOUNDS[0]]
    upper = np.r_[np.full(p, 30.0), 50.0 * max(scale, 1.0), _Q_BOUNDS[1]]
    best = None
    for q0 in (0.3, 0.7):
        theta = np.r_[beta0, 0.1 * scale, q0]
        f = _negll(theta, y, Z, L, fixed, use_grad=False)
        converged, nit, quiet = False, 0, 0
        while nit < 200:
            nit += 1
            mu, lam, E = _parts(theta, Z, L, fixed)
            r = 1.0 - y / lam
            grad = np.r_[Z.T @ (r * mu), E.T @ r]
            info = _gram(Z, mu, E, 1.0 / lam)
            step = -np.linalg.solve(info + 1e-8 * np.diag(np.diag(info) + 1.0), grad)
            for _ in range(40):
                trial = np.clip(theta + step, lower, upper)
                f_trial = _negll(trial, y, Z, L, fixed, use_grad=False)
                if f_trial <= f + 1e-12:
                    break
                step = step / 2
            gain = f - f_trial
            theta, f = trial, min(f, f_trial)
            # Converged when two steps in a row gain (almost) nothing: with a = 0 the kernel is
            # unidentified and q may keep moving on a flat likelihood.
            quiet = quiet + 1 if gain < 1e-9 * (1.0 + abs(f)) else 0
            if quiet >= 2:
                converged = True
                break
        if best is None or f < best.fun:
            best = optimize.OptimizeResult(
                x=theta,
                fun=f,
                success=converged,
                nit=nit,
                message="converged" if converged else "iteration limit",
            )
    return best


def _sandwich(theta, y, Z, L, fixed) -> np.ndarray:
    """Sandwich covariance A^-1 B A^-1 of the quasi-likelihood estimates (q dropped when a = 0)."""
    p = Z.shape[1]
    mu, lam, E = _parts(theta, Z, L, fixed)
    A = _gram(Z, mu, E, 1.0 / lam)
    B = _gram(Z, mu, E, ((y - lam) / lam) ** 2)
    keep = np.diag(A) > 0
    if theta[p] < 1e-8:
        keep[p + 1] = False
    Ainv = np.linalg.pinv(A[np.ix_(keep, keep)])
    cov = np.full(A.shape, np.nan)
    cov[np.ix_(keep, keep)] = Ainv @ B[np.ix_(keep, keep)] @ Ainv
    return cov


def _excitation_input(y: np.ndarray, excite: str) -> np.ndarray:
    return np.minimum(y, 1.0) if excite == "nights" else y


def _quasi_lr(y, Z, fixed, max_lag: int, excite: str, beta0: np.ndarray):
    """Background-only fit, full fit and the quasi-likelihood ratio statistic for one series."""
    x = _excitation_input(y, excite)
    L = _lag_matrix(x, max_lag)
    beta_null = _fit_background(y, Z, fixed, beta0)
    f_null = _negll(np.r_[beta_null, 0.0, 0.5], y, Z, L, fixed, use_grad=False)
    scale = y.sum() / max(x.sum(), 1.0)
    full = _fit_full(y, Z, L, fixed, beta_null, scale)
    return beta_null, full, L, max(0.0, 2.0 * (f_null - full.fun))


def _null_draws(y, labels, mu, n_boot: int, rng: np.random.Generator):
    """Series from the background-only fit: Poisson nights, attacks per night resampled within period."""
    all_days = y[y > 0]
    for _ in range(n_boot):
        out = np.zeros(len(y))
        for name in np.unique(labels):
            inside = np.flatnonzero(labels == name)
            pool = y[inside][y[inside] > 0]
            pool = pool if len(pool) else (all_days if len(all_days) else np.ones(1))
            nights = rng.poisson(mu[inside] / pool.mean())
            sizes = rng.choice(pool, size=int(nights.sum()))
            out[inside] = np.bincount(
                np.repeat(np.arange(len(inside)), nights), weights=sizes, minlength=len(inside)
            )
        yield out


def _bootstrap(y, labels, Z, fixed, mu_null, beta_null, max_lag, excite, n_boot, seed) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stats_ = [
        _quasi_lr(ystar, Z, fixed, max_lag, excite, beta_null)[3]
        for ystar in _null_draws(y, labels, mu_null, n_boot, rng)
    ]
    return np.asarray(stats_, dtype=float)


# --------------------------------------------------------------------------- results


def _summary_rows(theta, cov, p: int, max_lag: int, per_night: float, z: float, p_value: float) -> list[dict]:
    """Branching ratio, excitation and mean lag with Wald (sandwich) intervals."""
    a, q = theta[p], theta[p + 1]
    se_a = float(np.sqrt(cov[p, p])) if np.isfinite(cov[p, p]) else np.nan
    g, dg = geometric_kernel(q, max_lag)
    lags = np.arange(1, max_lag + 1)
    lag, dlag = float(g @ lags), float(dg @ lags)
    se_lag = abs(dlag) * float(np.sqrt(cov[p + 1, p + 1])) if np.isfinite(cov[p + 1, p + 1]) else np.nan
    unit_b = "follow-on attack-nights per attack-night"
    rows = []
    for name, scale, unit in (
        ("branching_ratio", 1 / per_night, unit_b),
        ("excitation", 1.0, "follow-on attacks per excitation unit"),
    ):
        rows.append(
            {
                "parameter": name,
                "period": "",
                "estimate": a * scale,
                "ci_low": max(0.0, a - z * se_a) * scale,
                "ci_high": (a + z * se_a) * scale,
                "p_value": p_value if name == "branching_ratio" else np.nan,
                "unit": unit,
            }
        )
    rows.append(
        {
            "parameter": "mean_lag_days",
            "period": "",
            "estimate": lag,
            "ci_low": max(1.0, lag - z * se_lag),
            "ci_high": min(float(max_lag), lag + z * se_lag),
            "p_value": np.nan,
            "unit": "days",
        }
    )
    return rows


def _background_rows(theta, cov, Z, labels, names, fixed, z: float) -> list[dict]:
    """Mean background per period (attacks per 30 days) with a delta-method interval on the log scale."""
    p = Z.shape[1]
    beta, V = theta[:p], np.nan_to_num(cov[:p, :p])
    mu = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta, -30, 30)))
    rows = []
    for name in names:
        inside = labels == name
        m = float(mu[inside].mean())
        grad = np.asarray(Z[inside].multiply(mu[inside, None]).mean(axis=0)).ravel()
        se_log = float(np.sqrt(max(grad @ V @ grad, 0.0))) / m if m > 0 else np.nan
        lo, hi = (m * np.exp(-z * se_log), m * np.exp(z * se_log)) if m > 0 else (0.0, np.nan)
        rows.append(
            {
                "parameter": "background",
                "period": name,
                "estimate": 30 * m,
                "ci_low": 30 * lo,
                "ci_high": 30 * hi,
                "p_value": np.nan,
                "unit": "attacks per 30 days",
            }
        )
    return rows


def _caveats(full, theta, p: int, y: np.ndarray, max_lag: int, branching: float) -> None:
    nights = int((y > 0).sum())
    if nights < 30:
        warnings.warn(
            f"only {nights} days with attacks: the excitation is barely identified",
            StatisticalWarning,
            stacklevel=3,
        )
    if not full.success:
        warnings.warn(
            f"the quasi-likelihood fit did not converge: {full.message}", StatisticalWarning, stacklevel=3
        )
    if theta[p] > 1e-6 and theta[p + 1] <= _Q_BOUNDS[0] + 1e-6:
        warnings.warn(
            "the lag kernel sits at its one-day bound: follow-on attacks within a day cannot be "
            "told from same-night clusters in day-dated data",
            StatisticalWarning,
            stacklevel=3,
        )
    if theta[p] > 1e-6 and theta[p + 1] >= _Q_BOUNDS[1] - 1e-6:
        warnings.warn(
            f"the lag kernel sits at its slow bound (max_lag={max_lag}): excitation this slow "
            "is hard to tell from background drift",
            StatisticalWarning,
            stacklevel=3,
        )
    if branching >= 1:
        warnings.warn(
            f"branching ratio {branching:.2f} >= 1: the fitted process is explosive",
            StatisticalWarning,
            stacklevel=3,
        )


def fit_self_excitation(
    data,
    background=None,
    scope=None,
    max_lag: int = 14,
    excite: Literal["nights", "attacks"] = "nights",
    smooth_days: int | str | None = "auto",
    n_boot: int = 199,
    seed: int = 0,
    alpha: float = 0.05,
) -> SelfExcitationResult:
    """Fit a day-resolution self-exciting count model on top of a background per period.

    Parameters
    ----------
    data : DataFrame or Series
        Incidents (one row per attack, ``event_date``), counted per day over the
        dataset's coverage (:func:`analysis.config.data_coverage`) after the
        counting ``scope``; or daily counts on consecutive days.
    background : list of Period, mapping name -> (start, end), or None
        Periods with their own background level; default
        :func:`analysis.data.load_periods`. Days in no period share one level.
    scope : Scope, str or None
        Counting scope for incidents (None: the default preset, ``"pentagon"``).
    max_lag : int
        Days back the excitation reaches (kernel truncation).
    excite : {"nights", "attacks"}
        Excitation input: ``min(y, 1)`` per day (default; a multi-site night is
        one cluster) or the number of attacks.
    smooth_days : int, "auto" or None
        Knot spacing of the within-period drift of the background; a period
        gets at most one knot per 10 of its events. None: constant per period.
        ``"auto"`` (the default) chooses among :data:`SMOOTH_CHOICES` by the
        quasi-AIC of the full fit (background and excitation), a knot needing 5
        events (the chosen value is ``result.smooth_days``; ``result.smoothing``
        holds every candidate). On backgrounds that move within weeks it holds
        the test's size far better than fixed 60-day knots, but not at 5%
        (``benchmarks/sim_selfexcite_holdout.py``).
    n_boot : int
        Parametric-bootstrap draws for the no-excitation test (0 skips it).
    seed : int
        Seed of the bootstrap.
    alpha : float
        1 - confidence level.

    Returns
    -------
    SelfExcitationResult

    Notes
    -----
    Assumes the mean model above (see the module docstring): background
    smooth within periods at the ``smooth_days`` scale, excitation additive,
    from earlier days only, with a geometric lag kernel; same-day attacks are
    one cluster. Only the mean is modelled: any within-day clustering and
    overdispersion is allowed. Intervals are Wald intervals with sandwich
    standard errors, truncated at zero; the bootstrap p-value is the one to
    read for "is there any excitation".

    Examples
    --------
    >>> res = fit_self_excitation(load_incidents(), n_boot=99)  # doctest: +SKIP
    >>> res.table.set_index("parameter").loc["branching_ratio", ["estimate", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    if excite not in ("nights", "attacks"):
        raise ArgumentError("excite", excite, ["nights", "attacks"])
    if not isinstance(max_lag, (int, np.integer)) or max_lag < 1:
        raise ArgumentError("max_lag", max_lag, "a whole number of days >= 1")
    if (
        smooth_days != "auto"
        and smooth_days is not None
        and (not isinstance(smooth_days, (int, np.integer)) or smooth_days < 14)
    ):
        raise ArgumentError("smooth_days", smooth_days, '"auto", None or a whole number of days >= 14')
    if n_boot < 0:
        raise ArgumentError("n_boot", n_boot, "0 (no test) or a positive number of draws")
    series = _daily_series(data, scope)
    if series.sum() < 2:
        raise ArgumentError(
            "data", f"{series.sum():g} events", "at least two events after the scope is applied"
        )
    y = series.to_numpy(dtype=float)
    labels, names = _period_labels(series.index, background)
    smoothing, per_knot = pd.DataFrame(), _EVENTS_PER_KNOT
    if smooth_days == "auto":
        smooth_days, smoothing = _choose_smoothing(
            y, labels, names, np.log(max(y.mean(), 1e-6)), max_lag, excite
        )
        per_knot = _AUTO_EVENTS_PER_KNOT
    Z, columns, fixed = _background_design(labels, names, y, smooth_days, per_knot)
    start = np.where([c.startswith("level:") for c in columns], np.log(max(y.mean(), 1e-6)), 0.0)
    beta_null, full, L, lr = _quasi_lr(y, Z, fixed, max_lag, excite, start)
    theta, p = full.x, Z.shape[1]
    cov = _sandwich(theta, y, Z, L, fixed)
    mu_null = np.where(fixed, 0.0, np.exp(np.clip(Z @ beta_null, -30, 30)))
    boot = (
        _bootstrap(y, labels, Z, fixed, mu_null, beta_null, max_lag, excite, n_boot, seed)
        if n_boot
        else np.array([])
    )
    p_value = float((1 + np.sum(boot >= lr - 1e-9)) / (n_boot + 1)) if n_boot else np.nan
    per_night = y.sum() / max(_excitation_input(y, excite).sum(), 1.0) if excite == "nights" else 1.0
    z = stats.norm.ppf(1 - alpha / 2)
    rows = _summary_rows(theta, cov, p, max_lag, per_night, z, p_value)
    rows += _background_rows(theta, cov, Z, labels, names, fixed, z)
    table = pd.DataFrame(
        rows, columns=["parameter", "period", "estimate", "ci_low", "ci_high", "p_value", "unit"]
    )
    _caveats(full, theta, p, y, max_lag, rows[0]["estimate"])
    g, _ = geometric_kernel(theta[p + 1], max_lag)
    mu = np.where(fixed, 0.0, np.exp(np.clip(Z @ theta[:p], -30, 30)))
    daily = pd.DataFrame(
        {"observed": y, "background": mu, "excitation": theta[p] * (L @ g)}, index=series.index
    )
    daily["fitted"] = daily["background"] + daily["excitation"]
    return SelfExcitationResult(
        table=table,
        daily=daily,
        result=full,
        covariance=cov,
        p_value=p_value,
        lr_statistic=lr,
        boot_statistics=boot,
        excite=excite,
        max_lag=int(max_lag),
        smooth_days=smooth_days,
        smoothing=smoothing,
        attacks_per_night=float(per_night),
        alpha=alpha,
        kernel=g,
    )

"""Fitting a Hawkes process: window and background pieces, profile-likelihood start, Newton, pooling.

:func:`fit_hawkes` turns dates into jittered day offsets, maximises the
likelihood of :mod:`analysis.models.hawkes.likelihood` for each replicate and
pools the replicates into a :class:`~analysis.models.hawkes.result.HawkesResult`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import special, stats

from analysis.errors import ArgumentError, StatisticalWarning
from analysis.models.hawkes.likelihood import _decayed_sums, _dot, _loglik_derivs, _per_piece, _unpack
from analysis.models.hawkes.result import HawkesResult
from analysis.periods import Period, check_periods
from analysis.scope import get_scope

__all__ = ["fit_hawkes"]

# Bounds on the working parameters (log mu, logit n, log beta): they keep the
# optimiser away from overflow; a fit on a bound is flagged.
_LOGIT_N_BOUND = 12.0
_MAX_LOG_BETA = math.log(1e3)
_LOG_MU_BOUNDS = (math.log(1e-10), math.log(1e6))
_MU_BOUNDS = (1e-10, 1e6)
_N_BOUNDS = (float(special.expit(-_LOGIT_N_BOUND)), float(special.expit(_LOGIT_N_BOUND)))
# Points of the coarse profile-likelihood grid in log beta that picks the Newton start.
_N_GRID = 6


def _parse_times(event_times, start, end):
    """Event offsets in days from the window start, and whether they are dates to jitter."""
    if isinstance(event_times, pd.DataFrame):
        event_times = event_times["event_date"]
    raw = np.asarray(event_times)
    if raw.size == 0:
        raise ArgumentError(
            "event_times", "no events", "at least two event times (after the scope is applied)"
        )
    if raw.dtype.kind in "iuf":
        t = raw.astype(float)
        t0 = 0.0 if start is None else float(start)
        t1 = float(t.max()) if end is None else float(end)
        return t - t0, t1 - t0, None, False, pd.Series(raw)
    stamps = pd.DatetimeIndex(pd.to_datetime(event_times))
    if stamps.tz is not None:
        stamps = stamps.tz_localize(None)
    dates_only = bool(np.all(stamps == stamps.normalize()))
    origin = (stamps.min() if start is None else pd.Timestamp(start)).normalize()
    last = (stamps.max() if end is None else pd.Timestamp(end)).normalize()
    horizon = (last - origin) / pd.Timedelta(days=1) + 1.0  # end is the last day included
    t = np.asarray((stamps - origin) / pd.Timedelta(days=1), dtype=float)
    return t, horizon, origin, dates_only, pd.Series(stamps)


def _pieces(background, origin, horizon) -> pd.DataFrame:
    if isinstance(background, str):
        if background != "constant":
            raise ArgumentError("background", background, ["constant", "a list of Period"])
        return pd.DataFrame({"period": ["all"], "start_day": [0.0], "end_day": [horizon], "gap": [False]})
    periods = check_periods(list(background), allow_overlap=False)
    if origin is None:
        raise ArgumentError("event_times", "numeric times", "dates or datetimes when background is periods")
    rows = []
    for p in sorted(periods, key=lambda p: p.start):
        a = (pd.Timestamp(p.start) - origin) / pd.Timedelta(days=1)
        b = (pd.Timestamp(p.end) - origin) / pd.Timedelta(days=1) + 1.0
        a, b = max(a, 0.0), min(b, horizon)
        if b > a:
            rows.append((p.name, a, b))
    if not rows:
        raise ArgumentError("background", "periods outside the window", "at least one period overlapping it")
    # Days the periods leave uncovered get their own background rate rather than a silent guess.
    filled, cursor = [], 0.0
    for name, a, b in rows:
        if a > cursor:
            filled.append((_gap_name(origin, cursor, a), cursor, a))
        filled.append((name, a, b))
        cursor = b
    if cursor < horizon:
        filled.append((_gap_name(origin, cursor, horizon), cursor, horizon))
    frame = pd.DataFrame(filled, columns=["period", "start_day", "end_day"])
    frame["gap"] = frame["period"].str.startswith("outside periods")
    return frame


def _gap_name(origin, a, b) -> str:
    d0 = (origin + pd.Timedelta(days=a)).date()
    d1 = (origin + pd.Timedelta(days=b - 1)).date()
    return f"outside periods {d0}..{d1}"


def _profile(z, comp, piece, lengths, mu, nbr):
    """Maximum over (mu_k, n) of the log-likelihood at a fixed decay, and where it is reached.

    For a fixed decay the log-likelihood ``sum log(mu_k + n z_i) - mu . L - n comp`` is
    concave in (mu, n): projected Newton (n kept in its bounds), warm-started.
    """
    k = len(lengths)
    idx = np.arange(k)

    def value(mu_, n_):
        lam_ = mu_[piece] + n_ * z
        return float(np.sum(np.log(lam_)) - mu_ @ lengths - n_ * comp), lam_

    ll, lam = value(mu, nbr)
    for _ in range(60):
        w = 1.0 / lam
        w2 = w * w
        zw2 = z * w2
        g = np.append(_per_piece(w, piece, k) - lengths, _dot(z, w) - comp)
        h = np.zeros((k + 1, k + 1))
        h[idx, idx] = _per_piece(w2, piece, k)
        h[:k, k] = h[k, :k] = _per_piece(zw2, piece, k)
        h[k, k] = _dot(z, zw2)
        free = np.ones(k + 1, dtype=bool)
        free[k] = not ((nbr <= _N_BOUNDS[0] and g[k] < 0) or (nbr >= _N_BOUNDS[1] and g[k] > 0))
        step = np.zeros(k + 1)
        try:
            step[free] = np.linalg.solve(h[np.ix_(free, free)], g[free])
        except np.linalg.LinAlgError:
            step[free] = g[free] / np.maximum(np.diag(h)[free], 1e-12)
        decrement = float(g @ step)
        if decrement < 1e-4:  # the grid only ranks decays; Newton polishes the best one
            break
        shrink = step[:k] < 0
        s = min(1.0, 0.9 * float(np.min(mu[shrink] / -step[:k][shrink]))) if shrink.any() else 1.0
        while s > 1e-12:
            mu_new = np.clip(mu + s * step[:k], *_MU_BOUNDS)
            n_new = float(np.clip(nbr + s * step[k], *_N_BOUNDS))
            ll_new, lam_new = value(mu_new, n_new)
            if ll_new >= ll:
                break
            s *= 0.5
        else:
            break
        mu, nbr, ll, lam = mu_new, n_new, ll_new, lam_new
    return mu, nbr, ll


def _profile_one_rate(z, comp, n_events, horizon, nbr):
    """:func:`_profile` for one background rate: ``mu = (N - n comp) / T`` at the optimum, so 1-D Newton in n.

    Both stationarity conditions give ``mu T + n comp = N``; substituting leaves
    ``sum log(N / T + n (z_i - comp / T)) - N``, concave in n.
    """
    base, d = n_events / horizon, z - comp / horizon
    top = min(_N_BOUNDS[1], n_events / comp * (1 - 1e-9)) if comp > 0 else _N_BOUNDS[1]
    ll = float(np.sum(np.log(base + nbr * d))) - n_events
    for _ in range(60):
        dw = d / (base + nbr * d)
        grad, curv = float(dw.sum()), _dot(dw, dw)
        step = grad / curv if curv > 0 else 0.0
        if grad * step < 1e-5:  # ranks grid points; Newton in all parameters polishes
            break
        s = 1.0
        while s > 1e-12:
            n_new = min(max(nbr + s * step, _N_BOUNDS[0]), top)
            lam = base + n_new * d
            if lam.min() > 0:
                ll_new = float(np.sum(np.log(lam))) - n_events
                if ll_new >= ll:
                    break
            s *= 0.5
        else:
            break
        if n_new == nbr:
            break
        nbr, ll = n_new, ll_new
    mu = np.array([max((n_events - nbr * comp) / horizon, _MU_BOUNDS[0])])
    return mu, nbr, ll


def _profile_at(t, piece, lengths, horizon, log_beta, mu, nbr):
    """Profile log-likelihood at one decay, warm-started at (mu, n); returns mu, n, loglik."""
    beta = math.exp(log_beta)
    (a,) = _decayed_sums(t, beta)
    comp = len(t) - np.exp(-beta * (horizon - t)).sum()
    if len(lengths) == 1:
        return _profile_one_rate(beta * a, comp, len(t), horizon, nbr)
    return _profile(beta * a, comp, piece, lengths, mu, nbr)


def _grid_start(t, piece, lengths, horizon, counts, min_log_beta) -> np.ndarray:
    """Working parameters at the best point of a coarse grid of the profile likelihood in log beta.

    The decay is then refined by a parabola through the best point and its two
    neighbours (on the log scale) and the profile recomputed there, so Newton
    starts close to the optimum.
    """
    mu = np.maximum(counts / lengths * 0.7, 1e-3 * counts.sum() / lengths.sum())
    nbr, grid = 0.3, np.linspace(min_log_beta, _MAX_LOG_BETA, _N_GRID)
    lls, found = np.full(len(grid), -np.inf), []
    for i, log_beta in enumerate(grid):
        mu, nbr, lls[i] = _profile_at(t, piece, lengths, horizon, log_beta, mu, nbr)
        found.append((mu, nbr))
    j = int(np.argmax(lls))
    best = np.r_[np.log(found[j][0]), special.logit(found[j][1]), grid[j]]
    if 0 < j < len(grid) - 1 and np.all(np.isfinite(lls[j - 1 : j + 2])):
        y0, y1, y2 = lls[j - 1 : j + 2]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            log_beta = grid[j] + 0.5 * (grid[1] - grid[0]) * (y0 - y2) / denom
            mu, nbr, ll = _profile_at(t, piece, lengths, horizon, log_beta, *found[j])
            if ll >= lls[j]:
                best = np.r_[np.log(mu), special.logit(nbr), log_beta]
    return best


def _newton(theta, args: tuple[np.ndarray, np.ndarray, np.ndarray, float], lo, hi, max_iter: int = 100):
    """Maximise the log-likelihood from ``theta`` by projected Newton in the working parameters.

    Steps use the analytic Hessian (eigenvalues made positive where it is not
    concave) with backtracking; a parameter on its bound whose gradient
    points outward is held there. Returns theta, log-likelihood and Hessian.
    """
    ll, g, h = _loglik_derivs(theta, *args)
    for _ in range(max_iter):
        free = ~(((theta <= lo) & (g < 0)) | ((theta >= hi) & (g > 0)))
        vals, vecs = np.linalg.eigh(-h[np.ix_(free, free)])
        vals = np.maximum(np.abs(vals), 1e-10 * max(1.0, float(np.abs(vals).max())))
        step = np.zeros_like(theta)
        step[free] = vecs @ ((vecs.T @ g[free]) / vals)
        decrement = float(g @ step)
        if decrement < 1e-10:
            break
        s, accepted = 1.0, None
        while s > 1e-10:
            cand = np.clip(theta + s * step, lo, hi)
            if s == 1.0:
                out = _loglik_derivs(cand, *args)
                if out[0] >= ll:
                    accepted = out
                    break
            elif _loglik_derivs(cand, *args, order=0) >= ll:
                accepted = _loglik_derivs(cand, *args)
                break
            s *= 0.5
        if accepted is None:
            break
        theta, (ll, g, h) = cand, accepted
    return theta, ll, h


def _covariance(hess) -> np.ndarray:
    """Inverse observed information in the working parameters, NaN when it is not positive definite."""
    try:
        cov = np.linalg.inv(-hess)
    except np.linalg.LinAlgError:
        return np.full_like(hess, np.nan)
    if not np.all(np.isfinite(cov)) or np.any(np.diag(cov) <= 0):
        return np.full_like(hess, np.nan)
    return cov


def fit_hawkes(
    event_times,
    background: str | list[Period] = "constant",
    alpha: float = 0.05,
    start=None,
    end=None,
    n_jitter: int = 20,
    seed: int = 0,
    max_half_life_days: float | None = None,
    scope=None,
) -> HawkesResult:
    """Fit a univariate Hawkes process with an exponential kernel by maximum likelihood.

    Parameters
    ----------
    event_times : array-like of dates, DataFrame with ``event_date``, or floats
        Event dates (daily precision, ties allowed), timestamps, or times in
        days (floats: used exactly, no jitter).
    background : "constant" or list of Period
        A single background rate, or one per period (disjoint). Days inside
        the window but outside every period get their own rate.
    alpha : float
        1 - confidence level of the intervals (not the kernel weight).
    start, end : date-like or float, optional
        First and last day of the window (both included; for float times,
        ``end`` is the window end in days). Default: the span of the periods,
        else of the events. Events outside the window are left out and logged.
    n_jitter : int
        Jitter replicates for dates.
    seed : int
        Seed for the jitter.
    max_half_life_days : float, optional
        Longest kernel half-life allowed. Default: a quarter of the shortest
        period (or of the window for a constant background), at least one day. A kernel slower than the
        background pieces is confounded with them: without the bound, a
        surge followed by a calm can be fitted as n -> 1 with a half-life of
        years. A fit on this bound is flagged with a StatisticalWarning.
    scope : Scope, str or None
        Counting scope applied when ``event_times`` is an incident table
        (``analysis.scope.get_scope(scope).select``); None is the default scope.

    Returns
    -------
    HawkesResult

    Notes
    -----
    *Ties.* Dates carry no order within a day, and the likelihood needs
    distinct times. Each event on a date gets a uniform time within that day
    (seeded), the model is fitted to each of ``n_jitter`` such replicates and
    the estimates are pooled with Rubin's rules on the working scale (mean
    estimate; within- plus (1 + 1/m) x between-replicate variance). No event
    is ever dropped. The within-day ordering is invented, so a very short
    half-life (well under a day) reflects same-day clustering, not a timing
    the data can show.

    *Estimation.* Parameters are fitted as (log mu_k, logit n, log beta). For
    a fixed decay the log-likelihood is concave in (mu_k, n): it is maximised
    by Newton's method on a coarse grid of decays (the profile likelihood),
    and the best grid point starts a projected Newton search in all
    parameters with the analytic gradient and Hessian (the exponential
    kernel's sums and their first two derivatives in beta in O(n)). Other
    jitter replicates start from the first one's optimum. Standard
    errors come from the observed information (the analytic Hessian) and the
    delta method; intervals are Wald intervals on the working scale, mapped
    back. The logit keeps n below 1: when the estimate presses against the
    bound the result is flagged non-stationary (the window is explosive, or
    the background changed and was not modelled). Fits on a bound raise a
    :class:`~analysis.errors.StatisticalWarning`.

    *Resolution.* Day-dated input cannot show excitation within a day: a
    fitted half-life below one day raises a StatisticalWarning, is marked in
    ``repr`` and ``below_resolution``, and ``resolution`` says what the data
    can and cannot resolve.

    *Checks.* The comparison table gives AIC against the Poisson model with
    the same background (n = 0); the likelihood-ratio test is non-standard
    there (n on its boundary, beta not identified), so no p-value is given.
    The time-rescaling residuals (compensator increments between events,
    first jitter replicate, pooled estimate) should be Exp(1); a KS test
    checks this.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10"])
    >>> fit = fit_hawkes(days, end="2024-01-31", n_jitter=5)
    >>> fit.table["parameter"].tolist()
    ['background', 'branching_ratio', 'decay_beta', 'half_life_days']
    """
    if isinstance(event_times, pd.DataFrame):
        event_times = get_scope(scope).select(event_times)["event_date"]
    t_days, horizon, origin, jitter, original = _window_times(event_times, background, start, end)
    pieces = _pieces(background, origin, horizon)
    piece_starts = pieces["start_day"].to_numpy()
    lengths = (pieces["end_day"] - pieces["start_day"]).to_numpy(dtype=float)
    piece_of = np.clip(np.searchsorted(piece_starts, t_days, side="right") - 1, 0, len(pieces) - 1)
    k = len(pieces)
    counts = np.bincount(piece_of, minlength=k).astype(float)
    pieces["days"] = lengths
    pieces["events"] = counts.astype(int)
    if max_half_life_days is None:
        # Gaps between periods can be a few days long; only the named periods set the bound.
        named = lengths[~pieces["gap"].to_numpy()] if (~pieces["gap"]).any() else lengths
        max_half_life_days = max(1.0, float(named.min()) / 4)
    min_log_beta = math.log(math.log(2) / max_half_life_days)

    m = n_jitter if jitter else 1
    theta, cov, thetas_arr, lls, reps = _fit_replicates(
        t_days, piece_of, lengths, horizon, counts, min_log_beta, m, jitter, seed
    )
    at_upper = _flag_fit(theta, k, min_log_beta, max_half_life_days)
    table = _parameter_table(theta, cov, pieces, alpha)
    resolution, below = _resolution(jitter, float(table["estimate"].iloc[-1]))
    comparison = _comparison(float(np.mean(lls)), counts, lengths)
    mu, nbr, beta = _unpack(theta, k)
    return HawkesResult(
        table=table,
        comparison=comparison,
        stationary=bool(nbr < 1 and not at_upper),
        pieces=pieces,
        theta=theta,
        cov=cov,
        replicate_theta=thetas_arr,
        replicate_loglik=np.array(lls),
        times=reps[0][0],
        window=(0.0, float(horizon)),
        n_jitter=m,
        jittered=jitter,
        background="constant" if isinstance(background, str) else "periods",
        alpha=alpha,
        origin=origin,
        resolution=resolution,
        below_resolution=below,
        replicates=tuple(reps),
        event_input=(t_days, piece_of, original),
    )


def _window_times(event_times, background, start, end):
    """Event offsets (days) inside the window, the window length, origin, whether to jitter, originals."""
    t_all, horizon, origin, jitter, original = _parse_times(event_times, start, end)
    if not isinstance(background, str) and start is None and end is None and origin is not None:
        # The window follows the periods, not the events.
        periods = list(background)
        first = min(pd.Timestamp(p.start) for p in periods)
        last = max(pd.Timestamp(p.end) for p in periods)
        t_all, horizon, origin, jitter, original = _parse_times(event_times, first, last)
    # Dates: day offsets lie in [0, horizon); numeric times may sit on the window end itself.
    inside = (t_all >= 0) & ((t_all <= horizon) if origin is None else (t_all < horizon))
    if not inside.all():
        warnings.warn(
            f"fit_hawkes: {int((~inside).sum())} events outside the window were left out",
            StatisticalWarning,
            stacklevel=3,
        )
    t_days, original = t_all[inside], original[inside].reset_index(drop=True)
    if len(t_days) < 3:
        raise ArgumentError("event_times", f"{len(t_days)} events in the window", "at least 3 events")
    if not jitter and len(np.unique(t_days)) < len(t_days):
        raise ArgumentError(
            "event_times", "tied numeric times", "dates (jittered within the day) or untied times"
        )
    return t_days, horizon, origin, jitter, original


def _fit_replicates(t_days, piece_of, lengths, horizon, counts, min_log_beta, m, jitter, seed):
    """Fit each jitter replicate; pool with Rubin's rules on the working scale."""
    k = len(lengths)
    lo = np.r_[np.full(k, _LOG_MU_BOUNDS[0]), -_LOGIT_N_BOUND, min_log_beta]
    hi = np.r_[np.full(k, _LOG_MU_BOUNDS[1]), _LOGIT_N_BOUND, _MAX_LOG_BETA]
    rng = np.random.default_rng(seed)
    thetas, covs, lls, reps = [], [], [], []
    for r in range(m):
        t = t_days + rng.uniform(0.0, 1.0, len(t_days)) if jitter else t_days.copy()
        order = np.argsort(t, kind="stable")
        t_sorted, piece_sorted = t[order], piece_of[order]
        args = (t_sorted, piece_sorted, lengths, horizon)
        theta0 = _grid_start(*args, counts, min_log_beta) if r == 0 else thetas[0]
        theta_r, ll_r, hess = _newton(theta0, args, lo, hi)
        thetas.append(theta_r)
        covs.append(_covariance(hess))
        lls.append(ll_r)
        reps.append((t_sorted, piece_sorted, order))
    thetas_arr = np.array(thetas)
    within = np.mean(covs, axis=0)
    between = np.cov(thetas_arr, rowvar=False, ddof=1) if m > 1 else np.zeros_like(within)
    return thetas_arr.mean(axis=0), within + (1 + 1 / m) * between, thetas_arr, lls, reps


def _flag_fit(theta, k, min_log_beta, max_half_life_days) -> bool:
    """Warn about fits on a bound; return whether the branching ratio is at its upper bound."""
    at_upper = theta[k] > _LOGIT_N_BOUND - 0.5
    if at_upper:
        warnings.warn(
            "fit_hawkes: branching ratio at its upper bound: not stationary in this window",
            StatisticalWarning,
            stacklevel=3,
        )
    if theta[k] < -_LOGIT_N_BOUND + 0.5:
        warnings.warn(
            "fit_hawkes: branching ratio ~ 0: no self-excitation found; the decay is not identified",
            StatisticalWarning,
            stacklevel=3,
        )
    if theta[k + 1] < min_log_beta + 1e-3:
        warnings.warn(
            f"fit_hawkes: half-life at its bound of {max_half_life_days:.3g} days; excitation this "
            "slow is confounded with the background",
            StatisticalWarning,
            stacklevel=3,
        )
    return bool(at_upper)


def _resolution(jittered: bool, half_life: float) -> tuple[str, bool]:
    """What the timing of the input can resolve, and whether the fitted half-life is below it."""
    if not jittered:
        return "exact times: the kernel is resolved down to the spacing of the timestamps", False
    cannot = (
        "Dates are days: the order and spacing of events within a day are unknown (here invented "
        "by jitter), so excitation within a day cannot be told apart from same-day clustering "
        "(one night's attack on several sites). Only excitation acting across days can be resolved; "
        "fit_self_excitation models it on daily counts."
    )
    if half_life < 1.0:
        warnings.warn(
            f"fit_hawkes: half-life {half_life:.3g} days is below the one-day resolution of dated "
            "input: the branching ratio reflects same-day clustering, not a finding about attacks "
            "triggering attacks",
            StatisticalWarning,
            stacklevel=3,
        )
        return (
            f"{cannot} The fitted half-life ({half_life:.3g} days) is below one day: the branching ratio "
            "measures same-day clustering and is not a finding about triggering."
        ), True
    return f"{cannot} The fitted half-life ({half_life:.3g} days) is above one day.", False


def _comparison(ll_hawkes: float, counts, lengths) -> pd.DataFrame:
    """AIC of the Hawkes model and of the Poisson model with the same background (MLE N_k / L_k)."""
    k = len(lengths)
    ll_pois = float(np.sum(special.xlogy(counts, counts / lengths) - counts))
    comparison = pd.DataFrame(
        {
            "model": ["hawkes", "poisson (same background)"],
            "n_params": [k + 2, k],
            "loglik": [ll_hawkes, ll_pois],
            "aic": [2 * (k + 2) - 2 * ll_hawkes, 2 * k - 2 * ll_pois],
        }
    )
    comparison["delta_aic"] = comparison["aic"] - comparison["aic"].min()
    return comparison


def _parameter_table(theta, cov, pieces, alpha) -> pd.DataFrame:
    k = len(pieces)
    z = stats.norm.ppf(1 - alpha / 2)
    se_w = np.sqrt(np.diag(cov))
    lo_w, hi_w = theta - z * se_w, theta + z * se_w
    nbr, beta = float(special.expit(theta[k])), float(np.exp(theta[k + 1]))
    half = math.log(2) / beta
    with np.errstate(over="ignore", divide="ignore"):  # an unidentified decay: interval (0, inf)
        mu, mu_lo, mu_hi = np.exp(theta[:k]), np.exp(lo_w[:k]), np.exp(hi_w[:k])
        beta_lo, beta_hi = np.exp(lo_w[k + 1]), np.exp(hi_w[k + 1])
        half_lo, half_hi = math.log(2) / beta_hi, math.log(2) / beta_lo
    return pd.DataFrame(
        {
            "parameter": ["background"] * k + ["branching_ratio", "decay_beta", "half_life_days"],
            "period": [*pieces["period"], "", "", ""],
            "estimate": np.r_[mu, nbr, beta, half],
            "std_error": np.r_[
                mu * se_w[:k], nbr * (1 - nbr) * se_w[k], beta * se_w[k + 1], half * se_w[k + 1]
            ],
            "ci_low": np.r_[mu_lo, special.expit(lo_w[k]), beta_lo, half_lo],
            "ci_high": np.r_[mu_hi, special.expit(hi_w[k]), beta_hi, half_hi],
            "unit": ["events/day"] * k + ["events per event", "per day", "days"],
        }
    )

"""How many attacks did every source miss? Multiple systems estimation (capture-recapture).

Several documentation systems report attacks: US officials, coalition or host-government
officials, militia claim channels, independent media, monitors and state-affiliated media
(the ``source_systems`` column :func:`analysis.load_incidents` derives from
``data/sources.csv``). Which systems documented each attack is its *capture history*;
the pattern of overlaps between the lists estimates how many attacks none of them
documented.

Model
-----
Log-linear models for a closed population (Fienberg 1972; Bishop, Fienberg and Holland
1975, ch. 6): the counts of the 2^k - 1 observable histories are Poisson with
``log mu = u + sum of list effects + chosen two-list interactions``; the unobserved cell
(no list) is ``exp(u)``. Every hierarchical model with main effects and any set of two-list
interactions is fitted (64 models for 4 lists, 1,024 for 5). A model whose fit runs to the
boundary (an interaction or the missing cell pushed to infinity by empty cells) has no
estimate and is left out of the choice.

- **choice**: the model with the lowest information criterion (AIC by default, BIC on
  request), and an average of every estimable model weighted by ``exp(-IC / 2)``
  (Buckland, Burnham and Augustin 1997);
- **intervals**: per model, the profile likelihood of the total (Cormack 1992, as in R's
  ``Rcapture::closedpCI.t``); for the choice and the average, a parametric bootstrap from
  the averaged fit that repeats the model choice in every draw, so the interval carries the
  uncertainty of choosing the model;
- **heterogeneity**: two-list interactions absorb dependence between pairs of lists and
  some heterogeneity of catchability (big attacks reported by everyone); a latent-class
  alternative is :func:`estimate_undercount` with ``heterogeneity="latent_class"``
  (a two-class model of independent lists within class, fitted by EM; Agresti 1994).

Assumptions (said in every summary): the population of each stratum is closed (an attack
happened or not, once); each system is one list (a page belongs to one system; a repost
belongs to its origin); events are matched across lists without error (duplicates resolved
first: a duplicate looks like two one-list events and inflates the estimate); the highest
order interaction (all lists together) is zero.

References
----------
Bishop, Fienberg and Holland (1975), *Discrete Multivariate Analysis*, ch. 6.
Cormack (1992), Interval estimation for mark-recapture studies of closed populations,
*Biometrics* 48, 567-576.
Buckland, Burnham and Augustin (1997), Model selection: an integral part of inference,
*Biometrics* 53, 603-618.
Ball et al. (2002), *Killings and Refugee Flow in Kosovo*; Silverman (2020), Multiple-systems
analysis for the quantification of modern slavery, *JRSS A* 183.

Examples
--------
>>> import pandas as pd
>>> hist = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
...                      "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
>>> res = estimate_undercount(hist, n_boot=0)
>>> res.table[["stratum", "observed"]].iloc[0].tolist()
['all', 110]
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from analysis.errors import ArgumentError, DataQualityWarning, StatisticalWarning
from analysis.results import Result

__all__ = [
    "DEFAULT_LISTS",
    "AdjustedRatio",
    "UndercountResult",
    "capture_histories",
    "estimate_undercount",
    "fit_loglinear",
    "loglinear_models",
    "undercount_adjusted_ratio",
    "undercount_in_tally_windows",
]

#: How the source systems of ``data/sources.csv`` form the lists of the estimate. US and
#: coalition or host-government officials are one list by default: the coalition list alone
#: holds a handful of attacks, too few to estimate its interactions.
DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "official": ("us_official", "coalition_official"),
    "claim": ("claim",),
    "media": ("independent_media",),
    "monitor": ("monitor",),
    "state_media": ("state_media",),
}
CRITERIA = ("aic", "bic")
#: Every model of k lists is 2^(k(k-1)/2) fits: 1,024 for 5 lists, 32,768 for 6.
MAX_LISTS = 5
HETEROGENEITY = (None, "latent_class")
#: A fitted coefficient beyond this (in absolute value) marks a fit that ran to the boundary.
_BOUNDARY = 15.0
_MAX_ITER = 60
#: Profile likelihood intervals are computed for at most this many models per stratum
#: (those with the most weight), plus any other with over 5% of it.
_PROFILED = 8

ASSUMPTIONS = (
    "closed population per stratum (each attack happened once, inside the stratum); each source "
    "system is one list and a page belongs to one system (a repost to its origin); attacks are "
    "matched across lists without error (duplicates resolved first); dependence between two lists "
    "is absorbed by two-list interactions and the all-lists interaction is zero; lists with no "
    "capture in a stratum are dropped there."
)


# --------------------------------------------------------------------------- capture histories


def capture_histories(
    incidents: pd.DataFrame,
    lists: Mapping[str, Sequence[str]] | None = None,
    strata: str | Sequence[str] | None = "period",
    periods=None,
    scope=None,
    systems_column: str = "source_systems",
) -> pd.DataFrame:
    """One row per attack, one 0/1 column per list, and its stratum.

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (needs ``source_systems``: the systems that
        documented each row, ``;``-separated).
    lists : mapping of list name to systems, optional
        Which systems make each list; default :data:`DEFAULT_LISTS`. An attack is on a list
        when any of its systems is.
    strata : str, list of str or None
        ``"period"`` (the named periods of ``periods``), any column (``"country"``), a list
        of them, or ``None`` for one stratum called ``all``.
    periods : list of Period, optional
        For ``strata="period"``; default the shipped ``data/periods.toml``.
    scope : Scope or str, optional
        What is counted (:mod:`analysis.scope`), default ``"pentagon"``. Its confirmation
        filter is *not* applied: confirmation is a function of who reported an attack, which
        is the capture history itself, so a claim-only attack is an attack seen by one list.

    Returns
    -------
    DataFrame
        event_id, ``stratum`` (text) and the stratum columns, one 0/1 column per list.
        ``attrs["lists"]`` holds the mapping; ``attrs["dropped"]`` the (event_id, reason)
        of each row left out (outside every period, or on no list), which a
        :class:`DataQualityWarning` also counts.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_id": ["a", "b"], "source_systems": ["claim;state_media", "monitor"]})
    >>> capture_histories(inc, strata=None, scope=False)[["claim", "monitor"]].to_numpy().tolist()
    [[1, 0], [0, 1]]
    """
    lists = _check_lists(lists)
    if systems_column not in incidents:
        raise ArgumentError(
            "incidents",
            f"a frame without column {systems_column!r}",
            "a frame from load_incidents() (it joins source_systems from data/sources.csv)",
        )
    rows = incidents
    if scope is not False:
        from analysis.scope import get_scope

        rows = get_scope(scope).replace(confirmation=None).select(incidents)
    systems = rows[systems_column].fillna("").astype(str).str.split(";")
    out = pd.DataFrame({"event_id": rows["event_id"].to_numpy()}, index=rows.index)
    for name, members in lists.items():
        out[name] = systems.map(lambda s, m=set(members): int(bool(m.intersection(s)))).astype(int)
    dropped = []
    names = _strata_names(strata)
    for column in names:
        if column == "period":
            out["period"] = _period_of(rows, periods)
        elif column not in rows:
            raise ArgumentError("strata", column, ["period", *[c for c in rows.columns if c != "event_id"]])
        else:
            out[column] = rows[column].astype("object").to_numpy()
    outside = out[names].isna().any(axis=1) if names else pd.Series(False, index=out.index)
    unlisted = out[list(lists)].sum(axis=1) == 0
    for eid in out.loc[outside, "event_id"]:
        dropped.append((eid, "outside every stratum (e.g. dated in no named period)"))
    for eid in out.loc[unlisted & ~outside, "event_id"]:
        dropped.append((eid, "on no list (its pages are of no listed system)"))
    out = out[~outside & ~unlisted].reset_index(drop=True)
    out["stratum"] = [" / ".join(map(str, v)) for v in out[names].itertuples(index=False)] if names else "all"
    out = out[["event_id", "stratum", *names, *lists]]
    out.attrs = {
        "lists": {k: tuple(v) for k, v in lists.items()},
        "strata": tuple(names),
        "dropped": tuple(dropped),
    }
    if dropped:
        reasons = pd.Series([r for _, r in dropped]).value_counts()
        warnings.warn(
            f"{len(dropped)} rows in scope left out of the capture histories: "
            + "; ".join(f"{n} {reason}" for reason, n in reasons.items())
            + " (listed in .attrs['dropped'])",
            DataQualityWarning,
            stacklevel=2,
        )
    return out


def _check_lists(lists) -> dict[str, tuple[str, ...]]:
    from analysis.schema import SYSTEMS

    lists = DEFAULT_LISTS if lists is None else lists
    if not isinstance(lists, Mapping) or not lists:
        raise ArgumentError("lists", lists, "a mapping of list name to source systems")
    out = {}
    for name, members in lists.items():
        members = (members,) if isinstance(members, str) else tuple(members)
        for m in members:
            if m not in SYSTEMS:
                raise ArgumentError(f"lists[{name!r}]", m, SYSTEMS)
        out[str(name)] = members
    if len(out) < 3:
        raise ArgumentError("lists", list(out), "three or more lists (two lists cannot estimate dependence)")
    return out


def _strata_names(strata) -> list[str]:
    if strata is None:
        return []
    return [strata] if isinstance(strata, str) else list(strata)


def _period_of(rows: pd.DataFrame, periods) -> pd.Series:
    from analysis.models.rates import resolve_periods

    periods = resolve_periods(periods)
    dates = pd.to_datetime(rows["event_date"]).dt.date
    label = pd.Series(None, index=rows.index, dtype="object")
    for p in periods:
        label[(dates >= p.start) & (dates <= p.end)] = p.name
    return label


def _as_cells(histories: pd.DataFrame, lists: Sequence[str]) -> pd.DataFrame:
    """Counts per observable history (all 2^k - 1 of them, zeros included)."""
    weight = histories["count"] if "count" in histories else pd.Series(1, index=histories.index)
    grouped = histories.assign(_n=weight).groupby(list(lists))["_n"].sum()
    full = pd.MultiIndex.from_product([[0, 1]] * len(lists), names=list(lists))
    cells = grouped.reindex(full, fill_value=0).reset_index(name="count")
    cells.attrs = {}
    return cells[cells[list(lists)].sum(axis=1) > 0].reset_index(drop=True)


# --------------------------------------------------------------------------- log-linear fits


def loglinear_models(lists: Sequence[str]) -> list[tuple[tuple[str, str], ...]]:
    """Every hierarchical model with main effects and two-list interactions, as its pairs.

    Examples
    --------
    >>> len(loglinear_models(["a", "b", "c"])), len(loglinear_models("abcd"))
    (8, 64)
    """
    pairs = list(itertools.combinations(list(lists), 2))
    return [combo for r in range(len(pairs) + 1) for combo in itertools.combinations(pairs, r)]


def _design(cells: pd.DataFrame, lists: Sequence[str], pairs) -> np.ndarray:
    cols = [np.ones(len(cells))] + [cells[name].to_numpy(float) for name in lists]
    cols += [cells[a].to_numpy(float) * cells[b].to_numpy(float) for a, b in pairs]
    return np.column_stack(cols)


def _newton(X: np.ndarray, Y: np.ndarray):
    """Poisson log-linear fits of many count vectors on one design at once.

    Plain Newton-Raphson with step halving, batched over the rows of ``Y`` (a bootstrap
    refits thousands of tables on the same 2^k - 1 cells; statsmodels' GLM, used for the
    models a result keeps, costs a Python object per fit). A row stops when it converges
    or runs to the boundary (a coefficient past :data:`_BOUNDARY`). Returns coefficients,
    fitted means, log-likelihoods and a convergence flag per row.
    """
    Y = np.atleast_2d(np.asarray(Y, float))
    B, p = Y.shape[0], X.shape[1]
    beta = np.zeros((B, p))
    beta[:, 0] = np.log(np.maximum(Y.mean(axis=1), 0.5))
    ll = _loglik(X, Y, beta)
    converged = np.zeros(B, bool)
    active = np.ones(B, bool)
    ridge = 1e-10 * np.eye(p)
    for _ in range(_MAX_ITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        b, y, old = beta[idx], Y[idx], ll[idx]
        mu = np.exp(np.clip(b @ X.T, -50, 50))
        grad = (y - mu) @ X
        hess = np.einsum("bc,ci,cj->bij", mu, X, X) + ridge
        step = np.linalg.solve(hess, grad[..., None])[..., 0]
        t = np.ones(idx.size)
        new = b + step
        new_ll = _loglik(X, y, new)
        for _ in range(20):
            worse = new_ll < old - 1e-12
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
            new = b + t[:, None] * step
            new_ll = _loglik(X, y, new)
        beta[idx], ll[idx] = new, new_ll
        done = (np.abs(new_ll - old) < 1e-10 * (1 + np.abs(old))) & (np.abs(step).max(axis=1) * t < 1e-6)
        converged[idx] |= done
        active[idx] = ~done & (np.abs(new).max(axis=1) < 2 * _BOUNDARY)
    return beta, np.exp(np.clip(beta @ X.T, -50, 50)), ll, converged


def _loglik(X, Y, beta):
    eta = np.clip(beta @ X.T, -50, 50)
    return (Y * eta - np.exp(eta) - special.gammaln(Y + 1)).sum(axis=1)


def fit_loglinear(cells: pd.DataFrame, lists: Sequence[str], pairs=()):
    """One log-linear model fitted with statsmodels (the object a result keeps).

    Parameters
    ----------
    cells : DataFrame
        One row per observable history (0/1 columns ``lists``) with ``count``.
    pairs : sequence of (str, str)
        The two-list interactions of the model.

    Returns
    -------
    statsmodels GLMResults
        Poisson family; the estimated unobserved count is ``exp(params["const"])``.

    Examples
    --------
    >>> cells = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
    ...                       "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
    >>> fit = fit_loglinear(cells, ["A", "B", "C"])
    >>> round(float(np.exp(fit.params["const"])), 1)
    58.0
    """
    import statsmodels.api as sm

    X = pd.DataFrame(_design(cells, lists, pairs), columns=["const", *lists, *(f"{a}:{b}" for a, b in pairs)])
    return sm.GLM(cells["count"].to_numpy(float), X, family=sm.families.Poisson()).fit()


def _profile_interval(cells, lists, pairs, estimate: float, alpha: float) -> tuple[float, float]:
    """Profile likelihood interval of the total N (Cormack 1992).

    The unobserved cell is given the count ``N - n``, the model is fitted to the complete
    table, and the multinomial log-likelihood of N is the Poisson one plus
    ``log N! + N - N log N``; the interval holds the N within chi2_1 / 2 of the maximum.
    """
    n = float(cells["count"].sum())
    full = pd.concat([cells, pd.DataFrame([{**{c: 0 for c in lists}, "count": 0}])], ignore_index=True)
    X = _design(full, lists, pairs)
    y = full["count"].to_numpy(float)

    def profile(N):
        Y = y.copy()
        Y[-1] = N - n
        beta, mu, _, _ = _newton(X, Y[None, :])
        mu = mu[0]
        ll_pois = float((Y * np.log(np.maximum(mu, 1e-300)) - mu - special.gammaln(Y + 1)).sum())
        return ll_pois + special.gammaln(N + 1) + N - N * math.log(N)

    grid_top = max(estimate, n + 1)
    res = optimize.minimize_scalar(lambda N: -profile(N), bounds=(n, grid_top * 3 + 10), method="bounded")
    best_n, best = float(res.x), -float(res.fun)
    cut = stats.chi2.ppf(1 - alpha, 1) / 2

    def gap(N):
        return best - profile(N) - cut

    low = n if gap(n) <= 0 else optimize.brentq(gap, n, best_n)
    high_end = best_n * 2 + 20
    while gap(high_end) < 0:
        high_end *= 2
        if high_end > 1e7:
            return low, math.inf
    high = optimize.brentq(gap, best_n, high_end)
    return float(low), float(high)


def _fit_all(cells: pd.DataFrame, lists: Sequence[str], criterion: str, Y: np.ndarray | None = None):
    """Every model on the observed table (or on each row of ``Y``): estimates and criteria."""
    Y = cells["count"].to_numpy(float)[None, :] if Y is None else Y
    n = Y.sum(axis=1)
    models = loglinear_models(lists)
    est = np.full((Y.shape[0], len(models)), np.nan)
    ic = np.full_like(est, np.nan)
    dev = np.full_like(est, np.nan)
    sat = (special.xlogy(Y, Y) - Y - special.gammaln(Y + 1)).sum(axis=1)
    penalty = 2.0 if criterion == "aic" else np.log(np.maximum(n, 2))
    for j, pairs in enumerate(models):
        X = _design(cells, lists, pairs)
        if X.shape[1] > X.shape[0]:
            continue
        beta, _, ll, conv = _newton(X, Y)
        ok = conv & (np.abs(beta).max(axis=1) < _BOUNDARY)
        est[ok, j] = n[ok] + np.exp(beta[ok, 0])
        dev[ok, j] = 2 * (sat[ok] - ll[ok])
        ic[ok, j] = dev[ok, j] + penalty * X.shape[1] if np.ndim(penalty) == 0 else dev[ok, j]
        if np.ndim(penalty):
            ic[ok, j] += penalty[ok] * X.shape[1]
    return models, est, ic, dev


def _choose(est: np.ndarray, ic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the estimate of the best model and the IC-weighted average."""
    best = np.full(est.shape[0], np.nan)
    avg = np.full(est.shape[0], np.nan)
    for b in range(est.shape[0]):
        ok = np.isfinite(ic[b])
        if not ok.any():
            continue
        w = np.exp(-(ic[b, ok] - ic[b, ok].min()) / 2)
        best[b] = est[b, ok][np.argmin(ic[b, ok])]
        avg[b] = float(np.sum(w * est[b, ok]) / w.sum())
    return best, avg


# --------------------------------------------------------------------------- latent class


def _latent_class(cells: pd.DataFrame, lists: Sequence[str], seed: int = 0, starts: int = 4, init=None):
    """Two-class latent-class capture-recapture by EM; returns (N, loglik, params).

    Lists are independent within a class (heterogeneous catchability between classes).
    The multinomial likelihood with N unknown is maximised by EM over the complete table
    (the unobserved cell filled with its expected count each step). ``init`` (pi, p) starts
    from a known fit (the bootstrap starts from the point estimate).
    """
    H = np.vstack([cells[list(lists)].to_numpy(float), np.zeros(len(lists))])
    y = cells["count"].to_numpy(float)
    n = y.sum()
    rng = np.random.default_rng(seed)
    best = None
    for s in range(starts):
        if init is not None and s == 0:
            pi, p = np.array(init[0], float), np.array(init[1], float)
        else:
            p = np.sort(rng.uniform(0.05, 0.9, size=(2, len(lists))), axis=0)
            pi = np.array([0.5, 0.5])
        ll_old = -np.inf
        for _ in range(500):
            like = np.exp(H @ np.log(p).T + (1 - H) @ np.log1p(-p).T) * pi
            prob = like.sum(axis=1)
            n0 = n * prob[-1] / max(1 - prob[-1], 1e-12)
            w = np.append(y, n0)[:, None] * like / prob[:, None]
            pi = w.sum(axis=0) / w.sum()
            p = np.clip((w.T @ H) / np.maximum(w.sum(axis=0)[:, None], 1e-12), 1e-6, 1 - 1e-6)
            ll = (
                special.gammaln(n + n0 + 1)
                - special.gammaln(n0 + 1)
                + n0 * np.log(max(prob[-1], 1e-300))
                + np.sum(y * np.log(prob[:-1]))
            )
            if ll - ll_old < 1e-8 * (1 + abs(ll)):
                break
            ll_old = ll
        if best is None or ll > best[1]:
            best = (float(n + n0), float(ll), {"pi": pi.tolist(), "p": p.tolist()})
    return best


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False, repr=False)
class UndercountResult(Result):
    """Multiple systems estimates of the total number of attacks per stratum.

    Attributes
    ----------
    table : DataFrame
        One row per stratum: stratum, estimate (the total: observed plus unseen), ci_low,
        ci_high, observed, completeness (observed / estimate) with its interval, n_lists,
        model (the chosen model's interactions), method (how the estimate and interval
        were made), note.
    models : DataFrame
        Every model of every stratum: stratum, model, n_params, deviance, df, ic, weight,
        estimate, ci_low, ci_high (profile likelihood, for models with weight over 1%).
    overlaps : DataFrame
        Counts per observable history per stratum (the data the models see).
    fits : dict
        Stratum -> the chosen model fitted by statsmodels (a GLMResults).
    boot : dict
        Stratum -> bootstrap draws (columns total and seen: the drawn table's total
        and its estimated total, the model choice repeated in each).
    """

    table: pd.DataFrame
    models: pd.DataFrame
    overlaps: pd.DataFrame
    fits: dict = field(default_factory=dict)
    boot: dict = field(default_factory=dict)
    lists: tuple[str, ...] = ()
    criterion: str = "aic"
    estimator: str = "average"
    alpha: float = 0.05
    heterogeneity: str | None = None
    assumptions: str = ASSUMPTIONS

    def _repr_fields(self) -> str:
        return (
            f"{len(self.table)} strata, {int(self.table['observed'].sum())} attacks seen, lists="
            f"{','.join(self.lists)}, {self.estimator} by {self.criterion.upper()}"
        )

    def _extra_blocks(self) -> list:
        level = f"{1 - self.alpha:.0%}"
        return [
            f"estimate: total attacks including those no list documented ({self.estimator} of log-linear "
            f"models by {self.criterion.upper()}); ci_low/ci_high: {level} interval "
            + (
                "by parametric bootstrap repeating the model choice."
                if "bootstrap" in " ".join(self.table["method"].astype(str))
                else "by profile likelihood of the chosen model."
            )
        ]

    def plot(self, ax=None, tallies: pd.DataFrame | None = None):
        """Overlap counts per stratum and the estimated totals beside the observed (and any tallies).

        Examples
        --------
        >>> ax = res.plot()  # doctest: +SKIP
        """
        from analysis.plots import plot_undercount

        return plot_undercount(self, ax=ax, tallies=tallies)


def estimate_undercount(
    histories: pd.DataFrame,
    lists: Sequence[str] | None = None,
    criterion: str = "aic",
    estimator: str = "average",
    n_boot: int = 500,
    alpha: float = 0.05,
    seed: int = 0,
    heterogeneity: str | None = None,
) -> UndercountResult:
    """Estimate each stratum's total number of attacks, seen and unseen, from list overlaps.

    Parameters
    ----------
    histories : DataFrame
        From :func:`capture_histories` (one row per attack), or any frame of 0/1 list
        columns with an optional ``count`` column (one row per history) and an optional
        ``stratum`` column.
    lists : sequence of str, optional
        The list columns; default every column other than event_id, stratum, count and
        the stratum columns recorded by :func:`capture_histories`.
    criterion : {"aic", "bic"}
        Information criterion for the choice and the weights.
    estimator : {"average", "best"}
        The IC-weighted model average (default, chosen on ``benchmarks/sim_mse.py``) or the
        single best model.
    n_boot : int
        Parametric bootstrap draws for the interval (model choice repeated in each); 0 gives
        the best model with its profile likelihood interval instead (whatever ``estimator``).
    alpha : float
        1 - confidence level.
    seed : int
        Seed of the bootstrap.
    heterogeneity : {None, "latent_class"}
        ``"latent_class"`` replaces the log-linear models with a two-class latent-class
        model (needs four or more lists; interval by parametric bootstrap).

    Returns
    -------
    UndercountResult

    Warns
    -----
    StatisticalWarning
        A stratum with fewer than three lists that caught anything, no attack on two
        lists, or no estimable model: its row has no estimate, and ``note`` says why.

    Examples
    --------
    >>> hist = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
    ...                      "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
    >>> res = estimate_undercount(hist, estimator="best", n_boot=0)
    >>> res.table["model"].iloc[0]
    'independence'
    """
    if criterion not in CRITERIA:
        raise ArgumentError("criterion", criterion, CRITERIA)
    if estimator not in ("average", "best"):
        raise ArgumentError("estimator", estimator, ["average", "best"])
    if heterogeneity not in HETEROGENEITY:
        raise ArgumentError("heterogeneity", heterogeneity, HETEROGENEITY)
    if not isinstance(n_boot, int) or n_boot < 0:
        raise ArgumentError("n_boot", n_boot, "a whole number >= 0")
    if not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise ArgumentError("alpha", alpha, "a number between 0 and 1")
    if not isinstance(histories, pd.DataFrame) or histories.empty:
        raise ArgumentError("histories", "an empty table", "capture histories with at least one attack")
    lists = _list_columns(histories, lists)
    strata = histories["stratum"] if "stratum" in histories else pd.Series("all", index=histories.index)
    rng = np.random.default_rng(seed)
    rows, model_rows, overlaps, fits, boots = [], [], [], {}, {}
    for name in pd.unique(strata):
        part = histories[strata == name]
        out = _one_stratum(part, lists, str(name), criterion, estimator, n_boot, alpha, rng, heterogeneity)
        rows.append(out["row"])
        model_rows.append(out["models"])
        overlaps.append(out["cells"].assign(stratum=str(name)))
        if out.get("fit") is not None:
            fits[str(name)] = out["fit"]
        if out.get("boot") is not None:
            boots[str(name)] = out["boot"]
    table = pd.DataFrame(rows)
    return UndercountResult(
        table=table,
        models=pd.concat(model_rows, ignore_index=True) if model_rows else pd.DataFrame(),
        overlaps=pd.concat(overlaps, ignore_index=True),
        fits=fits,
        boot=boots,
        lists=tuple(lists),
        criterion=criterion,
        estimator=estimator if heterogeneity is None else "latent_class",
        alpha=alpha,
        heterogeneity=heterogeneity,
    )


def _list_columns(histories: pd.DataFrame, lists) -> list[str]:
    reserved = {"event_id", "stratum", "count", *histories.attrs.get("strata", ())}
    if lists is None:
        known = histories.attrs.get("lists")
        lists = list(known) if known else [c for c in histories.columns if c not in reserved]
        lists = [c for c in lists if c in histories and set(pd.unique(histories[c])) <= {0, 1}]
    lists = list(lists)
    for c in lists:
        if c not in histories:
            raise ArgumentError("lists", c, [c for c in histories.columns if c not in reserved])
        if not set(pd.unique(histories[c])) <= {0, 1}:
            raise ArgumentError(f"histories[{c!r}]", sorted(pd.unique(histories[c]))[:5], "0/1 values")
    if len(lists) < 3:
        raise ArgumentError(
            "lists", lists, "three or more list columns (two lists cannot estimate dependence)"
        )
    if len(lists) > MAX_LISTS:
        raise ArgumentError(
            "lists",
            lists,
            f"at most {MAX_LISTS} lists (every two-list model of 6 lists is 32,768 fits; merge lists, e.g. "
            "the official ones, or fit one model with fit_loglinear)",
        )
    return lists


def _empty_row(name: str, cells: pd.DataFrame, lists, note: str) -> dict:
    return {
        "stratum": name,
        "estimate": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "observed": int(cells["count"].sum()),
        "completeness": np.nan,
        "completeness_low": np.nan,
        "completeness_high": np.nan,
        "n_lists": len(lists),
        "model": "",
        "method": "none",
        "note": note,
    }


def _one_stratum(part, all_lists, name, criterion, estimator, n_boot, alpha, rng, heterogeneity) -> dict:
    cells_all = _as_cells(part, all_lists)
    weights = part["count"] if "count" in part else pd.Series(1, index=part.index)
    caught = [c for c in all_lists if (part[c] * weights).sum() > 0]
    lists = caught
    cells = _as_cells(part, lists) if len(lists) >= 1 else cells_all
    empty_models = pd.DataFrame(columns=["stratum", "model", "n_params", "deviance", "df", "ic", "weight"])
    unused = [c for c in all_lists if c not in caught]
    dropped_note = f"; lists with no capture dropped: {', '.join(unused)}" if unused else ""
    if len(lists) < 3:
        note = f"fewer than three lists caught any attack ({', '.join(lists) or 'none'}){dropped_note}"
        warnings.warn(f"stratum {name!r}: {note}; no estimate", StatisticalWarning, stacklevel=3)
        return {"row": _empty_row(name, cells_all, lists, note), "models": empty_models, "cells": cells_all}
    multi = cells.loc[cells[lists].sum(axis=1) >= 2, "count"].sum()
    if multi == 0:
        note = "no attack is on two or more lists: overlaps are needed to estimate what was missed"
        warnings.warn(f"stratum {name!r}: {note}; no estimate", StatisticalWarning, stacklevel=3)
        return {"row": _empty_row(name, cells_all, lists, note), "models": empty_models, "cells": cells_all}
    if heterogeneity == "latent_class":
        return _latent_stratum(cells, cells_all, lists, name, n_boot, alpha, rng, dropped_note)
    models, est, ic, dev = _fit_all(cells, lists, criterion)
    ok = np.isfinite(ic[0])
    if not ok.any():
        note = "no model is estimable (every fit runs to the boundary: too many empty cells)"
        warnings.warn(f"stratum {name!r}: {note}; no estimate", StatisticalWarning, stacklevel=3)
        return {"row": _empty_row(name, cells_all, lists, note), "models": empty_models, "cells": cells_all}
    w = np.where(ok, np.exp(-(ic[0] - np.nanmin(ic[0])) / 2), 0.0)
    w = w / w.sum()
    best_j = int(np.nanargmin(ic[0]))
    best_est, avg_est = _choose(est, ic)
    point = float(avg_est[0] if estimator == "average" else best_est[0])
    n = int(cells["count"].sum())
    table = _models_table(name, cells, lists, models, est[0], ic[0], dev[0], w, alpha)
    boot = None
    if n_boot > 0:
        boot = _bootstrap(cells, lists, models, est[0], ic[0], w, criterion, estimator, n_boot, rng)
        finite = boot["total"][np.isfinite(boot["total"])].to_numpy()
        low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2]) if finite.size else (np.nan, np.nan)
        low = max(float(low), float(n))
        method = f"{estimator} of models, parametric bootstrap ({n_boot} draws, choice repeated)"
    else:
        # Without the bootstrap the only interval is the best model's profile, so the point is its too.
        low, high = _profile_interval(cells, lists, models[best_j], est[0, best_j], alpha)
        point = float(best_est[0])
        method = "best model, profile likelihood (no bootstrap: the choice is not carried)"
    note = "" + dropped_note.lstrip("; ")
    if w[best_j] < 0.5:
        note = (note + "; " if note else "") + f"the best model has {w[best_j]:.0%} of the weight"
    row = {
        "stratum": name,
        "estimate": point,
        "ci_low": float(low),
        "ci_high": float(high),
        "observed": n,
        "completeness": n / point,
        "completeness_low": n / float(high) if np.isfinite(high) and high > 0 else 0.0,
        "completeness_high": min(1.0, n / float(low)) if low > 0 else np.nan,
        "n_lists": len(lists),
        "model": _model_name(models[best_j]),
        "method": method,
        "note": note,
    }
    return {
        "row": row,
        "models": table,
        "cells": cells_all,
        "fit": fit_loglinear(cells, lists, models[best_j]),
        "boot": boot,
    }


def _model_name(pairs) -> str:
    return "independence" if not pairs else " + ".join(f"{a}:{b}" for a, b in pairs)


def _models_table(name, cells, lists, models, est, ic, dev, w, alpha) -> pd.DataFrame:
    rows = []
    n_cells = len(cells)
    top = set(np.argsort(-w)[:_PROFILED].tolist())
    for j, pairs in enumerate(models):
        p = 1 + len(lists) + len(pairs)
        low = high = np.nan
        if np.isfinite(est[j]) and (w[j] > 0.05 or (w[j] > 0.01 and j in top)):
            low, high = _profile_interval(cells, lists, pairs, est[j], alpha)
        rows.append(
            {
                "stratum": name,
                "model": _model_name(pairs),
                "n_params": p,
                "df": n_cells - p,
                "deviance": dev[j],
                "ic": ic[j],
                "weight": w[j],
                "estimate": est[j],
                "ci_low": low,
                "ci_high": high,
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["ic", "n_params"], na_position="last", kind="stable").reset_index(drop=True)


def _bootstrap(cells, lists, models, est, ic, w, criterion, estimator, n_boot, rng) -> np.ndarray:
    """Totals from tables drawn from the averaged fit, each with the model choice repeated."""
    mu = np.zeros(len(cells))
    for j, pairs in enumerate(models):
        if w[j] <= 0:
            continue
        X = _design(cells, lists, pairs)
        _, fitted, _, _ = _newton(X, cells["count"].to_numpy(float)[None, :])
        mu += w[j] * fitted[0]
    Y = rng.poisson(mu, size=(n_boot, len(mu))).astype(float)
    _, b_est, b_ic, _ = _fit_all(cells, lists, criterion, Y)
    best, avg = _choose(b_est, b_ic)
    return pd.DataFrame({"total": avg if estimator == "average" else best, "seen": Y.sum(axis=1)})


def _latent_stratum(cells, cells_all, lists, name, n_boot, alpha, rng, dropped_note) -> dict:
    n = int(cells["count"].sum())
    if len(lists) < 4:
        note = "a two-class latent-class model needs four or more lists" + dropped_note
        warnings.warn(f"stratum {name!r}: {note}; no estimate", StatisticalWarning, stacklevel=4)
        return {"row": _empty_row(name, cells_all, lists, note), "models": pd.DataFrame(), "cells": cells_all}
    N, ll, params = _latent_class(cells, lists, seed=int(rng.integers(1 << 31)))
    boot = None
    low = high = np.nan
    if n_boot > 0:
        pi, p = np.array(params["pi"]), np.array(params["p"])
        H = cells[lists].to_numpy(float)
        prob = (np.exp(H @ np.log(p).T + (1 - H) @ np.log(1 - p).T) * pi).sum(axis=1)
        draws = []
        for _ in range(n_boot):
            Y = rng.poisson(N * prob)
            sim = cells.assign(count=Y)
            if Y.sum() == 0:
                continue
            total = _latent_class(sim, lists, seed=int(rng.integers(1 << 31)), starts=2, init=(pi, p))[0]
            draws.append((total, float(Y.sum())))
        boot = pd.DataFrame(draws, columns=["total", "seen"])
        low, high = np.quantile(boot["total"], [alpha / 2, 1 - alpha / 2])
    row = {
        "stratum": name,
        "estimate": N,
        "ci_low": max(float(low), n),
        "ci_high": float(high),
        "observed": n,
        "completeness": n / N,
        "completeness_low": n / float(high) if np.isfinite(high) else np.nan,
        "completeness_high": min(1.0, n / max(float(low), n)),
        "n_lists": len(lists),
        "model": "latent class (2 classes)",
        "method": f"latent class by EM, parametric bootstrap ({n_boot} draws)",
        "note": dropped_note.lstrip("; "),
    }
    models = pd.DataFrame([{"stratum": name, "model": "latent class (2 classes)", "loglik": ll, **params}])
    return {"row": row, "models": models, "cells": cells_all, "boot": boot}


# --------------------------------------------------------------------------- adjusted ratio


@dataclass(frozen=True, eq=False, repr=False)
class AdjustedRatio(Result):
    """A rate ratio between two periods before and after the undercount adjustment.

    Attributes
    ----------
    table : DataFrame
        One row per view: view, estimate (rate ratio), ci_low, ci_high, n (attacks in the
        period: seen, or estimated), n_reference, exposure (days of the period),
        exposure_reference, method.
    undercount : UndercountResult
        The estimates of the two strata.
    comparisons : dict
        View -> the PeriodComparison of the observed counts.
    """

    table: pd.DataFrame
    undercount: UndercountResult
    comparisons: dict
    period: str
    reference: str
    alpha: float = 0.05
    assumptions: str = (
        "the observed ratio's interval is the period comparison's (counting uncertainty, clustered "
        "nights and drift allowed); the adjustment multiplies it by the ratio of the two strata's "
        "estimated completeness, whose uncertainty comes from the bootstrap of the estimate and is "
        "added on the log scale, as independent of the counting uncertainty. " + ASSUMPTIONS
    )

    def _repr_fields(self) -> str:
        row = self.table.iloc[-1]
        return (
            f"{self.period} against {self.reference}, undercount-adjusted {row['estimate']:.3g} "
            f"({row['ci_low']:.3g}-{row['ci_high']:.3g})"
        )

    def plot(self, ax=None):
        """The ratio in each view with its interval.

        Examples
        --------
        >>> ax = res.plot()  # doctest: +SKIP
        """
        from analysis.plots import plot_adjusted_ratio

        return plot_adjusted_ratio(self, ax=ax)


def undercount_adjusted_ratio(
    incidents: pd.DataFrame,
    period: str = "surge",
    reference: str = "calm",
    periods=None,
    scope=None,
    lists: Mapping[str, Sequence[str]] | None = None,
    n_boot: int = 500,
    criterion: str = "aic",
    alpha: float = 0.05,
    seed: int = 0,
    undercount: UndercountResult | None = None,
) -> AdjustedRatio:
    """The rate ratio of two periods with each period's count replaced by its estimated total.

    Three views: the observed ratio in ``scope`` (the headline), the observed ratio over the
    estimate's population (the scope with every confirmation level: who reported an attack
    is its capture history, not a filter), and that ratio multiplied by the inverse ratio of
    the two periods' estimated completeness (:func:`estimate_undercount`). The adjusted
    interval adds, on the log scale, the counting variance of the observed ratio and the
    bootstrap variance of each period's log(estimated total / seen).

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents` (with ``source_systems``).
    period, reference : str
        Period names of ``periods``.
    periods : list of Period, optional
        Default the shipped ``data/periods.toml``.
    scope : Scope or str, optional
        Default ``"pentagon"``.
    lists, n_boot, criterion, alpha, seed
        As in :func:`capture_histories` and :func:`estimate_undercount`.
    undercount : UndercountResult, optional
        Estimates already made (with the bootstrap) for strata named as the two periods,
        from the same scope and lists; default: estimated here.

    Returns
    -------
    AdjustedRatio

    Examples
    --------
    >>> res = undercount_adjusted_ratio(load_incidents(), n_boot=200)  # doctest: +SKIP
    >>> res.table[["view", "estimate", "ci_low", "ci_high"]]  # doctest: +SKIP
    """
    from analysis.models.rates import compare_periods, resolve_periods
    from analysis.scope import get_scope

    if not isinstance(n_boot, int) or n_boot < 20:
        raise ArgumentError(
            "n_boot", n_boot, "a whole number >= 20 (the adjusted interval needs the bootstrap)"
        )
    periods = resolve_periods(periods)
    names = [p.name for p in periods]
    for arg, value in (("period", period), ("reference", reference)):
        if value not in names:
            raise ArgumentError(arg, value, names)
    chosen = [p for p in periods if p.name in (period, reference)]
    scope = get_scope(scope)
    population = scope.replace(confirmation=None, name=f"{scope.name}, every confirmation")
    if undercount is None:
        hist = capture_histories(incidents, lists=lists, strata="period", periods=chosen, scope=scope)
        under = estimate_undercount(hist, criterion=criterion, n_boot=n_boot, alpha=alpha, seed=seed)
    else:
        under = undercount
        missing = {period, reference} - set(under.boot)
        if missing:
            raise ArgumentError(
                "undercount", sorted(missing), "a result with bootstrap draws for both periods"
            )
    comparisons = {
        "observed": compare_periods(incidents, chosen, reference=reference, scope=scope, alpha=alpha),
        "observed, every confirmation": compare_periods(
            incidents, chosen, reference=reference, scope=population, alpha=alpha
        ),
    }
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for view, comp in comparisons.items():
        t = comp.table.set_index("period")
        rows.append(_ratio_row(view, t, period, reference))
    t = comparisons["observed, every confirmation"].table.set_index("period")
    u = under.table.set_index("stratum")
    base = _ratio_row("undercount-adjusted", t, period, reference)
    if not (np.isfinite(u.loc[period, "estimate"]) and np.isfinite(u.loc[reference, "estimate"])):
        warnings.warn(
            "no undercount estimate for one of the periods; the adjusted ratio is missing",
            StatisticalWarning,
            stacklevel=2,
        )
        base.update(estimate=np.nan, ci_low=np.nan, ci_high=np.nan)
    else:
        factor = (u.loc[period, "estimate"] / u.loc[period, "observed"]) / (
            u.loc[reference, "estimate"] / u.loc[reference, "observed"]
        )
        var_count = ((np.log(base["ci_high"]) - np.log(base["ci_low"])) / (2 * z)) ** 2
        var_est = sum(_log_inflation_var(under.boot[name]) for name in (period, reference))
        log_rr = np.log(base["estimate"] * factor)
        half = z * np.sqrt(var_count + var_est)
        base.update(
            estimate=float(np.exp(log_rr)),
            ci_low=float(np.exp(log_rr - half)),
            ci_high=float(np.exp(log_rr + half)),
            n=float(u.loc[period, "estimate"]),
            n_reference=float(u.loc[reference, "estimate"]),
            method="observed ratio x inverse completeness ratio; log-scale variances added",
        )
    rows.append(base)
    return AdjustedRatio(
        table=pd.DataFrame(rows),
        undercount=under,
        comparisons=comparisons,
        period=period,
        reference=reference,
        alpha=alpha,
    )


def _ratio_row(view: str, t: pd.DataFrame, period: str, reference: str) -> dict:
    return {
        "view": view,
        "estimate": float(t.loc[period, "rate_ratio"]),
        "ci_low": float(t.loc[period, "rr_ci_low"]),
        "ci_high": float(t.loc[period, "rr_ci_high"]),
        "n": float(t.loc[period, "events"]),
        "n_reference": float(t.loc[reference, "events"]),
        "exposure": int(t.loc[period, "days"]),
        "exposure_reference": int(t.loc[reference, "days"]),
        "method": str(t.loc[period, "method"]),
    }


def _log_inflation_var(boot: pd.DataFrame) -> float:
    """Bootstrap variance of log(estimated total / seen): the estimation part alone."""
    ratio = (boot["total"] / boot["seen"]).to_numpy(float)
    ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
    return float(np.var(np.log(ratio), ddof=1)) if ratio.size > 1 else np.nan


def undercount_in_tally_windows(
    incidents: pd.DataFrame,
    tallies: pd.DataFrame,
    tally_ids: Sequence[str],
    scope=None,
    n_boot: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The estimated total in each official tally's own window, beside the tally.

    The external check of the estimate: the population of each window is the counting scope
    (every confirmation level), narrowed to the tally's one country when it counts only one
    (a ``subset`` tally with one country column equal to its count).

    Parameters
    ----------
    incidents : DataFrame
        From :func:`analysis.load_incidents`.
    tallies : DataFrame
        From :func:`analysis.load_tallies`; each named tally needs ``window_start``.
    tally_ids : list of str
        The ``tally_id`` values to check.
    scope, n_boot, seed, alpha
        As in :func:`capture_histories` and :func:`estimate_undercount`.

    Returns
    -------
    DataFrame
        estimate, ci_low, ci_high, observed, tally (the official count), then tally_id,
        speaker, window_start, as_of, countries and note.

    Examples
    --------
    >>> undercount_in_tally_windows(load_incidents(), load_tallies(), ["centcom-testimony-2024-03-07"])  # doctest: +SKIP
    """
    from analysis.periods import Period
    from analysis.scope import get_scope

    known = tallies.set_index("tally_id")
    rows = []
    for tid in tally_ids:
        if tid not in known.index:
            raise ArgumentError("tally_ids", tid, sorted(known.index))
        t = known.loc[tid]
        if pd.isna(t["window_start"]):
            raise ArgumentError("tally_ids", tid, "tallies with a window_start")
        start, end = pd.Timestamp(t["window_start"]).date(), pd.Timestamp(t["as_of"]).date()
        one = [c for c in ("iraq", "syria", "jordan") if pd.notna(t.get(c)) and t.get(c) == t["count"]]
        countries = [one[0].capitalize()] if t["scope"] == "subset" and len(one) == 1 else None
        sc = get_scope(scope, countries=countries) if countries else get_scope(scope)
        hist = capture_histories(incidents, periods=[Period(tid, tid, start, end, "", "", False)], scope=sc)
        r = estimate_undercount(hist, n_boot=n_boot, seed=seed, alpha=alpha).table.iloc[0]
        rows.append(
            {
                "estimate": r["estimate"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "observed": int(r["observed"]),
                "tally": float(t["count"]),
                "tally_id": tid,
                "speaker": t["speaker"],
                "window_start": start,
                "as_of": end,
                "countries": ", ".join(countries or ["all"]),
                "note": r["note"],
            }
        )
    return pd.DataFrame(rows)

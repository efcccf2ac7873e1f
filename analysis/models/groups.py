"""Period comparisons for every group of a long panel at once: which places and actors changed rate.

:func:`compare_groups` takes a zero-filled panel (:func:`analysis.panel.count_panel`: one row per
group and bin) and, for every group, compares each period's rate with the reference period's:

- ``method="exact"`` (default): Garwood intervals for each rate and the exact conditional
  (binomial) rate ratio with its Clopper-Pearson interval and two-sided exact test, the same numbers
  as :func:`analysis.models.exact.rate_ratio_exact` computed for all groups together;
- ``method="hac"``: the log rate ratio with a Newey-West (Bartlett) variance of each period's mean
  bin count, which allows correlated bins; groups with fewer than 10 events in either period get the
  exact interval (the ``method`` column says which).

P-values are adjusted across groups within each period comparison, by Holm (family-wise) and by
Benjamini-Hochberg (false discovery rate). Both methods treat events in a bin as the unit; when one
night hits several sites of a group, the intervals are too narrow (the coverage study's ``nights``
method, in :func:`analysis.compare_periods`, is the one to use for a group that matters).

Examples
--------
>>> from analysis.data import data_dir
>>> from analysis.panel import count_panel
>>> panel = count_panel(data_dir() / "incidents.csv", by=["country"])
>>> res = compare_groups(panel, study=study)
>>> row = res.table.query("country == 'Syria' and period == 'surge'").iloc[0]
>>> round(row.estimate, 1), int(row.n), int(row.n_reference)
(17.9, 66, 27)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.errors import ArgumentError
from analysis.models.rates import RATE_DAYS, _reference, resolve_periods
from analysis.periods import Period, check_periods
from analysis.results import Result

__all__ = ["GroupComparison", "compare_groups"]

ASSUMPTIONS = (
    "Within a group and period, events are counted per bin of the panel. Exact: events are independent "
    "(Poisson) at a constant rate within each period; the ratio is conditional on the two periods' total. "
    "HAC: the rate may drift inside a period and bins may be correlated (Newey-West, Bartlett kernel); "
    "fewer than 10 events in either period falls back to exact. Neither allows for several sites hit in "
    "one night. P-values are adjusted across groups by Holm and by Benjamini-Hochberg."
)
_PANEL_COLUMNS = ("date", "events", "exposure_days")
_SMALL = 10


@dataclass(frozen=True, eq=False, repr=False)
class GroupComparison(Result):
    """Rate ratios of every group, each period against the reference.

    Attributes
    ----------
    table : DataFrame
        One row per group and compared period: estimate, ci_low, ci_high, p_value (the rate ratio),
        p_holm, p_bh, n, n_reference (events), exposure, exposure_reference (days), the group
        columns, period, reference and method.
    rates : DataFrame
        One row per group and period: estimate, ci_low, ci_high (events per 30 days, Garwood), n,
        exposure, the group columns and period.
    """

    table: pd.DataFrame
    rates: pd.DataFrame
    by: tuple[str, ...]
    reference: str
    alpha: float
    method: str
    assumptions: str = ASSUMPTIONS

    def _repr_fields(self) -> str:
        groups = len(self.rates.drop_duplicates(list(self.by))) if self.by else 1
        changed = int((self.table["p_bh"] < self.alpha).sum())
        return f"{groups} groups, reference={self.reference}, {changed} comparisons below {self.alpha:g} after BH"

    def plot(self, ax=None, period: str | None = None, top: int = 20):
        """The groups whose rate changed most (by the ratio's distance from 1), with their intervals."""
        from analysis.plots import plot_group_changes

        return plot_group_changes(self, ax=ax, period=period, top=top)


def compare_groups(
    panel: pd.DataFrame,
    periods: Sequence[Period] | dict | None = None,
    reference: str | None = None,
    by: Sequence[str] | None = None,
    method: str = "exact",
    alpha: float | None = None,
    study=None,
) -> GroupComparison:
    """Compare every group's rate in each period with its rate in the reference period.

    Parameters
    ----------
    panel : DataFrame
        A zero-filled panel: the group columns, ``date``, ``events`` and ``exposure_days``
        (:func:`analysis.panel.count_panel`, any ``freq``).
    periods, reference, study
        As in :func:`analysis.compare_periods`; a bin belongs to the period holding its first day.
    by : sequence of str, optional
        The group columns; default every column of the panel but date, events and exposure_days.
    method : {"exact", "hac"}
        See the module notes.
    alpha : float, optional
        1 - confidence level; default the study's, else 0.05.

    Returns
    -------
    GroupComparison

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 4,
    ...                       "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"] * 2),
    ...                       "events": [1, 1, 4, 4, 2, 2, 2, 2], "exposure_days": 7})
    >>> periods = {"before": ("2024-01-01", "2024-01-14"), "after": ("2024-01-15", "2024-01-28")}
    >>> compare_groups(panel, periods, reference="before").table[["unit", "estimate", "n"]].values.tolist()
    [['a', 4.0, 8], ['b', 1.0, 4]]
    """
    if method not in ("exact", "hac"):
        raise ArgumentError("method", method, ["exact", "hac"])
    alpha = (study.alpha if study is not None else 0.05) if alpha is None else alpha
    if study is not None:
        periods = study.periods if periods is None else periods
        reference = study.reference if reference is None else reference
    periods = check_periods(resolve_periods(periods), allow_overlap=False)
    reference = _reference(periods, reference)
    by = _group_columns(panel, by)
    keys, counts, exposure, dates = _matrix(panel, by)
    inside = {p.name: _in_period(dates, p) for p in periods}
    sums = {name: counts[:, mask].sum(axis=1) for name, mask in inside.items()}
    days = {name: float(exposure[mask].sum()) for name, mask in inside.items()}
    rates = pd.concat(
        [_rates(keys, sums[p.name], days[p.name], p.name, alpha) for p in periods], ignore_index=True
    )
    rows = [
        _ratios(keys, counts, inside, sums, days, p.name, reference, method, alpha)
        for p in periods
        if p.name != reference and days[p.name] > 0
    ]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return GroupComparison(
        table=table, rates=rates, by=tuple(by), reference=reference, alpha=alpha, method=method
    )


def _group_columns(panel: pd.DataFrame, by) -> list[str]:
    missing = [c for c in _PANEL_COLUMNS if c not in panel]
    if missing:
        raise ArgumentError("panel", f"a frame without {missing[0]!r}", "a panel from count_panel()")
    by = [c for c in panel.columns if c not in _PANEL_COLUMNS] if by is None else list(by)
    for column in by:
        if column not in panel:
            raise ArgumentError("by", column, [c for c in panel.columns if c not in _PANEL_COLUMNS])
    return by


def _matrix(panel: pd.DataFrame, by: list[str]):
    """Groups x bins: the group keys, the counts, each bin's exposure and first day."""
    dates = pd.DatetimeIndex(sorted(pd.unique(panel["date"])))
    if by:
        codes, keys = pd.factorize(pd.MultiIndex.from_frame(panel[by]), sort=True)
        keys = keys.to_frame(index=False, name=by)
    else:
        codes, keys = np.zeros(len(panel), dtype=np.int64), pd.DataFrame(index=[0])
    col = dates.get_indexer(pd.DatetimeIndex(panel["date"]))
    counts = np.zeros((len(keys), len(dates)), dtype=np.int64)
    np.add.at(counts, (codes, col), panel["events"].to_numpy(dtype=np.int64))
    exposure = pd.Series(panel["exposure_days"].to_numpy(), index=col).groupby(level=0).max()
    return keys, counts, exposure.reindex(range(len(dates)), fill_value=0).to_numpy(float), dates


def _in_period(dates: pd.DatetimeIndex, p: Period) -> np.ndarray:
    return np.asarray((dates >= pd.Timestamp(p.start)) & (dates <= pd.Timestamp(p.end)))


def _rates(keys, n, days, period, alpha) -> pd.DataFrame:
    low = np.where(n > 0, stats.chi2.ppf(alpha / 2, 2 * n) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * n + 2) / 2
    scale = RATE_DAYS / days if days > 0 else np.nan
    out = pd.DataFrame(
        {"estimate": n * scale, "ci_low": low * scale, "ci_high": high * scale, "n": n, "exposure": days}
    )
    return pd.concat([out, keys.reset_index(drop=True)], axis=1).assign(period=period)


def _ratios(keys, counts, inside, sums, days, period, reference, method, alpha) -> pd.DataFrame:
    n1, n0, t1, t0 = sums[period], sums[reference], days[period], days[reference]
    est, low, high, p = _exact_ratio(n1, t1, n0, t0, alpha)
    used = np.full(len(n1), "exact", dtype=object)
    if method == "hac":
        big = (n1 >= _SMALL) & (n0 >= _SMALL)
        h_est, h_low, h_high, h_p = _hac_ratio(counts[:, inside[period]], counts[:, inside[reference]], alpha)
        low, high, p = np.where(big, h_low, low), np.where(big, h_high, high), np.where(big, h_p, p)
        est = np.where(big, h_est, est)
        used[big] = "hac"
    out = pd.DataFrame({"estimate": est, "ci_low": low, "ci_high": high, "p_value": p})
    out["p_holm"], out["p_bh"] = _adjusted(p, "holm"), _adjusted(p, "bh")
    out = out.assign(n=n1, n_reference=n0, exposure=t1, exposure_reference=t0)
    out = pd.concat([out, keys.reset_index(drop=True)], axis=1)
    return out.assign(period=period, reference=reference, method=used)


def _exact_ratio(n1, t1, n0, t0, alpha):
    """The conditional binomial ratio for arrays of counts: estimate, Clopper-Pearson bounds, exact p."""
    n1, n0 = n1.astype(np.int64), n0.astype(np.int64)
    total = n1 + n0
    share = t1 / (t1 + t0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_low = np.where(n1 > 0, stats.beta.ppf(alpha / 2, n1, n0 + 1), 0.0)
        p_high = np.where(n0 > 0, stats.beta.ppf(1 - alpha / 2, n1 + 1, n0), 1.0)
        scale = t0 / t1
        est = np.where(total > 0, (n1 / t1) / (n0 / t0), np.nan)
        low = np.where(total > 0, p_low / (1 - p_low) * scale, np.nan)
        high = np.where(total > 0, np.where(p_high >= 1, np.inf, p_high / (1 - p_high) * scale), np.nan)
    # No events on either side: nothing to test (p = 1, as rate_ratio_exact_any says).
    return est, low, high, np.where(total > 0, _binom_two_sided(n1, total, share), 1.0)


def _binom_two_sided(k: np.ndarray, total: np.ndarray, share: float) -> np.ndarray:
    """scipy.stats.binomtest's two-sided p-value (outcomes no likelier than the one seen), per total."""
    out = np.full(len(k), np.nan)
    for n in np.unique(total[total > 0]):
        pick = total == n
        pmf = stats.binom.pmf(np.arange(n + 1), n, share)
        ordered = np.sort(pmf)
        cumulative = np.cumsum(ordered)
        limit = pmf[k[pick]] * (1 + 1e-7)
        out[pick] = np.minimum(1.0, cumulative[np.searchsorted(ordered, limit, side="right") - 1])
    return out


def _hac_ratio(y1: np.ndarray, y0: np.ndarray, alpha: float):
    """Log rate ratio with a Newey-West variance of each period's mean, for every group (rows)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        m1, m0 = y1.mean(axis=1), y0.mean(axis=1)
        log_rr = np.log(m1) - np.log(m0)
        se = np.sqrt(_mean_variance(y1) / m1**2 + _mean_variance(y0) / m0**2)
        z = stats.norm.ppf(1 - alpha / 2)
        p = 2 * stats.norm.sf(np.abs(log_rr / se))
    return np.exp(log_rr), np.exp(log_rr - z * se), np.exp(log_rr + z * se), p


def _mean_variance(y: np.ndarray) -> np.ndarray:
    """Newey-West variance of each row's mean: Bartlett weights, lag floor(4 (T/100)^(2/9))."""
    t = y.shape[1]
    lags = int(np.floor(4 * (t / 100) ** (2 / 9)))
    centred = y - y.mean(axis=1, keepdims=True)
    lrv = (centred**2).sum(axis=1) / t
    for lag in range(1, min(lags, t - 1) + 1):
        gamma = (centred[:, lag:] * centred[:, :-lag]).sum(axis=1) / t
        lrv += 2 * (1 - lag / (lags + 1)) * gamma
    return np.maximum(lrv, 0) / t


def _adjusted(p: np.ndarray, how: str) -> np.ndarray:
    """Holm or Benjamini-Hochberg adjusted p-values of the finite entries (statsmodels' multipletests
    gives the same numbers, tested, but collects garbage on every call: a second per thousand groups)."""
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if not m:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    ranked = p[order]
    if how == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    else:
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
        adjusted = np.minimum(1.0, adjusted)
    out[order] = adjusted
    return out

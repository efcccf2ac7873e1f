"""Event rates in fixed windows after trigger dates, against a baseline before them.

For each trigger day ``d`` the *window* is days ``d+1 .. d+window_days`` and
the *baseline* is days ``d-baseline_days .. d-1``. The trigger day itself is
in neither: on a date-only record an attack on day ``d`` may come before or
after the trigger, so it cannot be assigned to either side. Rates are compared
with the exact conditional rate ratio, per trigger and pooled over triggers,
and the pooled comparison is also tested by re-drawing the trigger dates at
random within the observed span.

Examples
--------
>>> import pandas as pd
>>> incidents = pd.DataFrame({"event_date": pd.to_datetime(
...     ["2024-01-02", "2024-01-03", "2024-01-03", "2024-01-20", "2024-02-10"])})
>>> res = trigger_windows(incidents, ["2024-01-01"], window_days=7, baseline_days=14,
...                       span=("2023-12-01", "2024-02-29"), n_perm=99)
>>> int(res.table.loc[0, "window_events"])
3
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.models.exact import rate_ratio_exact_any
from analysis.results import Result

__all__ = ["TriggerResult", "trigger_windows"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False, repr=False)
class TriggerResult(Result):
    """Window-versus-baseline rates around trigger dates (see :func:`trigger_windows`).

    Attributes
    ----------
    table : DataFrame
        One row per trigger, then a ``pooled`` row: dates, events and days in
        window and baseline, rates per 30 days, exact rate ratio with
        interval and p-value, and (pooled row) the permutation p-values.
    daily_counts : Series
        Events per day over the span.
    permutation_statistics : ndarray
        Pooled rate difference (per day, window minus baseline) for each random draw.
    statistic : float
        The observed pooled rate difference.
    p_value_greater, p_value_two_sided : float
        Permutation p-values: more events after triggers; either direction.
    """

    table: pd.DataFrame
    daily_counts: pd.Series
    permutation_statistics: np.ndarray
    statistic: float
    p_value_greater: float
    p_value_two_sided: float
    window_days: int
    baseline_days: int
    n_perm: int
    seed: int

    assumptions = (
        "Events are Poisson with a rate that is constant within each window and within each baseline; "
        "the trigger day itself is excluded from both. The pooled exact ratio treats windows as "
        "independent, which overlapping windows violate (flagged per trigger). The permutation test "
        "re-draws trigger days uniformly from days whose full window and baseline fit in the span, "
        "keeping the event series fixed: it respects clustering of events, not clustering of triggers."
    )

    def _repr_fields(self) -> str:
        pooled = self.table.iloc[-1]
        return (
            f"{len(self.table) - 1} triggers, pooled RR {pooled['rate_ratio']:.3g} "
            f"({pooled['ci_low']:.3g}-{pooled['ci_high']:.3g}), permutation p={self.p_value_two_sided:.3g}"
        )

    def plot(self, ax=None):
        """Forest plot of the rate ratios (log scale), pooled at the bottom.

        Examples
        --------
        >>> ax = res.plot()  # doctest: +SKIP
        """
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        from analysis.plots import styled_axes

        rows = self.table
        ax = styled_axes(ax, figsize=(6, 0.35 * len(rows) + 1.2))
        y = np.arange(len(rows))[::-1]
        finite = rows["rate_ratio"].replace([np.inf, 0], np.nan)
        lo = rows["ci_low"].where(rows["ci_low"] > 0)
        hi = rows["ci_high"].replace(np.inf, np.nan)
        pooled = rows["trigger"] == "pooled"
        colours = np.where(pooled, "C3", "C0")
        ax.hlines(y, lo, hi, colors=colours)
        ax.scatter(finite[~pooled], y[~pooled], marker="o", color="C0", s=18, zorder=3)
        ax.scatter(finite[pooled], y[pooled], marker="D", color="C3", s=30, zorder=3)
        ax.axvline(1.0, color="0.5", lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks(y, [str(t) for t in rows["trigger"]])
        ax.set_xlabel(f"rate ratio: days 1-{self.window_days} after vs {self.baseline_days} days before")
        return ax


def _trigger_frame(triggers) -> pd.DataFrame:
    if isinstance(triggers, pd.DataFrame):
        frame = triggers.copy()
        if "event_date" not in frame:
            raise ValueError("triggers DataFrame needs an 'event_date' column")
    else:
        frame = pd.DataFrame({"event_date": list(triggers)})
    frame["event_date"] = pd.to_datetime(frame["event_date"]).dt.normalize()
    if "label" not in frame:
        frame["label"] = frame["event_date"].dt.strftime("%Y-%m-%d")
    return frame.sort_values("event_date", kind="stable").reset_index(drop=True)


def trigger_windows(
    incidents: pd.DataFrame,
    triggers: pd.DataFrame | Sequence,
    window_days: int = 7,
    baseline_days: int = 28,
    n_perm: int = 999,
    seed: int = 0,
    span: tuple | None = None,
    alpha: float = 0.05,
) -> TriggerResult:
    """Compare event rates just after trigger dates with the rates just before.

    Parameters
    ----------
    incidents : DataFrame
        One row per event with an ``event_date`` column (datetime64; times of
        day are ignored).
    triggers : DataFrame or sequence of dates
        A DataFrame with ``event_date`` (and optional ``label``), or a list of dates.
    window_days : int
        Days after the trigger: days 1..window_days (the trigger day is excluded).
    baseline_days : int
        Days before the trigger: days -baseline_days..-1.
    n_perm : int
        Random re-draws of the trigger dates for the permutation test (0 skips it).
    seed : int
        Seed for the re-draws.
    span : (start, end), optional
        First and last day on which events were recorded (both included).
        Default: the first and last incident dates. Window and baseline days
        outside the span are not counted as exposure.
    alpha : float
        1 - confidence level for the exact intervals.

    Returns
    -------
    TriggerResult

    Notes
    -----
    Per trigger and pooled, the rate ratio (window over baseline) and its
    interval and p-value are exact conditional on the total count
    (:func:`analysis.models.exact.rate_ratio_exact`). Pooling sums counts and
    exposures. The permutation statistic is the pooled rate difference
    (events per day in windows minus baselines); each draw takes
    ``len(triggers)`` distinct days uniformly from the days whose full window
    and baseline lie inside the span. p-values are ``(1 + #{draws at least
    as extreme}) / (n_perm + 1)``; the two-sided one is twice the smaller
    tail, capped at 1.

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, 200), unit="D")
    >>> res = trigger_windows(pd.DataFrame({"event_date": days}), ["2024-03-01", "2024-08-15"], n_perm=199)
    >>> res.table["trigger"].iloc[-1]
    'pooled'
    """
    if window_days < 1 or baseline_days < 1:
        raise ValueError("window_days and baseline_days must be >= 1")
    dates = pd.to_datetime(incidents["event_date"]).dt.normalize()
    if dates.isna().any():
        raise ValueError("incidents have missing event_date values")
    trig = _trigger_frame(triggers)
    if span is None:
        first, last = dates.min(), dates.max()
    else:
        first, last = pd.Timestamp(span[0]).normalize(), pd.Timestamp(span[1]).normalize()
    n_days = (last - first).days + 1
    if n_days < 1:
        raise ValueError("the span is empty")
    outside = (dates < first) | (dates > last)
    if outside.any():
        logger.warning("trigger_windows: %d incidents outside the span were left out", int(outside.sum()))
    offsets = ((dates[~outside] - first).dt.days).to_numpy()
    daily = np.bincount(offsets, minlength=n_days)
    cum = np.r_[0, np.cumsum(daily)]

    def window_sums(day: np.ndarray, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Events and exposure in days ``day+a .. day+b`` clipped to the span (vectorised)."""
        lo = np.clip(day + a, 0, n_days)
        hi = np.clip(day + b + 1, 0, n_days)
        hi = np.maximum(hi, lo)
        return cum[hi] - cum[lo], hi - lo

    tday = ((trig["event_date"] - first).dt.days).to_numpy()
    w_ev, w_exp = window_sums(tday, 1, window_days)
    b_ev, b_exp = window_sums(tday, -baseline_days, -1)
    usable = (w_exp > 0) & (b_exp > 0)
    if not usable.all():
        logger.warning("trigger_windows: %d triggers have no window or baseline inside the span; "
                       "they are left out of the pooled row", int((~usable).sum()))
    # Overlap with an earlier trigger's window or baseline counts some events twice when pooled.
    reach = np.r_[-np.inf, np.maximum.accumulate(tday + window_days)[:-1]]
    overlap = (tday - baseline_days) <= reach

    rows = []
    for i in range(len(trig)):
        rr = rate_ratio_exact_any(w_ev[i], w_exp[i], b_ev[i], b_exp[i], alpha)
        rows.append(
            {
                "trigger": trig["label"].iloc[i],
                "date": trig["event_date"].iloc[i],
                "window_events": int(w_ev[i]),
                "window_days": int(w_exp[i]),
                "baseline_events": int(b_ev[i]),
                "baseline_days": int(b_exp[i]),
                "window_rate_per_30d": 30.0 * w_ev[i] / w_exp[i] if w_exp[i] else np.nan,
                "baseline_rate_per_30d": 30.0 * b_ev[i] / b_exp[i] if b_exp[i] else np.nan,
                "rate_ratio": rr[0],
                "ci_low": rr[1],
                "ci_high": rr[2],
                "p_value": rr[3],
                "overlaps_earlier": bool(overlap[i]),
                "perm_p_greater": np.nan,
                "perm_p_two_sided": np.nan,
            }
        )
    sw, sew, sb, seb = (int(x[usable].sum()) for x in (w_ev, w_exp, b_ev, b_exp))
    stat = sw / sew - sb / seb if sew and seb else np.nan

    perm = np.array([])
    p_greater = p_two = np.nan
    eligible = np.arange(baseline_days, n_days - window_days)
    k = int(usable.sum())
    if n_perm > 0 and np.isfinite(stat):
        if len(eligible) < k:
            raise ValueError("the span is too short to re-draw the triggers with full windows")
        rng = np.random.default_rng(seed)
        draws = np.stack([rng.choice(eligible, size=k, replace=False) for _ in range(n_perm)])
        pw, _ = window_sums(draws, 1, window_days)
        pb, _ = window_sums(draws, -baseline_days, -1)
        perm = pw.sum(axis=1) / (k * window_days) - pb.sum(axis=1) / (k * baseline_days)
        eps = 1e-12
        p_greater = float((1 + np.sum(perm >= stat - eps)) / (n_perm + 1))
        p_less = float((1 + np.sum(perm <= stat + eps)) / (n_perm + 1))
        p_two = min(1.0, 2 * min(p_greater, p_less))

    rr = rate_ratio_exact_any(sw, sew, sb, seb, alpha)
    rows.append(
        {
            "trigger": "pooled",
            "date": pd.NaT,
            "window_events": sw,
            "window_days": sew,
            "baseline_events": sb,
            "baseline_days": seb,
            "window_rate_per_30d": 30.0 * sw / sew if sew else np.nan,
            "baseline_rate_per_30d": 30.0 * sb / seb if seb else np.nan,
            "rate_ratio": rr[0],
            "ci_low": rr[1],
            "ci_high": rr[2],
            "p_value": rr[3],
            "overlaps_earlier": bool(overlap[usable].any()),
            "perm_p_greater": p_greater,
            "perm_p_two_sided": p_two,
        }
    )
    table = pd.DataFrame(rows)
    table.attrs.update({"window": f"days 1..{window_days} after (trigger day excluded)",
                        "baseline": f"days -{baseline_days}..-1 before"})
    return TriggerResult(
        table=table,
        daily_counts=pd.Series(daily, index=pd.date_range(first, periods=n_days, freq="D"), name="events"),
        permutation_statistics=perm,
        statistic=float(stat),
        p_value_greater=float(p_greater),
        p_value_two_sided=float(p_two),
        window_days=window_days,
        baseline_days=baseline_days,
        n_perm=n_perm,
        seed=seed,
    )

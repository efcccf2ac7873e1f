"""The result of :func:`analysis.models.changepoint.detect_changepoints`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.models.changepoint.bins import _bin_spans
from analysis.results import Result

_CAVEAT = "post-selection: nominal only (dates chosen from the same data; intervals too narrow, p too small)"


@dataclass(frozen=True, eq=False, repr=False)
class ChangepointResult(Result):
    """Segments of constant Poisson rate found by :func:`detect_changepoints`.

    Attributes
    ----------
    table : DataFrame
        One row per changepoint in the package's vocabulary: estimate, ci_low,
        ci_high, p_value (the rate ratio after/before and its exact test), then
        changepoint, date, date_low, date_high, date_mass and inference.
    segments : DataFrame
        One row per segment: segment, start, end, days, events, rate_per_30d,
        rate_ci_low, rate_ci_high (exact Garwood, per 30 days).
    changepoints : DataFrame
        The changepoints as :attr:`table`, with the ratio's own column names:
        date (first day of the new segment),
        date_low, date_high (hull of the 95% highest-posterior-mass set of
        dates), date_mass (its posterior mass), rate_ratio after/before with
        rr_ci_low, rr_ci_high, rr_p_value from :func:`rate_ratio_exact`, and
        an ``inference`` caveat: these are post-selection, nominal only.
    test : DataFrame
        Likelihood-ratio tests of "no change at all" (test, statistic,
        p_value, n_boot), statistics divided by the dispersion: the best
        single change against none (correct size; answers "any change?" even
        when the penalty selects none) and, with ``rerun_search=True``, the
        selected segmentation against none (accounts for the search;
        conservative, p = 1 when nothing is selected).
    dispersion : float
        Variance-to-mean ratio used to scale the penalty (1: plain Poisson).
    counts, exposure : ndarray
        The counts and the length of each bin in days.
    breakpoints : ndarray
        Index of the first bin of each new segment.
    """

    table: pd.DataFrame
    segments: pd.DataFrame
    changepoints: pd.DataFrame
    test: pd.DataFrame
    counts: np.ndarray
    exposure: np.ndarray
    index: pd.DatetimeIndex
    bin_start: pd.DatetimeIndex
    bin_end: pd.DatetimeIndex
    freq: Any
    breakpoints: np.ndarray
    segment_rates: np.ndarray
    cost: float
    objective: float
    penalty: str
    penalty_value: float
    min_size: int
    method: str
    cost_by_k: np.ndarray | None = None
    posteriors: tuple = ()
    boot_statistics: np.ndarray = field(default_factory=lambda: np.empty((0, 1)))
    dispersion: float = 1.0
    alpha: float = 0.05

    assumptions = (
        "Counts in each bin are independent draws with variance = dispersion x mean (Poisson when the "
        "dispersion is 1; estimated from successive differences by default); the rate per day is constant "
        "within a segment and jumps at each changepoint (no trend, no autocorrelation). Segment rate "
        "intervals and rate ratios are exact Poisson intervals, too narrow when the dispersion exceeds 1. "
        "Segments are at least the minimum segment length. Date intervals are exact posteriors of one change "
        "between its neighbours (Jeffreys Gamma priors, uniform location) and are conditional on the "
        "other changepoints. Rate ratios between segments are post-selection: nominal only."
    )

    def _repr_fields(self) -> str:
        m = len(self.breakpoints)
        text = (
            f"{m} changepoint{'s' if m != 1 else ''}, {int(self.counts.sum())} events, penalty={self.penalty}"
        )
        return text + (f", dispersion {self.dispersion:.3g}" if self.dispersion != 1.0 else "")

    def _extra_blocks(self) -> list:
        """The segments, the caveat on the changepoints' ratios, and the no-change tests."""
        blocks = [self.segments]
        if len(self.changepoints):
            blocks.append("Rate ratios: " + _CAVEAT + ".")
        for row in self.test.itertuples(index=False):
            blocks.append(
                f"No-change test, {row.test}: LR / dispersion = {row.statistic:.3g}, "
                f"p = {row.p_value:.3g} ({row.n_boot} multinomial draws given the total)"
            )
        return blocks

    def fitted(self) -> pd.Series:
        """Expected count in each bin under the fitted segment rates.

        Examples
        --------
        >>> from analysis import detect_changepoints
        >>> counts = pd.Series([0, 1] * 30 + [4, 6] * 30, index=pd.date_range("2024-01-01", periods=120))
        >>> fit = detect_changepoints(counts, n_boot=0)
        >>> fit.fitted().iloc[[0, -1]].tolist()
        [0.5, 5.0]
        """
        seg = np.searchsorted(self.breakpoints, np.arange(len(self.counts)), side="right")
        return pd.Series(self.segment_rates[seg] * self.exposure, index=self.index, name="fitted")

    def plot(self, ax=None):
        """Counts per bin, the fitted segment rates and the 95% date intervals.

        Examples
        --------
        >>> from analysis import detect_changepoints
        >>> counts = pd.Series([0, 1] * 30 + [4, 6] * 30, index=pd.date_range("2024-01-01", periods=120))
        >>> fit = detect_changepoints(counts, n_boot=0)
        >>> ax = fit.plot()
        >>> ax.get_ylabel()
        'attacks per day'
        """
        from analysis.plots import plot_changepoints

        return plot_changepoints(self, ax=ax)

    def simulate(self, start=None, end=None, seed: int = 0) -> pd.Series:
        """Simulate counts from the fitted piecewise rates on the same bins.

        Bins before the fitted range take the first segment's rate and bins
        after it the last segment's rate.

        Examples
        --------
        >>> from analysis import detect_changepoints
        >>> counts = pd.Series([0, 1] * 30 + [4, 6] * 30, index=pd.date_range("2024-01-01", periods=120))
        >>> fit = detect_changepoints(counts, n_boot=0)
        >>> sim = fit.simulate(end="2024-05-09", seed=1)
        >>> len(sim), bool(sim.iloc[:60].mean() < sim.iloc[60:].mean())
        (130, True)
        """
        start = self.index[0] if start is None else pd.Timestamp(start)
        end = self.index[-1] if end is None else pd.Timestamp(end)
        index = pd.date_range(start, end, freq=self.freq)
        _, _, days = _bin_spans(index, self.freq)
        seg = np.searchsorted(self.index[np.r_[0, self.breakpoints]], index, side="right") - 1
        rate = self.segment_rates[np.clip(seg, 0, len(self.segment_rates) - 1)]
        rng = np.random.default_rng(seed)
        return pd.Series(rng.poisson(rate * days), index=index, name="simulated")

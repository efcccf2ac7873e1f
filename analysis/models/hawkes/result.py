"""The fitted Hawkes process: estimates, per-event diagnostics, intensity, plot and simulation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import special, stats

from analysis.models.hawkes.likelihood import _decayed_sums, _unpack
from analysis.models.hawkes.simulate import simulate_hawkes
from analysis.results import Result

__all__ = ["HawkesResult"]


@dataclass(frozen=True, eq=False, repr=False)
class HawkesResult(Result):
    """A fitted Hawkes process (see :func:`fit_hawkes`).

    Attributes
    ----------
    table : DataFrame
        parameter, period, estimate, std_error, ci_low, ci_high, unit: the
        background rate per day for each period, the branching ratio, the
        decay beta (per day) and the half-life (days).
    comparison : DataFrame
        Log-likelihood and AIC of the Hawkes model and of the Poisson model
        with the same background.
    events : DataFrame
        One row per event: event time, p_background = mu(t_i) / lambda(t_i),
        intensity lambda(t_i) (averaged over jitter replicates). Computed on
        first access, like ``ks`` and ``residuals``.
    ks : dict
        Kolmogorov-Smirnov test of the time-rescaled gaps against Exp(1).
    stationary : bool
        False when the branching ratio presses against 1 (see Notes in :func:`fit_hawkes`).
    resolution : str
        What the timing of the input can and cannot resolve (day-dated input:
        nothing within a day).
    below_resolution : bool
        True when day-dated input gives a half-life below one day: the
        branching ratio then reflects same-day clustering and is not a finding.
    theta, cov : ndarray
        Pooled working parameters (log mu_k, logit n, log beta) and their covariance.
    """

    table: pd.DataFrame
    comparison: pd.DataFrame
    stationary: bool
    pieces: pd.DataFrame
    theta: np.ndarray
    cov: np.ndarray
    replicate_theta: np.ndarray
    replicate_loglik: np.ndarray
    times: np.ndarray
    window: tuple
    n_jitter: int
    jittered: bool
    background: str
    alpha: float = 0.05
    origin: pd.Timestamp | None = None
    resolution: str = ""
    below_resolution: bool = False
    # Sorted replicate times, pieces, orders and the original event times, for the diagnostics below.
    replicates: tuple = field(default=(), repr=False)
    event_input: tuple = field(default=(), repr=False)

    assumptions = (
        "Events follow a Hawkes process: a background rate (constant, or constant within each period) "
        "plus excitation from every earlier event that decays exponentially; all events excite alike "
        "(no marks, no spatial structure), history before the window is ignored. Dates are given "
        "uniform within-day times, averaged over jitter replicates. Intervals are Wald intervals on "
        "the log / logit scale pooled over replicates."
    )

    @property
    def branching_ratio(self) -> float:
        """Estimated mean number of events triggered by one event."""
        return float(special.expit(self.theta[-2]))

    @property
    def beta(self) -> float:
        """Estimated decay rate per day."""
        return float(math.exp(self.theta[-1]))

    @property
    def mu(self) -> np.ndarray:
        """Estimated background rate per day, one per piece."""
        return np.exp(self.theta[:-2])

    @cached_property
    def _diagnostics(self):
        t_days, piece_of, original = self.event_input
        return _event_diagnostics(
            self.theta, self.replicates, self.pieces, t_days, piece_of, original, self.n_jitter
        )

    @property
    def events(self) -> pd.DataFrame:
        """One row per event: time, day offset, period, p_background and intensity."""
        return self._diagnostics[0]

    @property
    def residuals(self) -> np.ndarray:
        """Time-rescaled gaps (compensator increments) of the first replicate; Exp(1) if the model fits."""
        return self._diagnostics[1]

    @property
    def ks(self) -> dict:
        """Kolmogorov-Smirnov test of the residuals against Exp(1): statistic and p_value."""
        ks = self._diagnostics[2]
        return {"statistic": float(ks.statistic), "p_value": float(ks.pvalue)}

    def _repr_fields(self) -> str:
        text = (
            f"{len(self.times)} events, branching ratio {self.branching_ratio:.2f}, "
            f"half-life {math.log(2) / self.beta:.3g} days, background={self.background}"
        )
        if self.below_resolution:
            text += ", half-life below the 1-day resolution of the dates: same-day clustering, not a finding"
        return text

    def _extra_blocks(self) -> list:
        """The Poisson comparison, the residual check, stationarity and what day-dated data can resolve."""
        return [
            self.comparison,
            f"Time-rescaling KS test against Exp(1): D = {self.ks['statistic']:.3g}, p = {self.ks['p_value']:.3g}",
            "Stationary (n < 1, not on the bound): " + ("yes" if self.stationary else "NO"),
            "Resolution: " + self.resolution,
        ]

    def _to_time(self, days: np.ndarray):
        if self.origin is None:
            return days
        return self.origin + pd.to_timedelta(days, unit="D")

    def intensity(self, grid: np.ndarray) -> np.ndarray:
        """Conditional intensity (per day) at window times ``grid`` (days), at the pooled estimate.

        Examples
        --------
        >>> from analysis import fit_hawkes
        >>> days = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10"])
        >>> fit = fit_hawkes(days, end="2024-01-31", n_jitter=5)
        >>> rates = fit.intensity(np.linspace(0, 10, 5))
        >>> len(rates), bool((rates >= fit.mu.min()).all())
        (5, True)
        """
        k = len(self.pieces)
        mu, nbr, beta = _unpack(self.theta, k)
        t = self.times
        (a,) = _decayed_sums(t, beta)
        grid = np.asarray(grid, dtype=float)
        prev = np.searchsorted(t, grid, side="left") - 1
        exc = np.zeros(len(grid))
        ok = prev >= 0
        exc[ok] = np.exp(-beta * (grid[ok] - t[prev[ok]])) * (1.0 + a[prev[ok]])
        piece = np.clip(
            np.searchsorted(self.pieces["start_day"].to_numpy(), grid, side="right") - 1, 0, k - 1
        )
        return mu[piece] + nbr * beta * exc

    def plot(self, ax=None):
        """Events per day, the fitted intensity and the background rate.

        Examples
        --------
        >>> from analysis import fit_hawkes
        >>> days = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10"])
        >>> fit = fit_hawkes(days, end="2024-01-31", n_jitter=5)
        >>> ax = fit.plot()
        >>> ax.get_ylabel()
        'events per day'
        """
        from analysis.plots import plot_hawkes

        return plot_hawkes(self, ax=ax)

    def simulate(self, start=None, end=None, seed: int = 0):
        """Simulate event times from the fitted model by Ogata thinning.

        ``start``/``end`` are dates (or days, for a fit on numeric times) and
        default to the fitted window; the simulation starts with no history.
        Outside the fitted window the first / last background rate is used.
        Returns a DatetimeIndex (numeric days for a fit on numeric times).

        Examples
        --------
        >>> from analysis import fit_hawkes
        >>> days = pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10"])
        >>> fit = fit_hawkes(days, end="2024-01-31", n_jitter=5)
        >>> sim = fit.simulate(seed=1)
        >>> type(sim).__name__, bool(sim.min() >= pd.Timestamp("2024-01-01"))
        ('DatetimeIndex', True)
        """
        if self.origin is None:
            t0 = 0.0 if start is None else float(start)
            t1 = self.window[1] if end is None else float(end)
        else:
            t0 = 0.0 if start is None else (pd.Timestamp(start) - self.origin) / pd.Timedelta(days=1)
            # end is the last day included, as in fit_hawkes
            t1 = (
                self.window[1]
                if end is None
                else (pd.Timestamp(end) - self.origin) / pd.Timedelta(days=1) + 1
            )
        breaks = self.pieces["start_day"].to_numpy(dtype=float)[1:]
        sim = simulate_hawkes(
            self.mu, self.branching_ratio, self.beta, end=t1, start=t0, seed=seed, breaks=breaks
        )
        if self.origin is None:
            return sim
        return pd.DatetimeIndex(self._to_time(sim), name="simulated")


def _event_diagnostics(theta, reps, pieces, t_days, piece_of, original, m):
    """Per-event background share and intensity (averaged over replicates), and time-rescaling residuals."""
    k = len(pieces)
    mu, nbr, beta = _unpack(theta, k)
    p_bg = np.zeros(len(t_days))
    intensity = np.zeros(len(t_days))
    a0 = None
    for t_sorted, piece_sorted, order in reps:
        (a,) = _decayed_sums(t_sorted, beta)
        a0 = a if a0 is None else a0
        lam = mu[piece_sorted] + nbr * beta * a
        p_bg[order] += mu[piece_sorted] / lam / m
        intensity[order] += lam / m
    t0, p0, _ = reps[0]
    lengths = (pieces["end_day"] - pieces["start_day"]).to_numpy(dtype=float)
    cum_mu = np.r_[0.0, np.cumsum(mu * lengths)]
    background_part = cum_mu[p0] + mu[p0] * (t0 - pieces["start_day"].to_numpy()[p0])
    compensator = background_part + nbr * (np.arange(len(t0)) - a0)
    residuals = np.diff(compensator, prepend=0.0)
    ks = stats.kstest(residuals, "expon")
    events = pd.DataFrame(
        {
            "event_time": original,
            "day": t_days,
            "period": pieces["period"].to_numpy()[piece_of],
            "p_background": p_bg,
            "intensity": intensity,
        }
    )
    return events, residuals, ks

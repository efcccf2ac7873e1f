"""The results of the undercount estimate and of the undercount-adjusted rate ratio."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.results import Result

ASSUMPTIONS = (
    "closed population per stratum (each attack happened once, inside the stratum); each source "
    "system is one list and a page belongs to one system (a repost to its origin); attacks are "
    "matched across lists without error (duplicates resolved first); dependence between two lists "
    "is absorbed by two-list interactions and the all-lists interaction is zero; lists with no "
    "capture in a stratum are dropped there."
)


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
        >>> from analysis import estimate_undercount
        >>> hist = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
        ...                      "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
        >>> res = estimate_undercount(hist, n_boot=0)
        >>> ax = res.plot()
        >>> ax.get_xlabel()
        'attacks'
        """
        from analysis.plots import plot_undercount

        return plot_undercount(self, ax=ax, tallies=tallies)


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
        >>> from analysis import undercount_adjusted_ratio
        >>> lists = {"official": ["us_official", "coalition_official"], "media": ["independent_media"],
        ...          "claim": ["claim", "state_media", "monitor"]}  # not the default five: 1 s, not 15
        >>> res = undercount_adjusted_ratio(incidents, lists=lists, n_boot=20, study=study)
        >>> ax = res.plot()
        >>> ax.get_title(loc="left")
        'The ratio before and after the undercount adjustment'
        """
        from analysis.plots import plot_adjusted_ratio

        return plot_adjusted_ratio(self, ax=ax)


def _empty_row(name: str, cells: pd.DataFrame, lists, note: str) -> dict:
    """The table row of a stratum without an estimate: the count seen and why."""
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


def _estimate_row(name, cells, lists, point, low, high, model, method, note) -> dict:
    """The table row of a stratum with an estimate."""
    n = int(cells["count"].sum())
    return {
        "stratum": name,
        "estimate": point,
        "ci_low": float(low),
        "ci_high": float(high),
        "observed": n,
        "completeness": n / point,
        "completeness_low": n / float(high) if np.isfinite(high) and high > 0 else 0.0,
        "completeness_high": min(1.0, n / float(low)) if low > 0 else np.nan,
        "n_lists": len(lists),
        "model": model,
        "method": method,
        "note": note,
    }

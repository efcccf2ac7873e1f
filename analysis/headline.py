"""The headline comparison, like with like, and the sensitivities a careful reader asks for.

The pre-specified question (``data/config.toml``) is how many times the
reference period's rate the headline period ran. It is answered

1. from the incident list in the tallies' own scope (``pentagon``: attacks on
   bases), beside
2. the official tallies, allocated across periods at a constant rate and by
   the incident list's shape, with their qualifiers as a range, and
3. from all attacks (convoys and diplomatic sites included), labelled as a
   second view.

Sensitivities: the reference split at its regime change (chosen after looking
at the data), claim-only rows counted, week/month-dated rows left out
(``day_dated_only``), rows resting only on partisan, state-affiliated or
aggregator pages left out (``independent``, when ``data/sources.csv`` is joined),
and the interval method used before December 2026 (``old_interval_hac``).

Every sentence the report and README print about the headline comes from
:meth:`Headline.sentences`, so prose cannot drift from the numbers.

Examples
--------
>>> from analysis.data import load_tallies
>>> h = compute_headline(incidents, load_tallies(), study)
>>> h.sentences()[0][:60]
'Counting official or media-confirmed attacks on bases (the P'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.models.exact import rate_ratio_exact
from analysis.models.rates import PeriodComparison, compare_periods
from analysis.models.tallies import rates_from_tallies
from analysis.periods import Period
from analysis.results import Result
from analysis.scope import get_scope
from analysis.study import Study

__all__ = ["Headline", "compute_headline"]

_COLUMNS = [
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "events",
    "ref_events",
    "rate",
    "rate_ci_low",
    "rate_ci_high",
    "ref_rate",
    "view",
    "source",
    "scope",
    "method",
    "comparison",
]


@dataclass(frozen=True, eq=False, repr=False)
class Headline(Result):
    """The headline ratio in every view, one row each.

    Attributes
    ----------
    table : DataFrame
        estimate, ci_low, ci_high (the rate ratio), p_value (its test), events and ref_events,
        rate (per 30 days) with its interval, ref_rate, then view, source,
        scope, method and comparison (pre-specified or sensitivity).
    comparisons : dict
        The :class:`PeriodComparison` behind each view, by view name.
    study : Study
        The study whose headline pair, scopes, words and alpha were used.
    """

    table: pd.DataFrame
    comparisons: dict
    study: Study
    assumptions: str = (
        "Incident-list intervals: method nights (attack days as clusters, a cosine long-run variance with t "
        "critical values), never narrower than the exact interval; tally intervals: exact Poisson at the ends "
        "of the qualifiers' range."
    )

    def _repr_fields(self) -> str:
        main = self.table.iloc[0]
        return (
            f"{self.study.headline_period}/{self.study.reference} = {main.estimate:.1f} "
            f"({main.ci_low:.1f}-{main.ci_high:.1f}), {len(self.table)} views"
        )

    def _days(self, view: str, prefix: str) -> int:
        """Days of the split reference part behind ``view``."""
        comp = self.comparisons[view]
        return next(p.days for p in comp.periods if p.name == prefix + self.study.reference)

    def row(self, view: str) -> pd.Series:
        """One view's row by name (``"incidents"``, ``"tallies_constant"``, ...)."""
        return self.table.set_index("view").loc[view]

    def plot(self, ax=None):
        """Forest plot of the headline ratio in every view."""
        from analysis.plots import plot_headline

        return plot_headline(self, ax=ax)

    def sentences(self) -> list[str]:
        """The headline in plain sentences, every number from :attr:`table`."""
        c = self.study
        ci = f"{c.confidence} CI"
        first, second = get_scope(c.scope), get_scope(c.second_scope)
        inc, allv = self.row("incidents"), self.row("all_attacks")
        tc, ts = self.row("tallies_constant"), self.row("tallies_shape")
        head, ref = c.period_words, c.reference_words
        out = [
            f"Counting {first.label}, the "
            f"incident list gives {inc.rate:.1f} attacks per 30 days in the {head} ({ci} {inc.rate_ci_low:.1f} "
            f"to {inc.rate_ci_high:.1f}; {inc.events:.0f} attacks) against {inc.ref_rate:.2f} in the {ref} "
            f"({inc.ref_events:.0f} attacks): {inc.estimate:.1f} times the rate ({ci} {inc.ci_low:.1f} to "
            f"{inc.ci_high:.1f}). This comparison was posed before the data were examined.",
            f"The official tallies give {tc.rate:.1f} attacks per 30 days in the {head} ({ci} {tc.rate_ci_low:.1f} "
            f"to {tc.rate_ci_high:.1f}) and {tc.estimate:.1f} times the {ref} rate ({ci} {tc.ci_low:.1f} to "
            f"{tc.ci_high:.1f}) when a tally window's count is spread evenly over its days, or {ts.estimate:.1f} "
            f"({ci} {ts.ci_low:.1f} to {ts.ci_high:.1f}) when it is spread as the incident list's attacks are.",
            f"Counting {second.label}, the {head} ran at {allv.estimate:.1f} times the {ref} rate ({ci} "
            f"{allv.ci_low:.1f} to {allv.ci_high:.1f}; {allv.events:.0f} against {allv.ref_events:.0f} attacks). "
            "The difference is the attacks counted here but not in the first count: "
            f"{allv.ref_events - inc.ref_events:.0f} in the {ref}, {allv.events - inc.events:.0f} in the {head}.",
        ]
        if "early_reference" in set(self.table["view"]):
            early, late = self.row("early_reference"), self.row("late_reference")
            days = [self._days("early_reference", "early_"), self._days("late_reference", "late_")]
            test = rate_ratio_exact(early.ref_events, days[0], late.ref_events, days[1])
            regimes = (
                f"The {ref} was not one regime in this count: its first part ran at {early.ref_rate:.2f} attacks "
                f"per 30 days and the rest at {late.ref_rate:.2f} (exact test p = {test.p_value:.2g})"
                if test.p_value < c.alpha
                else f"In this count the {ref}'s two parts ran at similar rates ({early.ref_rate:.2f} and "
                f"{late.ref_rate:.2f} attacks per 30 days, exact test p = {test.p_value:.2g})"
            )
            out.append(
                f"{regimes}. Against the first part alone the {head} ran at {early.estimate:.1f} times the rate "
                f"({ci} {early.ci_low:.1f} to {early.ci_high:.1f}), against the rest at {late.estimate:.1f} "
                f"({late.ci_low:.1f} to {late.ci_high:.1f}); the split date ({c.split_reference_at:%-d %B %Y}) was "
                "found in the data, so this is a sensitivity, not a test."
            )
        return out


def _row(comp: PeriodComparison, period: str, reference: str, view: str, comparison: str) -> dict:
    t = comp.wide.set_index("period")
    r, ref = t.loc[period], t.loc[reference]
    return {
        "estimate": r.rate_ratio,
        "ci_low": r.rr_ci_low,
        "ci_high": r.rr_ci_high,
        "p_value": r.p_value,
        "events": r.events,
        "ref_events": ref.events,
        "rate": r.rate_per_30d,
        "rate_ci_low": r.rate_ci_low,
        "rate_ci_high": r.rate_ci_high,
        "ref_rate": ref.rate_per_30d,
        "view": view,
        "source": comp.source,
        "scope": comp.scope.name if comp.scope else "",
        "method": r.method,
        "comparison": comparison,
    }


def _split(periods: list[Period], name: str, at) -> list[Period]:
    """The two periods with ``name`` split at ``at`` (early ends the day before)."""
    p = next(p for p in periods if p.name == name)
    at = pd.Timestamp(at).date()
    early = dataclasses.replace(
        p, name="early_" + name, label="early " + p.label, end=at - pd.Timedelta(days=1), from_record=True
    )
    late = dataclasses.replace(p, name="late_" + name, label="late " + p.label, start=at, from_record=True)
    return [early, late]


def compute_headline(incidents: pd.DataFrame, tallies: pd.DataFrame, study: Study) -> Headline:
    """Compute the headline ratio in every view (see the module notes).

    Parameters
    ----------
    incidents, tallies : DataFrame
        From :func:`analysis.load_incidents` and :func:`analysis.load_tallies`.
    study : Study
        Its headline pair, scopes, split date and alpha (:func:`analysis.load_study`).

    Examples
    --------
    >>> from analysis.data import load_tallies
    >>> head = compute_headline(incidents, load_tallies(), study)
    >>> round(head.row("incidents").estimate, 1)
    22.2
    """
    c = study
    head, ref = c.headline_period, c.reference
    pair = c.headline_pair()
    alpha = c.alpha
    same: dict[str, Any] = {"reference": ref, "alpha": alpha, "primary": head}
    tally: dict[str, Any] = {"reference": ref, "alpha": alpha, "tally_scope": c.tally_scope, "scope": c.scope}
    comps = {
        "incidents": compare_periods(incidents, pair, scope=c.scope, **same),
        "tallies_constant": rates_from_tallies(tallies, pair, **tally),
        "tallies_shape": rates_from_tallies(tallies, pair, allocation="shape", incidents=incidents, **tally),
        "all_attacks": compare_periods(incidents, pair, scope=c.second_scope, **same),
        "with_claims": compare_periods(incidents, pair, scope=get_scope(c.scope, confirmation=None), **same),
        "day_dated_only": compare_periods(incidents, pair, scope=c.scope, precision="exclude", **same),
        # The interval method before December 2026, beside the default that replaced it.
        "old_interval_hac": compare_periods(incidents, pair, scope=c.scope, method="hac", **same),
    }
    if "independent_source" in incidents:
        # Rows resting only on partisan, state-affiliated or aggregator pages left out (data/sources.csv).
        comps["independent"] = compare_periods(
            incidents, pair, scope=get_scope(c.scope, independent_only=True), **same
        )
    rows = [
        _row(comp, head, ref, view, "pre-specified" if view == "incidents" else "sensitivity")
        for view, comp in comps.items()
    ]
    if c.split_reference_at is not None:
        head_p = c.period(head)
        for part in _split(pair, ref, c.split_reference_at):
            view = part.name.split("_")[0] + "_reference"
            comp = compare_periods(
                incidents, [part, head_p], reference=part.name, scope=c.scope, alpha=alpha, primary=None
            )
            comps[view] = comp
            rows.append(_row(comp, head, part.name, view, "sensitivity (split chosen from the data)"))
    return Headline(table=pd.DataFrame(rows)[_COLUMNS], comparisons=comps, study=c)


def coverage_sentence(cov: pd.DataFrame, headline: Headline) -> str:
    """How complete the list is against the last official count of the headline period, in words.

    Examples
    --------
    >>> from analysis import coverage, load_tallies
    >>> tallies = load_tallies()
    >>> coverage_sentence(coverage(incidents, tallies), compute_headline(incidents, tallies, study))[:30]
    'The last official count for th'
    """
    comp = headline.comparisons["incidents"]
    period = next(p for p in comp.periods if p.name == headline.study.headline_period)
    start = pd.Timestamp(period.start)
    same = cov[
        cov["official"]
        & (cov["scope"] == "all")
        & cov["ratio"].notna()
        & ((cov["window_start"] - start).abs() <= pd.Timedelta(days=10))
        & (cov["as_of"] <= pd.Timestamp(period.end) + pd.Timedelta(days=31))
    ]
    if same.empty:
        return "No official tally covers the headline period; the list's completeness cannot be stated."
    r = same.sort_values("as_of").iloc[-1]
    share = 100 * r.our_rows / r.official_count
    side = "fewer" if r.our_rows < r.official_count else "more"
    return (
        f"The last official count for the {headline.study.period_words} ({r.speaker}) gave "
        f"{r.official_count} attacks from {r.window_start:%-d %b %Y} to {r.as_of:%-d %b %Y}; the list holds "
        f"{r.our_rows:.0f} attacks on bases in that window ({share:.0f}% of it, {side} than the official "
        f"count). The list is not matched to the tallies one to one."
    )

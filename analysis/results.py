"""The shape every result shares, in the manner of lifelines.

A result is a small frozen dataclass with ``.table`` (a tidy DataFrame,
numbers first), ``.summary()`` (plain text), ``.plot(ax=None)`` returning the
Axes, ``_repr_html_`` for Jupyter and a one-line ``__repr__``. The raw
statsmodels (or scipy) result sits on an attribute for power users.

Examples
--------
>>> import pandas as pd
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, eq=False, repr=False)
... class Demo(Result):
...     table: pd.DataFrame
...     def _repr_fields(self):
...         return f"{len(self.table)} rows"
>>> Demo(pd.DataFrame({"estimate": [1.0]}))
<Demo: 1 rows>
"""

from __future__ import annotations

import html

import pandas as pd

__all__ = ["Result"]


class Result:
    """Mixin: summary, HTML and one-line repr from ``table`` and ``_repr_fields``."""

    table: pd.DataFrame
    #: Plain-words statement of what the model assumes; shown in summaries.
    assumptions: str = ""

    def _repr_fields(self) -> str:  # pragma: no cover - each result says its own
        return f"{len(self.table)} rows"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._repr_fields()}>"

    def summary(self, digits: int = 3) -> str:
        """Plain-text summary: the one-line description, the table, the assumptions."""
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            body = self.table.to_string(index=False, float_format=lambda v: f"{v:.{digits}g}")
        parts = [repr(self), body]
        if self.assumptions:
            parts.append("Assumptions: " + self.assumptions)
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        table = self.table.to_html(index=False, float_format=lambda v: f"{v:.3g}", na_rep="", border=0)
        note = f"<p><small>{html.escape(self.assumptions)}</small></p>" if self.assumptions else ""
        return f"<p><strong>{html.escape(repr(self))}</strong></p>{table}{note}"

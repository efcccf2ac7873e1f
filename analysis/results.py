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
    """Mixin: summary, HTML and one-line repr, all rendered from the same blocks.

    A result lists what it shows in :meth:`_blocks`: the table first, then any
    further tables or diagnostic sentences. :meth:`summary` renders the blocks
    as text and :meth:`_repr_html_` as HTML, so the notebook view never drops
    what the text view shows. Subclasses add blocks with :meth:`_extra_blocks`
    rather than overriding either renderer.
    """

    table: pd.DataFrame
    #: Plain-words statement of what the model assumes; shown in summaries.
    assumptions: str = ""

    def _repr_fields(self) -> str:  # pragma: no cover - each result says its own
        return f"{len(self.table)} rows"

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._repr_fields()}>"

    def _extra_blocks(self) -> list:
        """Further tables (DataFrames) or sentences (str) after the main table."""
        return []

    def _blocks(self) -> list:
        blocks = [self.table, *self._extra_blocks()]
        if self.assumptions:
            blocks.append("Assumptions: " + self.assumptions)
        return blocks

    def summary(self, digits: int = 3) -> str:
        """Plain-text summary: the one-line description, the tables, the diagnostics, the assumptions."""
        parts = [repr(self)]
        with pd.option_context("display.width", 200, "display.max_columns", 50):
            for block in self._blocks():
                if isinstance(block, pd.DataFrame):
                    parts.append(block.to_string(index=False, float_format=lambda v: f"{v:.{digits}g}"))
                else:
                    parts.append(str(block))
        return "\n\n".join(parts)

    def _repr_html_(self) -> str:
        parts = [f"<p><strong>{html.escape(repr(self))}</strong></p>"]
        for block in self._blocks():
            if isinstance(block, pd.DataFrame):
                parts.append(
                    block.to_html(index=False, float_format=lambda v: f"{v:.3g}", na_rep="", border=0)
                )
            else:
                parts.append(f"<p><small>{html.escape(str(block))}</small></p>")
        return "".join(parts)

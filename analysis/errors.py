"""The package's exceptions and warning classes, in one place.

Statistical caveats are :class:`StatisticalWarning` (a ``UserWarning``), so a
notebook shows them and ``warnings.simplefilter("error", StatisticalWarning)``
turns them into failures; problems with data are exceptions or
:class:`DataQualityWarning`.

Examples
--------
>>> import warnings
>>> from analysis.errors import StatisticalWarning
>>> with warnings.catch_warnings(record=True) as seen:
...     warnings.simplefilter("always")
...     warnings.warn("few events", StatisticalWarning)
>>> seen[0].category.__name__
'StatisticalWarning'
"""

from __future__ import annotations

__all__ = [
    "AnalysisWarning",
    "ArgumentError",
    "DataQualityWarning",
    "StatisticalWarning",
]


class AnalysisWarning(UserWarning):
    """Base class of every warning this package emits."""


class StatisticalWarning(AnalysisWarning):
    """A caveat about an estimate: few events, a boundary fit, an assumption the data strain."""


class DataQualityWarning(AnalysisWarning):
    """Rows were excluded or a cross-file check could not run."""


class ArgumentError(ValueError):
    """An argument a user passed is not allowed; the message names it, its value and what is allowed.

    Examples
    --------
    >>> str(ArgumentError("confirmation", "oficial", ["official", "media", "claim"]))
    "confirmation='oficial' is not allowed; allowed: 'official', 'media', 'claim'"
    """

    def __init__(self, argument: str, value, allowed, note: str | None = None):
        self.argument, self.value = argument, value
        if isinstance(allowed, str):
            allowed_text = allowed
        else:
            allowed_text = ", ".join(repr(a) for a in allowed)
        message = f"{argument}={value!r} is not allowed; allowed: {allowed_text}"
        if note:
            message += f" ({note})"
        super().__init__(message)

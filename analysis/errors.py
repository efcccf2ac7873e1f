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
    "DataValidationError",
    "StatisticalWarning",
]

#: Problems listed in a :class:`DataValidationError` message (all are on ``.failures``).
MAX_LISTED = 1000


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


class DataValidationError(ValueError):
    """A data file failed validation.

    Attributes
    ----------
    failures : pandas.DataFrame
        One row per problem: file, line (1 is the header), column, value,
        check and message.
    """

    def __init__(self, failures):
        self.failures = failures.reset_index(drop=True)
        super().__init__(self._message())

    def _message(self) -> str:
        f = self.failures
        files = ", ".join(dict.fromkeys(f["file"]))
        lines = [f"{len(f)} problem(s) in {files}:"]
        for row in f.head(MAX_LISTED).itertuples(index=False):
            lines.append(format_failure(row))
        if len(f) > MAX_LISTED:
            lines.append(f"... and {len(f) - MAX_LISTED} more (see .failures)")
        return "\n".join(lines)


def format_failure(row) -> str:
    """One failure (a row of ``DataValidationError.failures``) as ``file:line: column value: message``."""
    import pandas as pd  # only when an error is being described

    where = f"{row.file}:{row.line}" if pd.notna(row.line) else str(row.file)
    col = f" column '{row.column}'" if isinstance(row.column, str) and row.column else ""
    val = "" if row.value is None or row.value == "" else f" value {row.value!r}:"
    return f"  {where}:{col}{val} {row.message}"

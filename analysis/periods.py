"""Named analysis periods (``data/periods.toml``).

A period is an inclusive date range with a name, a label for figures, a
rationale and a source URL. Periods are read with :mod:`tomllib`.

Examples
--------
>>> import datetime as dt
>>> p = Period("calm", "Post-withdrawal calm", dt.date(2021, 7, 26), dt.date(2023, 10, 16))
>>> p.days
813
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Period",
    "PeriodError",
    "check_periods",
    "covered_periods",
    "nearest_boundaries",
    "periods_table",
    "read_periods",
]


class PeriodError(ValueError):
    """A problem with period definitions; ``line`` points into the TOML file when known."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Period:
    """An inclusive date range with a name.

    Parameters
    ----------
    name : str
        Short identifier used in tables (``calm``, ``surge``).
    label : str
        Human label for figures.
    start, end : datetime.date
        First and last day, both included.
    rationale : str
        Why the period starts and ends where it does.
    source_url : str
        A page that supports the boundaries.
    from_record : bool
        True when a boundary was drawn from the incident record itself (e.g.
        "no attacks were found after ..."): comparisons with such a period are
        shaped by the data they test, and the report flags them.

    Examples
    --------
    >>> Period("a", "A", "2024-01-01", "2024-01-31").days
    31
    """

    name: str
    label: str
    start: dt.date
    end: dt.date
    rationale: str = ""
    source_url: str = ""
    from_record: bool = False

    def __post_init__(self):
        for key in ("start", "end"):
            object.__setattr__(self, key, _as_date(getattr(self, key), key, self.name))

    @property
    def days(self) -> int:
        """Length in days, both ends included."""
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def covered_days(self, data_range: tuple) -> int:
        """Days of the period inside ``data_range`` (first, last day), both ends included.

        Examples
        --------
        >>> Period("a", "A", "2024-01-01", "2024-01-31").covered_days(("2023-06-01", "2024-01-10"))
        10
        """
        lo, hi = (_as_date(d, "data_range", self.name) for d in data_range)
        return max(0, (min(self.end, hi) - max(self.start, lo)).days + 1)


def _as_date(value, key: str, name: object) -> dt.date:
    if isinstance(value, dt.datetime):  # also pandas Timestamps
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PeriodError(
        f"period {name!r}: {key}={value!r} is not allowed; allowed: a date as 'YYYY-MM-DD', a date or a Timestamp",
        column=key,
    )


def check_periods(periods: Iterable[Period], allow_overlap: bool = True) -> list[Period]:
    """Check names are unique and each start <= end; optionally forbid overlaps.

    Examples
    --------
    >>> a = Period("a", "A", dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    >>> check_periods([a])[0].name
    'a'
    """
    periods = list(periods)
    seen: set[str] = set()
    for p in periods:
        if p.name in seen:
            raise PeriodError(f"period name {p.name!r} is used twice", column="name")
        seen.add(p.name)
        if p.start > p.end:
            raise PeriodError(f"period {p.name!r}: start {p.start} is after end {p.end}", column="start")
    if not allow_overlap:
        ordered = sorted(periods, key=lambda p: p.start)
        for a, b in zip(ordered, ordered[1:]):
            if b.start <= a.end:
                raise PeriodError(
                    f"periods {a.name!r} ({a.start}..{a.end}) and {b.name!r} "
                    f"({b.start}..{b.end}) overlap; a rate comparison needs disjoint periods",
                    column="start",
                )
    return periods


def read_periods(path: str | Path) -> list[Period]:
    """Read ``[[period]]`` tables from a TOML file.

    Examples
    --------
    >>> from analysis.data import data_dir
    >>> periods = read_periods(data_dir() / "periods.toml")
    >>> periods[3].name, str(periods[3].start), str(periods[3].end)
    ('calm', '2021-07-26', '2023-10-16')
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise PeriodError(f"not valid TOML: {exc}", line=int(match.group(1)) if match else None) from None
    entries = doc.get("period")
    if not isinstance(entries, list) or not entries:
        raise PeriodError("no [[period]] tables found", line=1)
    periods = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise PeriodError(
                f"period {number} is {entry!r}, not a table: write each period as a [[period]] table",
                line=_line_of_key(text, "period"),
                column="period",
            )
        name = entry.get("name")
        line = _line_of(text, name)
        try:
            for key in ("name", "label", "start", "end"):
                if key not in entry:
                    raise PeriodError(f"period {name!r}: missing key {key!r}", column=key)
            unknown = set(entry) - {"name", "label", "start", "end", "rationale", "source_url", "from_record"}
            if unknown:
                raise PeriodError(
                    f"period {name!r}: unknown keys {sorted(unknown)}", column=sorted(unknown)[0]
                )
            periods.append(
                Period(
                    name=str(entry["name"]),
                    label=str(entry["label"]),
                    start=_as_date(entry["start"], "start", name),
                    end=_as_date(entry["end"], "end", name),
                    rationale=str(entry.get("rationale", "")),
                    source_url=str(entry.get("source_url", "")),
                    from_record=bool(entry.get("from_record", False)),
                )
            )
        except PeriodError as exc:
            exc.line = line
            raise
    try:
        return check_periods(periods)
    except PeriodError as exc:
        exc.line = _line_of(text, re.findall(r"'([^']+)'", str(exc))[0] if "'" in str(exc) else None)
        raise


def _line_of_key(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key or line.strip() == f"[[{key}]]":
            return number
    return None


def _line_of(text: str, name) -> int | None:
    if not name:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"""\s*name\s*=\s*["']{re.escape(str(name))}["']""", line):
            return number
    return None


#: The label of a day no period contains.
OUTSIDE = "(no period)"


def day_periods(days, periods: Iterable[Period]):
    """The name of the period holding each day (the earliest-starting one), else :data:`OUTSIDE`.

    Examples
    --------
    >>> import pandas as pd
    >>> day_periods(pd.date_range("2024-01-30", periods=3), [Period("jan", "J", "2024-01-01", "2024-01-31")])
    array(['jan', 'jan', '(no period)'], dtype=object)
    """
    import numpy as np
    import pandas as pd

    days = pd.DatetimeIndex(days)
    labels = np.full(len(days), OUTSIDE, dtype=object)
    for p in reversed(sorted(periods, key=lambda p: p.start)):
        labels[(days >= pd.Timestamp(p.start)) & (days <= pd.Timestamp(p.end))] = p.name
    return labels


def covered_periods(periods: Iterable[Period], data_range: tuple) -> list[Period]:
    """The periods with at least one day inside ``data_range``; a warning names the others.

    A period the data do not reach (it starts after "data through") has no
    count the list can vouch for, so models leave it out rather than read its
    days as zeros.

    Examples
    --------
    >>> ps = [Period("a", "A", "2024-01-01", "2024-01-31"), Period("b", "B", "2024-02-01", "2024-02-29")]
    >>> [p.name for p in covered_periods(ps[:1], ("2024-01-01", "2024-01-31"))]
    ['a']
    """
    from analysis.errors import DataQualityWarning

    periods = list(periods)
    kept = [p for p in periods if p.covered_days(data_range)]
    outside = [p.name for p in periods if p not in kept]
    if outside:
        warnings.warn(
            f"period(s) {', '.join(outside)} lie outside the data's coverage "
            f"({data_range[0]}..{data_range[1]}): left out of the models, shown only in the periods table",
            DataQualityWarning,
            stacklevel=2,
        )
    return kept


def periods_table(periods: Iterable[Period], data_range: tuple | None = None) -> pd.DataFrame:
    """Period definitions as a table: name, label, dates, days, rationale, source, from_record.

    With ``data_range``, a ``covered_days`` column says how many of the days the
    data cover (models count only those).

    Examples
    --------
    >>> periods_table([Period("a", "A", "2024-01-01", "2024-01-31")])["days"].tolist()
    [31]
    """
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "period": p.name,
                "label": p.label,
                "start": pd.Timestamp(p.start),
                "end": pd.Timestamp(p.end),
                "days": p.days,
                **({"covered_days": p.covered_days(data_range)} if data_range else {}),
                "from_record": p.from_record,
                "rationale": p.rationale,
                "source_url": p.source_url,
            }
            for p in periods
        ]
    )


def nearest_boundaries(dates: Iterable, periods: Iterable[Period]) -> pd.DataFrame:
    """Each date against the nearest period start: which period, how many days apart.

    Examples
    --------
    >>> nearest_boundaries(["2024-01-03"], [Period("a", "A", "2024-01-01", "2024-01-31")])["days_apart"].tolist()
    [2]
    """
    import pandas as pd

    starts = pd.Series([pd.Timestamp(p.start) for p in periods], index=[p.name for p in periods])
    rows = []
    for d in pd.to_datetime(list(dates)):
        i = (starts - d).abs().argmin()
        rows.append(
            {
                "detected": d,
                "nearest_boundary": starts.iloc[i],
                "period_starting": starts.index[i],
                "days_apart": (d - starts.iloc[i]).days,
            }
        )
    return pd.DataFrame(rows, columns=["detected", "nearest_boundary", "period_starting", "days_apart"])

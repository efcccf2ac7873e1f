"""The study: every analysis choice made once, loaded from ``config.toml`` and ``periods.toml``.

A :class:`Study` holds what the dataset covers, the named periods, the
pre-specified comparison and its words, the counting scopes, the confidence
level, the seed and the report's model settings. Functions take ``study=``
(or explicit arguments) and never read a settings file on their own, so a
user's own files in another folder give that user's labels and periods.

Both files are checked like a data file: an unknown key, a bad value, a
headline period missing from ``periods.toml`` or overlapping periods are rows
of a :class:`~analysis.errors.DataValidationError` naming the file, line, key
and value.

Examples
--------
>>> study = load_study()
>>> study.headline_period, study.reference, study.confidence
('surge', 'calm', '95%')
>>> [p.name for p in study.headline_pair()]
['surge', 'calm']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.config import Config, load_config
from analysis.errors import ArgumentError, DataValidationError
from analysis.periods import Period, PeriodError, check_periods, read_periods
from analysis.scope import Scope, get_scope

__all__ = ["Study", "load_study"]


@dataclass(frozen=True)
class Study:
    """Every analysis choice, in one typed, frozen place.

    Attributes
    ----------
    periods : tuple of Period
        The named periods (``periods.toml``), disjoint or not; comparisons
        pick disjoint ones.
    coverage_start, data_through : datetime.date
        The first day searched and the latest day covered.
    headline_period, reference : str
        The comparison posed before the data were looked at.
    period_words, reference_words : str
        How those two periods are named in sentences and titles.
    scope, second_scope : str
        The default counting scope (a preset of :data:`analysis.scope.SCOPES`)
        and the labelled second view.
    tally_scope : str
        The ``scope`` of the official tallies compared with the list.
    split_reference_at : datetime.date or None
        Where the reference is split for the regime sensitivity.
    alpha : float
        1 - confidence level of every interval.
    report : mapping
        The report's model settings (``[report]`` of ``config.toml``), seed included.
    files : tuple of str
        The files the study was read from.
    """

    periods: tuple[Period, ...]
    coverage_start: dt.date
    data_through: dt.date
    headline_period: str = "surge"
    reference: str = "calm"
    period_words: str = "surge"
    reference_words: str = "calm"
    scope: str = "pentagon"
    second_scope: str = "all_attacks"
    tally_scope: str = "all"
    split_reference_at: dt.date | None = None
    alpha: float = 0.05
    report: Mapping = dataclasses.field(default_factory=dict)
    files: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Study({self.headline_period} vs {self.reference}, scope={self.scope}, "
            f"{len(self.periods)} periods, {self.coverage_start} to {self.data_through}, alpha={self.alpha})"
        )

    @property
    def seed(self) -> int:
        """The seed of every random step (permutations, bootstraps)."""
        return int(self.report.get("seed", 0))

    @property
    def confidence(self) -> str:
        """The confidence level in words, e.g. ``'95%'``."""
        return confidence_words(self.alpha)

    @property
    def data_range(self) -> tuple[dt.date, dt.date]:
        """The days the list covers."""
        return self.coverage_start, self.data_through

    def counting_scope(self) -> Scope:
        """The default counting scope as a :class:`~analysis.scope.Scope`."""
        return get_scope(self.scope)

    def period(self, name: str) -> Period:
        """The period called ``name``.

        Examples
        --------
        >>> load_study().period("surge").start
        datetime.date(2023, 10, 17)
        """
        for p in self.periods:
            if p.name == name:
                return p
        raise ArgumentError("period", name, [p.name for p in self.periods])

    def headline_pair(self) -> list[Period]:
        """The headline period and its reference, in that order."""
        return [self.period(self.headline_period), self.period(self.reference)]

    def replace(self, **changes) -> Study:
        """A copy with some choices changed (checked again).

        Examples
        --------
        >>> load_study().replace(alpha=0.1).confidence
        '90%'
        """
        return _checked(dataclasses.replace(self, **changes))


def confidence_words(alpha: float) -> str:
    """``alpha`` as a confidence level in words.

    Examples
    --------
    >>> confidence_words(0.05), confidence_words(0.1), confidence_words(0.005)
    ('95%', '90%', '99.5%')
    """
    return f"{100 * (1 - alpha):.4g}%"


def _failure(path, line, column, value, message: str) -> DataValidationError:
    from analysis.data.failures import FAILURE_COLUMNS, short

    row = [str(path), line, column, short(value), "study", message]
    return DataValidationError(pd.DataFrame([row], columns=FAILURE_COLUMNS))


def _line_of(path: Path, key: str) -> int | None:
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return None


def _checked(study: Study) -> Study:
    """The study, if its choices fit together; else the first problem as a failure row."""
    config_path = study.files[0] if study.files else "config.toml"
    where = Path(config_path)
    names = [p.name for p in study.periods]
    for key in ("headline_period", "reference"):
        value = getattr(study, key)
        if value not in names:
            toml_key = "period" if key == "headline_period" else key
            line = _line_of(where, toml_key) if where.exists() else None
            raise _failure(
                where, line, toml_key, value, f"no such period in periods.toml; defined: {', '.join(names)}"
            )
    for key in ("scope", "second_scope"):
        try:
            get_scope(getattr(study, key))
        except ArgumentError as exc:
            line = _line_of(where, key) if where.exists() else None
            raise _failure(where, line, key, getattr(study, key), str(exc)) from None
    if study.tally_scope not in ("all", "subset"):
        line = _line_of(where, "tally_scope") if where.exists() else None
        raise _failure(where, line, "tally_scope", study.tally_scope, "allowed: 'all', 'subset'")
    if not isinstance(study.alpha, float | int) or not 0 < study.alpha < 1:
        line = _line_of(where, "alpha") if where.exists() else None
        raise _failure(where, line, "alpha", study.alpha, "must be a number between 0 and 1, like 0.05")
    _check_report(study.report, where)
    try:
        check_periods(study.periods, allow_overlap=False)
    except PeriodError as exc:
        periods_path = Path(study.files[1]) if len(study.files) > 1 else Path("periods.toml")
        name = str(exc).split("'")[1] if "'" in str(exc) else "period"
        raise _failure(periods_path, _name_line(periods_path, name), "start", name, str(exc)) from None
    split = study.split_reference_at
    ref = study.period(study.reference)
    if split is not None and not ref.start < split <= ref.end:
        line = _line_of(where, "split_reference_at") if where.exists() else None
        raise _failure(
            where,
            line,
            "split_reference_at",
            str(split),
            f"must fall inside {ref.name} ({ref.start} to {ref.end})",
        )
    return study


#: The report settings that must be whole numbers at least this large.
_AT_LEAST = {
    "changepoint_min_days": 1,
    "changepoint_boot": 0,
    "trigger_window_days": 1,
    "selfexcite_max_lag": 1,
    "selfexcite_boot": 0,
    "mse_boot": 20,
    "seed": 0,
}
_CHOICES = {"its_freq": ("D", "W", "MS", "QS", "YS"), "changepoint_penalty": ("bic", "mbic")}


def _check_report(report: Mapping, where: Path) -> None:
    """Each ``[report]`` setting within what its model allows (the types are checked on reading)."""
    for key, low in _AT_LEAST.items():
        value = report.get(key, low)
        if value < low:
            line = _line_of(where, key) if where.exists() else None
            raise _failure(where, line, key, value, f"must be a whole number >= {low}")
    for key, allowed in _CHOICES.items():
        if key in report and report[key] not in allowed:
            line = _line_of(where, key) if where.exists() else None
            raise _failure(where, line, key, report[key], "allowed: " + ", ".join(repr(a) for a in allowed))


def _name_line(path: Path, name: str) -> int | None:
    if not path.exists():
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.split("=", 1)[0].strip() == "name" and name in line:
            return number
    return None


def load_study(
    data: str | os.PathLike | None = None,
    config: str | os.PathLike | None = None,
    periods: str | os.PathLike | None = None,
) -> Study:
    """Read and check the study's two settings files.

    Parameters
    ----------
    data : path, optional
        A folder holding ``config.toml`` and ``periods.toml``; default
        :func:`analysis.data.data_dir` (the shipped data).
    config, periods : path, optional
        The two files, when they are not both in ``data``.

    Raises
    ------
    DataValidationError
        One row naming the file, line, key and value of the first problem.

    Examples
    --------
    >>> load_study().scope
    'pentagon'
    """
    if data is None:
        from analysis.data import data_dir

        data = data_dir()
    config_path = Path(config) if config is not None else Path(data) / "config.toml"
    periods_path = Path(periods) if periods is not None else Path(data) / "periods.toml"
    for path in (config_path, periods_path):
        if not path.is_file():
            raise _failure(path, None, None, None, "file not found")
    cfg = _read(load_config, config_path)
    named = tuple(_read(lambda p: check_periods(read_periods(p)), periods_path))
    return _checked(from_config(cfg, named, files=(str(config_path), str(periods_path))))


def _read(reader, path: Path):
    try:
        return reader(path)
    except PeriodError as exc:
        message = str(exc).removeprefix(f"{path}:").removeprefix(f"{path}").lstrip(": ")
        if exc.line is not None:
            message = message.removeprefix(f"{exc.line}:").lstrip()
        raise _failure(path, exc.line, exc.column, None, message) from None


def from_config(cfg: Config, periods, files: tuple[str, ...] = ()) -> Study:
    """A study from a parsed ``config.toml`` (every field of :class:`~analysis.config.Config`) and periods."""
    fields = {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}
    return Study(periods=tuple(periods), files=files, **fields)

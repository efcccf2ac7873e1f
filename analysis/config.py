"""The project's settings that live with the data: coverage, the headline comparison, sensitivities.

``data/config.toml`` says what the dataset covers (first month searched, "data
through") and which comparison the report leads with. Keeping these beside the
data means the report is wiring: change the file, not the code.

Examples
--------
>>> cfg = load_config()
>>> cfg.data_through
datetime.date(2026, 3, 28)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from analysis.periods import PeriodError

__all__ = ["Config", "data_coverage", "load_config"]


#: Report settings used when ``[report]`` leaves one out.
REPORT_DEFAULTS = {
    "its_at": [dt.date(2021, 7, 26), dt.date(2023, 10, 17), dt.date(2024, 2, 5)],
    "its_freq": "MS",
    "changepoint_penalty": "mbic",
    "changepoint_min_days": 14,
    "changepoint_boot": 99,
    "trigger_window_days": 7,
    "selfexcite_max_lag": 14,
    "selfexcite_boot": 199,
    "mse_boot": 200,
    "mse_tallies": [],
    "seed": 0,
}


@dataclass(frozen=True)
class Config:
    """Settings read from ``data/config.toml``.

    Attributes
    ----------
    coverage_start, data_through : datetime.date
        The first day searched and the latest day covered by a stored report.
    headline_period, reference : str
        The pre-specified comparison (period against reference).
    scope, second_scope : str
        The default counting scope and the labelled second view.
    tally_scope : str
        The ``scope`` value of tallies compared with the incident list.
    split_reference_at : datetime.date or None
        Where the reference period is split for the regime sensitivity.
    period_words, reference_words : str
        How the two periods are named in sentences.
    alpha : float
        1 - confidence level of every interval (``[headline] alpha``, default 0.05).
    report : dict
        Model settings the report uses (``[report]``; see :data:`REPORT_DEFAULTS`).
    """

    coverage_start: dt.date
    data_through: dt.date
    headline_period: str = "surge"
    reference: str = "calm"
    scope: str = "pentagon"
    second_scope: str = "all_attacks"
    tally_scope: str = "all"
    split_reference_at: dt.date | None = None
    period_words: str = "surge"
    reference_words: str = "calm"
    alpha: float = 0.05
    report: dict = dataclasses.field(default_factory=dict)


#: The keys each section of ``config.toml`` may hold; any other is an error (a misspelt key would
#: otherwise fall back to its default without a word).
KNOWN_KEYS: dict[str, set[str]] = {
    "coverage": {"start", "through"},
    "headline": {
        "period",
        "reference",
        "period_words",
        "reference_words",
        "scope",
        "second_scope",
        "tally_scope",
        "alpha",
    },
    "sensitivity": {"split_reference_at"},
    "report": set(REPORT_DEFAULTS),
}


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key or line.strip() == f"[{key}]":
            return number
    return None


def _check_keys(doc: dict, text: str, path: Path) -> None:
    for section, body in doc.items():
        if section not in KNOWN_KEYS:
            raise PeriodError(
                f"{path}:{_line_of(text, section)}: unknown section [{section}]; allowed: "
                + ", ".join(f"[{k}]" for k in KNOWN_KEYS),
                line=_line_of(text, section),
                column=section,
            )
        if not isinstance(body, dict):
            raise PeriodError(f"{path}: {section} must be a [{section}] table", column=section)
        for key in body:
            if key not in KNOWN_KEYS[section]:
                line = _line_of(text, key)
                raise PeriodError(
                    f"{path}:{line}: [{section}] unknown key {key!r}; allowed: {', '.join(sorted(KNOWN_KEYS[section]))}",
                    line=line,
                    column=key,
                )
    for key, default in REPORT_DEFAULTS.items():
        value = doc.get("report", {}).get(key, default)
        if type(value) is not type(default):
            line = _line_of(text, key)
            raise PeriodError(
                f"{path}:{line}: [report] {key} = {value!r}: must be {type(default).__name__} like {default!r}",
                line=line,
                column=key,
            )


@overload
def _date(doc: dict, section: str, key: str, path: Path, required: Literal[True] = True) -> dt.date: ...


@overload
def _date(doc: dict, section: str, key: str, path: Path, required: bool) -> dt.date | None: ...


def _date(doc: dict, section: str, key: str, path: Path, required: bool = True) -> dt.date | None:
    value = doc.get(section, {}).get(key)
    if value is None and not required:
        return None
    if isinstance(value, dt.date):
        return value
    line = _line_of(path.read_text(encoding="utf-8"), key) if path.exists() else None
    raise PeriodError(
        f"{path}:{line}: [{section}] {key} must be a date (YYYY-MM-DD), got {value!r}", line=line, column=key
    )


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read ``data/config.toml`` (or the file given).

    Examples
    --------
    >>> load_config().headline_period
    'surge'
    """
    if path is None:
        from analysis.data import data_dir

        path = data_dir() / "config.toml"
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PeriodError(f"{path}: not valid TOML: {exc}") from None
    _check_keys(doc, text, path)
    head = doc.get("headline", {})
    cfg = Config(
        coverage_start=_date(doc, "coverage", "start", path),
        data_through=_date(doc, "coverage", "through", path),
        headline_period=str(head.get("period", "surge")),
        reference=str(head.get("reference", "calm")),
        scope=str(head.get("scope", "pentagon")),
        second_scope=str(head.get("second_scope", "all_attacks")),
        tally_scope=str(head.get("tally_scope", "all")),
        split_reference_at=_date(doc, "sensitivity", "split_reference_at", path, required=False),
        period_words=str(head.get("period_words", head.get("period", "surge"))),
        reference_words=str(head.get("reference_words", head.get("reference", "calm"))),
        alpha=head.get("alpha", 0.05),
        report={**REPORT_DEFAULTS, **doc.get("report", {})},
    )
    if cfg.coverage_start > cfg.data_through:
        raise PeriodError(
            f"{path}: [coverage] start {cfg.coverage_start} is after through {cfg.data_through}"
        )
    return cfg


def data_coverage(incidents: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """The dates the incident list covers: a subset inherits the whole dataset's coverage.

    ``load_incidents`` records the coverage on ``incidents.attrs["coverage"]``
    (from ``data/config.toml`` for the shipped file, else the first month to
    the last event of the whole file), and pandas keeps ``attrs`` through
    filtering, so a Syria-only or drones-only subset still covers every day of
    the dataset: a period with no events in the subset is a real zero. A frame
    without the attribute falls back to its own first month and last event.

    Examples
    --------
    >>> inc = pd.DataFrame({"event_date": pd.to_datetime(["2024-01-05", "2024-03-01"])})
    >>> data_coverage(inc)
    (datetime.date(2024, 1, 1), datetime.date(2024, 3, 1))
    """
    cov = incidents.attrs.get("coverage") if hasattr(incidents, "attrs") else None
    if cov is not None:
        return pd.Timestamp(cov[0]).date(), pd.Timestamp(cov[1]).date()
    return _own_coverage(incidents)


def _own_coverage(incidents: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """A frame's own coverage: the first day of its first event's month to its last event."""
    dates = pd.to_datetime(incidents["event_date"])
    if dates.isna().all():
        raise ValueError("no incidents and no coverage recorded; pass data_range=(start, end)")
    return dates.min().replace(day=1).date(), dates.max().date()


def coverage_for_file(path: Path, incidents: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """Coverage recorded when a file is loaded: the config's for the shipped data, else the file's own."""
    from analysis.data import data_dir

    config_path = Path(path).resolve().parent / "config.toml"
    if Path(path).resolve().parent == data_dir().resolve() and config_path.exists():
        cfg = load_config(config_path)
        return cfg.coverage_start, cfg.data_through
    return _own_coverage(incidents)

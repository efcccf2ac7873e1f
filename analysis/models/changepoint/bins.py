"""Counts to bins: the checks on a count series, each bin's first and last day and its length.

The exposure of a bin is its length in days, so months and years weigh by their days.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

# Frequencies that pandas' resample labels by the *last* day of the bin.
_END_LABELLED = (
    pd.offsets.MonthEnd,
    pd.offsets.QuarterEnd,
    pd.offsets.YearEnd,
    pd.offsets.BusinessMonthEnd,
    pd.offsets.BQuarterEnd,
    pd.offsets.BYearEnd,
)


def _infer_offset(index: pd.DatetimeIndex) -> pd.DateOffset:
    if index.freq is not None:
        return index.freq
    if len(index) < 3:
        raise ValueError("need at least 3 bins (or an index with .freq set) to infer the frequency")
    with warnings.catch_warnings():
        # pandas 3 warns that infer_freq will return an offset; either form feeds to_offset.
        warnings.simplefilter("ignore")
        freq = pd.infer_freq(index)
    if freq is None:
        raise ValueError(
            "the index is not regular (no frequency could be inferred); resample first, "
            "e.g. counts.resample('D').sum(), so empty bins are explicit zeros"
        )
    return pd.tseries.frequencies.to_offset(freq)


def _is_end_labelled(offset: pd.DateOffset) -> bool:
    if isinstance(offset, _END_LABELLED):
        return True
    return isinstance(offset, pd.offsets.Week) and offset.weekday is not None


def _bin_spans(
    index: pd.DatetimeIndex, offset: pd.DateOffset
) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex, np.ndarray]:
    """First day, last day and length in days of each bin labelled by ``index``."""
    day = pd.Timedelta(days=1)
    if _is_end_labelled(offset):
        # resample('W'/'ME'/...) labels a bin by its last day: it covers (label - offset, label].
        lo = index - offset + day
        hi_excl = index + day
    else:
        lo = index
        hi_excl = index + offset
    days = np.asarray((hi_excl - lo) / day, dtype=float)
    return pd.DatetimeIndex(lo), pd.DatetimeIndex(hi_excl - day), days


def _validate_counts(counts: pd.Series) -> np.ndarray:
    if not isinstance(counts, pd.Series) or not isinstance(counts.index, pd.DatetimeIndex):
        raise TypeError("counts must be a pandas Series on a DatetimeIndex")
    if not counts.index.is_monotonic_increasing or not counts.index.is_unique:
        raise ValueError("the index must be sorted and unique")
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise ValueError("counts contain missing values; fill empty bins with explicit zeros")
    if (values < 0).any() or not np.all(values == np.round(values)):
        raise ValueError("counts must be non-negative integers")
    return values.astype(np.int64)


def _daily_from_incidents(incidents: pd.DataFrame, scope) -> pd.Series:
    """Daily counts of the rows ``scope`` selects, over the dataset's coverage, day-dated rows only."""
    from analysis.config import data_coverage
    from analysis.counts import daily_counts, warn_coarse_dated
    from analysis.scope import get_scope

    rows = get_scope(scope).select(incidents)
    warn_coarse_dated(rows)
    start, end = data_coverage(incidents)
    return daily_counts(rows, start=start, end=end, scope=scope, precision="exclude")["events"]


def _prepare(counts: pd.Series, min_segment_days: float):
    y = _validate_counts(counts)
    offset = _infer_offset(counts.index)
    lo, hi, days = _bin_spans(counts.index, offset)
    step = float(np.median(days))
    min_size = max(1, math.ceil(min_segment_days / step - 1e-9))
    return y, offset, lo, hi, days, min_size

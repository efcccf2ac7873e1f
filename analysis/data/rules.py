"""The pandera model's rules as whole-column tests that say which rows fail.

Nothing here restates a rule. :func:`compile_rules` walks the model: each
column's ``nullable`` and ``unique``, each Check's name and statistics
(``isin`` allowed values, ``str_matches`` pattern, ``str_length`` bounds),
the frame's ``unique`` keys and frame-wide checks. Text rules with a
mechanical pyarrow form run in pyarrow (in threads, without the GIL; a
pattern is translated so RE2 matches exactly where Python's re does), and
every other rule is the model's own Check object, run through pandera's
public ``Check.__call__`` on the typed column or frame.

The result is a mask of suspect rows: every row pandera would reject is in
it. pandera itself then runs only on those rows, to describe each failure
(:mod:`analysis.data.validate`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc

from analysis.schema import column_kind

#: Threads for the rules pyarrow runs without the GIL.
WORKERS = min(4, os.cpu_count() or 1)

# pandera registers its check backends on the first Check call, importing about half a
# second of modules; one trivial check here moves that cost to import time, where the other
# imports are, instead of into the first load.
pa.Check.ge(0)(pd.Series([1]))

#: Every character Python's ``\s`` matches in a str pattern (none lie above U+3000).
_PY_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_RE2_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE)
#: The same for text known to be ASCII: a much smaller automaton for RE2.
_RE2_ASCII_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE if ord(c) < 128)
#: Constructs whose meaning differs between Python's re and RE2, or that RE2 lacks.
_NOT_PORTABLE = re.compile(r"\\[dDwWbBAZuUNx0-9]|\(\?[^:]|\[:|\[\^?\]")


def arrow_regex(pattern: str, ascii_only: bool = False) -> str | None:
    r"""An RE2 pattern that matches (from the start) exactly where ``re.match(pattern)`` does.

    Python's ``\s`` covers Unicode spaces and its ``$`` also matches before a
    final newline; RE2 differs in both, so both are spelled out (only the
    ASCII spaces when ``ascii_only``, for text known to be ASCII). Anything
    else that could differ gives ``None`` and the caller uses Python's re.

    Examples
    --------
    >>> print(arrow_regex(r"^a[^\s;]+$", ascii_only=True))
    ^(?:^a[^\x{9}\x{a}\x{b}\x{c}\x{d}\x{1c}\x{1d}\x{1e}\x{1f}\x{20};]+\n?$)
    >>> arrow_regex(r"^\w+$") is None
    True
    """
    if _NOT_PORTABLE.search(pattern):
        return None
    space = _RE2_ASCII_SPACE if ascii_only else _RE2_SPACE
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = pattern[i : i + 2]
            if escape == "\\s":
                out.append(space if in_class else f"[{space}]")
            elif escape == "\\S":
                if in_class:
                    return None
                out.append(f"[^{space}]")
            else:
                out.append(escape)
            i += 2
            continue
        if in_class:
            if char == "[":
                return None
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            if i != len(pattern) - 1:
                return None
            out.append("\\n?$")
            i += 1
            continue
        out.append(char)
        i += 1
    return None if in_class else f"^(?:{''.join(out)})"


def arrow_text(series: pd.Series) -> pyarrow.Array | pyarrow.ChunkedArray | None:
    """The pyarrow data behind a text column (no copy), or None if it has none."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return pyarrow.array(series.array)
    return None


def may_contain(text, byte: int) -> bool:
    """Whether any value may hold ``byte``, looking at the raw value buffers (no per-value work)."""
    chunks = text.chunks if isinstance(text, pyarrow.ChunkedArray) else [text]
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is not None and bool(np.any(np.frombuffer(data, dtype=np.uint8) == byte)):
            return True
    return False


# ---------------------------------------------------- pyarrow forms of builtins
# Each takes the Check's statistics and the text, and gives True where a
# present value fails (missing values never fail here: these are used only
# for checks with ``ignore_na``, as pandera skips missing values then).


def _isin_fails(stats: dict, text) -> pyarrow.Array:
    # pandas compares a text with text only: a non-text allowed value never matches.
    allowed = pyarrow.array(
        [v for v in stats["allowed_values"] if isinstance(v, str)], pyarrow.large_string()
    )
    return pc.invert(pc.or_(pc.is_in(text, value_set=allowed), pc.is_null(text)))


def _notin_fails(stats: dict, text) -> pyarrow.Array:
    forbidden = pyarrow.array(
        [v for v in stats["forbidden_values"] if isinstance(v, str)], pyarrow.large_string()
    )
    return pc.fill_null(pc.is_in(text, value_set=forbidden), False)


def _str_length_fails(stats: dict, text) -> pyarrow.Array:
    lengths = pc.utf8_length(text)
    exact, low, high = stats.get("exact_value"), stats.get("min_value"), stats.get("max_value")
    if exact is not None:
        ok = pc.equal(lengths, exact)
    else:
        ok = pc.and_(
            pc.greater_equal(lengths, low if low is not None else 0),
            pc.less_equal(lengths, high if high is not None else np.iinfo(np.int64).max),
        )
    return pc.invert(pc.fill_null(ok, True))


def _str_matches_fails(stats: dict, text) -> pyarrow.Array:
    ascii_only = pc.all(pc.string_is_ascii(text)).as_py() is not False
    matched = pc.match_substring_regex(text, arrow_regex(str(stats["pattern"]), ascii_only))
    return pc.invert(pc.fill_null(matched, True))


def _text_form(check: pa.Check) -> Callable | None:
    """The pyarrow form of a builtin text rule, from its name and statistics, if it has one."""
    if check.groupby is not None or not check.ignore_na or check.element_wise:
        return None
    stats = check.statistics or {}
    forms = {"isin": _isin_fails, "notin": _notin_fails, "str_length": _str_length_fails}
    if (
        check.name == "str_matches"
        and isinstance(stats.get("pattern"), str)
        and arrow_regex(stats["pattern"])
    ):
        return partial(_str_matches_fails, stats)
    return partial(forms[check.name], stats) if check.name in forms else None


# ------------------------------------------------------------------ the rules


@dataclass(frozen=True)
class Rule:
    """One rule of the model as a test of every row.

    ``text`` (pyarrow text -> fails per row) when the rule has a pyarrow form
    and the column is text; else ``rows`` (typed frame -> fails per row).
    """

    column: str | None
    name: str
    rows: Callable[[pd.DataFrame], np.ndarray]
    text: Callable | None = None
    check: pa.Check | None = None


def _check_fails(check: pa.Check, column: str | None, frame: pd.DataFrame) -> np.ndarray:
    """Rows where the model's own Check fails, run through pandera's public call."""
    data = frame if column is None else frame[column]
    output = check(data).check_output
    if isinstance(output, pd.DataFrame):
        output = output.all(axis=1)
    if not isinstance(output, pd.Series):
        return np.full(len(frame), not bool(output))  # a verdict on the whole: every row is suspect
    if not output.index.equals(frame.index):
        output = output.reindex(frame.index, fill_value=True)  # missing values were skipped
    return ~output.to_numpy(dtype=bool, na_value=False)


def _check_fails_distinct(check: pa.Check, codes: np.ndarray, distinct: pd.Series) -> np.ndarray | None:
    """The same verdicts from one call per distinct value, spread back to the rows by code.

    The model's column checks look at one value at a time, so this is the
    same answer; None when the check's output is not one verdict per value.
    """
    if len(distinct) == 0:
        return np.zeros(len(codes), dtype=bool)
    output = check(distinct).check_output
    if not isinstance(output, pd.Series) or len(output) != len(distinct):
        return None
    fails = ~output.to_numpy(dtype=bool, na_value=True)
    return np.where(codes >= 0, fails[np.maximum(codes, 0)], False)


def _missing(column: str, frame: pd.DataFrame) -> np.ndarray:
    return frame[column].isna().to_numpy()


def _duplicated(columns: list[str], frame: pd.DataFrame) -> np.ndarray:
    if len(columns) == 1 and _is_unique(frame[columns[0]]):
        return np.zeros(len(frame), dtype=bool)
    return frame.duplicated(subset=columns, keep=False).to_numpy()


def _is_unique(series: pd.Series) -> bool:
    # A key kept in order, as curated lists are, is unique when it strictly
    # increases: one comparison per row instead of hashing every value.
    values = series.array
    if len(values) > 1 and not series.isna().any():
        try:
            if np.asarray(values[1:] > values[:-1], dtype=bool).all():
                return True
        except TypeError:
            pass
    return series.is_unique


def compile_rules(schema: pa.DataFrameSchema) -> list[Rule]:
    """Every rule of ``schema``, read from the model (see the module docstring)."""
    rules = []
    for name, column in schema.columns.items():
        if not column.nullable:
            rules.append(Rule(name, "not_nullable", partial(_missing, name)))
        if column.unique:
            rules.append(Rule(name, "field_uniqueness", partial(_duplicated, [name])))
        is_text = column_kind(column.dtype) == "str"
        for check in column.checks:
            text = _text_form(check) if is_text else None
            rules.append(Rule(name, check.name, partial(_check_fails, check, name), text, check))
    unique = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
    if unique:
        rules.append(Rule(None, "multiple_fields_uniqueness", partial(_duplicated, unique)))
    rules += [Rule(None, check.name, partial(_check_fails, check, None)) for check in schema.checks]
    return rules


def start_text_rules(rules: list[Rule], raw: pd.DataFrame, pool: ThreadPoolExecutor) -> dict[int, Future]:
    """Start the rules pyarrow runs on raw text (text is not changed by parsing), by rule position."""
    started = {}
    for i, rule in enumerate(rules):
        if rule.text is None:
            continue
        text = arrow_text(raw[rule.column])
        if text is not None:
            started[i] = pool.submit(_to_numpy, rule.text, text)
    return started


def _to_numpy(form: Callable, text) -> np.ndarray:
    fails = form(text)
    if isinstance(fails, pyarrow.ChunkedArray):
        fails = fails.combine_chunks()
    return fails.to_numpy(zero_copy_only=False)


def suspect_rows(
    schema: pa.DataFrameSchema,
    rules: list[Rule],
    typed: pd.DataFrame,
    started: dict[int, Future],
    distinct: dict | None = None,
) -> np.ndarray:
    """Rows that may break a rule (every row pandera would reject is among them).

    ``distinct`` (from :func:`analysis.data.parse.typed_frame`) lets a column
    check run once per distinct value where a column has few of them.
    """
    distinct = distinct or {}
    suspect = np.zeros(len(typed), dtype=bool)
    for column in schema.columns.values():
        if column_kind(column.dtype) == "str" and not str(column.dtype).startswith("str"):
            return np.ones(len(typed), dtype=bool)  # pandera would still coerce this column
    for i, rule in enumerate(rules):
        fails = started[i].result() if i in started else None
        if fails is None and rule.check is not None and rule.column in distinct:
            codes, values = distinct[rule.column]
            if 4 * len(values) < len(codes):
                fails = _check_fails_distinct(rule.check, codes, values)
        if fails is None:
            fails = rule.rows(typed)
        suspect |= fails
    return suspect

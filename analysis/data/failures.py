"""How problems with a data file are described: one row per problem, with its file, line and rule.

:class:`~analysis.errors.DataValidationError` carries a frame of
:data:`FAILURE_COLUMNS`; this module builds those rows: for problems with the
file as a whole (:func:`fatal`), for records that cannot be read as rows
(:func:`broken_failure`), and the plain-language message for a pandera rule
(:func:`check_message`), worked out from the rule's own name and statistics.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import DataValidationError
from analysis.schema import PLAIN_TEXT_PATTERN

FAILURE_COLUMNS = ["file", "line", "column", "value", "check", "message"]
_MAX_VALUE_CHARS = 60

#: What a cell that cannot be parsed to its column's type is told.
PARSE_MESSAGES = {
    "date": "not a valid date (expected YYYY-MM-DD)",
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not true or false",
}


def short(value) -> str | None:
    """A value as text, cut to 60 characters, or None when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def fatal(path: Path, line, column, value, message: str, check: str) -> DataValidationError:
    """The error for one problem with the file as a whole (encoding, header, emptiness)."""
    return DataValidationError(
        pd.DataFrame([[str(path), line, column, short(value), check, message]], columns=FAILURE_COLUMNS)
    )


def broken_failure(
    header: list[str], fields: list[str], problem: str
) -> tuple[str | None, str | None, str, str]:
    """Column, value, check and message for a record that cannot be read as a row."""
    width = len(header)
    if problem == "open quote":
        column = header[min(len(fields), width) - 1]
        return (
            column,
            fields[-1],
            "csv_syntax",
            "unclosed quote: the quoted field that opens on this line never closes",
        )
    if len(fields) < width:
        return (
            header[len(fields)],
            None,
            "field_count",
            f"{len(fields)} fields, expected {width}: the line stops before this column (truncated?)",
        )
    return (
        header[-1],
        fields[width],
        "field_count",
        f"{len(fields)} fields, expected {width}: text after the last column "
        "(a ',' in a text field that is not quoted?)",
    )


#: Messages for rules that are not pandera builtins, by the rule's name.
_CUSTOM_MESSAGES = {
    "not_nullable": "missing value (required)",
    "field_uniqueness": "duplicated value (must be unique)",
    "multiple_fields_uniqueness": "duplicated value (must be unique)",
    "not_in_future": "date is in the future",
    "lat_lon_pair_in_region": "latitude and longitude must both be present and inside "
    "Iraq, Syria or Jordan, or both be empty",
    "window_start_not_after_as_of": "window_start is after as_of",
    "one_target_type_per_site": "the site's other rows code another target_type (one site, one "
    "type; only convoy and other, a drone downed away from the site, may differ)",
    "in_gazetteer": "location is not a site in locations.csv",
}

#: Builtin rule name (as pandera prints it, ``name(arguments)``) -> the start of its message.
_BUILTIN_MESSAGES = {
    "isin": "not an allowed value: ",
    "greater_than_or_equal_to": "must be >= ",
    "greater_than": "must be > ",
    "less_than_or_equal_to": "must be <= ",
    "less_than": "must be < ",
    "in_range": "must be in the range ",
    "str_matches": "does not match the required pattern ",
    "str_length": "text length out of range ",
}


def check_message(check: str) -> str:
    """A plain-language message for a failed rule, from the name pandera reports for it.

    Examples
    --------
    >>> check_message("greater_than_or_equal_to(0)")
    'must be >= 0'
    >>> check_message("not_nullable")
    'missing value (required)'
    """
    if check in _CUSTOM_MESSAGES:
        return _CUSTOM_MESSAGES[check]
    if check == f"str_matches('{PLAIN_TEXT_PATTERN}')":
        return "looks like HTML markup ('<' before a letter, '/', '!' or '?'); write plain text"
    name, _, arguments = check.partition("(")
    if name in _BUILTIN_MESSAGES and arguments.endswith(")"):
        return _BUILTIN_MESSAGES[name] + arguments[:-1]
    return f"failed check {check}"

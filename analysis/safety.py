"""Making outputs safe to open: CSV cells that a spreadsheet would run as formulas.

A spreadsheet treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a leading tab or carriage return can hide one), so free text
copied from sources, such as ``=HYPERLINK("http://evil.example", "click")``,
could run when someone opens an exported CSV. :func:`neutralise_formulas`
prefixes such cells with an apostrophe, which spreadsheets show as text.

Use it only on files meant for people (exports, excluded-row reports), never
on the data files the loader reads back: there it would change the data.

Examples
--------
>>> import pandas as pd
>>> from analysis.safety import neutralise_formulas
>>> neutralise_formulas(pd.DataFrame({"note": ["=1+1", "fine", "-3"]}))["note"].tolist()
["'=1+1", 'fine', '-3']
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_START", "neutralise_formulas"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a spreadsheet formula.

    Text cells starting with one of :data:`FORMULA_START` get a leading
    apostrophe. Numbers are left alone: numeric columns, and text cells that
    are just a number such as ``-3`` or ``+1.5`` (a spreadsheet reads those as
    the number, which is harmless).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame about to be written to CSV for people to open.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``frame`` is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": [-1, 2], "text": ["@SUM(A1)", "\\tx"]})
    >>> neutralise_formulas(df).to_dict("list")
    {'n': [-1, 2], 'text': ["'@SUM(A1)", "'\\tx"]}
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        is_text = pd.Series([isinstance(v, str) for v in column], index=column.index, dtype=bool)
        if not is_text.any():
            continue
        text = column[is_text].astype(str)
        risky = text.str.startswith(FORMULA_START) & ~text.str.fullmatch(_NUMBER)
        if risky.any():
            if column.dtype != object and not isinstance(column.dtype, pd.StringDtype):
                out[name] = column = column.astype(object)
            out.loc[risky[risky].index, name] = "'" + text[risky]
    return out

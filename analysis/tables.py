"""Tables: one writer for CSV, Markdown and LaTeX, byte-reproducible.

Free-text cells that a spreadsheet would run as a formula (starting with
``= + - @``) are neutralised in CSV output.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> out = write_table(pd.DataFrame({"a": [1.5]}), pathlib.Path(tempfile.mkdtemp()) / "t")
>>> sorted(p.suffix for p in out)
['.csv', '.md', '.tex']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.safety import neutralise_formulas

__all__ = ["format_table", "neutralise_formulas", "write_table"]


def format_table(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Round floats to ``digits`` significant figures and dates to YYYY-MM-DD, as text."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[col] = s.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(s):
            out[col] = [
                ""
                if pd.isna(v)
                else ("inf" if np.isinf(v) else f"{v:.{digits}g}" if abs(v) < 1e4 else f"{v:.0f}")
                for v in s
            ]
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return out


def write_table(
    frame: pd.DataFrame, stem: str | Path, digits: int = 3, caption: str | None = None
) -> list[Path]:
    """Write ``stem.csv`` (full precision), ``stem.md`` and ``stem.tex`` (rounded).

    Returns the paths written.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    csv_path, md_path, tex_path = stem.with_suffix(".csv"), stem.with_suffix(".md"), stem.with_suffix(".tex")
    safe = neutralise_formulas(frame)
    safe.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.6g", date_format="%Y-%m-%d")
    pretty = format_table(frame, digits)
    md = pretty.to_markdown(index=False, disable_numparse=True)
    md_path.write_text(md + "\n", encoding="utf-8")
    tex = pretty.to_latex(index=False, escape=True, caption=caption)
    tex_path.write_text(tex, encoding="utf-8")
    return [csv_path, md_path, tex_path]

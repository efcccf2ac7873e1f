"""The data files behind a build: their sha256 and row counts, for the report's provenance.

Examples
--------
>>> from analysis.data import data_dir
>>> m = manifest(data_dir(), {"incidents.csv": 617, "tallies.csv": 82})
>>> m["file"].tolist(), m["sha256"].str.len().tolist()
(['data/incidents.csv', 'data/tallies.csv'], [64, 64])
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

__all__ = ["manifest"]


def manifest(data: Path, rows: dict[str, int]) -> pd.DataFrame:
    """One row per data file: path, rows, sha256 of its bytes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "a.csv").write_text("x\\n1\\n")
    >>> manifest(d, {"a.csv": 1})["sha256"].str.len().tolist()
    [64]
    """
    return pd.DataFrame(
        [
            {
                "file": f"data/{name}",
                "rows": n,
                "sha256": hashlib.sha256((Path(data) / name).read_bytes()).hexdigest(),
            }
            for name, n in rows.items()
        ]
    )

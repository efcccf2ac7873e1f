"""Loading and validating the data files.

Every loader reads a CSV as text, parses each column to the type the pandera
model declares, validates lazily and reports *every* problem with the file, the
CSV line, the column, the value and the rule that failed. With
``errors="exclude"`` the valid rows come back and the invalid ones are kept on
``df.attrs["excluded"]`` with their reasons; nothing is dropped silently.

The pandera models in :mod:`analysis.schema` are the only statement of the
rules. A million rows load in under twice the time of a bare
``pandas.read_csv(engine="pyarrow")``, and a file with a few bad rows in
about the same time as a clean one (``benchmarks/bench_load.py``).

Modules
-------
failures    the rows of a :class:`DataValidationError`: lines, messages
source      mapping the file, UTF-8 and header checks, pyarrow's reading
lines       which line each record is on; Python's csv module as the reference
parse       text columns to the model's types, each distinct value once
rules       the model's rules, read from it, as whole-column tests
validate    :func:`read_validated`: the fast path, then pandera on the failing rows
loaders     ``load_*``, :func:`save_csv`, :func:`data_dir`
provenance  ``sources.csv``: the rules tying pages to incident values
streaming   :func:`count_by_day_streaming` (Polars, block by block)

Examples
--------
>>> import pathlib, tempfile, warnings
>>> from analysis import load_incidents
>>> from analysis.data import data_dir
>>> incidents = load_incidents()
>>> len(incidents)
617

A copy of its first three rows, one moved to France, loads with that row set aside:

>>> lines = (data_dir() / "incidents.csv").read_text(encoding="utf-8").splitlines()[:4]
>>> lines[2] = lines[2].replace(",Iraq,", ",France,", 1)
>>> mine = pathlib.Path(tempfile.mkdtemp()) / "my.csv"
>>> _ = mine.write_text("\\n".join(lines) + "\\n", encoding="utf-8")
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")  # it warns of the excluded row, shown below
...     incidents = load_incidents(mine, errors="exclude", locations=data_dir() / "locations.csv")
>>> len(incidents), incidents.attrs["excluded"][["line", "reason"]].values.tolist()
(2, [[3, "country 'France': not an allowed value: ['Iraq', 'Syria', 'Jordan']"]])
"""

from analysis.data.lines import read_csv_text
from analysis.data.loaders import (
    data_dir,
    data_source,
    load_context_events,
    load_incidents,
    load_locations,
    load_periods,
    load_tallies,
    save_csv,
)
from analysis.data.provenance import load_sources
from analysis.data.streaming import count_by_day_streaming
from analysis.data.validate import read_validated
from analysis.errors import DataQualityWarning, DataValidationError

__all__ = [
    "DataQualityWarning",
    "DataValidationError",
    "count_by_day_streaming",
    "data_dir",
    "data_source",
    "load_context_events",
    "load_incidents",
    "load_locations",
    "load_periods",
    "load_sources",
    "load_tallies",
    "read_csv_text",
    "read_validated",
    "save_csv",
]

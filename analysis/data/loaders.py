"""The loaders of the shipped data files, sorting, and writing a frame back to CSV.

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

from __future__ import annotations

import csv
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.data.failures import fatal
from analysis.data.provenance import independent_source, load_sources, source_systems, sources_beside
from analysis.data.validate import Errors, read_validated
from analysis.errors import DataQualityWarning
from analysis.periods import Period, read_periods

#: Columns :func:`load_incidents` adds at load time; never written back to a CSV.
DERIVED_COLUMNS = ("independent_source", "source_systems")


#: The environment variable that points every loader at another data folder.
DATA_ENV = "ANALYSIS_DATA_DIR"


def data_source(path: str | os.PathLike | None = None) -> tuple[Path, str]:
    """Where the data files are read from, and why: the first of these that applies.

    1. ``path``, when given (``"argument"``);
    2. ``$ANALYSIS_DATA_DIR`` (``"environment"``);
    3. the ``data/`` folder of the checkout this package runs from (``"checkout"``);
    4. the copy of the dataset inside the installed package (``"packaged"``).

    Examples
    --------
    >>> data_source("/tmp/mine")
    (PosixPath('/tmp/mine'), 'argument')
    >>> data_source()[1] in ("environment", "checkout", "packaged")
    True
    """
    if path is not None:
        return Path(path), "argument"
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env), "environment"
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "data"
    if checkout.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout, "checkout"
    from importlib import resources

    return Path(str(resources.files("analysis") / "dataset")), "packaged"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder holding the data files (see :func:`data_source` for the order it is looked for in).

    Examples
    --------
    >>> (data_dir() / "incidents.csv").is_file()
    True
    """
    return data_source(path)[0]


def _default(path, name: str) -> Path:
    return Path(path) if path is not None else data_dir() / f"{name}.csv"


def _in_order(df: pd.DataFrame, keys: list[str]) -> bool:
    """Whether every row is <= the next by ``keys``, compared column by column."""
    undecided = np.ones(len(df) - 1, dtype=bool)
    for key in keys:
        values = df[key].array
        after, before = values[1:], values[:-1]
        greater = np.asarray(after > before, dtype=bool)
        equal = np.asarray(after == before, dtype=bool)
        if (undecided & ~greater & ~equal).any():
            return False
        undecided &= equal
    return True


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``df`` sorted by ``keys`` (stable), skipping the sort for a file already in order."""
    if len(df) < 2 or (not df[keys].isna().to_numpy().any() and _in_order(df, keys)):
        out = df.reset_index(drop=True)
    else:
        out = df.sort_values(keys, kind="stable").reset_index(drop=True)
    out.attrs.update(df.attrs)
    return out


def save_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a data frame so that the loaders read back exactly the same frame.

    Columns added at load time (:data:`DERIVED_COLUMNS`) are left out.
    UTF-8, ``\\n`` line ends, dates as ``YYYY-MM-DD``, missing values as empty
    cells. Python's csv writer does not quote a text holding a bare carriage
    return when lines end in ``\\n``, and every reader would then split the row
    there; when any text holds one, every text cell is quoted instead.

    Parameters
    ----------
    frame : pandas.DataFrame
        E.g. the result of :func:`load_incidents`.
    path : path-like
        The CSV file to write (its folder is created).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> incidents = load_incidents()
    >>> path = save_csv(incidents, pathlib.Path(tempfile.mkdtemp()) / "copy" / "incidents.csv")
    >>> path.name, len(pd.read_csv(path)) == len(incidents)
    ('incidents.csv', True)
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    derived = [c for c in DERIVED_COLUMNS if c in frame.columns]
    if derived:
        frame = frame.drop(columns=derived)
    text = [
        c
        for c in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_datetime64_any_dtype(frame[c])
    ]
    has_cr = any(frame[c].astype("str").str.contains("\r", regex=False).any() for c in text)
    frame.to_csv(
        path,
        index=False,
        date_format="%Y-%m-%d",
        lineterminator="\n",
        encoding="utf-8",
        quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL,
    )
    return path


def load_locations(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load the gazetteer of sites (``data/locations.csv``).

    Examples
    --------
    >>> sites = load_locations()
    >>> sites.columns.tolist()[:5], bool(sites["location"].is_unique)
    (['location', 'country', 'admin1', 'latitude', 'longitude'], True)
    """
    return read_validated(_default(path, "locations"), "locations", errors)


def load_incidents(
    path: str | os.PathLike | None = None,
    errors: Errors = "raise",
    locations: str | os.PathLike | pd.DataFrame | None = None,
    sources: str | os.PathLike | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load and validate the incident list, with its provenance joined.

    Every ``location`` must be a site of the gazetteer: by default
    ``locations.csv`` beside the incidents file (the check is skipped, with a
    :class:`DataQualityWarning`, when there is none).

    When ``sources.csv`` is beside the file (or ``sources`` is given), a boolean
    column ``independent_source`` is added (it is not in the CSV, and
    :func:`save_csv` does not write it): True when at least one of the row's
    pages is official, wire, major, regional or monitor, i.e. the row does not
    rest only on partisan, state-affiliated or aggregator pages
    (:func:`analysis.data.provenance.independent_source`). The ``"independent"``
    scope filters on it; without a sources file the column is absent and that
    scope raises. A second column, ``source_systems``, lists the documentation
    systems that reported the row (``;``-separated: us_official,
    coalition_official, claim, independent_media, monitor, state_media; see
    :func:`analysis.data.provenance.source_systems`), the lists of
    :func:`analysis.capture_histories`.

    Parameters
    ----------
    path : path-like, optional
        Defaults to ``data/incidents.csv``.
    errors : {"raise", "exclude"}
        See :func:`read_validated`.
    locations : path-like or DataFrame, optional
        The gazetteer to check ``location`` against.
    sources : path-like or DataFrame, optional
        ``sources.csv`` to join; by default the one beside the incidents file.

    Examples
    --------
    >>> incidents = load_incidents()
    >>> incidents.groupby("country").size().to_dict()
    {'Iraq': 407, 'Jordan': 5, 'Syria': 205}
    """
    path = _default(path, "incidents")
    extra = gazetteer_check(path, locations)
    df = _sorted(read_validated(path, "incidents", errors, extra), ["event_date", "event_id"])
    from analysis.config import coverage_for_file

    # Subsets keep the whole file's coverage through pandas attrs (see analysis.config.data_coverage).
    df.attrs["coverage"] = coverage_for_file(path, df)
    if sources is None:
        sources = sources_beside(path)
    if sources is not None:
        if not isinstance(sources, pd.DataFrame):
            sources = load_sources(sources)
        df["independent_source"] = independent_source(df, sources)
        df["source_systems"] = source_systems(df, sources)
    return df


def gazetteer_check(
    path: Path, locations: str | os.PathLike | pd.DataFrame | None = None
) -> dict[str, pa.Check]:
    """The extra check that every incident's location is a gazetteer site."""
    if locations is None:
        candidate = Path(path).parent / "locations.csv"
        if not candidate.exists():
            warnings.warn(
                f"{path}: no locations.csv beside it; the gazetteer check was skipped",
                DataQualityWarning,
                stacklevel=3,
            )
            return {}
        locations = candidate
    frame = locations if isinstance(locations, pd.DataFrame) else load_locations(locations)
    sites = set(frame["location"])
    return {"location": pa.Check(lambda s: s.isin(sites), name="in_gazetteer")}


def load_tallies(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load the official and other public counts of attacks (``data/tallies.csv``).

    Examples
    --------
    >>> tallies = load_tallies()
    >>> len(tallies), bool(tallies["as_of"].is_monotonic_increasing)
    (82, True)
    """
    df = read_validated(_default(path, "tallies"), "tallies", errors)
    return _sorted(df, ["as_of", "tally_id"])


def load_context_events(path: str | os.PathLike | None = None, errors: Errors = "raise") -> pd.DataFrame:
    """Load the dated context events analysts annotate (``data/context_events.csv``).

    Examples
    --------
    >>> events = load_context_events()
    >>> events.columns.tolist()
    ['event_date', 'label', 'category', 'source_url']
    """
    df = read_validated(_default(path, "context_events"), "context_events", errors)
    return _sorted(df, ["event_date", "label"])


def load_periods(path: str | os.PathLike | None = None) -> list[Period]:
    """Load the named analysis periods from ``data/periods.toml``.

    Examples
    --------
    >>> [p.name for p in load_periods()][:5]
    ['campaign_2020', 'truce_2020', 'escalation_2021', 'calm', 'surge']
    """
    path = Path(path) if path is not None else data_dir() / "periods.toml"
    try:
        return read_periods(path)
    except ValueError as exc:
        line = getattr(exc, "line", None)
        raise fatal(path, line, getattr(exc, "column", None), None, str(exc), "periods") from None

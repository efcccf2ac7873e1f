"""Build reports/ from data/: wiring only, the work is done elsewhere."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from analysis import __version__
from analysis.data import data_dir, load_context_events, load_incidents, load_locations, load_tallies

__all__ = ["build_report"]


def build_report(out: Path, data: Path | None = None) -> Path:
    """Rebuild the report under ``out`` and return the path of ``index.html``."""
    data = Path(data) if data else data_dir()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    incidents = load_incidents(data / "incidents.csv", errors="exclude")
    frames = {
        "incidents.csv": incidents,
        "tallies.csv": load_tallies(data / "tallies.csv", errors="exclude"),
        "locations.csv": load_locations(data / "locations.csv", errors="exclude"),
        "context_events.csv": load_context_events(data / "context_events.csv", errors="exclude"),
    }
    rows = "\n".join(
        f"<tr><td>{html.escape(name)}</td><td>{len(df)}</td><td>{len(df.attrs['excluded'])}</td>"
        f"<td><code>{hashlib.sha256((data / name).read_bytes()).hexdigest()}</code></td></tr>"
        for name, df in frames.items()
    )
    index = out / "index.html"
    index.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Attack rates report</title></head>"
        f"<body><h1>Attack rates report</h1><table><tr><th>file</th><th>rows</th><th>excluded</th>"
        f"<th>sha256</th></tr>{rows}</table><p>analysis {__version__}</p></body></html>\n",
        encoding="utf-8",
    )
    return index

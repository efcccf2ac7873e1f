"""Write the odd-but-valid incident files: each must load exactly like the clean one.

Byte-order marks (Excel), Windows or old-Mac line endings, blank lines, no
final newline, every field quoted, columns in another order, spaces around
header names. None is an error: refusing them would only annoy people whose
tools write them. Made-up rows only. Run from the repository root::

    python tests/odd_inputs/make_odd_inputs.py
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "make_bad_inputs", HERE.parent / "bad_inputs" / "make_bad_inputs.py"
)
bad = sys.modules["make_bad_inputs"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bad)

CLEAN = bad.to_csv(bad.rows())


def _quote_all() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(bad.COLUMNS)
    for record in bad.rows():
        writer.writerow([record[c] for c in bad.COLUMNS])
    return out.getvalue().encode()


def _blank_lines() -> bytes:
    lines = CLEAN.split(b"\n")
    return b"\n".join([lines[0], b"", lines[1], lines[2], b"", b"", *lines[3:], b"", b""])


ODD = {
    "incidents_clean.csv": CLEAN,
    "incidents_bom.csv": b"\xef\xbb\xbf" + CLEAN,
    "incidents_crlf.csv": CLEAN.replace(b"\n", b"\r\n"),
    "incidents_bom_crlf.csv": b"\xef\xbb\xbf" + CLEAN.replace(b"\n", b"\r\n"),
    "incidents_cr_only.csv": CLEAN.replace(b"\n", b"\r"),
    "incidents_no_final_newline.csv": CLEAN.rstrip(b"\n"),
    "incidents_blank_lines.csv": _blank_lines(),
    "incidents_quote_all.csv": _quote_all(),
    "incidents_reordered_columns.csv": bad.to_csv(bad.rows(), columns=list(reversed(bad.COLUMNS))),
    "incidents_header_spaces.csv": bad.to_csv(bad.rows(), header=[f" {c} " for c in bad.COLUMNS]),
}


def main() -> None:
    for name, data in ODD.items():
        (HERE / name).write_bytes(data)
    (HERE / "locations.csv").write_bytes(bad.locations_csv())
    print(f"wrote {len(ODD)} files to {HERE}")


if __name__ == "__main__":
    main()

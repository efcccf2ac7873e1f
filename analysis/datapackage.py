"""Generate the data dictionary and ``datapackage.json`` from the pandera models.

Both files are derived, never edited by hand; a test fails when the committed
copies drift from :mod:`analysis.schema` or from the data files' hashes.

Examples
--------
>>> from analysis.datapackage import data_dictionary
>>> data_dictionary().startswith("# Data dictionary")
True
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandera.pandas as pa

from analysis.schema import SCHEMAS, column_kind

__all__ = ["data_dictionary", "datapackage", "table_schema", "write_docs"]

_DESCRIPTIONS = {
    "incidents": "One row per attack on one site housing US or coalition personnel at one time.",
    "tallies": "Public cumulative or period counts of attacks, mostly from the Pentagon.",
    "locations": "Gazetteer of the sites named in incidents.csv.",
    "context_events": "Dated events (policy, US strikes, escalations) analysts annotate and test against.",
    "sources": "One row per page per incident: the outlet, its class, and the fields the page backs.",
}


_FRICTIONLESS = {"date": "date", "int": "integer", "float": "number", "bool": "boolean", "str": "string"}


def _frictionless_type(dtype) -> str:
    return _FRICTIONLESS[column_kind(dtype)]


def _constraints(column: pa.Column, unique: list[str]) -> dict:
    out: dict = {}
    if not column.nullable:
        out["required"] = True
    if unique == [column.name]:
        out["unique"] = True
    for check in column.checks:
        stats = check.statistics or {}
        if check.name == "isin":
            out["enum"] = [v if not hasattr(v, "item") else v.item() for v in stats["allowed_values"]]
        elif check.name == "greater_than_or_equal_to":
            out["minimum"] = _plain(stats["min_value"])
        elif check.name == "less_than_or_equal_to":
            out["maximum"] = _plain(stats["max_value"])
        elif check.name == "str_matches":
            out["pattern"] = str(stats["pattern"])
        elif check.name == "str_length":
            if stats.get("min_value") is not None:
                out["minLength"] = stats["min_value"]
            if stats.get("max_value") is not None:
                out["maxLength"] = stats["max_value"]
    return out


def _plain(value):
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else value


def table_schema(kind: str) -> dict:
    """Frictionless Table Schema for one data file."""
    schema = SCHEMAS[kind].to_schema()
    unique = list(schema.unique or [])
    fields = []
    for name, column in schema.columns.items():
        field = {
            "name": name,
            "type": _frictionless_type(column.dtype),
            "description": column.description or "",
        }
        if field["type"] == "date":
            field["format"] = "%Y-%m-%d"
        constraints = _constraints(column, unique)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    out = {"fields": fields, "missingValues": [""]}
    if len(unique) == 1:
        out["primaryKey"] = unique[0]
    elif unique:
        out["primaryKey"] = unique
    if kind == "incidents":
        out["foreignKeys"] = [
            {"fields": "location", "reference": {"resource": "locations", "fields": "location"}}
        ]
    if kind == "sources":
        out["foreignKeys"] = [
            {"fields": "event_id", "reference": {"resource": "incidents", "fields": "event_id"}}
        ]
    return out


def datapackage(data_dir: Path) -> dict:
    """The ``datapackage.json`` document for the files in ``data_dir``."""
    resources = []
    for kind in SCHEMAS:
        path = Path(data_dir) / f"{kind}.csv"
        resource = {
            "name": kind,
            "path": f"{kind}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "encoding": "utf-8",
            "description": _DESCRIPTIONS[kind],
            "schema": table_schema(kind),
        }
        if path.exists():
            resource["hash"] = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        resources.append(resource)
    return {
        "profile": "tabular-data-package",
        "name": "attacks-on-us-coalition-forces",
        "title": "Attacks on US and coalition forces in Iraq, Syria and Jordan",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }


def data_dictionary() -> str:
    """Markdown data dictionary, one table per data file."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `analysis/schema.py` by `make docs`; do not edit by hand.",
        "Empty cells mean *unknown*, never zero.",
        "",
    ]
    for kind in SCHEMAS:
        schema = SCHEMAS[kind].to_schema()
        lines += [f"## data/{kind}.csv", "", _DESCRIPTIONS[kind], ""]
        unique = list(schema.unique or [])
        if unique:
            lines += [f"Unique key: {', '.join(f'`{u}`' for u in unique)}.", ""]
        checks = [c.name for c in schema.checks]
        if checks:
            lines += [f"Rules across columns: {', '.join(f'`{c}`' for c in checks)}.", ""]
        lines += ["| column | type | required | rule | description |", "|---|---|---|---|---|"]
        for name, column in schema.columns.items():
            c = _constraints(column, unique)
            rule = "; ".join(f"{k} {v}" for k, v in c.items() if k not in ("required", "unique")).replace(
                "|", "\\|"
            )
            lines.append(
                f"| `{name}` | {_frictionless_type(column.dtype)} | "
                f"{'yes' if not column.nullable else 'no'} | {f'`{rule}`' if rule else ''} | "
                f"{column.description or ''} |"
            )
        lines.append("")
    return "\n".join(lines)


def write_docs(root: Path) -> list[Path]:
    """Write ``docs/data_dictionary.md`` and ``data/datapackage.json`` under ``root``."""
    root = Path(root)
    dd = root / "docs" / "data_dictionary.md"
    dp = root / "data" / "datapackage.json"
    dd.parent.mkdir(parents=True, exist_ok=True)
    dd.write_text(data_dictionary(), encoding="utf-8")
    dp.write_text(
        json.dumps(datapackage(root / "data"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return [dd, dp]

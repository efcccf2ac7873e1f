import json
from pathlib import Path

from analysis.datapackage import data_dictionary, datapackage

ROOT = Path(__file__).resolve().parent.parent


def test_committed_data_dictionary_matches_schema():
    committed = (ROOT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "run `make docs` and commit the result"


def test_committed_datapackage_matches_schema_and_hashes():
    committed = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert committed == datapackage(ROOT / "data"), "run `make docs` and commit the result"


def test_datapackage_fields_follow_the_schema():
    pkg = datapackage(ROOT / "data")
    incidents = next(r for r in pkg["resources"] if r["name"] == "incidents")
    fields = {f["name"]: f for f in incidents["schema"]["fields"]}
    assert fields["event_date"]["type"] == "date"
    assert fields["weapon"]["constraints"]["enum"][0] == "rocket"
    assert fields["us_killed"]["type"] == "integer" and "required" not in fields["us_killed"].get(
        "constraints", {}
    )
    assert incidents["hash"].startswith("sha256:")


def test_the_shipped_datapackage_validates_with_frictionless():
    """The Frictionless reference validator accepts data/datapackage.json and every file it lists."""
    import frictionless  # a dev dependency: CI installs it

    report = frictionless.validate(str(Path(__file__).resolve().parent.parent / "data" / "datapackage.json"))
    problems = report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "message"])
    assert report.valid, problems[:10]

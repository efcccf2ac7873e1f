"""data/sources.csv: its schema, the rules tying it to incidents.csv, and the independent scope."""

from __future__ import annotations

import pytest
from conftest import INCIDENT_COLUMNS, incident_row, write_csv

from analysis import load_incidents, save_csv
from analysis.cli import main
from analysis.data import DataValidationError, data_dir, load_sources
from analysis.data.provenance import backing_table, independent_source, provenance_failures
from analysis.errors import ArgumentError
from analysis.schema import OUTLET_CLASSES, WEAPONS, SourceSchema
from analysis.scope import get_scope

SOURCE_COLUMNS = ["event_id", "url", "outlet", "outlet_class", "system", "supports", "notes"]
FULL = "date;site;weapon;munitions;outcome"


def source_row(i: int = 1, **overrides) -> dict:
    row = {
        "event_id": f"T-{i:04d}",
        "url": f"https://example.org/report/{i}",
        "outlet": "Example Wire",
        "outlet_class": "wire",
        "system": "independent_media",
        "supports": FULL,
        "notes": "re-read: three rockets hit the test base",
    }
    row.update(overrides)
    return row


@pytest.fixture
def folder(data_folder):
    """The ten valid incidents of ``data_folder`` with one fully re-read wire page each."""
    write_csv(data_folder / "sources.csv", SOURCE_COLUMNS, [source_row(i) for i in range(1, 11)])
    return data_folder


def _only(failures, check):
    rows = failures[failures["check"] == check]
    assert len(rows) == 1, failures
    return rows.iloc[0]


# ------------------------------------------------------------------ schema


def test_shipped_sources_load_and_follow_the_vocabularies():
    sources = load_sources()
    assert set(sources["outlet_class"]) <= set(OUTLET_CLASSES)
    assert not sources.duplicated(["event_id", "url"]).any()
    assert SourceSchema.to_schema().unique == ["event_id", "url"]


@pytest.mark.parametrize(
    ("overrides", "column", "value"),
    [
        ({"outlet_class": "blog"}, "outlet_class", "blog"),
        ({"supports": "date;rumour"}, "supports", "date;rumour"),
        ({"supports": "date,site"}, "supports", "date,site"),
        ({"url": "example.org/x"}, "url", "example.org/x"),
    ],
)
def test_bad_source_rows_fail_with_line_column_and_value(folder, overrides, column, value):
    rows = [source_row(1), source_row(2, **overrides)]
    path = write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    with pytest.raises(DataValidationError) as info:
        load_sources(path)
    failure = info.value.failures.iloc[0]
    assert (failure["file"], failure["line"], failure["column"], failure["value"]) == (
        str(path),
        3,
        column,
        value,
    )


def test_a_page_listed_twice_for_one_incident_fails(folder):
    path = write_csv(folder / "sources.csv", SOURCE_COLUMNS, [source_row(1), source_row(1)])
    with pytest.raises(DataValidationError, match="duplicated"):
        load_sources(path)


def test_empty_supports_means_not_re_read_and_is_valid(folder):
    path = write_csv(
        folder / "sources.csv", SOURCE_COLUMNS, [source_row(1, supports="", notes="not re-read")]
    )
    assert load_sources(path)["supports"].isna().all()


def test_drone_dropped_is_a_weapon():
    assert "drone_dropped" in WEAPONS


# ------------------------------------------------------------------ rules across the files


def test_crafted_folder_passes(folder):
    assert provenance_failures(folder / "incidents.csv").empty


def test_source_url_without_a_sources_row_fails(folder):
    rows = [source_row(i) for i in range(1, 11) if i != 4]
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    f = _only(provenance_failures(folder / "incidents.csv"), "source_url_in_sources")
    assert (f["file"], f["line"], f["column"], f["value"]) == (
        str(folder / "incidents.csv"),
        5,
        "source_url",
        "https://example.org/report/4",
    )


def test_other_sources_url_without_a_sources_row_fails(folder):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[1]["other_sources"] = "https://example.org/other/2"
    write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    f = _only(provenance_failures(folder / "incidents.csv"), "other_sources_in_sources")
    assert (f["line"], f["column"], f["value"]) == (3, "other_sources", "https://example.org/other/2")


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("weapon", "rocket", "weapon"),
        ("munitions", "3", "munitions"),
        ("outcome", "impact", "outcome"),
        ("us_killed", "0", "casualties"),
        ("us_wounded", "2", "casualties"),
        ("claimed_by", "Islamic Resistance in Iraq", "claim"),
    ],
)
def test_a_value_no_re_read_page_states_fails(folder, column, value, field):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[6][column] = value
    write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    pages = [source_row(i) for i in range(1, 11)]
    pages[6]["supports"] = ";".join(t for t in FULL.split(";") if t != field)
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    f = _only(provenance_failures(folder / "incidents.csv"), "backed_by_source")
    assert (f["line"], f["column"], f["value"]) == (8, column, value)
    assert f"'{field}'" in f["message"]


def test_unknown_values_need_no_backing(folder):
    rows = [incident_row(i, weapon="unknown", outcome="unknown", munitions="") for i in range(1, 11)]
    write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    write_csv(
        folder / "sources.csv", SOURCE_COLUMNS, [source_row(i, supports="date;site") for i in range(1, 11)]
    )
    assert provenance_failures(folder / "incidents.csv").empty


def test_an_unread_page_backs_nothing(folder):
    pages = [source_row(i) for i in range(1, 11)]
    pages[2]["supports"] = "date;site;munitions;outcome"
    pages.append(source_row(3, url="https://example.org/unread/3", supports="", notes="not found"))
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    # The weapon rests only on a page that could not be read: the rule fails on it ...
    f = _only(provenance_failures(folder / "incidents.csv"), "backed_by_source")
    assert (f["line"], f["column"]) == (4, "weapon")
    # ... and the backing table never counts the unread page.
    table = backing_table(load_incidents(folder / "incidents.csv"), load_sources(folder / "sources.csv"))
    weapon = table.set_index("field").loc["weapon"]
    assert (weapon["coded"], weapon["backed"]) == (10, 9)


@pytest.mark.parametrize(("field", "column"), [("date", "event_date"), ("site", "location")])
def test_date_and_site_need_a_page_that_states_them(folder, field, column):
    pages = [source_row(i) for i in range(1, 11)]
    pages[4]["supports"] = ";".join(t for t in FULL.split(";") if t != field)
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    f = _only(provenance_failures(folder / "incidents.csv"), "backed_by_source")
    assert (f["line"], f["column"]) == (6, column)


def test_a_placeholder_site_needs_no_page_naming_it(folder):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[4]["location"] = "Unspecified coalition site (Syria)"
    write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    pages = [source_row(i) for i in range(1, 11)]
    pages[4]["supports"] = "date;weapon;munitions;outcome"
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    assert "backed_by_source" not in set(provenance_failures(folder / "incidents.csv")["check"])


@pytest.mark.parametrize(
    ("target_type", "disputed", "fails"),
    [("base", None, True), ("other", None, False), ("base", "true", False)],
)
def test_the_target_rule_needs_a_page_saying_the_site_or_its_forces_were_hit(
    folder, target_type, disputed, fails
):
    # A placeholder site needs no page naming it, so only the target rule can catch this row.
    rows = [incident_row(i) for i in range(1, 11)]
    rows[4].update(location="Unspecified coalition site (Syria)", target_type=target_type)
    columns = INCIDENT_COLUMNS
    if disputed:
        columns = [*INCIDENT_COLUMNS, "disputed"]
        rows = [{**r, "disputed": "false"} for r in rows]
        rows[4]["disputed"] = disputed
    write_csv(folder / "incidents.csv", columns, rows)
    pages = [source_row(i) for i in range(1, 11)]
    pages[4]["supports"] = "date;weapon;munitions;outcome"
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    failures = provenance_failures(folder / "incidents.csv")
    if fails:
        f = _only(failures, "target_rule")
        assert (f["line"], f["column"], f["value"]) == (6, "target_type", target_type)
        assert "recode target_type other" in f["message"]
    else:
        assert "target_rule" not in set(failures["check"])


def test_official_row_needs_an_official_system(folder):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[0]["confirmation"] = rows[1]["confirmation"] = rows[2]["confirmation"] = "official"
    write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    pages = [source_row(i) for i in range(1, 11)]
    pages[0]["supports"] = FULL + ";coalition_official"
    pages[1]["supports"] = FULL + ";us_official"
    pages[2].update(outlet_class="official", system="us_official")
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    failures = provenance_failures(folder / "incidents.csv")
    # Rows 1 and 3 are official by a quoted coalition official and an official page; row 2
    # too (a quoted US official); so every official row follows from its systems.
    assert failures.empty, failures
    pages[1]["supports"] = FULL
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    f = _only(provenance_failures(folder / "incidents.csv"), "confirmation_follows_systems")
    assert (f["line"], f["column"], f["value"]) == (3, "confirmation", "official")
    assert "must be 'media'" in f["message"]


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ([{"outlet_class": "partisan", "system": "state_media"}], "state_media"),
        (
            [{"outlet_class": "state_affiliated", "system": "state_media", "supports": FULL + ";claim"}],
            "claim",
        ),
        ([{"outlet_class": "regional", "system": "claim", "supports": FULL + ";claim"}], "claim"),
        ([{"outlet_class": "aggregator", "system": "monitor"}], "media"),
        ([{"outlet_class": "aggregator", "system": "coalition_official"}], "official"),
    ],
)
def test_confirmation_follows_the_source_systems(folder, pages, expected):
    rows = [source_row(i) for i in range(1, 11)]
    rows[8].update(pages[0])
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    failures = provenance_failures(folder / "incidents.csv")
    if expected == "media":
        assert failures.empty, failures
        return
    f = _only(failures, "confirmation_follows_systems")
    assert (f["line"], f["column"], f["value"]) == (10, "confirmation", "media")
    assert f"must be '{expected}'" in f["message"]


def test_a_row_with_only_unread_or_unattributed_pages_fails(folder):
    rows = [source_row(i) for i in range(1, 11)]
    rows[3].update(outlet_class="aggregator", system="unattributed")
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    f = _only(provenance_failures(folder / "incidents.csv"), "confirmation_follows_systems")
    assert f["line"] == 5
    assert "no read page of a known system" in f["message"]


@pytest.mark.parametrize(
    ("outlet_class", "system"),
    [
        ("official", "independent_media"),
        ("wire", "state_media"),
        ("partisan", "independent_media"),
        ("monitor", "state_media"),
    ],
)
def test_a_system_its_outlet_class_cannot_carry_fails(folder, outlet_class, system):
    rows = [source_row(i) for i in range(1, 11)]
    rows[2].update(outlet_class=outlet_class, system=system)
    path = write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    failures = provenance_failures(folder / "incidents.csv")
    f = _only(failures, "system_fits_outlet_class")
    assert (f["file"], f["line"], f["column"], f["value"]) == (str(path), 4, "system", system)


def test_source_systems_column_is_joined_by_the_loader(folder):
    rows = [source_row(i) for i in range(1, 11)]
    rows[0]["supports"] = FULL + ";us_official;claim"
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    inc = load_incidents(folder / "incidents.csv")
    systems = dict(zip(inc["event_id"], inc["source_systems"]))
    assert systems["T-0001"] == "us_official;claim;independent_media"
    assert systems["T-0002"] == "independent_media"


def test_sources_row_of_an_unknown_incident_fails(folder):
    pages = [source_row(i) for i in range(1, 11)] + [source_row(99)]
    path = write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    f = _only(provenance_failures(folder / "incidents.csv"), "in_incidents")
    assert (f["file"], f["line"], f["column"], f["value"]) == (str(path), 12, "event_id", "T-0099")


def test_validate_cli_reports_provenance_problems(folder, capsys):
    rows = [source_row(i) for i in range(1, 11) if i != 4]
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, rows)
    assert main(["validate", str(folder / "incidents.csv")]) == 1
    out = capsys.readouterr().out
    assert f"{folder / 'incidents.csv'}:5: source_url = 'https://example.org/report/4'" in out


def test_a_field_over_the_csv_modules_limit_is_a_row_error_not_a_crash(folder, capsys):
    rows = [incident_row(i) for i in range(1, 11)]
    rows[2]["summary"] = "x" * 200_000  # over the csv module's 128 KiB field limit
    write_csv(folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    pages = [source_row(i) for i in range(1, 11)]
    pages[5]["notes"] = "y" * 200_000
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    assert main(["validate", str(folder / "incidents.csv")]) == 1
    out = capsys.readouterr().out
    assert f"{folder / 'incidents.csv'}:4: summary 'xxxx" in out and "Traceback" not in out


def test_shipped_data_passes_every_rule(capsys):
    assert provenance_failures(data_dir() / "incidents.csv").empty
    assert main(["validate"]) == 0
    assert "every cited page listed" in capsys.readouterr().out


def test_every_shipped_incident_has_its_source_url_in_sources():
    incidents, sources = load_incidents(), load_sources()
    pairs = set(zip(sources["event_id"], sources["url"]))
    assert all((e, u) in pairs for e, u in zip(incidents["event_id"], incidents["source_url"]))


# ------------------------------------------------------------------ independent scope


def test_independent_source_is_joined_at_load_time(folder):
    pages = [source_row(i) for i in range(1, 11)]
    pages[0]["outlet_class"] = "partisan"
    pages[1]["outlet_class"] = "aggregator"
    pages[2]["outlet_class"] = "state_affiliated"
    pages.append(source_row(3, url="https://example.org/more/3", outlet_class="regional"))
    write_csv(folder / "sources.csv", SOURCE_COLUMNS, pages)
    incidents = load_incidents(folder / "incidents.csv")
    flags = dict(zip(incidents["event_id"], incidents["independent_source"].tolist()))
    assert flags["T-0001"] is False and flags["T-0002"] is False  # partisan only; aggregator only
    assert flags["T-0003"] is True and flags["T-0004"] is True
    kept = get_scope("independent").select(incidents)["event_id"]
    assert set(kept) == {f"T-{i:04d}" for i in range(3, 11)}
    assert len(get_scope("pentagon").select(incidents)) == 10


def test_independent_source_is_not_written_back(folder, tmp_path):
    incidents = load_incidents(folder / "incidents.csv")
    assert "independent_source" in incidents
    out = save_csv(incidents, tmp_path / "copy" / "incidents.csv")
    assert "independent_source" not in out.read_text().splitlines()[0]


def test_independent_scope_needs_provenance(data_folder):
    incidents = load_incidents(data_folder / "incidents.csv")
    assert "independent_source" not in incidents
    with pytest.raises(ArgumentError, match="sources"):
        get_scope("independent").select(incidents)


def test_shipped_independent_scope_is_a_subset_of_the_default():
    incidents = load_incidents()
    assert incidents["independent_source"].notna().all()
    default = set(get_scope("pentagon").select(incidents)["event_id"])
    independent = set(get_scope("independent").select(incidents)["event_id"])
    assert independent < default
    sources = load_sources()
    assert independent_source(incidents, sources).equals(incidents["independent_source"])

"""ACLED import: the filter, each mapping, and the round trip through the CLI.

Every ACLED-format row here is made up in this file; no ACLED data is committed.
"""

from __future__ import annotations

import csv
import warnings

import pandas as pd
import pytest

from analysis import DataValidationError, load_incidents
from analysis.acled import ACLED_COLUMNS, ACLED_URL, acled_locations, from_acled
from analysis.cli import main
from analysis.schema import IncidentSchema, LocationSchema

US = "Military Forces of the United States (2021-)"


def acled_row(i: int, **changes: str) -> dict[str, str]:
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        event_id_cnty=f"IRQ{i}",
        event_date="2023-10-18",
        year="2023",
        time_precision="1",
        disorder_type="Political violence",
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        actor1="Islamic Resistance in Iraq",
        actor2=US,
        inter1="3",
        inter2="8",
        interaction="38",
        iso="368",
        region="Middle East",
        country="Iraq",
        admin1="Anbar",
        admin2="Heet",
        location="Ain al-Asad",
        latitude="33.8",
        longitude="42.44",
        geo_precision="1",
        source="Shafaq News; Rudaw",
        source_scale="National",
        notes=f"Drones were launched at Ain al-Asad air base, report {i}.",
        fatalities="0",
        timestamp="1700000000",
    )
    row.update(changes)
    return row


def write_acled(path, rows: list[dict]) -> str:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=ACLED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


#: event id -> (row changes, expected weapon, expected target_type); all kept.
KEPT = {
    "IRQ1": ({}, "one_way_drone", "base"),
    "IRQ2": (
        {"sub_event_type": "Shelling/artillery/missile attack", "notes": "Rockets hit the base."},
        "rocket",
        "base",
    ),
    "IRQ3": (
        {
            "sub_event_type": "Shelling/artillery/missile attack",
            "notes": "A ballistic missile struck the base.",
        },
        "ballistic_missile",
        "base",
    ),
    "IRQ4": (
        {"sub_event_type": "Shelling/artillery/missile attack", "notes": "Mortar shells landed inside."},
        "mortar",
        "base",
    ),
    "IRQ5": (
        {
            "sub_event_type": "Remote explosive/landmine/IED",
            "notes": "An IED hit a logistics convoy for the coalition.",
        },
        "ied",
        "convoy",
    ),
    "IRQ6": (
        # Its own site: one location holds one target type (the schema's one_target_type_per_site).
        {
            "sub_event_type": "Armed clash",
            "notes": "Gunmen fired at the US embassy guards.",
            "admin1": "Baghdad",
            "location": "Baghdad - Green Zone",
            "latitude": "33.30",
            "longitude": "44.40",
        },
        "small_arms",
        "diplomatic",
    ),
    "IRQ7": ({"sub_event_type": "Grenade"}, "unknown", "base"),
    # Found by the notes alone: the target side is not coded as US.
    "IRQ8": (
        {"actor2": "", "notes": "Rockets targeted the Victory base hosting US troops near Baghdad."},
        "one_way_drone",
        "base",
    ),
    "IRQ9": ({"actor2": "", "assoc_actor_2": "Global Coalition Against Daesh"}, "one_way_drone", "base"),
    "SYR10": (
        {
            "country": "Syria",
            "event_date": "17 October 2023",
            "location": "Al Tanf",
            "latitude": "33.5",
            "longitude": "38.6",
        },
        "one_way_drone",
        "base",
    ),
    "JOR11": (
        {
            "country": "Jordan",
            "location": "Tower 22",
            "latitude": "33.3",
            "longitude": "38.7",
            "notes": "Drone attack on US forces at Tower 22; 3 US soldiers were killed and "
            "40 US service members wounded.",
        },
        "one_way_drone",
        "base",
    ),
}
#: event id -> row changes; all dropped by the filter.
DROPPED = {
    "LBN12": {"country": "Lebanon"},
    "IRQ13": {"actor1": US, "actor2": "Kataib Hezbollah", "notes": "US forces struck a militia depot."},
    "IRQ14": {"actor2": "Civilians (Iraq)", "notes": "A drone hit a checkpoint in Heet."},
    "IRQ15": {"actor2": "Fatah Coalition", "notes": "Gunmen attacked the party office."},
    "IRQ16": {"actor2": "", "assoc_actor_1": "Coalition Forces", "notes": "Coalition forces hit a hideout."},
}


@pytest.fixture
def acled_frame() -> pd.DataFrame:
    rows = [acled_row(0, **changes) | {"event_id_cnty": eid} for eid, (changes, _, _) in KEPT.items()]
    rows += [acled_row(0, **changes) | {"event_id_cnty": eid} for eid, changes in DROPPED.items()]
    return pd.DataFrame(rows, columns=ACLED_COLUMNS)


def test_filter_keeps_only_us_or_coalition_targets_in_the_region(acled_frame):
    out = from_acled(acled_frame)
    assert list(out["event_id"]) == list(KEPT)
    everything = from_acled(acled_frame, us_forces_only=False)
    assert set(everything["event_id"]) == set(KEPT) | set(DROPPED) - {"LBN12"}


def test_each_mapping(acled_frame):
    out = from_acled(acled_frame).set_index("event_id")
    for eid, (_, weapon, target) in KEPT.items():
        assert (out.loc[eid, "weapon"], out.loc[eid, "target_type"]) == (weapon, target), eid
    assert list(out.columns) == [c for c in IncidentSchema.to_schema().columns if c != "event_id"]
    assert out.loc["SYR10", "event_date"] == pd.Timestamp("2023-10-17")  # "17 October 2023"
    assert out.loc["IRQ1", "event_date"] == pd.Timestamp("2023-10-18")
    assert (out["outcome"] == "unknown").all() and (out["confirmation"] == "media").all()
    assert (out["actor_class"] == "militia").all()
    assert out["munitions"].isna().all()
    assert out.loc["JOR11", "us_killed"] == 3 and out.loc["JOR11", "us_wounded"] == 40
    assert pd.isna(out.loc["IRQ1", "us_killed"])  # unknown stays unknown, not 0
    assert out.loc["IRQ1", "source_url"] == ACLED_URL.format(event_id="IRQ1")
    assert out["other_sources"].isna().all()  # source names are not URLs
    assert out.loc["IRQ1", "summary"].endswith("(ACLED IRQ1; sources: Shafaq News; Rudaw)")
    assert (out[["time_precision", "geo_precision"]] == 1).all().all()


def test_summary_fits_and_stays_plain_text_and_urls_go_to_other_sources():
    row = acled_row(1, notes="Rockets <b>hit</b> the base. " * 40, source="Rudaw; https://example.org/x")
    out = from_acled(pd.DataFrame([row]))
    summary = out.loc[0, "summary"]
    assert len(summary) <= 400 and "<" not in summary and summary.endswith("(ACLED IRQ1; sources: Rudaw)")
    assert out.loc[0, "other_sources"] == "https://example.org/x"
    IncidentSchema.validate(out)


def test_output_validates_against_the_schema(acled_frame):
    IncidentSchema.validate(from_acled(acled_frame), lazy=True)
    sites = acled_locations(from_acled(acled_frame))
    LocationSchema.validate(sites, lazy=True)
    assert sites["location"].is_unique
    assert set(sites["location"]) == set(from_acled(acled_frame)["location"])


def test_locations_outside_the_region_are_left_without_coordinates():
    sites = acled_locations(
        pd.DataFrame(
            {
                "location": ["Far"],
                "country": ["Iraq"],
                "admin1": ["X"],
                "latitude": [51.5],
                "longitude": [-0.1],
                "geo_precision": [1],
            }
        )
    )
    assert sites[["latitude", "longitude"]].isna().all().all()


def test_missing_column_is_a_clear_error(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text("event_id_cnty,event_date\nIRQ1,2023-10-18\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        from_acled(path)
    assert "missing column" in str(info.value) and f"{path}:1:" in str(info.value)
    with pytest.raises(ValueError, match="missing column"):
        from_acled(pd.DataFrame({"event_id_cnty": ["IRQ1"]}))


def test_cli_round_trip(acled_frame, tmp_path, capsys):
    source = write_acled(tmp_path / "export.csv", acled_frame.to_dict("records"))
    out = tmp_path / "out" / "acled_incidents.csv"
    assert main(["import-acled", source, "-o", str(out)]) == 0
    locations = out.with_name("acled_incidents_locations.csv")
    assert locations.exists() and not out.with_name("acled_incidents_excluded.csv").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_incidents(out, locations=locations)
    expected = (
        from_acled(source).sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(loaded, expected)
    assert "11 incidents" in capsys.readouterr().out


def test_cli_excludes_invalid_events_with_reasons(acled_frame, tmp_path, capsys):
    rows = acled_frame.to_dict("records")
    rows[0]["event_date"] = "31 Febtember 2023"
    rows[1]["latitude"] = "60.0"
    source = write_acled(tmp_path / "export.csv", rows)
    out = tmp_path / "incidents.csv"
    assert main(["import-acled", source, "-o", str(out), "--locations", str(tmp_path / "locations.csv")]) == 1
    excluded = pd.read_csv(tmp_path / "incidents_excluded.csv")
    assert list(excluded["event_id"]) == ["IRQ1", "IRQ2"]
    assert "event_date" in excluded["reason"].iloc[0] and "latitude" in excluded["reason"].iloc[1]
    # What is left loads cleanly with the default gazetteer beside it.
    assert len(load_incidents(out)) == len(KEPT) - 2
    assert "INVALID 2 of 11" in capsys.readouterr().out


def test_cli_errors_exit_1_or_2(tmp_path, capsys):
    assert main(["import-acled", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.csv")]) == 1
    assert "file not found" in capsys.readouterr().err
    assert main(["import-acled", str(tmp_path / "missing.csv")]) == 2  # no -o
    assert main(["import-acled", str(tmp_path / "a.csv"), "-o", str(tmp_path / "x.txt")]) == 2


def test_a_frame_read_with_inferred_types_gives_the_same(acled_frame, tmp_path):
    source = write_acled(tmp_path / "export.csv", acled_frame.to_dict("records"))
    inferred = pd.read_csv(source)  # numbers become floats and ints
    pd.testing.assert_frame_equal(from_acled(inferred), from_acled(source))

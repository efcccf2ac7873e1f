"""The fast path's rules are read from the pandera model, not restated (analysis.data.rules)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.csv as pacsv
import pytest
from conftest import INCIDENT_COLUMNS, incident_row, write_csv

import analysis.data.validate as validate
from analysis import DataValidationError, load_incidents
from analysis.data.parse import typed_frame
from analysis.data.rules import compile_rules, start_text_rules, suspect_rows
from analysis.schema import OPTIONAL_COLUMNS, SCHEMAS, WEAPONS


def _raw(path: Path) -> pd.DataFrame:
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={c: pyarrow.large_string() for c in INCIDENT_COLUMNS}, strings_can_be_null=True
        ),
    )
    # As the loader does: optional columns the file leaves out (disputed) are present and empty.
    return validate._with_optional(table.to_pandas(), OPTIONAL_COLUMNS["incidents"])


def _suspects(schema: pa.DataFrameSchema, raw: pd.DataFrame) -> list[int]:
    rules = compile_rules(schema)
    with ThreadPoolExecutor(2) as pool:
        started = start_text_rules(rules, raw, pool)
        typed, parsed, distinct = typed_frame(schema, raw, pool)
        suspect = suspect_rows(schema, rules, typed, started)
        # Checking each distinct value once gives the same rows as checking every row.
        assert (suspect_rows(schema, rules, typed, started, distinct) == suspect).all()
    return sorted(set(np.flatnonzero(suspect)) | {f[0] for f in parsed})


@pytest.fixture
def mixed(data_folder) -> pd.DataFrame:
    weapons = ["rocket", "mortar", "one_way_drone", "rocket", "ied", "mortar"]
    rows = [
        incident_row(i + 1, weapon=w, munitions=str(i), summary="x" * (10 + 5 * i))
        for i, w in enumerate(weapons)
    ]
    return _raw(write_csv(data_folder / "mixed.csv", INCIDENT_COLUMNS, rows))


def _with_checks(column: str, *checks: pa.Check) -> pa.DataFrameSchema:
    return SCHEMAS["incidents"].to_schema().update_column(column, checks=list(checks))


def test_the_shipped_model_accepts_the_rows(mixed):
    assert _suspects(SCHEMAS["incidents"].to_schema(), mixed) == []


def test_changing_an_isin_list_changes_what_the_fast_path_accepts(mixed):
    no_rockets = _with_checks("weapon", pa.Check.isin([w for w in WEAPONS if w != "rocket"]))
    assert _suspects(no_rockets, mixed) == [0, 3]
    only_mortars = _with_checks("weapon", pa.Check.isin(["mortar"]))
    assert _suspects(only_mortars, mixed) == [0, 2, 3, 4]


def test_bounds_lengths_and_patterns_come_from_the_check_statistics(mixed):
    assert _suspects(_with_checks("munitions", pa.Check.ge(3)), mixed) == [0, 1, 2]
    assert _suspects(_with_checks("munitions", pa.Check.in_range(1, 4)), mixed) == [0, 5]
    assert _suspects(_with_checks("summary", pa.Check.str_length(max_value=20)), mixed) == [3, 4, 5]
    assert _suspects(_with_checks("weapon", pa.Check.str_matches(r"^[a-z]+$")), mixed) == [2]
    # A rule without a pyarrow form is run as the model's own Check object.
    assert _suspects(_with_checks("weapon", pa.Check(lambda s: s.str.len() > 3, name="long")), mixed) == [4]


def test_nullable_and_unique_come_from_the_model(mixed):
    schema = SCHEMAS["incidents"].to_schema()
    mixed.loc[1, "admin1"] = None
    assert _suspects(schema, mixed) == []
    assert _suspects(schema.update_column("admin1", nullable=False), mixed) == [1]
    assert _suspects(schema.update_column("weapon", unique=True), mixed) == [0, 1, 3, 5]


def test_every_text_rule_agrees_with_pandera_on_awkward_values():
    """For each model's text rules, the pyarrow form says 'fails' exactly where pandera's Check does."""
    samples = [
        "rocket",
        "Rocket",
        " rocket",
        "https://a.b/c",
        "https://a.b/c\n",
        "https://a\u00a0b",
        "T-0001",
        "a < b",
        "<b>bold</b>",
        "ten chars!",
        "x" * 401,
        "\u00e9t\u00e9 2024 report",
        "all",
        "subset",
        None,
    ]
    series = pd.Series(samples, dtype="str")
    text = pyarrow.array(series.array)
    checked = 0
    for model in SCHEMAS.values():
        for rule in compile_rules(model.to_schema()):
            if rule.text is None:
                continue
            check = next(c for c in model.to_schema().columns[rule.column].checks if c.name == rule.name)
            ours = rule.text(text).to_numpy(zero_copy_only=False)
            output = check(series).check_output.reindex(series.index, fill_value=True)
            np.testing.assert_array_equal(
                ours, ~output.to_numpy(dtype=bool), err_msg=f"{rule.column} {rule.name}"
            )
            checked += 1
    assert checked >= 10


def test_no_private_pandera_calls():
    source = "".join(p.read_text() for p in Path(validate.__file__).parent.glob("*.py"))
    assert "_check_fn" not in source and "_check_kwargs" not in source


def test_a_schema_change_reaches_the_loader(data_folder, monkeypatch):
    path = data_folder / "incidents.csv"
    assert len(load_incidents(path)) == 10

    only_mortars = _with_checks("weapon", pa.Check.isin(["mortar"]))

    class NoRockets:
        @staticmethod
        def to_schema():
            return only_mortars

    monkeypatch.setitem(validate.SCHEMAS, "incidents", NoRockets)
    with pytest.raises(DataValidationError) as info:
        load_incidents(path)
    failures = info.value.failures
    assert list(failures["line"]) == list(range(2, 12))
    assert set(failures["column"]) == {"weapon"} and set(failures["value"]) == {"rocket"}

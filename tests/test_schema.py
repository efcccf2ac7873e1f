import pandas as pd
import pandera.pandas as pa
import pytest

from analysis.schema import SCHEMAS, IncidentSchema


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_every_column_is_described_and_config_is_strict(kind):
    schema = SCHEMAS[kind].to_schema()
    assert schema.strict is True and schema.coerce is True
    assert schema.unique
    for name, column in schema.columns.items():
        assert column.description, f"{kind}.{name} has no description"


def test_lat_lon_rule_spans_columns():
    schema = IncidentSchema.to_schema()
    check = next(c for c in schema.checks if c.name == "lat_lon_pair_in_region")
    frame = pd.DataFrame({"latitude": [33.8, None, 33.8, 10.0], "longitude": [42.4, None, None, 42.4]})
    assert check(frame).check_output.tolist() == [True, True, False, False]
    assert isinstance(check, pa.Check)


def test_one_target_type_per_site_flags_the_odd_row_and_spares_other():
    schema = IncidentSchema.to_schema()
    check = next(c for c in schema.checks if c.name == "one_target_type_per_site")
    frame = pd.DataFrame(
        {
            "location": ["Victory", "Victory", "Victory", "Victory", "Erbil", "Erbil"],
            "target_type": ["base", "base", "diplomatic", "other", "base", "diplomatic"],
        }
    )
    # The lone diplomatic Victory row fails; 'other' (downed away) is exempt; a tie fails both rows.
    assert check(frame).check_output.tolist() == [True, True, False, True, False, False]

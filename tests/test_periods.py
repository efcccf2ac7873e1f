import datetime as dt

import pytest

from analysis import DataValidationError, Period, load_periods
from analysis.periods import PeriodError, check_periods


def test_shipped_periods_have_calm_and_surge():
    periods = {p.name: p for p in load_periods()}
    assert periods["surge"].start == dt.date(2023, 10, 17)
    assert periods["calm"].end == dt.date(2023, 10, 16)
    for p in periods.values():
        assert p.source_url.startswith("http") and p.rationale


def test_days_is_inclusive():
    assert Period("d", "D", dt.date(2024, 1, 1), dt.date(2024, 1, 1)).days == 1


def _write(tmp_path, text):
    path = tmp_path / "periods.toml"
    path.write_text(text)
    return path


def test_start_after_end_names_line(tmp_path):
    path = _write(
        tmp_path,
        '[[period]]\nname = "a"\nlabel = "A"\nstart = 2020-02-01\nend = 2020-01-01\n',
    )
    with pytest.raises(DataValidationError) as info:
        load_periods(path)
    f = info.value.failures.iloc[0]
    assert f["line"] == 2 and "after end" in f["message"]


def test_duplicate_names_rejected(tmp_path):
    block = '[[period]]\nname = "a"\nlabel = "A"\nstart = 2020-01-01\nend = 2020-01-31\n'
    with pytest.raises(DataValidationError, match="used twice"):
        load_periods(_write(tmp_path, block + block))


def test_bad_toml_reports_line(tmp_path):
    with pytest.raises(DataValidationError) as info:
        load_periods(_write(tmp_path, '[[period]]\nname = "a\n'))
    assert info.value.failures.iloc[0]["line"] == 2


def test_overlap_is_an_error_only_when_asked():
    a = Period("a", "A", dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    b = Period("b", "B", dt.date(2020, 1, 31), dt.date(2020, 2, 28))
    assert len(check_periods([a, b])) == 2
    with pytest.raises(PeriodError, match="overlap"):
        check_periods([a, b], allow_overlap=False)


def test_a_period_past_data_through_is_left_out_with_a_warning_and_counted_in_the_table():
    import analysis
    from analysis.periods import Period, covered_periods, periods_table

    ps = [
        Period("war", "War", "2026-02-28", "2026-04-07"),
        Period("ceasefire", "Ceasefire", "2026-04-08", "2026-06-30"),
    ]
    through = ("2019-10-01", "2026-03-18")
    with pytest.warns(analysis.DataQualityWarning, match="ceasefire"):
        kept = covered_periods(ps, through)
    assert [p.name for p in kept] == ["war"]
    assert periods_table(ps, through)["covered_days"].tolist() == [19, 0]

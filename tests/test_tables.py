import pandas as pd

from analysis.tables import format_table, neutralise_formulas, write_table


def test_write_table_three_formats_and_formula_safety(tmp_path):
    frame = pd.DataFrame({"name": ['=HYPERLINK("x")', "+cmd", "plain"], "value": [1.23456, -2.0, None]})
    paths = write_table(frame, tmp_path / "t")
    csv_text = paths[0].read_text()
    assert "'=HYPERLINK" in csv_text and "'+cmd" in csv_text
    assert ",-2\n" in csv_text  # numbers are not neutralised
    assert "| name" in paths[1].read_text()
    assert "\\begin{tabular}" in paths[2].read_text()


def test_format_table_significant_digits_and_dates():
    out = format_table(
        pd.DataFrame({"d": pd.to_datetime(["2024-01-05"]), "x": [34.0541], "n": [float("nan")]})
    )
    assert out.iloc[0].tolist() == ["2024-01-05", "34.1", ""]


def test_neutralise_leaves_safe_text():
    assert neutralise_formulas(pd.DataFrame({"s": ["ok", None]}))["s"].tolist()[0] == "ok"

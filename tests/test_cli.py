import subprocess
import sys

from conftest import INCIDENT_COLUMNS, incident_row, write_csv

from analysis.cli import main


def test_validate_shipped_data_exits_0(capsys):
    assert main(["validate"]) == 0
    assert "ok" in capsys.readouterr().out


def test_invalid_file_exits_1_without_traceback(data_folder):
    rows = [incident_row(1), incident_row(2, weapon="laser")]
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert f"{path}:3" in proc.stdout and "weapon" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_excluded_rows_are_written(data_folder, tmp_path):
    rows = [incident_row(1), incident_row(2, weapon="laser")]
    path = write_csv(data_folder / "incidents.csv", INCIDENT_COLUMNS, rows)
    out = tmp_path / "excluded.csv"
    assert main(["validate", str(path), "--excluded", str(out)]) == 1
    text = out.read_text()
    assert "weapon" in text and ",3," in text


def test_usage_error_exits_2():
    assert main(["no-such-command"]) == 2

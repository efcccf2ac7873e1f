"""The quickstart notebook runs in a real kernel and says what it should."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_notebook_executes_and_reports_the_surge():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for c in code for o in c.outputs
    )
    assert "calm" in text and "surge" in text
    assert "surge:" in text and "x the calm" in text
    assert "<PeriodComparison: 11 periods" in text
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2
    assert not any(o.get("output_type") == "error" for c in code for o in c.outputs)

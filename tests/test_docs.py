"""The documentation site's sources: the API reference lists every public name, every method page a study."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import analysis

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_api_reference_lists_every_public_name_once():
    listed = re.findall(r"^   ([A-Za-z_]\w*)$", (DOCS / "api.md").read_text(encoding="utf-8"), flags=re.M)
    assert sorted(listed) == sorted(set(listed)), "listed twice"
    assert set(listed) == set(analysis.__all__)


def test_every_method_page_names_a_result_with_assumptions_and_existing_studies():
    sys.path.insert(0, str(DOCS))
    try:
        import generate
    finally:
        sys.path.remove(str(DOCS))
    for _title, module, result, _references, studies in generate.METHODS.values():
        assert generate._object(result).assumptions, result
        __import__(module)
        for study in studies:
            assert study in ("coverage", "mse") or (generate.RESULTS / study).is_file(), study
    assert generate._rubrics("Model\n-----\ntext") == ".. rubric:: Model\n\ntext"

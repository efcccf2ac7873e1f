"""Sphinx configuration of the documentation site (`make docs`; warnings are errors in CI).

Sphinx with numpydoc because the docstrings are numpydoc already; myst-nb renders the two notebooks
(executed at build time, no network); the gallery and the method pages are written by
docs/generate.py from the report's declared artefacts and from benchmarks/results/.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402

import analysis  # noqa: E402

generate.main()

project = "attack-rates"
author = "US Forces Attack Record maintainers"
copyright = "US Forces Attack Record maintainers; code MIT, data CC-BY-4.0"
version = release = analysis.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "research", "README.md", "data_dictionary.md", "**/.ipynb_checkpoints"]
nb_execution_mode = "force"
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_in_temp = True

autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_class_members_toctree = False

html_theme = "alabaster"
html_title = f"attack-rates {release}"
html_static_path: list[str] = []
html_last_updated_fmt = None

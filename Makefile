# Replication-package style: real file targets, so only stale outputs rebuild.
# `make` alone prints this help from the `## ` comments.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATA := $(wildcard data/*.csv) data/periods.toml
SRC := $(shell find analysis -name '*.py' -o -name '*.mplstyle' -o -name '*.html' -o -name '*.css' -o -name '*.js')

.PHONY: help report test test-fast validate lint format docs clean lab

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_.\/-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# analysis/__init__.py holds the version, which the installed metadata copies.
.venv: pyproject.toml analysis/__init__.py ## Create the virtual environment and install the package (re-run when pyproject.toml or the version changes)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,notebook,scale,bench,docs]'
	touch $(VENV)

report: reports/index.html ## Rebuild reports/ from data/ (only when data/ or analysis/ changed)
	@echo "report: $(CURDIR)/reports/index.html"

reports/index.html: $(DATA) $(SRC) $(VENV)
	$(PY) -m analysis report --out reports

test: $(VENV) ## Run the whole test suite and every docstring example in analysis/
	$(PY) -m pytest -q

test-fast: $(VENV) ## Run the tests and examples, leaving out those marked slow (report builds, browser, simulation studies), on 2 workers
	$(PY) -m pytest -q -m "not slow" -n 2

validate: $(VENV) ## Validate every data file; write reports/excluded_rows.csv
	$(PY) -m analysis validate --excluded reports/excluded_rows.csv

docs: docs/data_dictionary.md data/datapackage.json $(VENV) ## Build the documentation site in docs/_build/html (Sphinx, warnings are errors); regenerates the data dictionary first
	rm -rf docs/_build docs/_generated
	$(PY) -m sphinx -b html -W --keep-going -q docs docs/_build/html
	@echo "docs: $(CURDIR)/docs/_build/html/index.html ($$(find docs/_build/html -name '*.html' | wc -l) pages)"

docs/data_dictionary.md data/datapackage.json &: analysis/schema.py analysis/datapackage.py $(wildcard data/*.csv) $(VENV)
	$(PY) -m analysis docs

lab: $(VENV) ## Open JupyterLab from the project's environment, in notebooks/
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

lint: $(VENV) ## Check style and formatting with ruff (ruff check, ruff format --check) and types with mypy
	$(PY) -m ruff check analysis tests benchmarks docs conftest.py
	$(PY) -m ruff format --check analysis tests benchmarks docs conftest.py
	$(PY) -m mypy

format: $(VENV) ## Format the code with ruff format
	$(PY) -m ruff format analysis tests benchmarks docs conftest.py

clean: ## Remove built reports and caches (never touches data/)
	rm -rf reports/figures reports/tables reports/index.html reports/summary.md reports/excluded_rows.csv reports/.cache
	rm -rf .pytest_cache .ruff_cache build *.egg-info docs/_build docs/_generated
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +

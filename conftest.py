"""Root pytest configuration: applies to the docstring examples in analysis/ and to tests/."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _plain_numpy_scalars_in_examples(request):
    """Docstring examples print NumPy scalars as plain Python ones (``True``, not ``np.True_``).

    NumPy 2 shows ``np.True_`` and ``np.float64(0.5)``; an example reads better without them,
    and readers on NumPy 1.x see the same text. Tests are not affected.
    """
    if not isinstance(request.node, pytest.Function):  # a docstring example
        with np.printoptions(legacy="1.25"):
            yield
    else:
        yield


@pytest.fixture(scope="session")
def _shipped():
    """The shipped incident list and study, read once for every docstring example."""
    import warnings

    import analysis

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analysis.load_incidents(), analysis.load_study()


@pytest.fixture(autouse=True)
def _example_names(request, doctest_namespace):
    """Names docstring examples may use without importing: pd, np, and the shipped data as
    ``incidents`` and ``study`` (read only by the examples that use them)."""
    import pandas as pd

    doctest_namespace.update(pd=pd, np=np)
    if not isinstance(request.node, pytest.Function):
        text = request.node.dtest.docstring or "" if hasattr(request.node, "dtest") else ""
        if "incidents" in text or "study" in text:
            incidents, study = request.getfixturevalue("_shipped")
            doctest_namespace.update(incidents=incidents, study=study)
    yield


#: Docstring examples that fit a model with a bootstrap (seconds each): run by `make test`, not `make test-fast`.
SLOW_EXAMPLES = ("analysis.models.mse.adjusted_ratio.undercount_adjusted_ratio",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.name in SLOW_EXAMPLES:
            item.add_marker(pytest.mark.slow)

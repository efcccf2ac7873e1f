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

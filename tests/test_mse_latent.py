"""Tests for analysis.models.mse.latent: the two-class latent-class model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import StatisticalWarning
from analysis.models.mse import estimate_undercount

THREE = pd.DataFrame(
    {
        "A": [1, 0, 0, 1, 1, 0, 1],
        "B": [0, 1, 0, 1, 0, 1, 1],
        "C": [0, 0, 1, 0, 1, 1, 1],
        "count": [30, 25, 20, 12, 10, 8, 5],
    }
)


def test_latent_class_recovers_a_heterogeneous_total():
    rng = np.random.default_rng(5)
    N = 3000
    big = rng.random(N) < 0.3
    p = np.where(big[:, None], 0.7, np.array([0.1, 0.2, 0.25, 0.15]))
    caught = (rng.random((N, 4)) < p).astype(int)
    seen = pd.DataFrame(caught[caught.any(axis=1)], columns=list("ABCD"))
    res = estimate_undercount(seen, heterogeneity="latent_class", n_boot=0)
    assert res.table["estimate"].iloc[0] == pytest.approx(N, rel=0.12)
    independence = estimate_undercount(seen, estimator="best", n_boot=0).models
    naive = independence.set_index("model").loc["independence", "estimate"]
    assert naive < 0.9 * N  # heterogeneity biases the independence model down


def test_latent_class_needs_four_lists():
    with pytest.warns(StatisticalWarning, match="four or more lists"):
        res = estimate_undercount(THREE, heterogeneity="latent_class", n_boot=0)
    assert np.isnan(res.table["estimate"].iloc[0])

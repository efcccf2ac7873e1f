"""How many attacks did every source miss? Multiple systems estimation (capture-recapture).

Several documentation systems report attacks: US officials, coalition or host-government
officials, militia claim channels, independent media, monitors and state-affiliated media
(the ``source_systems`` column :func:`analysis.load_incidents` derives from
``data/sources.csv``). Which systems documented each attack is its *capture history*;
the pattern of overlaps between the lists estimates how many attacks none of them
documented.

Model
-----
Log-linear models for a closed population (Fienberg 1972; Bishop, Fienberg and Holland
1975, ch. 6): the counts of the 2^k - 1 observable histories are Poisson with
``log mu = u + sum of list effects + chosen two-list interactions``; the unobserved cell
(no list) is ``exp(u)``. Every hierarchical model with main effects and any set of two-list
interactions is fitted (64 models for 4 lists, 1,024 for 5). A model whose fit runs to the
boundary (an interaction or the missing cell pushed to infinity by empty cells) has no
estimate and is left out of the choice.

- **choice**: the model with the lowest information criterion (AIC by default, BIC on
  request), and an average of every estimable model weighted by ``exp(-IC / 2)``
  (Buckland, Burnham and Augustin 1997);
- **intervals**: per model, the profile likelihood of the total (Cormack 1992, as in R's
  ``Rcapture::closedpCI.t``); for the choice and the average, a parametric bootstrap from
  the averaged fit that repeats the model choice in every draw, so the interval carries the
  uncertainty of choosing the model;
- **heterogeneity**: two-list interactions absorb dependence between pairs of lists and
  some heterogeneity of catchability (big attacks reported by everyone); a latent-class
  alternative is :func:`estimate_undercount` with ``heterogeneity="latent_class"``
  (a two-class model of independent lists within class, fitted by EM; Agresti 1994).

Assumptions (said in every summary): the population of each stratum is closed (an attack
happened or not, once); each system is one list (a page belongs to one system; a repost
belongs to its origin); events are matched across lists without error (duplicates resolved
first: a duplicate looks like two one-list events and inflates the estimate); the highest
order interaction (all lists together) is zero.

References
----------
Bishop, Fienberg and Holland (1975), *Discrete Multivariate Analysis*, ch. 6.
Cormack (1992), Interval estimation for mark-recapture studies of closed populations,
*Biometrics* 48, 567-576.
Buckland, Burnham and Augustin (1997), Model selection: an integral part of inference,
*Biometrics* 53, 603-618.
Ball et al. (2002), *Killings and Refugee Flow in Kosovo*; Silverman (2020), Multiple-systems
analysis for the quantification of modern slavery, *JRSS A* 183.

Examples
--------
>>> import pandas as pd
>>> hist = pd.DataFrame({"A": [1, 0, 0, 1, 1, 0, 1], "B": [0, 1, 0, 1, 0, 1, 1],
...                      "C": [0, 0, 1, 0, 1, 1, 1], "count": [30, 25, 20, 12, 10, 8, 5]})
>>> res = estimate_undercount(hist, n_boot=0)
>>> res.table[["stratum", "observed"]].iloc[0].tolist()
['all', 110]
"""

from __future__ import annotations

from analysis.models.mse.adjusted_ratio import undercount_adjusted_ratio
from analysis.models.mse.estimate import estimate_undercount

# The underscored names are private; the tests and the benchmarks import them from here.
from analysis.models.mse.histories import (
    DEFAULT_LISTS,
    _as_cells,  # noqa: F401
    capture_histories,
)
from analysis.models.mse.loglinear import (
    _design,  # noqa: F401
    _fit_all,  # noqa: F401
    _newton,  # noqa: F401
    _profile_interval,  # noqa: F401
    fit_loglinear,
    loglinear_models,
)
from analysis.models.mse.result import AdjustedRatio, UndercountResult
from analysis.models.mse.tally_windows import undercount_in_tally_windows

__all__ = [
    "DEFAULT_LISTS",
    "AdjustedRatio",
    "UndercountResult",
    "capture_histories",
    "estimate_undercount",
    "fit_loglinear",
    "loglinear_models",
    "undercount_adjusted_ratio",
    "undercount_in_tally_windows",
]

"""The README's Jupyter quickstart, run from outside the repository against an installed wheel.

.ci/wheel runs it in a fresh virtual environment from a temporary folder, so nothing of the
checkout is importable or readable: the data must come from the package itself.
"""

import warnings

import analysis
from analysis.data import data_source

folder, how = data_source()
assert how == "packaged", f"data read from {folder} ({how}), not from the installed package"
incidents = analysis.load_incidents()
study = analysis.load_study()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    result = analysis.compare_periods(incidents, study=study)
row = result.table.query("period == @study.headline_period and quantity == 'rate_ratio'").iloc[0]
print(f"analysis {analysis.__version__} from {analysis.__file__}")
print(f"data: {folder} ({how}); {len(incidents)} rows, {len(analysis.select_incidents(incidents))} counted")
print(
    f"{study.period_words} against the {study.reference_words}: {row.estimate:.1f} times the rate "
    f"({study.confidence} CI {row.ci_low:.1f} to {row.ci_high:.1f})"
)
ax = result.plot()
print(f"figure: {ax.get_title(loc='left')}")

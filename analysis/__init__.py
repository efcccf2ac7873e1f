"""analysis: attack rates on US and coalition forces, compared across periods."""
import logging

from analysis.data import (
    DataQualityWarning,
    DataValidationError,
    load_context_events,
    load_incidents,
    load_locations,
    load_periods,
    load_tallies,
)
from analysis.periods import Period

__version__ = "0.1.0"
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DataQualityWarning",
    "DataValidationError",
    "Period",
    "load_context_events",
    "load_incidents",
    "load_locations",
    "load_periods",
    "load_tallies",
]

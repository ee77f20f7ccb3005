"""The evaluation's vocabulary: outcome codes and groups, sectors, levels, the words a register
may use for true, false and missing.  Imports nothing of this package; everything else may use it."""

from __future__ import annotations

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "AGE_GROUPS",
    "CLIENTS_AS_COMPARISONS",
    "COMPARISON_ESTIMATORS",
    "EDUCATION_LEVELS",
    "FALSE_WORDS",
    "GROUPS",
    "MISSING_MARKERS",
    "MONTHLY_SOURCES",
    "OUTCOME_GROUPS",
    "SECTORS",
    "SEXES",
    "TABLE_SOURCES",
    "TRUE_WORDS",
]

#: Outcome code -> outcome group used by every analysis.
OUTCOME_GROUPS: dict[str, str] = {
    "employed_open": "employment",
    "employed_subsidised": "employment",
    "work_trial": "activation",
    "rehabilitative_work": "activation",
    "retired": "retirement",
    "education": "other",
    "other_exit": "other",
    "censored": "censored",
}
#: Outcome groups in reporting order.
GROUPS: tuple[str, ...] = ("employment", "activation", "retirement", "other", "censored")
#: Sectors of pay-subsidy placements in reporting order.
SECTORS: tuple[str, ...] = ("company", "association", "municipality", "other")
SEXES = ("F", "M", "X")
EDUCATION_LEVELS = ("basic", "upper_secondary", "tertiary", "unknown")
MONTHLY_SOURCES = ("published", "official", "synthetic")
#: Where a whole table comes from (``dataset.yaml``'s ``sources``).
TABLE_SOURCES = ("synthetic", "official", "register")
AGE_GROUPS = ("under_25", "25_49", "50_plus")

TRUE_WORDS = {"true", "1", "kyllä", "kylla", "yes"}
FALSE_WORDS = {"false", "0", "ei", "no"}
MISSING_MARKERS = ("NA", "N/A", "#N/A", "NaN", "nan", "null", "NULL", "None")
#: The client-level comparison's estimators (notebook 05): nearest-neighbour matching, ATT odds weighting.
COMPARISON_ESTIMATORS = ("matching", "weighting")
#: How clients serve as comparisons in the months before they enrol (notebook 05).
CLIENTS_AS_COMPARISONS = ("censor", "keep", "exclude")

"""The client-level comparison (issue 25).

Estimators: propensity score, nearest-neighbour matching, ATT odds weighting, weighted
Aalen–Johansen curves and their contrasts with a cluster bootstrap, the E-value; their proof on
LaLonde's NSW experiment (``lalonde``). The study: sequential monthly target trials of the clients
against the people unemployed on each month's first day (``trials.build_trials``), balance
(``balance``: standardised differences, Kish's effective sample sizes), and the one call a
notebook makes (``study.compare``) with its sensitivity analyses (``study.sensitivity``, not
re-exported here: the name is this package's E-value module's), placebo outcome and cost per
additional job. Pure functions: arrays and tables in, small result objects out."""

from .balance import effective_sample_sizes, standardized_differences
from .curves import CumulativeIncidence, CurveContrast, contrast_causes, contrast_curves, weighted_cumulative_incidence
from .matching import Matching, matched_effect, nearest_neighbour_match
from .propensity import PropensityModel, logistic_propensity
from .robust import Effect, weighted_difference
from .sensitivity import e_value, e_value_of_interval
from .study import (
    ComparisonResult,
    CostPerJob,
    Design,
    Placebo,
    compare,
    compare_trials,
    cost_per_additional_job,
    covariate_table,
    placebo,
    propensity_design,
)
from .trials import CAUSES, ELAPSED_BANDS, build_trials
from .weighting import att_odds_weights, effective_sample_size, weighted_effect

__all__ = [
    "CAUSES",
    "ELAPSED_BANDS",
    "ComparisonResult",
    "CostPerJob",
    "CumulativeIncidence",
    "CurveContrast",
    "Design",
    "Effect",
    "Matching",
    "Placebo",
    "PropensityModel",
    "att_odds_weights",
    "build_trials",
    "compare",
    "compare_trials",
    "contrast_causes",
    "contrast_curves",
    "cost_per_additional_job",
    "covariate_table",
    "e_value",
    "e_value_of_interval",
    "effective_sample_size",
    "effective_sample_sizes",
    "logistic_propensity",
    "matched_effect",
    "nearest_neighbour_match",
    "placebo",
    "propensity_design",
    "standardized_differences",
    "weighted_cumulative_incidence",
    "weighted_difference",
    "weighted_effect",
]

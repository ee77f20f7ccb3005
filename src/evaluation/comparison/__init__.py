"""The client-level comparison's estimators (issue 25): propensity score, nearest-neighbour
matching, ATT odds weighting, weighted Aalen–Johansen curves and their contrasts, the E-value;
and their proof on LaLonde's NSW experiment (``lalonde``). Pure functions: arrays and tables in,
small result objects out."""

from .curves import CumulativeIncidence, CurveContrast, contrast_curves, weighted_cumulative_incidence
from .matching import Matching, matched_effect, nearest_neighbour_match
from .propensity import PropensityModel, logistic_propensity
from .robust import Effect, weighted_difference
from .sensitivity import e_value, e_value_of_interval
from .weighting import att_odds_weights, effective_sample_size, weighted_effect

__all__ = [
    "CumulativeIncidence",
    "CurveContrast",
    "Effect",
    "Matching",
    "PropensityModel",
    "att_odds_weights",
    "contrast_curves",
    "e_value",
    "e_value_of_interval",
    "effective_sample_size",
    "logistic_propensity",
    "matched_effect",
    "nearest_neighbour_match",
    "weighted_cumulative_incidence",
    "weighted_difference",
    "weighted_effect",
]

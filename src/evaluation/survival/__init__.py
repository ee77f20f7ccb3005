"""Time to employment with competing outcomes, exact under tied times.

Time origin ``enrolled``; time ``duration_days``; the event of interest is the outcome group
``employment``; ``activation``, ``retirement`` and ``other`` compete with it; ``censored``
clients had no exit by the end of follow-up.

Register data record exits by day or week, so many clients share an exit time.  Every
estimator here treats tied times exactly (all events at a time see the same risk set and the
same overall survival just before it).  Methods, variances and the R functions each matches:

===============================  =====================================================  ==========================
function                         method and variance                                    matches
===============================  =====================================================  ==========================
cumulative_incidence             Aalen–Johansen; Gray's variance; log(−log) interval    cmprsk::cuminc, survfit
kaplan_meier                     Kaplan–Meier; Greenwood; log(−log) interval            survfit(conf.type="log-log")
median_time                      first time S <= 0.5 (midpoint rule on a flat 0.5)      survfit print / quantile
restricted_mean                  area under S to the horizon; survfit's rmean variance  survfit(rmean=)
logrank_test                     cause-specific log-rank (lifelines)                    survdiff
gray_test                        Gray's K-sample test for cumulative incidence          cmprsk::cuminc()$Tests
cause_specific_cox               Efron ties (lifelines); Wald intervals                 coxph(ties="efron")
wald_tests_by_variable           joint Wald test of a variable's columns; Holm across   coxph vcov; crr var
proportional_hazards_test        scaled Schoenfeld residuals, KM time transform         cox.zph of survival < 3
fine_gray                        Fine–Gray by IPCW, Breslow ties; crr's sandwich SE     cmprsk::crr
predicted_cif                    Fine–Gray prediction; percentile bootstrap interval    predict.crr, same resamples
sensitivity_table                Aalen–Johansen under other outcome definitions;        cmprsk::cuminc
                                 bounds for moving and dropping out
===============================  =====================================================  ==========================

Every estimate at a horizon (cumulative incidence, restricted mean, sensitivity rows, predicted
probabilities) follows one rule, :func:`horizon_estimable`: it is made only where at least
``min_at_risk`` clients are still followed (:data:`MIN_AT_RISK` by default, the day the curves
stop); elsewhere it is None and the table says :data:`NOT_ESTIMABLE`.

Not used for reported numbers: lifelines' ``AalenJohansenFitter`` (breaks ties by random
jitter: 0.7 percentage points off on public unemployment data) and lifelines' RMST variance.
"""

from __future__ import annotations

from .comparisons import TestResult, gray_test, logrank_test
from .cox import (
    ModelResult,
    cause_specific_cox,
    design_matrix,
    proportional_hazards_test,
    sample_flow,
    schoenfeld_residuals,
    separated_columns,
    wald_tests_by_variable,
)
from .estimators import (
    COVARIATES,
    EVENT_CODES,
    EVENT_GROUPS,
    GROUPINGS,
    LEVELS,
    MIN_AT_RISK,
    NOT_ESTIMABLE,
    EstimatorInputError,
    at_risk_table,
    cif_at_horizons,
    cif_quantiles,
    competing_risks_data,
    cumulative_incidence,
    cumulative_incidence_by,
    followed_at,
    followed_until,
    followed_until_on_curve,
    horizon_estimable,
    kaplan_meier,
    median_time,
    restricted_mean,
    value_at,
)
from .finegray import covariate_profiles, fine_gray, predicted_cif
from .tables import (
    OUTCOME_DEFINITIONS,
    PRIMARY_HORIZON,
    group_comparisons,
    horizon_table,
    primary_result,
    restricted_means,
    sensitivity_table,
    survival_metrics,
)

__all__ = [
    "COVARIATES",
    "EVENT_CODES",
    "EVENT_GROUPS",
    "GROUPINGS",
    "LEVELS",
    "EstimatorInputError",
    "ModelResult",
    "TestResult",
    "at_risk_table",
    "cause_specific_cox",
    "covariate_profiles",
    "cif_at_horizons",
    "cif_quantiles",
    "competing_risks_data",
    "cumulative_incidence",
    "cumulative_incidence_by",
    "design_matrix",
    "fine_gray",
    "gray_test",
    "group_comparisons",
    "horizon_table",
    "kaplan_meier",
    "logrank_test",
    "median_time",
    "predicted_cif",
    "proportional_hazards_test",
    "restricted_mean",
    "sample_flow",
    "schoenfeld_residuals",
    "separated_columns",
    "sensitivity_table",
    "survival_metrics",
    "value_at",
    "OUTCOME_DEFINITIONS",
    "PRIMARY_HORIZON",
    "primary_result",
    "MIN_AT_RISK",
    "NOT_ESTIMABLE",
    "followed_at",
    "followed_until",
    "followed_until_on_curve",
    "horizon_estimable",
    "restricted_means",
    "wald_tests_by_variable",
]

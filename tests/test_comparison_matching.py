"""Propensity score, nearest-neighbour matching and ATT odds weighting against R (MatchIt 4.5.1,
sandwich 3.0-2) on MatchIt's ``lalonde`` (185 NSW treated, 429 PSID comparison men).

The reference is ``tests/reference/matchit.R`` (its output: ``matchit.json``, and the data it
exported: ``matchit_lalonde.csv``). The specification is MatchIt's vignette's:
``treat ~ age + educ + race + married + nodegree + re74 + re75``, logistic.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from evaluation.comparison import (
    att_odds_weights,
    logistic_propensity,
    matched_effect,
    nearest_neighbour_match,
    weighted_effect,
)
from evaluation.paths import ROOT

REFERENCE = ROOT / "tests" / "reference"
R = json.loads((REFERENCE / "matchit.json").read_text())
DATA = pd.read_csv(REFERENCE / "matchit_lalonde.csv")
TREATED = DATA["treat"].to_numpy()
OUTCOMES = {"re78": DATA["re78"].to_numpy(float), "employed78": (DATA["re78"] > 0).to_numpy(float)}


def _design(d: pd.DataFrame) -> np.ndarray:
    # R's model.matrix: race's first level (black) is the reference
    return np.column_stack(
        [np.ones(len(d)), d.age, d.educ, d.race == "hispan", d.race == "white", d.married, d.nodegree, d.re74, d.re75]
    ).astype(float)


MODEL = logistic_propensity(_design(DATA), TREATED)

CASES = {  # name: keyword arguments of nearest_neighbour_match, as in matchit.R's fit_case()
    "nearest_1to1": {"replace": False},
    "nearest_1to1_caliper": {"replace": False, "caliper": 0.1},
    "nearest_1to1_exact_race": {"replace": False, "exact": DATA["race"].to_numpy()},
    "nearest_2to1": {"replace": False, "ratio": 2},
    "nearest_1to1_logit_caliper": {"replace": False, "caliper": 0.2, "distance": "logit"},
    "nearest_1to1_replace": {"replace": True},
    "nearest_1to1_replace_caliper": {"replace": True, "caliper": 0.1},
    "nearest_3to1_replace": {"replace": True, "ratio": 3},
}


def test_propensity_score_equals_glm():
    assert R["coefficient_names"][3:5] == ["racehispan", "racewhite"]
    np.testing.assert_allclose(MODEL.coefficients, R["coefficients"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(MODEL.score, R["distance"], rtol=1e-9, atol=1e-13)


def test_propensity_refuses_collinear_design():
    x = _design(DATA)
    with pytest.raises(ValueError, match="collinear"):
        logistic_propensity(np.column_stack([x, x[:, 1] * 2]), TREATED)


# With replacement and ratio > 1 MatchIt takes the k nearest by std::partial_sort, which orders
# controls at the same distance arbitrarily; ours take them in data order. That case is compared
# up to the exchange of controls with the same score (MatchIt's lalonde has duplicate controls).
EXACT = [name for name in CASES if name != "nearest_3to1_replace"]


def _match(name: str):
    kwargs = dict(CASES[name])
    distance = MODEL.linear_predictor if kwargs.pop("distance", "score") == "logit" else MODEL.score
    return nearest_neighbour_match(distance, TREATED, **kwargs)


@pytest.mark.parametrize("name", EXACT)
def test_matched_sets_and_weights_equal_matchit(name):
    ref = R["cases"][name]
    m = _match(name)
    np.testing.assert_array_equal(m.treated_rows + 1, ref["treated_rows"])
    expected = np.array([[-1 if v is None else v - 1 for v in np.atleast_1d(row)] for row in ref["match_matrix"]])
    np.testing.assert_array_equal(m.matches, expected)
    np.testing.assert_allclose(m.weights, ref["weights"], rtol=1e-12)


def test_ratio_3_with_replacement_equals_matchit_up_to_tied_controls():
    ref = R["cases"]["nearest_3to1_replace"]
    m = nearest_neighbour_match(MODEL.score, TREATED, replace=True, ratio=3)
    theirs = np.array(ref["match_matrix"]) - 1
    np.testing.assert_array_equal(MODEL.score[m.matches], MODEL.score[theirs])


@pytest.mark.parametrize("name", EXACT)
def test_matched_att_and_cluster_robust_se_equal_r(name):
    ref = R["cases"][name]
    m = _match(name)
    for outcome, y in OUTCOMES.items():
        effect = matched_effect(y, m, TREATED)
        assert effect.estimate == pytest.approx(ref[outcome]["att"], rel=1e-9, abs=1e-12)
        assert effect.se == pytest.approx(ref[outcome]["se"], rel=1e-9)
        assert effect.lower == pytest.approx(effect.estimate - 1.959963984540054 * effect.se, rel=1e-12)


@pytest.mark.parametrize("name", ["nearest_1to1_replace", "nearest_1to1_replace_caliper"])
def test_records_with_replacement_equal_get_matches(name):
    ref = R["cases"][name]["pairs"]
    rows, sets, weights = _match(name).pairs()
    ours = sorted(zip(sets + 1, rows + 1, weights))
    theirs = sorted(zip(ref["treated_row"], ref["row"], ref["weights"]))
    assert [(a, b) for a, b, _ in ours] == [(a, b) for a, b, _ in theirs]
    np.testing.assert_allclose([w for *_, w in ours], [w for *_, w in theirs], rtol=1e-12)


def test_the_caliper_binds_and_the_unmatched_are_counted():
    # a hand check of the rule: every pair within 0.1 SD of the score, and fewer treated matched
    m = nearest_neighbour_match(MODEL.score, TREATED, caliper=0.1)
    width = 0.1 * np.std(MODEL.score, ddof=1)
    ok = m.matches[:, 0] >= 0
    gaps = np.abs(MODEL.score[m.treated_rows[ok]] - MODEL.score[m.matches[ok, 0]])
    assert gaps.max() <= width
    assert m.unmatched_treated == 185 - sum(v is not None for v in R["cases"]["nearest_1to1_caliper"]["match_matrix"])
    assert m.unmatched_treated > 0


def test_debians_matchit_default_path_is_not_nearest():
    """Why the reference goes through MatchIt's matrix path: with ``distance = "glm"`` MatchIt
    4.5.1 as Debian builds it took the control below each treated unit every time (185 of 185),
    the truly nearest for only 80 of them (matching with replacement), and a caliper of 0.01 SD
    left every treated unit matched. Our matching takes the nearest: every match here is at the
    smallest distance to any control."""
    vp = R["vector_path"]
    assert (vp["treated"], vp["control_below"]) == (185, 185)
    assert vp["truly_nearest"] < 185 and vp["caliper_0.01_matched"] == 185
    m = nearest_neighbour_match(MODEL.score, TREATED, replace=True)
    control = MODEL.score[TREATED == 0]
    nearest = np.array([np.abs(control - s).min() for s in MODEL.score[m.treated_rows]])
    np.testing.assert_array_equal(np.abs(MODEL.score[m.matches[:, 0]] - MODEL.score[m.treated_rows]), nearest)


def test_odds_weighting_att_and_hc0_se_equal_r():
    w = att_odds_weights(MODEL.score, TREATED)
    odds = np.array(R["weighting"]["weights"])
    control = TREATED == 0
    np.testing.assert_allclose(w[control] / w[control].sum(), odds[control] / odds[control].sum(), rtol=1e-9)
    assert w[control].sum() == pytest.approx(TREATED.sum())
    for outcome, y in OUTCOMES.items():
        effect = weighted_effect(y, TREATED, w)
        assert effect.estimate == pytest.approx(R["weighting"][outcome]["att"], rel=1e-9)
        assert effect.se == pytest.approx(R["weighting"][outcome]["se"], rel=1e-8)

"""Weighted Aalen–Johansen curves against survival's multi-state ``survfit`` with case weights
(``tests/reference/weighted_aj.R``, mgus2 with ties), their bootstrap contrast, and the E-value."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from evaluation.comparison.curves import contrast_curves, weighted_cumulative_incidence
from evaluation.comparison.sensitivity import e_value, e_value_of_interval
from evaluation.paths import ROOT

REFERENCE = ROOT / "tests" / "reference"
R = json.loads((REFERENCE / "weighted_aj.json").read_text())
MGUS = pd.read_csv(REFERENCE / "mgus2.csv")
# the weights of weighted_aj.R: 0.5 + (id mod 7) / 3, times 2.25 for men
WEIGHTS = (0.5 + (MGUS["id"] % 7) / 3) * np.where(MGUS["sex"] == "M", 2.25, 1.0)


def test_weighted_aalen_johansen_equals_survfit():
    fit = weighted_cumulative_incidence(MGUS["etime"], MGUS["event"], WEIGHTS)
    assert len(np.unique(MGUS["etime"])) < len(MGUS) / 4  # many ties
    np.testing.assert_array_equal(fit.times, R["times"])
    np.testing.assert_allclose(fit.cif[:, 0], R["cif1"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.cif[:, 1], R["cif2"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.survival, R["initial"], rtol=0, atol=1e-10)
    # survfit prints the unweighted number at risk; ours is the weight at risk, so compare unweighted
    unweighted = weighted_cumulative_incidence(MGUS["etime"], MGUS["event"])
    np.testing.assert_array_equal(unweighted.n_risk, R["n_risk"])


def test_weighted_curves_at_horizons_equal_survfit_by_group():
    for sex, ref in R["by_sex"].items():
        k = (MGUS["sex"] == sex).to_numpy()
        fit = weighted_cumulative_incidence(MGUS["etime"][k], MGUS["event"][k], WEIGHTS[k])
        np.testing.assert_allclose(fit.at(R["horizons"], 1), ref["cif1"], atol=1e-10)
        np.testing.assert_allclose(fit.at(R["horizons"], 2), ref["cif2"], atol=1e-10)


def test_horizon_beyond_follow_up_is_not_estimated():
    fit = weighted_cumulative_incidence([10, 20, 30], [1, 0, 2])
    # a hand calculation: 1 of 3 employed at day 10 (S = 2/3); one censored at day 20; the one
    # left exits by cause 2 at day 30: F2 = 2/3 * 1/1. Past day 30 nobody is at risk and nobody
    # was lost, so the curve is known; with a censoring last it is not.
    np.testing.assert_allclose(fit.at([5, 10, 30, 99], 1), [0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(fit.at([30], 2), [2 / 3])
    censored_last = weighted_cumulative_incidence([10, 20, 30], [1, 2, 0])
    assert censored_last.at([30], 1)[0] == pytest.approx(1 / 3)
    assert math.isnan(censored_last.at([31], 1)[0])


def _two_groups(n: int, p1: float, p0: float, seed: int = 7):
    rng = np.random.default_rng(seed)
    treated = np.repeat([1, 0], n)
    # employed (1) or another exit (2): nobody censored
    status = np.where(rng.random(2 * n) < np.where(treated == 1, p1, p0), 1, 2)
    time = rng.integers(1, 300, 2 * n).astype(float)
    return time, status, treated


def test_bootstrap_interval_of_a_difference_in_proportions_matches_the_wald_interval():
    # without censoring, at a horizon past every exit the curves are the proportions employed;
    # the bootstrap interval's width is then close to the Wald interval's, 2 z sqrt(p1 q1/n + p0 q0/n)
    n = 300
    time, status, treated = _two_groups(n, 0.45, 0.30)
    out = contrast_curves(time, status, treated, np.ones(2 * n), [400], reps=400, seed=11)
    p1, p0 = (status[treated == 1] == 1).mean(), (status[treated == 0] == 1).mean()
    assert out.difference[0] == pytest.approx(p1 - p0, abs=1e-12)
    wald = 2 * 1.959964 * math.sqrt(p1 * (1 - p1) / n + p0 * (1 - p0) / n)
    assert (out.difference_upper[0] - out.difference_lower[0]) == pytest.approx(wald, rel=0.12)
    assert out.ratio[0] == pytest.approx(p1 / p0)
    assert out.ratio_lower[0] < out.ratio[0] < out.ratio_upper[0]


def test_bootstrap_resamples_persons_not_rows():
    n = 120
    time, status, treated = _two_groups(n, 0.5, 0.3, seed=3)
    person = np.arange(2 * n)
    once = contrast_curves(time, status, treated, np.ones(2 * n), [150, 400], cluster=person, reps=200, seed=5)
    # every person twice (as in two trials): resampling persons gives the very same interval ...
    twice = contrast_curves(
        np.tile(time, 2),
        np.tile(status, 2),
        np.tile(treated, 2),
        np.ones(4 * n),
        [150, 400],
        cluster=np.tile(person, 2),
        reps=200,
        seed=5,
    )
    np.testing.assert_allclose(twice.difference_lower, once.difference_lower, atol=1e-12)
    np.testing.assert_allclose(twice.difference_upper, once.difference_upper, atol=1e-12)
    # ... while resampling rows would pretend twice the information: a narrower interval
    rows = contrast_curves(
        np.tile(time, 2), np.tile(status, 2), np.tile(treated, 2), np.ones(4 * n), [150, 400], reps=200, seed=5
    )
    assert np.all(
        rows.difference_upper - rows.difference_lower < 0.85 * (once.difference_upper - once.difference_lower)
    )
    assert "200 resamples of 240 persons" in once.method and "default_rng(5)" in once.method


def test_e_value_by_its_formula_and_the_papers_example():
    # VanderWeele and Ding (2017): RR 3.9 (95 % CI 1.8 to 8.7) gives E-values 7.2 and 3.0
    assert e_value(3.9) == pytest.approx(3.9 + math.sqrt(3.9 * 2.9), rel=1e-15)
    assert round(e_value(3.9), 2) == 7.26  # the paper prints 7.2 (truncated)
    assert round(e_value_of_interval(1.8, 8.7), 1) == 3.0
    # a protective ratio: the E-value of 1/RR; its interval's limit nearest 1 is the upper one
    assert e_value(0.5) == pytest.approx(2 + math.sqrt(2), rel=1e-15)
    assert e_value_of_interval(0.3, 0.8) == pytest.approx(1.25 + math.sqrt(1.25 * 0.25), rel=1e-15)
    assert e_value_of_interval(0.7, 1.4) == 1.0
    assert e_value(1.0) == 1.0
    with pytest.raises(ValueError, match="positive"):
        e_value(-1.0)


def test_bootstrap_reweighs_each_resample_when_asked():
    n = 150
    time, status, treated = _two_groups(n, 0.5, 0.3, seed=9)
    w = np.ones(2 * n)
    fixed = contrast_curves(time, status, treated, w, [200], reps=50, seed=2)
    same = contrast_curves(time, status, treated, w, [200], reps=50, seed=2, reweigh=lambda rows: w[rows])
    np.testing.assert_array_equal(same.difference_lower, fixed.difference_lower)
    assert "re-estimated in each resample" in same.method and "held fixed" in fixed.method
    # weights that drop every employed comparison in the resamples only: the comparison curve of
    # each resample is then 0, so every replicate difference is the treated curve itself
    drop = contrast_curves(
        time,
        status,
        treated,
        w,
        [200],
        reps=50,
        seed=2,
        reweigh=lambda rows: np.where((treated[rows] == 0) & (status[rows] == 1), 0.0, 1.0),
    )
    assert drop.difference[0] == fixed.difference[0]  # the estimate uses the given weights
    assert drop.difference_lower[0] <= drop.treated[0] <= drop.difference_upper[0]
    assert drop.difference_lower[0] > fixed.difference_lower[0] + 0.5 * drop.comparison[0]
    assert np.isnan(drop.ratio_lower[0])  # a ratio over 0 is not estimable

"""The client-level comparison's study (issue 25): the stacked propensity score and the matching on
one trial against MatchIt, the weighted curves' difference against survfit with MatchIt's weights
(``tests/reference/comparison_trial.R``), balance and effective sample sizes by hand, the E-value
by its formula, the placebo, the sensitivity table and the cost per additional job."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from evaluation.comparison.balance import effective_sample_sizes, standardized_differences
from evaluation.comparison.curves import CurveContrast
from evaluation.comparison.propensity import logistic_propensity
from evaluation.comparison.study import (
    compare,
    compare_trials,
    cost_per_additional_job,
    placebo,
    propensity_design,
    sensitivity,
)
from evaluation.comparison.trials import build_trials
from evaluation.paths import ROOT

REFERENCE = ROOT / "tests" / "reference"
CSV = REFERENCE / "comparison_trial.csv"
OUTCOMES = np.array(["employed_open", "work_trial", "retired", "other_exit"])


def _one_trial(seed: int = 25, n_clients: int = 60, n_spells: int = 1400):
    """Clients who all enrolled in March 2023 and the spells of non-clients around them: one trial.
    The clients have more health limitations and fewer months employed (selection), and exit to
    work faster (an effect)."""
    rng = np.random.default_rng(seed)
    day1 = pd.Timestamp("2023-03-01")
    end = pd.Timestamp("2024-12-31")

    def people(n, client):
        return {
            "sex": rng.choice(["F", "M"], n),
            "health_limitations": rng.random(n) < (0.4 if client else 0.2),
            "education_level": rng.choice(
                ["basic", "upper_secondary", "tertiary"], n, p=[0.45, 0.4, 0.15] if client else [0.3, 0.45, 0.25]
            ),
            "months_employed_3y": np.clip(np.round(rng.gamma(2.0, 5.0 if client else 8.0, n)), 0, 36).astype(int),
        }

    enrolled = day1 + pd.to_timedelta(rng.integers(0, 31, n_clients), "D")
    c = people(n_clients, True)
    exit_c = enrolled + pd.to_timedelta(np.ceil(rng.exponential(260, n_clients)).astype(int), "D")
    cause_c = OUTCOMES[rng.choice(4, n_clients, p=[0.6, 0.2, 0.05, 0.15])]
    clients = pd.DataFrame(
        {
            "client_id": [f"c{i:03d}" for i in range(n_clients)],
            "unemployed_since": enrolled - pd.to_timedelta(rng.integers(0, 900, n_clients), "D"),
            "enrolled": enrolled,
            "exit_date": exit_c.where(exit_c <= end, end),
            "outcome": np.where(exit_c > end, "censored", cause_c),
            "age_at_entry": rng.integers(18, 64, n_clients),
            **c,
        }
    )
    s = people(n_spells, False)
    since = day1 - pd.to_timedelta(rng.integers(0, 900, n_spells), "D")
    # a spell's exit: most after day 1 (eligible), some before it (not)
    exit_s = day1 + pd.to_timedelta(np.ceil(rng.exponential(330, n_spells)).astype(int) - 40, "D")
    exit_s = exit_s.where(exit_s >= since, since)
    cause_s = OUTCOMES[rng.choice(4, n_spells, p=[0.5, 0.15, 0.1, 0.25])]
    comparison = pd.DataFrame(
        {
            "person_id": [f"p{i:04d}" for i in range(n_spells)],
            "unemployed_since": since,
            "exit_date": exit_s.where(exit_s <= end, end),
            "outcome": np.where(exit_s > end, "censored", cause_s),
            "age_at_spell_start": rng.integers(18, 64, n_spells),
            **s,
        }
    )
    return clients, comparison


def _reference_frame() -> pd.DataFrame:
    """The one trial as the R script reads it."""
    trials = build_trials(*_one_trial())
    return pd.DataFrame(
        {
            "treated": trials["treated"].astype(int),
            "band": trials["elapsed_band"].astype(str),
            "age": trials["age"].astype(float).round(12),
            "sex": trials["sex"].astype(str),
            "health_limitations": trials["health_limitations"].astype(int),
            "education_level": trials["education_level"].astype(str),
            "months_employed_3y": trials["months_employed_3y"].astype(int),
            "time": trials["time"].astype(int),
            "status": trials["status"].astype(int),
        }
    )


if __name__ == "__main__":  # writes the reference CSV once:  python tests/test_comparison_study.py
    _reference_frame().to_csv(CSV, index=False, float_format="%.12f")


R = json.loads((REFERENCE / "comparison_trial.json").read_text())
TRIAL = build_trials(*_one_trial())
T = TRIAL["treated"].to_numpy()


def test_the_reference_csv_is_this_files_trial():
    # the CSV the R script read is the frame the tests below build (regenerate it if this fails)
    pd.testing.assert_frame_equal(_reference_frame(), pd.read_csv(CSV, keep_default_na=False), check_dtype=False)
    assert TRIAL["trial"].nunique() == 1 and T.sum() == 60


def test_stacked_propensity_score_on_one_trial_equals_glm():
    design = propensity_design(TRIAL)
    assert "months_employed_3y" in design.covariates and design.left_out == ()
    res = compare_trials(TRIAL, horizons=(365,), reps=2)
    assert res.n_outside_support == 0  # every band, sex and education level has clients
    np.testing.assert_allclose(res.scores_treated, np.array(R["score"])[T == 1], rtol=1e-8)
    np.testing.assert_allclose(res.scores_comparison, np.array(R["score"])[T == 0], rtol=1e-8)


@pytest.mark.parametrize(("caliper", "case"), [(0.2, "matching"), (0.02, "matching_caliper_0.02")])
def test_matching_within_the_trial_exact_on_band_equals_matchit(caliper, case):
    ref = R[case]
    res = compare_trials(TRIAL, estimator="matching", caliper=caliper, replace=True, horizons=(365,), reps=2)
    np.testing.assert_allclose(res.weights, ref["weights"], rtol=1e-12, atol=1e-14)
    assert res.n_matched == ref["matched"] and res.n_unmatched == 60 - ref["matched"]
    # the matched comparisons share their client's elapsed band
    band = TRIAL["elapsed_band"].astype(str).to_numpy()
    pairs = [(t - 1, c - 1) for t, c in zip(ref["treated_rows"], ref["match"], strict=True) if c is not None]
    assert all(band[t] == band[c] for t, c in pairs)


@pytest.mark.parametrize("case", ["matching", "matching_caliper_0.02"])
def test_matched_cif_difference_at_365_days_equals_survfit_with_matchit_weights(case):
    caliper = 0.2 if case == "matching" else 0.02
    res = compare_trials(TRIAL, estimator="matching", caliper=caliper, horizons=(365,), reps=2)
    ref = R[case]["cif365"]
    assert res.employment.treated[0] == pytest.approx(ref["treated"], abs=1e-12)
    assert res.employment.comparison[0] == pytest.approx(ref["comparison"], abs=1e-12)
    assert res.employment.difference[0] == pytest.approx(ref["difference"], abs=1e-12)


def test_weighted_cif_difference_at_365_days_equals_survfit_with_odds_weights():
    res = compare_trials(TRIAL, estimator="weighting", horizons=(365,), reps=2)
    ref = R["weighting"]["cif365"]
    # one trial: the normalisation within the month only rescales R's e / (1 - e)
    w = np.array(R["weighting"]["weights"])
    np.testing.assert_allclose(res.weights[T == 0], w[T == 0] * 60 / w[T == 0].sum(), rtol=1e-8)
    assert res.employment.difference[0] == pytest.approx(ref["difference"], abs=1e-10)
    assert res.n_matched == 60 and res.n_unmatched == 0


def test_the_issues_matchit_call_is_recorded_but_its_caliper_does_not_bind():
    # Debian's MatchIt 4.5.1 with distance = "glm" ignores the caliper (tests/reference/matchit.R):
    # it matched all 60, the reference path 51 at 0.02 SD
    assert R["vector_path"]["matched"] == 60 > R["matching_caliper_0.02"]["matched"]


def test_balance_by_hand():
    x = pd.DataFrame({"age": [30.0, 40.0, 50.0, 20.0, 40.0], "woman": [1.0, 1.0, 0.0, 0.0, 1.0]})
    treated = np.array([1, 1, 1, 0, 0])
    w = np.array([1.0, 1.0, 1.0, 0.5, 1.5])
    table = standardized_differences(x, treated, w)
    # age: treated mean 40, var 100; comparisons mean 30, var 200; pooled SD sqrt(150)
    assert table.loc["age", "smd_before"] == pytest.approx(10 / math.sqrt(150))
    # after: comparisons' weighted mean (0.5*20 + 1.5*40) / 2 = 35, same denominator
    assert table.loc["age", "comparison_after"] == pytest.approx(35.0)
    assert table.loc["age", "smd_after"] == pytest.approx(5 / math.sqrt(150))
    # a 0/1 column: p(1-p) variances: treated 2/3 -> 2/9, comparisons 1/2 -> 1/4
    sd = math.sqrt((2 / 9 + 1 / 4) / 2)
    assert table.loc["woman", "smd_before"] == pytest.approx((2 / 3 - 1 / 2) / sd)
    assert table.loc["woman", "smd_after"] == pytest.approx((2 / 3 - 0.75) / sd)
    # Kish: comparisons (0.5 + 1.5)^2 / (0.25 + 2.25) = 1.6
    assert effective_sample_sizes(treated, w) == {"treated": pytest.approx(3.0), "comparison": pytest.approx(1.6)}


def _many_trials(seed: int = 3, n_clients: int = 150, n_spells: int = 6000, selection: float = 1.0):
    """Clients enrolling over 2022-2024 and non-clients' spells: about 30 trials."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2025-06-30")

    def table(n, client, start, span):
        months = np.clip(np.round(rng.gamma(2.0, 8.0 - 3.0 * selection * client, n)), 0, 36).astype(int)
        return {
            "sex": rng.choice(["F", "M"], n),
            "health_limitations": rng.random(n) < (0.2 + 0.15 * client),
            "education_level": rng.choice(["basic", "upper_secondary", "tertiary"], n),
            "months_employed_3y": months,
            "day": start + pd.to_timedelta(rng.integers(0, span, n), "D"),
        }

    c = table(n_clients, True, pd.Timestamp("2022-01-01"), 1000)
    enrolled = c.pop("day")
    exit_c = enrolled + pd.to_timedelta(np.ceil(rng.exponential(300, n_clients)).astype(int), "D")
    clients = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(n_clients)],
            "unemployed_since": enrolled - pd.to_timedelta(rng.integers(0, 700, n_clients), "D"),
            "enrolled": enrolled,
            "exit_date": exit_c.where(exit_c <= end, end),
            "outcome": np.where(exit_c > end, "censored", OUTCOMES[rng.choice(4, n_clients, p=[0.6, 0.2, 0.05, 0.15])]),
            "age_at_entry": rng.integers(18, 64, n_clients),
            **c,
        }
    )
    s = table(n_spells, False, pd.Timestamp("2020-06-01"), 1600)
    since = s.pop("day")
    exit_s = since + pd.to_timedelta(np.ceil(rng.exponential(330, n_spells)).astype(int), "D")
    comparison = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(n_spells)],
            "unemployed_since": since,
            "exit_date": exit_s.where(exit_s <= end, end),
            "outcome": np.where(exit_s > end, "censored", OUTCOMES[rng.choice(4, n_spells, p=[0.5, 0.15, 0.1, 0.25])]),
            "age_at_spell_start": rng.integers(18, 64, n_spells),
            **s,
        }
    )
    return clients, comparison


CLIENTS, COMPARISON = _many_trials()


def test_compare_reports_what_a_notebook_needs_and_its_e_value_by_formula():
    res = compare(CLIENTS, COMPARISON, reps=30, seed=4)
    assert res.n_trials > 25 and res.n_treated == 150 and res.n_matched + res.n_unmatched == 150
    assert set(res.contrasts) == {"employment", "activation", "retirement", "other"}
    e = res.employment
    np.testing.assert_array_equal(e.horizons, [180, 365, 730])
    assert np.all(e.difference_lower <= e.difference) and np.all(e.difference <= e.difference_upper)
    rr = e.ratio[1]
    rr = rr if rr >= 1 else 1 / rr
    assert res.e_value == pytest.approx(rr + math.sqrt(rr * (rr - 1)), rel=1e-12)
    lo, hi = e.ratio_lower[1], e.ratio_upper[1]
    near = 1.0 if lo <= 1 <= hi else (lo if lo > 1 else 1 / hi)
    assert res.e_value_limit == pytest.approx(near + math.sqrt(near * (near - 1)), rel=1e-12)
    # the figure's curves: the contrast's numbers on day 365
    day = res.curves[(res.curves["cause"] == "employment") & (res.curves["day"] == 365)]
    assert day["treated"].iloc[0] == pytest.approx(e.treated[1]) and day["comparison"].iloc[0] == e.comparison[1]
    assert {"elapsed_band=0-3", "half_year=2022H1", "age", "months_employed_3y"} <= set(res.balance.index)
    # matched exactly on trial month (within a half-year) and band: those indicators balance exactly
    exact = res.balance.loc[[i for i in res.balance.index if i.startswith(("half_year=", "elapsed_band="))]]
    np.testing.assert_allclose(exact["smd_after"], 0, atol=1e-12)
    assert (exact["smd_before"].abs() > 0.01).any()
    assert len(res.scores_treated) == 150 and "Abadie and Imbens 2008" in res.method["interval"]
    assert "resamples of" in res.method["interval"] and "persons" in res.method["interval"]


def test_the_bootstrap_resamples_persons_and_is_reproducible():
    a = compare(CLIENTS, COMPARISON, estimator="weighting", horizons=(365,), reps=15, seed=9)
    b = compare(CLIENTS, COMPARISON, estimator="weighting", horizons=(365,), reps=15, seed=9)
    np.testing.assert_array_equal(a.employment.difference_lower, b.employment.difference_lower)
    trials = build_trials(CLIENTS, COMPARISON)
    assert a.employment.clusters == trials["cluster"].nunique() < len(trials)


def test_placebo_warns_of_selection_on_the_left_out_past():
    # the clients had fewer months employed (selection = 1) and nothing else in the score explains it
    with pytest.warns(UserWarning, match="selection"):
        p = placebo(CLIENTS, COMPARISON, estimator="weighting", reps=30, seed=2)
    assert p.selection_warning and p.upper < 0
    assert p.difference == pytest.approx(p.treated - p.comparison)
    clients, comparison = _many_trials(seed=5, selection=0.0)
    q = placebo(clients, comparison, estimator="weighting", reps=30, seed=2)
    assert not q.selection_warning and q.lower < 0 < q.upper


def test_sensitivity_rows_and_the_primary_row_equals_compare():
    table = sensitivity(CLIENTS, COMPARISON, reps=10, seed=3)
    assert list(table["analysis"]) == [
        "primary",
        "caliper 0.1",
        "caliper 0.5",
        "caliper none",
        "ratio 1:3",
        "clients before enrolment: keep",
        "estimator: weighting",
    ]
    res = compare(CLIENTS, COMPARISON, horizons=(365,), reps=10, seed=3)
    row = table.iloc[0]
    assert row["difference"] == pytest.approx(res.employment.difference[0], abs=1e-12)
    assert row["lower"] == pytest.approx(res.employment.difference_lower[0], abs=1e-12)
    assert (table["lower"] <= table["difference"]).all() and (table["difference"] <= table["upper"]).all()


def _contrast(difference, lower, upper, cause=1):
    one = np.array
    return CurveContrast(
        horizons=one([365.0]),
        cause=cause,
        treated=one([0.5]),
        comparison=one([0.5 - difference]),
        difference=one([difference]),
        difference_lower=one([lower]),
        difference_upper=one([upper]),
        ratio=one([np.nan]),
        ratio_lower=one([np.nan]),
        ratio_upper=one([np.nan]),
        reps=200,
        seed=1,
        clusters=100,
        method="",
    )


def test_cost_per_additional_job_by_hand_and_not_estimable_when_the_difference_may_be_zero():
    # 1.2 million euros, 150 clients, 10 points more employed (4 to 16): 1.2e6 / 15 = 80,000 euros
    cost = cost_per_additional_job(1.2e6, _contrast(0.10, 0.04, 0.16), 150)
    assert cost.estimable and cost.estimate == pytest.approx(80_000)
    assert cost.lower == pytest.approx(1.2e6 / (0.16 * 150)) and cost.upper == pytest.approx(1.2e6 / (0.04 * 150))
    for lo, hi in [(-0.02, 0.16), (0.0, 0.1), (-0.2, -0.01)]:
        out = cost_per_additional_job(1.2e6, _contrast(0.05, lo, hi), 150)
        assert not out.estimable and math.isnan(out.estimate) and "not estimable" in out.reason
    with pytest.raises(ValueError, match="employment"):
        cost_per_additional_job(1.2e6, _contrast(0.1, 0.04, 0.16, cause=2), 150)
    with pytest.raises(ValueError, match="positive"):
        cost_per_additional_job(0, _contrast(0.1, 0.04, 0.16), 150)


def test_comparisons_outside_the_clients_support_are_set_aside():
    # no client had been unemployed two years (elapsed under 700 days), some comparisons had
    trials = build_trials(CLIENTS, COMPARISON)
    beyond = (trials["elapsed_band"] == "24+").to_numpy()
    assert beyond.any() and not (beyond & (trials["treated"] == 1).to_numpy()).any()
    for estimator in ("matching", "weighting"):
        res = compare_trials(trials, estimator=estimator, horizons=(365,), reps=2)
        assert res.n_outside_support == beyond.sum()
        assert (res.weights[beyond] == 0).all() and (
            res.weights[~beyond & (trials["treated"] == 0).to_numpy()] > 0
        ).any()
        assert len(res.scores_comparison) == (~beyond).sum() - 150


def test_weighting_spreads_the_comparisons_over_months_as_the_clients():
    trials = build_trials(CLIENTS, COMPARISON)
    res = compare_trials(trials, estimator="weighting", horizons=(365,), reps=2)
    t = trials["treated"].to_numpy() == 1
    per_trial = pd.DataFrame({"trial": trials["trial"], "t": t, "w": res.weights})
    sums = per_trial.groupby(["trial", "t"], observed=True)["w"].sum().unstack()
    np.testing.assert_allclose(sums[False], sums[True], rtol=1e-10)


def test_a_missing_covariate_value_is_refused_with_the_counts():
    comparison = COMPARISON.copy()
    comparison["health_limitations"] = comparison["health_limitations"].astype(object)
    comparison.loc[comparison.index[:40], "health_limitations"] = None
    trials = build_trials(CLIENTS, comparison)
    n = int(trials["health_limitations"].isna().sum())
    assert n > 0
    with pytest.raises(ValueError, match=f"health_limitations is missing in 0 treated and {n} comparison trial rows"):
        compare_trials(trials, reps=2)


def test_a_small_study_survives_resamples_that_alias_or_separate():
    # 25 clients over some 17 trials: some resamples leave a band in one half-year only (aliased
    # columns, left out as glm does) or separate the groups (the last iterate used, as glm does)
    clients, comparison = _many_trials(seed=3, n_clients=25, n_spells=1500)
    res = compare(clients, comparison, reps=60, seed=3)
    assert np.isfinite(res.employment.difference_lower).all() and res.n_treated == 25
    assert res.nonconverged_replicates == 0 or "did not converge" in res.method["interval"]


def test_a_fit_that_has_not_converged_is_refused_unless_asked_not_to():
    # completely separated groups: the coefficients grow every iteration
    v = np.linspace(-1, 1, 40)
    x, y = np.column_stack([np.ones(40), v]), (v > 0).astype(int)
    with pytest.raises(ValueError, match="did not converge in 3 iterations"):
        logistic_propensity(x, y, max_iterations=3)
    fit = logistic_propensity(x, y, max_iterations=3, strict=False)
    assert not fit.converged and fit.iterations == 3
    # R's binomial link keeps the scores off 0 and 1 however far the fit runs
    far = logistic_propensity(x, y, max_iterations=200, strict=False)
    eps = np.finfo(float).eps
    assert far.score.min() >= eps / (1 + eps) and far.score.max() <= 1 / (1 + eps)

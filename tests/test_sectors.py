"""Sector statistics against R (tests/reference/sectors.R -> sectors.json), Newcombe (1998)
worked examples, and hand calculations.  Tolerances: 1e-9 for closed forms, 1e-6 otherwise."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from evaluation.sectors import (
    adjusted_comparison,
    barnard_exact,
    compare_sectors,
    conditional_odds_ratio,
    continuation_by_sector,
    continuation_sensitivity,
    cost_per_continued_job,
    detectable_difference,
    newcombe_difference,
    risk_ratio,
    sector_precision,
    sector_reading,
    wilson_interval,
)

HERE = Path(__file__).parent / "reference"
REF = json.loads((HERE / "sectors.json").read_text())
FIRTH = json.loads((HERE / "firth.json").read_text())
LINKED = HERE / "linked_placements.csv"
Z975 = 1.959963984540054


def _num(x):
    return math.inf if x == "Infinity" else x


@pytest.mark.parametrize("case", REF["two_by_two"], ids=lambda c: f"{c['k1']}/{c['n1']}-{c['k2']}/{c['n2']}")
def test_wilson_odds_ratio_and_fisher_against_r(case):
    k1, n1, k2, n2 = case["k1"], case["n1"], case["k2"], case["n2"]
    w1, w2 = wilson_interval(k1, n1), wilson_interval(k2, n2)
    assert (w1.lower, w1.upper) == pytest.approx((case["wilson1_lower"], case["wilson1_upper"]), abs=1e-9)
    assert (w2.lower, w2.upper) == pytest.approx((case["wilson2_lower"], case["wilson2_upper"]), abs=1e-9)
    odds = conditional_odds_ratio(k1, n1, k2, n2)
    for ours, theirs in ((odds.estimate, case["or"]), (odds.lower, case["or_lower"]), (odds.upper, case["or_upper"])):
        theirs = _num(theirs)
        assert ours == theirs if math.isinf(theirs) or theirs == 0 else ours == pytest.approx(theirs, rel=1e-6)
    table = compare_sectors(_placements(k1, n1, k2, n2))
    assert table.at["Fisher's exact test", "p"] == pytest.approx(case["fisher_p"], abs=1e-9)


# Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (4 decimals printed)
NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize("counts,interval", NEWCOMBE)
def test_newcombe_hybrid_score_interval_matches_the_published_examples(counts, interval):
    est = newcombe_difference(*counts)
    assert est.estimate == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3], abs=1e-12)
    assert (est.lower, est.upper) == pytest.approx(interval, abs=0.5e-4)


def test_risk_ratio_by_hand():
    # 13/20 vs 6/18: RR = 0.65 / (1/3) = 1.95; se = sqrt(1/13 - 1/20 + 1/6 - 1/18)
    est = risk_ratio(13, 20, 6, 18)
    se = math.sqrt(1 / 13 - 1 / 20 + 1 / 6 - 1 / 18)
    z = 1.959963984540054
    assert est.estimate == pytest.approx(1.95, abs=1e-12)
    assert (est.lower, est.upper) == pytest.approx((1.95 * math.exp(-z * se), 1.95 * math.exp(z * se)), abs=1e-9)
    assert risk_ratio(3, 10, 0, 10).estimate is None


def _barnard_by_definition(k1, n1, k2, n2):
    """Barnard's test from its definition: the largest p-value over the nuisance parameter."""
    x1, x2 = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    p = (x1 + x2) / (n1 + n2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (x1 / n1 - x2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    t = np.nan_to_num(t)
    extreme = np.abs(t) >= abs(t[k1, k2]) - 1e-12

    def pvalue(pi):
        return float((stats.binom.pmf(x1, n1, pi) * stats.binom.pmf(x2, n2, pi))[extreme].sum())

    grid = np.linspace(1e-6, 1 - 1e-6, 20001)
    xs1, xs2 = x1[extreme], x2[extreme]
    values = (stats.binom.pmf(xs1[None, :], n1, grid[:, None]) * stats.binom.pmf(xs2[None, :], n2, grid[:, None])).sum(
        axis=1
    )
    best = int(np.argmax(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(lambda g: -pvalue(g), bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    return max(values[best], -res.fun)


@pytest.mark.parametrize("counts", [(13, 20, 6, 18), (9, 10, 3, 10), (0, 7, 5, 16), (1, 3, 9, 12)])
def test_barnard_against_its_definition(counts):
    table = compare_sectors(_placements(*counts))
    assert table.at["Barnard's exact test", "p"] == pytest.approx(_barnard_by_definition(*counts), abs=1e-6)


@pytest.mark.parametrize("counts", [(0, 7, 5, 16), (3, 11, 10, 13)])
def test_barnard_equals_scipy_where_floats_do_not_split_ties(counts):
    k1, n1, k2, n2 = counts
    scipy_p = stats.barnard_exact([[k1, k2], [n1 - k1, n2 - k2]], n=256).pvalue
    assert barnard_exact(*counts) == pytest.approx(scipy_p, abs=1e-6)


def test_scipy_barnard_drops_tied_tables():
    # 13/20 vs 6/18: its mirror image 7/20 vs 12/18 has exactly the observed |T|
    # (the same fraction in exact arithmetic), but scipy's float comparison leaves it out
    scipy_p = stats.barnard_exact([[13, 6], [7, 12]], n=256).pvalue
    assert scipy_p < barnard_exact(13, 20, 6, 18) - 0.004


def _placements(k1, n1, k2, n2):
    sector = ["company"] * n1 + ["association"] * n2
    continued = [True] * k1 + [False] * (n1 - k1) + [True] * k2 + [False] * (n2 - k2)
    return pd.DataFrame(
        {"sector": sector, "continued": pd.array(continued, dtype="boolean"), "subsidy_eur": 1000.0, "client_id": None}
    )


def _linked():
    d = pd.read_csv(LINKED)
    clients = pd.DataFrame(
        {
            "client_id": d["placement_id"],
            "age_at_entry": d["age_at_entry"].astype("Int64"),
            "long_term_unemployed": d["long_term_unemployed"].astype("boolean"),
            "health_limitations": d["health_limitations"].astype("boolean"),
        }
    )
    placements = pd.DataFrame(
        {
            "placement_id": d["placement_id"],
            "client_id": d["placement_id"],
            "sector": d["sector"],
            "continued": d["continued"].astype("boolean"),
            "subsidy_eur": 1000.0,
        }
    )
    return placements, clients


def test_mantel_haenszel_and_logistic_regression_against_r():
    placements, clients = _linked()
    table = adjusted_comparison(placements, clients)
    mh, ref = table.loc["Mantel–Haenszel over strata"], REF["mantel_haenszel"]
    assert mh["odds_ratio"] == pytest.approx(ref["or"], rel=1e-9)
    assert (mh["lower"], mh["upper"]) == pytest.approx((ref["lower"], ref["upper"]), rel=1e-6)
    assert mh["p"] == pytest.approx(ref["p"], abs=1e-6)
    assert f"{ref['strata']} informative strata" in mh["note"]
    # the adjusted model is Firth's: brglm2's coefficient, and the profile penalised-likelihood
    # interval and likelihood-ratio p computed from their definition in R (tests/reference/firth.R)
    lr, ref = table.loc["logistic regression (Firth)"], FIRTH["placements"]
    assert math.log(lr["odds_ratio"]) == pytest.approx(ref["coef"][1], abs=1e-8)
    assert (math.log(lr["lower"]), math.log(lr["upper"])) == pytest.approx(
        (ref["profile"]["lower"][1], ref["profile"]["upper"][1]), abs=1e-7
    )
    assert lr["p"] == pytest.approx(ref["profile"]["p"][1], abs=1e-9)
    assert "bias reduced" in lr["note"] and "removed" not in lr["note"]
    # small-sample bias, not confounding: maximum likelihood (R's glm) gives a larger odds ratio
    assert math.exp(REF["logistic"]["beta"]) > lr["odds_ratio"]


@pytest.mark.parametrize("case", ["endometrial", "placements"])
def test_firth_logistic_regression_matches_brglm2(case):
    """Heinze and Schemper's (2002) endometrial data, where NV separates the outcome (ordinary
    maximum likelihood has no finite estimate; Firth's NV is 2.93, SE 1.55 there), and the linked
    placements; brglm2's AS_mean estimates and standard errors (tests/reference/firth.R)."""
    from evaluation.sectors import firth_logistic

    ref = FIRTH[case]
    if case == "endometrial":
        d = pd.read_csv(HERE / "endometrial.csv")
        X, y = np.column_stack([np.ones(len(d)), d["NV"], d["PI"], d["EH"]]), d["HG"]
    else:
        d = pd.read_csv(LINKED)
        X = np.column_stack(
            [
                np.ones(len(d)),
                d["sector"].eq("company"),
                d["age_at_entry"],
                d["long_term_unemployed"],
                d["health_limitations"],
            ]
        ).astype(float)
        y = d["continued"].astype(float)
    beta, covariance = firth_logistic(X, y)
    np.testing.assert_allclose(beta, ref["coef"], atol=1e-9)
    np.testing.assert_allclose(np.sqrt(np.diag(covariance)), ref["se"], atol=1e-9)


@pytest.mark.parametrize("case", ["endometrial", "placements"])
def test_firth_profile_interval_and_likelihood_ratio_test_match_the_definition_in_r(case):
    """Heinze and Schemper (2002): profile penalised-likelihood intervals and penalised
    likelihood-ratio tests, every coefficient, against R's optim-based profile
    (tests/reference/firth.R; brglm2's confint is Wald, logistf is not in Debian).  On the
    endometrial data the interval of NV (0.61 to 7.85) is far from Wald's symmetric one."""
    from evaluation.sectors import firth_profile

    ref = FIRTH[case]
    if case == "endometrial":
        d = pd.read_csv(HERE / "endometrial.csv")
        X, y = np.column_stack([np.ones(len(d)), d["NV"], d["PI"], d["EH"]]), d["HG"]
    else:
        d = pd.read_csv(LINKED)
        X = np.column_stack(
            [
                np.ones(len(d)),
                d["sector"].eq("company"),
                d["age_at_entry"],
                d["long_term_unemployed"],
                d["health_limitations"],
            ]
        ).astype(float)
        y = d["continued"].astype(float)
    for j in range(X.shape[1]):
        fit = firth_profile(X, y, j)
        assert fit.estimate == pytest.approx(ref["coef"][j], abs=1e-8)
        assert (fit.lower, fit.upper) == pytest.approx(
            (ref["profile"]["lower"][j], ref["profile"]["upper"][j]), abs=1e-7
        )
        assert fit.chisq == pytest.approx(ref["profile"]["chisq"][j], abs=1e-8)
        assert fit.p == pytest.approx(ref["profile"]["p"][j], abs=1e-9)
    if case == "endometrial":  # NV: the profile interval is asymmetric, unlike Wald's
        nv = firth_profile(X, y, 1)
        assert nv.upper - nv.estimate > 2 * (nv.estimate - nv.lower)


@pytest.mark.parametrize("case", REF["fisher_power"], ids=lambda c: f"{c['n1']}-{c['n2']}-{c['alpha']}")
def test_exact_fisher_power_and_detectable_differences_against_r(case):
    """R enumerates fisher.test over every table (tests/reference/sectors.R): the rejection
    region, the exact power at given rates, and the smallest detectable rates up and down."""
    from evaluation.sectors import fisher_power, fisher_rejection_region

    n1, n2, alpha, p2 = case["n1"], case["n2"], case["alpha"], case["p2"]
    assert fisher_rejection_region(n1, n2, alpha).sum() == case["rejected_tables"]
    for p1, power in zip(case["p1"], case["power"]):
        assert fisher_power(n1, n2, p1, p2, alpha) == pytest.approx(power, abs=1e-12)
    for direction, key in ((1, "up_p1"), (-1, "down_p1")):
        est = detectable_difference(n1, n2, p2, alpha=alpha, power=0.8, direction=direction)
        if case[key] is None:
            assert est.difference is None and est.power < 0.8 and "no difference" in est.note
        else:
            assert est.rate == pytest.approx(case[key], abs=1e-9)
            assert est.difference == pytest.approx(case[key] - p2, abs=1e-9)
            assert est.power == pytest.approx(0.8, abs=1e-9)


def test_exact_power_by_hand_three_placements_a_sector():
    """3 of 3 versus 0 of 3: the hypergeometric probabilities of x1 = 0..3 given 3 continued are
    1/20, 9/20, 9/20, 1/20, so Fisher's two-sided p is 2/20 = 0.1 for the two extreme tables and
    1 otherwise.  At alpha 0.11 (not 0.1: p = 0.1 is a rounding error either side of it) only those two reject: power = p1^3 (1-p2)^3 + (1-p1)^3 p2^3; at
    alpha 0.05 nothing rejects (power 0)."""
    from evaluation.sectors import fisher_power, fisher_rejection_region

    region = fisher_rejection_region(3, 3, 0.11)
    assert region.sum() == 2 and region[3, 0] and region[0, 3]
    p1, p2 = 0.9, 0.2
    assert fisher_power(3, 3, p1, p2, 0.11) == pytest.approx(p1**3 * (1 - p2) ** 3 + (1 - p1) ** 3 * p2**3, abs=1e-15)
    assert fisher_power(3, 3, p1, p2, 0.05) == 0


def test_the_arcsine_approximation_overstates_the_exact_power():
    """Issue 24, 14: at 21 and 17 placements from 12/17, Cohen's h (two-sided normal power,
    n1 n2 / (n1 + n2)) puts 80 % power at +28.07 points; Fisher's exact power there is R's 0.675
    (tests/reference/sectors.R), and upward no rate reaches 80 %."""
    case = next(c for c in REF["fisher_power"] if (c["n1"], c["n2"]) == (21, 17))
    n1, n2, p2 = 21, 17, 12 / 17
    # Cohen's h by hand: solve Phi(h sqrt(n1 n2 / (n1 + n2)) - z) + Phi(-h sqrt(.) - z) = 0.8
    scale = math.sqrt(n1 * n2 / (n1 + n2))
    h = optimize.brentq(lambda h: stats.norm.sf(Z975 - h * scale) + stats.norm.cdf(-Z975 - h * scale) - 0.8, 0, 5)
    arcsine_p1 = math.sin(math.asin(math.sqrt(p2)) + h / 2) ** 2
    assert arcsine_p1 - p2 == pytest.approx(0.2807, abs=1e-4) and arcsine_p1 == pytest.approx(case["p1"][0], abs=1e-4)
    from evaluation.sectors import fisher_power

    exact = fisher_power(n1, n2, arcsine_p1, p2)
    assert exact == pytest.approx(case["power"][0], abs=1e-3) and exact < 0.7
    assert detectable_difference(n1, n2, p2, direction=1).difference is None


def test_power_above_the_exact_limit_is_the_normal_approximation_of_r():
    """power.prop.test(n = 1500, p1 = 0.5, p2 = 0.45, strict = TRUE), R: the approximation used
    above EXACT_MAX_PLACEMENTS, said in the note of a detectable difference there."""
    from evaluation.sectors import EXACT_MAX_PLACEMENTS, fisher_power

    ref = REF["normal_power"]
    assert ref["n1"] + ref["n2"] > EXACT_MAX_PLACEMENTS
    assert fisher_power(ref["n1"], ref["n2"], ref["p1"], ref["p2"], ref["alpha"]) == pytest.approx(
        ref["power"], abs=1e-12
    )
    assert "normal approximation" in detectable_difference(1500, 1500, 0.45).note


def test_power_above_the_exact_limit_with_unequal_groups_and_without_variance():
    """Unequal groups (3,000 and 1,000 placements, 30 % against 25 %): Fleiss et al.'s formula,
    which power.prop.test uses for equal groups, written out in tests/reference/sectors.R; the
    approximation is statsmodels' power_proportions_2indep, not Cohen's h (NormalIndPower with
    proportion_effectsize gives 0.8664 here).  Without variance (both rates 0 or 1) the power is
    1 when the rates differ and 0 when not, by hand."""
    from evaluation.sectors import fisher_power

    ref = REF["normal_power_unequal"]
    assert fisher_power(ref["n1"], ref["n2"], ref["p1"], ref["p2"], ref["alpha"]) == pytest.approx(
        ref["power"], abs=1e-12
    )
    assert fisher_power(1500, 1500, 0.0, 1.0) == 1.0 and fisher_power(1500, 1500, 1.0, 1.0) == 0.0


def test_edge_cases_give_stated_not_estimable_never_nan():
    all_continued = compare_sectors(_placements(20, 20, 18, 18))
    assert all_continued.at["risk difference", "estimate"] == 0
    assert all_continued.at["risk difference", "lower"] < 0 < all_continued.at["risk difference", "upper"]
    assert all_continued.at["odds ratio", "estimate"] is None
    assert "not estimable" in all_continued.at["odds ratio", "note"]
    assert all_continued.at["Fisher's exact test", "p"] == 1.0
    missing = compare_sectors(_placements(5, 10, 0, 0))
    assert missing.at["risk difference", "estimate"] is None
    assert all("not estimable" in note for note in missing["note"])
    none = wilson_interval(0, 12)
    assert none.estimate == 0 and none.lower == 0 and none.upper > 0
    assert wilson_interval(0, 0).estimate is None
    rates = continuation_by_sector(_placements(5, 10, 0, 0))
    assert rates.at["municipality", "rate"] is None and "no placements" in rates.at["municipality", "note"]
    costs = cost_per_continued_job(_placements(0, 4, 2, 3))
    assert costs.at["company", "eur_per_continued"] is None
    assert costs.at["association", "eur_per_continued"] == pytest.approx(3000 / 2)


def test_cost_per_continued_job_is_seeded_and_brackets_the_estimate():
    from evaluation import load_dataset
    from evaluation.paths import DEFAULT_DATASET

    placements = load_dataset(DEFAULT_DATASET).placements
    a = cost_per_continued_job(placements, seed=1)
    b = cost_per_continued_job(placements, seed=1)
    pd.testing.assert_frame_equal(a, b)
    company = placements.loc[placements["sector"] == "company"]
    by_hand = company["subsidy_eur"].sum() / company["continued"].astype(bool).sum()
    assert a.at["company", "eur_per_continued"] == pytest.approx(by_hand, rel=1e-12)
    assert a.at["company", "lower"] < by_hand < a.at["company", "upper"]


def test_sector_precision_both_directions_and_the_process_difference():
    # 12/21 company, 12/17 association: the R case of 21 and 17 placements from 12/17
    case = next(c for c in REF["fisher_power"] if (c["n1"], c["n2"]) == (21, 17))
    # process rates 0.3 and 12/17: R's exact power for p1 = 0.3 against p2 = 12/17 is case["power"][1]
    n_a, n_b, table = sector_precision(_placements(12, 21, 12, 17), true_rates={"company": 0.3, "association": 12 / 17})
    assert (n_a, n_b) == (21, 17)
    up, down, own = (table.iloc[i] for i in range(3))
    assert up["difference"] is None and "no difference upward" in up["note"]
    assert down["company rate"] == pytest.approx(case["down_p1"], abs=1e-9)
    assert down["difference"] == pytest.approx(case["down_p1"] - 12 / 17, abs=1e-9)
    assert own["difference"] == pytest.approx(0.3 - 12 / 17, abs=1e-15)
    assert own["power"] == pytest.approx(case["power"][1], abs=1e-12)
    hidden = sector_precision(_placements(12, 21, 12, 17), hide=lambda k, n: 0 < n - k < 10)[2]
    assert hidden["difference"].isna().all() and (hidden["note"] == "suppressed: fewer than min_cell placements").all()
    assert sector_precision(_placements(3, 5, 0, 0))[2]["difference"].isna().all()


def test_barnard_memory_is_bounded_up_to_its_limit_and_skipped_beyond():
    """Issue 17: 3,000 clients took 7.8 GB.  At the largest table computed (199 + 199
    placements, 40,000 tables) the peak stays small; beyond it the test is skipped with a note."""
    import tracemalloc

    from evaluation.sectors import BARNARD_MAX_TABLES

    assert 200 * 200 <= BARNARD_MAX_TABLES < 201 * 201
    tracemalloc.start()
    p = barnard_exact(120, 199, 90, 199)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 0 < p < 0.01 and peak < 300e6
    big = pd.DataFrame(
        {
            "sector": ["company"] * 250 + ["association"] * 250,
            "continued": [True] * 150 + [False] * 100 + [True] * 100 + [False] * 150,
        }
    )
    row = compare_sectors(big).loc["Barnard's exact test"]
    assert row["p"] is None and "not computed" in row["note"] and "63,001 possible tables" in row["note"]


def test_large_tables_use_woolf_by_hand():
    # OR = 700*700 / (500*500) = 1.96; SE(log OR) = sqrt(2/700 + 2/500) = 0.0828078
    # interval 1.96 exp(-+ 1.959964 * 0.0828079) = 1.96 * (0.850186, 1.176214) = 1.666364, 2.305379
    est = conditional_odds_ratio(700, 1200, 500, 1200)
    assert est.estimate == pytest.approx(1.96, abs=1e-12)
    assert (est.lower, est.upper) == (pytest.approx(1.666364, abs=1e-6), pytest.approx(2.305379, abs=1e-6))
    assert "Woolf" in est.note


def test_cost_interval_by_the_delta_method_by_hand(monkeypatch):
    import evaluation.sectors as sectors

    monkeypatch.setattr(sectors, "EXACT_MAX_PLACEMENTS", 2)
    placements = pd.DataFrame(
        {"sector": ["company"] * 3, "subsidy_eur": [100.0, 200.0, 300.0], "continued": [True, False, True]}
    )
    row = sectors.cost_per_continued_job(placements).loc["company"]
    # R = 600 / 2 = 300; e - R c = (-200, 200, 0); SE = sqrt(80000 / 6) / (2/3) = 173.2051
    assert row["eur_per_continued"] == 300
    assert row["lower"] == pytest.approx(300 - 1.959964 * 173.2051, abs=1e-3)
    assert row["upper"] == pytest.approx(300 + 1.959964 * 173.2051, abs=1e-3)


def test_nothing_to_adjust_for_is_said_not_estimable():
    """Issue 17: with no client covariates an 'adjusted' OR (5.4, p 0.033) 'adjusted for ;'."""
    placements = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(40)],
            "sector": ["company"] * 20 + ["association"] * 20,
            "continued": [True] * 14 + [False] * 6 + [True] * 6 + [False] * 14,
        }
    )
    clients = pd.DataFrame({"client_id": [f"c{i}" for i in range(40)]})
    table = adjusted_comparison(placements, clients)
    for model in ("Mantel–Haenszel over strata", "logistic regression (Firth)"):
        assert table.at[model, "odds_ratio"] is None
        assert table.at[model, "note"].startswith("not estimable: no covariates to adjust for")
    # a constant adjuster is named, not called separation
    clients["health_limitations"] = False
    clients["age_at_entry"] = np.arange(40) % 30 + 20
    row = adjusted_comparison(placements, clients).loc["logistic regression (Firth)"]
    assert row["odds_ratio"] is None and "health_limitations has one value" in row["note"]


def test_all_continued_has_no_zero_width_interval():
    est = risk_ratio(10, 10, 8, 8)
    assert est.estimate == 1 and est.lower is None and est.upper is None
    assert "every placement continued in both sectors" in est.note


@pytest.mark.parametrize("k, n", [(5, 5), (20, 20), (0, 7), (38, 38)])
def test_a_wilson_interval_always_holds_its_proportion(k, n):
    """All continued (or none): the interval's end is the proportion itself, exactly 1 (or 0);
    statsmodels' arithmetic gives 0.9999999999999999 for 20/20, which drew a negative error bar."""
    est = wilson_interval(k, n)
    assert est.lower <= est.estimate <= est.upper
    assert (est.upper == 1.0) if k == n else (est.lower == 0.0)


def test_continuation_sensitivity_keeps_placements_ended_three_months_before_follow_up_end():
    # follow-up ends 2019-05-31: the cut is 2019-02-28; a placement ending on it is kept
    ends = ["2018-06-30", "2019-02-28", "2019-03-01", "2019-06-30"]
    placements = pd.DataFrame(
        {
            "sector": ["company"] * 8 + ["association"] * 8,
            "end": pd.to_datetime(ends * 4),
            "continued": [
                True,
                True,
                False,
                True,
                True,
                False,
                True,
                True,
                False,
                True,
                False,
                False,
                True,
                False,
                True,
                True,
            ],
        }
    )
    table = continuation_sensitivity(placements, pd.Timestamp("2019-05-31"))
    assert list(table.index) == ["all placements", "ended by 2019-02-28 (3 months before follow-up end)"]
    # all: company 6/8, association 4/8; kept (ends 2018-06-30 and 2019-02-28): company 3/4, association 2/4
    counts = table[["company continued", "company placements", "association continued", "association placements"]]
    assert counts.values.tolist() == [[6, 8, 4, 8], [3, 4, 2, 4]]
    for name, (k1, n1, k2, n2) in zip(table.index, [(6, 8, 4, 8), (3, 4, 2, 4)]):
        expected = newcombe_difference(k1, n1, k2, n2)  # checked against R in this file
        assert (table.at[name, "difference"], table.at[name, "lower"], table.at[name, "upper"]) == (
            expected.estimate,
            expected.lower,
            expected.upper,
        )
    # disclosure control: 3 of 4 continued reveals 1 not continued; hidden with the difference
    hidden = continuation_sensitivity(placements, "2019-05-31", hide=lambda k, n: 0 < k < 5 or 0 < n - k < 5)
    # 8 placements a sector is not a small count; 6 of 8 and 4 of 8 continued are (2 and 4 not)
    assert hidden.loc["all placements"].tolist()[:4] == [8, None, 8, None]
    # 4 placements a sector is itself a small count
    assert hidden.iloc[1][["company placements", "company continued", "difference"]].tolist() == [None, None, None]


def _ended_placements(k1, n1, k2, n2, ended="2018-01-31"):
    sectors = ["company"] * n1 + ["association"] * n2
    continued = [True] * k1 + [False] * (n1 - k1) + [True] * k2 + [False] * (n2 - k2)
    return pd.DataFrame({"sector": sectors, "continued": continued, "end": pd.Timestamp(ended)})


def test_sector_reading_says_close_to_the_edge_only_when_it_is():
    # 13/20 vs 6/18: Newcombe 31.7 points (0.1 to 55.7): the lower end, 0.1, is within a tenth of the width
    near = compare_sectors(_ended_placements(13, 20, 6, 18))
    lines = sector_reading(near)
    assert lines[0].endswith(
        "the interval excludes 0: company placements continued more often, as the report's sentence says."
    )
    assert lines[1].startswith("Its end nearest 0 is 0.1 percentage points from it")
    # 18/20 vs 4/18: far from 0; no such sentence
    far = sector_reading(compare_sectors(_ended_placements(18, 20, 4, 18)))
    assert not any("close to the edge" in line for line in far)
    # 10/20 vs 9/18: includes 0, never "close to the edge"
    assert not any("edge" in line for line in sector_reading(compare_sectors(_ended_placements(10, 20, 9, 18))))


def test_sector_reading_says_whether_the_primary_result_holds_on_ended_ended_placements():
    # the 13/20 vs 6/18 placements all ended early, then 5 more company placements not continued
    # that ended after the cut: all 13/25 vs 6/18 includes 0, the early ones 13/20 vs 6/18 exclude it
    late = _ended_placements(0, 5, 0, 0, ended="2019-05-01")
    placements = pd.concat([_ended_placements(13, 20, 6, 18), late], ignore_index=True)
    sensitivity = continuation_sensitivity(placements, "2019-05-31")
    lines = sector_reading(compare_sectors(placements), sensitivity=sensitivity)
    assert lines[0].endswith(
        "no difference can be claimed in either direction, though the estimate lies on the companies' side."
    )
    assert lines[-1].startswith(
        "Placements ended by 2019-02-28 (3 months before follow-up end): 31.7 percentage points"
    )
    assert lines[-1].endswith(
        "the primary result does not hold on them (fewer placements, a wider interval): "
        "it rests partly on placements that ended close to the end of follow-up."
    )
    same = sector_reading(
        compare_sectors(_ended_placements(13, 20, 6, 18)),
        sensitivity=continuation_sensitivity(_ended_placements(13, 20, 6, 18), "2019-05-31"),
    )
    assert same[-1].endswith("the primary result holds on them.")


def test_alternative_tests_and_estimators_of_one_quantity_are_not_holm_adjusted():
    """Issue 24, 12: Fisher and Barnard test one null, crude, Mantel–Haenszel and Firth estimate
    one odds ratio: not families.  One primary of each is declared; the rest are sensitivity,
    and each p-value is the test's own (Fisher's: R's fisher.test)."""
    from evaluation.sectors import PRIMARY, PRIMARY_ADJUSTED, PRIMARY_TEST, sector_metrics

    table = compare_sectors(_placements(13, 20, 6, 18))
    assert "p_holm" not in table.columns
    assert table["role"].tolist().count(PRIMARY) == 1 and table.at["risk difference", "role"] == PRIMARY
    assert table["role"].tolist().count(PRIMARY_TEST) == 1 and table.at["Fisher's exact test", "role"] == PRIMARY_TEST
    assert all(r.startswith("sensitivity") for r in table.drop(["risk difference", "Fisher's exact test"])["role"])
    r_case = next(c for c in REF["two_by_two"] if (c["k1"], c["n1"], c["k2"], c["n2"]) == (13, 20, 6, 18))
    assert table.at["Fisher's exact test", "p"] == pytest.approx(r_case["fisher_p"], abs=1e-9)
    placements, clients = _linked()
    adjusted = adjusted_comparison(placements, clients)
    assert "p_holm" not in adjusted.columns
    assert adjusted.index[adjusted["role"] == PRIMARY_ADJUSTED].tolist() == ["logistic regression (Firth)"]
    metrics = sector_metrics(
        continuation_by_sector(_placements(13, 20, 6, 18)).assign(subsidy_share=0.5),
        continuation_by_sector(_placements(13, 20, 6, 18)),
        table,
        adjusted=adjusted,
    )
    assert not [k for k in metrics if "holm" in k]
    assert (
        metrics["sectors.company_vs_association.adjusted.odds_ratio"]
        == adjusted.at["logistic regression (Firth)", "odds_ratio"]
    )


def test_every_comparison_is_read_with_its_direction():
    """Issue 24, 13: an interval away from the null on the associations' side is against the
    report's sentence, not 'consistent' with it."""
    from evaluation.sectors import adjusted_reading

    # 4/20 vs 14/18: Newcombe's interval lies below 0
    against = sector_reading(compare_sectors(_ended_placements(4, 20, 14, 18)))
    assert against[0].endswith(
        "the interval excludes 0: association placements continued more often, against the report's sentence."
    )
    assert "lies below 1 (associations more often)" in against[1]
    # an early-ended subset on the other side of 0 does not 'hold' the primary result
    flipped = pd.DataFrame(
        {"difference": [0.0, -0.5], "lower": [-0.2, -0.7], "upper": [0.2, -0.2], "note": ""},
        index=["all placements", "ended by 2019-02-28"],
        dtype=object,
    )
    for_company = sector_reading(compare_sectors(_ended_placements(18, 20, 4, 18)), sensitivity=flipped)
    assert for_company[-1].endswith("it rests partly on placements that ended close to the end of follow-up.")
    # the adjusted odds ratios of the referee's report (0.20 and 0.11), read by hand
    table = pd.DataFrame(
        {
            "odds_ratio": [0.5, 0.20, 0.11],
            "lower": [0.2, 0.05, 0.02],
            "upper": [1.3, 0.81, 0.6],
            "p": [0.2, 0.02, 0.01],
            "role": [
                "reference: unadjusted, the same placements",
                "sensitivity: another adjusted estimator",
                "primary adjusted estimate",
            ],
            "note": "",
        },
        index=["crude (linked placements)", "Mantel–Haenszel over strata", "logistic regression (Firth)"],
        dtype=object,
    )
    lines = adjusted_reading(table)
    assert lines[0] == (
        "Primary adjusted estimate, logistic regression (Firth): odds ratio 0.11 (95 % interval 0.02 "
        "to 0.60), below 1: association placements continued more often, against the report's sentence."
    )
    assert lines[1].startswith("Sensitivity, Mantel–Haenszel over strata: odds ratio 0.20") and "against" in lines[1]
    assert lines[2].endswith(
        "including 1: no difference can be claimed in either direction, though the estimate "
        "lies on the associations' side."
    )
    table.loc["logistic regression (Firth)", ["odds_ratio", "lower", "upper"]] = [4.2, 1.3, 16.4]
    assert (
        "above 1: company placements continued more often, as the report's sentence says" in adjusted_reading(table)[0]
    )


def test_precision_sentences_follow_the_numbers():
    """Issue 24, 17: no adjective about size; the sentences print the interval's width, the
    detectable differences both ways and the power for the process' difference."""
    from evaluation.sectors import precision_reading

    placements = _placements(12, 21, 12, 17)
    n_a, n_b, table = sector_precision(placements, true_rates={"company": 0.6, "association": 0.35})
    lines = precision_reading(table, n_a, n_b, comparison=compare_sectors(placements))
    rd = newcombe_difference(12, 21, 12, 17)
    assert lines[0] == (
        f"With 21 company and 17 association placements, the primary interval is "
        f"{100 * (rd.upper - rd.lower):.1f} percentage points wide."
    )
    assert lines[1].startswith("Upward: no difference upward from 70.6 % is detectable with 80 % power")
    down = REF["fisher_power"][0]["down_p1"]
    assert lines[2].startswith(
        f"Downward: Fisher's exact test would find a difference of {100 * (down - 12 / 17):+.1f}"
    )
    assert "small" not in " ".join(lines).replace("smaller one", "")
    assert lines[3].startswith("The process that made these synthetic data has continuation probabilities company 60 %")


def test_the_power_parameter_is_checked_before_a_run():
    from evaluation.parameters import parameter_problems

    assert parameter_problems({"power": 0.8}, {"power": "float"}) == []
    assert parameter_problems({"power": 80}, {"power": "float"}) == [
        "parameter power must be a share between 0 and 1 (80 % power is 0.8), e.g. -p power 0.8"
    ]


def test_a_tiny_p_and_a_near_certain_power_are_not_printed_as_0_and_100():
    from evaluation.sectors import precision_reading

    placements = _ended_placements(300, 400, 150, 400)  # 75 % vs 37.5 %: Fisher's p far below 0.001
    assert "Fisher's p < 0.001 (the primary test)" in sector_reading(compare_sectors(placements))[1]
    n_a, n_b, table = sector_precision(placements, true_rates={"company": 0.6, "association": 0.35})
    assert table.at["the process' own difference", "power"] > 0.99
    assert "with probability more than 99 %, at least the 80 % sought." in precision_reading(table, n_a, n_b)[-1]


def test_precision_metrics_of_real_data_are_hidden_with_a_small_count():
    """Disclosure control: the detectable differences and the power are computed from the
    associations' observed rate, so 3 of 17 not continued (a small count) hides them all."""
    from evaluation.privacy import DisclosureControl
    from evaluation.sectors import sector_metrics

    dc = DisclosureControl(active=True, min_cell=5)
    placements = _placements(12, 21, 14, 17)
    table = sector_precision(placements, hide=dc.hides)[2]
    rates = continuation_by_sector(placements)
    metrics = sector_metrics(rates.assign(subsidy_share=0.5), rates, compare_sectors(placements), precision=table)
    key = "sectors.company_vs_association.detectable_difference"
    assert metrics[f"{key}.upward"] is None and metrics[f"{key}.downward"] is None
    shown = sector_metrics(
        rates.assign(subsidy_share=0.5), rates, compare_sectors(placements), precision=sector_precision(placements)[2]
    )
    assert shown[f"{key}.downward"] < 0

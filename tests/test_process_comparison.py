"""The comparison study's stated process (issue 25): its truth is right (hand calculations in
closed form, a large draw), its registers obey the contract, its parameters are checked, and the
default dataset's old tables did not move."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from evaluation.process import (
    CAUSES,
    COMPARISON_COLUMNS,
    PROCESS,
    Process,
    ProcessError,
    draw_comparison_study,
    load_process,
    true_att,
)
from evaluation.synthetic import _csv, synthesize
from evaluation.vocabulary import EDUCATION_LEVELS, OUTCOME_GROUPS, SEXES

YEAR = 365.0
WINDOW = 6 * 365.25 / 12  # the effect's six months in days, as process.yaml states them


def _params() -> dict:
    return yaml.safe_load(PROCESS.read_text(encoding="utf-8"))


def _one_client(age=40, health=False, education="basic", months=0, elapsed=0.0, u=False) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age_at_spell_start": [age],
            "health_limitations": [health],
            "education_level": [education],
            "months_employed_3y": [months],
            "elapsed_days": [elapsed],
            "u": [u],
        }
    )


def _a(params: dict, cause: str, months: int = 0) -> float:
    """a_k(x) for age 40, no health limitations, basic education: rate_k exp(beta_months * months / 12)."""
    c = params["comparison"]
    return c["rates"][cause] * math.exp(c["months_employed_per_12"][cause] * months / 12)


# --------------------------------------------------------------------------- the truth by hand
def test_with_the_effect_at_one_the_att_is_exactly_zero():
    params = _params()
    params["comparison"]["effect"]["hazard_ratio"] = 1.0
    process = Process(params, "test")
    clients = pd.concat([_one_client(elapsed=0), _one_client(age=55, health=True, months=20, elapsed=400)])
    t = true_att(process, clients, [30, 365, 1000])
    assert (t["att"] == 0).all() and (t["risk_ratio"] == 1).all()


@pytest.mark.parametrize("elapsed", [0.0, 37.0, 400.0])
def test_with_one_cause_the_cif_is_one_minus_exp_of_the_remaining_cumulative_hazard(elapsed):
    # only employment (the other rates 0): F(h) = 1 - exp(-[H_1(e + h) - H_1(e)]) untreated and, with
    # the effect, 1 - exp(-hr [H(e + min(h, w)) - H(e)] - [H(e + h) - H(e + min(h, w))]),
    # H(d) = (d / 365)^0.85 a_1, a_1 = rate_employment at x = 0 (age 40, basic, no limitations, 0 months)
    params = _params()
    for cause in CAUSES[1:]:
        params["comparison"]["rates"][cause] = 0.0
    process = Process(params, "test")
    a1, hr, p = params["comparison"]["rates"]["employment"], 1.5, 0.85

    def H(d):
        return (d / YEAR) ** p * a1

    horizons = [30, 182, 183, 365, 900]
    t = true_att(process, _one_client(elapsed=elapsed), horizons)
    for i, h in enumerate(horizons):
        untreated = 1 - math.exp(-(H(elapsed + h) - H(elapsed)))
        m = min(h, WINDOW)
        treated = 1 - math.exp(-hr * (H(elapsed + m) - H(elapsed)) - (H(elapsed + h) - H(elapsed + m)))
        assert t["untreated"][i] == pytest.approx(untreated, abs=1e-8)
        assert t["treated"][i] == pytest.approx(treated, abs=1e-8)
        assert t["risk_ratio"][i] == pytest.approx(treated / untreated, rel=1e-7)


@pytest.mark.parametrize(("elapsed", "months"), [(0.0, 0), (90.0, 12), (730.0, 30)])
def test_with_four_causes_the_cif_matches_the_closed_form_of_a_shared_shape(elapsed, months):
    # One Weibull shape p for every cause: with g(d) = (d / 365)^p, H_k = a_k g, every hazard is
    # a_k g'(d), and the effect multiplies a_1 by hr on the window (0, w]. On the window the total is
    # A' = A + (hr - 1) a_1, A = sum a_k, so
    #   F_1(h) = hr a_1 / A' (1 - exp(-A' [g(e + h) - g(e)]))                      for h <= w,
    #   F_1(h) = F_1(w) + exp(-A' [g(e + w) - g(e)]) a_1 / A (1 - exp(-A [g(e + h) - g(e + w)]))  after;
    # untreated: hr = 1 (Kalbfleisch and Prentice 2002, section 8.2, with proportional hazards).
    params = _params()
    process = Process(params, "test")
    a = {c: _a(params, c, months) for c in CAUSES}
    A, a1, hr, p = sum(a.values()), a["employment"], 1.5, 0.85

    def g(d):
        return (d / YEAR) ** p

    def cif(h, ratio):
        total = A + (ratio - 1) * a1
        m = min(h, WINDOW)
        inside = ratio * a1 / total * (1 - math.exp(-total * (g(elapsed + m) - g(elapsed))))
        if h <= WINDOW:
            return inside
        alive = math.exp(-total * (g(elapsed + WINDOW) - g(elapsed)))
        return inside + alive * a1 / A * (1 - math.exp(-A * (g(elapsed + h) - g(elapsed + WINDOW))))

    horizons = [1, 90, 182, 365, 730, 2000]
    t = true_att(process, _one_client(months=months, elapsed=elapsed), horizons)
    for i, h in enumerate(horizons):
        assert t["untreated"][i] == pytest.approx(cif(h, 1.0), abs=1e-8)
        assert t["treated"][i] == pytest.approx(cif(h, hr), abs=1e-8)
        assert t["att"][i] == pytest.approx(cif(h, hr) - cif(h, 1.0), abs=2e-8)


def test_the_att_is_the_average_over_the_clients_and_the_trait_raises_the_employment_hazard():
    process = load_process()
    one = _one_client(age=30, months=10, elapsed=50)
    two = _one_client(age=60, health=True, education="tertiary", months=3, elapsed=500, u=True)
    both = true_att(process, pd.concat([one, two], ignore_index=True), [180, 365])
    t1, t2 = true_att(process, one, [180, 365]), true_att(process, two, [180, 365])
    for column in ("treated", "untreated"):
        np.testing.assert_allclose(both[column], (t1[column] + t2[column]) / 2, rtol=1e-12)
    np.testing.assert_allclose(both["risk_ratio"], both["treated"] / both["untreated"], rtol=1e-12)
    assert (both["clients"] == 2).all()
    # U multiplies a_1 by employment_hazard_ratio: the same client with U reaches employment sooner
    with_u = true_att(process, _one_client(age=30, months=10, elapsed=50, u=True), [180])
    assert with_u["untreated"][0] > t1["untreated"][0]


# --------------------------------------------------------------------------- the registers
@pytest.mark.parametrize("variant", ["observed", "unobserved"])
def test_a_drawn_study_obeys_the_contract(variant):
    process = load_process()
    clients, comparison, inputs = draw_comparison_study(process, np.random.default_rng(3), variant=variant)
    start, last, end = (np.datetime64(d) for d in (process.start, process.last_enrolment, process.end))
    # comparison.csv: columns, codes, ranges
    assert tuple(comparison.columns) == COMPARISON_COLUMNS
    assert 3000 <= len(comparison) <= 6000  # 3,000 people, some with several spells
    assert not comparison.duplicated(["person_id", "unemployed_since"]).any()
    assert comparison["person_id"].str.fullmatch(r"C\d{5}").all()
    assert comparison["outcome"].isin(list(OUTCOME_GROUPS)).all()
    assert comparison["municipality_code"].isin(["071", "069", "535", "791", "630"]).all()
    assert comparison["sex"].isin(SEXES).all() and comparison["education_level"].isin(EDUCATION_LEVELS).all()
    assert comparison["age_at_spell_start"].between(15, 70).all()
    assert comparison["months_employed_3y"].between(0, 36).all()
    since, exit_ = comparison["unemployed_since"], comparison["exit_date"]
    assert (exit_ >= since).all() and (exit_ <= end).all()
    assert (since >= np.datetime64("2013-06-01")).all() and (since <= last).all()
    assert (exit_[comparison["outcome"] == "censored"] == end).all()
    # a person's spells do not overlap: each begins after the previous one's exit
    ordered = comparison.sort_values(["person_id", "unemployed_since"])
    same = ordered["person_id"].eq(ordered["person_id"].shift())
    assert (ordered["unemployed_since"][same] > ordered["exit_date"].shift()[same]).all()
    assert same.any()  # some people re-entered
    # no spell after a retirement
    assert not (ordered["outcome"].shift().eq("retired") & same).any()
    # clients: the contract's columns, from a spell, enrolled on a working day of the study
    assert list(clients.columns) == [
        "client_id",
        "enrolled",
        "exit_date",
        "outcome",
        "age_at_entry",
        "sex",
        "long_term_unemployed",
        "health_limitations",
        "education_level",
        "unemployed_since",
        "months_employed_3y",
    ]
    assert 100 <= len(clients) <= 220  # about 150 enrol
    enrolled = clients["enrolled"].to_numpy().astype("datetime64[D]")
    assert ((enrolled >= start) & (enrolled <= last)).all() and np.is_busday(enrolled).all()
    assert (clients["unemployed_since"] <= clients["enrolled"]).all()
    assert (clients["exit_date"] >= clients["enrolled"]).all() and (clients["exit_date"] <= end).all()
    elapsed = (clients["enrolled"] - clients["unemployed_since"]).dt.days
    assert (clients["long_term_unemployed"] == (elapsed >= 365)).all()
    assert (inputs["elapsed_days"].to_numpy() == elapsed.to_numpy()).all()
    assert (inputs["client_id"] == clients["client_id"]).all()
    assert clients["age_at_entry"].between(15, 71).all()
    assert (inputs["u"].any()) == (variant == "unobserved")


def _monte_carlo_process(tmp_path) -> Process:
    # one covariate cell for (almost) everyone: age 30 at the first spell, no health limitations
    # (log odds -40), basic education, months employed concentrated at 0 (beta-binomial a 0.05, b 50)
    params = _params()
    c = params["comparison"]
    c["people"] = 60_000
    c["covariates"]["age_bands"] = [{"from": 30, "to": 30, "p": 1.0}]
    c["covariates"]["health_limitations"] = {"intercept": -40.0, "age_per_10": 0.0}
    c["covariates"]["months_employed_3y"] = {"a": 0.05, "b": 50.0}
    for group in ("under_25", "others"):
        params["covariates"]["education_level"][group] = {
            "basic": 1.0,
            "upper_secondary": 0.0,
            "tertiary": 0.0,
            "unknown": 0.0,
        }
    file = tmp_path / "process.yaml"
    file.write_text(yaml.safe_dump(params))
    return load_process(file)


def test_the_untreated_cif_of_a_cell_at_365_days_matches_the_integrated_truth(tmp_path):
    process = _monte_carlo_process(tmp_path)
    _, comparison, _ = draw_comparison_study(process, np.random.default_rng(2024))
    # spells of the cell outside Haapavesi (no selection there), with a full year of follow-up
    cell = comparison[
        (comparison["municipality_code"] != "071")
        & (comparison["age_at_spell_start"] == 30)
        & (comparison["months_employed_3y"] == 0)
        & (comparison["unemployed_since"] <= np.datetime64(process.end) - np.timedelta64(365, "D"))
    ]
    assert len(cell) > 5000
    employed = cell["outcome"].map(OUTCOME_GROUPS).eq("employment") & (
        (cell["exit_date"] - cell["unemployed_since"]).dt.days <= 365
    )
    estimate, n = employed.mean(), len(cell)
    truth = true_att(process, _one_client(age=30, months=0, elapsed=0), [365])["untreated"][0]
    se = math.sqrt(truth * (1 - truth) / n)
    assert abs(estimate - truth) < 4 * se, (estimate, truth, se)


@pytest.mark.parametrize("variant", ["observed", "unobserved"])
def test_the_clients_employment_by_90_days_matches_the_truth_with_the_effect(tmp_path, variant):
    # every client is followed at least 92 days (last enrolment 2019-02-28, end 2019-05-31); the
    # clients' indicators are independent given their x, e (and U), so the mean's variance is at most
    # pbar (1 - pbar) / n
    process = _monte_carlo_process(tmp_path)
    clients, _, inputs = draw_comparison_study(process, np.random.default_rng(7), variant=variant)
    assert len(clients) > 1500
    employed = clients["outcome"].map(OUTCOME_GROUPS).eq("employment") & (
        (clients["exit_date"] - clients["enrolled"]).dt.days <= 90
    )
    truth = true_att(process, inputs, [90])["treated"][0]
    se = math.sqrt(truth * (1 - truth) / len(clients))
    assert abs(employed.mean() - truth) < 4 * se, (employed.mean(), truth, se)


# --------------------------------------------------------------------------- checking the file
def test_a_bad_comparison_section_gets_one_line_per_bad_number(tmp_path):
    params = _params()
    c = params["comparison"]
    c["rates"]["employment"] = -1
    c["municipalities"] = {"071": 0.5, "999": 0.5}
    c["reentry"]["share"] = 1.5
    c["effect"]["hazard_ratio"] = 0
    c["selection"]["gamma"]["tertiary"] = "high"
    c["selection"]["elapsed_bands"][1]["from"] = 100
    c["unobserved"]["prevalence"] = -0.1
    file = tmp_path / "process.yaml"
    file.write_text(yaml.safe_dump(params))
    with pytest.raises(ProcessError) as info:
        load_process(file)
    lines = str(info.value).splitlines()
    assert all(line.startswith(f"{file}: comparison") for line in lines)
    expected = [
        "comparison.rates.employment must be a positive number",
        "'999' is not a municipality code of 2022",
        "comparison.reentry.share must be a probability from 0 to 1",
        "comparison.effect.hazard_ratio must be a positive number",
        "comparison.selection.gamma.tertiary must be a number",
        "comparison.selection.elapsed_bands[1]: the bands must run on from 0 without gaps (this one from 90)",
        "comparison.unobserved.prevalence must be a probability from 0 to 1",
    ]
    assert len(lines) == len(expected), lines
    for text in expected:
        assert sum(text in line for line in lines) == 1, text


def test_a_process_file_without_a_comparison_section_still_loads_but_cannot_draw_one(tmp_path):
    params = _params()
    del params["comparison"]
    file = tmp_path / "process.yaml"
    file.write_text(yaml.safe_dump(params))
    process = load_process(file)
    with pytest.raises(ProcessError, match="section 'comparison' is missing"):
        draw_comparison_study(process, np.random.default_rng(1))
    with pytest.raises(ValueError, match="variant must be one of observed, unobserved"):
        draw_comparison_study(load_process(), np.random.default_rng(1), variant="hidden")


# --------------------------------------------------------------------------- the default dataset
#: sha256 of data/synthetic/wassup/{clients,placements,monthly}.csv as committed at 94f6ef3, before
#: the comparison was added (`sha256sum data/synthetic/wassup/*.csv` on that commit); clients.csv
#: with only its nine columns of then.
OLD_SHA256 = {
    "clients": "85b6cb40eb82d6060231d05459336531de7c3a0a2cfabd3496702324ee892e8b",
    "placements": "27e326c8337146db4007805c238ce2a50e72a68ad2d0e814390e99e2a8964b4d",
    "monthly": "07dcf2b0496b41ca6472258d85d52cf8d19cae50bd3c7eb069b5f9a541b6c034",
}
OLD_CLIENT_COLUMNS = [
    "client_id",
    "enrolled",
    "exit_date",
    "outcome",
    "age_at_entry",
    "sex",
    "long_term_unemployed",
    "health_limitations",
    "education_level",
]


def test_the_default_dataset_keeps_its_old_tables_byte_for_byte():
    tables = synthesize(seed=2019, n_clients=150)
    clients = tables["clients"]
    assert list(clients.columns) == OLD_CLIENT_COLUMNS + ["unemployed_since", "months_employed_3y"]
    frames = {"clients": clients[OLD_CLIENT_COLUMNS], "placements": tables["placements"], "monthly": tables["monthly"]}
    for name, frame in frames.items():
        assert hashlib.sha256(_csv(frame)).hexdigest() == OLD_SHA256[name], name
    # the new columns are coherent with the old ones
    elapsed = (clients["enrolled"] - clients["unemployed_since"]).dt.days
    assert (clients["long_term_unemployed"] == (elapsed >= 365)).all() and (elapsed >= 0).all()
    assert clients["months_employed_3y"].between(0, 36).all()
    comparison = tables["comparison"]
    assert tuple(comparison.columns) == COMPARISON_COLUMNS and len(comparison) > 3000
    assert tables["meta"]["sources"]["comparison"] == "synthetic"


def test_the_committed_default_is_the_old_tables_with_the_new_columns():
    from evaluation.paths import DEFAULT_DATASET

    committed = DEFAULT_DATASET / "clients.csv"
    lines = committed.read_text(encoding="utf-8").splitlines(keepends=True)
    old = "".join(",".join(line.rstrip("\n").split(",")[:9]) + "\n" for line in lines)
    assert hashlib.sha256(old.encode("utf-8")).hexdigest() == OLD_SHA256["clients"]
    for name in ("placements", "monthly"):
        digest = hashlib.sha256((DEFAULT_DATASET / f"{name}.csv").read_bytes()).hexdigest()
        assert digest == OLD_SHA256[name], name
    assert (DEFAULT_DATASET / "comparison.csv").is_file()

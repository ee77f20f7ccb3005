"""The stated process: its truth is right (a large draw, a hand calculation), its registers look
like registers, its parameters are checked."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from evaluation.process import (
    CAUSES,
    PROCESS,
    ProcessError,
    analysis_frame,
    draw_register,
    expected_shares,
    load_process,
    truth,
)
from evaluation.simulation import true_values
from evaluation.survival import competing_risks_data, cumulative_incidence, kaplan_meier, restricted_mean, value_at


@pytest.mark.parametrize("file", ["process.yaml", "process_fine_gray.yaml"])
def test_truth_agrees_with_a_draw_of_200000_clients(file):
    process = load_process(PROCESS.parent / file)
    clients, _ = draw_register(process, 200_000, np.random.default_rng(5))
    time, event = competing_risks_data(analysis_frame(clients))
    truths = true_values(process, 0.05)
    cif = cumulative_incidence(time, event)
    km = kaplan_meier(time, event > 0)
    worst = 0.0
    for h in (180, 365, 730):
        for cause in CAUSES:
            v = value_at(cif.loc[cif["cause"] == cause], h, ("cif", "variance"))
            worst = max(worst, abs(v["cif"] - truths[f"cif.{cause}.{h}d"]) / math.sqrt(v["variance"]))
        v = value_at(km, h, ("survival", "std_err"))
        worst = max(worst, abs(v["survival"] - truths[f"no_exit.{h}d"]) / v["std_err"])
        r = restricted_mean(time, event > 0, h)
        worst = max(worst, abs(r["rmean"] - truths[f"rmst.{h}d"]) / r["se"])
    # 21 estimates: each within 4 of its standard errors of the truth (a false alarm about 1 in 750)
    assert worst < 4, worst


def _process_file(tmp_path, **changes):
    params = yaml.safe_load(PROCESS.read_text())
    for path, value in changes.items():
        where = params
        keys = path.split("__")
        for k in keys[:-1]:
            where = where[k]
        if value is None:
            del where[keys[-1]]
        else:
            where[keys[-1]] = value
    file = tmp_path / "process.yaml"
    file.write_text(yaml.safe_dump(params))
    return file


def test_truth_by_hand_with_constant_hazards_and_no_covariate_effects(tmp_path):
    # shape 1 and every beta 0: F_k(t) = r_k / R (1 - exp(-R t / 365)) for every client, R = sum r_k;
    # an exit on a weekend is recorded on Monday, so "recorded by day h" is "exit by h - s" with s the
    # days from the last Friday when day h is a Saturday (1) or Sunday (2)
    rates = {"employment": 0.8, "activation": 0.4, "retirement": 0.1, "other": 0.2}
    params = yaml.safe_load(PROCESS.read_text())
    params["outcomes"]["shape"] = 1.0
    params["enrolment"]["month_weights"] = [1] * 12
    for cause, rate in rates.items():
        params["outcomes"]["causes"][cause]["rate"] = rate
        params["outcomes"]["causes"][cause]["beta"] = {k: 0.0 for k in params["outcomes"]["causes"][cause]["beta"]}
    file = tmp_path / "process.yaml"
    file.write_text(yaml.safe_dump(params))
    process = load_process(file)
    # enrolment weekdays counted with datetime: every working day from start to last enrolment
    day, counts = process.start, [0] * 5
    while day <= process.last_enrolment:
        if day.weekday() < 5:
            counts[day.weekday()] += 1
        day += dt.timedelta(days=1)
    total_rate = sum(rates.values())

    def exit_by(d, rate):
        return rate / total_rate * (1 - math.exp(-total_rate * d / 365))

    t = truth(process, [100, 365])
    for i, h in enumerate([100, 365]):
        for cause, rate in rates.items():
            expected = 0.0
            for weekday, count in enumerate(counts):
                w = (weekday + h) % 7
                s = {5: 1, 6: 2}.get(w, 0)
                expected += count / sum(counts) * exit_by(h - s, rate)
            assert t["cif"][cause][i] == pytest.approx(expected, rel=1e-12)
    # the restricted mean is the sum of P(no exit by u) for u = 0 .. h - 1
    no_exit = 1 - sum(truth(process, list(range(100)))["cif"][c] for c in CAUSES)
    assert t["rmst"][0] == pytest.approx(no_exit.sum(), rel=1e-12)


def test_the_fine_gray_variant_is_process_yaml_with_its_own_outcomes():
    base, variant = load_process(), load_process(PROCESS.parent / "process_fine_gray.yaml")
    assert (base.design, variant.design) == ("cause_specific", "fine_gray")
    assert {k: v for k, v in variant.params.items() if k != "outcomes"} == {
        k: v for k, v in base.params.items() if k != "outcomes"
    }
    t = truth(variant, [365])
    assert list(t["coefficients"]) == ["finegray"] and t["coefficients"]["finegray"]["long_term_unemployed"] == -0.6
    # F_employment(infinity | x = 0) = p: by a year most of it is reached
    fg = variant.params["outcomes"]["fine_gray"]
    assert 0 < t["cif"]["employment"][0] < fg["p"]


def test_the_process_file_is_calibrated_to_the_report():
    process = load_process()
    targets = process.params["calibration"]["target_shares"]
    shares = expected_shares(process)
    for cause in CAUSES:
        assert shares[cause] == pytest.approx(targets[cause], abs=1e-5), cause


def test_a_bad_process_file_gets_one_line_per_problem(tmp_path):
    file = _process_file(
        tmp_path,
        study__end=dt.date(2019, 6, 1),
        covariates__sex={"F": 0.5, "M": 0.4, "X": 0.0},
        outcomes__causes__retirement__rate=-1,
        placements=None,
    )
    with pytest.raises(ProcessError) as info:
        load_process(file)
    lines = str(info.value).splitlines()
    assert all(line.startswith(f"{file}: ") for line in lines)
    text = "\n".join(lines)
    assert "section 'placements' is missing" in text
    file = _process_file(
        tmp_path,
        study__end=dt.date(2019, 6, 1),
        covariates__sex={"F": 0.5, "M": 0.4, "X": 0.0},
        outcomes__causes__retirement__rate=-1,
    )
    with pytest.raises(ProcessError) as info:
        load_process(file)
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert "study.end must be a working day" in lines[0]
    assert "covariates.sex: the probabilities must be non-negative and sum to 1 (they sum to 0.9)" in lines[1]
    assert "outcomes.causes.retirement.rate must be a positive number" in lines[2]


def test_a_drawn_register_looks_like_a_register():
    process = load_process()
    clients, placements = draw_register(process, 20_000, np.random.default_rng(11))
    c = analysis_frame(clients)
    end = pd.Timestamp(process.end)
    weekday = lambda s: s.dt.weekday  # noqa: E731
    # enrolment and recorded exits on working days only; censoring only at the study's end
    assert (weekday(c["enrolled"]) < 5).all()
    exits = c.loc[c["outcome"] != "censored"]
    assert (weekday(exits["exit_date"]) < 5).all()
    assert (c.loc[c["outcome"] == "censored", "exit_date"] == end).all()
    # enrolment through the whole window, independent of what follows: among the exits within the
    # shortest follow-up anyone has, the time to exit does not depend on when the client enrolled
    assert c["enrolled"].max() >= pd.Timestamp(process.last_enrolment) - pd.Timedelta(days=7)
    shortest = (end - c["enrolled"].max()).days
    early = exits.loc[exits["duration_days"] <= shortest]
    corr = np.corrcoef(early["enrolled"].astype("int64"), early["duration_days"])[0, 1]
    assert abs(corr) < 4 / math.sqrt(len(early)), corr
    # no cap on durations: the longest exits do not pile up on one day (the old generator put 3 of
    # 12 retirements on day 1092)
    longest = exits["duration_days"].nlargest(100)
    assert longest.nunique() >= 50
    # characteristics go together: long-term unemployment with age, health limitations with both
    ltu, health = c["long_term_unemployed"].astype(bool), c["health_limitations"].astype(bool)
    old = c["age_at_entry"] >= 50
    assert ltu[old].mean() > ltu[~old].mean() + 0.1 and health[ltu].mean() > health[~ltu].mean() + 0.05
    # placements: all end by the study's end; a continued one belongs to a client who left for
    # subsidised work (starting on the exit day), any linked one fits the client's register
    assert (placements["end"] <= end).all()
    linked = placements.loc[placements["client_id"] != ""].merge(c, on="client_id", suffixes=("", "_client"))
    assert linked["client_id"].is_unique and len(linked) > 0.5 * len(placements)
    continued = linked.loc[linked["continued"]]
    assert (continued["outcome"] == "employed_subsidised").all() and (
        continued["start"] == continued["exit_date"]
    ).all()
    inside = linked["outcome"] != "employed_subsidised"
    assert (
        (linked.loc[inside, "start"] >= linked.loc[inside, "enrolled"])
        & (linked.loc[inside, "end"] <= linked.loc[inside, "exit_date"])
    ).all()

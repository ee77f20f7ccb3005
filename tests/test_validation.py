"""Coverage notes quote the study of the process the data came from (issue 24, item 11).

Study folders are written by hand here (a study.json and a coverage.csv each), so every
sentence is checked against numbers stated in the test; the last test reads the committed
studies in validation/ for the default dataset.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from evaluation.validation import coverage_notes, dataset_process, not_validated

CAUSE = "data/synthetic/process.yaml"
FG = "data/synthetic/process_fine_gray.yaml"


def _study(root, name, clients, process, design, rows):
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "study.json").write_text(json.dumps({"replications": 1000, "clients": clients, "alpha": 0.05,
                                                   "process": process, "design": design}))
    pd.DataFrame(rows).set_index("quantity").to_csv(folder / "coverage.csv")


def _two_worlds(tmp_path):
    row = {"kind": "interval", "replications": 1000}
    _study(tmp_path, "cs", 150, CAUSE, "cause_specific", [
        {"quantity": "cox.employment.age", **row, "coverage": 0.950, "verdict": "ok"},
        {"quantity": "finegray.employment.age", **row, "coverage": float("nan"), "verdict": "no truth"}])
    _study(tmp_path, "fg", 150, FG, "fine_gray", [
        {"quantity": "cox.employment.age", **row, "coverage": float("nan"), "verdict": "no truth"},
        {"quantity": "finegray.employment.age", **row, "coverage": 0.931, "verdict": "under"}])


def test_fine_gray_coefficients_of_cause_specific_data_have_no_true_value(tmp_path):
    _two_worlds(tmp_path)
    notes = coverage_notes(["finegray.employment.age"], 150, folder=tmp_path, process=CAUSE)
    # the Fine-Gray study's 93.1 % is from another world: not quoted
    assert notes == [f"Coverage study (cs, drawn from {CAUSE}, a cause-specific hazards process, as these data "
                     "were): finegray.employment.age: no true value in this process, so the study cannot say "
                     "whether the intervals cover the truth: not validated."]
    # without a process (real data) the study that defines the truth speaks, as before
    assert coverage_notes(["finegray.employment.age"], 150, folder=tmp_path)[0].startswith("Coverage study (fg:")


def test_cox_coefficients_of_fine_gray_data_have_no_true_value_and_its_own_study_speaks(tmp_path):
    _two_worlds(tmp_path)
    cox = coverage_notes(["cox.employment.age"], 150, folder=tmp_path, process=FG)
    assert len(cox) == 1 and cox[0].startswith("Coverage study (fg, drawn from data/synthetic/process_fine_gray.yaml, "
                                               "a Fine–Gray (subdistribution) process")
    assert "no true value in this process" in cox[0]
    fg = coverage_notes(["finegray.employment.age"], 150, folder=tmp_path, process="./" + FG)
    half = 100 * 1.959963984540054 * math.sqrt(0.95 * 0.05 / 1000)
    assert fg[0].startswith("Coverage study (fg: 1,000 registers of 150 clients drawn from a known truth): the 95 % "
                            "intervals of finegray.employment.age covered the truth in 93.1 % of them "
                            f"(Monte Carlo band {95 - half:.1f}–{95 + half:.1f} %)")


def test_quantities_no_study_of_the_process_has_are_called_not_validated(tmp_path):
    _two_worlds(tmp_path)
    notes = coverage_notes({"km.median": "the Kaplan–Meier median"}, 150, folder=tmp_path, process=CAUSE)
    assert notes == [not_validated(["the Kaplan–Meier median"])]
    assert notes[0].startswith("Not validated: no coverage study in validation/ measured how often the intervals "
                               "of the Kaplan–Meier median cover the truth")
    assert not_validated("x", of="the odds ratio of") == not_validated(["x"], of="the odds ratio of")
    # a process no study was drawn from: nothing validates its intervals
    assert coverage_notes(["cox.employment.age"], 150, folder=tmp_path, process="data/other.yaml") == [
        not_validated(["cox.employment.age"])]


def test_dataset_process_is_the_synthetic_clients_process_only():
    assert dataset_process({"synthetic": True, "process": CAUSE, "sources": {"clients": "synthetic"}}) == CAUSE
    assert dataset_process({"synthetic": True, "process": CAUSE}) == CAUSE
    assert dataset_process({"synthetic": False, "process": CAUSE}) is None
    assert dataset_process({"synthetic": True, "process": CAUSE, "sources": {"clients": "register"}}) is None
    assert dataset_process({"synthetic": True}) is None


def test_the_default_dataset_quotes_the_cause_specific_studies():
    """The committed studies: the default dataset (drawn from process.yaml) gets its Fine–Gray
    coefficients called truthless, not the Fine–Gray study's coverage."""
    from evaluation import load_dataset
    from evaluation.paths import DEFAULT_DATASET

    process = dataset_process(load_dataset(DEFAULT_DATASET).meta)
    assert process == CAUSE
    notes = coverage_notes(["finegray.employment.age_at_entry"], 150, process=process)
    assert len(notes) == 1 and notes[0].startswith("Coverage study (coverage_n150, drawn from data/synthetic/process.yaml")
    assert "no true value in this process" in notes[0] and "fine_gray" not in notes[0]

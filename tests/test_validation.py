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
    (folder / "study.json").write_text(
        json.dumps({"replications": 1000, "clients": clients, "alpha": 0.05, "process": process, "design": design})
    )
    pd.DataFrame(rows).set_index("quantity").to_csv(folder / "coverage.csv")


def _two_worlds(tmp_path):
    row = {"kind": "interval", "replications": 1000}
    _study(
        tmp_path,
        "cs",
        150,
        CAUSE,
        "cause_specific",
        [
            {"quantity": "cox.employment.age", **row, "coverage": 0.950, "verdict": "ok"},
            {"quantity": "finegray.employment.age", **row, "coverage": float("nan"), "verdict": "no truth"},
        ],
    )
    _study(
        tmp_path,
        "fg",
        150,
        FG,
        "fine_gray",
        [
            {"quantity": "cox.employment.age", **row, "coverage": float("nan"), "verdict": "no truth"},
            {"quantity": "finegray.employment.age", **row, "coverage": 0.931, "verdict": "under"},
        ],
    )


def test_fine_gray_coefficients_of_cause_specific_data_have_no_true_value(tmp_path):
    _two_worlds(tmp_path)
    notes = coverage_notes(["finegray.employment.age"], 150, folder=tmp_path, process=CAUSE)
    # the Fine-Gray study's 93.1 % is from another world: not quoted
    assert notes == [
        f"Coverage study (cs, drawn from {CAUSE}, a cause-specific hazards process, as these data "
        "were): finegray.employment.age: no true value in this process, so the study cannot say "
        "whether the intervals cover the truth: not validated."
    ]
    # without a process (real data) the study that defines the truth speaks, as before
    assert coverage_notes(["finegray.employment.age"], 150, folder=tmp_path)[0].startswith("Coverage study (fg:")


def test_cox_coefficients_of_fine_gray_data_have_no_true_value_and_its_own_study_speaks(tmp_path):
    _two_worlds(tmp_path)
    cox = coverage_notes(["cox.employment.age"], 150, folder=tmp_path, process=FG)
    assert len(cox) == 1 and cox[0].startswith(
        "Coverage study (fg, drawn from data/synthetic/process_fine_gray.yaml, a Fine–Gray (subdistribution) process"
    )
    assert "no true value in this process" in cox[0]
    fg = coverage_notes(["finegray.employment.age"], 150, folder=tmp_path, process="./" + FG)
    half = 100 * 1.959963984540054 * math.sqrt(0.95 * 0.05 / 1000)
    assert fg[0].startswith(
        "Coverage study (fg: 1,000 registers of 150 clients drawn from a known truth): the 95 % "
        "intervals of finegray.employment.age covered the truth in 93.1 % of them "
        f"(Monte Carlo band {95 - half:.1f}–{95 + half:.1f} %)"
    )


def test_quantities_no_study_of_the_process_has_are_called_not_validated(tmp_path):
    _two_worlds(tmp_path)
    notes = coverage_notes({"km.median": "the Kaplan–Meier median"}, 150, folder=tmp_path, process=CAUSE)
    assert notes == [not_validated(["the Kaplan–Meier median"])]
    assert notes[0].startswith(
        "Not validated: no coverage study in validation/ measured how often the intervals "
        "of the Kaplan–Meier median cover the truth"
    )
    assert not_validated("x", of="the odds ratio of") == not_validated(["x"], of="the odds ratio of")
    # a process no study was drawn from: nothing validates its intervals
    assert coverage_notes(["cox.employment.age"], 150, folder=tmp_path, process="data/other.yaml") == [
        not_validated(["cox.employment.age"])
    ]


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
    assert len(notes) == 1 and notes[0].startswith(
        "Coverage study (coverage_n150, drawn from data/synthetic/process.yaml"
    )
    assert "no true value in this process" in notes[0] and "fine_gray" not in notes[0]


def _notebook_calls(stem: str, function: str) -> list:
    """The ``ast.Call`` nodes of ``function`` in the code cells of notebook ``stem``."""
    import ast

    import nbformat

    from evaluation.paths import NOTEBOOKS

    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    return [
        node
        for cell in nb.cells
        if cell.cell_type == "code"
        for node in ast.walk(ast.parse(cell.source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == function
    ]


def test_notebooks_quote_the_study_of_their_data_s_process():
    """Every coverage note in notebooks 02 and 03 is given the data's process (issue 24, item 11):
    without it notebook 03 quoted the nearest study of any process."""
    for stem in ("02_time_to_employment", "03_sector_outcomes"):
        calls = _notebook_calls(stem, "coverage_notes")
        assert calls, stem
        for call in calls:
            assert any(k.arg == "process" and getattr(k.value, "id", None) == "process" for k in call.keywords), stem


def test_every_interval_of_notebook_03_is_covered_by_a_study_or_called_not_validated():
    """The intervals notebook 03 shows, on the default dataset: each is either a quantity of the
    committed studies of the data's process (with a true value there) that the notebook passes to
    coverage_notes, or named in one of its not_validated sentences.  Which interval is which is
    stated here by hand from the studies' coverage.csv (they measured the Wilson rates of companies
    and associations and Newcombe's difference, nothing else of the sectors); a new interval row in
    the sectors' tables fails until it is classified."""
    import ast

    from evaluation import load_dataset
    from evaluation.paths import DEFAULT_DATASET
    from evaluation.sectors import adjusted_comparison, compare_sectors, continuation_by_sector, cost_per_continued_job
    from evaluation.validation import studies

    studied = {
        "company rate": "continuation.company",
        "association rate": "continuation.association",
        "risk difference": "continuation.company_minus_association",
    }
    phrase = {
        "municipality rate": "other sectors' rates",
        "other rate": "other sectors' rates",
        "risk ratio": "risk ratio",
        "odds ratio": "the odds ratio (conditional",
        "crude (linked placements)": "crude odds ratio",
        "Mantel–Haenszel over strata": "Mantel–Haenszel",
        "logistic regression (Firth)": "Firth",
        "company cost": "cost per continued job",
        "association cost": "cost per continued job",
        "municipality cost": "cost per continued job",
        "other cost": "cost per continued job",
    }
    ds = load_dataset(DEFAULT_DATASET)
    tables = {
        "rate": continuation_by_sector(ds.placements),
        "": compare_sectors(ds.placements, "company", "association"),
        " ": adjusted_comparison(ds.placements, ds.clients, "company", "association"),
        "cost": cost_per_continued_job(ds.placements),
    }
    shown = {
        f"{row} {kind}".strip()
        for kind, table in tables.items()
        for row in table.index
        if "lower" in table and table.at[row, "lower"] is not None and table.at[row, "lower"] == table.at[row, "lower"]
    }
    assert shown == set(studied) | set(phrase), "classify every interval the notebook shows"
    process = dataset_process(ds.meta)
    own = [table for facts, table in studies() if facts.get("process") == process]
    assert own and all(q in t.index and t.at[q, "verdict"] != "no truth" for t in own for q in studied.values())
    (notes,) = _notebook_calls("03_sector_outcomes", "coverage_notes")
    assert set(ast.literal_eval(notes.args[0])) == set(studied.values())
    named = " ".join(
        name
        for call in _notebook_calls("03_sector_outcomes", "not_validated")
        for name in (
            [ast.literal_eval(call.args[0])]
            if isinstance(call.args[0], ast.Constant)
            else ast.literal_eval(call.args[0])
        )
    )
    assert [row for row, words in phrase.items() if words not in named] == []

"""The benchmark's machinery (not its speed: speed is measured in benchmarks/, never asserted).

Its comparisons double as a check at scale: on a register with many tied weekly exit times,
scikit-survival's exact Aalen–Johansen and Kaplan–Meier estimators and its log-rank test agree with
ours to rounding, and lifelines' jittered Aalen–Johansen does not.
"""

from __future__ import annotations

import json

import pytest

from evaluation import bench


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    return bench.prepare(3000, tmp_path_factory.mktemp("bench"))


def test_prepared_register_has_both_formats(register):
    assert (register / "csv" / "clients.csv").is_file()
    assert (register / "parquet" / "clients.parquet").is_file()


@pytest.mark.parametrize("task", ["cif", "km", "logrank"])
def test_scikit_survival_agrees_with_ours(register, task):
    record = bench.child(task, "sksurv", register, 1, None)
    assert record["max_abs_diff"] < 1e-9


@pytest.mark.parametrize("pair", [p for p in bench.TASK_TABLE if p[1] == "lifelines" and p[0] != "cif"])
def test_lifelines_agrees_with_ours_where_it_has_no_tie_defect(register, pair):
    """lifelines' Kaplan–Meier and Efron Cox handle ties exactly: same numbers as ours."""
    assert bench.child(*pair, register, 1, None)["max_abs_diff"] < 1e-6


def test_the_load_task_reads_the_format_it_is_given(register):
    parquet, _ = bench._task("load", "evaluation", register, "parquet")
    csv, _ = bench._task("load", "evaluation", register, "csv")
    a, b = parquet(), csv()
    assert a.files["clients"].suffix == ".parquet" and b.files["clients"].suffix == ".csv"
    assert a.clients["client_id"].tolist() == b.clients["client_id"].tolist()
    with pytest.raises(ValueError, match="no register format 'xlsx'"):
        bench._task("load", "evaluation", register, "xlsx")
    with pytest.raises(ValueError, match="no benchmark for task 'gray' with 'sksurv'"):
        bench._task("gray", "sksurv", register)


def test_lifelines_aalen_johansen_differs_under_ties(register):
    """lifelines breaks tied times by random jitter: its cumulative incidence is off by far more
    than rounding (lifelines issues #413, #1521: ties of different exit types are jittered)."""
    record = bench.child("cif", "lifelines", register, 1, None)
    assert record["max_abs_diff"] > 1e-3


def test_records_and_results_table(register, tmp_path):
    records = [{"size": 3000, **bench.child("km", impl, register, 1, None)} for impl in ("evaluation", "sksurv")]
    records.append({"size": 150, "task": "reproduce", "impl": "evaluation", "seconds": 12.0, "peak_mb": 300.0})
    assert all(r["task"] in bench.TASKS and r["impl"] in bench.IMPLS for r in records)
    text = bench.results_markdown(records, {3000: {"survfit_km": 0.5}}, bench.machine(), 1)
    ours, theirs = records[0]["seconds"], records[1]["seconds"]
    assert f"| km | sksurv | {theirs:.3f} | {theirs / ours:.1f} |" in text
    assert f"| km | R `survfit_km` | 0.500 | {0.5 / ours:.1f} |" in text
    assert "12.0 s" in text and "(target < 20 s: met)" in text
    json.dumps(records)  # machine-readable as written by --json

"""`batch`, `--resume`, `parameters` and `-p`/`-f` typed parameters, end to end."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from conftest import edit_csv
from evaluation.batch import batch
from evaluation.cli import main
from evaluation.metrics import read_metrics
from evaluation.paths import DEFAULT_DATASET

pytestmark = pytest.mark.slow
QUICK = ["00_dataset_overview", "01_reproduce_report_figures"]


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("datasets")
    good = root / "good"
    shutil.copytree(DEFAULT_DATASET, good)
    invalid = root / "invalid"
    shutil.copytree(DEFAULT_DATASET, invalid)
    edit_csv(invalid / "clients.csv", 4, "outcome", "hired")
    missed = root / "missed"  # valid, but its register misses a published target: fails inside notebook 01
    shutil.copytree(DEFAULT_DATASET, missed)
    clients = pd.read_csv(missed / "clients.csv", dtype=str, keep_default_na=False)
    first_employed = int(clients.index[clients["outcome"].str.startswith("employed")][0])
    edit_csv(missed / "clients.csv", first_employed + 2, "outcome", "other_exit")  # 59 of 150: not 40 %
    return good, invalid, missed


def test_batch_runs_in_parallel_reports_failures_and_resumes(datasets, tmp_path, capsys):
    good, invalid, missed = datasets
    out = tmp_path / "batch"
    code = main(
        [
            "batch",
            str(good),
            str(invalid),
            str(missed),
            "--out",
            str(out),
            "--workers",
            "2",
            "--only",
            *QUICK,
            "--strict",
        ]
    )
    assert code == 1
    printed = capsys.readouterr().out
    assert "invalid" in printed and "clients.csv, line 4, column outcome" in printed
    assert "TargetsMissed" in printed
    assert "2 of 3 runs succeeded" not in printed and "1 of 3 runs succeeded" in printed
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["dataset"]) == ["good", "invalid", "missed"]
    assert list(summary["status"]) == ["ok", "invalid", "failed"]
    assert summary.loc[0, "clients.n"] == 150 and pd.isna(summary.loc[1, "clients.n"])
    assert (out / "good" / "01_reproduce_report_figures.html").exists()
    assert (out / "missed.failed" / "01_reproduce_report_figures.ipynb").exists()
    assert not (out / "invalid").exists()

    record = (out / "good" / "run.json").read_bytes()
    items = batch([good, invalid, missed], out, resume=True, only=QUICK, strict=True, progress=False)
    assert [i.status for i in items] == ["skipped", "invalid", "failed"]
    assert (out / "good" / "run.json").read_bytes() == record  # not run again
    edit_csv(good / "monthly.csv", 20, "unemployed", "300")  # a changed input is run again
    items = batch([good], out, resume=True, only=QUICK, progress=False)
    assert items[0].status == "ok"
    assert (out / "good" / "run.json").read_bytes() != record


def test_dask_scheduler_on_loopback(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        items = batch(
            [DEFAULT_DATASET],
            tmp_path / "dask",
            scheduler=cluster.scheduler_address,
            only=["00_dataset_overview"],
            progress=False,
        )
    assert [i.status for i in items] == ["ok"]
    assert read_metrics(tmp_path / "dask" / "wassup")["clients.n"] == 150


def test_parameters_command_lists_types_defaults_and_help(capsys):
    assert main(["parameters", "02_time_to_employment"]) == 0
    text = capsys.readouterr().out
    assert "horizons" in text and "list" in text and "[180, 365, 730]" in text and "days after enrolment" in text
    assert main(["parameters", "99_nothing"]) == 2


def test_typed_parameters_from_the_command_line_and_a_yaml_file(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("horizons: [90, 400]\nlang: en\n")
    code = main(
        [
            "run",
            str(DEFAULT_DATASET),
            "--out",
            str(tmp_path / "out"),
            "--only",
            "02_time_to_employment",
            "-f",
            str(params),
            "-p",
            "alpha",
            "0.1",
            "-p",
            "bootstrap_reps",
            "50",
        ]
    )
    assert code == 0
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert record["parameters"] == {"horizons": [90, 400], "lang": "en", "alpha": 0.1, "bootstrap_reps": 50}
    metrics = read_metrics(tmp_path / "out")
    assert "cif.employment.90d" in metrics and "cif.employment.400d" in metrics
    assert "cif.employment.180d" not in metrics


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("horizons", 365, "parameter horizons must be of type list (got int 365)"),
        ("horizons", "[30, 90", "parameter horizons must be of type list (got str '[30, 90')"),
        ("horizons", [0, 90], "parameter horizons must be a non-empty list of whole numbers of days above 0"),
        ("alpha", 1.5, "parameter alpha must be between 0 and 1"),
        ("alpha", True, "parameter alpha must be of type float, not true/false"),
        ("min_cell", 0, "parameter min_cell must be at least 1"),
        ("lang", "sv", "parameter lang must be fi or en"),
    ],
)
def test_bad_parameter_values_are_refused_before_any_kernel_starts(tmp_path, capsys, name, value, words):
    """Issue 17: these failed 10-20 s later inside notebook 02 and left a .failed folder."""
    import time

    from evaluation.cli import main
    from evaluation.paths import DEFAULT_DATASET

    t0 = time.perf_counter()
    text = value if isinstance(value, str) else __import__("json").dumps(value)
    assert main(["run", str(DEFAULT_DATASET), "--out", str(tmp_path / "out"), "-p", name, text]) == 2
    err = capsys.readouterr().err
    assert words in err and "Nothing was run" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # no run folder, no .failed folder
    assert time.perf_counter() - t0 < 8  # no kernel was started (each takes seconds)

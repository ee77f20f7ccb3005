"""End to end: `python -m evaluation run` on the default dataset, run records, failures."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from conftest import edit_csv
from evaluation.cli import main
from evaluation.metrics import read_metrics
from evaluation.paths import DEFAULT_DATASET
from evaluation.runs import RunError, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "default"
    result = run(DEFAULT_DATASET, out)
    assert result.ok, result.notebooks
    return out


def test_run_folder_holds_notebooks_html_metrics_and_record(default_run):
    names = sorted(p.name for p in default_run.iterdir())
    assert "00_dataset_overview.ipynb" in names and "00_dataset_overview.html" in names
    assert "metrics.json" in names and "run.json" in names
    record = json.loads((default_run / "run.json").read_text())
    assert record["status"] == "ok"
    for name, digest in record["dataset"]["files"].items():
        assert digest == hashlib.sha256((DEFAULT_DATASET / name).read_bytes()).hexdigest()
    assert {"pandas", "lifelines", "papermill", "python"} <= set(record["versions"])
    assert set(record["git"]) == {"commit", "dirty"}
    assert all(nb["status"] == "ok" and nb["seconds"] > 0 for nb in record["notebooks"])
    assert record["started"] <= record["ended"]


def test_overview_metrics_are_the_counts_in_clients_csv(default_run):
    metrics = read_metrics(default_run)
    # counted independently of the package: read clients.csv with the csv module
    import csv
    with open(DEFAULT_DATASET / "clients.csv", newline="") as handle:
        outcomes = [row["outcome"] for row in csv.DictReader(handle)]
    employed = sum(o in ("employed_open", "employed_subsidised") for o in outcomes)
    assert metrics["clients.n"] == len(outcomes) == 150
    assert metrics["outcomes.employment.n"] == employed
    assert metrics["outcomes.employment.share"] == pytest.approx(employed / 150)
    groups = ("employment", "activation", "retirement", "other", "censored")
    assert sum(metrics[f"outcomes.{g}.n"] for g in groups) == 150
    assert sum(metrics[f"outcomes.{g}.share"] for g in groups) == pytest.approx(1.0)


def test_invalid_dataset_writes_nothing_and_keeps_the_earlier_run(default_run, tmp_path, capsys):
    before = (default_run / "metrics.json").read_bytes()
    bad = tmp_path / "bad"
    shutil.copytree(DEFAULT_DATASET, bad)
    edit_csv(bad / "clients.csv", 3, "outcome", "hired")
    assert main(["run", str(bad), "--out", str(default_run)]) == 2
    err = capsys.readouterr().err
    assert "clients.csv, line 3, column outcome: value 'hired'" in err
    assert "Traceback" not in err
    assert (default_run / "metrics.json").read_bytes() == before
    assert not list(default_run.parent.glob(".*partial"))


def test_unknown_parameter_is_refused_with_the_known_ones(tmp_path):
    with pytest.raises(RunError, match="unknown parameter.*horizonz"):
        run(DEFAULT_DATASET, tmp_path / "x", parameters={"horizonz": [1]})
    assert not (tmp_path / "x").exists()

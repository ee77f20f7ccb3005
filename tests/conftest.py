"""Shared fixtures: a fresh copy of the default synthetic dataset to damage in each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evaluation.paths import DEFAULT_DATASET

# pytester: tests/test_house.py runs small test files; slow_guard: a test starting a kernel is marked slow
pytest_plugins = ["pytester", "slow_guard"]


@pytest.fixture(autouse=True)
def _close_figures():
    """Figures a test draws and does not save are closed after it (pyplot keeps them open, and
    more than 20 open figures is a warning, an error under filterwarnings = error)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A writable copy of the default dataset folder."""
    target = tmp_path / "wassup"
    shutil.copytree(DEFAULT_DATASET, target)
    return target


def make_real(folder: Path) -> Path:
    """Mark a copy of the default dataset as real register data (``synthetic: false``; its
    client, placement and comparison tables then come from a ``register``, the monthly series
    stays official)."""
    meta = (folder / "dataset.yaml").read_text(encoding="utf-8")
    meta = meta.replace("synthetic: true", "synthetic: false")
    meta = (
        meta.replace("  clients: synthetic", "  clients: register")
        .replace("  placements: synthetic", "  placements: register")
        .replace("  comparison: synthetic", "  comparison: register")
    )
    (folder / "dataset.yaml").write_text(meta, encoding="utf-8")
    return folder


def edit_csv(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a comma-separated file (line numbers as in an editor; header is 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cell(path: Path, line: int, column: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[line - 1].split(",")[lines[0].split(",").index(column)]


def another_municipality(folder: Path, *, seed: int = 5, clients: int = 400) -> Path:
    """A valid dataset of another town and period, without published targets."""
    import yaml

    from evaluation.synthetic import synthesize, write_dataset

    tables = synthesize(seed=seed, n_clients=clients)
    monthly = tables["monthly"].iloc[:20].copy()
    monthly["month"] = [str(p) for p in __import__("pandas").period_range("2020-03", periods=20, freq="M")]
    monthly["source"] = "official"
    tables["monthly"] = monthly
    tables["meta"].update(
        name="oulainen-test",
        municipality="Oulainen",
        municipality_code="563",
        language="en",
        description="Test dataset of another town and period.",
    )
    tables["meta"].pop("targets")
    write_dataset(tables, folder)
    assert "targets" not in yaml.safe_load((folder / "dataset.yaml").read_text())
    return folder


#: Notebook 02's bootstrap of predicted probabilities, shortened for runs that test something else
#: (a notebook run's other outputs do not depend on it; the default 500 runs in the default run).
SHORT_BOOTSTRAP = {"bootstrap_reps": 50}

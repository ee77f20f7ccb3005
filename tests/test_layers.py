"""The package's imports flow one way (issue 18): import-linter's layers contract in
pyproject.toml, which also sees imports inside functions."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from evaluation.paths import ROOT


def _lint(root: Path) -> subprocess.CompletedProcess:
    """import-linter with ``root``'s pyproject.toml on ``root/src``."""
    command = [str(Path(sys.executable).with_name("lint-imports"))]
    return subprocess.run(
        command,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
    )


def test_the_layers_contract_is_kept():
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "5 kept, 0 broken" in done.stdout


def _lint_with_an_import(tmp_path: Path, module: str, statement: str) -> str:
    """import-linter's output on a copy of the package where ``module`` (a path under
    src/evaluation) gains a function-local ``statement``; the run must fail."""
    shutil.copytree(ROOT / "src" / "evaluation", tmp_path / "src" / "evaluation")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "src" / "evaluation" / module
    path.write_text(path.read_text() + f"\n\ndef _upwards():\n    {statement}  # noqa: F401\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    return done.stdout


def test_the_survival_contract_catches_an_estimator_importing_a_model(tmp_path):
    out = _lint_with_an_import(tmp_path, "survival/estimators.py", "from .cox import fine")
    assert "evaluation.survival.estimators is not allowed to import evaluation.survival.cox" in out


def test_the_contract_catches_an_import_upwards(tmp_path):
    """The same contract on a copy of the package where the contract imports the runner."""
    out = _lint_with_an_import(tmp_path, "dataset/load.py", "from ..runs import run")
    assert "evaluation.dataset is not allowed to import evaluation.runs" in out
    assert "evaluation.dataset.load -> evaluation.runs" in out

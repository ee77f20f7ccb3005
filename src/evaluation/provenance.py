"""What a run records about itself: input digests, package versions, the git state."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from .paths import ROOT

__all__ = ["PACKAGES", "sha256", "git_state", "versions", "inputs_digest"]

PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "pandera",
    "matplotlib",
    "seaborn",
    "lifelines",
    "scikit-survival",
    "statsmodels",
    "papermill",
    "nbformat",
    "nbconvert",
    "ipykernel",
)


def sha256(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_state() -> dict[str, Any]:
    """The repository's commit and whether tracked files differ from it (None without git)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def versions() -> dict[str, str | None]:
    """Python's and the analysis packages' versions (None when a package is not installed)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def inputs_digest(dataset_dir: Path) -> dict[str, str] | None:
    """SHA-256 of ``dataset.yaml`` and each table file of a dataset folder, the optional
    comparison table included when present (None when a required one is missing)."""
    files = [dataset_dir / "dataset.yaml"]
    for stem in ("clients", "placements", "monthly", "comparison"):
        for suffix in (".csv", ".parquet"):
            if (dataset_dir / f"{stem}{suffix}").is_file():
                files.append(dataset_dir / f"{stem}{suffix}")
                break
    if not all(p.is_file() for p in files):
        return None
    return {p.name: sha256(p) for p in files}

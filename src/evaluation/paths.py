"""Path constants anchored at the repository root (one place, as in cookiecutter-data-science)."""

from __future__ import annotations

from pathlib import Path

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "DATA",
    "DEFAULT_DATASET",
    "DOCS",
    "FIGURES",
    "NOTEBOOKS",
    "PUBLISHED_TARGETS",
    "ROOT",
    "STATFIN",
    "VALIDATION",
    "default_output_dir",
    "resolve_dataset",
    "resolve_input",
]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
RAW = DATA / "raw"
DEFAULT_DATASET = DATA / "synthetic" / "wassup"
#: The official monthly panel (StatFin table 12r5) and its keys.
STATFIN = DATA / "public" / "statfin"
PUBLISHED_TARGETS = DATA / "published" / "wassup_report.yaml"
FIGURES = ROOT / "figures"
#: The committed summary of the default dataset (synthetic data only): docs/summary.<lang>.html.
DOCS = ROOT / "docs"
REPORTS = ROOT / "reports"
#: The committed coverage studies (python -m evaluation simulate): one folder each.
VALIDATION = ROOT / "validation"


def default_output_dir(output_dir: str | Path | None) -> Path:
    """Where a notebook writes: ``reports/interactive`` for ``output_dir = None``; a relative
    path is taken from the repository root (a notebook runs in ``notebooks/``, which is committed:
    ``"reports/x"`` must not become ``notebooks/reports/x``)."""
    if not output_dir:
        return REPORTS / "interactive"
    path = Path(output_dir).expanduser()
    return path if path.is_absolute() else ROOT / path


def resolve_dataset(dataset: str | Path | None) -> Path:
    """The dataset folder a notebook reads (``dataset = None`` means the default synthetic one).

    A relative path is taken from the current folder when it exists there, else from the
    repository root: in JupyterLab a notebook runs in ``notebooks/``, and a researcher who types
    ``data/raw/extract_2020`` means the repository's ``data/raw/extract_2020``.
    """
    if not dataset:
        return DEFAULT_DATASET
    return resolve_input(dataset)


def resolve_input(path: str | Path) -> Path:
    """An input file or folder named by a parameter (a dataset, a panel file): a relative path is
    taken from the current folder when it exists there, else from the repository root (a
    notebook's kernel runs in ``notebooks/``)."""
    path = Path(path).expanduser()
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        return ROOT / path
    return path

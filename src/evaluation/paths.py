"""Path constants anchored at the repository root (one place, as in cookiecutter-data-science)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"
RAW = DATA / "raw"
DEFAULT_DATASET = DATA / "synthetic" / "wassup"
#: The official monthly panel (StatFin table 12r5) and its keys.
STATFIN = DATA / "public" / "statfin"
PUBLISHED_TARGETS = DATA / "published" / "wassup_report.yaml"
FIGURES = ROOT / "figures"
REPORTS = ROOT / "reports"

"""Small helpers that keep the notebooks thin: open a dataset and a run folder, show figures.

Nothing here computes: analyses live in their own modules.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

from .dataset import Dataset, load_dataset
from .paths import default_output_dir, resolve_dataset
from .privacy import DisclosureControl

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["readable", "show", "start"]


def start(
    dataset: str | Path | None, output_dir: str | Path | None, min_cell: int = 5
) -> tuple[Dataset, Path, DisclosureControl]:
    """Load and validate the dataset, create the output folder, set display options and style.

    ``dataset=None`` is the default synthetic dataset; ``output_dir=None`` is
    ``reports/interactive`` (git-ignored).  Returns the dataset, the output folder and the
    disclosure control for it (active for a non-synthetic dataset).
    """
    warnings.simplefilter("default")
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    pd.set_option("display.max_colwidth", None)  # notes are read whole, never cut mid-word
    if "evaluation.figures" in sys.modules:  # a notebook without figures never loads matplotlib
        sys.modules["evaluation.figures"].use_style()
    ds = load_dataset(resolve_dataset(dataset))
    out = default_output_dir(output_dir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    return ds, out, DisclosureControl.for_dataset(ds, min_cell)


def show(paths: dict[str, Path] | Path):
    """Display a saved figure's PNG (the saved file is what a reader of the run folder sees)."""
    from IPython.display import Image

    png = paths["png"] if isinstance(paths, dict) else paths
    return Image(filename=str(png))


def readable(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A copy for display: numbers to ``digits`` significant digits (whole numbers and large
    amounts in full), p-values below 0.001 as "< 0.001", and missing values as "–" (the table's
    note column says why)."""

    def cell(column: str, value):
        if value is None or (isinstance(value, float) and value != value):
            return "–"
        if isinstance(value, (bool, str)) or not isinstance(value, (int, float)):
            return value
        if column == "p" or column.endswith(("_p", "_p_holm")) or column.startswith("p_"):
            return "< 0.001" if value < 0.001 else f"{value:.3f}"
        if isinstance(value, int) or float(value).is_integer():
            return int(value)
        if abs(value) >= 10**digits:
            return f"{value:.0f}"
        return f"{value:.{digits}g}"

    return pd.DataFrame({c: [cell(c, v) for v in table[c]] for c in table.columns}, index=table.index)

"""The dataset contract: the only place that reads input files.

A dataset is a folder holding ``dataset.yaml``, ``clients.csv``, ``placements.csv`` and
``monthly.csv``, and optionally ``comparison.csv`` (the non-clients' unemployment spells for the
client-level comparison); each table may be Parquet instead: same stem, ``.parquet``.
:func:`load_dataset` reads it, converts every cell by the column's type, validates the values
with pandera, and returns a :class:`Dataset` of typed DataFrames.  Every violation is collected
and reported at once in one :class:`DatasetError` that names the file, the line (the header is
line 1), the column, the bad value and the rule.  The rules are documented in ``data/README.md``.

Finnish exports are accepted as they come: ``;``-separated with decimal commas, a UTF-8 byte
order mark, or Windows-1252 text, dates as D.M.YYYY or with a spreadsheet's midnight; stray
whitespace around cells is ignored.
"""

from __future__ import annotations

from ..vocabulary import (
    AGE_GROUPS,
    EDUCATION_LEVELS,
    GROUPS,
    MONTHLY_SOURCES,
    OUTCOME_GROUPS,
    SECTORS,
    SEXES,
    TABLE_SOURCES,
)
from .columns import COMPARISON_COLUMNS, OPTIONAL_TABLES, TABLES, Column, Dataset
from .load import PROGRESS_BYTES, derive_clients, derive_comparison, load_dataset
from .meta import DatasetWarning, load_published_targets, municipality_code, target_problems
from .violations import DatasetError, Violation

__all__ = [
    "AGE_GROUPS",
    "COMPARISON_COLUMNS",
    "EDUCATION_LEVELS",
    "GROUPS",
    "MONTHLY_SOURCES",
    "OUTCOME_GROUPS",
    "SECTORS",
    "SEXES",
    "TABLE_SOURCES",
    "OPTIONAL_TABLES",
    "TABLES",
    "Column",
    "Dataset",
    "DatasetError",
    "DatasetWarning",
    "Violation",
    "derive_clients",
    "derive_comparison",
    "load_dataset",
    "load_published_targets",
    "municipality_code",
    "target_problems",
    "PROGRESS_BYTES",
]

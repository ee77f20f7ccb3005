"""The tables' columns, their types and rules, and the validated :class:`Dataset`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..vocabulary import EDUCATION_LEVELS, MONTHLY_SOURCES, OUTCOME_GROUPS, SECTORS, SEXES

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["Column", "Dataset", "EMPTY_ALLOWED", "MIN_ROWS", "TABLES"]


@dataclass(frozen=True)
class Column:
    """A column of the contract: its type, whether it is required, and its value rules."""

    kind: str  # string, date, int, float, bool, code, month
    required: bool = True
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False


CLIENT_COLUMNS: dict[str, Column] = {
    "client_id": Column("string", unique=True),
    "enrolled": Column("date"),
    "exit_date": Column("date"),
    "outcome": Column("code", codes=tuple(OUTCOME_GROUPS)),
    "age_at_entry": Column("int", required=False, minimum=15, maximum=70),
    "sex": Column("code", required=False, codes=SEXES),
    "long_term_unemployed": Column("bool", required=False),
    "health_limitations": Column("bool", required=False),
    "education_level": Column("code", required=False, codes=EDUCATION_LEVELS),
}
PLACEMENT_COLUMNS: dict[str, Column] = {
    "placement_id": Column("string", unique=True),
    "client_id": Column("string", required=False),
    "sector": Column("code", codes=SECTORS),
    "start": Column("date"),
    "end": Column("date"),
    "subsidy_eur": Column("float", minimum=0),
    "continued": Column("bool"),
}
MONTHLY_COLUMNS: dict[str, Column] = {
    "month": Column("month", unique=True),
    "unemployed": Column("int", minimum=0),
    "long_term_unemployed": Column("int", required=False, minimum=0),
    "under_25_unemployed": Column("int", required=False, minimum=0),
    "activation_rate": Column("float", required=False, minimum=0, maximum=100),
    # official series: the labour force, and the activation rate's bounds where the source
    # suppressed a service cell (evaluation.official)
    "labour_force": Column("int", required=False, minimum=0),
    "activation_rate_lower": Column("float", required=False, minimum=0, maximum=100),
    "activation_rate_upper": Column("float", required=False, minimum=0, maximum=100),
    "source": Column("code", codes=MONTHLY_SOURCES),
}
# "Optional" for a value means the cell may be empty too; a required column may not have
# empty cells, except those of EMPTY_ALLOWED.
# monthly.unemployed may be empty where the official source suppressed a count of 1 to 4 (a
# very small municipality): missing, never zero.
EMPTY_ALLOWED = {("placements", "client_id"), ("monthly", "unemployed")}
TABLES: dict[str, dict[str, Column]] = {
    "clients": CLIENT_COLUMNS,
    "placements": PLACEMENT_COLUMNS,
    "monthly": MONTHLY_COLUMNS,
}
MIN_ROWS = {"clients": 1, "placements": 0, "monthly": 1}


@dataclass
class Dataset:
    """A validated dataset.

    Attributes
    ----------
    clients : DataFrame
        One row per client, typed, with derived ``duration_days`` (exit_date - enrolled, days),
        ``outcome_group`` and, where ``age_at_entry`` is present, ``age_group``.
    placements : DataFrame
        One row per pay-subsidy placement, with derived ``length_days`` (end - start).
    monthly : DataFrame
        The municipality's monthly statistics; ``month`` is a ``Period[M]``.
    meta : dict
        ``dataset.yaml`` as read (dates as ``datetime.date``).
    path : Path
        The dataset folder.
    files : dict
        Table name -> the file it was read from.
    notes : list of str
        What the loader did that a reader must know (columns left out of a real register).
    """

    clients: pd.DataFrame
    placements: pd.DataFrame
    monthly: pd.DataFrame
    meta: dict
    path: Path
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    @property
    def sources(self) -> dict[str, str]:
        """Where each table comes from: ``synthetic``, ``official`` (public statistics) or
        ``register`` (real personal data); ``dataset.yaml``'s ``sources`` where given, else
        ``synthetic`` or ``register`` as ``synthetic`` says."""
        default = "synthetic" if self.synthetic else "register"
        given = self.meta.get("sources") or {}
        return {table: given.get(table, default) for table in TABLES}

    def is_synthetic(self, table: str) -> bool:
        """Whether ``table`` (clients, placements, monthly) is synthetic data."""
        return self.sources[table] == "synthetic"

    @property
    def name(self) -> str:
        return str(self.meta.get("name", self.path.name))

    def has(self, column: str) -> bool:
        """Whether the clients table has ``column`` with at least one value."""
        return column in self.clients.columns and bool(self.clients[column].notna().any())


#: The rule each column type states when a cell breaks it.
_RULES = {
    "date": "must be a date written YYYY-MM-DD (ISO 8601) or D.M.YYYY (Finnish), in 1900..2100, e.g. 2017-03-31",
    "month": "must be a month written YYYY-MM, e.g. 2017-03",
    "int": "must be a whole number",
    "float": "must be a number (decimal point or decimal comma)",
    "bool": "must be one of true/false/1/0/kyllä/ei",
}

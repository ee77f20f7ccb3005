"""The tables' columns, their types and rules, and the validated :class:`Dataset`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..vocabulary import EDUCATION_LEVELS, MONTHLY_SOURCES, OUTCOME_GROUPS, SECTORS, SEXES

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "COMPARISON_COLUMNS",
    "Column",
    "Dataset",
    "EMPTY_ALLOWED",
    "MIN_ROWS",
    "OPTIONAL_TABLES",
    "TABLES",
    "table_source",
]


@dataclass(frozen=True)
class Column:
    """A column of the contract: its type, whether it is required, and its value rules."""

    kind: str  # string, date, int, float, bool, code, month
    required: bool = True
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False
    pattern: str | None = None  # a regular expression every value must match in full
    pattern_rule: str = ""  # the rule a value that does not match breaks


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
    # the client-level comparison (issue 25): the first day of the unemployment spell in which
    # the client enrolled (<= enrolled), and the months employed in the three years before it
    "unemployed_since": Column("date", required=False),
    "months_employed_3y": Column("int", required=False, minimum=0, maximum=36),
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
#: The comparison table (issue 25): one row per unemployment spell of a person who was not a
#: client; ``person_id`` repeats across a person's spells, ``(person_id, unemployed_since)`` is
#: unique and one person's spells do not overlap (load.py checks both).
COMPARISON_COLUMNS: dict[str, Column] = {
    "person_id": Column("string"),
    "unemployed_since": Column("date"),
    "exit_date": Column("date"),
    "outcome": Column("code", codes=tuple(OUTCOME_GROUPS)),
    "municipality_code": Column(
        "code",
        required=False,
        pattern=r"\d{3}",
        pattern_rule="must be a municipality code of three digits, e.g. 071 (a spreadsheet drops "
        "leading zeros: format the column as text before export)",
    ),
    "sex": Column("code", required=False, codes=SEXES),
    "age_at_spell_start": Column("int", required=False, minimum=15, maximum=70),
    "health_limitations": Column("bool", required=False),
    "education_level": Column("code", required=False, codes=EDUCATION_LEVELS),
    "months_employed_3y": Column("int", required=False, minimum=0, maximum=36),
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
    "comparison": COMPARISON_COLUMNS,
}
#: Tables a dataset folder may leave out: an absent file is no violation (the Dataset's
#: attribute is then None); a present one obeys the contract like any other table.
OPTIONAL_TABLES = ("comparison",)
MIN_ROWS = {"clients": 1, "placements": 0, "monthly": 1, "comparison": 1}


def table_source(meta: dict, table: str) -> str:
    """Where ``table`` comes from: ``dataset.yaml``'s ``sources`` entry where given; else
    ``synthetic`` in a dataset marked ``synthetic: true`` and ``register`` in any other; the
    comparison table, a register of real people unless said otherwise, is ``register`` unless
    ``sources: {comparison: synthetic}`` says so.

    Raises
    ------
    KeyError
        For a name that is not a table of the contract.
    """
    if table not in TABLES:
        raise KeyError(f"{table!r} is not a table of the contract ({', '.join(TABLES)})")
    given = meta.get("sources") or {}
    if table in given:
        return given[table]
    if table in OPTIONAL_TABLES:
        return "register"
    return "synthetic" if meta.get("synthetic") is True else "register"


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
    comparison : DataFrame or None
        One row per unemployment spell of a non-client (``comparison.csv``), typed as the
        clients table is, with derived ``spell_days`` (exit_date - unemployed_since, days) and
        ``outcome_group``; None when the dataset folder has no comparison table.
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
    comparison: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    @property
    def sources(self) -> dict[str, str]:
        """Where each table comes from: ``synthetic``, ``official`` (public statistics) or
        ``register`` (real personal data), as :func:`table_source` reads ``dataset.yaml``.  The
        optional comparison table is listed only when the dataset has it (:meth:`is_synthetic`
        answers for it either way)."""
        return {
            table: self._source(table)
            for table in TABLES
            if table not in OPTIONAL_TABLES or getattr(self, table) is not None
        }

    def _source(self, table: str) -> str:
        return table_source(self.meta, table)

    def is_synthetic(self, table: str) -> bool:
        """Whether ``table`` (clients, placements, monthly, comparison) is synthetic data; a
        comparison table is real personal data unless ``sources: {comparison: synthetic}``
        (:func:`table_source`)."""
        return self._source(table) == "synthetic"

    @property
    def personal_data(self) -> bool:
        """Whether any table holds real personal data: a dataset not marked synthetic, or a
        table of it that comes from a ``register`` (a real comparison register beside synthetic
        clients).  Disclosure control and the output guards follow this, not ``synthetic``."""
        return not self.synthetic or "register" in self.sources.values()

    @property
    def has_comparison(self) -> bool:
        """Whether the dataset has a comparison table (``comparison.csv`` or ``.parquet``)."""
        return self.comparison is not None

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

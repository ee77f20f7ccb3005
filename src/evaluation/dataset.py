"""The dataset contract: the only place that reads input files.

A dataset is a folder holding ``dataset.yaml``, ``clients.csv``, ``placements.csv`` and
``monthly.csv`` (each table may be Parquet instead: same stem, ``.parquet``).
:func:`load_dataset` reads it, converts every cell by the column's type, validates the values
with pandera, and returns a :class:`Dataset` of typed DataFrames.  Every violation is collected
and reported at once in one :class:`DatasetError` that names the file, the line (the header is
line 1), the column, the bad value and the rule.  The rules are documented in ``data/README.md``.

Finnish exports are accepted as they come: ``;``-separated with decimal commas, a UTF-8 byte
order mark, or Windows-1252 text; stray whitespace around cells is ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from .paths import PUBLISHED_TARGETS
from .privacy import PSEUDONYMISE, identifying_columns
from .progress import Steps

import pandera.pandas as pa
from pandera.errors import SchemaErrors

__all__ = [
    "OUTCOME_GROUPS",
    "GROUPS",
    "SECTORS",
    "Dataset",
    "DatasetError",
    "Violation",
    "load_dataset",
    "municipality_code",
]

#: Outcome code -> outcome group used by every analysis.
OUTCOME_GROUPS: dict[str, str] = {
    "employed_open": "employment",
    "employed_subsidised": "employment",
    "work_trial": "activation",
    "rehabilitative_work": "activation",
    "retired": "retirement",
    "education": "other",
    "other_exit": "other",
    "censored": "censored",
}
#: Outcome groups in reporting order.
GROUPS: tuple[str, ...] = ("employment", "activation", "retirement", "other", "censored")
#: Sectors of pay-subsidy placements in reporting order.
SECTORS: tuple[str, ...] = ("company", "association", "municipality", "other")
SEXES = ("F", "M", "X")
EDUCATION_LEVELS = ("basic", "upper_secondary", "tertiary", "unknown")
MONTHLY_SOURCES = ("published", "official", "synthetic")
#: Where a whole table comes from (``dataset.yaml``'s ``sources``).
TABLE_SOURCES = ("synthetic", "official", "register")
AGE_GROUPS = ("under_25", "25_49", "50_plus")

TRUE_WORDS = {"true", "1", "kyllä", "kylla", "yes"}
FALSE_WORDS = {"false", "0", "ei", "no"}
MISSING_MARKERS = ("NA", "N/A", "#N/A", "NaN", "nan", "null", "NULL", "None")
MAX_LISTED = 30  # violations listed in the message; the rest are counted


class DatasetError(ValueError):
    """A dataset breaks the contract.  ``violations`` lists every problem found."""

    def __init__(self, dataset: Path | str, violations: list["Violation"]):
        self.dataset = str(dataset)
        self.violations = violations
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.violations)
        head = f"Dataset {self.dataset} breaks the dataset contract ({n} problem{'s' * (n != 1)}):"
        lines = [f"  - {v}" for v in self.violations[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  ... and {n - MAX_LISTED} more problems of the same kinds.")
        tail = (
            "Fix these cells in the export (or the script that makes it) and load again; "
            "the contract is described in data/README.md."
        )
        return "\n".join([head, *lines, tail])


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (file, line, column), what (value) and which rule."""

    file: str
    line: int | None
    column: str | None
    value: Any
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        value = "" if self.value is None else f": value {_show(self.value)}"
        return f"{where}{value} — {self.rule}"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------- column specs
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


# --------------------------------------------------------------------------- reading
class _Collector:
    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def add(self, file: str, line: int | None, column: str | None, value: Any, rule: str) -> None:
        self.violations.append(Violation(file, line, column, value, rule))


def _find_table(folder: Path, stem: str) -> Path | None:
    for suffix in (".csv", ".parquet"):
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16 with a BOM
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Finnish Excel exports are Windows-1252 (ä, ö as single bytes).
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path, name: str, out: _Collector) -> pd.DataFrame | None:
    """Read a CSV as stripped strings indexed by line number (the header is line 1).

    The fast path is Arrow's multi-threaded CSV reader, which refuses blank lines, quoted line
    breaks and lines with the wrong number of cells; such a file is re-read line by line so
    that each bad line can be named.
    """
    raw = path.read_bytes()
    kind = _not_text(raw)
    if kind:
        out.add(name, None, None, None, kind)
        return None
    text = _decode(raw)
    if "\r" in text and "\n" not in text:  # Excel's "CSV (Macintosh)": CR-only line ends
        text = text.replace("\r", "\n")
    if not raw.startswith(b"\xef\xbb\xbf") and text.encode("utf-8") != raw:
        raw = text.encode("utf-8")  # the fast reader reads these bytes: UTF-8 with \n line ends
    if not text.strip():
        out.add(name, None, None, None,
                "the file is empty: expected a header line naming the columns, then one row per line")
        return None
    end = text.find("\n")
    header_line = (text if end < 0 else text[:end]).rstrip("\r")
    sep = max((",", ";", "\t"), key=header_line.count)  # Excel writes ";" in Finland, tabs as "Unicode text"
    header = [c.strip().lstrip("\ufeff") for c in next(csv.reader([header_line], delimiter=sep))]
    frame = None
    if len(set(header)) == len(header) and all(header):
        frame = _read_csv_fast(text, raw, sep, header)
    if frame is None:
        frame = _read_csv_by_line(text, sep, name, out)
        if frame is None:
            return None
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = _arrow_strings(frame)
    blank = (frame == "").all(axis=1)
    return frame.loc[~blank.to_numpy(dtype=bool)]


def _not_text(raw: bytes) -> str | None:
    """What a file named ``.csv`` is when it is not text (None when it is text)."""
    if raw.startswith(b"PK\x03\x04"):
        return ("is an Excel workbook (.xlsx) or another zip archive, not a CSV file: open it in Excel and "
                "save it with File > Save As > 'CSV UTF-8 (comma delimited)'")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return ("is an Excel 97-2003 workbook (.xls), not a CSV file: open it in Excel and save it with "
                "File > Save As > 'CSV UTF-8 (comma delimited)'")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text has NUL bytes
    if b"\x00" in raw[:65536]:
        return "is not a text file (it holds binary data): export the table as CSV (UTF-8)"
    return None


def _read_csv_fast(text: str, raw: bytes, sep: str, header: list[str]) -> pd.DataFrame | None:
    import pyarrow as pa_
    import pyarrow.csv as pacsv

    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if not _is_utf8(data):
        data = text.encode("utf-8")
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={c: pa_.string() for c in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa_.ArrowInvalid, ValueError):
        return None
    frame = table.to_pandas(types_mapper={pa_.string(): pd.StringDtype("pyarrow")}.get)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return frame


def _arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Stripped Arrow-backed strings: vectorised string checks on a million rows take ms, not s."""
    return pd.DataFrame({c: frame[c].astype("string[pyarrow]").str.strip() for c in frame.columns},
                        index=frame.index)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _read_csv_by_line(text: str, sep: str, name: str, out: _Collector) -> pd.DataFrame | None:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    header = [c.strip().lstrip("\ufeff") for c in rows[0]]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes or any(not c for c in header):
        out.add(name, 1, ", ".join(dupes) or None, None,
                "column names in the header must be unique and non-empty")
        return None
    body, lines = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            out.add(name, i, None, sep.join(row),
                    f"the line has {len(row)} cells but the header has {len(header)} "
                    f"(separator {sep!r}); check for an unquoted separator inside a value")
            continue
        body.append(row)
        lines.append(i)
    return pd.DataFrame(body, columns=header, index=pd.Index(lines, name="line"), dtype=str)


def _read_parquet(path: Path, name: str, spec: dict[str, "Column"], out: _Collector) -> pd.DataFrame | None:
    """Read a Parquet table.  A column whose Parquet type already is the contract's type (a date
    column stored as date or timestamp, a whole number as integer, a decimal as floating point, a
    flag as boolean) is taken as it is, typed; any other column is rendered as text with Arrow
    and goes through the same conversion and rules as a CSV column."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises many types for damaged files
        out.add(name, None, None, None, f"cannot be read as Parquet ({type(exc).__name__}: {exc})")
        return None
    index = pd.RangeIndex(2, table.num_rows + 2, name="line")
    columns: dict[str, pd.Series] = {}
    for column_name, column in zip(table.column_names, table.columns):
        kind = spec[column_name].kind if column_name in spec else None
        typ = column.type
        typed = None
        if kind == "date" and (pa.types.is_date(typ) or pa.types.is_timestamp(typ)):
            if pa.types.is_timestamp(typ) and typ.tz is not None:
                column = pc.local_timestamp(column)
            typed = pc.cast(column, pa.timestamp("ns")).to_pandas()
        elif kind == "int" and pa.types.is_integer(typ):
            typed = pd.Series(column.to_pandas()).astype("Int64")
        elif kind == "float" and (pa.types.is_floating(typ) or pa.types.is_integer(typ)):
            typed = pd.Series(column.to_pandas(), dtype="float64")
            typed = typed.where(np.isfinite(typed))
        elif kind == "bool" and pa.types.is_boolean(typ):
            typed = pd.Series(column.to_pandas()).astype("boolean")
        if typed is not None:
            columns[str(column_name)] = typed.set_axis(index)
            continue
        if pa.types.is_date(typ) or pa.types.is_timestamp(typ):
            text = pc.strftime(column, format="%Y-%m-%d")
        elif pa.types.is_boolean(typ):
            text = pc.if_else(column, "true", "false")
        elif pa.types.is_floating(typ):
            whole = pc.equal(pc.floor(column), column)
            text = pc.if_else(whole, pc.cast(pc.cast(column, pa.int64(), safe=False), pa.string()),
                              pc.cast(column, pa.string()))
        elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
            text = column
        else:
            try:
                text = pc.cast(column, pa.string())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                text = pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())
        text = pc.fill_null(text, "")
        if isinstance(text, pa.Array):
            text = pa.chunked_array([text])
        columns[str(column_name)] = pd.Series(pd.arrays.ArrowStringArray(text), index=index).str.strip()
    return pd.DataFrame(columns, index=index)


# --------------------------------------------------------------------------- conversion
_RULES = {
    "date": "must be a date written YYYY-MM-DD (ISO 8601) in 1900..2100, e.g. 2017-03-31",
    "month": "must be a month written YYYY-MM, e.g. 2017-03",
    "int": "must be a whole number",
    "float": "must be a number (decimal point or decimal comma)",
    "bool": "must be one of true/false/1/0/kyllä/ei",
}


def _is_empty(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _convert_column(kind: str, s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Convert a column of stripped, non-empty strings.  Returns (typed values, bad-cell mask)."""
    s = s.astype("string[pyarrow]")
    if kind in ("string", "code"):  # Arrow strings while the rules run; object in the Dataset
        return s, pd.Series(False, index=s.index)
    if kind == "date":
        iso = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
        values = pd.to_datetime(s.where(iso), format="%Y-%m-%d", errors="coerce")
        ok = iso & values.notna() & values.dt.year.between(1900, 2100)
        return values.where(ok), ~ok
    if kind == "month":
        ok = s.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
        values = pd.Series(pd.PeriodIndex(s.where(ok).tolist(), freq="M"), index=s.index)
        return values, ~ok
    if kind == "int":
        clean = s.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
        ok = clean.str.fullmatch(r"[+-]?\d{1,15}(\.0*)?")
        values = pd.to_numeric(clean.where(ok), errors="coerce").astype("Int64")
        return values, ~ok
    if kind == "float":
        clean = s.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
        ok = clean.str.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
        values = pd.to_numeric(clean.where(ok).str.replace(",", ".", regex=False), errors="coerce")
        ok = ok & np.isfinite(values.fillna(0.0))
        return values.where(ok).astype("float64"), ~ok
    if kind == "bool":
        lowered = s.str.lower()
        true, false = lowered.isin(TRUE_WORDS), lowered.isin(FALSE_WORDS)
        ok = (true | false).fillna(False).astype(bool)
        return pd.Series(true.to_numpy(dtype=bool, na_value=False), index=s.index, dtype="boolean").where(ok), ~ok
    raise AssertionError(f"unknown column kind {kind}")


_DTYPES = {"string": "string[pyarrow]", "code": "string[pyarrow]", "date": "datetime64[ns]", "month": "period[M]",
           "int": "Int64", "float": "float64", "bool": "boolean"}


def _already_typed(values: pd.Series, kind: str) -> bool:
    """True for a column that a typed Parquet file delivered in the contract's type already."""
    return kind in ("date", "int", "float", "bool") and values.dtype == pd.api.types.pandas_dtype(_DTYPES[kind])


def _convert_table(table: str, file: str, frame: pd.DataFrame, spec: dict[str, Column],
                   out: _Collector) -> pd.DataFrame | None:
    """Type every contract column; record missing columns, empty required cells, bad types."""
    missing = [c for c, col in spec.items() if col.required and c not in frame.columns]
    for column in missing:
        out.add(file, 1, column, None,
                f"required column is missing from the header (found: {', '.join(frame.columns) or 'none'})")
    if missing:
        return None
    frame = frame.copy()
    for column, col in spec.items():
        if column not in frame.columns:
            continue
        raw = frame[column]
        if _already_typed(raw, col.kind):  # from a typed Parquet column: only emptiness and range
            empty = raw.isna().to_numpy(dtype=bool)
            if col.required and (table, column) not in EMPTY_ALLOWED:
                for line in raw.index[empty]:
                    out.add(file, int(line), column, None, "required value is empty")
            if col.kind == "date":
                bad = ~empty & ~raw.dt.year.between(1900, 2100).to_numpy(dtype=bool)
                for line, value in raw[bad].items():
                    out.add(file, int(line), column, str(value.date()), _RULES["date"])
                frame[column] = raw.where(~bad)
            continue
        # spreadsheet exports write missing values as text: treat the usual markers as empty
        empty = (raw == "").fillna(True).astype(bool) | raw.isin(MISSING_MARKERS).fillna(False).astype(bool)
        if col.required and (table, column) not in EMPTY_ALLOWED:
            for line in raw.index[empty]:
                out.add(file, int(line), column, None, "required value is empty")
        values, bad = _convert_column(col.kind, raw.where(~empty))
        bad = pd.Series(bad, index=raw.index).fillna(False).astype(bool) & ~empty
        for line, value in raw[bad].items():
            hint = _RULES[col.kind]
            if col.kind == "date" and re.fullmatch(r"\d{5}(\.0+)?", value):
                hint += " (this looks like an Excel serial day number: format the column as a date before export)"
            out.add(file, int(line), column, value, hint)
        if col.kind == "month":
            frame[column] = values.where(~bad)
        else:
            frame[column] = values.where(~(bad | empty)).astype(_DTYPES[col.kind])
    return frame


# --------------------------------------------------------------------------- value rules
def _check(rule: str, fn: Callable[[pd.DataFrame], pd.Series], columns: tuple[str, ...]) -> pa.Check:
    """A row-wise pandera check whose error text is the rule shown to the researcher."""
    return pa.Check(fn, error=rule, name="|".join(columns))


def _column_checks(column: str, col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if col.codes:
        checks.append(pa.Check.isin(list(col.codes), error=f"must be one of: {', '.join(col.codes)}"))
    if col.minimum is not None and col.maximum is not None:
        checks.append(pa.Check.in_range(col.minimum, col.maximum,
                                        error=f"must be between {col.minimum:g} and {col.maximum:g}"))
    elif col.minimum is not None:
        checks.append(pa.Check.ge(col.minimum, error=f"must be at least {col.minimum:g}"))
    if col.unique:
        checks.append(pa.Check(lambda s: s.isna() | ~s.duplicated(keep=False),
                               element_wise=False, error="must be unique (this value appears more than once)"))
    return checks


def _schema(table: str, spec: dict[str, Column], meta: dict) -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(checks=_column_checks(name, col), nullable=True, required=False,
                        coerce=False)
        for name, col in spec.items()
    }
    checks: list[pa.Check] = []
    start = pd.Timestamp(meta["study_start"])
    end = pd.Timestamp(meta["study_end"])
    if table == "clients":
        checks += [
            _check(f"enrolled must be within the study period {start.date()}..{end.date()}",
                   lambda d: d["enrolled"].isna() | d["enrolled"].between(start, end), ("enrolled",)),
            _check("exit_date must be on or after enrolled",
                   lambda d: d["enrolled"].isna() | d["exit_date"].isna() | (d["exit_date"] >= d["enrolled"]),
                   ("exit_date",)),
            _check(f"exit_date must be on or before study_end {end.date()} (end of follow-up)",
                   lambda d: d["exit_date"].isna() | (d["exit_date"] <= end), ("exit_date",)),
        ]
    elif table == "placements":
        checks.append(_check("end must be on or after start",
                             lambda d: d["start"].isna() | d["end"].isna() | (d["end"] >= d["start"]),
                             ("end",)))
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


def _validate_values(table: str, file: str, frame: pd.DataFrame, spec: dict[str, Column],
                     meta: dict, out: _Collector) -> None:
    """The value rules, one problem per bad cell, in line order.

    pandera reports a table-wide check (``exit_date`` before ``enrolled``) once for every
    column of a failing row; each such check names the one column it is about, so that row is
    reported once, under that column, with that column's value."""
    schema = _schema(table, spec, meta)
    row_checks = {str(c.error): c.name for c in schema.checks}
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        found: dict[tuple, Any] = {}
        for _, case in err.failure_cases.iterrows():
            index = case["index"]
            line = None if _is_empty(index) else int(index)
            rule = str(case["check"])
            column = case["column"]
            if rule in row_checks:
                column = row_checks[rule]
            elif column is None or _is_empty(column) or column == table:
                column = None
            value = case["failure_case"]
            if line is not None and column in frame.columns:
                value = frame.at[line, column]
            found.setdefault((line, column, rule), _plain(value))
        order = {c: i for i, c in enumerate(frame.columns)}
        for (line, column, rule), value in sorted(
                found.items(), key=lambda kv: (kv[0][0] or 0, order.get(kv[0][1], -1), kv[0][2])):
            out.add(file, line, column, value, rule)


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


# --------------------------------------------------------------------------- dataset.yaml
META_REQUIRED = ("name", "municipality", "municipality_code", "study_start", "study_end",
                 "synthetic", "language", "description")


def _read_meta(folder: Path, out: _Collector) -> dict | None:
    path = folder / "dataset.yaml"
    name = "dataset.yaml"
    if not path.is_file():
        out.add(name, None, None, None, f"missing: every dataset folder needs a dataset.yaml ({path})")
        return None
    text = _decode(path.read_bytes())
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        out.add(name, None if mark is None else mark.line + 1, None, None, f"is not valid YAML: {exc}")
        return None
    if not isinstance(meta, dict):
        out.add(name, None, None, None, "must be a mapping of keys (name:, municipality:, ...)")
        return None
    for key in META_REQUIRED:
        if key not in meta or meta[key] is None or meta[key] == "":
            out.add(name, None, key, None, "required key is missing or empty")
    for key in ("study_start", "study_end"):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                out.add(name, None, key, value, _RULES["date"])
                continue
        if not isinstance(value, dt.date):
            out.add(name, None, key, value, _RULES["date"])
            continue
        meta[key] = value
    if isinstance(meta.get("study_start"), dt.date) and isinstance(meta.get("study_end"), dt.date):
        if meta["study_end"] < meta["study_start"]:
            out.add(name, None, "study_end", str(meta["study_end"]), "must be on or after study_start")
    if "synthetic" in meta and not isinstance(meta["synthetic"], bool):
        out.add(name, None, "synthetic", meta["synthetic"], "must be true or false")
    if "language" in meta and meta["language"] not in ("fi", "en"):
        out.add(name, None, "language", meta["language"], "must be fi or en")
    sources = meta.get("sources")
    if sources is not None:
        if not isinstance(sources, dict) or set(sources) - set(TABLES) \
                or set(sources.values()) - set(TABLE_SOURCES):
            out.add(name, None, "sources", None,
                    f"must map tables ({', '.join(TABLES)}) to where they come from: "
                    f"{', '.join(TABLE_SOURCES)}, e.g. sources: {{monthly: official}}")
        elif meta.get("synthetic") is False and "synthetic" in sources.values():
            out.add(name, None, "sources", None, "a dataset with synthetic: false cannot have a synthetic table")
    if meta.get("municipality_code") is not None:
        # as written in the file: an unquoted 071 is the octal number 57 to a YAML reader
        written = _written_scalar(text, "municipality_code")
        code = municipality_code(written if written is not None else meta["municipality_code"])
        if code is None:
            out.add(name, None, "municipality_code", written,
                    "must be a municipality code: three digits (071), with or without leading zeros "
                    "(71) or StatFin's prefix (KU071)")
        else:
            meta["municipality_code"] = code
    targets = meta.get("targets")
    if targets is not None:
        for problem in target_problems(targets):
            out.add(name, None, "targets", None, problem)
    return meta


def municipality_code(value) -> str | None:
    """A Finnish municipality code as three-digit text: ``71``, ``"071"``, ``"KU071"`` -> ``"071"``.

    None for anything else.  Read codes as text before calling this: a YAML reader turns an
    unquoted ``071`` into the octal number 57 (the dataset contract reads the scalar as written).
    """
    if isinstance(value, bool):
        return None
    text = str(value).strip().upper()
    match = re.fullmatch(r"(?:KU)?(\d{1,3})", text)
    return match.group(1).zfill(3) if match else None


# --------------------------------------------------------------------------- published targets' format
#: compute kind -> the keys it needs besides ``kind``.
KINDS: dict[str, tuple[str, ...]] = {
    "client_count": (),
    "group_count": ("group",),
    "group_share": ("group",),
    "monthly_value": ("column", "month"),
    "monthly_ratio": ("column", "start", "end"),
    "subsidy_share": ("sector",),
    "continuation_share": ("sector",),
}
COMPARISONS = ("approx", "greater_than")
REQUIRED = ("id", "fact", "value", "unit", "compute", "comparison")


def load_published_targets(path: str | Path | None = None) -> list[dict]:
    """The report's targets from ``data/published/wassup_report.yaml``."""
    path = path or PUBLISHED_TARGETS
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    targets = document["targets"]
    problems = target_problems(targets)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return targets


def target_problems(targets: Any) -> list[str]:
    """Every way ``targets`` breaks the format above (empty list when valid)."""
    if not isinstance(targets, list):
        return ["targets must be a list of mappings"]
    problems = []
    seen = set()
    for i, target in enumerate(targets, start=1):
        where = f"target {i}"
        if not isinstance(target, dict):
            problems.append(f"{where} must be a mapping")
            continue
        where = f"target {target.get('id', i)!s}"
        problems += [f"{where}: key {key!r} is missing" for key in REQUIRED if key not in target]
        if target.get("id") in seen:
            problems.append(f"{where}: id appears twice")
        seen.add(target.get("id"))
        compute = target.get("compute")
        if not isinstance(compute, dict) or compute.get("kind") not in KINDS:
            problems.append(f"{where}: compute.kind must be one of {', '.join(KINDS)}")
        else:
            problems += [f"{where}: compute.{key} is missing" for key in KINDS[compute["kind"]]
                         if key not in compute]
        if target.get("comparison") not in COMPARISONS:
            problems.append(f"{where}: comparison must be one of {', '.join(COMPARISONS)}")
        if target.get("comparison") == "approx" and not isinstance(target.get("tolerance"), (int, float)):
            problems.append(f"{where}: an approx comparison needs a numeric tolerance")
        if not isinstance(target.get("value"), (int, float)) or isinstance(target.get("value"), bool):
            problems.append(f"{where}: value must be a number")
    return problems



def _written_scalar(text: str, key: str) -> str | None:
    """The text of a top-level scalar ``key`` exactly as written in a YAML document."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.ScalarNode):
            return v.value
    return None


def _meta_ok(meta: dict, out: _Collector) -> bool:
    return not any(v.file == "dataset.yaml" for v in out.violations)


# --------------------------------------------------------------------------- load
#: Inputs larger than this (bytes, all tables) report their loading steps as they go.
PROGRESS_BYTES = 20_000_000


def load_dataset(path: str | Path, progress: bool | None = None) -> Dataset:
    """Load and validate a dataset folder.

    Parameters
    ----------
    path : str or Path
        A folder with ``dataset.yaml`` and the three tables.
    progress : bool, optional
        Report each loading step on stderr; by default only when the tables together are larger
        than :data:`PROGRESS_BYTES` (about 250,000 clients as CSV).

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetError
        Listing every violation with file, line, column, value and rule.
    """
    folder = Path(path)
    out = _Collector()
    if not folder.is_dir():
        raise DatasetError(folder, [Violation(str(folder), None, None, None,
                                              "is not a folder: a dataset is a folder with dataset.yaml, "
                                              "clients.csv, placements.csv and monthly.csv")])
    found = [_find_table(folder, table) for table in TABLES]
    if progress is None:
        progress = sum(p.stat().st_size for p in found if p is not None) > PROGRESS_BYTES
    steps = Steps(2 * len(TABLES) + 2, "loading the dataset", progress)
    try:
        return _load(folder, out, steps)
    finally:
        steps.close()


def _load(folder: Path, out: "_Collector", steps: Steps) -> Dataset:
    meta = _read_meta(folder, out)
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for table, spec in TABLES.items():
        file_path = _find_table(folder, table)
        if file_path is None:
            out.add(f"{table}.csv", None, None, None,
                    f"missing: expected {table}.csv or {table}.parquet in {folder}")
            continue
        files[table] = file_path
        name = file_path.name
        steps.step(f"reading {name}")
        if file_path.suffix == ".csv":
            raw = _read_csv(file_path, name, out)
        else:
            raw = _read_parquet(file_path, name, spec, out)
        if raw is None:
            continue
        steps.step(f"checking identifiers and types in {name}")
        typed_columns = {c for c, col in spec.items() if col.kind not in ("string", "code")}
        identifying = identifying_columns(raw, typed_columns)
        for column, line, what in identifying:
            # the value itself is personal data: never echo it
            out.add(name, line, column, None, f"holds direct identifiers ({what}); {PSEUDONYMISE}")
        if identifying:
            continue
        typed = _convert_table(table, name, raw, spec, out)
        if typed is None:
            continue
        if len(typed) < MIN_ROWS[table]:
            out.add(name, None, None, None, f"has no data rows: at least {MIN_ROWS[table]} needed")
            continue
        frames[table] = typed
    if meta is None or not _meta_ok(meta, out):
        raise DatasetError(folder, out.violations)
    steps.step("checking the value rules")
    for table, frame in frames.items():
        _validate_values(table, files[table].name, frame, TABLES[table], meta, out)
    steps.step("checking the links between tables")
    if "monthly" in frames:
        _check_consecutive(files["monthly"].name, frames["monthly"], out)
    if "clients" in frames and "placements" in frames:
        _check_placement_clients(files["placements"].name, frames["clients"], frames["placements"], out)
    if out.violations:
        raise DatasetError(folder, out.violations)
    notes = []
    for table, frame in frames.items():
        _text_as_objects(frame, TABLES[table])
        extra = [c for c in frame.columns if c not in TABLES[table]]
        if extra and meta.get("synthetic") is not True:
            # free text (notes, employers, health details) is personal data: never in an output
            frame.drop(columns=extra, inplace=True)
            notes.append(f"{files[table].name}: column(s) {', '.join(map(str, extra))} are not part of the "
                         "contract and were left out of every analysis and output (real data: their "
                         "values are never shown)")
    return Dataset(
        clients=_derive_clients(frames["clients"]),
        placements=_derive_placements(frames["placements"]),
        monthly=frames["monthly"].sort_values("month").reset_index(drop=True),
        meta=meta,
        path=folder,
        files=files,
        notes=notes,
    )


def _text_as_objects(frame: pd.DataFrame, spec: dict[str, Column]) -> None:
    """Text columns of a loaded Dataset are plain Python strings (missing: NaN), as pandas reads
    them by default, so the analyses never meet ``pd.NA`` in a comparison."""
    for column, col in spec.items():
        if col.kind in ("string", "code") and column in frame.columns:
            values = frame[column]
            frame[column] = values.astype(object).where(values.notna().to_numpy(dtype=bool), np.nan)


def _check_consecutive(file: str, monthly: pd.DataFrame, out: _Collector) -> None:
    months = monthly["month"].dropna()
    if months.duplicated().any():
        return  # already reported as not unique
    ordered = months.sort_values()
    ordinals = np.array([p.ordinal for p in ordered])
    gaps = np.flatnonzero(np.diff(ordinals) != 1)
    for g in gaps:
        line = int(ordered.index[g + 1])
        out.add(file, line, "month", str(ordered.iloc[g + 1]),
                f"months must be consecutive: {ordered.iloc[g]} is followed by {ordered.iloc[g + 1]}")


def _check_placement_clients(file: str, clients: pd.DataFrame, placements: pd.DataFrame,
                             out: _Collector) -> None:
    if "client_id" not in placements.columns:
        return
    import pyarrow as pa
    import pyarrow.compute as pc

    linked = placements["client_id"].dropna()
    # pyarrow's hash lookup: pandas' isin walks a million-value list in Python
    known = pc.is_in(pa.array(linked.astype("string[pyarrow]").array),
                     value_set=pa.array(clients["client_id"].dropna().astype("string[pyarrow]").array))
    for line, value in linked[~known.to_numpy(zero_copy_only=False)].items():
        out.add(file, int(line), "client_id", value,
                "must be empty or the client_id of a client in clients.csv")


def _derive_clients(clients: pd.DataFrame) -> pd.DataFrame:
    clients = clients.reset_index(drop=True)
    clients["duration_days"] = (clients["exit_date"] - clients["enrolled"]).dt.days.astype("int64")
    clients["outcome_group"] = clients["outcome"].map(OUTCOME_GROUPS)
    if "age_at_entry" in clients.columns:
        age = clients["age_at_entry"].astype("float64")
        clients["age_group"] = pd.Series(
            np.select([age < 25, age < 50, age >= 50], AGE_GROUPS, default=""), index=clients.index
        ).where(age.notna(), None)
    return clients


def _derive_placements(placements: pd.DataFrame) -> pd.DataFrame:
    placements = placements.reset_index(drop=True)
    placements["length_days"] = (placements["end"] - placements["start"]).dt.days.astype("Int64")
    return placements

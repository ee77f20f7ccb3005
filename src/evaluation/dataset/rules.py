"""Typing every cell by its column and checking the value rules (pandera)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..vocabulary import FALSE_WORDS, MISSING_MARKERS, TRUE_WORDS
from .columns import _RULES, EMPTY_ALLOWED, Column
from .violations import _Collector


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
        values, ok = _parse_dates(s)
        ok = ok & values.notna() & values.dt.year.between(1900, 2100)
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


#: A time of day a spreadsheet adds to a date (``2019-05-31 00:00:00``, ``31.5.2019 0:00``):
#: midnight only, so that reading the date drops nothing.
_MIDNIGHT = r"[ T]0?0:00(?::00(?:\.0+)?)?$"
_ISO = r"\d{4}-\d{2}-\d{2}"
_FINNISH = r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"


def _iso_dates(s: pd.Series) -> np.ndarray:
    return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").to_numpy(dtype="datetime64[ns]")


def _parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in the forms the contract reads (data/README.md): ISO ``2019-05-31``; Finnish
    ``31.5.2019`` (day first, as Finland always writes it); either with a spreadsheet's midnight
    (``2019-05-31 00:00:00``, ``31.5.2019 0:00``).  Returns (timestamps, written-in-a-read-form
    mask); an impossible date (``31.2.2019``) comes back as NaT.  Vectorised (Arrow compute):
    the Finnish form is rewritten as ISO text (day and month padded) and parsed as ISO, which
    pandas does in C; 1,000,000 dates take about a second."""
    import pyarrow as pa_
    import pyarrow.compute as pc

    iso = s.str.fullmatch(_ISO).fillna(False).to_numpy(dtype=bool)
    values = _iso_dates(s.where(iso))
    rest = ~iso & s.notna().to_numpy(dtype=bool)
    ok = iso.copy()
    if rest.any():  # the usual case, every date ISO, never comes here
        other = s[rest].str.replace(_MIDNIGHT, "", regex=True)
        positions = np.flatnonzero(rest)
        spreadsheet = other.str.fullmatch(_ISO).fillna(False).to_numpy(dtype=bool)
        values[positions[spreadsheet]] = _iso_dates(other[spreadsheet])
        ok[positions[spreadsheet]] = True
        parts = pc.extract_regex(pa_.array(other.array), _FINNISH)  # null where not this form
        finnish = parts.is_valid().to_numpy(zero_copy_only=False)
        if finnish.any():
            day, month, year = (pc.utf8_lpad(pc.struct_field(parts, [i]), 2, "0") for i in range(3))
            text = pc.binary_join_element_wise(year, month, day, pa_.scalar("-", year.type)).filter(pa_.array(finnish))
            values[positions[finnish]] = _iso_dates(pd.Series(text.to_pandas(), dtype="string[pyarrow]"))
            ok[positions[finnish]] = True
    return pd.Series(values, index=s.index), pd.Series(ok, index=s.index)


_DTYPES = {
    "string": "string[pyarrow]",
    "code": "string[pyarrow]",
    "date": "datetime64[ns]",
    "month": "period[M]",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
}


def _already_typed(values: pd.Series, kind: str) -> bool:
    """True for a column that a typed Parquet file delivered in the contract's type already."""
    return kind in ("date", "int", "float", "bool") and values.dtype == pd.api.types.pandas_dtype(_DTYPES[kind])


def _convert_table(
    table: str, file: str, frame: pd.DataFrame, spec: dict[str, Column], out: _Collector
) -> pd.DataFrame | None:
    """Type every contract column; record missing columns, empty required cells, bad types."""
    missing = [c for c, col in spec.items() if col.required and c not in frame.columns]
    for column in missing:
        out.add(
            file,
            1,
            column,
            None,
            f"required column is missing from the header (found: {', '.join(frame.columns) or 'none'})",
        )
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
        if _one_form(raw[bad], int((~empty).sum())):  # one problem for the column, with the fix
            lines = raw.index[bad]
            out.add(
                file,
                int(lines[0]),
                column,
                raw[bad].iloc[0],
                f"{_RULES[col.kind]}{_hint(col.kind, raw[bad].iloc[0])}: all {len(lines)} values of the "
                f"column (lines {lines[0]}..{lines[-1]}) are written like this one; {_COLUMN_FIX[col.kind]}",
            )
        else:
            for line, value in raw[bad].items():
                out.add(file, int(line), column, value, _RULES[col.kind] + _hint(col.kind, value))
        if col.kind == "month":
            frame[column] = values.where(~bad)
        else:
            frame[column] = values.where(~(bad | empty)).astype(_DTYPES[col.kind])
    return frame


#: A column whose every value breaks its type the same way is reported once from this many values.
COLUMN_PATTERN_MIN = 10


def _one_form(bad: pd.Series, present: int) -> bool:
    """Whether a column's bad values are all its ``present`` values, at least
    :data:`COLUMN_PATTERN_MIN` of them, in one form (digit runs read as one digit, letter runs
    as one letter: every ``5/31/2019`` is ``9/9/9``); then the column is reported once."""
    if len(bad) < COLUMN_PATTERN_MIN or len(bad) != present:
        return False
    shapes = bad.str.replace(r"\d+", "9", regex=True).str.replace(r"[^\W\d_]+", "a", regex=True)
    return shapes.nunique() == 1


#: How to fix a whole column written in a form the contract does not read.
_COLUMN_FIX = {
    "date": "in the spreadsheet, format the whole column as dates YYYY-MM-DD (or D.M.YYYY) and save the CSV again",
    "month": "in the spreadsheet, format the whole column as text YYYY-MM and save the CSV again",
    "int": "in the spreadsheet, format the whole column as whole numbers (no units, no text) and save the CSV again",
    "float": "in the spreadsheet, format the whole column as numbers (no units, no text) and save the CSV again",
    "bool": "write the whole column as true/false (or 1/0, kyllä/ei) and save the CSV again",
}


def _hint(kind: str, value: str) -> str:
    if kind == "date" and re.fullmatch(r"\d{5}(\.0+)?", value):
        return " (this looks like an Excel serial day number: format the column as a date before export)"
    return ""


# --------------------------------------------------------------------------- value rules
def _check(rule: str, fn: Callable[[pd.DataFrame], pd.Series], columns: tuple[str, ...]) -> pa.Check:
    """A row-wise pandera check whose error text is the rule shown to the researcher."""
    return pa.Check(fn, error=rule, name="|".join(columns))


def _column_checks(column: str, col: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if col.codes:
        checks.append(pa.Check.isin(list(col.codes), error=f"must be one of: {', '.join(col.codes)}"))
    if col.minimum is not None and col.maximum is not None:
        checks.append(
            pa.Check.in_range(col.minimum, col.maximum, error=f"must be between {col.minimum:g} and {col.maximum:g}")
        )
    elif col.minimum is not None:
        checks.append(pa.Check.ge(col.minimum, error=f"must be at least {col.minimum:g}"))
    if col.pattern is not None:
        pattern = col.pattern
        checks.append(
            pa.Check(
                lambda s: s.isna() | s.astype("string[pyarrow]").str.fullmatch(pattern).fillna(False),
                element_wise=False,
                error=col.pattern_rule,
            )
        )
    if col.unique:
        checks.append(
            pa.Check(
                lambda s: s.isna() | ~s.duplicated(keep=False),
                element_wise=False,
                error="must be unique (this value appears more than once)",
            )
        )
    return checks


def _schema(table: str, spec: dict[str, Column], meta: dict, present: tuple[str, ...] = ()) -> pa.DataFrameSchema:
    columns = {
        name: pa.Column(checks=_column_checks(name, col), nullable=True, required=False, coerce=False)
        for name, col in spec.items()
    }
    checks: list[pa.Check] = []
    start = pd.Timestamp(meta["study_start"])
    end = pd.Timestamp(meta["study_end"])
    if table == "clients":
        checks += [
            _check(
                f"enrolled must be within the study period {start.date()}..{end.date()}",
                lambda d: d["enrolled"].isna() | d["enrolled"].between(start, end),
                ("enrolled",),
            ),
            _check(
                "exit_date must be on or after enrolled",
                lambda d: d["enrolled"].isna() | d["exit_date"].isna() | (d["exit_date"] >= d["enrolled"]),
                ("exit_date",),
            ),
            _check(
                f"exit_date must be on or before study_end {end.date()} (end of follow-up)",
                lambda d: d["exit_date"].isna() | (d["exit_date"] <= end),
                ("exit_date",),
            ),
        ]
        if "unemployed_since" in present:  # optional: the client-level comparison's clock
            checks.append(
                _check(
                    "unemployed_since must be on or before enrolled (the first day of the unemployment "
                    "spell in which the client enrolled)",
                    lambda d: (
                        d["unemployed_since"].isna() | d["enrolled"].isna() | (d["unemployed_since"] <= d["enrolled"])
                    ),
                    ("unemployed_since",),
                )
            )
    elif table == "comparison":
        checks.append(
            _check(
                "exit_date must be on or after unemployed_since",
                lambda d: (
                    d["unemployed_since"].isna() | d["exit_date"].isna() | (d["exit_date"] >= d["unemployed_since"])
                ),
                ("exit_date",),
            )
        )
    elif table == "placements":
        checks.append(
            _check(
                "end must be on or after start",
                lambda d: d["start"].isna() | d["end"].isna() | (d["end"] >= d["start"]),
                ("end",),
            )
        )
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False)


def _validate_values(
    table: str, file: str, frame: pd.DataFrame, spec: dict[str, Column], meta: dict, out: _Collector
) -> None:
    """The value rules, one problem per bad cell, in line order.

    pandera reports a table-wide check (``exit_date`` before ``enrolled``) once for every
    column of a failing row; each such check names the one column it is about, so that row is
    reported once, under that column, with that column's value."""
    schema = _schema(table, spec, meta, tuple(frame.columns))
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
            found.items(), key=lambda kv: (kv[0][0] or 0, order.get(kv[0][1], -1), kv[0][2])
        ):
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

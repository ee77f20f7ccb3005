"""Reading the tables' files: CSV as Finnish exports write it, and Parquet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import Column
from .violations import _Collector


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
        out.add(
            name,
            None,
            None,
            None,
            "the file is empty: expected a header line naming the columns, then one row per line",
        )
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
        return (
            "is an Excel workbook (.xlsx) or another zip archive, not a CSV file: open it in Excel and "
            "save it with File > Save As > 'CSV UTF-8 (comma delimited)'"
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "is an Excel 97-2003 workbook (.xls), not a CSV file: open it in Excel and save it with "
            "File > Save As > 'CSV UTF-8 (comma delimited)'"
        )
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
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa_.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa_.ArrowInvalid, ValueError):
        return None
    frame = table.to_pandas(types_mapper={pa_.string(): pd.StringDtype("pyarrow")}.get)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="line")
    return frame


def _arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Stripped Arrow-backed strings: vectorised string checks on a million rows take ms, not s."""
    return pd.DataFrame({c: frame[c].astype("string[pyarrow]").str.strip() for c in frame.columns}, index=frame.index)


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
        out.add(name, 1, ", ".join(dupes) or None, None, "column names in the header must be unique and non-empty")
        return None
    body, lines = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            out.add(
                name,
                i,
                None,
                sep.join(row),
                f"the line has {len(row)} cells but the header has {len(header)} "
                f"(separator {sep!r}); check for an unquoted separator inside a value",
            )
            continue
        body.append(row)
        lines.append(i)
    return pd.DataFrame(body, columns=header, index=pd.Index(lines, name="line"), dtype=str)


def _read_parquet(path: Path, name: str, spec: dict[str, Column], out: _Collector) -> pd.DataFrame | None:
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
            text = pc.if_else(
                whole, pc.cast(pc.cast(column, pa.int64(), safe=False), pa.string()), pc.cast(column, pa.string())
            )
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

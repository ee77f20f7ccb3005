"""Loading a dataset folder: read, type, check, link and derive, every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..privacy import PSEUDONYMISE, identifying_columns
from ..progress import Steps
from ..vocabulary import AGE_GROUPS, OUTCOME_GROUPS
from .columns import MIN_ROWS, OPTIONAL_TABLES, TABLES, Column, Dataset, table_source
from .meta import _meta_ok, _read_meta
from .reading import _find_table, _read_csv, _read_parquet
from .rules import _convert_table, _validate_values
from .violations import DatasetError, Violation, _Collector

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["PROGRESS_BYTES", "derive_clients", "derive_comparison", "load_dataset"]

#: Inputs larger than this (bytes, all tables) report their loading steps as they go.
PROGRESS_BYTES = 20_000_000


def load_dataset(path: str | Path, progress: bool | None = None) -> Dataset:
    """Load and validate a dataset folder.

    Parameters
    ----------
    path : str or Path
        A folder with ``dataset.yaml`` and the three tables (and, optionally, the comparison
        table ``comparison.csv`` or ``.parquet``).
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
        raise DatasetError(
            folder,
            [
                Violation(
                    str(folder),
                    None,
                    None,
                    None,
                    "is not a folder: a dataset is a folder with dataset.yaml, "
                    "clients.csv, placements.csv and monthly.csv",
                )
            ],
        )
    found = [_find_table(folder, table) for table in TABLES]
    if progress is None:
        progress = sum(p.stat().st_size for p in found if p is not None) > PROGRESS_BYTES
    read = sum(1 for table, p in zip(TABLES, found) if p is not None or table not in OPTIONAL_TABLES)
    steps = Steps(2 * read + 2, "loading the dataset", progress)
    try:
        return _load(folder, out, steps)
    finally:
        steps.close()


def _load(folder: Path, out: _Collector, steps: Steps) -> Dataset:
    meta = _read_meta(folder, out)
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    for table, spec in TABLES.items():
        file_path = _find_table(folder, table)
        if file_path is None:
            if table in OPTIONAL_TABLES:
                continue  # absent: the Dataset's attribute is None
            out.add(f"{table}.csv", None, None, None, f"missing: expected {table}.csv or {table}.parquet in {folder}")
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
    if "comparison" in frames:
        _check_spells(files["comparison"].name, frames["comparison"], out)
    if out.violations:
        raise DatasetError(folder, out.violations)
    notes = list(out.notes)
    for table, frame in frames.items():
        _text_as_objects(frame, TABLES[table])
        extra = [c for c in frame.columns if c not in TABLES[table]]
        if extra and _personal(meta, table):
            # free text (notes, employers, health details) is personal data: never in an output
            frame.drop(columns=extra, inplace=True)
            notes.append(
                f"{files[table].name}: column(s) {', '.join(map(str, extra))} are not part of the "
                "contract and were left out of every analysis and output (real data: their "
                "values are never shown)"
            )
    return Dataset(
        clients=derive_clients(frames["clients"]),
        placements=_derive_placements(frames["placements"]),
        monthly=frames["monthly"].sort_values("month").reset_index(drop=True),
        meta=meta,
        path=folder,
        files=files,
        notes=notes,
        comparison=derive_comparison(frames["comparison"]) if "comparison" in frames else None,
    )


def _personal(meta: dict, table: str) -> bool:
    """Whether ``table`` may hold real personal data: every table of a dataset that is not
    ``synthetic: true``, and a table that comes from a ``register`` (:func:`table_source`: a
    comparison table unless ``sources`` says it is synthetic)."""
    return meta.get("synthetic") is not True or table_source(meta, table) == "register"


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
        out.add(
            file,
            line,
            "month",
            str(ordered.iloc[g + 1]),
            f"months must be consecutive: {ordered.iloc[g]} is followed by {ordered.iloc[g + 1]}",
        )


def _check_placement_clients(file: str, clients: pd.DataFrame, placements: pd.DataFrame, out: _Collector) -> None:
    if "client_id" not in placements.columns:
        return
    import pyarrow as pa
    import pyarrow.compute as pc

    linked = placements["client_id"].dropna()
    # pyarrow's hash lookup: pandas' isin walks a million-value list in Python
    known = pc.is_in(
        pa.array(linked.astype("string[pyarrow]").array),
        value_set=pa.array(clients["client_id"].dropna().astype("string[pyarrow]").array),
    )
    for line, value in linked[~known.to_numpy(zero_copy_only=False)].items():
        out.add(file, int(line), "client_id", value, "must be empty or the client_id of a client in clients.csv")


#: Day numbers of the spell check are offset so that every date of 1900..2100 is positive and
#: below one person's stride: ``person * _STRIDE + day`` never reaches the next person.
_DAY_OFFSET = 100_000
_STRIDE = 1_000_000


def _check_spells(file: str, spells: pd.DataFrame, out: _Collector) -> None:
    """One person's spells: ``(person_id, unemployed_since)`` unique, and no spell starting
    before an earlier-starting spell of the same person has ended.

    A spell covers the days ``unemployed_since <= day < exit_date`` (as the comparison's trials
    read it): a spell may start on the day the person's previous one ended.  Each offending
    spell is reported once, on its own line, naming the earlier spell's line; a spell whose key
    repeats an earlier line is reported as a duplicate, not also as an overlap.  Rows with an
    empty or bad person_id or unemployed_since were reported already and are skipped.

    Vectorised over integer arrays (a national extract has about a million spells): the persons
    are factorised once and the spells sorted by (person, start, line) with ``np.lexsort``; each
    spell is compared with the latest exit_date of the person's earlier spells, a running
    maximum within the person (``np.maximum.accumulate`` over ``person * stride + day``, which
    never carries from one person to the next), shifted by one row, so that a spell nested in a
    long earlier one is found even when a short one lies between.  The line holding that
    maximum is carried forward the same way.  A million spells take about 0.5 s.
    """
    person = spells["person_id"]
    since = spells["unemployed_since"]
    keep = (person.notna() & since.notna()).to_numpy(dtype=bool)
    if not keep.any():
        return
    codes, _ = pd.factorize(person[keep])
    lines = spells.index.to_numpy(dtype="int64")[keep]
    day = since[keep].to_numpy(dtype="datetime64[D]").astype("int64") + _DAY_OFFSET
    exit_ = spells["exit_date"][keep].to_numpy(dtype="datetime64[D]")
    exit_day = np.where(np.isnat(exit_), 0, exit_.astype("int64") + _DAY_OFFSET)
    order = np.lexsort((lines, day, codes))
    codes, lines, day, exit_day = codes[order], lines[order], day[order], exit_day[order]
    positions = np.arange(len(codes))
    same_person = np.r_[False, codes[1:] == codes[:-1]]
    repeated = same_person & np.r_[False, day[1:] == day[:-1]]
    found: list[tuple[int, str, str, str]] = []
    if repeated.any():
        first = lines[np.maximum.accumulate(np.where(repeated, 0, positions))]
        for line, start, earlier in zip(lines[repeated], day[repeated], first[repeated]):
            found.append(
                (
                    int(line),
                    "unemployed_since",
                    _day_text(start),
                    f"(person_id, unemployed_since) must be unique: line {int(earlier)} is the same "
                    "person's spell with the same start; write each spell once",
                )
            )
        single = ~repeated
        codes, lines, day, exit_day = codes[single], lines[single], day[single], exit_day[single]
        positions = np.arange(len(codes))
        same_person = np.r_[False, codes[1:] == codes[:-1]]
    stacked = codes.astype("int64") * _STRIDE + exit_day
    latest = np.maximum.accumulate(stacked)
    holder = np.maximum.accumulate(np.where(stacked == latest, positions, 0))
    previous_exit = np.r_[0, latest[:-1] - codes[:-1].astype("int64") * _STRIDE]
    previous_line = np.r_[0, lines[holder[:-1]]]
    overlap = same_person & (previous_exit > 0) & (day < previous_exit)
    for i in np.flatnonzero(overlap):
        found.append(
            (
                int(lines[i]),
                "unemployed_since",
                _day_text(day[i]),
                f"one person's spells must not overlap: this spell starts before the spell on line "
                f"{int(previous_line[i])} (same person_id) ends on {_day_text(previous_exit[i])}; "
                "a spell may start on the day the previous one ended. Correct the dates or merge the spells",
            )
        )
    for line, column, value, rule in sorted(found, key=lambda f: f[0]):
        out.add(file, line, column, value, rule)


def _day_text(day: int) -> str:
    """An offset day number of :func:`_check_spells` as YYYY-MM-DD."""
    return str(np.datetime64(int(day) - _DAY_OFFSET, "D"))


def _duration_and_group(frame: pd.DataFrame, start: str, days: str) -> pd.DataFrame:
    """``days`` (exit_date − ``start``, whole days) and ``outcome_group`` (the outcome's group,
    :data:`vocabulary.OUTCOME_GROUPS`): the derivation the clients and the comparison share."""
    frame = frame.reset_index(drop=True)
    frame[days] = (frame["exit_date"] - frame[start]).dt.days.astype("int64")
    # each distinct code is looked up once (a million rows hold a handful of codes)
    codes, found = pd.factorize(frame["outcome"])
    groups = np.array([OUTCOME_GROUPS.get(code, np.nan) for code in found] + [np.nan], dtype=object)
    frame["outcome_group"] = pd.Series(groups[codes], index=frame.index, dtype=object)
    return frame


def derive_comparison(comparison: pd.DataFrame) -> pd.DataFrame:
    """The columns every analysis derives from a comparison table: ``spell_days`` (exit_date −
    unemployed_since) and ``outcome_group``, as :func:`derive_clients` derives them."""
    return _duration_and_group(comparison, "unemployed_since", "spell_days")


def derive_clients(clients: pd.DataFrame) -> pd.DataFrame:
    """The columns every analysis derives from a client table: ``duration_days`` (exit_date −
    enrolled), ``outcome_group`` and, with ages, ``age_group``."""
    clients = _duration_and_group(clients, "enrolled", "duration_days")
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

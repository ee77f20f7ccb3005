"""The dataset contract: every rule, fed a damaged file, names its file, line, column and rule."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import cell, edit_csv
from evaluation import DatasetError, load_dataset
from evaluation.paths import DEFAULT_DATASET


def test_default_dataset_loads_with_derived_columns():
    ds = load_dataset(DEFAULT_DATASET)
    assert len(ds.clients) == 150
    assert ds.synthetic is True
    row = ds.clients.iloc[0]
    # duration_days is exit_date - enrolled in days, worked out by hand from clients.csv line 2
    enrolled = pd.Timestamp(cell(DEFAULT_DATASET / "clients.csv", 2, "enrolled"))
    exited = pd.Timestamp(cell(DEFAULT_DATASET / "clients.csv", 2, "exit_date"))
    assert row["duration_days"] == (exited - enrolled).days
    assert set(ds.clients["outcome_group"]) <= {"employment", "activation", "retirement", "other", "censored"}
    assert ds.clients.loc[ds.clients["outcome"] == "work_trial", "outcome_group"].eq("activation").all()
    assert ds.clients.loc[ds.clients["age_at_entry"] == 24, "age_group"].eq("under_25").all()
    assert ds.clients.loc[ds.clients["age_at_entry"] == 25, "age_group"].eq("25_49").all()
    assert ds.clients.loc[ds.clients["age_at_entry"] == 50, "age_group"].eq("50_plus").all()
    assert str(ds.monthly["month"].iloc[0]) == "2014-01"  # the official series, 2014-01..2020-12


# (file, line, column, bad value, words the rule must contain)
CELL_RULES = [
    ("clients.csv", 5, "client_id", "", "required value is empty"),
    ("clients.csv", 5, "client_id", "#N/A", "required value is empty"),
    ("clients.csv", 6, "enrolled", "NaN", "required value is empty"),
    (
        "clients.csv",
        4,
        "enrolled",
        "10/06/2017",
        "YYYY-MM-DD",
    ),  # day or month first: never guessed (06.10.2017 is read, issue 24)
    ("clients.csv", 4, "enrolled", "43010", "Excel serial"),
    ("clients.csv", 7, "enrolled", "2015-01-01", "within the study period"),
    ("clients.csv", 3, "exit_date", "2016-06-02", "on or after enrolled"),
    ("clients.csv", 3, "exit_date", "2019-06-30", "on or before study_end"),
    ("clients.csv", 6, "outcome", "employed", "must be one of"),
    ("clients.csv", 8, "age_at_entry", "71", "between 15 and 70"),
    ("clients.csv", 8, "age_at_entry", "forty", "whole number"),
    ("clients.csv", 9, "sex", "female", "must be one of: F, M, X"),
    ("clients.csv", 10, "long_term_unemployed", "maybe", "true/false/1/0/kyllä/ei"),
    ("clients.csv", 11, "education_level", "phd", "must be one of"),
    ("placements.csv", 2, "placement_id", "P0003", "must be unique"),
    ("placements.csv", 3, "sector", "church", "must be one of: company, association"),
    ("placements.csv", 4, "end", "2016-01-01", "on or after start"),
    ("placements.csv", 5, "subsidy_eur", "-5", "at least 0"),
    ("placements.csv", 5, "subsidy_eur", "lots", "must be a number"),
    ("placements.csv", 6, "client_id", "S9999", "client_id of a client in clients.csv"),
    ("placements.csv", 7, "continued", "perhaps", "true/false"),
    ("monthly.csv", 4, "month", "2016/08", "YYYY-MM"),
    ("monthly.csv", 5, "month", "2016-10", "must be unique"),
    ("monthly.csv", 6, "unemployed", "-1", "at least 0"),
    ("monthly.csv", 7, "activation_rate", "101", "between 0 and 100"),
    ("monthly.csv", 8, "source", "guess", "published, official, synthetic"),
]


@pytest.mark.parametrize("file,line,column,value,rule", CELL_RULES)
def test_each_cell_rule_names_file_line_column_and_rule(dataset_copy, file, line, column, value, rule):
    edit_csv(dataset_copy / file, line, column, value)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    hits = [
        v for v in info.value.violations if v.file == file and v.line == line and v.column == column and rule in v.rule
    ]
    assert hits, f"no violation at {file}:{line}:{column} with {rule!r}; got {info.value.violations}"
    assert f"{file}, line {line}, column {column}" in str(info.value)
    assert rule in str(info.value)


def test_duplicate_client_id_names_both_lines(dataset_copy):
    edit_csv(dataset_copy / "clients.csv", 3, "client_id", cell(dataset_copy / "clients.csv", 2, "client_id"))
    # placements may refer to the renamed client; only the uniqueness rule matters here
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    lines = {v.line for v in info.value.violations if "unique" in v.rule}
    assert {2, 3} <= lines


def test_non_consecutive_months_name_the_gap(dataset_copy):
    path = dataset_copy / "monthly.csv"
    lines = path.read_text().splitlines()
    del lines[5]  # drop the month on line 6 (2014-05)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    (v,) = [v for v in info.value.violations if "consecutive" in v.rule]
    assert (v.file, v.line, v.column) == ("monthly.csv", 6, "month")
    assert "2014-04 is followed by 2014-06" in v.rule


def test_missing_required_column_is_reported_on_the_header_line(dataset_copy):
    frame = pd.read_csv(dataset_copy / "clients.csv", dtype=str).drop(columns=["outcome"])
    frame.to_csv(dataset_copy / "clients.csv", index=False)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    (v,) = info.value.violations
    assert (v.file, v.line, v.column) == ("clients.csv", 1, "outcome")
    assert "required column is missing" in v.rule


def test_optional_columns_may_be_absent_and_extra_columns_are_kept(dataset_copy):
    frame = pd.read_csv(dataset_copy / "clients.csv", dtype=str)
    frame = frame.drop(columns=["age_at_entry", "sex", "education_level"])
    frame["municipality_note"] = "x"
    frame.to_csv(dataset_copy / "clients.csv", index=False)
    ds = load_dataset(dataset_copy)
    assert "age_at_entry" not in ds.clients.columns and "age_group" not in ds.clients.columns
    assert ds.clients["municipality_note"].eq("x").all()


def test_wrong_number_of_cells(dataset_copy):
    path = dataset_copy / "clients.csv"
    lines = path.read_text().splitlines()
    lines[3] += ",surplus"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    (v,) = info.value.violations
    assert v.line == 4 and "cells but the header has" in v.rule


@pytest.mark.parametrize("content,rule", [(b"", "the file is empty"), (None, "has no data rows")])
def test_empty_and_header_only_files(dataset_copy, content, rule):
    path = dataset_copy / "clients.csv"
    if content is None:
        content = path.read_bytes().splitlines()[0] + b"\n"
    path.write_bytes(content)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    assert any(v.file == "clients.csv" and rule in v.rule for v in info.value.violations)


def test_missing_table_and_missing_folder(dataset_copy, tmp_path):
    (dataset_copy / "monthly.csv").unlink()
    with pytest.raises(DatasetError, match="expected monthly.csv or monthly.parquet"):
        load_dataset(dataset_copy)
    with pytest.raises(DatasetError, match="is not a folder"):
        load_dataset(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "key,value,rule",
    [
        ("language", "sv", "must be fi or en"),
        ("synthetic", "'maybe'", "must be true or false"),
        ("municipality_code", "'Haapavesi'", "must be a municipality code"),
        ("municipality_code", "1071", "must be a municipality code"),
        ("study_start", "'1.6.2016'", "YYYY-MM-DD"),
        ("name", "''", "required key is missing or empty"),
    ],
)
def test_dataset_yaml_rules(dataset_copy, key, value, rule):
    path = dataset_copy / "dataset.yaml"
    lines = [
        f"{key}: {value}" if line.startswith(f"{key}:") else line
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    assert any(v.file == "dataset.yaml" and v.column == key and rule in v.rule for v in info.value.violations)


@pytest.mark.parametrize("written", ["071", "'071'", "71", "KU071", "'KU071'"])
def test_municipality_code_is_read_as_written(dataset_copy, written):
    """Issue 13: an unquoted 071 is the octal number 57 to a YAML reader."""
    path = dataset_copy / "dataset.yaml"
    lines = [
        f"municipality_code: {written}" if line.startswith("municipality_code:") else line
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_dataset(dataset_copy).meta["municipality_code"] == "071"


def test_finnish_excel_export_semicolons_decimal_commas_bom_cp1252(dataset_copy):
    reference = load_dataset(dataset_copy)
    for name, encoding in (("placements.csv", "utf-8-sig"), ("monthly.csv", "cp1252")):
        frame = pd.read_csv(dataset_copy / name, dtype=str)
        for column in ("subsidy_eur", "activation_rate"):
            if column in frame:
                frame[column] = frame[column].str.replace(".", ",", regex=False)
        if name == "monthly.csv":
            frame["note"] = "kesä"  # ä is one byte in Windows-1252
        text = frame.to_csv(index=False, sep=";")
        (dataset_copy / name).write_bytes(text.encode(encoding))
    ds = load_dataset(dataset_copy)
    pd.testing.assert_series_equal(ds.placements["subsidy_eur"], reference.placements["subsidy_eur"])
    pd.testing.assert_series_equal(ds.monthly["activation_rate"], reference.monthly["activation_rate"])
    assert ds.monthly["note"].eq("kesä").all()


def test_stray_whitespace_and_finnish_booleans(dataset_copy):
    edit_csv(dataset_copy / "clients.csv", 2, "long_term_unemployed", " kyllä ")
    edit_csv(dataset_copy / "clients.csv", 3, "long_term_unemployed", "EI")
    edit_csv(dataset_copy / "clients.csv", 4, "age_at_entry", " 33 ")
    ds = load_dataset(dataset_copy)
    assert ds.clients.loc[0, "long_term_unemployed"] is True or ds.clients.loc[0, "long_term_unemployed"] == True  # noqa: E712
    assert not ds.clients.loc[1, "long_term_unemployed"]
    assert ds.clients.loc[2, "age_at_entry"] == 33


def test_parquet_tables_are_read_and_lines_counted(dataset_copy):
    frame = pd.read_csv(dataset_copy / "clients.csv", dtype=str)
    frame.loc[2, "outcome"] = "hired"
    (dataset_copy / "clients.csv").unlink()
    frame.to_parquet(dataset_copy / "clients.parquet")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    (v,) = info.value.violations
    assert (v.file, v.line, v.column, v.value) == ("clients.parquet", 4, "outcome", "hired")


def test_typed_parquet_loads_exactly_as_the_csv(tmp_path):
    """Typed Parquet columns (dates, integers, decimals, flags) skip the text conversion; the
    loaded Dataset is the same, value for value and type for type, as from the CSV files."""
    from evaluation.synthetic import synthesize, write_dataset

    tables = synthesize(seed=3, n_clients=400)
    csv = load_dataset(write_dataset(tables, tmp_path / "csv"))
    parquet = load_dataset(write_dataset(tables, tmp_path / "pq", format="parquet"))
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == [
        "clients.parquet",
        "comparison.parquet",
        "dataset.yaml",
        "monthly.parquet",
        "placements.parquet",
    ]
    for name in ("clients", "placements", "monthly"):
        pd.testing.assert_frame_equal(getattr(parquet, name), getattr(csv, name))


def test_typed_parquet_values_still_meet_the_rules(tmp_path):
    """A typed date out of range, a missing required date and a duplicate id are reported with
    file, line and column, as from a CSV."""
    from evaluation.synthetic import synthesize, write_dataset

    tables = synthesize(seed=3, n_clients=50)
    clients = tables["clients"]
    clients.loc[0, "enrolled"] = pd.Timestamp("1850-01-01")
    clients.loc[1, "exit_date"] = pd.NaT
    clients.loc[3, "client_id"] = clients.loc[2, "client_id"]
    folder = write_dataset(tables, tmp_path / "pq", format="parquet")
    with pytest.raises(DatasetError) as info:
        load_dataset(folder)
    found = {(v.file, v.line, v.column) for v in info.value.violations}
    assert ("clients.parquet", 2, "enrolled") in found
    assert ("clients.parquet", 3, "exit_date") in found
    assert {("clients.parquet", 4, "client_id"), ("clients.parquet", 5, "client_id")} <= found


def test_many_violations_are_capped_with_a_count(dataset_copy):
    path = dataset_copy / "clients.csv"
    for line in range(2, 52):
        edit_csv(path, line, "sex", "?")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    assert len(info.value.violations) == 50
    assert "and 20 more problems" in str(info.value)


def test_large_loads_report_their_steps_small_ones_stay_quiet(capsys, monkeypatch):
    """A register above PROGRESS_BYTES reports each loading step on stderr (a long load in
    JupyterLab is not a silent minute); the default dataset prints nothing (notebook outputs
    stay as committed)."""
    import evaluation.dataset.load as dataset_module

    load_dataset(DEFAULT_DATASET)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(dataset_module, "PROGRESS_BYTES", 1000)
    load_dataset(DEFAULT_DATASET)
    err = capsys.readouterr().err
    for step in (
        "reading clients.csv",
        "checking identifiers and types in placements.csv",
        "checking the value rules",
        "checking the links between tables",
    ):
        assert step in err
    assert "loading the dataset: done (10/10" in err  # with the comparison table: two steps more

"""The comparison table (issue 25): one row per unemployment spell of a non-client.

Every rule is fed a small hand-written ``comparison.csv`` beside a copy of the default dataset;
each expected number is worked out by hand in the test.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_real
from evaluation import DatasetError, load_dataset
from evaluation.paths import DEFAULT_DATASET
from evaluation.privacy import DisclosureControl
from evaluation.provenance import inputs_digest

VALID_HETU = "131052-308T"  # the Population Register Centre's example code (tests/test_privacy.py)

HEADER = (
    "person_id,unemployed_since,exit_date,outcome,municipality_code,sex,age_at_spell_start,"
    "health_limitations,education_level,months_employed_3y"
)
# line 2..5 of comparison.csv; P1's second spell starts on the day the first ended (allowed)
ROWS = [
    "P1,2016-01-04,2016-05-02,employed_open,071,F,34,false,basic,12",
    "P1,2016-05-02,2016-09-01,censored,071,F,34,false,basic,10",
    "P2,2017-02-01,2017-12-31,retired,071,M,60,true,tertiary,",
    "P3,2018-03-01,2018-06-15,work_trial,,X,,,,",
]


def without_comparison(folder):
    """``folder`` (a copy of the default dataset) without a comparison table: the default
    dataset may carry one (and ``sources: {comparison: synthetic}``); these tests write their own."""
    for name in ("comparison.csv", "comparison.parquet"):
        (folder / name).unlink(missing_ok=True)
    path = folder / "dataset.yaml"
    kept, block = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith(" "):
            block = line.split(":")[0]
        if not (block == "sources" and line.startswith("  comparison:")):
            kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def dataset_copy(dataset_copy):
    """conftest's copy of the default dataset, without its comparison table."""
    return without_comparison(dataset_copy)


def write_comparison(folder, rows=ROWS, header=HEADER, name="comparison.csv"):
    (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


def set_cell(rows, line, column, value):
    """``rows`` with the cell of file line ``line`` (header is line 1) in ``column`` set."""
    rows = list(rows)
    cells = rows[line - 2].split(",")
    cells[HEADER.split(",").index(column)] = value
    rows[line - 2] = ",".join(cells)
    return rows


def set_meta(folder, old, new):
    path = folder / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def violations(folder):
    with pytest.raises(DatasetError) as info:
        load_dataset(folder)
    return info.value


# --------------------------------------------------------------------------- loading
def test_a_dataset_without_the_table_loads_as_before(dataset_copy):
    ds = load_dataset(dataset_copy)
    assert ds.comparison is None and not ds.has_comparison
    assert list(ds.sources) == ["clients", "placements", "monthly"]
    assert "comparison.csv" not in ds.files and set(ds.files) == {"clients", "placements", "monthly"}
    # a comparison register is real data unless dataset.yaml says it is synthetic
    assert ds.is_synthetic("comparison") is False
    assert ds.personal_data is False and DisclosureControl.for_dataset(ds).active is False
    with pytest.raises(KeyError, match="not a table of the contract"):
        ds.is_synthetic("persons")


def test_the_table_loads_typed_with_spell_days_and_outcome_group(dataset_copy):
    ds = load_dataset(write_comparison(dataset_copy))
    c = ds.comparison
    assert ds.has_comparison and len(c) == 4
    assert ds.files["comparison"].name == "comparison.csv"
    # by hand: 2016-01-04 -> 2016-05-02 is 27 (rest of January) + 29 (February 2016, a leap
    # year) + 31 + 30 + 2 = 119 days; 2016-05-02 -> 2016-09-01 is 29 + 30 + 31 + 31 + 1 = 122;
    # 2017-02-01 -> 2017-12-31 is 364 - 31 = 333; 2018-03-01 -> 2018-06-15 is 30 + 30 + 31 + 15 = 106
    assert c["spell_days"].tolist() == [119, 122, 333, 106]
    assert c["outcome_group"].tolist() == ["employment", "censored", "retirement", "activation"]
    assert c["person_id"].tolist() == ["P1", "P1", "P2", "P3"]
    assert str(c["unemployed_since"].dtype) == "datetime64[ns]" and str(c["exit_date"].dtype) == "datetime64[ns]"
    assert str(c["age_at_spell_start"].dtype) == "Int64" and str(c["months_employed_3y"].dtype) == "Int64"
    assert str(c["health_limitations"].dtype) == "boolean"
    assert c["municipality_code"].iloc[0] == "071" and pd.isna(c["municipality_code"].iloc[3])
    assert pd.isna(c["months_employed_3y"].iloc[2]) and c["months_employed_3y"].iloc[0] == 12
    # no sources.comparison in the default dataset.yaml: a register, so disclosure control is on
    assert ds.sources["comparison"] == "register" and not ds.is_synthetic("comparison")
    assert ds.personal_data and DisclosureControl.for_dataset(ds).active


def test_a_synthetic_comparison_is_declared_in_sources(dataset_copy):
    set_meta(dataset_copy, "  monthly: official", "  monthly: official\n  comparison: synthetic")
    ds = load_dataset(write_comparison(dataset_copy))
    assert ds.sources["comparison"] == "synthetic" and ds.is_synthetic("comparison")
    assert not ds.personal_data and not DisclosureControl.for_dataset(ds).active


def test_only_the_required_columns(dataset_copy):
    rows = [",".join(r.split(",")[:4]) for r in ROWS]
    ds = load_dataset(write_comparison(dataset_copy, rows, "person_id,unemployed_since,exit_date,outcome"))
    assert list(ds.comparison.columns) == [
        "person_id",
        "unemployed_since",
        "exit_date",
        "outcome",
        "spell_days",
        "outcome_group",
    ]


def test_clients_gain_unemployed_since_and_months_employed(dataset_copy):
    path = dataset_copy / "clients.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["unemployed_since"] = frame["enrolled"]  # equal to enrolled: allowed (<=)
    frame.loc[1, "unemployed_since"] = "1.1.2015"  # Finnish form, long before enrolment
    frame["months_employed_3y"] = "36"
    frame.loc[2, "months_employed_3y"] = ""
    frame.to_csv(path, index=False)
    ds = load_dataset(dataset_copy)
    assert ds.clients["unemployed_since"].iloc[1] == pd.Timestamp("2015-01-01")
    assert (ds.clients["unemployed_since"].iloc[[0, 2]] == ds.clients["enrolled"].iloc[[0, 2]]).all()
    assert ds.clients["months_employed_3y"].iloc[0] == 36 and pd.isna(ds.clients["months_employed_3y"].iloc[2])


# --------------------------------------------------------------------------- cell rules
# (line, column, value written, value reported, the rule's words); lines of the file above.
# A typed value is reported as typed (71, a whole number), a cell that is not of the type as written.
CELL_RULES = [
    (3, "person_id", "", None, "required value is empty"),
    (4, "unemployed_since", "31/01/2017", "31/01/2017", "YYYY-MM-DD"),
    (4, "exit_date", "", None, "required value is empty"),
    (4, "outcome", "employed", "employed", "must be one of: employed_open, employed_subsidised"),
    (2, "municipality_code", "71", "71", "three digits"),
    (2, "sex", "female", "female", "must be one of: F, M, X"),
    (2, "age_at_spell_start", "71", 71, "must be between 15 and 70"),
    (3, "age_at_spell_start", "14", 14, "must be between 15 and 70"),
    (3, "age_at_spell_start", "forty", "forty", "must be a whole number"),
    (4, "health_limitations", "maybe", "maybe", "must be one of true/false/1/0/kyllä/ei"),
    (5, "education_level", "phd", "phd", "must be one of: basic, upper_secondary, tertiary, unknown"),
    (2, "months_employed_3y", "37", 37, "must be between 0 and 36"),
    (3, "months_employed_3y", "-1", -1, "must be between 0 and 36"),
]


@pytest.mark.parametrize("line,column,value,reported,rule", CELL_RULES)
def test_each_cell_rule_names_file_line_column_and_rule(dataset_copy, line, column, value, reported, rule):
    write_comparison(dataset_copy, set_cell(ROWS, line, column, value))
    err = violations(dataset_copy)
    (v,) = err.violations
    assert (v.file, v.line, v.column, v.value) == ("comparison.csv", line, column, reported)
    assert rule in v.rule
    shown = "" if reported is None else f": value {reported!r}"
    assert f"comparison.csv, line {line}, column {column}{shown} — {v.rule}" in str(err)


def test_exit_before_start(dataset_copy):
    err = violations(write_comparison(dataset_copy, set_cell(ROWS, 4, "exit_date", "2017-01-31")))
    (v,) = err.violations
    assert str(v) == (
        "comparison.csv, line 4, column exit_date: value '2017-01-31' — exit_date must be on or after unemployed_since"
    )


def test_an_identity_code_as_person_id_is_refused_without_echoing_it(dataset_copy):
    err = violations(write_comparison(dataset_copy, set_cell(ROWS, 4, "person_id", VALID_HETU)))
    (v,) = err.violations
    assert (v.file, v.line, v.column, v.value) == ("comparison.csv", 4, "person_id", None)
    assert "1 valid Finnish personal identity code(s)" in v.rule and "person_id in comparison.csv" in v.rule
    assert VALID_HETU not in str(err)


# --------------------------------------------------------------------------- spells of one person
def test_overlapping_spells_name_both_lines(dataset_copy):
    # P1's second spell (line 3) starts 2016-04-01, before the first (line 2) ends on 2016-05-02
    err = violations(write_comparison(dataset_copy, set_cell(ROWS, 3, "unemployed_since", "2016-04-01")))
    (v,) = err.violations
    assert str(v) == (
        "comparison.csv, line 3, column unemployed_since: value '2016-04-01' — one person's spells must "
        "not overlap: this spell starts before the spell on line 2 (same person_id) ends on 2016-05-02; "
        "a spell may start on the day the previous one ended. Correct the dates or merge the spells"
    )


def test_overlap_is_found_whatever_the_file_order(dataset_copy):
    # the later-starting spell written first: the report names it (line 2), the earlier spell line 3
    rows = [set_cell(ROWS, 3, "unemployed_since", "2016-04-01")[1], ROWS[0], *ROWS[2:]]
    (v,) = violations(write_comparison(dataset_copy, rows)).violations
    assert (v.line, v.column, v.value) == (2, "unemployed_since", "2016-04-01")
    assert "the spell on line 3 (same person_id) ends on 2016-05-02" in v.rule


def test_a_spell_inside_a_long_one_is_found_past_a_short_one(dataset_copy):
    # Q: A 2016-01-01..2017-01-01 (line 2), B 2016-02-01..2016-03-01 (line 3), C 2016-06-01..
    # 2016-07-01 (line 4). B and C both start inside A; C does not overlap B, the row before it.
    rows = [
        "Q,2016-01-01,2017-01-01,censored,,,,,,",
        "Q,2016-02-01,2016-03-01,censored,,,,,,",
        "Q,2016-06-01,2016-07-01,censored,,,,,,",
        "R,2016-02-01,2016-03-01,censored,,,,,,",  # another person, same dates: no overlap
    ]
    found = violations(write_comparison(dataset_copy, rows)).violations
    assert [(v.line, v.column) for v in found] == [(3, "unemployed_since"), (4, "unemployed_since")]
    assert all("the spell on line 2 (same person_id) ends on 2017-01-01" in v.rule for v in found)


def test_duplicate_spell_key_names_the_first_line_and_is_not_also_an_overlap(dataset_copy):
    rows = set_cell(ROWS, 3, "unemployed_since", "2016-01-04")  # P1 twice from 2016-01-04
    (v,) = violations(write_comparison(dataset_copy, rows)).violations
    assert str(v) == (
        "comparison.csv, line 3, column unemployed_since: value '2016-01-04' — (person_id, unemployed_since) "
        "must be unique: line 2 is the same person's spell with the same start; write each spell once"
    )


def test_person_id_may_repeat_over_spells_that_do_not_overlap(dataset_copy):
    rows = [*ROWS, "P2,2018-01-02,2018-02-01,censored,,,,,,", "P2,2016-03-01,2017-02-01,other_exit,,,,,,"]
    ds = load_dataset(write_comparison(dataset_copy, rows))  # P2: 2016-03..2017-02-01, then 2017-02-01.., then 2018
    assert ds.comparison["person_id"].tolist().count("P2") == 3


def test_unemployed_since_after_enrolled_is_refused(dataset_copy):
    path = dataset_copy / "clients.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["unemployed_since"] = frame["enrolled"]
    enrolled = dt.date.fromisoformat(frame.loc[3, "enrolled"])
    frame.loc[3, "unemployed_since"] = str(enrolled + dt.timedelta(days=1))  # line 5
    frame["months_employed_3y"] = "0"
    frame.loc[6, "months_employed_3y"] = "37"  # line 8
    frame.to_csv(path, index=False)
    found = violations(dataset_copy).violations
    assert [(v.file, v.line, v.column) for v in found] == [
        ("clients.csv", 5, "unemployed_since"),
        ("clients.csv", 8, "months_employed_3y"),
    ]
    assert found[0].value == str(enrolled + dt.timedelta(days=1))
    assert found[0].rule.startswith("unemployed_since must be on or before enrolled")
    assert found[1].rule == "must be between 0 and 36"


def test_every_problem_at_once_in_line_order(dataset_copy):
    rows = set_cell(ROWS, 5, "sex", "female")
    rows = set_cell(rows, 2, "months_employed_3y", "40")
    rows = set_cell(rows, 4, "exit_date", "2017-01-01")
    rows = set_cell(rows, 3, "unemployed_since", "2016-05-01")  # overlaps line 2 by one day
    err = violations(write_comparison(dataset_copy, rows))
    # the value rules in line order, then the spells' rule (as the tables' links come after cells)
    assert [(v.line, v.column) for v in err.violations] == [
        (2, "months_employed_3y"),
        (4, "exit_date"),
        (5, "sex"),
        (3, "unemployed_since"),
    ]
    assert "(4 problems)" in str(err)


def test_header_only_and_missing_column(dataset_copy):
    write_comparison(dataset_copy, [])
    (v,) = violations(dataset_copy).violations
    assert (v.file, v.line) == ("comparison.csv", None) and "has no data rows: at least 1 needed" in v.rule
    rows = [r.split(",", 1)[1] for r in ROWS]
    write_comparison(dataset_copy, rows, HEADER.split(",", 1)[1])
    (v,) = violations(dataset_copy).violations
    assert (v.line, v.column) == (1, "person_id") and "required column is missing" in v.rule


# --------------------------------------------------------------------------- formats
def test_parquet_equals_csv(dataset_copy):
    reference = load_dataset(write_comparison(dataset_copy)).comparison
    text = pd.read_csv(dataset_copy / "comparison.csv", dtype=str, keep_default_na=False)
    (dataset_copy / "comparison.csv").unlink()
    # typed as a register's export writes it: dates as dates, whole numbers as integers
    typed = text.copy()
    for column in ("unemployed_since", "exit_date"):
        typed[column] = pd.to_datetime(typed[column]).dt.date
    typed["age_at_spell_start"] = pd.to_numeric(typed["age_at_spell_start"]).astype("Int64")
    typed["months_employed_3y"] = pd.to_numeric(typed["months_employed_3y"]).astype("Int64")
    typed["health_limitations"] = typed["health_limitations"].map({"true": True, "false": False}).astype("boolean")
    for frame in (text, typed):
        frame.to_parquet(dataset_copy / "comparison.parquet", index=False)
        ds = load_dataset(dataset_copy)
        assert ds.files["comparison"].name == "comparison.parquet"
        pd.testing.assert_frame_equal(ds.comparison, reference)


def test_a_finnish_excel_export_equals_csv(dataset_copy):
    reference = load_dataset(write_comparison(dataset_copy)).comparison
    finnish = []
    for row in ROWS:
        cells = row.split(",")
        for i in (1, 2):
            d = dt.date.fromisoformat(cells[i])
            cells[i] = f"{d.day}.{d.month}.{d.year}"
        cells[7] = {"true": "kyllä", "false": "ei"}.get(cells[7], cells[7])
        finnish.append(";".join(cells))
    text = "\n".join([HEADER.replace(",", ";"), *finnish]) + "\n"
    (dataset_copy / "comparison.csv").write_bytes(text.encode("cp1252"))
    pd.testing.assert_frame_equal(load_dataset(dataset_copy).comparison, reference)


# --------------------------------------------------------------------------- privacy
def test_extra_columns_of_a_register_are_left_out(dataset_copy):
    rows = [r + ",free text" for r in ROWS]
    write_comparison(dataset_copy, rows, HEADER + ",note")
    ds = load_dataset(dataset_copy)  # a synthetic dataset, but the comparison is a register
    assert "note" not in ds.comparison.columns
    assert any(n.startswith("comparison.csv: column(s) note are not part of the contract") for n in ds.notes)
    set_meta(dataset_copy, "  monthly: official", "  monthly: official\n  comparison: synthetic")
    assert load_dataset(dataset_copy).comparison["note"].eq("free text").all()


def test_a_real_dataset_cannot_call_its_comparison_synthetic(dataset_copy):
    make_real(write_comparison(dataset_copy))
    set_meta(dataset_copy, "  monthly: official", "  monthly: official\n  comparison: synthetic")
    (v,) = violations(dataset_copy).violations
    assert (v.file, v.column) == ("dataset.yaml", "sources") and "cannot have a synthetic table" in v.rule


def test_the_comparison_is_never_official(dataset_copy):
    set_meta(dataset_copy, "  monthly: official", "  monthly: official\n  comparison: official")
    (v,) = violations(write_comparison(dataset_copy)).violations
    assert (v.file, v.column) == ("dataset.yaml", "sources")
    assert "sources.comparison must be one of synthetic, register" in v.rule


def test_the_inputs_digest_covers_the_comparison(dataset_copy):
    assert "comparison.csv" not in inputs_digest(dataset_copy)
    assert "comparison.csv" in inputs_digest(write_comparison(dataset_copy))


# --------------------------------------------------------------------------- costs in dataset.yaml
def test_costs_are_read(dataset_copy):
    set_meta(
        dataset_copy,
        "language: fi",
        'language: fi\ncosts:\n  total_eur: 512000.5\n  what: "the project\'s total cost"\n  source: "final report p. 3"',
    )
    ds = load_dataset(dataset_copy)
    assert ds.meta["costs"] == {
        "total_eur": 512000.5,
        "what": "the project's total cost",
        "source": "final report p. 3",
    }


@pytest.mark.parametrize(
    "costs,rule",
    [
        ("{total_eur: 0, what: a, source: b}", "costs.total_eur must be a number of euros greater than 0 (found 0)"),
        ("{total_eur: -5, what: a, source: b}", "greater than 0 (found -5)"),
        ("{total_eur: '1000', what: a, source: b}", "greater than 0 (found '1000')"),
        ("{total_eur: true, what: a, source: b}", "greater than 0 (found True)"),
        ("{total_eur: .nan, what: a, source: b}", "greater than 0 (found nan)"),
        ("{total_eur: 1000, source: b}", "costs.what must be non-empty text (found None)"),
        ("{total_eur: 1000, what: a, source: 12}", "costs.source must be non-empty text (found 12)"),
        ("{total_eur: 1000, what: a, source: b, vat: 0}", "costs.vat is not a key of costs"),
        ("1000", "must be a mapping"),
    ],
)
def test_costs_rules(dataset_copy, costs, rule):
    set_meta(dataset_copy, "language: fi", f"language: fi\ncosts: {costs}")
    (v,) = violations(dataset_copy).violations
    assert (v.file, v.column) == ("dataset.yaml", "costs") and rule in v.rule
    assert f"dataset.yaml, key costs — {v.rule}" == str(v)


# --------------------------------------------------------------------------- damage
JUNK = ["", "abc", "2016/01/01", "31.12.2017", "2017-02-30", "43010", "NaN", "-1", "1e400", "071", "P1", "kyllä"]


@pytest.mark.heavy  # 40 damaged comparison tables loaded
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(2, len(ROWS) + 1), st.sampled_from(HEADER.split(",")), st.sampled_from(JUNK)),
        min_size=1,
        max_size=4,
    )
)
def test_a_damaged_comparison_gives_a_dataset_or_one_dataset_error(edits):
    rows = ROWS
    for line, column, value in edits:
        rows = set_cell(rows, line, column, value)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "wassup"
        without_comparison(shutil.copytree(DEFAULT_DATASET, folder))
        try:
            result = load_dataset(write_comparison(folder, rows))
        except DatasetError as exc:
            assert exc.violations
            for v in exc.violations:
                assert v.file == "comparison.csv" and v.rule and 1 <= v.line <= len(ROWS) + 1
        else:
            assert (result.comparison["spell_days"] >= 0).all()
            assert result.comparison["outcome_group"].notna().all()

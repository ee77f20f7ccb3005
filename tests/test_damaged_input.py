"""Property-based: damaged datasets yield a validated Dataset or one DatasetError, nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import Dataset, DatasetError, load_dataset
from evaluation.synthetic import _csv, synthesize

TABLES = synthesize(seed=1, n_clients=40)
BASE = {f"{name}.csv": _csv(TABLES[name]).decode() for name in ("clients", "placements", "monthly")}
import yaml  # noqa: E402

BASE["dataset.yaml"] = yaml.safe_dump(TABLES["meta"], sort_keys=False, allow_unicode=True)
FILES = ["clients.csv", "placements.csv", "monthly.csv"]
JUNK = [
    "",
    " ",
    "abc",
    "2016/01/01",
    "31.12.2017",
    "43010",
    "43010.0",
    "NaN",
    "nan",
    "NA",
    "-1",
    "1e400",
    "ä",
    "kyllä",
    "EI",
    " true ",
    "2017-02-30",
    "2017-13-01",
    "0001-01-01",
    "9999-12-31",
    "1,5",
    "1.5.6",
    "\u00a0",
    "None",
    "null",
    "=SUM(A1)",
    '"',
    "a;b",
    "x,y",
    "2016-06",
    "99999999999999999999",
]


def lines(text):
    return text.split("\n")


@st.composite
def damage(draw):
    files = dict(BASE)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(FILES))
        rows = [r for r in lines(files[name]) if r]
        if not rows:
            continue
        header = rows[0].split(",")
        op = draw(
            st.sampled_from(
                [
                    "cell",
                    "drop_column",
                    "extra_column",
                    "reverse_dates",
                    "duplicate",
                    "empty",
                    "header_only",
                    "whitespace",
                    "semicolons",
                    "truncate_line",
                    "blank_lines",
                ]
            )
        )
        if op == "cell" and len(rows) > 1:
            i = draw(st.integers(1, len(rows) - 1))
            cells = rows[i].split(",")
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(st.sampled_from(JUNK) | st.text(max_size=8))
            rows[i] = ",".join(cells)
        elif op == "drop_column":
            j = draw(st.integers(0, len(header) - 1))
            rows = [",".join(c for k, c in enumerate(r.split(",")) if k != j) for r in rows]
        elif op == "extra_column":
            rows = [rows[0] + ",extra"] + [r + "," + draw(st.sampled_from(JUNK)) for r in rows[1:]]
        elif op == "reverse_dates" and name == "clients.csv" and len(rows) > 1:
            i = draw(st.integers(1, len(rows) - 1))
            cells = rows[i].split(",")
            if len(cells) > 2:  # an earlier damage may have cut the line short
                cells[1], cells[2] = cells[2], cells[1]
                rows[i] = ",".join(cells)
        elif op == "duplicate" and len(rows) > 1:
            rows.append(rows[draw(st.integers(1, len(rows) - 1))])
        elif op == "empty":
            rows = []
        elif op == "header_only":
            rows = rows[:1]
        elif op == "whitespace":
            rows = [",".join(f"  {c} " for c in r.split(",")) for r in rows]
        elif op == "semicolons":
            rows = [r.replace(",", ";").replace(".", ",") for r in rows]
        elif op == "truncate_line" and len(rows) > 1:
            i = draw(st.integers(1, len(rows) - 1))
            rows[i] = rows[i][: draw(st.integers(0, len(rows[i])))]
        elif op == "blank_lines":
            rows = rows[:2] + ["", "  "] + rows[2:]
        files[name] = "\n".join(rows) + ("\n" if rows else "")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return files, encoding


@pytest.mark.heavy  # 60 damaged datasets loaded: ~90 s
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(damage())
def test_damaged_datasets_raise_only_dataset_error(case):
    files, encoding = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, text in files.items():
            (folder / name).write_bytes(text.encode(encoding, errors="replace"))
        try:
            result = load_dataset(folder)
        except DatasetError as exc:
            assert exc.violations
            for v in exc.violations:
                assert v.file and v.rule
        else:
            assert isinstance(result, Dataset)
            assert (result.clients["duration_days"] >= 0).all()


# ---------------------------------------------------------------- issue 17: files Excel writes
def _errors(folder):
    from evaluation import DatasetError, load_dataset

    try:
        load_dataset(folder)
    except DatasetError as exc:
        return exc.violations
    return []


def test_mac_csv_with_cr_line_ends_and_utf16_unicode_text_are_read(dataset_copy):
    from evaluation import load_dataset

    expected = load_dataset(dataset_copy).clients
    text = (dataset_copy / "clients.csv").read_text(encoding="utf-8")
    (dataset_copy / "clients.csv").write_bytes(text.replace("\n", "\r").encode("utf-8"))
    assert load_dataset(dataset_copy).clients.equals(expected)
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab separated, CRLF
    (dataset_copy / "clients.csv").write_bytes(text.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"))
    assert load_dataset(dataset_copy).clients.equals(expected)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "is an Excel workbook (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "Excel 97-2003 workbook"),
        (bytes(range(256)) * 8, "is not a text file"),
    ],
)
def test_binary_files_named_csv_are_named_for_what_they_are(dataset_copy, content, words):
    (dataset_copy / "placements.csv").write_bytes(content)
    (v,) = _errors(dataset_copy)
    assert (v.file, v.line, v.column) == ("placements.csv", None, None)
    assert words in v.rule and "\\x" not in str(v)


def test_one_problem_per_bad_cell_in_line_order(dataset_copy):
    """Issue 17: two exits before enrolment gave 18 problems under wrong columns."""
    from conftest import cell, edit_csv

    path = dataset_copy / "clients.csv"
    for line in (9, 3):
        edit_csv(path, line, "exit_date", "2016-01-01")
    problems = _errors(dataset_copy)
    assert [(v.line, v.column, v.value) for v in problems] == [
        (3, "exit_date", "2016-01-01"),
        (9, "exit_date", "2016-01-01"),
    ]
    assert all(v.rule == "exit_date must be on or after enrolled" for v in problems)
    # 42 enrolments outside the study: 42 problems, lines ascending
    for line in range(2, 44):
        edit_csv(path, line, "enrolled", "2015-01-01")
        edit_csv(path, line, "unemployed_since", "2014-06-01")  # still <= enrolled: one problem a line
        if cell(path, line, "exit_date") < "2015-01-01":
            edit_csv(path, line, "exit_date", "2015-06-01")
        if "unemployed_since" in path.read_text(encoding="utf-8").splitlines()[0].split(","):
            # the spell began on or before enrolment (unemployed_since <= enrolled): only enrolled is wrong
            edit_csv(path, line, "unemployed_since", "2014-06-02")
    problems = _errors(dataset_copy)
    assert [v.line for v in problems] == list(range(2, 44))
    assert {v.column for v in problems} == {"enrolled"}

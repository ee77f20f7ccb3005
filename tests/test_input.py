"""Issue 24, items 18–22: input and parameters, tried as a new user would.

Each test reproduces what a new user met (the referee's words in the docstring) and fails on
the code before the fix.  No kernel starts here: the parameters are refused or read before any
notebook runs, and the escaping is checked with the renderer nbconvert's HTML export uses.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import make_real
from evaluation import DatasetError, load_dataset
from evaluation.cli import _parameters, build_parser
from evaluation.dataset import municipality_code
from evaluation.parameters import parameter_problems
from evaluation.paths import DEFAULT_DATASET, ROOT, STATFIN
from evaluation.runs import RunError, notebook_parameters, notebooks

# What issue 24 added is imported where it is used, so that on the code before it each test
# fails on its own (run this file against that code to see which).

PANEL = STATFIN / "statfin_tyonv_12r5.csv.gz"


def _cli_parameters(*pairs: str) -> dict:
    """The parameters as `python -m evaluation run DATASET --out X -p NAME VALUE ...` reads them."""
    argv = ["run", "DATASET", "--out", "X"]
    for name, value in zip(pairs[::2], pairs[1::2]):
        argv += ["-p", name, value]
    return _parameters(build_parser().parse_args(argv))


# --------------------------------------------------------------------------- item 18
@pytest.mark.parametrize(
    "typed, code", [("535", "535"), ("71", "071"), ("071", "071"), ("KU071", "071"), ("'71'", "071")]
)
def test_a_municipality_code_given_as_a_number_is_a_code(typed, code):
    """Item 18: `-p treated 535` was refused ("must be of type Optional[str] (got int 535)")
    although dataset.yaml reads `71` as Haapavesi.  Read as dataset.yaml reads
    municipality_code (the expected codes written out by hand: 71 -> 071, KU071 -> 071)."""
    from evaluation.runs import prepare_parameters

    paths = notebooks(["04_counterfactual"])
    assert prepare_parameters(_cli_parameters("treated", typed), paths)["treated"] == code


def test_the_parameters_code_reading_is_the_datasets():
    """The runner's reading of `treated` and dataset.yaml's of municipality_code agree on every
    input a researcher might type."""
    from evaluation.parameters import _municipality_code

    for value in [*range(0, 1000), 1000, -1, "KU071", "ku535", " 71 ", "071", "7a", "", True, 7.5]:
        assert _municipality_code(value) == municipality_code(value) or isinstance(value, float), value


def test_a_code_that_is_no_code_is_refused_with_an_example_of_a_code():
    from evaluation.runs import prepare_parameters

    with pytest.raises(RunError) as info:
        prepare_parameters(_cli_parameters("treated", "5355"), notebooks(["04_counterfactual"]))
    message = str(info.value)
    assert "parameter treated" in message and "-p treated 071" in message
    assert '"fi"' not in message  # the example of a language was given for a municipality


def test_every_parameter_refused_for_its_type_gets_an_example_of_its_own_kind():
    """Item 18: every parameter's error gives an example of its own kind, typed as after -p."""
    declared = {
        name: spec["type"]
        for path in notebooks()
        for name, spec in notebook_parameters(path).items()
        if name not in ("dataset", "output_dir")
    }
    wrong = {
        "Optional[str]": [1, 2],
        "str": [1, 2],
        "int": "many",
        "float": "low",
        "bool": "yes",
        "list": 5,
        "Optional[list]": 5,
    }
    for name, kind in declared.items():
        problems = parameter_problems({name: wrong[kind]}, {name: kind})
        assert len(problems) == 1, (name, problems)
        example = re.search(rf"e\.g\. -p {name} (.+)$", problems[0])
        assert example, problems[0]
        # the example itself passes the parameter's checks
        typed = _cli_parameters(name, example.group(1))[name]
        if name == "panel":
            continue  # a path: checked by existence (below)
        assert parameter_problems({name: typed}, {name: kind}) == [], (name, example.group(1))


# --------------------------------------------------------------------------- item 19
def test_a_relative_panel_path_is_taken_from_where_the_command_was_typed(tmp_path, monkeypatch):
    """Item 19: `-p panel data/public/statfin/….csv.gz` was "missing": the kernel runs in
    notebooks/.  A path relative to the folder where the command was typed (here a folder that
    is neither notebooks/ nor the repository) reaches the notebook as that file."""
    from evaluation.runs import prepare_parameters

    (tmp_path / "panels").mkdir()
    shutil.copy(PANEL, tmp_path / "panels" / "mine.csv.gz")
    monkeypatch.chdir(tmp_path)
    paths = notebooks(["04_counterfactual"])
    given = prepare_parameters(_cli_parameters("panel", "panels/mine.csv.gz"), paths)
    assert Path(given["panel"]) == tmp_path / "panels" / "mine.csv.gz"
    # relative to the repository, typed anywhere (as a dataset folder is)
    given = prepare_parameters(_cli_parameters("panel", "data/public/statfin/statfin_tyonv_12r5.csv.gz"), paths)
    assert Path(given["panel"]) == ROOT / "data" / "public" / "statfin" / "statfin_tyonv_12r5.csv.gz"


def test_every_parameter_that_names_a_file_or_folder_is_resolved_as_a_path():
    """A notebook parameter whose comment says it is a file or folder is a path parameter (a
    new one added to a notebook without being declared would again mean notebooks/…)."""
    from evaluation.parameters import PATH_PARAMETERS

    named = {
        name
        for path in notebooks()
        for name, spec in notebook_parameters(path).items()
        if re.search(r"\b(file|folder|path)\b", spec["help"]) and name not in ("dataset", "output_dir")
    }
    assert named == set(PATH_PARAMETERS) == {"panel"}


def test_a_panel_path_found_nowhere_is_refused_before_any_kernel_naming_where_it_was_looked_for(tmp_path, monkeypatch):
    from evaluation.runs import prepare_parameters

    monkeypatch.chdir(tmp_path)
    with pytest.raises(RunError) as info:
        prepare_parameters({"panel": "nowhere/panel.csv.gz"}, notebooks(["01_reproduce_report_figures"]))
    message = str(info.value)
    assert str(tmp_path / "nowhere" / "panel.csv.gz") in message and str(ROOT / "nowhere" / "panel.csv.gz") in message


# --------------------------------------------------------------------------- item 20
def _rewrite_dates(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Rewrite whole date columns of a CSV in another form; returns the original (ISO) table."""
    original = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = original.copy()
    for column, form in columns.items():
        iso = pd.to_datetime(table[column], format="%Y-%m-%d")
        if form == "finnish":  # 31.5.2019: day and month without leading zeros, as Finnish Excel writes
            table[column] = [f"{d.day}.{d.month}.{d.year}" for d in iso]
        elif form == "spreadsheet":  # 2019-05-31 00:00:00
            table[column] = [f"{d:%Y-%m-%d} 00:00:00" for d in iso]
        elif form == "finnish-excel":  # 31.05.2019 0:00
            table[column] = [f"{d:%d.%m.%Y} 0:00" for d in iso]
    table.to_csv(path, index=False)
    return original


@pytest.mark.parametrize("form", ["finnish", "spreadsheet", "finnish-excel"])
def test_a_whole_date_column_in_the_finnish_locale_is_read(dataset_copy, form):
    """Item 20: a whole column exported in the Finnish locale (31.5.2019, or 2019-05-31 00:00:00
    from a spreadsheet) gave thirty identical problems.  These unambiguous forms are read; the
    dates are those the ISO text of the original file says."""
    original = _rewrite_dates(dataset_copy / "clients.csv", {"enrolled": form, "exit_date": form})
    _rewrite_dates(dataset_copy / "placements.csv", {"start": form})
    ds = load_dataset(dataset_copy)
    for column in ("enrolled", "exit_date"):
        assert list(ds.clients[column].dt.strftime("%Y-%m-%d")) == list(original[column])


@pytest.mark.parametrize(
    "written, rule",
    [
        ("31.2.2019", "D.M.YYYY"),  # no such day
        ("2019-05-31 12:30:00", "YYYY-MM-DD"),  # a time of day: reading it as a date would drop it
        ("5/31/2019", "YYYY-MM-DD"),  # month first or day first: ambiguous, never guessed
    ],
)
def test_dates_not_in_a_read_form_are_still_refused(dataset_copy, written, rule):
    from conftest import edit_csv

    edit_csv(dataset_copy / "clients.csv", 3, "enrolled", written)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    [violation] = [v for v in info.value.violations if v.column == "enrolled"]
    assert violation.line == 3 and violation.value == written and rule in violation.rule


def test_a_whole_column_in_a_form_never_read_is_one_problem_with_the_fix(dataset_copy):
    """Item 20: a column-wide pattern is reported once, with the fix, not once per cell."""
    path = dataset_copy / "clients.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table["enrolled"] = [f"{d.month}/{d.day}/{d.year}" for d in pd.to_datetime(table["enrolled"])]  # US Excel
    table.to_csv(path, index=False)
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    [violation] = [v for v in info.value.violations if v.column == "enrolled"]
    assert violation.line == 2 and violation.value == table["enrolled"][0]
    assert f"all {len(table)} values of the column (lines 2..{len(table) + 1})" in violation.rule
    assert "format the whole column as dates YYYY-MM-DD" in violation.rule


def test_a_column_with_a_few_bad_cells_still_names_each(dataset_copy):
    from conftest import edit_csv

    for line in (3, 5):
        edit_csv(dataset_copy / "clients.csv", line, "enrolled", "5/31/2017")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    assert [v.line for v in info.value.violations if v.column == "enrolled"] == [3, 5]


def test_a_million_finnish_dates_parse_in_vectorised_time():
    """The loader handles 1,000,000 rows: the Finnish form is parsed column-wise, not cell by
    cell (a Python loop over a million cells takes several seconds on its own)."""
    from evaluation.dataset.rules import _parse_dates

    days = pd.date_range("1990-01-01", periods=10_000, freq="D")
    text = pd.Series([f"{d.day}.{d.month}.{d.year}" for d in days] * 100, dtype="string[pyarrow]")
    t0 = time.perf_counter()
    values, ok = _parse_dates(text)
    seconds = time.perf_counter() - t0
    assert bool(ok.all()) and (values.iloc[:10_000].to_numpy() == days.to_numpy()).all()
    assert seconds < 10, f"{seconds:.1f} s for a million dates"


# --------------------------------------------------------------------------- item 21
def _with_yaml_line(folder: Path, after: str, line: str) -> int:
    """Insert ``line`` into dataset.yaml after the line starting with ``after``; its line number."""
    path = folder / "dataset.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, text in enumerate(lines) if text.startswith(after)) + 1
    lines.insert(at, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return at + 1


def test_a_misspelt_key_in_a_real_dataset_is_refused_naming_it_the_likely_key_and_the_known_keys(dataset_copy):
    """Item 21: a misspelt optional key (`soruces:`) silently changed what a run did."""
    make_real(dataset_copy)
    line = _with_yaml_line(dataset_copy, "language:", "soruces: {monthly: official}")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    [violation] = [v for v in info.value.violations if v.column == "soruces"]
    assert violation.file == "dataset.yaml" and violation.line == line
    assert "did you mean sources?" in violation.rule
    assert "known keys: name, municipality, municipality_code" in violation.rule and "targets" in violation.rule


def test_a_misspelt_key_in_a_synthetic_dataset_is_named_in_a_warning_and_a_note(dataset_copy):
    from evaluation.dataset import DatasetWarning

    line = _with_yaml_line(dataset_copy, "language:", "soruces: {monthly: official}")
    with pytest.warns(DatasetWarning, match=rf"dataset.yaml, line {line}: key 'soruces' .*did you mean sources\?"):
        ds = load_dataset(dataset_copy)
    assert any("soruces" in note and "known keys" in note for note in ds.notes)


def test_every_dataset_yaml_in_the_repository_has_only_known_keys():
    """The committed datasets (the default and the reference ones) load without a warning
    (warnings are errors here)."""
    folders = [p.parent for p in ROOT.glob("data/**/dataset.yaml")] + [
        p.parent for p in ROOT.glob("tests/**/dataset.yaml")
    ]
    assert DEFAULT_DATASET in folders
    for folder in folders:
        load_dataset(folder)


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("name: &n wassup-synthetic", "municipality: *n", [(1, "the anchor &n"), (2, "the alias *n")]),
        ("name: wassup-synthetic", "municipality: &m Haapavesi", [(2, "the anchor &m")]),
    ],
)
def test_yaml_anchors_and_aliases_are_refused_with_the_line(dataset_copy, first, second, expected):
    """Item 21: refuse YAML anchors and aliases, which no dataset needs."""
    path = dataset_copy / "dataset.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("name:") and lines[1].startswith("municipality:")
    lines[0], lines[1] = first, second
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    found = [(v.file, v.line, v.rule.split(":")[0]) for v in info.value.violations if "anchors and aliases" in v.rule]
    assert found == [("dataset.yaml", line, what) for line, what in expected]


# --------------------------------------------------------------------------- item 22
SCRIPT = "<script>alert(1)</script>"


def _rendered(markdown: str) -> str:
    """Markdown as nbconvert's HTML export renders a text/markdown output."""
    from nbconvert.filters import markdown2html

    return markdown2html(markdown)


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        "Haapavesi [klik](javascript:alert(1))",
        "a_b *c* `d` & <b>e</b>",
        "Ylä-Savo (KU071) #1 | 21,5 %",
        "\\*not emphasis\\*",
    ],
)
def test_markdown_literal_shows_exactly_the_text(text):
    """What a dataset brings reaches Markdown as text: the rendered HTML holds no element of
    its own and reads back as exactly the text."""
    from evaluation.text import markdown_literal

    rendered = _rendered(markdown_literal(text))
    inner = re.fullmatch(r"<p>(.*)</p>\s*", rendered, flags=re.S)
    assert inner, rendered
    assert "<" not in inner.group(1)
    assert html.unescape(inner.group(1)) == text


def test_a_dataset_name_in_the_summarys_markdown_is_shown_not_run(dataset_copy):
    """Item 22: a `<script>` in dataset.yaml ran when notebook 06's exported page was opened
    (its Markdown output); the summary page escaped it."""
    from evaluation.summary import summarise

    meta = load_dataset(DEFAULT_DATASET).meta | {"name": SCRIPT, "municipality": SCRIPT}
    rendered = _rendered(summarise({}, meta, "fi").markdown())
    assert "<script" not in rendered.lower()
    assert html.escape(SCRIPT, quote=False) in rendered


def test_a_panel_typed_relative_to_the_repository_in_a_notebook_is_read(monkeypatch):
    """Item 19 in JupyterLab: the kernel runs in notebooks/, where `panel =
    "data/public/statfin/…"` typed into the parameters cell means the repository's file."""
    from evaluation.official import load_panel

    monkeypatch.chdir(ROOT / "notebooks")
    relative = PANEL.relative_to(ROOT)
    assert not relative.exists()  # not from notebooks/
    assert len(load_panel(file=str(relative)).data) == len(load_panel().data)


def test_every_kind_of_output_a_notebook_makes_is_exported_with_the_datasets_text_as_text(tmp_path):
    """Item 22 through the runner's HTML export (nbconvert's lab template), without a kernel: a
    notebook holding each kind of output the notebooks make from a dataset's text — printed
    lines (notes, trend sentences), an error (a DatasetError's message), a pandas table (notebook
    00's dataset summary), the summary's Markdown (notebook 06) — is exported with no script of
    the dataset's in the page."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from evaluation.describe import dataset_summary
    from evaluation.kernels import to_html
    from evaluation.summary import summarise

    ds = load_dataset(DEFAULT_DATASET)
    ds.meta = ds.meta | {"name": SCRIPT, "municipality": SCRIPT, "description": SCRIPT}
    table = dataset_summary(ds)
    assert SCRIPT in set(table["value"].astype(str))
    outputs = [
        new_output("stream", name="stdout", text=f"note: {SCRIPT}\n"),
        new_output(
            "execute_result", data={"text/html": table._repr_html_(), "text/plain": repr(table)}, execution_count=1
        ),
        new_output(
            "display_data",
            data={
                "text/markdown": summarise({}, ds.meta, "fi").markdown(),
                "text/plain": "<IPython.core.display.Markdown object>",
            },
        ),
        new_output("error", ename="DatasetError", evalue=SCRIPT, traceback=[f"DatasetError: {SCRIPT}"]),
    ]
    notebook = new_notebook(cells=[new_code_cell("ds", outputs=outputs, execution_count=1)])
    path = tmp_path / "page.ipynb"
    nbformat.write(notebook, path)
    to_html(path, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # each output shows it as text


def test_a_problem_of_dataset_yaml_names_its_key_and_says_to_fix_dataset_yaml(dataset_copy):
    make_real(dataset_copy)
    _with_yaml_line(dataset_copy, "language:", "soruces: {monthly: official}")
    with pytest.raises(DatasetError) as info:
        load_dataset(dataset_copy)
    assert ", key soruces — is not a key" in str(info.value)
    assert "Fix dataset.yaml and load again" in str(info.value)


@pytest.mark.parametrize("written, code", [("071", "071"), ("'071'", "071"), ("71", "071"), ("069", "069")])
def test_a_code_in_a_parameters_file_is_read_as_written(tmp_path, written, code):
    """Item 18 in `-f params.yaml`: an unquoted `treated: 071` is the octal number 57 to a YAML
    reader (it became the code 057); read as written, as `-p treated 071` and dataset.yaml are."""
    from evaluation.runs import prepare_parameters

    params = tmp_path / "params.yaml"
    params.write_text(f"treated: {written}\nalpha: 0.1\n", encoding="utf-8")
    parsed = _parameters(build_parser().parse_args(["run", "D", "--out", "X", "-f", str(params)]))
    assert prepare_parameters(parsed, notebooks(["04_counterfactual"])) == {"treated": code, "alpha": 0.1}

"""Static checks of the committed notebooks (nbval, run by `make test`, checks their outputs)."""

from __future__ import annotations

import re

import nbformat
import pytest

from evaluation.kernels import KERNEL_NAME
from evaluation.paths import NOTEBOOKS
from evaluation.runs import notebooks

PATHS = notebooks()


def test_every_notebook_is_numbered_in_order_and_listed_in_the_readme():
    from evaluation.paths import ROOT

    stems = [p.stem for p in PATHS]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", s) for s in stems), stems
    assert [int(s[:2]) for s in stems] == list(range(len(stems))), "numbers run 00, 01, ... without gaps"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [s for s in stems if f"`{s}`" not in readme] == [], "each notebook appears in the README's map"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_exactly_one_parameters_cell_with_a_comment_on_each_parameter(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip() and not ln.startswith("#")]
    for line in lines:
        assert re.match(r"^\w+: \"?[\w\[\], ]+\"? = .+  # \S", line), f"parameter without a type or comment: {line!r}"
    names = [ln.split("=")[0].split(":")[0].strip() for ln in lines]
    assert names[:2] == ["dataset", "output_dir"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_opens_with_title_question_data_and_its_sections_then_parameters(path):
    """What a researcher sees first in JupyterLab: title, the question, the data read, the list of
    sections (the same as the notebook's ``##`` headings, in order), then the parameters cell."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown" and first.startswith(f"# {path.stem[:2]} · ")
    assert re.search(r"^\*\*Question\.\*\* \S.+\?$", first, re.M), "no **Question.** line ending in '?'"
    assert re.search(r"^\*\*Data read\.\*\* .*`\w+\.csv`", first, re.M), "no **Data read.** line naming files"
    listed = re.findall(r"^\d+\. (.+)$", first.split("**Sections.**", 1)[1], re.M)
    headings = [
        re.sub(r"^\d+\.\s*", "", line[3:].strip())
        for c in nb.cells[1:]
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    assert listed == headings and len(headings) >= 4
    assert "parameters" in nb.cells[1].metadata.get("tags", [])


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_kernel_and_no_absolute_paths_or_errors(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    text = path.read_text(encoding="utf-8")
    for marker in ("/work/", "/home/", "/tmp/", "/root/", "C:\\\\"):
        assert marker not in text, f"absolute path {marker} in {path.name}"
    for cell in nb.cells:
        if cell.cell_type == "code":
            for output in cell.outputs:
                assert output.output_type != "error", cell.source
                assert output.get("name") != "stderr", f"stderr in {path.name}: {output.get('text')}"
                assert "<Figure size" not in str(output.get("data", {}).get("text/plain", ""))


def test_notebooks_hold_no_function_definitions():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not re.search(r"^\s*(def|class) ", cell.source, re.M), f"{path.name}: logic belongs in src/"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_papermill_reads_every_parameter_with_its_type_and_help(path):
    from evaluation.runs import notebook_parameters

    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    names = [ln.split(":")[0] for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")]
    inspected = notebook_parameters(path)
    assert list(inspected) == names
    assert all(p["type"] != "None" and p["help"] for p in inspected.values())


#: Notebook parameters that govern what a figure may draw: a figure function with a keyword of
#: that name must be given the notebook's parameter, or its own default overrides the reader's choice.
GOVERNING = ("min_at_risk", "min_cell", "alpha")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_figure_calls_pass_the_parameters_that_govern_them(path):
    """Issue 24 (items 8 and 9): notebook 02 drew its figures with their default ``min_cell`` and
    the Kaplan–Meier figure with its default ``min_at_risk`` too, whatever the parameters cell said.
    Every call of an ``evaluation.figures`` function whose signature has a keyword named like a
    governing parameter of the notebook passes it as ``keyword=keyword``."""
    import ast
    import inspect

    import evaluation.figures as figures

    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    parameters = {ln.split(":")[0] for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")}
    missing = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and callable(getattr(figures, node.func.id, None))
            ):
                continue
            accepted = inspect.signature(getattr(figures, node.func.id)).parameters
            given = {k.arg: k.value for k in node.keywords if k.arg}
            for name in GOVERNING:
                if (
                    name in parameters
                    and name in accepted
                    and not (isinstance(given.get(name), ast.Name) and given[name].id == name)
                ):
                    missing.append(f"{node.func.id}(... {name}={name})")
    assert missing == [], f"{path.name}: pass the notebook's parameters: {missing}"

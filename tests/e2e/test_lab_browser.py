"""End-to-end: every notebook opened and run in JupyterLab in a real (headless) browser.

``make e2e`` runs this file (``make test`` includes it).  It starts JupyterLab exactly as
``make lab`` does (loopback, token, project kernel) on a free port, opens each committed notebook
in Debian's Chromium through Playwright, chooses Run > Run All Cells, and checks that no cell shows
an error and that every figure renders as an image.  A screenshot of each notebook goes to
``reports/screenshots/<notebook>.png`` (git-ignored), also when the notebook fails.  The server
is stopped at the end whatever happened.
"""

from __future__ import annotations

import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from lab_driver import (
    CHROMIUM_ARGS,
    LabServer,
    chromium_path,
    failures,
    kernel_name,
    open_notebook,
    replace_cell_source,
    run_all,
    screenshot,
)

from evaluation.paths import NOTEBOOKS, REPORTS, ROOT

SCREENSHOTS = REPORTS / "screenshots"
WORK = REPORTS / "e2e"  # git-ignored scratch space under the server's root
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def git_status() -> str | None:
    """Tracked changes and untracked, not ignored, files (None outside a git work tree)."""
    try:
        return subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


@pytest.fixture(scope="module")
def status_before() -> str | None:
    return git_status()


@pytest.fixture(scope="module")
def server(tmp_path_factory, status_before):
    lab = LabServer(root=ROOT, workdir=tmp_path_factory.mktemp("jupyterlab")).start()
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


def committed_images(path: Path) -> int:
    """Image outputs the committed (nbval-checked) notebook holds: the figures a run must show."""
    nb = nbformat.read(path, as_version=4)
    return sum(
        1
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if any(m.startswith("image/") for m in o.get("data", {}))
    )


def test_server_listens_on_loopback_with_token_and_project_kernel(server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/contents/notebooks", timeout=10)
    refused.value.close()
    assert refused.value.code == 403  # no token, no access
    listing = server.api("/api/contents/notebooks")
    assert sorted(item["name"] for item in listing["content"] if item["type"] == "notebook") == [
        p.name for p in NOTEBOOK_FILES
    ]
    assert server.api("/api/kernelspecs")["default"] == "wassup-evaluation"
    address = non_loopback_address()
    if address is not None:  # the same port on the machine's own network address: nobody there
        with pytest.raises(OSError):
            socket.create_connection((address, server.port), timeout=3).close()


def non_loopback_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None when it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=[p.stem for p in NOTEBOOK_FILES])
def test_notebook_runs_in_the_browser(server, page, path):
    open_notebook(page, server, f"notebooks/{path.name}")
    assert kernel_name(page) == "Python (wassup-evaluation)"
    cells = run_all(page)
    shot = screenshot(page, SCREENSHOTS / f"{path.stem}.png")
    problems = failures(cells)
    assert not problems, f"{path.name} in JupyterLab (screenshot {shot}):\n" + "\n".join(problems)
    shown = sum(c.images for c in cells)
    assert shown == committed_images(path), (
        f"{path.name}: {shown} figures rendered in the browser, the committed notebook has "
        f"{committed_images(path)} (screenshot {shot})"
    )


FI_MONTHS = (
    "tammikuussa",
    "helmikuussa",
    "maaliskuussa",
    "huhtikuussa",
    "toukokuussa",
    "kesäkuussa",
    "heinäkuussa",
    "elokuussa",
    "syyskuussa",
    "lokakuussa",
    "marraskuussa",
    "joulukuussa",
)
NBSP = "\u00a0"


def finnish_headlines(m: dict) -> list[str]:
    """The headline numbers of metrics.json as a Finnish reader sees them, written out here
    (decimal comma, a non-breaking space before %, months in words), not by the summary's code."""
    pct = lambda share: f"{round(100 * share)}{NBSP}%"  # noqa: E731
    expected = [f"Hankkeessa oli {m['clients.n']} asiakasta"]
    for group in ("employment", "activation", "retirement", "other", "censored"):
        if m.get(f"outcomes.{group}.n") is not None:
            expected.append(f"{m[f'outcomes.{group}.n']} ({pct(m[f'outcomes.{group}.share'])})")
    cif = "cif.employment.365d"
    expected.append(
        f"Vuoden kuluessa heitä oli {round(100 * m[cif])} "
        f"({round(100 * m[cif + '.lower'])}–{round(100 * m[cif + '.upper'])})"
    )
    expected.append(
        f"Palkkatukieuroista {pct(m['sectors.company.subsidy_share'])} meni yrityksiin ja "
        f"{pct(m['sectors.association.subsidy_share'])} yhdistyksiin"
    )
    start, end = (m[f"official.period.{x}"] for x in ("start", "end"))
    expected.append(
        f"oli {m['official.unemployed.start']:.0f} {FI_MONTHS[int(start[5:]) - 1]} {start[:4]} ja "
        f"{m['official.unemployed.end']:.0f} {FI_MONTHS[int(end[5:]) - 1]} {end[:4]}"
    )
    expected.append(f"noin {m['official.trend.country.expected_end']:.0f} työtöntä")
    expected.append(f"p = {m['counterfactual.unemployed.scm.placebo_p']:.2f}".replace(".", ","))
    return expected


def test_the_summary_for_decision_makers_renders_in_the_browser(browser):
    """Notebook 06 ran in JupyterLab just before (the test above; this one stays right after it,
    before any test writes other metrics into reports/interactive) with its default parameters: it
    summarised reports/interactive, where notebooks 00-05 had just recorded their metrics, into
    summary.fi.html.  Chromium opens that page as a decision maker would: no error, every figure
    decoded, each headline number of metrics.json in Finnish format, two A4 pages in print."""
    import json
    import re

    from evaluation.dataset import load_dataset
    from evaluation.paths import DEFAULT_DATASET

    folder = REPORTS / "interactive"
    lang = load_dataset(DEFAULT_DATASET).meta["language"]
    path = folder / f"summary.{lang}.html"
    assert path.is_file(), f"{path} is missing: notebook 06 writes it (test_notebook_runs_in_the_browser)"
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    context = browser.new_context(viewport={"width": 1000, "height": 1400})
    try:
        page = context.new_page()
        errors, fetched = [], []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda req: fetched.append(req.url))
        page.goto(path.as_uri())
        images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        shot = SCREENSHOTS / f"summary.{lang}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        assert not errors, errors
        assert [u for u in fetched if not u.startswith(("file:", "data:"))] == []  # nothing from the network
        figures = [
            name
            for name in (
                "clients_by_outcome",
                "continuation_rate_by_sector",
                "unemployed_indexed_by_area",
                "counterfactual_paths",
            )
            if (folder / "figures" / f"{name}.png").is_file()
        ]
        assert len(images) == len(figures) == 4, (images, figures)
        assert all(complete and width > 0 for complete, width, _ in images), images
        text = page.inner_text("body")
        assert text.startswith(f"{load_dataset(DEFAULT_DATASET).meta['municipality']}: Wassup-hankkeen arviointi")
        assert "Harjoitusaineisto." in text  # the default dataset's clients are synthetic
        missing = [h for h in finnish_headlines(metrics) if h not in text]
        assert not missing, f"not on the page (screenshot {shot}): {missing}"
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        assert 1 <= pages <= 2, f"the summary prints on {pages} A4 pages"
    finally:
        context.close()


def test_a_failing_cell_is_reported_by_position_and_error(server, page):
    """The checks above can fail: a notebook with an error in its second cell is caught."""
    WORK.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("x / 0"),
            nbformat.v4.new_code_cell("print(x)"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "wassup-evaluation",
        "display_name": "Python (wassup-evaluation)",
        "language": "python",
    }
    nbformat.write(nb, WORK / "broken.ipynb")
    open_notebook(page, server, "reports/e2e/broken.ipynb")
    problems = failures(run_all(page))
    assert len(problems) == 2, problems
    assert problems[0].startswith("cell 1 (`x / 0`) shows an error") and "ZeroDivisionError" in problems[0]
    assert problems[1] == "cell 2 (`print(x)`) did not run (prompt [ ]:)"


def test_another_dataset_typed_into_the_parameters_cell(server, page, tmp_path):
    """A researcher edits `dataset` in the parameters cell and runs all cells: same analysis,
    other data (here a 300-client dataset of another town, named relative to the repository)."""
    from conftest import another_municipality

    other = another_municipality(WORK / "oulainen", clients=300)
    open_notebook(page, server, "notebooks/00_dataset_overview.ipynb")
    source = nbformat.read(NOTEBOOKS / "00_dataset_overview.ipynb", as_version=4).cells[1].source
    edited = source.replace(
        'dataset: "Optional[str]" = None', f'dataset: "Optional[str]" = "{other.relative_to(ROOT).as_posix()}"'
    )
    assert edited != source
    replace_cell_source(page, 1, edited)
    cells = run_all(page)
    screenshot(page, SCREENSHOTS / "00_dataset_overview-other-dataset.png")
    assert not failures(cells), failures(cells)
    outputs = "\n".join(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea").all_inner_texts())
    assert "Oulainen (563)" in outputs and "Haapavesi (069)" not in outputs
    assert "300" in outputs


def test_running_the_notebooks_left_the_repository_as_it_was(server, status_before):
    """Runs above wrote only into git-ignored folders (reports/), never into tracked files."""
    if status_before is None:
        pytest.skip("not a git work tree")
    assert git_status() == status_before

"""Running the evaluation's notebooks headlessly with papermill, and recording each run.

A run executes every notebook of ``notebooks/`` in order (or those named) on one dataset.  It
writes into a temporary folder beside the target and moves it into place only when every
notebook succeeded, so a failed or interrupted run never replaces an earlier good one; a failed
run is kept whole at ``<out>.failed`` for inspection.  A run folder holds:

* ``<notebook>.ipynb`` executed (with the error, when it failed) and ``<notebook>.html``;
* ``figures/`` (PNG and SVG) and ``metrics.json`` (every notebook's recorded results);
* ``summary.<lang>.html``: the summary for decision makers (notebook 06, which runs after the others);
* ``run.json``: dataset path, SHA-256 of each input file, parameters, package versions, git
  commit and whether the tree was dirty, start and end times, status and seconds per notebook.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dataset import load_dataset
from .files import NotOurFolder, check_replaceable, make_staging_folder, replace_folder, write_atomic
from .kernels import execute, kernel_name, notebook_parameters, quiet, run_in_place, to_html
from .metrics import METRICS_FILE
from .parameters import PATH_PARAMETERS, normalise_parameters, parameter_problems
from .paths import DEFAULT_DATASET, NOTEBOOKS, ROOT
from .provenance import git_state, sha256, versions

__all__ = [
    "run",
    "RunResult",
    "RunError",
    "notebooks",
    "notebook_parameters",
    "check_output",
    "is_run_folder",
    "prepare_parameters",
    "publish",
    "refresh_notebooks",
    "resolve_path_parameters",
    "RUN_FILE",
    "check_target",
]

# debugpy in the kernel warns on stderr about frozen modules unless told not to validate files
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
RUN_FILE = "run.json"
#: Parameters the runner sets itself for every notebook.
RUNNER_PARAMETERS = ("dataset", "output_dir")


class RunError(RuntimeError):
    """A run cannot start: the message says why and what to do."""


#: What a run writes into its folder; a folder holding anything else is not a run folder.
_RUN_ENTRIES = (".ipynb", ".html", ".json", ".lock")


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` is a run folder this tool wrote: its ``run.json`` is a run record and
    it holds nothing but notebooks, their HTML, JSON records and ``figures/``.  Only such a
    folder (or an empty one) is ever replaced by a new run."""
    try:
        record = json.loads((folder / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or not {"dataset", "notebooks", "status"} <= set(record):
        return False
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            if entry.name != "figures" or any(
                not f.is_file() or f.suffix not in (".png", ".svg") for f in entry.iterdir()
            ):
                return False
        elif entry.suffix not in _RUN_ENTRIES or entry.is_symlink():
            return False
    return True


def check_output(out: Path, datasets: list[Path], what: str = "--out") -> None:
    """Refuse, before anything runs, an output folder that is, contains or lies inside an input
    dataset: replacing it would delete the registers (there is no copy of a real register)."""
    out = out.resolve()
    for folder in datasets:
        folder = folder.resolve()
        if out == folder or folder in out.parents or out in folder.parents:
            relation = "is" if out == folder else "lies inside" if folder in out.parents else "contains"
            raise RunError(
                f"{what} {out} {relation} the input dataset {folder}: a run replaces its "
                f"output folder whole and would delete the dataset. Write runs under reports/, "
                f"e.g. --out reports/{folder.name}"
            )


def check_target(out: Path) -> None:
    try:
        check_replaceable(out, is_run_folder, "a run folder")
    except NotOurFolder as exc:
        raise RunError(str(exc)) from None


def notebooks(only: list[str] | None = None) -> list[Path]:
    """The evaluation's notebooks in run order, or those named in ``only`` (stem or file name)."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return found
    by_name = {p.stem: p for p in found} | {p.name: p for p in found}
    unknown = [n for n in only if n not in by_name]
    if unknown:
        raise RunError(f"unknown notebook(s) {', '.join(unknown)}; known: {', '.join(p.stem for p in found)}")
    return [by_name[n] for n in only]


def _first_error_line(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip().splitlines()
    return f"{ename}: {evalue[0] if evalue else ''}".strip()


@dataclass
class NotebookResult:
    notebook: str
    status: str  # ok, failed
    seconds: float
    error: str | None = None


@dataclass
class RunResult:
    dataset: Path
    out: Path
    status: str  # ok, failed
    notebooks: list[NotebookResult] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def known_parameters(paths: list[Path]) -> dict[str, dict[str, dict[str, Any]]]:
    """Notebook stem -> its parameters."""
    return {p.stem: notebook_parameters(p) for p in paths}


def check_parameters(
    parameters: dict[str, Any], paths: list[Path], known: dict[str, dict[str, dict[str, Any]]] | None = None
) -> None:
    """Refuse a parameter no notebook declares, listing those that exist."""
    known = known if known is not None else known_parameters(paths)
    names = {name for params in known.values() for name in params}
    fixed = [n for n in parameters if n in RUNNER_PARAMETERS]
    if fixed:
        raise RunError(f"parameter(s) {', '.join(fixed)} are set by the runner (DATASET_DIR and --out)")
    unknown = sorted(set(parameters) - names)
    if unknown:
        listing = "; ".join(
            f"{stem}: {', '.join(p for p in params if p not in RUNNER_PARAMETERS)}" for stem, params in known.items()
        )
        raise RunError(f"unknown parameter(s) {', '.join(unknown)}. Known parameters by notebook: {listing}")
    declared = {name: spec["type"] for params in known.values() for name, spec in params.items()}
    problems = parameter_problems(parameters, declared)
    if problems:
        raise RunError(
            "; ".join(problems) + ". Nothing was run (python -m evaluation parameters lists "
            "every parameter with its type)."
        )


def resolve_path_parameters(parameters: dict[str, Any], cwd: Path | None = None) -> dict[str, Any]:
    """``parameters`` with every path parameter (:data:`~evaluation.parameters.PATH_PARAMETERS`)
    made absolute as a dataset folder is: a relative path is taken from ``cwd`` (where the
    command was typed; default the current folder) when it exists there, else from the
    repository root.  The kernels run in ``notebooks/``, where a relative path would mean
    something else.  A path found in neither place is refused, naming both."""
    cwd = Path(cwd) if cwd is not None else Path.cwd()
    resolved = dict(parameters)
    for name in PATH_PARAMETERS:
        value = parameters.get(name)
        if value is None or not isinstance(value, (str, Path)) or str(value) == "":
            continue
        path = Path(value).expanduser()
        if path.is_absolute():
            candidates = [path]
        else:
            candidates = [cwd / path, ROOT / path]
        found = next((c for c in candidates if c.exists()), None)
        if found is None:
            tried = " nor ".join(str(c) for c in dict.fromkeys(candidates))
            raise RunError(
                f"parameter {name}: {value} does not exist (neither {tried}); a relative path is "
                f"taken from the folder where the command is typed, else from the repository "
                f"root {ROOT}. Nothing was run."
            )
        resolved[name] = str(found.resolve())
    return resolved


def prepare_parameters(
    parameters: dict[str, Any], paths: list[Path], known: dict[str, dict[str, dict[str, Any]]] | None = None
) -> dict[str, Any]:
    """The parameters a run passes to its notebooks: each value read as its parameter means it
    (``-p treated 71`` is the code ``"071"``), path parameters resolved where the command was
    typed (:func:`resolve_path_parameters`), then checked (:func:`check_parameters`)."""
    parameters = normalise_parameters(dict(parameters))
    check_parameters(parameters, paths, known)
    return resolve_path_parameters(parameters)


def run(
    dataset_dir: str | Path,
    out: str | Path,
    *,
    only: list[str] | None = None,
    parameters: dict[str, Any] | None = None,
    strict: bool = False,
    workers: int | None = None,
) -> RunResult:
    """Execute the notebooks on one dataset into the run folder ``out``.

    Parameters
    ----------
    dataset_dir : path
        The dataset folder; it is validated before any notebook starts.
    out : path
        The run folder; replaced whole on success, untouched on failure.
    only : list of str, optional
        Notebook names (stems) to run, in the order of ``notebooks/``.
    parameters : dict, optional
        Extra notebook parameters, each passed to the notebooks that declare it.
    strict : bool
        Passed as ``strict=True`` to notebooks that declare it (a missed published target fails).
    workers : int, optional
        Notebooks executed side by side (default :func:`default_workers`); results and
        ``run.json`` list them in the order of ``notebooks/`` whatever finished first.

    Raises
    ------
    DatasetError
        When the dataset breaks the contract (no folder is written).
    RunError
        When the request cannot run (unknown notebook or parameter, privacy rule).
    """
    dataset_dir = Path(dataset_dir).resolve()
    out = Path(out).resolve()
    check_output(out, [dataset_dir])
    check_target(out)
    check_target(out.with_name(out.name + ".failed"))
    paths = notebooks(only)
    parameters = dict(parameters or {})
    if strict:
        parameters["strict"] = True
    declared = known_parameters(paths)
    if parameters:
        parameters = prepare_parameters(parameters, paths, declared)
    dataset = load_dataset(dataset_dir)
    if dataset.personal_data and (out == NOTEBOOKS or NOTEBOOKS in out.parents):
        raise RunError(
            f"{dataset_dir} holds real register data (not marked synthetic, or a table from a "
            f"register): executed notebooks of real data must never be "
            f"written into notebooks/ (it is committed). Write them under reports/ instead."
        )

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_staging_folder(out)
    started = dt.datetime.now(dt.UTC)
    result = RunResult(dataset=dataset_dir, out=out, status="ok")
    record: dict[str, Any] = {
        "dataset": {
            "path": str(dataset_dir),
            "name": dataset.name,
            "synthetic": dataset.synthetic,
            "files": {p.name: sha256(p) for p in [dataset_dir / "dataset.yaml", *dataset.files.values()]},
        },
        "parameters": parameters,
        "notebooks": [],
        "versions": versions(),
        "git": git_state(),
        "started": started.isoformat(timespec="seconds"),
    }
    try:
        kernel = kernel_name()

        def execute_one(path: Path) -> tuple[NotebookResult, dict[str, Any]]:
            names = declared[path.stem]
            params = {k: v for k, v in parameters.items() if k in names}
            params.update(dataset=str(dataset_dir), output_dir=str(tmp))
            nb_out = tmp / path.name
            t0 = time.perf_counter()
            error = None
            try:
                execute(path, nb_out, params, kernel, NOTEBOOKS)
            except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors
                error = _first_error_line(exc)
            seconds = round(time.perf_counter() - t0, 2)
            if nb_out.exists():
                to_html(nb_out, tmp / f"{path.stem}.html")
            status = "failed" if error else "ok"
            return (
                NotebookResult(path.stem, status, seconds, error),
                {"notebook": path.stem, "status": status, "seconds": seconds, "error": error, "parameters": params},
            )

        # The notebooks are independent (each writes its own figures; metrics.json is locked),
        # so they run side by side: papermill only waits on its kernel, so threads suffice.
        # papermill's ``cwd`` is a process-wide chdir that threads restore in any order: the
        # caller's folder is put back when they are done.
        # A notebook that reads the run (the summary reads metrics.json and figures) starts when
        # every other notebook of the run has finished.
        caller_cwd = os.getcwd()
        futures = {}
        try:
            for phase in ([p for p in paths if not reads_the_run(p)], [p for p in paths if reads_the_run(p)]):
                if not phase:
                    continue
                with (
                    quiet(),
                    ThreadPoolExecutor(max_workers=max(1, min(workers or default_workers(), len(phase)))) as pool,
                ):
                    # the longest first (by the earlier run's times), so the last to finish is short
                    futures |= {path: pool.submit(execute_one, path) for path in _longest_first(phase, out)}
                    for path in phase:
                        futures[path].result()
            for path in paths:
                nb_result, entry = futures[path].result()
                result.notebooks.append(nb_result)
                record["notebooks"].append(entry)
        finally:
            os.chdir(caller_cwd)
        (tmp / (METRICS_FILE + ".lock")).unlink(missing_ok=True)
        if any(nb.status != "ok" for nb in result.notebooks):
            result.status = "failed"
            result.error = next(nb.error for nb in result.notebooks if nb.error)
        record["status"] = result.status
        record["ended"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        write_atomic(tmp / RUN_FILE, json.dumps(record, indent=1, default=str) + "\n")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    target = out if result.ok else out.with_name(out.name + ".failed")
    try:
        replace_folder(tmp, target, is_run_folder, "a run folder")
    except NotOurFolder as exc:  # something appeared there while the notebooks ran
        raise RunError(f"{exc} This run's results are kept in {tmp}.") from None
    result.out = target
    return result


def reads_the_run(path: Path) -> bool:
    """Whether a notebook reads what the run's other notebooks wrote (its metadata says
    ``"evaluation": {"reads_the_run": true}``): it then runs after all of them."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return False
    return bool(metadata.get("evaluation", {}).get("reads_the_run", False))


def _longest_first(paths: list[Path], out: Path) -> list[Path]:
    """``paths`` ordered by the seconds each took in the run already in ``out`` (longest
    first; notebooks without an earlier time first of all); the file order without one."""
    try:
        record = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
        seconds = {nb["notebook"]: float(nb["seconds"]) for nb in record["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return list(paths)
    return sorted(paths, key=lambda p: -seconds.get(p.stem, float("inf")))


def default_workers() -> int:
    """Notebooks of one run executed side by side: one per core, at most 2 (the notebooks'
    kernels are single-threaded; more than the cores only adds contention), 1 where there is no
    POSIX file lock for ``metrics.json``."""
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def publish(run_folder: Path, figures: Path, docs: Path) -> list[Path]:
    """Copy a run's figures into ``figures`` (the committed ``figures/``) and its summaries
    (``summary.<lang>.html``) into ``docs``, each file atomically.  The caller makes sure the
    dataset is synthetic: only synthetic outputs are committed."""
    copied = []
    for figure in sorted((run_folder / "figures").glob("*")):
        if figure.suffix in (".png", ".svg"):
            copied.append(write_atomic(figures / figure.name, figure.read_bytes()))
    for summary in sorted(run_folder.glob("summary.*.html")):
        copied.append(write_atomic(docs / summary.name, summary.read_bytes()))
    return copied


def refresh_notebooks(only: list[str] | None = None) -> list[Path]:
    """Re-execute the committed notebooks in place with their default parameters.

    Their stored outputs are what nbval compares against, so they must come from the default
    dataset, which must be synthetic: real data never reach a committed notebook.
    """
    import nbformat

    if load_dataset(DEFAULT_DATASET).personal_data:
        raise RunError(
            f"{DEFAULT_DATASET} is not marked synthetic: committed notebooks carry outputs of synthetic data only"
        )
    done = []
    for path in notebooks(only):
        nb = nbformat.read(path, as_version=4)
        run_in_place(nb, kernel_name(), NOTEBOOKS)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nb.metadata.pop("widgets", None)
        write_atomic(path, nbformat.writes(nb) + "\n")
        done.append(path)
    return done

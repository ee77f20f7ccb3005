"""Running the evaluation's notebooks headlessly with papermill, and recording each run.

A run executes every notebook of ``notebooks/`` in order (or those named) on one dataset.  It
writes into a temporary folder beside the target and moves it into place only when every
notebook succeeded, so a failed or interrupted run never replaces an earlier good one; a failed
run is kept whole at ``<out>.failed`` for inspection.  A run folder holds:

* ``<notebook>.ipynb`` executed (with the error, when it failed) and ``<notebook>.html``;
* ``figures/`` (PNG and SVG) and ``metrics.json`` (every notebook's recorded results);
* ``run.json``: dataset path, SHA-256 of each input file, parameters, package versions, git
  commit and whether the tree was dirty, start and end times, status and seconds per notebook.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .dataset import DatasetError, load_dataset
from .files import NotOurFolder, check_replaceable, make_staging_folder, replace_folder, write_atomic
from .metrics import METRICS_FILE
from .parameters import parameter_problems
from .paths import DEFAULT_DATASET, NOTEBOOKS, ROOT

__all__ = ["run", "batch", "RunResult", "BatchItem", "RunError", "notebooks", "notebook_parameters",
           "publish_figures", "refresh_notebooks"]

# debugpy in the kernel warns on stderr about frozen modules unless told not to validate files
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
KERNEL_NAME = "wassup-evaluation"
RUN_FILE = "run.json"
PACKAGES = ("numpy", "pandas", "scipy", "pandera", "matplotlib", "seaborn", "lifelines",
            "scikit-survival", "statsmodels", "papermill", "nbformat", "nbconvert", "ipykernel")
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
            if entry.name != "figures" or any(not f.is_file() or f.suffix not in (".png", ".svg")
                                              for f in entry.iterdir()):
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
            relation = ("is" if out == folder else "lies inside" if folder in out.parents else "contains")
            raise RunError(f"{what} {out} {relation} the input dataset {folder}: a run replaces its "
                           f"output folder whole and would delete the dataset. Write runs under reports/, "
                           f"e.g. --out reports/{folder.name}")


def _check_target(out: Path) -> None:
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


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """A notebook's parameters as papermill infers them: name -> {type, default, help}."""
    import papermill

    with _quiet():
        inferred = papermill.inspect_notebook(str(path))
    return {name: {"type": p["inferred_type_name"], "default": p["default"], "help": p["help"]}
            for name, p in inferred.items()}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git_state() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else "python3"


@contextlib.contextmanager
def _quiet():
    """Silence papermill's and nbconvert's chatter on the console; errors are still raised."""
    loggers = [logging.getLogger(n) for n in ("papermill", "traitlets", "nbconvert")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def _first_error_line(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip().splitlines()
    return f"{ename}: {evalue[0] if evalue else ''}".strip()


_EXPORTER: dict[str, Any] = {}
_EXPORTER_LOCK = threading.Lock()


def _to_html(notebook: Path, target: Path) -> None:
    """Export an executed notebook as HTML (JupyterLab's look).  One exporter serves the whole
    process (its templates are compiled once: 0.6 s saved per notebook), one export at a time."""
    import nbformat
    from nbconvert import HTMLExporter

    with _EXPORTER_LOCK, _quiet():
        exporter = _EXPORTER.setdefault("lab", HTMLExporter(template_name="lab"))
        body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    write_atomic(target, body)


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


def check_parameters(parameters: dict[str, Any], paths: list[Path],
                     known: dict[str, dict[str, dict[str, Any]]] | None = None) -> None:
    """Refuse a parameter no notebook declares, listing those that exist."""
    known = known if known is not None else known_parameters(paths)
    names = {name for params in known.values() for name in params}
    fixed = [n for n in parameters if n in RUNNER_PARAMETERS]
    if fixed:
        raise RunError(f"parameter(s) {', '.join(fixed)} are set by the runner (DATASET_DIR and --out)")
    unknown = sorted(set(parameters) - names)
    if unknown:
        listing = "; ".join(f"{stem}: {', '.join(p for p in params if p not in RUNNER_PARAMETERS)}"
                            for stem, params in known.items())
        raise RunError(f"unknown parameter(s) {', '.join(unknown)}. Known parameters by notebook: {listing}")
    declared = {name: spec["type"] for params in known.values() for name, spec in params.items()}
    problems = parameter_problems(parameters, declared)
    if problems:
        raise RunError("; ".join(problems) + ". Nothing was run (python -m evaluation parameters lists "
                       "every parameter with its type).")


def run(dataset_dir: str | Path, out: str | Path, *, only: list[str] | None = None,
        parameters: dict[str, Any] | None = None, strict: bool = False,
        workers: int | None = None) -> RunResult:
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
    _check_target(out)
    _check_target(out.with_name(out.name + ".failed"))
    paths = notebooks(only)
    parameters = dict(parameters or {})
    if strict:
        parameters["strict"] = True
    declared = known_parameters(paths)
    if parameters:
        check_parameters(parameters, paths, declared)
    dataset = load_dataset(dataset_dir)
    if not dataset.synthetic and (out == NOTEBOOKS or NOTEBOOKS in out.parents):
        raise RunError(
            f"{dataset_dir} is not marked synthetic: executed notebooks of real data must never be "
            f"written into notebooks/ (it is committed). Write them under reports/ instead.")

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_staging_folder(out)
    started = dt.datetime.now(dt.timezone.utc)
    result = RunResult(dataset=dataset_dir, out=out, status="ok")
    record: dict[str, Any] = {
        "dataset": {"path": str(dataset_dir), "name": dataset.name, "synthetic": dataset.synthetic,
                    "files": {p.name: sha256(p) for p in
                              [dataset_dir / "dataset.yaml", *dataset.files.values()]}},
        "parameters": parameters,
        "notebooks": [],
        "versions": _versions(),
        "git": _git_state(),
        "started": started.isoformat(timespec="seconds"),
    }
    try:
        kernel = _kernel_name()

        def execute(path: Path) -> tuple[NotebookResult, dict[str, Any]]:
            names = declared[path.stem]
            params = {k: v for k, v in parameters.items() if k in names}
            params.update(dataset=str(dataset_dir), output_dir=str(tmp))
            nb_out = tmp / path.name
            t0 = time.perf_counter()
            error = None
            try:
                _execute(path, nb_out, params, kernel)
            except Exception as exc:  # papermill raises PapermillExecutionError and kernel errors
                error = _first_error_line(exc)
            finally:
                _close_thread_event_loop()
            seconds = round(time.perf_counter() - t0, 2)
            if nb_out.exists():
                _to_html(nb_out, tmp / f"{path.stem}.html")
            status = "failed" if error else "ok"
            return (NotebookResult(path.stem, status, seconds, error),
                    {"notebook": path.stem, "status": status, "seconds": seconds, "error": error,
                     "parameters": params})

        # The notebooks are independent (each writes its own figures; metrics.json is locked),
        # so they run side by side: papermill only waits on its kernel, so threads suffice.
        # papermill's ``cwd`` is a process-wide chdir that threads restore in any order: the
        # caller's folder is put back when they are done.
        caller_cwd = os.getcwd()
        try:
            with _quiet(), contextlib.redirect_stderr(io.StringIO()), \
                    ThreadPoolExecutor(max_workers=max(1, min(workers or default_workers(), len(paths)))) as pool:
                # the longest first (by the earlier run's times), so the last to finish is short
                futures = {path: pool.submit(execute, path) for path in _longest_first(paths, out)}
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
        record["ended"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
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


def _longest_first(paths: list[Path], out: Path) -> list[Path]:
    """``paths`` ordered by the seconds each took in the run already in ``out`` (longest
    first; notebooks without an earlier time first of all); the file order without one."""
    try:
        record = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
        seconds = {nb["notebook"]: float(nb["seconds"]) for nb in record["notebooks"]}
    except (OSError, ValueError, KeyError, TypeError):
        return list(paths)
    return sorted(paths, key=lambda p: -seconds.get(p.stem, float("inf")))


def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over IPC sockets in a private temp folder.

    TCP kernels pick free ports by probing, and kernels started in parallel can collide on
    them (papermill's "Address already in use" reports); IPC socket files cannot collide.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            folder = tempfile.mkdtemp(prefix="wassup-kernel-")
            atexit.register(shutil.rmtree, folder, True)
            kwargs.setdefault("ip", str(Path(folder) / "kernel"))
            super().__init__(**kwargs)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client sends SIGINT before every shutdown; the kernel, idle after its
            # notebook, then prints "KeyboardInterrupt caught in kernel" on the console.  The
            # shutdown request alone ends an idle kernel (and SIGTERM/SIGKILL follow if not).
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


def _execute(path: Path, target: Path, parameters: dict[str, Any], kernel: str) -> None:
    """Execute one notebook with papermill (the caller silences papermill's console output)."""
    import papermill

    papermill.execute_notebook(
        str(path), str(target), parameters=parameters, kernel_name=kernel,
        cwd=str(NOTEBOOKS), progress_bar=False, log_output=False,
        kernel_manager_class=_ipc_kernel_manager(),
        # papermill otherwise rewrites the whole notebook before and after every cell (~30 writes
        # of a notebook with figures, CPU the kernels need); it still writes the notebook at the
        # end, and with the failing cell's error when one fails.
        request_save_on_cell_execute=False,
    )


def _close_thread_event_loop() -> None:
    """papermill (through jupyter_core's ``run_sync``) gives each thread an event loop and never
    closes it; close it when a notebook is done, so no loop is left for the garbage collector."""
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)


def default_workers() -> int:
    """Notebooks of one run executed side by side: one per core, at most 2 (the notebooks'
    kernels are single-threaded; more than the cores only adds contention), 1 where there is no
    POSIX file lock for ``metrics.json``."""
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def publish_figures(run_folder: Path, target: Path) -> list[Path]:
    """Copy a run's figures into ``target`` (the committed ``figures/``), each file atomically."""
    copied = []
    for figure in sorted((run_folder / "figures").glob("*")):
        if figure.suffix in (".png", ".svg"):
            copied.append(write_atomic(target / figure.name, figure.read_bytes()))
    return copied




def refresh_notebooks(only: list[str] | None = None) -> list[Path]:
    """Re-execute the committed notebooks in place with their default parameters.

    Their stored outputs are what nbval compares against, so they must come from the default
    dataset, which must be synthetic: real data never reach a committed notebook.
    """
    import nbformat
    from nbclient import NotebookClient

    if not load_dataset(DEFAULT_DATASET).synthetic:
        raise RunError(f"{DEFAULT_DATASET} is not marked synthetic: committed notebooks carry "
                       "outputs of synthetic data only")
    done = []
    for path in notebooks(only):
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, kernel_name=_kernel_name(), timeout=1800,
                                resources={"metadata": {"path": str(NOTEBOOKS)}},
                                kernel_manager_class=_ipc_kernel_manager())
        with _quiet():
            client.execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nb.metadata.pop("widgets", None)
        write_atomic(path, nbformat.writes(nb) + "\n")
        done.append(path)
    return done


# --------------------------------------------------------------------------- batches
@dataclass
class BatchItem:
    """One dataset's outcome in a batch."""

    dataset: str
    out: str
    status: str  # ok, failed, invalid, skipped
    seconds: float
    notebooks: list[dict] = field(default_factory=list)
    error: str | None = None


def _inputs_digest(dataset_dir: Path) -> dict[str, str] | None:
    files = [dataset_dir / "dataset.yaml"]
    for stem in ("clients", "placements", "monthly"):
        for suffix in (".csv", ".parquet"):
            if (dataset_dir / f"{stem}{suffix}").is_file():
                files.append(dataset_dir / f"{stem}{suffix}")
                break
    if not all(p.is_file() for p in files):
        return None
    return {p.name: sha256(p) for p in files}


def already_done(dataset_dir: Path, out: Path, parameters: dict, only: list[str] | None) -> bool:
    """Whether ``out`` holds a successful run of the same inputs (byte-identical), parameters
    and notebooks: ``--resume`` skips it."""
    record_path = out / RUN_FILE
    if not record_path.is_file():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = [p.stem for p in notebooks(only)]
    return (record.get("status") == "ok"
            and record.get("dataset", {}).get("files") == _inputs_digest(dataset_dir)
            and record.get("parameters") == parameters
            and [nb["notebook"] for nb in record.get("notebooks", [])] == wanted)


def run_one(dataset_dir: str, out: str, parameters: dict, only: list[str] | None, strict: bool,
            notebook_workers: int | None = None) -> BatchItem:
    """Run one dataset and report, never raise: the unit of work of a batch (also on Dask).

    ``notebook_workers`` is passed to :func:`run`; batches that already run datasets side by
    side give 1, so a batch never runs more kernels at a time than it has workers."""
    t0 = time.perf_counter()
    try:
        result = run(dataset_dir, out, only=only, parameters=parameters, strict=strict,
                     workers=notebook_workers)
    except DatasetError as exc:
        first = str(exc.violations[0]) if exc.violations else str(exc).splitlines()[0]
        return BatchItem(dataset_dir, out, "invalid", round(time.perf_counter() - t0, 2), error=first)
    except Exception as exc:  # a batch reports every failure and goes on with the others
        return BatchItem(dataset_dir, out, "failed", round(time.perf_counter() - t0, 2),
                         error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return BatchItem(dataset_dir, str(result.out), result.status, round(time.perf_counter() - t0, 2),
                     notebooks=[vars(nb) for nb in result.notebooks], error=result.error)


def batch(datasets: list[str | Path], out: str | Path, *, workers: int = 1, resume: bool = False,
          parameters: dict | None = None, only: list[str] | None = None, strict: bool = False,
          scheduler: str | None = None, progress: bool = True) -> list[BatchItem]:
    """Run many datasets, one run folder each under ``out`` (named after the dataset folder).

    Runs go to ``workers`` local processes, or to a Dask distributed scheduler at ``scheduler``.
    A failing dataset or notebook does not stop the others.  Writes ``<out>/summary.csv``: one
    row per dataset, one column per metric key (runs that succeeded).
    """
    from tqdm import tqdm

    out = Path(out).resolve()
    folders = [Path(d).resolve() for d in datasets]
    check_output(out, folders)
    names = [f.name for f in folders]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise RunError(f"dataset folders must have distinct names (they name the run folders): {', '.join(dupes)}")
    parameters = dict(parameters or {})
    if parameters or strict:
        check_parameters({**parameters, **({"strict": True} if strict else {})}, notebooks(only))
    for folder in folders:  # every refusal before the first run starts
        _check_target(out / folder.name)
        _check_target(out / f"{folder.name}.failed")
    out.mkdir(parents=True, exist_ok=True)
    items: list[BatchItem] = []
    todo = []
    for folder in folders:
        target = out / folder.name
        if resume and already_done(folder, target, {**parameters, **({"strict": True} if strict else {})}, only):
            items.append(BatchItem(str(folder), str(target), "skipped", 0.0))
        else:
            todo.append((str(folder), str(target), parameters, only, strict))
    bar = tqdm(total=len(folders), initial=len(items), desc="runs", unit="run", disable=not progress)
    if scheduler:
        from distributed import Client, as_completed as dask_completed

        with Client(scheduler) as client:
            futures = [client.submit(run_one, *args, 1, pure=False) for args in todo]
            for future in dask_completed(futures):
                items.append(future.result())
                bar.update()
    elif workers <= 1 or len(todo) <= 1:
        for args in todo:
            items.append(run_one(*args))
            bar.update()
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for future in as_completed([pool.submit(run_one, *args, 1) for args in todo]):
                items.append(future.result())
                bar.update()
    bar.close()
    order = {str(f): i for i, f in enumerate(folders)}
    items.sort(key=lambda item: order[item.dataset])
    write_summary(items, out)
    return items


def write_summary(items: list[BatchItem], out: Path) -> Path:
    """``<out>/summary.csv``: dataset, status, seconds, error, then every metric key."""
    import pandas as pd

    from .metrics import read_metrics

    rows = []
    for item in items:
        row = {"dataset": Path(item.dataset).name, "status": item.status, "seconds": item.seconds,
               "error": item.error or ""}
        if item.status in ("ok", "skipped"):
            row.update(read_metrics(item.out))
        rows.append(row)
    frame = pd.DataFrame(rows)
    fixed = ["dataset", "status", "seconds", "error"]
    frame = frame[fixed + sorted(c for c in frame.columns if c not in fixed)]
    return write_atomic(out / "summary.csv", frame.to_csv(index=False, lineterminator="\n"))


def summary_lines(items: list[BatchItem]) -> list[str]:
    """The table printed at the end of a batch: dataset, notebook, status, seconds, first error."""
    lines = [f"{'dataset':<28} {'notebook':<30} {'status':<8} {'seconds':>8}  error"]
    for item in items:
        name = Path(item.dataset).name
        if not item.notebooks:
            lines.append(f"{name:<28} {'-':<30} {item.status:<8} {item.seconds:>8.1f}  {item.error or ''}")
        for nb in item.notebooks:
            lines.append(f"{name:<28} {nb['notebook']:<30} {nb['status']:<8} {nb['seconds']:>8.1f}  "
                         f"{nb['error'] or ''}")
    return lines

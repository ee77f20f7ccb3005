"""Many datasets in one go: one run folder each, side by side or on a Dask cluster.

A failing dataset or notebook does not stop the others; ``<out>/summary.csv`` holds one row per
dataset and one column per metric key.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .dataset import DatasetError
from .files import write_atomic
from .parallel import run_tasks
from .provenance import inputs_digest
from .runs import RUN_FILE, RunError, check_output, check_target, notebooks, prepare_parameters, run

__all__ = ["BatchItem", "batch", "already_done", "run_one", "write_summary", "summary_lines"]


@dataclass
class BatchItem:
    """One dataset's outcome in a batch."""

    dataset: str
    out: str
    status: str  # ok, failed, invalid, skipped
    seconds: float
    notebooks: list[dict] = field(default_factory=list)
    error: str | None = None


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
    return (
        record.get("status") == "ok"
        and record.get("dataset", {}).get("files") == inputs_digest(dataset_dir)
        and record.get("parameters") == parameters
        and [nb["notebook"] for nb in record.get("notebooks", [])] == wanted
    )


def run_one(
    dataset_dir: str,
    out: str,
    parameters: dict,
    only: list[str] | None,
    strict: bool,
    notebook_workers: int | None = None,
) -> BatchItem:
    """Run one dataset and report, never raise: the unit of work of a batch (also on Dask).

    ``notebook_workers`` is passed to :func:`run`; batches that already run datasets side by
    side give 1, so a batch never runs more kernels at a time than it has workers."""
    t0 = time.perf_counter()
    try:
        result = run(dataset_dir, out, only=only, parameters=parameters, strict=strict, workers=notebook_workers)
    except DatasetError as exc:
        first = str(exc.violations[0]) if exc.violations else str(exc).splitlines()[0]
        return BatchItem(dataset_dir, out, "invalid", round(time.perf_counter() - t0, 2), error=first)
    except Exception as exc:  # a batch reports every failure and goes on with the others
        return BatchItem(
            dataset_dir,
            out,
            "failed",
            round(time.perf_counter() - t0, 2),
            error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
        )
    return BatchItem(
        dataset_dir,
        str(result.out),
        result.status,
        round(time.perf_counter() - t0, 2),
        notebooks=[vars(nb) for nb in result.notebooks],
        error=result.error,
    )


def batch(
    datasets: list[str | Path],
    out: str | Path,
    *,
    workers: int = 1,
    resume: bool = False,
    parameters: dict | None = None,
    only: list[str] | None = None,
    strict: bool = False,
    scheduler: str | None = None,
    progress: bool = True,
) -> list[BatchItem]:
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
    if parameters or strict:  # read, resolved where the command was typed (a Dask worker's folder is another)
        checked = prepare_parameters({**parameters, **({"strict": True} if strict else {})}, notebooks(only))
        parameters = {name: value for name, value in checked.items() if name in parameters}
    for folder in folders:  # every refusal before the first run starts
        check_target(out / folder.name)
        check_target(out / f"{folder.name}.failed")
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
    # datasets side by side run their notebooks one at a time (notebook_workers 1); one dataset
    # at a time may run its notebooks in parallel
    side_by_side = bool(scheduler) or (workers > 1 and len(todo) > 1)
    for item in run_tasks(run_one, [(*args, 1) if side_by_side else args for args in todo], workers, scheduler):
        items.append(item)
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
        row = {
            "dataset": Path(item.dataset).name,
            "status": item.status,
            "seconds": item.seconds,
            "error": item.error or "",
        }
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
            lines.append(
                f"{name:<28} {nb['notebook']:<30} {nb['status']:<8} {nb['seconds']:>8.1f}  {nb['error'] or ''}"
            )
    return lines

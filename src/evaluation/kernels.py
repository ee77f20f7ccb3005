"""Executing one notebook in its own Jupyter kernel, and exporting it as HTML.

Only documented interfaces are used: papermill's ``execute_notebook`` (with its
``request_save_on_cell_execute`` argument), nbclient's ``kernel_manager_class`` trait,
jupyter_client's ``transport``/``ip`` traits and ``start_kernel``'s Popen arguments, and
nbconvert's ``HTMLExporter``.  The one behaviour relied on beyond them lives in :mod:`.hooks`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from .files import write_atomic
from .hooks import close_thread_event_loop

__all__ = [
    "KERNEL_NAME",
    "kernel_name",
    "quiet",
    "execute",
    "to_html",
    "notebook_parameters",
    "kernel_manager_class",
    "run_in_place",
]

KERNEL_NAME = "wassup-evaluation"
#: What an idle kernel logs when jupyter_client interrupts it before every shutdown: not a
#: problem, so not echoed (every other line the kernel writes to its console is).
SHUTDOWN_NOISE = ("KeyboardInterrupt caught in kernel",)
#: The thread counts a kernel gets as 1 unless the caller set them (see kernel_manager_class).
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def kernel_name() -> str:
    """The project's kernel when installed (``make install``), else ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else "python3"


@contextlib.contextmanager
def quiet():
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


def kernel_manager_class(folder: Path):
    """A kernel manager whose kernel talks over IPC sockets in ``folder`` and writes its
    console output (the kernel process's stderr) to ``folder/kernel.log``.

    TCP kernels pick free ports by probing, and kernels started in parallel can collide on
    them (papermill's "Address already in use" reports); IPC socket files cannot collide.
    """
    from jupyter_client.manager import AsyncKernelManager

    class FolderKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(folder / "kernel"))
            super().__init__(**kwargs)

        async def start_kernel(self, **kw):  # jupyter_client: ``kw`` are Popen arguments
            with open(folder / "kernel.log", "ab") as log:
                kw.setdefault("stderr", log)
                # one BLAS thread per kernel unless the caller set it: kernels run as many at a time
                # as there are cores, and competing BLAS threads slow small factorisations many times
                kw.setdefault("env", {**os.environ, **{k: os.environ.get(k, "1") for k in BLAS_THREADS}})
                await super().start_kernel(**kw)

    return FolderKernelManager


def _echo_kernel_log(folder: Path) -> None:
    try:
        lines = (folder / "kernel.log").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    for line in lines:
        if line.strip() and not any(noise in line for noise in SHUTDOWN_NOISE):
            print(line, file=sys.stderr)


def execute(path: Path, target: Path, parameters: dict[str, Any], kernel: str, cwd: Path) -> None:
    """Execute one notebook with papermill into ``target`` (the caller silences papermill's
    console output with :func:`quiet`); raises what papermill raises when a cell fails."""
    import papermill

    with tempfile.TemporaryDirectory(prefix="wassup-kernel-") as folder:
        try:
            papermill.execute_notebook(
                str(path),
                str(target),
                parameters=parameters,
                kernel_name=kernel,
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                kernel_manager_class=kernel_manager_class(Path(folder)),
                # papermill otherwise rewrites the whole notebook before and after every cell
                # (~30 writes of a notebook with figures, CPU the kernels need); it still writes
                # the notebook at the end, and with the failing cell's error when one fails.
                request_save_on_cell_execute=False,
            )
        finally:
            close_thread_event_loop()
            _echo_kernel_log(Path(folder))


def run_in_place(nb, kernel: str, cwd: Path, timeout: int = 1800) -> None:
    """Execute the notebook node ``nb`` in place with nbclient (no parameters injected)."""
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory(prefix="wassup-kernel-") as folder:
        client = NotebookClient(
            nb,
            kernel_name=kernel,
            timeout=timeout,
            resources={"metadata": {"path": str(cwd)}},
            kernel_manager_class=kernel_manager_class(Path(folder)),
        )
        try:
            with quiet():
                client.execute()
        finally:
            _echo_kernel_log(Path(folder))


_EXPORTER: dict[str, Any] = {}
_EXPORTER_LOCK = threading.Lock()


def to_html(notebook: Path, target: Path) -> None:
    """Export an executed notebook as HTML (JupyterLab's look).  One exporter serves the whole
    process (its templates are compiled once: 0.6 s saved per notebook), one export at a time."""
    import nbformat
    from nbconvert import HTMLExporter

    with _EXPORTER_LOCK, quiet():
        exporter = _EXPORTER.setdefault("lab", HTMLExporter(template_name="lab"))
        body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    write_atomic(target, body)


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """A notebook's parameters as papermill infers them: name -> {type, default, help}."""
    import papermill

    with quiet():
        inferred = papermill.inspect_notebook(str(path))
    return {
        name: {"type": p["inferred_type_name"], "default": p["default"], "help": p["help"]}
        for name, p in inferred.items()
    }

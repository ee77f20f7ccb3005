"""The behaviours evaluation.hooks relies on, checked against the installed dependencies.

Each test fails with what to do when a dependency changes the behaviour a hook relies on
(pyproject.toml pins each from above; raising a pin means running these first)."""

import asyncio
import subprocess
import sys
import threading

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from evaluation.hooks import close_thread_event_loop
from evaluation.kernels import kernel_name

# Each test starts a kernel, executes a notebook through papermill or imports papermill's stack in a
# fresh interpreter: make test runs them, make check does not.
pytestmark = pytest.mark.slow


def _iri_checker_present(skip: bool) -> bool:
    code = (
        "import sys\n"
        + ("from evaluation.hooks import skip_slow_iri_checker; skip_slow_iri_checker()\n" if skip else "")
        + "import jsonschema\nprint('iri' in jsonschema.FormatChecker.checkers)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


def test_jsonschema_skips_the_iri_checker_when_its_module_is_absent():
    assert _iri_checker_present(skip=False), (
        "jsonschema no longer registers an 'iri' checker (or rfc3987_syntax is not installed): "
        "skip_slow_iri_checker has nothing to skip; remove it and re-measure a run"
    )
    assert not _iri_checker_present(skip=True), (
        "jsonschema now imports its 'iri' checker some other way: skip_slow_iri_checker no longer "
        "works; remove it (and its jsonschema pin) or find the new public switch"
    )


def test_papermill_leaves_an_open_loop_on_its_thread_and_the_hook_closes_it(tmp_path):
    source = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), source)
    seen = {}

    def work():
        import papermill

        papermill.execute_notebook(
            str(source), str(tmp_path / "out.ipynb"), kernel_name=kernel_name(), progress_bar=False
        )
        loop = asyncio.get_event_loop_policy().get_event_loop()
        seen["left_open"] = not loop.is_closed()
        close_thread_event_loop()
        seen["closed"] = loop.is_closed()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen["left_open"], (
        "papermill now closes its thread's event loop itself: remove "
        "hooks.close_thread_event_loop and its papermill/jupyter_core pins"
    )
    assert seen["closed"], "hooks.close_thread_event_loop no longer reaches papermill's loop"


def test_the_kernel_console_goes_to_its_log_and_only_the_shutdown_interrupt_is_dropped(tmp_path, capsys):
    from evaluation.kernels import _echo_kernel_log, kernel_manager_class

    async def start_and_stop():
        manager = kernel_manager_class(tmp_path)(kernel_name=kernel_name())
        await manager.start_kernel()
        await manager.shutdown_kernel()

    asyncio.run(start_and_stop())
    assert (tmp_path / "kernel.log").is_file()  # the kernel's stderr went there, not to ours
    (tmp_path / "kernel.log").write_text(
        "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.\nFatal Python error: Segmentation fault\n"
    )
    _echo_kernel_log(tmp_path)
    assert capsys.readouterr().err == "Fatal Python error: Segmentation fault\n"

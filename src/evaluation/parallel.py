"""Run independent tasks in local processes or on a Dask distributed cluster: one mechanism for
``batch`` (many datasets) and ``simulate`` (many replications)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["run_tasks"]


def run_tasks(func: Callable, tasks: list[tuple], workers: int = 1, scheduler: str | None = None) -> Iterator:
    """Yield ``func(*task)`` for each task as it completes (in no particular order).

    ``scheduler``: the address of a Dask distributed scheduler (``distributed`` must be
    installed: ``pip install -e '.[dask]'``); otherwise ``workers`` local processes (spawned,
    so a task never inherits a parent's threads), or this process when ``workers`` is 1 or there
    is one task.  ``func`` must be importable by name (a module-level function)."""
    if scheduler:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise SystemExit("--scheduler needs Dask's distributed: pip install -e '.[dask]'") from None
        with Client(scheduler) as client:
            for future in as_completed([client.submit(func, *task, pure=False) for task in tasks]):
                yield future.result()
    elif workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield func(*task)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for future in as_completed([pool.submit(func, *task) for task in tasks]):
                yield future.result()

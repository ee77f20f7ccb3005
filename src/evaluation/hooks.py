"""The two places where this package relies on a dependency's behaviour rather than its API.

Everything else talks to Jupyter, papermill and jsonschema through their documented interfaces.
These two stay because each saves a measured cost that no public option avoids; each is pinned
from above in ``pyproject.toml`` and checked by ``tests/test_hooks.py``, which fails loudly (and
says what to do) when the behaviour it relies on changes.

* :func:`skip_slow_iri_checker` (jsonschema < 5): importing ``nbformat`` imports jsonschema's
  format checkers, and the one for ``iri`` imports ``rfc3987_syntax``, which builds ~35 Lark
  parsers: 2.6–4 s per process measured here (jsonschema#1428).  jsonschema skips a checker
  whose module cannot be imported; no notebook schema uses ``iri``.
* :func:`close_thread_event_loop` (papermill < 3, jupyter_core < 6): papermill, through
  jupyter_core's ``run_sync``, gives each thread an event loop and never closes it; a run's
  worker threads would leave one unclosed loop per notebook for the garbage collector
  (a ``ResourceWarning``).
"""

from __future__ import annotations

import sys

__all__ = ["skip_slow_iri_checker", "close_thread_event_loop"]


def skip_slow_iri_checker() -> None:
    """Mark ``rfc3987_syntax`` as absent in this process (never in kernels or other programs),
    before ``nbformat`` is first imported.  Only the command-line process calls it."""
    sys.modules.setdefault("rfc3987_syntax", None)


def close_thread_event_loop() -> None:
    """Close the event loop papermill left on the calling thread (when it is not running)."""
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)

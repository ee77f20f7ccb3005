"""Recording a run's headline numbers into ``<output_dir>/metrics.json``.

One flat JSON object shared by all notebooks of a run: dotted keys, values numbers, strings,
booleans or null.  Every notebook ends by calling :func:`record`.  Notebooks of one run execute
in parallel, so the read-merge-write is done under an exclusive lock on ``metrics.json.lock``.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .files import write_atomic

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["METRICS_FILE", "read_metrics", "record"]

METRICS_FILE = "metrics.json"


def _plain(key: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) or math.isinf(value) else value
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"metric {key!r}: value {value!r} is not a number, string, boolean or null")


def read_metrics(output_dir: str | Path) -> dict[str, Any]:
    """The metrics recorded so far in ``output_dir`` (empty when none)."""
    path = Path(output_dir) / METRICS_FILE
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def record(output_dir: str | Path, metrics: Mapping[str, Any]) -> None:
    """Merge ``metrics`` into ``<output_dir>/metrics.json`` (written atomically, keys sorted)."""
    clean = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key or " " in key:
            raise ValueError(f"metric key {key!r} must be a dotted name without spaces")
        clean[key] = _plain(key, value)
    with _locked(Path(output_dir) / (METRICS_FILE + ".lock")):
        merged = {**read_metrics(output_dir), **clean}
        text = json.dumps(dict(sorted(merged.items())), indent=1, ensure_ascii=False) + "\n"
        write_atomic(Path(output_dir) / METRICS_FILE, text)


@contextlib.contextmanager
def _locked(lock_path: Path):
    """An exclusive advisory lock between processes (POSIX ``flock``; elsewhere no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: notebooks of a run then run one at a time
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

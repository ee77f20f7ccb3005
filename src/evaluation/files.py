"""Writing files whole or not at all: write to a temporary name beside the target, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "NotOurFolder",
    "check_replaceable",
    "make_staging_folder",
    "replace_folder",
    "staged_folder",
    "write_atomic",
]


class NotOurFolder(FileExistsError):
    """A folder is in the way that this tool did not create: it is never replaced or deleted."""


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    A reader never sees a half-written file, and a failure leaves an earlier file untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def replaceable(target: Path, ours: Callable[[Path], bool]) -> bool:
    """Whether ``target`` may be replaced: it does not exist, is an empty folder, or is a folder
    that ``ours`` recognises as made by this tool (a run folder, a synthetic dataset)."""
    if not target.exists() and not target.is_symlink():
        return True
    if target.is_symlink() or not target.is_dir():
        return False
    return not any(target.iterdir()) or ours(target)


def check_replaceable(target: Path, ours: Callable[[Path], bool], what: str) -> None:
    """Raise :class:`NotOurFolder` unless :func:`replaceable`; ``what`` names the kind of folder
    this tool writes (for the message)."""
    if not replaceable(target, ours):
        raise NotOurFolder(
            f"{target} exists and is not {what} made by this tool: it is never replaced or deleted. "
            f"Choose another output folder, or move {target} away yourself."
        )


@contextmanager
def staged_folder(target: str | Path, ours: Callable[[Path], bool], what: str) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` whole.

    ``target`` must be :func:`replaceable` (checked before and again at the swap).  On an
    exception the temporary folder is removed and ``target`` (an earlier good result) is left as
    it was.
    """
    target = Path(target)
    check_replaceable(target, ours, what)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_staging_folder(target)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace_folder(tmp, target, ours, what)


def make_staging_folder(target: Path) -> Path:
    """A new hidden folder beside ``target`` with the usual permissions (mkdtemp makes 0700)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    return tmp


def replace_folder(source: Path, target: Path, ours: Callable[[Path], bool], what: str) -> None:
    """Move ``source`` into place as ``target``, swapping out an earlier ``target`` only when it
    is :func:`replaceable` (else :class:`NotOurFolder`, and ``source`` is left where it is)."""
    check_replaceable(target, ours, what)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(source, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

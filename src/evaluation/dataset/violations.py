"""What a broken contract reports: each violation with file, line, column, value and rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["DatasetError", "Violation"]

MAX_LISTED = 30  # violations listed in the message; the rest are counted


class DatasetError(ValueError):
    """A dataset breaks the contract.  ``violations`` lists every problem found."""

    def __init__(self, dataset: Path | str, violations: list[Violation]):
        self.dataset = str(dataset)
        self.violations = violations
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.violations)
        head = f"Dataset {self.dataset} breaks the dataset contract ({n} problem{'s' * (n != 1)}):"
        lines = [f"  - {v}" for v in self.violations[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  ... and {n - MAX_LISTED} more problems of the same kinds.")
        what = (
            "dataset.yaml"
            if self.violations and all(v.file == "dataset.yaml" for v in self.violations)
            else "these cells in the export (or the script that makes it)"
        )
        tail = f"Fix {what} and load again; the contract is described in data/README.md."
        return "\n".join([head, *lines, tail])


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (file, line, column), what (value) and which rule."""

    file: str
    line: int | None
    column: str | None
    value: Any
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:  # dataset.yaml has keys where a table has columns
            where += f", {'key' if self.file.endswith('.yaml') else 'column'} {self.column}"
        value = "" if self.value is None else f": value {_show(self.value)}"
        return f"{where}{value} — {self.rule}"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Collector:
    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.notes: list[str] = []  # what a reader must know that is not a violation

    def add(self, file: str, line: int | None, column: str | None, value: Any, rule: str) -> None:
        self.violations.append(Violation(file, line, column, value, rule))

"""A balanced panel from any long table: the units, the periods, one outcome, the treated units and
the first treated period, named by the caller.

:meth:`Panel.from_long` checks the table and holds the outcome as the matrix the panel estimators
use (Arkhangelsky et al. 2021, section 2): ``Y`` has ``N0`` donor rows then ``N1`` treated rows,
and ``T0`` pre-period columns then ``T1`` post-period columns, periods in ascending order.  Donors
are in the order the caller gives, or sorted by their label (as R's ``synthdid::panel.matrices``
orders them) when none are given; treated units in the order given.

Every problem is one :class:`PanelError` that names the source, the row (``line`` for a CSV
file: the header is line 1), the column, the rule and what to do.  Checked: the named columns
exist; no unit, period or outcome is missing; the outcome is a finite number; one row per unit
and period; every unit is observed in every period (a balanced panel); the treated units and the
donors are present and distinct; at least one donor; at least one period before and one from
``treatment_start``; ``periods_per_year`` is a positive integer.

References: Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021), "Synthetic
difference-in-differences", American Economic Review 111(12), 4088-4118.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import DATA

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["PROP99", "Panel", "PanelError", "prop99"]

#: Proposition 99's panel as shipped by the R package synthdid (data/public/prop99/SOURCE.md).
PROP99 = DATA / "public" / "prop99" / "california_prop99.csv"


class PanelError(ValueError):
    """A long table that cannot be a panel: the message names source, row, column and rule."""


@dataclass(frozen=True)
class Panel:
    """A balanced panel with a block of treated units from one period on.

    ``Y[i, t]`` is unit ``units[i]``'s outcome in period ``periods[t]``; rows ``0 .. N0-1`` are the
    donors, the rest the treated units; columns ``0 .. T0-1`` are the periods before
    ``treatment_start``, the rest the periods from it.
    """

    Y: np.ndarray
    units: tuple
    periods: tuple
    N0: int
    T0: int
    unit: str
    period: str
    outcome: str
    treatment_start: Hashable
    periods_per_year: int = 1

    @property
    def N1(self) -> int:
        """The number of treated units."""
        return len(self.units) - self.N0

    @property
    def T1(self) -> int:
        """The number of periods from ``treatment_start`` on."""
        return len(self.periods) - self.T0

    @property
    def donors(self) -> tuple:
        return self.units[: self.N0]

    @property
    def treated_units(self) -> tuple:
        return self.units[self.N0 :]

    @property
    def pre_periods(self) -> tuple:
        return self.periods[: self.T0]

    @property
    def post_periods(self) -> tuple:
        return self.periods[self.T0 :]

    @classmethod
    def from_long(
        cls,
        frame: pd.DataFrame,
        *,
        unit: str,
        period: str,
        outcome: str,
        treated_units: Hashable | Sequence[Hashable],
        treatment_start: Hashable,
        donors: Sequence[Hashable] | None = None,
        periods_per_year: int = 1,
        source: str = "the table",
        first_line: int | None = None,
    ) -> Panel:
        """The panel of ``frame``'s columns ``unit``, ``period`` and ``outcome``.

        Parameters
        ----------
        frame
            A long table, one row per unit and period; other columns are ignored.
        unit, period, outcome
            The names of the columns holding the unit label, the period (any ordered values:
            years, ``pd.Period``, dates) and the numeric outcome.
        treated_units
            One label or a list of labels of the ``unit`` column.
        treatment_start
            The first treated period: periods before it are the pre-period, the others the
            post-period (one adoption date for all treated units).
        donors
            The control units, in this order; by default every other unit, sorted.  Units that
            are neither treated nor donors are left out.
        periods_per_year
            How many periods make a year (1 for yearly data, 12 for monthly).
        source, first_line
            How messages name the table (a file name) and the line of its first row (2 for a
            CSV file with a header); without ``first_line`` messages name the frame's index.

        Raises
        ------
        PanelError
            One per problem, naming the column and the offending value.
        """
        where = _Where(source, frame, first_line)
        if not isinstance(frame, pd.DataFrame):
            raise PanelError(f"{source}: a pandas DataFrame is needed, not {type(frame).__name__}")
        if (
            not isinstance(periods_per_year, (int, np.integer))
            or isinstance(periods_per_year, bool)
            or periods_per_year < 1
        ):
            raise PanelError(
                f"periods_per_year must be a positive integer (1 yearly, 12 monthly); got {periods_per_year!r}"
            )
        for role, column in (("unit", unit), ("period", period), ("outcome", outcome)):
            if column not in frame.columns:
                found = ", ".join(map(str, frame.columns))
                raise PanelError(f"{source}: no column {column!r} (the {role} column); its columns are {found}")
        for column in (unit, period, outcome):
            missing = frame[column].isna().to_numpy()
            if missing.any():
                raise PanelError(
                    f"{where(missing.argmax())}, column {column!r}: a missing value; every row needs a {column}"
                )
        values = pd.to_numeric(frame[outcome], errors="coerce")
        bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            k = int(bad.argmax())
            raise PanelError(
                f"{where(k)}, column {outcome!r}: {_show(frame[outcome].iloc[k])} is not a finite number; the outcome must be numeric"
            )
        duplicated = frame.duplicated([unit, period], keep=False).to_numpy()
        if duplicated.any():
            k = int(duplicated.argmax())
            u, p = frame[unit].iloc[k], frame[period].iloc[k]
            rows = np.flatnonzero((frame[unit] == u).to_numpy() & (frame[period] == p).to_numpy())
            raise PanelError(
                f"{source}, columns {unit!r} and {period!r}: unit {_show(u)} has {len(rows)} rows for period {_show(p)} "
                f"({', '.join(where.row(r) for r in rows)}); one row per unit and period is needed"
            )
        treated = [treated_units] if _is_label(treated_units) else list(treated_units)
        if not treated:
            raise PanelError(f"treated_units: no treated unit given; name at least one value of column {unit!r}")
        present = set(frame[unit])
        for u in treated:
            if u not in present:
                raise PanelError(f"{source}, column {unit!r}: the treated unit {u!r} is not in the table")
        if len(set(treated)) < len(treated):
            raise PanelError(f"treated_units: a unit is named twice in {treated!r}")
        if donors is None:
            pool = sorted(present - set(treated), key=_sort_key)
        else:
            pool = list(donors)
            for u in pool:
                if u not in present:
                    raise PanelError(f"{source}, column {unit!r}: the donor {u!r} is not in the table")
                if u in treated:
                    raise PanelError(f"donors: {u!r} is also a treated unit; a unit is either treated or a donor")
            if len(set(pool)) < len(pool):
                raise PanelError(f"donors: a unit is named twice in {pool!r}")
        if not pool:
            raise PanelError(f"{source}, column {unit!r}: no donor unit; the table needs units that are not treated")
        kept = frame[frame[unit].isin(pool + treated)]
        try:
            periods = sorted(set(kept[period]))
            pre = [p for p in periods if p < treatment_start]
        except TypeError as error:
            raise PanelError(
                f"treatment_start {treatment_start!r} cannot be compared with the values of column {period!r} "
                f"(e.g. {_show(kept[period].iloc[0])}): {error}"
            ) from None
        wide = kept.pivot(index=unit, columns=period, values=outcome).reindex(index=pool + treated, columns=periods)
        holes = wide.isna().to_numpy()
        if holes.any():
            i = int(holes.any(axis=1).argmax())
            lacking = [periods[t] for t in np.flatnonzero(holes[i])]
            shown = ", ".join(map(_show, lacking[:5])) + (f" and {len(lacking) - 5} more" if len(lacking) > 5 else "")
            raise PanelError(
                f"{source}, columns {unit!r} and {period!r}: unit {_show(wide.index[i])} has no row for period {shown}; "
                "the panel must be balanced (drop the unit, or the periods, or fill them in first)"
            )
        if not pre:
            raise PanelError(
                f"treatment_start {treatment_start!r}: no period of column {period!r} comes before it "
                f"(the first is {_show(periods[0])}); the estimators need at least one pre-treatment period"
            )
        if len(pre) == len(periods):
            raise PanelError(
                f"treatment_start {treatment_start!r}: no period of column {period!r} is at or after it "
                f"(the last is {_show(periods[-1])}); the estimators need at least one treated period"
            )
        return cls(
            Y=wide.to_numpy(dtype=float),
            units=tuple(pool + treated),
            periods=tuple(periods),
            N0=len(pool),
            T0=len(pre),
            unit=unit,
            period=period,
            outcome=outcome,
            treatment_start=treatment_start,
            periods_per_year=int(periods_per_year),
        )

    @classmethod
    def read_csv(cls, path: Path | str, *, sep: str = ",", **kwargs) -> Panel:
        """:meth:`from_long` on a CSV file (messages name the file and its lines)."""
        path = Path(path)
        if not path.exists():
            raise PanelError(f"{path}: no such file")
        frame = pd.read_csv(path, sep=sep)
        return cls.from_long(frame, source=str(path), first_line=2, **kwargs)


def prop99(path: Path = PROP99) -> Panel:
    """Proposition 99: cigarette packs per capita, California and ADH's 38 donor states,
    1970-2000, treated from 1989 (the panel of Abadie, Diamond and Hainmueller 2010, as shipped
    by the R package synthdid; ``data/public/prop99/SOURCE.md``)."""
    return Panel.read_csv(
        path,
        sep=";",
        unit="State",
        period="Year",
        outcome="PacksPerCapita",
        treated_units="California",
        treatment_start=1989,
        periods_per_year=1,
    )


def _show(x) -> str:
    """``repr`` of a value as the user wrote it (numpy scalars as Python's)."""
    return repr(x.item() if isinstance(x, np.generic) else x)


def _is_label(x) -> bool:
    return isinstance(x, (str, bytes)) or not isinstance(x, Sequence)


def _sort_key(x):
    return (type(x).__name__, x)


class _Where:
    """How a message names a row: ``file, line n`` or ``the table, row (index) i``."""

    def __init__(self, source: str, frame, first_line: int | None):
        self.source, self.frame, self.first_line = source, frame, first_line

    def row(self, k: int) -> str:
        if self.first_line is not None:
            return f"line {int(k) + self.first_line}"
        if not self.frame.index.is_unique:
            return f"row {int(k)} (counted from 0; the index has repeated labels)"
        return f"row {_show(self.frame.index[int(k)])}"

    def __call__(self, k: int) -> str:
        return f"{self.source}, {self.row(k)}"

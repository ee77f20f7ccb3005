"""The one reader of LaLonde's NSW data (``data/public/lalonde/``): the Dehejia–Wahba experimental
sample and the PSID-1 and CPS-1 comparison groups, and the published figures they are judged by.
Public reference data, read beside the official statistics and under the analyses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from .paths import DATA

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["load_lalonde"]

LALONDE = DATA / "public" / "lalonde"
COLUMNS = ("treat", "age", "educ", "black", "hispanic", "married", "nodegree", "re74", "re75", "re78")
BINARY = ("treat", "black", "hispanic", "married", "nodegree")
FILES = {"experimental": "nsw_dw.csv", "psid": "psid1_controls.csv", "cps": "cps1_controls.csv"}


@dataclass(frozen=True)
class LalondeData:
    """``experimental``: the NSW men of Dehejia and Wahba's subsample (185 treated, 260 randomised
    controls); ``psid``, ``cps``: the PSID-1 (2,490) and CPS-1 (15,992) comparison men, all
    ``treat = 0``; ``published``: the published figures (``published.yaml``)."""

    experimental: pd.DataFrame
    psid: pd.DataFrame
    cps: pd.DataFrame
    published: dict


class LalondeDataError(ValueError):
    """A LaLonde file that breaks its stated format; the message names file, line, column, rule."""


def load_lalonde(folder: Path = LALONDE) -> LalondeData:
    """Read and check the three tables and the published figures.

    Every table must have exactly :data:`COLUMNS`; 0/1 columns hold only 0 and 1; ages, years of
    education and earnings (1982 US dollars) are non-negative numbers. The PSID and CPS tables
    hold comparison men only (``treat = 0``).
    """
    tables = {}
    for name, file in FILES.items():
        path = folder / file
        if not path.exists():
            raise LalondeDataError(f"{path}: missing; it ships with the repository (see {folder / 'README.md'})")
        frame = pd.read_csv(path)
        if tuple(frame.columns) != COLUMNS:
            raise LalondeDataError(
                f"{path}, line 1: the columns must be {', '.join(COLUMNS)}; found {', '.join(map(str, frame.columns))}"
            )
        for column in COLUMNS:
            values = pd.to_numeric(frame[column], errors="coerce")
            rule = values.isin((0, 1)) if column in BINARY else values.notna() & (values >= 0)
            if name != "experimental" and column == "treat":
                rule = values == 0
            bad = (~rule).to_numpy().nonzero()[0]
            if len(bad):
                allowed = (
                    "0 (a comparison man)"
                    if name != "experimental" and column == "treat"
                    else "0 or 1"
                    if column in BINARY
                    else "a non-negative number"
                )
                raise LalondeDataError(
                    f"{path}, line {bad[0] + 2}, column {column}: {frame[column].iloc[bad[0]]!r} is not {allowed}"
                )
        tables[name] = frame
    published_path = folder / "published.yaml"
    published = yaml.safe_load(published_path.read_text(encoding="utf-8"))
    return LalondeData(experimental=tables["experimental"], psid=tables["psid"], cps=tables["cps"], published=published)

"""What the coverage studies in ``validation/`` say about an interval, for the notebooks to print
beside it.

Each study folder (written by ``python -m evaluation simulate``) holds ``coverage.csv`` and
``study.json``.  :func:`coverage_notes` picks, for each quantity asked about, the study whose
register size is nearest the data's (on a log scale) among those whose process defines the
quantity's truth, and says in a sentence whether its intervals covered the truth as often as they
should (within the Monte Carlo band around the nominal level) — from the numbers, so the sentence
stays true when the studies are re-run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .paths import VALIDATION


def studies(folder: Path = VALIDATION) -> list[tuple[dict, pd.DataFrame]]:
    """Every study under ``folder``: (its ``study.json``, its coverage table), smallest first."""
    found = []
    for facts_file in sorted(folder.glob("*/study.json")):
        facts = json.loads(facts_file.read_text(encoding="utf-8"))
        facts["folder"] = facts_file.parent.name
        found.append((facts, pd.read_csv(facts_file.parent / "coverage.csv", index_col="quantity")))
    return sorted(found, key=lambda s: (s[0]["clients"], s[0]["folder"]))


def coverage_notes(quantities, clients: int, folder: Path = VALIDATION) -> list[str]:
    """One sentence for each quantity whose intervals fell outside the Monte Carlo band in the
    nearest study that knows its truth, and one sentence naming those that did not; nothing when
    no study has them.  ``quantities``: the study's names (``cox.employment.age_at_entry``), or a
    mapping of them to the names to use in the sentences."""
    labels = quantities if isinstance(quantities, dict) else {}
    found = studies(folder)
    flagged, fine = [], []
    for quantity in quantities:
        known = [(facts, table) for facts, table in found
                 if quantity in table.index and table.at[quantity, "verdict"] != "no truth"]
        if not known:
            continue
        facts, table = min(known, key=lambda s: abs(math.log(s[0]["clients"] / max(clients, 1))))
        row = table.loc[quantity]
        name = labels.get(quantity, quantity)
        if row["verdict"] == "ok":
            fine.append((name, facts))
            continue
        level = 1 - facts["alpha"] if row["kind"] == "interval" else facts["alpha"]
        half = 1.959963984540054 * math.sqrt(level * (1 - level) / row["replications"])
        what = ("covered the truth" if row["kind"] == "interval" else "rejected a true null")
        reading = {"under": "the interval may be too narrow here: read it as somewhat wider than printed",
                   "over": "the interval is conservative here (wider than it needs to be)",
                   "too many rejections": "the test rejects too often here",
                   "conservative": "the test rejects too seldom here"}[row["verdict"]]
        flagged.append(f"Coverage study ({facts['folder']}: {facts['replications']:,} registers of "
                       f"{facts['clients']:,} clients drawn from a known truth): the {round(100 * (1 - facts['alpha']))} % "
                       f"intervals of {name} {what} in {100 * row['coverage']:.1f} % of them (Monte Carlo band "
                       f"{100 * (level - half):.1f}–{100 * (level + half):.1f} %); {reading} (of some forty "
                       "quantities in a study, one or two fall outside their band by chance).")
    if fine:
        by_study = {}
        for name, facts in fine:
            by_study.setdefault(facts["folder"], (facts, []))[1].append(name)
        for folder_name, (facts, names) in by_study.items():
            flagged.append(f"Coverage study ({folder_name}, {facts['clients']:,} clients): the intervals of "
                           f"{', '.join(names)} covered the truth as often as they should.")
    return flagged

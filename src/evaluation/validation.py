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


#: Fewer replications than this where a quantity was estimable: the study cannot speak for it.
MIN_REPLICATIONS = 200


def coverage_notes(quantities, clients: int, of: str = "", folder: Path = VALIDATION) -> list[str]:
    """One sentence for each quantity whose intervals fell outside the Monte Carlo band in the
    nearest study that knows its truth, one naming those that did not, one naming those the study
    could estimate too rarely to say (fewer than :data:`MIN_REPLICATIONS` registers); nothing when
    no study has them.  ``quantities``: the study's names (``cox.employment.age_at_entry``), or a
    mapping of them to the names to use in the sentences; ``of`` goes before the names ("the hazard
    ratio of").  Nearest is by register size on a log scale; among studies of one size, the default
    process' (cause-specific) first."""
    labels = quantities if isinstance(quantities, dict) else {}
    found = studies(folder)
    flagged, fine, rare = [], {}, {}
    for quantity in quantities:
        known = [(facts, table) for facts, table in found
                 if quantity in table.index and table.at[quantity, "verdict"] != "no truth"]
        if not known:
            continue
        facts, table = min(known, key=lambda s: (abs(math.log(s[0]["clients"] / max(clients, 1))),
                                                 s[0].get("design", "cause_specific") != "cause_specific"))
        row = table.loc[quantity]
        name = labels.get(quantity, quantity)
        if row["replications"] < MIN_REPLICATIONS:
            rare.setdefault(facts["folder"], (facts, []))[1].append(f"{name} ({row['replications']:,})")
            continue
        if row["verdict"] == "ok":
            fine.setdefault(facts["folder"], (facts, []))[1].append(name)
            continue
        level = 1 - facts["alpha"] if row["kind"] == "interval" else facts["alpha"]
        half = 1.959963984540054 * math.sqrt(level * (1 - level) / row["replications"])
        what = ("covered the truth" if row["kind"] == "interval" else "rejected a true null")
        reading = {"under": "the interval may be too narrow here: read it as somewhat wider than printed",
                   "over": "the interval is conservative here (wider than it needs to be)",
                   "too many rejections": "the test rejects too often here",
                   "conservative": "the test rejects too seldom here"}[row["verdict"]]
        flagged.append(f"Coverage study ({facts['folder']}: {facts['replications']:,} registers of "
                       f"{facts['clients']:,} clients drawn from a known truth): the "
                       f"{round(100 * (1 - facts['alpha']))} % intervals of {of}{' ' if of else ''}{name} {what} in "
                       f"{100 * row['coverage']:.1f} % of them (Monte Carlo band "
                       f"{100 * (level - half):.1f}–{100 * (level + half):.1f} %); {reading} (of some forty "
                       "quantities in a study, one or two fall outside their band by chance).")
    for folder_name, (facts, names) in fine.items():
        flagged.append(f"Coverage study ({folder_name}, {facts['clients']:,} clients): the intervals of "
                       f"{of}{' ' if of else ''}{', '.join(names)} covered the truth as often as they should.")
    for folder_name, (facts, names) in rare.items():
        flagged.append(f"Coverage study ({folder_name}): {of}{' ' if of else ''}{', '.join(names)} could be estimated "
                       f"in too few of its {facts['replications']:,} registers (in brackets) for it to say.")
    return flagged

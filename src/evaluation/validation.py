"""What the coverage studies in ``validation/`` say about an interval, for the notebooks to print
beside it.

Each study folder (written by ``python -m evaluation simulate``) holds ``coverage.csv`` and
``study.json``.  :func:`coverage_notes` picks, for each quantity asked about, the study whose
register size is nearest the data's (on a log scale) among those drawn from the process the
data came from (:func:`dataset_process`: a synthetic dataset's ``dataset.yaml`` names it), and
says in a sentence whether its intervals covered the truth as often as they should (within the
Monte Carlo band around the nominal level) — from the numbers, so the sentence stays true when
the studies are re-run.  A quantity that process has no true value for (the Fine–Gray
coefficients of a cause-specific process, the Cox coefficients of a Fine–Gray one) is said to
have none, not given another process' study.  :func:`not_validated` says it of intervals no
study covers (the quantile days, the Kaplan–Meier median, predicted probabilities, risk and odds
ratios, Mantel–Haenszel, Firth, the cost bootstrap).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from .paths import VALIDATION

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["coverage_notes", "dataset_process", "not_validated"]


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


#: How a study's ``design`` is named in a sentence.
DESIGNS = {"cause_specific": "a cause-specific hazards process", "fine_gray": "a Fine–Gray (subdistribution) process"}


def dataset_process(meta: dict) -> str | None:
    """The process file a dataset's clients were drawn from (``dataset.yaml``'s ``process``, e.g.
    ``data/synthetic/process.yaml``) when its clients are synthetic (``synthetic: true`` and no
    ``sources: clients:`` other than ``synthetic``); None for real data, whose process nobody
    knows."""
    sources = meta.get("sources") or {}
    if not meta.get("synthetic") or sources.get("clients", "synthetic") != "synthetic":
        return None
    return meta.get("process") or None


def _same_process(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and Path(a).as_posix().lstrip("./") == Path(b).as_posix().lstrip("./")


def not_validated(names, of: str = "") -> str:
    """The sentence for intervals (or tests) no coverage study in ``validation/`` measured:
    ``names`` (a list, or one name) of what is printed, ``of`` before them as in
    :func:`coverage_notes`.  Notebooks print it beside those intervals: their nominal level is
    the method's claim, untested on registers like this one."""
    names = [names] if isinstance(names, str) else list(names)
    return (
        f"Not validated: no coverage study in validation/ measured how often the intervals of "
        f"{of}{' ' if of else ''}{', '.join(names)} cover the truth; their level is the method's claim, "
        "untested at a register like this one."
    )


def coverage_notes(
    quantities, clients: int, of: str = "", folder: Path = VALIDATION, process: str | None = None
) -> list[str]:
    """One sentence for each quantity whose intervals fell outside the Monte Carlo band in the
    nearest study, one naming those that did not, one naming those the study could estimate too
    rarely to say (fewer than :data:`MIN_REPLICATIONS` registers).  ``quantities``: the study's
    names (``cox.employment.age_at_entry``), or a mapping of them to the names to use in the
    sentences; ``of`` goes before the names ("the hazard ratio of").  Nearest is by register size
    on a log scale.

    ``process``: the process file the data were drawn from (:func:`dataset_process`).  Given,
    only that process' studies speak: a quantity with no true value there gets a sentence saying
    so (its interval is not validated by any study of that process), and one no study of that
    process has is named in a :func:`not_validated` sentence.  None (real data): the nearest
    study that defines the quantity's truth speaks, as an analogy (the default process'
    studies, cause-specific, first among studies of one size); nothing when no study has it."""
    labels = quantities if isinstance(quantities, dict) else {}
    found = studies(folder)
    if process is not None:
        found = [(facts, table) for facts, table in found if _same_process(facts.get("process"), process)]
    flagged, fine, rare, no_truth, missing = [], {}, {}, {}, []
    for quantity in quantities:
        present = [(facts, table) for facts, table in found if quantity in table.index]
        known = [(facts, table) for facts, table in present if table.at[quantity, "verdict"] != "no truth"]
        if not known:
            if process is not None and present:
                facts = min(present, key=lambda s: abs(math.log(s[0]["clients"] / max(clients, 1))))[0]
                no_truth.setdefault(facts["folder"], (facts, []))[1].append(labels.get(quantity, quantity))
            elif process is not None:
                missing.append(labels.get(quantity, quantity))
            continue
        facts, table = min(
            known,
            key=lambda s: (
                abs(math.log(s[0]["clients"] / max(clients, 1))),
                s[0].get("design", "cause_specific") != "cause_specific",
            ),
        )
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
        what = "covered the truth" if row["kind"] == "interval" else "rejected a true null"
        reading = {
            "under": "the interval may be too narrow here: read it as somewhat wider than printed",
            "over": "the interval is conservative here (wider than it needs to be)",
            "too many rejections": "the test rejects too often here",
            "conservative": "the test rejects too seldom here",
        }[row["verdict"]]
        flagged.append(
            f"Coverage study ({facts['folder']}: {facts['replications']:,} registers of "
            f"{facts['clients']:,} clients drawn from a known truth): the "
            f"{round(100 * (1 - facts['alpha']))} % intervals of {of}{' ' if of else ''}{name} {what} in "
            f"{100 * row['coverage']:.1f} % of them (Monte Carlo band "
            f"{100 * (level - half):.1f}–{100 * (level + half):.1f} %); {reading} (of some forty "
            "quantities in a study, one or two fall outside their band by chance)."
        )
    for folder_name, (facts, names) in fine.items():
        flagged.append(
            f"Coverage study ({folder_name}, {facts['clients']:,} clients): the intervals of "
            f"{of}{' ' if of else ''}{', '.join(names)} covered the truth as often as they should."
        )
    for folder_name, (facts, names) in rare.items():
        flagged.append(
            f"Coverage study ({folder_name}): {of}{' ' if of else ''}{', '.join(names)} could be estimated "
            f"in too few of its {facts['replications']:,} registers (in brackets) for it to say."
        )
    for folder_name, (facts, names) in no_truth.items():
        design = DESIGNS.get(facts.get("design", ""), "this process")
        flagged.append(
            f"Coverage study ({folder_name}, drawn from {facts.get('process', 'the process')}, {design}, "
            f"as these data were): {of}{' ' if of else ''}{', '.join(names)}: no true value in this "
            "process, so the study cannot say whether the intervals cover the truth: not validated."
        )
    if missing:
        flagged.append(not_validated(missing, of))
    return flagged

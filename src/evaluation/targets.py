"""Published numbers as data: what the report says, and how to compute it from a dataset.

A target (in ``data/published/wassup_report.yaml`` and in a dataset's ``targets``) is a mapping::

    id: share_employed
    fact: clients who moved to work after the project
    value: 0.40            # the published number, in the unit of `compute`
    unit: share            # share (0..1), count, percent (0..100), ratio
    compute: {kind: group_share, group: employment}
    comparison: approx     # approx: |computed - value| <= tolerance; greater_than: computed > value
    tolerance: 0.005       # the report's rounding
    finnish: "Hankkeen asiakkaista 40 % siirtyi hankkeen jälkeen töihin"

The kinds of ``compute`` are listed in :data:`KINDS`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .describe import monthly_value, outcomes_by_group, subsidy_by_sector
from .paths import PUBLISHED_TARGETS

#: compute kind -> the keys it needs besides ``kind``.
KINDS: dict[str, tuple[str, ...]] = {
    "client_count": (),
    "group_count": ("group",),
    "group_share": ("group",),
    "monthly_value": ("column", "month"),
    "monthly_ratio": ("column", "start", "end"),
    "subsidy_share": ("sector",),
    "continuation_share": ("sector",),
}
COMPARISONS = ("approx", "greater_than")
REQUIRED = ("id", "fact", "value", "unit", "compute", "comparison")


def load_published_targets(path: str | Path = PUBLISHED_TARGETS) -> list[dict]:
    """The report's targets from ``data/published/wassup_report.yaml``."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    targets = document["targets"]
    problems = target_problems(targets)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return targets


def target_problems(targets: Any) -> list[str]:
    """Every way ``targets`` breaks the format above (empty list when valid)."""
    if not isinstance(targets, list):
        return ["targets must be a list of mappings"]
    problems = []
    seen = set()
    for i, target in enumerate(targets, start=1):
        where = f"target {i}"
        if not isinstance(target, dict):
            problems.append(f"{where} must be a mapping")
            continue
        where = f"target {target.get('id', i)!s}"
        problems += [f"{where}: key {key!r} is missing" for key in REQUIRED if key not in target]
        if target.get("id") in seen:
            problems.append(f"{where}: id appears twice")
        seen.add(target.get("id"))
        compute = target.get("compute")
        if not isinstance(compute, dict) or compute.get("kind") not in KINDS:
            problems.append(f"{where}: compute.kind must be one of {', '.join(KINDS)}")
        else:
            problems += [f"{where}: compute.{key} is missing" for key in KINDS[compute["kind"]]
                         if key not in compute]
        if target.get("comparison") not in COMPARISONS:
            problems.append(f"{where}: comparison must be one of {', '.join(COMPARISONS)}")
        if target.get("comparison") == "approx" and not isinstance(target.get("tolerance"), (int, float)):
            problems.append(f"{where}: an approx comparison needs a numeric tolerance")
        if not isinstance(target.get("value"), (int, float)) or isinstance(target.get("value"), bool):
            problems.append(f"{where}: value must be a number")
    return problems


def compute_target(dataset, target: dict) -> float | None:
    """The value of ``target`` computed from ``dataset`` (None when the data cannot give it)."""
    spec = target["compute"]
    kind = spec["kind"]
    clients, placements, monthly = dataset.clients, dataset.placements, dataset.monthly
    if kind == "client_count":
        return float(len(clients))
    if kind in ("group_count", "group_share"):
        table = outcomes_by_group(clients)
        if spec["group"] not in table.index:
            return None
        column = "n" if kind == "group_count" else "share"
        return float(table.at[spec["group"], column])
    if kind == "monthly_value":
        return monthly_value(monthly, spec["column"], str(spec["month"]))
    if kind == "monthly_ratio":
        start = monthly_value(monthly, spec["column"], str(spec["start"]))
        end = monthly_value(monthly, spec["column"], str(spec["end"]))
        if start is None or end is None or start == 0:
            return None
        return end / start
    if kind == "subsidy_share":
        value = subsidy_by_sector(placements).at[spec["sector"], "subsidy_share"]
        return None if pd.isna(value) else float(value)
    if kind == "continuation_share":
        sector = placements.loc[placements["sector"] == spec["sector"], "continued"]
        return None if sector.empty else float(sector.astype(bool).mean())
    raise ValueError(f"unknown target kind {kind}")


def check_targets(dataset, targets: list[dict] | None = None) -> pd.DataFrame:
    """One row per target: published, computed, tolerance, comparison and ``pass``.

    ``targets`` defaults to the dataset's own (``dataset.meta['targets']``); an empty table
    means there is nothing to compare.  ``pass`` is False when the data cannot give the value.
    """
    if targets is None:
        targets = dataset.meta.get("targets") or []
    rows = []
    for target in targets:
        computed = compute_target(dataset, target)
        if computed is None:
            passed = False
        elif target["comparison"] == "greater_than":
            passed = computed > target["value"]
        else:
            # a small epsilon keeps a value exactly on the rounding edge from failing on float noise
            passed = abs(computed - target["value"]) <= target["tolerance"] + 1e-12
        rows.append({
            "id": target["id"],
            "fact": target["fact"],
            "unit": target["unit"],
            "published": target["value"],
            "computed": np.nan if computed is None else computed,
            "comparison": target["comparison"],
            "tolerance": target.get("tolerance", np.nan),
            "pass": bool(passed),
            "finnish": target.get("finnish", ""),
        })
    columns = ["id", "fact", "unit", "published", "computed", "comparison", "tolerance", "pass", "finnish"]
    return pd.DataFrame(rows, columns=columns)


class TargetsMissed(AssertionError):
    """Raised by :func:`require_all_pass` (``strict=True``): the data miss published numbers."""


def require_all_pass(table: pd.DataFrame) -> None:
    """Fail loudly when any target misses, listing each miss with published and computed values."""
    missed = table.loc[~table["pass"]]
    if len(missed):
        lines = [f"{row.id}: published {row.published:g}, computed "
                 f"{'not available' if pd.isna(row.computed) else format(row.computed, '.4g')}"
                 for row in missed.itertuples()]
        raise TargetsMissed(f"{len(missed)} published target(s) missed: " + "; ".join(lines))


def reproduction_metrics(dataset, table: pd.DataFrame) -> dict[str, Any]:
    """The metrics of the reproduction notebook: monthly series, placements, targets."""
    from .describe import monthly_change

    months = dataset.monthly["month"]
    metrics: dict[str, Any] = {"monthly.period.start": str(months.min()),
                               "monthly.period.end": str(months.max())}
    for series, row in monthly_change(dataset.monthly).iterrows():
        metrics[f"monthly.{series}.start"] = row["start"]
        metrics[f"monthly.{series}.end"] = row["end"]
        if series != "activation_rate":
            metrics[f"monthly.{series}.change_pct"] = row["change_pct"]
    for sector, n in subsidy_by_sector(dataset.placements)["placements"].items():
        metrics[f"placements.{sector}.n"] = n
    for row in table.to_dict("records"):
        metrics[f"targets.{row['id']}.value"] = None if row["computed"] is None or pd.isna(row["computed"]) \
            else row["computed"]
        metrics[f"targets.{row['id']}.pass"] = bool(row["pass"])
    return metrics

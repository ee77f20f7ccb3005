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

The format (kinds of ``compute`` in :data:`KINDS`) is checked with the dataset contract
(:func:`evaluation.dataset.target_problems`); here the targets are computed and compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .describe import outcomes_by_group, subsidy_by_sector

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["STATUSES", "check_targets", "reproduction_metrics", "require_all_pass"]


@dataclass
class Computed:
    """A target's value from a dataset: exact (``value``), or only ``lower``..``upper`` (an
    official rate whose source suppressed a cell), or nothing (``reason`` says why); ``source``
    is where the monthly numbers came from (``official``, ``published``, ``synthetic``), None for
    client and placement targets."""

    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    source: str | None = None
    reason: str = ""
    detail: str = ""  # how the value was reached, for the reader (a ratio's two values)

    @property
    def available(self) -> bool:
        return self.value is not None or (self.lower is not None and self.upper is not None)


def _monthly(monthly: pd.DataFrame, column: str, month: str) -> Computed:
    if column not in monthly.columns:
        return Computed(reason=f"the monthly statistics have no {column} column")
    rows = monthly.loc[monthly["month"] == pd.Period(month, freq="M")]
    if rows.empty:
        return Computed(reason=f"the monthly statistics do not cover {month}")
    row = rows.iloc[0]
    source = str(row["source"]) if "source" in rows.columns else None
    if pd.notna(row[column]):
        return Computed(float(row[column]), float(row[column]), float(row[column]), source)
    bounds = [f"{column}_lower", f"{column}_upper"]
    if all(b in rows.columns and pd.notna(row[b]) for b in bounds):
        return Computed(None, float(row[bounds[0]]), float(row[bounds[1]]), source)
    return Computed(source=source, reason=f"{column} is empty in {month}")


def compute_target(dataset, target: dict) -> Computed:
    """The value of ``target`` computed from ``dataset`` (:class:`Computed`)."""
    spec = target["compute"]
    kind = spec["kind"]
    clients, placements, monthly = dataset.clients, dataset.placements, dataset.monthly
    if kind == "client_count":
        return Computed(float(len(clients)))
    if kind in ("group_count", "group_share"):
        table = outcomes_by_group(clients)
        if spec["group"] not in table.index:
            return Computed(reason=f"no outcome group {spec['group']}")
        return Computed(float(table.at[spec["group"], "n" if kind == "group_count" else "share"]))
    if kind == "monthly_value":
        return _monthly(monthly, spec["column"], str(spec["month"]))
    if kind == "monthly_ratio":
        start = _monthly(monthly, spec["column"], str(spec["start"]))
        end = _monthly(monthly, spec["column"], str(spec["end"]))
        if start.value is None or end.value is None or start.value == 0:
            return Computed(reason=start.reason or end.reason or f"{spec['column']} is 0 in {spec['start']}")
        sources = {start.source, end.source}
        return Computed(
            end.value / start.value,
            source=sources.pop() if len(sources) == 1 else "mixed",
            detail=f"{start.value:g} in {spec['start']}, {end.value:g} in {spec['end']}",
        )
    if kind == "subsidy_share":
        value = subsidy_by_sector(placements).at[spec["sector"], "subsidy_share"]
        return Computed(None if pd.isna(value) else float(value), reason="" if pd.notna(value) else "no subsidy euros")
    if kind == "continuation_share":
        sector = placements.loc[placements["sector"] == spec["sector"], "continued"]
        return Computed(
            None if sector.empty else float(sector.astype(bool).mean()),
            reason=f"no {spec['sector']} placements" if sector.empty else "",
        )
    raise ValueError(f"unknown target kind {kind}")


#: Monthly quantities the public tables do not publish as such: computed here by their published
#: definition, so a value that differs says the report used another definition or source.
DERIVED = {
    "activation_rate": "persons in services / (unemployed + persons in services), the six "
    "service columns; a suppressed cell counted as 1 to 4"
}
#: The statuses of a target, in the order a reader weighs them.
STATUSES = ("pass", "miss", "not reproducible from public statistics", "not available")


def _meets(target: dict, c: Computed) -> bool:
    lower = c.value if c.value is not None else c.lower
    upper = c.value if c.value is not None else c.upper
    if target["comparison"] == "greater_than":
        return lower > target["value"]
    # a small epsilon keeps a value exactly on the rounding edge from failing on float noise
    tol = target["tolerance"] + 1e-12
    return lower - tol <= target["value"] <= upper + tol


def _shown(c: Computed, unit: str) -> str:
    fmt = (lambda v: f"{v:.2f} %") if unit == "percent" else (lambda v: f"{v:.4g}")
    shown = fmt(c.value) if c.value is not None else f"{fmt(c.lower)}–{fmt(c.upper)}"
    return f"{shown} ({c.detail})" if c.detail else shown


def check_targets(dataset, targets: list[dict] | None = None) -> pd.DataFrame:
    """One row per target: published, computed (value or bounds), ``status`` and ``reason``.

    Status (:data:`STATUSES`): ``pass``; ``not available`` when the data cannot give the value
    (a missing column or month: not a miss); ``not reproducible from public statistics`` when
    the value comes from the official statistics and does not follow from them (the report must
    rest on another definition or source; the reason gives what the public tables say);
    ``miss`` otherwise.  ``targets`` defaults to the dataset's own; an empty table means there is
    nothing to compare.  ``pass`` is ``status == "pass"``.
    """
    if targets is None:
        targets = dataset.meta.get("targets") or []
    rows = []
    for target in targets:
        c = compute_target(dataset, target)
        if not c.available:
            status, reason = "not available", c.reason
        elif _meets(target, c):
            status, reason = "pass", ""
        elif c.source == "official" and target["compute"].get("column") in DERIVED:
            status = "not reproducible from public statistics"
            reason = (
                f"the public table StatFin 12r5 gives {_shown(c, target['unit'])} by the published "
                f"definition ({DERIVED[target['compute']['column']]}); the report's "
                f"{target['value']:g} must rest on another definition or source"
            )
        elif c.source == "official":
            status, reason = "miss", f"the official statistics give {_shown(c, target['unit'])}"
        else:
            status, reason = "miss", f"computed {_shown(c, target['unit'])}"
        rows.append(
            {
                "id": target["id"],
                "fact": target["fact"],
                "unit": target["unit"],
                "published": target["value"],
                "computed": c.value,
                "computed_lower": c.lower if c.value is None else None,
                "computed_upper": c.upper if c.value is None else None,
                "comparison": target["comparison"],
                "tolerance": target.get("tolerance") if target["comparison"] == "approx" else None,
                "status": status,
                "reason": reason,
                "pass": status == "pass",
                "source": c.source,
                "finnish": target.get("finnish", ""),
            }
        )
    columns = [
        "id",
        "fact",
        "unit",
        "published",
        "computed",
        "computed_lower",
        "computed_upper",
        "comparison",
        "tolerance",
        "status",
        "reason",
        "pass",
        "source",
        "finnish",
    ]
    table = pd.DataFrame(rows, columns=columns, dtype=object)
    table["pass"] = table["pass"].astype(bool)
    return table


def anchor_period(targets: list[dict] | None, column: str = "unemployed") -> tuple[str, str] | None:
    """The first and last month of the published values of a monthly ``column`` (the months a
    report's claims about the series refer to), or None with fewer than two such targets."""
    months = sorted(
        str(t["compute"]["month"])
        for t in targets or []
        if t["compute"]["kind"] == "monthly_value" and t["compute"].get("column") == column
    )
    return (months[0], months[-1]) if len(months) >= 2 else None


class TargetsMissed(AssertionError):
    """Raised by :func:`require_all_pass` (``strict=True``): the data miss published numbers."""


def require_all_pass(table: pd.DataFrame) -> None:
    """Fail loudly when the dataset's own tables miss a target or cannot give it, listing each
    with published and computed values.  A published number that the official statistics do not
    bear out (a miss or "not reproducible from public statistics" on ``source: official`` rows)
    is a finding about the report, not a defect of the data: it does not fail."""
    missed = table.loc[
        (table["status"] == "not available") | ((table["status"] == "miss") & (table["source"] != "official"))
    ]
    if len(missed):
        lines = [f"{row.id}: published {row.published:g}, {row.status}: {row.reason}" for row in missed.itertuples()]
        raise TargetsMissed(f"{len(missed)} published target(s) missed: " + "; ".join(lines))


def reproduction_metrics(dataset, table: pd.DataFrame) -> dict[str, Any]:
    """The metrics of the reproduction notebook: monthly series, placements, targets."""
    from .describe import monthly_change, study_months

    study = study_months(dataset)
    months = study["month"]
    metrics: dict[str, Any] = {
        "monthly.period.start": str(months.min()) if len(months) else None,
        "monthly.period.end": str(months.max()) if len(months) else None,
        "monthly.source": dataset.sources["monthly"],
    }
    for series, row in monthly_change(study).iterrows():
        metrics[f"monthly.{series}.start"] = row["start"]
        metrics[f"monthly.{series}.end"] = row["end"]
        if series != "activation_rate":
            metrics[f"monthly.{series}.change_pct"] = row["change_pct"]
    for sector, n in subsidy_by_sector(dataset.placements)["placements"].items():
        metrics[f"placements.{sector}.n"] = n
    for row in table.to_dict("records"):
        key = f"targets.{row['id']}"
        metrics[f"{key}.value"] = row["computed"]
        if row["computed_lower"] is not None:
            metrics[f"{key}.lower"], metrics[f"{key}.upper"] = row["computed_lower"], row["computed_upper"]
        metrics[f"{key}.pass"] = bool(row["pass"])
        metrics[f"{key}.status"] = row["status"]
    return metrics

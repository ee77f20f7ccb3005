"""Descriptive tables of a validated dataset: the numbers the report itself prints.

Pure functions: validated tables in, tidy tables out.  Shares are 0..1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocabulary import GROUPS, OUTCOME_GROUPS, SECTORS

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "column_summary",
    "dataset_summary",
    "monthly_change",
    "outcomes_by_code",
    "outcomes_by_group",
    "study_months",
    "subsidy_by_sector",
]


def outcomes_by_group(clients: pd.DataFrame) -> pd.DataFrame:
    """Clients by outcome group: ``n`` and ``share`` (of all clients, 0..1), in reporting order.

    Every group appears, with 0 where no client reached it.
    """
    counts = clients["outcome_group"].value_counts().reindex(list(GROUPS), fill_value=0)
    total = int(counts.sum())
    table = pd.DataFrame({"n": counts.astype("int64")})
    table["share"] = table["n"] / total if total else np.nan
    table.index.name = "outcome_group"
    return table


def outcomes_by_code(clients: pd.DataFrame) -> pd.DataFrame:
    """Clients by outcome code, with the group each code belongs to, ``n`` and ``share``."""
    counts = clients["outcome"].value_counts().reindex(list(OUTCOME_GROUPS), fill_value=0)
    table = pd.DataFrame({"outcome_group": pd.Series(OUTCOME_GROUPS), "n": counts.astype("int64")})
    table["share"] = table["n"] / max(int(table["n"].sum()), 1)
    table.index.name = "outcome"
    return table


def subsidy_by_sector(placements: pd.DataFrame) -> pd.DataFrame:
    """Pay-subsidy placements by sector: count, euros, share of euros (0..1), continued count.

    Every sector of the contract appears, with zeros where there were no placements.
    """
    grouped = placements.groupby("sector", observed=True)
    table = (
        pd.DataFrame(
            {
                "placements": grouped.size(),
                "subsidy_eur": grouped["subsidy_eur"].sum(),
                "continued": grouped["continued"].sum().astype("int64")
                if len(placements)
                else pd.Series(dtype="int64"),
            }
        )
        .reindex(list(SECTORS))
        .fillna(0)
    )
    table["placements"] = table["placements"].astype("int64")
    table["continued"] = table["continued"].astype("int64")
    total_n = int(table["placements"].sum())
    total_eur = float(table["subsidy_eur"].sum())
    table["placement_share"] = table["placements"] / total_n if total_n else np.nan
    table["subsidy_share"] = table["subsidy_eur"] / total_eur if total_eur > 0 else np.nan
    table.index.name = "sector"
    return table[["placements", "placement_share", "subsidy_eur", "subsidy_share", "continued"]]


def monthly_value(monthly: pd.DataFrame, column: str, month: str) -> float | None:
    """The value of ``column`` in ``month`` (``YYYY-MM``), or None when the data lack it."""
    if column not in monthly.columns:
        return None
    hit = monthly.loc[monthly["month"] == pd.Period(month, freq="M"), column]
    if hit.empty or pd.isna(hit.iloc[0]):
        return None
    return float(hit.iloc[0])


def study_months(dataset) -> pd.DataFrame:
    """The monthly rows of the study period (the months of ``study_start`` to ``study_end``), or
    every row when the series does not reach into the study period at all."""
    first = pd.Period(dataset.meta["study_start"], freq="M")
    last = pd.Period(dataset.meta["study_end"], freq="M")
    months = dataset.monthly["month"]
    inside = (months >= first) & (months <= last)
    return dataset.monthly.loc[inside if inside.any() else slice(None)].reset_index(drop=True)


def dataset_summary(dataset) -> pd.DataFrame:
    """What the dataset is: name, municipality, follow-up period, provenance and table sizes."""
    meta = dataset.meta
    months = dataset.monthly["month"]
    rows = [
        ("name", meta["name"]),
        ("municipality", f"{meta['municipality']} ({meta['municipality_code']})"),
        ("study period", f"{meta['study_start']} .. {meta['study_end']}"),
        ("synthetic", "yes" if dataset.synthetic else "no (real register data)"),
        ("sources", ", ".join(f"{table}: {source}" for table, source in dataset.sources.items())),
        ("clients", f"{len(dataset.clients)}"),
        ("placements", f"{len(dataset.placements)}"),
        ("monthly statistics", f"{len(months)} months, {months.min()} .. {months.max()}"),
    ]
    return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")


def column_summary(
    frame: pd.DataFrame, columns: list[str] | None = None, min_values: int | None = None
) -> pd.DataFrame:
    """One row per column: values present, missing, and a short summary of the values.

    Dates and numbers give their range; codes and booleans their counts; identifiers only the
    number of distinct values (never the values themselves).  With ``min_values`` (disclosure
    control of real data) a minimum or maximum, which is one person's value, is never shown:
    dates (to the month) and numbers give only their median, and only when at least
    ``min_values`` are present.
    """
    rows = []
    for column in columns or list(frame.columns):
        if column not in frame.columns:
            continue
        s = frame[column]
        present = s.dropna()
        quantitative = (
            isinstance(s.dtype, pd.PeriodDtype)
            or pd.api.types.is_datetime64_any_dtype(s)
            or (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) and s.dtype != "boolean")
        )
        if column.endswith("_id"):
            text = f"{present.nunique()} distinct"
        elif min_values is not None and quantitative:
            if present.size < min_values:
                text = f"not shown: fewer than {min_values} values"
            elif isinstance(s.dtype, pd.PeriodDtype):
                text = f"median {present.sort_values().iloc[(present.size - 1) // 2]}"
            elif pd.api.types.is_datetime64_any_dtype(s):  # a day is one person's: the month only
                text = f"median {present.sort_values().iloc[(present.size - 1) // 2]:%Y-%m}"
            else:
                text = f"median {present.median():g}"
        elif isinstance(s.dtype, pd.PeriodDtype):
            text = "" if present.empty else f"{present.min()} .. {present.max()}"
        elif pd.api.types.is_datetime64_any_dtype(s):
            text = "" if present.empty else f"{present.min().date()} .. {present.max().date()}"
        elif pd.api.types.is_bool_dtype(s) or s.dtype == "boolean":
            text = f"true {int(present.sum())}, false {int((~present.astype(bool)).sum())}"
        elif pd.api.types.is_numeric_dtype(s):
            text = "" if present.empty else f"{present.min():g} .. {present.max():g} (median {present.median():g})"
        else:
            counts = present.astype(str).value_counts().sort_index()
            text = ", ".join(f"{k} {v}" for k, v in counts.items())
        rows.append(
            {"column": column, "present": int(present.size), "missing": int(s.size - present.size), "values": text}
        )
    return pd.DataFrame(rows).set_index("column")


MONTHLY_SERIES = ("unemployed", "long_term_unemployed", "under_25_unemployed")


def monthly_change(monthly: pd.DataFrame) -> pd.DataFrame:
    """First and last value of each monthly series present, and the change in percent.

    One row per series (``unemployed``, ``long_term_unemployed``, ``under_25_unemployed``,
    ``activation_rate``): ``start_month``, ``start``, ``end_month``, ``end`` (the first and last
    month that has a value) and ``change_pct`` = 100 * (end - start) / start (None when start is 0).
    """
    rows = []
    for column in (*MONTHLY_SERIES, "activation_rate"):
        if column not in monthly.columns:
            continue
        present = monthly.loc[monthly[column].notna(), ["month", column]]
        if present.empty:
            continue
        first, last = present.iloc[0], present.iloc[-1]
        start, end = float(first[column]), float(last[column])
        rows.append(
            {
                "series": column,
                "start_month": str(first["month"]),
                "start": start,
                "end_month": str(last["month"]),
                "end": end,
                "change_pct": 100 * (end - start) / start if start else None,
            }
        )
    return pd.DataFrame(rows, columns=["series", "start_month", "start", "end_month", "end", "change_pct"]).set_index(
        "series"
    )

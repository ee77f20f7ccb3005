"""The report's figures, redrawn from the data: the town's monthly series, clients' outcomes, pay-subsidy sectors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..text import month_label, number, percent
from .base import (
    COLOURS,
    PRINT_FONTS,
    _anchor_months,
    _count,
    _missing,
    _shade_period,
    mark_source,
    mark_synthetic,
    period_axis,
    print_figure,
    print_figure_with_key,
    print_title,
    wrap,
)
from .labels import label, text

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "AREA_COLOURS", "activation_rate_by_month", "clients_by_outcome", "continuation_rate_by_sector",
    "placements_by_sector", "subsidy_euros_by_sector", "unemployed_by_month", "unemployed_indexed_by_area",
]


def unemployed_by_month(monthly, *, lang: str = "fi", synthetic: bool = False, official: bool = False,
                        targets: list[dict] | None = None, title: str | None = None,
                        period: tuple[str, str] | None = None):
    """Kaavio 1: unemployed job seekers by month, total, long-term and under 25.

    The period is the data's; ``period`` (first and last month of the project) is shaded. The
    report's anchor values (published targets on ``unemployed``) are annotated where the data
    hold their months.  ``official``: the series is official statistics (source line under the
    figure); ``synthetic``: it is synthetic (a mark says so).
    """
    months = list(monthly["month"])
    fig, ax = plt.subplots(figsize=(8, 4.6))
    x = range(len(months))
    _shade_period(ax, months, period, lang)
    for column in ("unemployed", "long_term_unemployed", "under_25_unemployed"):
        if column in monthly.columns and monthly[column].notna().any():
            ax.plot(x, monthly[column].astype("float64"), marker="o", markersize=2.5,
                    color=COLOURS[column], label=label(column, lang))
    index = {str(m): i for i, m in enumerate(months)}
    for month, value in _anchor_months(targets, "unemployed").items():
        if month in index:
            i = index[month]
            ax.plot([i], [value], marker="o", markersize=9, markerfacecolor="none",
                    markeredgecolor="black", linestyle="none")
            ax.annotate(f"{number(value, lang, 0)} ({month_label(months[i], lang)})", xy=(i, value),
                        xytext=(6, 10), textcoords="offset points", ha="left", fontweight="bold")
    first, last = month_label(months[0], lang), month_label(months[-1], lang)
    default = text("unemployed.title", lang, first=first, last=last)
    ax.set_title(title or default)
    ax.set_ylabel(label("persons", lang))
    top = max(float(monthly[c].max()) for c in ("unemployed", "long_term_unemployed", "under_25_unemployed")
              if c in monthly.columns and monthly[c].notna().any())
    ax.set_ylim(0, top * 1.32)  # room for the legend above the curves
    return _finish_monthly(fig, ax, months, lang, synthetic=synthetic, official=official, loc="upper center", ncol=2)


def _finish_monthly(fig, ax, months, lang: str, *, synthetic: bool, official: bool, loc: str, ncol: int = 1):
    """What both monthly figures end with: the month axis, the legend at ``loc`` in ``ncol``
    columns, the synthetic-data mark and, for official statistics, the source line."""
    period_axis(ax, months, lang)
    ax.legend(loc=loc, ncol=ncol, fontsize=8)
    mark_synthetic(fig, synthetic, lang)
    if official:
        mark_source(ax, lang)
    return fig


AREA_COLOURS = {"municipality": "#0072B2", "subregion": "#E69F00", "region": "#009E73", "country": "#444444"}


def unemployed_indexed_by_area(series, *, lang: str = "fi", base: str,
                               period: tuple[str, str] | None = None):
    """Unemployed in the municipality and in the rest of its sub-region, region and country,
    each indexed to ``base`` (a month, ``YYYY-MM``) = 100.

    ``series`` is :func:`evaluation.official.area_series`.  Official statistics only: a source
    line, no synthetic mark.  The summary shows it: drawn at its print size
    (:func:`evaluation.figures.base.print_figure`).
    """
    months = sorted(series["month"].unique())
    fig, ax, key = print_figure_with_key(95, 26)
    _shade_period(ax, months, period, lang)
    position = {m: i for i, m in enumerate(months)}
    for area in ("country", "region", "subregion", "municipality"):
        rows = series.loc[series["area"] == area]
        if rows.empty:
            continue
        name = rows["name"].iloc[0]
        ax.plot([position[m] for m in rows["month"]], rows["index"], color=AREA_COLOURS[area],
                linewidth=1.8 if area == "municipality" else 1.1,
                label=text(f"area.{area}", lang, name=name))
        end = rows.iloc[-1]
        ax.annotate(number(end["index"], lang, 0), xy=(position[end["month"]], end["index"]),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=PRINT_FONTS["note"],
                    color=AREA_COLOURS[area])
    ax.axhline(100, color="#888888", linewidth=0.8, linestyle=":")
    base_label = month_label(pd.Period(base, freq="M"), lang)
    # the base month and "= 100" kept on one line
    print_title(ax, text("area.title", lang, base=base_label.replace(" ", "\u00a0")).replace(" = ", "\u00a0=\u00a0"))
    ax.set_ylabel(text("area.index", lang), fontsize=PRINT_FONTS["label"])
    period_axis(ax, months, lang, max_ticks=8)
    handles, names = ax.get_legend_handles_labels()
    key.legend(handles, [wrap(n, 34) for n in names], loc="center left", fontsize=PRINT_FONTS["legend"])
    mark_source(ax, lang)
    return fig


def activation_rate_by_month(monthly, *, lang: str = "fi", synthetic: bool = False, official: bool = False,
                             targets: list[dict] | None = None, period: tuple[str, str] | None = None):
    """The activation rate (percent) by month.

    Where the source suppressed a service cell the rate is known only between
    ``activation_rate_lower`` and ``activation_rate_upper``: drawn as a band (with the exact
    rate as a line where it is known).  The report's published values (targets on
    ``activation_rate``) are drawn as black rings with their value, beside the data.
    """
    months = list(monthly["month"])
    x = np.arange(len(months))
    exact = monthly["activation_rate"].astype("float64") if "activation_rate" in monthly else None
    has_bounds = {"activation_rate_lower", "activation_rate_upper"} <= set(monthly.columns)
    lower = monthly["activation_rate_lower"].astype("float64") if has_bounds else exact
    upper = monthly["activation_rate_upper"].astype("float64") if has_bounds else exact
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.set_title(text("activation.title", lang))
    if lower is None or lower.isna().all():
        ax.text(0.5, 0.5, text("activation.none", lang),
                ha="center", va="center", transform=ax.transAxes)
        mark_synthetic(fig, synthetic, lang)
        return fig
    _shade_period(ax, months, period, lang)
    colour = COLOURS["activation_rate"]
    middle = (lower + upper) / 2
    ax.plot(x, middle, color=colour, linewidth=1.4, label=label("activation_rate", lang))
    if has_bounds and (upper - lower).max() > 0:
        ax.fill_between(x, lower, upper, color=colour, alpha=0.3, linewidth=0,
                        label=text("activation.band", lang))
    index = {str(m): i for i, m in enumerate(months)}
    anchors = {m: v for m, v in _anchor_months(targets, "activation_rate").items() if m in index}
    for k, (month, value) in enumerate(sorted(anchors.items())):
        i = index[month]
        ax.plot([i], [value], marker="o", markersize=8, markerfacecolor="none", markeredgecolor="black",
                linestyle="none", label=text("activation.report", lang) if k == 0 else None)
        ax.annotate(f"{percent(value, lang)}\n{month_label(months[i], lang)}", xy=(i, value),
                    xytext=(0, 10), textcoords="offset points", ha="center", fontsize=8, fontweight="bold")
    top = float(np.nanmax([upper.max(), *(anchors.values() or [0])]))
    ax.set_ylabel(label("percent", lang))
    ax.set_ylim(0, max(60.0, top * 1.25))
    return _finish_monthly(fig, ax, months, lang, synthetic=synthetic, official=official, loc="upper left")


def placements_by_sector(table, *, lang: str = "fi", synthetic: bool = False):
    """Kaavio 2: pay-subsidised employments by type of employing organisation.

    ``table`` is :func:`evaluation.describe.subsidy_by_sector` (counts and euro shares).
    """
    notes = []
    for _, row in table.iterrows():
        if _missing(row["placements"]):
            notes.append(label("suppressed", lang))
        else:
            share = "" if _missing(row["subsidy_share"]) else (
                f"\n{percent(100 * row['subsidy_share'], lang, 0)} " + text("sectors.of_euros", lang))
            notes.append(f"{int(row['placements'])}{share}")
    counts = [_count(v) for v in table["placements"]]
    return _sector_bars(table.index, counts, notes, title=text("sectors.title", lang),
                        ylabel=label("placements", lang), headroom=1.3, lang=lang, synthetic=synthetic)


def clients_by_outcome(table, *, lang: str = "fi", synthetic: bool = False):
    """Where the clients went: clients by outcome group, counts and shares.

    ``table`` is :func:`evaluation.describe.outcomes_by_group`.  The summary shows it: drawn
    at its print size (:func:`evaluation.figures.base.print_figure`).
    """
    table = table.iloc[::-1]
    fig, ax = print_figure(16 + 9 * len(table))
    counts = [_count(v) for v in table["n"]]
    bars = ax.barh([wrap(label(g, lang)) for g in table.index], counts,
                   color=[COLOURS.get(g, "#999999") for g in table.index])
    for bar, (_, row) in zip(bars, table.iterrows()):
        note = (label("suppressed", lang).replace("\n", " ") if _missing(row["n"])
                else f"{int(row['n'])} ({percent(100 * row['share'], lang, 0)})")
        ax.annotate(note, xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=PRINT_FONTS["note"])
    print_title(ax, text("outcomes.title", lang))
    ax.set_xlabel(label("clients", lang), fontsize=PRINT_FONTS["label"])
    ax.set_xlim(0, max([1, *counts]) * 1.4)
    ax.grid(axis="y", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig


def _sector_names(index, lang: str) -> list[str]:
    return [label("other_sector" if s == "other" else s, lang) for s in index]


def continuation_rate_by_sector(table, *, lang: str = "fi", synthetic: bool = False, alpha: float = 0.05):
    """Share of placements followed by continued employment, by sector, with Wilson intervals.

    ``table`` is :func:`evaluation.sectors.continuation_by_sector`; sectors without placements
    are named on the axis with "no placements" instead of a point.  The dotted line is 50 %
    (a majority, the report's claim for companies), labelled in the legend.  The summary shows
    it: drawn at its print size (:func:`evaluation.figures.base.print_figure`).
    """
    fig, ax = print_figure(62)
    names = _sector_names(table.index, lang)
    for i, (sector, row) in enumerate(table.iterrows()):
        if _missing(row["rate"]):
            suppressed = "suppressed" in str(row.get("note", ""))
            note = label("suppressed", lang) if suppressed else text("continuation.none", lang)
            ax.annotate(note, xy=(i, 25), ha="center", fontsize=PRINT_FONTS["note"], color="#666666")
            continue
        colour = COLOURS.get(sector, "#666666")
        ax.errorbar([i], [100 * row["rate"]], yerr=[[100 * (row["rate"] - row["lower"])],
                                                     [100 * (row["upper"] - row["rate"])]],
                    fmt="o", color=colour, capsize=4, markersize=5, linewidth=1.5)
        ax.annotate(f"{row['continued']}/{row['placements']}", xy=(i, 100 * row["upper"]), xytext=(0, 4),
                    textcoords="offset points", ha="center", fontsize=PRINT_FONTS["note"])
    ax.axhline(50, color="#666666", linestyle=":", linewidth=1, label=text("continuation.majority", lang))
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, fontsize=PRINT_FONTS["label"])
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(0, 105)
    level = round(100 * (1 - alpha))
    ax.set_ylabel(wrap(text("continuation.y", lang, level=level), 30), fontsize=PRINT_FONTS["label"])
    print_title(ax, text("continuation.title", lang))
    ax.legend(loc="lower left", fontsize=PRINT_FONTS["legend"])
    ax.grid(axis="x", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig


def subsidy_euros_by_sector(table, *, lang: str = "fi", synthetic: bool = False):
    """Pay-subsidy euros by sector with each sector's share of all euros.

    ``table`` is :func:`evaluation.sectors.placements_by_sector`.
    """
    euros = [_count(v) / 1000 for v in table["subsidy_eur"]]
    notes = [label("suppressed", lang) if _missing(row["subsidy_eur"]) else (
        "" if _missing(row["subsidy_share"]) else percent(100 * row["subsidy_share"], lang, 0))
        for _, row in table.iterrows()]
    return _sector_bars(table.index, euros, notes, title=text("euros.title", lang), ylabel=text("euros.y", lang),
                        headroom=1.2, lang=lang, synthetic=synthetic)


def _sector_bars(sectors, heights, notes, *, title: str, ylabel: str, headroom: float, lang: str,
                 synthetic: bool):
    """The sector bar chart both sector figures draw: one bar per sector in its colour, its note
    above it, the y axis from 0 to ``headroom`` times the tallest bar (at least 1)."""
    fig, ax = plt.subplots(figsize=(7, 4.0))
    bars = ax.bar(_sector_names(sectors, lang), heights, color=[COLOURS.get(s, "#999999") for s in sectors])
    for bar, note in zip(bars, notes):
        ax.annotate(note, xy=(bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, max([1, *heights]) * headroom)
    ax.grid(axis="x", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig

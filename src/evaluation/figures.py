"""Figures: one style for the repository, deterministic files, Finnish or English labels.

Every figure function takes tables (from the analysis modules or the validated dataset) and
returns a matplotlib Figure; :func:`save_figure` writes it as PNG (200 dpi) and SVG with no
dates or software versions in the metadata and a fixed ``svg.hashsalt``, so the same data give
byte-identical files.  A figure of a synthetic dataset carries a visible mark saying so.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .files import write_atomic
from .text import check_lang, month_label, number, percent  # noqa: F401  (the figures' number formats)

STYLE = Path(__file__).with_name("wassup.mplstyle")
#: Okabe-Ito colours by meaning, so a group has the same colour in every figure.
COLOURS = {
    "employment": "#0072B2",
    "activation": "#E69F00",
    "retirement": "#009E73",
    "other": "#CC79A7",
    "censored": "#999999",
    "company": "#0072B2",
    "association": "#E69F00",
    "municipality": "#009E73",
    "unemployed": "#0072B2",
    "long_term_unemployed": "#D55E00",
    "under_25_unemployed": "#009E73",
    "activation_rate": "#CC79A7",
}


#: Labels in both languages; keys are the repository's own names.
LABELS = {
    "fi": {
        "synthetic": "synteettinen aineisto",
        "employment": "työllistyminen",
        "activation": "työkokeilu tai kuntouttava työtoiminta",
        "retirement": "eläke",
        "other": "muu (koulutus, muutto, keskeytys)",
        "censored": "edelleen työtön / seuranta päättyi",
        "company": "yritykset",
        "association": "yhdistykset",
        "municipality": "kunta",
        "other_sector": "muut",
        "unemployed": "työttömät työnhakijat",
        "long_term_unemployed": "pitkäaikaistyöttömät",
        "under_25_unemployed": "alle 25-vuotiaat työttömät",
        "activation_rate": "aktivointiaste",
        "persons": "henkilöä",
        "clients": "asiakkaita",
        "placements": "palkkatukityöllistämisiä",
        "month": "kuukausi",
        "percent": "%",
        "euros": "euroa",
        "suppressed": "pieni määrä:\nei näytetä",
    },
    "en": {
        "synthetic": "synthetic data",
        "employment": "employment",
        "activation": "work trial or rehabilitative work",
        "retirement": "retirement",
        "other": "other (education, moved, dropped out)",
        "censored": "still unemployed / follow-up ended",
        "company": "companies",
        "association": "associations",
        "municipality": "municipality",
        "other_sector": "other",
        "unemployed": "unemployed job seekers",
        "long_term_unemployed": "long-term unemployed",
        "under_25_unemployed": "unemployed under 25",
        "activation_rate": "activation rate",
        "persons": "persons",
        "clients": "clients",
        "placements": "pay-subsidised employments",
        "month": "month",
        "percent": "%",
        "euros": "euros",
        "suppressed": "small count:\nnot shown",
    },
}


def _missing(value) -> bool:
    """None or NaN: not estimable, or suppressed by disclosure control."""
    return value is None or value != value


def _count(value) -> float:
    """A bar height: a suppressed or missing count is drawn as no bar."""
    return 0.0 if _missing(value) else float(value)


def use_style() -> None:
    """Apply the repository's one figure style (colour-blind-safe, fixed hash salt).

    Importing this module applies it once; :func:`evaluation.notebook.start` applies it again
    when the module is loaded, so a notebook's figures never depend on an earlier cell's style."""
    plt.style.use(str(STYLE))


use_style()


def label(key: str, lang: str) -> str:
    """The ``lang`` label of ``key``, or ``key`` itself when there is none."""
    return LABELS[_lang(lang)].get(key, key)


def _lang(lang: str) -> str:
    if lang not in LABELS:
        raise ValueError(f"lang must be 'fi' or 'en', not {lang!r}")
    return lang


def mark_synthetic(fig, synthetic: bool, lang: str, part: str | None = None) -> None:
    """Put a visible 'synthetic data' mark on a figure made from a synthetic dataset; ``part``
    names what is synthetic when the figure also shows official statistics."""
    if synthetic:
        text = label("synthetic", lang).upper() + (f": {part}" if part else "")
        fig.text(0.995, 0.995, text, ha="right", va="top",
                 fontsize=8, color="#B00000", alpha=0.85, fontweight="bold")


def source_line(lang: str) -> str:
    """The source line of official statistics (StatFin 12r5, with its licence)."""
    from .official import SOURCE_LINE

    return SOURCE_LINE[_lang(lang)]


def mark_source(ax, lang: str) -> None:
    """The source line under a figure of official statistics: the bottom axes' x label, so it
    sits below the tick labels whatever their size."""
    ax.set_xlabel(source_line(lang), fontsize=7, color="#444444", loc="left")


def save_figure(fig, folder: str | Path, name: str) -> dict[str, Path]:
    """Write ``fig`` as ``<folder>/<name>.png`` (200 dpi) and ``.svg``, byte-stable; close it.

    Returns
    -------
    dict with keys ``png`` and ``svg``.
    """
    folder = Path(folder)
    paths = {}
    for fmt, meta in (("png", {"Software": None}),
                      ("svg", {"Date": None, "Creator": None})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, metadata=meta)
        paths[fmt] = write_atomic(folder / f"{name}.{fmt}", buffer.getvalue())
    plt.close(fig)
    return paths


def period_axis(ax, months, lang: str) -> None:
    """Month ticks every month, quarter, half-year or year (at most about 16 ticks), on
    calendar boundaries (January, July, ...), labelled in ``lang``."""
    step = next(s for s in (1, 3, 6, 12, 24) if len(months) / s <= 16)
    ticks = [i for i, m in enumerate(months) if (m.month - 1) % step == 0] if step > 1 else list(range(len(months)))
    ax.set_xticks(ticks)
    ax.set_xticklabels([month_label(months[i], lang) for i in ticks], rotation=45, ha="right")
    ax.set_xlim(-0.5, len(months) - 0.5)


def _anchor_months(targets: list[dict] | None, column: str) -> dict[str, float]:
    """Published values of ``column`` by month, from the targets of kind monthly_value."""
    found = {}
    for target in targets or []:
        spec = target["compute"]
        if spec["kind"] == "monthly_value" and spec.get("column") == column:
            found[str(spec["month"])] = float(target["value"])
    return found


def _shade_period(ax, months, period: tuple[str, str] | None, lang: str) -> None:
    """Shade the project's months (``period`` = first and last month, ``YYYY-MM``)."""
    if not period:
        return
    index = {str(m): i for i, m in enumerate(months)}
    first, last = index.get(period[0]), index.get(period[1])
    if first is None or last is None:
        return
    ax.axvspan(first - 0.5, last + 0.5, color="#DDDDDD", alpha=0.6, linewidth=0, zorder=0,
               label="hanke" if lang == "fi" else "project")


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
    default = (f"Työttömien määrän muutos {first}–{last}" if lang == "fi"
               else f"Change in the number of unemployed, {first}–{last}")
    ax.set_title(title or default)
    ax.set_ylabel(label("persons", lang))
    top = max(float(monthly[c].max()) for c in ("unemployed", "long_term_unemployed", "under_25_unemployed")
              if c in monthly.columns and monthly[c].notna().any())
    ax.set_ylim(0, top * 1.32)  # room for the legend above the curves
    period_axis(ax, months, lang)
    ax.legend(loc="upper center", ncol=2, fontsize=8)
    mark_synthetic(fig, synthetic, lang)
    if official:
        mark_source(ax, lang)
    return fig


AREA_LABELS = {"fi": {"municipality": "{name}", "subregion": "muu seutukunta ({name})",
                      "region": "muu maakunta ({name})", "country": "muu maa"},
               "en": {"municipality": "{name}", "subregion": "rest of the sub-region ({name})",
                      "region": "rest of the region ({name})", "country": "rest of the country"}}
AREA_COLOURS = {"municipality": "#0072B2", "subregion": "#E69F00", "region": "#009E73", "country": "#444444"}


def unemployed_indexed_by_area(series, *, lang: str = "fi", base: str,
                               period: tuple[str, str] | None = None):
    """Unemployed in the municipality and in the rest of its sub-region, region and country,
    each indexed to ``base`` (a month, ``YYYY-MM``) = 100.

    ``series`` is :func:`evaluation.official.area_series`.  Official statistics only: a source
    line, no synthetic mark.
    """
    months = sorted(series["month"].unique())
    fig, ax = plt.subplots(figsize=(8, 4.6))
    _shade_period(ax, months, period, lang)
    position = {m: i for i, m in enumerate(months)}
    for area in ("country", "region", "subregion", "municipality"):
        rows = series.loc[series["area"] == area]
        if rows.empty:
            continue
        name = rows["name"].iloc[0]
        ax.plot([position[m] for m in rows["month"]], rows["index"], color=AREA_COLOURS[area],
                linewidth=2.2 if area == "municipality" else 1.4,
                label=AREA_LABELS[_lang(lang)][area].format(name=name))
        end = rows.iloc[-1]
        ax.annotate(number(end["index"], lang, 0), xy=(position[end["month"]], end["index"]),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                    color=AREA_COLOURS[area])
    ax.axhline(100, color="#888888", linewidth=0.8, linestyle=":")
    base_label = month_label(pd.Period(base, freq="M"), lang)
    ax.set_title(f"Työttömät työnhakijat, {base_label} = 100" if lang == "fi"
                 else f"Unemployed job seekers, {base_label} = 100")
    ax.set_ylabel("indeksi" if lang == "fi" else "index")
    period_axis(ax, months, lang)
    ax.legend(loc="lower left", fontsize=8)
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
    ax.set_title("Aktivointiaste kuukausittain" if lang == "fi" else "Activation rate by month")
    if lower is None or lower.isna().all():
        ax.text(0.5, 0.5, "ei aktivointiasteen tietoja" if lang == "fi" else "no activation rate in the data",
                ha="center", va="center", transform=ax.transAxes)
        mark_synthetic(fig, synthetic, lang)
        return fig
    _shade_period(ax, months, period, lang)
    colour = COLOURS["activation_rate"]
    middle = (lower + upper) / 2
    ax.plot(x, middle, color=colour, linewidth=1.4, label=label("activation_rate", lang))
    if has_bounds and (upper - lower).max() > 0:
        ax.fill_between(x, lower, upper, color=colour, alpha=0.3, linewidth=0,
                        label=("vaihteluväli, kun pieni palvelumäärä on salattu" if lang == "fi"
                               else "range where a small service count is suppressed"))
    index = {str(m): i for i, m in enumerate(months)}
    anchors = {m: v for m, v in _anchor_months(targets, "activation_rate").items() if m in index}
    for k, (month, value) in enumerate(sorted(anchors.items())):
        i = index[month]
        ax.plot([i], [value], marker="o", markersize=8, markerfacecolor="none", markeredgecolor="black",
                linestyle="none", label=(("raportin luku" if lang == "fi" else "the report's value")
                                         if k == 0 else None))
        ax.annotate(f"{percent(value, lang)}\n{month_label(months[i], lang)}", xy=(i, value),
                    xytext=(0, 10), textcoords="offset points", ha="center", fontsize=8, fontweight="bold")
    top = float(np.nanmax([upper.max(), *(anchors.values() or [0])]))
    ax.set_ylabel(label("percent", lang))
    ax.set_ylim(0, max(60.0, top * 1.25))
    period_axis(ax, months, lang)
    ax.legend(loc="upper left", fontsize=8)
    mark_synthetic(fig, synthetic, lang)
    if official:
        mark_source(ax, lang)
    return fig


def placements_by_sector(table, *, lang: str = "fi", synthetic: bool = False):
    """Kaavio 2: pay-subsidised employments by type of employing organisation.

    ``table`` is :func:`evaluation.describe.subsidy_by_sector` (counts and euro shares).
    """
    names = [label("other_sector" if s == "other" else s, lang) for s in table.index]
    fig, ax = plt.subplots(figsize=(7, 4.0))
    colours = [COLOURS.get(s, "#999999") for s in table.index]
    counts = [_count(v) for v in table["placements"]]
    bars = ax.bar(names, counts, color=colours)
    for bar, (_, row) in zip(bars, table.iterrows()):
        if _missing(row["placements"]):
            text = label("suppressed", lang)
        else:
            share = "" if _missing(row["subsidy_share"]) else (
                f"\n{percent(100 * row['subsidy_share'], lang, 0)} " + ("euroista" if lang == "fi" else "of euros"))
            text = f"{int(row['placements'])}{share}"
        ax.annotate(text, xy=(bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontsize=9)
    ax.set_title("Palkkatuella työllistämiset organisaatioittain" if lang == "fi"
                 else "Pay-subsidised employments by type of organisation")
    ax.set_ylabel(label("placements", lang))
    ax.set_ylim(0, max([1, *counts]) * 1.3)
    ax.grid(axis="x", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig


def clients_by_outcome(table, *, lang: str = "fi", synthetic: bool = False):
    """Where the clients went: clients by outcome group, counts and shares.

    ``table`` is :func:`evaluation.describe.outcomes_by_group`.
    """
    table = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    counts = [_count(v) for v in table["n"]]
    bars = ax.barh([label(g, lang) for g in table.index], counts,
                   color=[COLOURS.get(g, "#999999") for g in table.index])
    for bar, (_, row) in zip(bars, table.iterrows()):
        text = (label("suppressed", lang).replace("\n", " ") if _missing(row["n"])
                else f"{int(row['n'])} ({percent(100 * row['share'], lang, 0)})")
        ax.annotate(text, xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9)
    ax.set_title("Mihin asiakkaat siirtyivät" if lang == "fi" else "Where the clients went")
    ax.set_xlabel(label("clients", lang))
    ax.set_xlim(0, max([1, *counts]) * 1.25)
    ax.grid(axis="y", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig


def _sector_names(index, lang: str) -> list[str]:
    return [label("other_sector" if s == "other" else s, lang) for s in index]


def continuation_rate_by_sector(table, *, lang: str = "fi", synthetic: bool = False, alpha: float = 0.05):
    """Share of placements followed by continued employment, by sector, with Wilson intervals.

    ``table`` is :func:`evaluation.sectors.continuation_by_sector`; sectors without placements
    are named on the axis with "no placements" instead of a point.
    """
    fig, ax = plt.subplots(figsize=(7, 4.0))
    names = _sector_names(table.index, lang)
    for i, (sector, row) in enumerate(table.iterrows()):
        if _missing(row["rate"]):
            suppressed = "suppressed" in str(row.get("note", ""))
            text = label("suppressed", lang) if suppressed else (
                "ei palkkatukijaksoja" if lang == "fi" else "no placements")
            ax.annotate(text, xy=(i, 25), ha="center", fontsize=9, color="#666666")
            continue
        colour = COLOURS.get(sector, "#666666")
        ax.errorbar([i], [100 * row["rate"]], yerr=[[100 * (row["rate"] - row["lower"])],
                                                     [100 * (row["upper"] - row["rate"])]],
                    fmt="o", color=colour, capsize=6, markersize=8, linewidth=2)
        ax.annotate(f"{row['continued']}/{row['placements']}", xy=(i, 100 * row["upper"]), xytext=(0, 4),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.axhline(50, color="#666666", linestyle=":", linewidth=1)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names)
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(0, 105)
    level = round(100 * (1 - alpha))
    ax.set_ylabel(f"jatkoa tarjottiin, % ({level} %:n luottamusväli)" if lang == "fi"
                  else f"continued employment offered, % ({level}% interval)")
    ax.set_title("Jatkotyösuhde palkkatukijakson jälkeen" if lang == "fi"
                 else "Continued employment after the pay-subsidy period")
    ax.grid(axis="x", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig


def subsidy_euros_by_sector(table, *, lang: str = "fi", synthetic: bool = False):
    """Pay-subsidy euros by sector with each sector's share of all euros.

    ``table`` is :func:`evaluation.sectors.placements_by_sector`.
    """
    fig, ax = plt.subplots(figsize=(7, 4.0))
    names = _sector_names(table.index, lang)
    euros = [_count(v) / 1000 for v in table["subsidy_eur"]]
    bars = ax.bar(names, euros, color=[COLOURS.get(s, "#999999") for s in table.index])
    for bar, (_, row) in zip(bars, table.iterrows()):
        share = row["subsidy_share"]
        text = label("suppressed", lang) if _missing(row["subsidy_eur"]) else (
            "" if _missing(share) else percent(100 * share, lang, 0))
        ax.annotate(text, xy=(bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 3),
                    textcoords="offset points", ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("palkkatukea, tuhatta euroa" if lang == "fi" else "pay subsidy, thousand euros")
    ax.set_title("Palkkatukieurot organisaatioittain" if lang == "fi" else "Pay-subsidy euros by sector")
    ax.set_ylim(0, max([1.0, *euros]) * 1.2)
    ax.grid(axis="x", visible=False)
    mark_synthetic(fig, synthetic, lang)
    return fig


SURVIVAL_TEXT = {
    "fi": {"days": "päivää ilmoittautumisesta", "cif": "kumulatiivinen osuus", "at_risk": "seurannassa",
           "cif_title": "Mihin ja kuinka nopeasti asiakkaat siirtyivät",
           "panels_title": "Kunkin lopputuloksen kumulatiivinen ilmaantuvuus (95 %:n luottamusväli)",
           "km_title": "Aika työllistymiseen, kilpailevat lopputulokset sensuroitu (Kaplan–Meier)",
           "km_y": "ei vielä työllistynyt", "no_exit": "ei vielä siirtynyt",
           "forest_title": "Työllistymisen hasardisuhteet", "hr": "hasardisuhde (log-asteikko)",
           "cox": "syykohtainen Cox", "fg": "Fine–Gray (alijakauma)"},
    "en": {"days": "days since enrolment", "cif": "cumulative incidence", "at_risk": "at risk",
           "cif_title": "Where and how fast clients went",
           "panels_title": "Cumulative incidence of each outcome (95% interval)",
           "km_title": "Time to employment, competing outcomes censored (Kaplan–Meier)",
           "km_y": "not yet employed", "no_exit": "no exit yet",
           "forest_title": "Hazard ratios of employment", "hr": "hazard ratio (log scale)",
           "cox": "cause-specific Cox", "fg": "Fine–Gray (subdistribution)"},
}


def step_path(times, values, end, start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The path of a right-continuous step function, for ``plot`` and ``fill_between``.

    The function is ``start`` before ``times[0]`` and ``values[i]`` on ``[times[i], times[i+1])``;
    the path runs from time 0 to ``end`` and has only horizontal and vertical segments, each
    jump exactly at its time: for times [10, 20, 30] and values [.2, .5, .9] it is
    (0,0) (10,0) (10,.2) (20,.2) (20,.5) (30,.5) (30,.9) (end,.9).
    """
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    if t.size != v.size:
        raise ValueError(f"times ({t.size}) and values ({v.size}) differ in length")
    x = np.concatenate([[0.0], np.repeat(t, 2), [float(max(end, t[-1] if t.size else 0.0))]])
    y = np.concatenate([[start, start], np.repeat(v, 2)]) if t.size else np.array([start, start])
    return x, y


def cumulative_incidence_stacked(cif, *, lang: str = "fi", synthetic: bool = False, groups=None):
    """All outcome groups' cumulative incidence stacked over time; the gap above is 'no exit yet'.

    ``cif`` is :func:`evaluation.survival.cumulative_incidence` output (one group of clients).
    """
    text = SURVIVAL_TEXT[_lang(lang)]
    groups = groups or list(cif["cause"].unique())
    times = np.sort(cif["time"].unique()).astype(float)
    grid = np.concatenate([[0.0], times])
    layers = []
    for cause in groups:
        curve = cif.loc[cif["cause"] == cause].set_index("time")["cif"].reindex(times).ffill().fillna(0)
        layers.append(np.concatenate([[0.0], curve.to_numpy()]))
    fig, ax = plt.subplots(figsize=(8, 4.4))
    ax.stackplot(grid, *[100 * y for y in layers], step="post",
                 colors=[COLOURS[c] for c in groups], labels=[label(c, lang) for c in groups], alpha=0.9)
    ax.set_xlim(0, max(grid[-1], 1.0))
    ax.set_ylim(0, 100)
    ax.set_xlabel(text["days"])
    ax.set_ylabel(f"{text['cif']}, %")
    ax.set_title(text["cif_title"])
    ax.text(0.02, 0.96, text["no_exit"], transform=ax.transAxes, va="top", fontsize=9, color="#444444")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    mark_synthetic(fig, synthetic, lang)
    return fig


def cumulative_incidence_panels(cif, *, lang: str = "fi", synthetic: bool = False, by: str | None = None,
                                level: int = 95):
    """One panel per outcome group: cumulative incidence with its interval band.

    With a ``group`` column in ``cif`` (from :func:`evaluation.survival.cumulative_incidence_by`),
    one curve per group in each panel.
    """
    text = SURVIVAL_TEXT[_lang(lang)]
    causes = list(cif["cause"].unique())
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.2), sharex=True, sharey=True)
    end = float(cif["time"].max())
    groups = list(cif["group"].unique()) if "group" in cif.columns else [None]
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, cause in zip(axes.flat, causes):
        for i, group in enumerate(groups):
            curve = cif.loc[(cif["cause"] == cause) & ((cif["group"] == group) if group is not None else True)]
            colour = COLOURS[cause] if group is None else palette[i % len(palette)]
            x, y = step_path(curve["time"], 100 * curve["cif"], end)
            _, lo = step_path(curve["time"], 100 * curve["lower"], end)
            _, hi = step_path(curve["time"], 100 * curve["upper"], end)
            ax.plot(x, y, color=colour, label=None if group is None else f"{by}={group}")
            ax.fill_between(x, lo, hi, color=colour, alpha=0.18, linewidth=0)
        ax.set_title(label(cause, lang), fontsize=10)
        ax.set_ylim(0, 100)
        ax.set_xlim(0, max(end, 1.0))  # one day at least: all exits on day 0 happen
    for ax in axes[1]:
        ax.set_xlabel(text["days"])
    for ax in axes[:, 0]:
        ax.set_ylabel(f"{text['cif']}, %")
    if groups != [None]:
        axes.flat[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(text["panels_title"].replace("95", str(level)), fontweight="bold", y=1.03)
    mark_synthetic(fig, synthetic, lang)
    return fig


def kaplan_meier_with_risk_table(km, risk_times, risk_counts, *, lang: str = "fi", synthetic: bool = False):
    """Kaplan–Meier curve with its interval band and the numbers at risk under the axis."""
    text = SURVIVAL_TEXT[_lang(lang)]
    fig, ax = plt.subplots(figsize=(8, 4.8))
    end = float(max(km["time"].max(), max(risk_times)))
    x, y = step_path(km["time"], 100 * (1 - km["survival"]), end)
    _, lo = step_path(km["time"], 100 * (1 - km["lower"]), end)
    _, hi = step_path(km["time"], 100 * (1 - km["upper"]), end)
    ax.plot(x, 100 - y, color=COLOURS["employment"])
    ax.fill_between(x, 100 - lo, 100 - hi, color=COLOURS["employment"], alpha=0.2, linewidth=0)
    ax.axhline(50, color="#666666", linestyle=":", linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_xlim(0, max(end, 1.0))  # one day at least: all exits on day 0 happen
    ax.set_ylabel(f"{text['km_y']}, %")
    ax.set_xlabel(text["days"])
    ax.set_title(text["km_title"])
    ax.set_xticks(list(risk_times))
    for t, n in zip(risk_times, risk_counts):
        ax.annotate(str(n), xy=(t, 0), xycoords=("data", "axes fraction"), xytext=(0, -42),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.annotate(text["at_risk"], xy=(0, 0), xycoords="axes fraction", xytext=(-22, -42),
                textcoords="offset points", ha="right", fontsize=9, fontweight="bold")
    mark_synthetic(fig, synthetic, lang)
    return fig


def forest_plot(cox_table, fg_table=None, *, lang: str = "fi", synthetic: bool = False):
    """Hazard ratios with intervals: cause-specific Cox and, beside it, Fine–Gray."""
    text = SURVIVAL_TEXT[_lang(lang)]
    names = list(cox_table.index)
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(names) + 1.6))
    y = np.arange(len(names))[::-1]
    sets = [(cox_table, "hr", text["cox"], COLOURS["employment"], 0.15)]
    if fg_table is not None and len(fg_table):
        sets.append((fg_table.reindex(names), "shr", text["fg"], COLOURS["activation"], -0.15))
    for table, column, name, colour, offset in sets:
        est = table[column].astype(float).to_numpy()
        lo, hi = table["lower"].astype(float).to_numpy(), table["upper"].astype(float).to_numpy()
        ax.errorbar(est, y + offset, xerr=[est - lo, hi - est], fmt="o", color=colour, capsize=3, label=name)
    ax.axvline(1, color="#666666", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel(text["hr"])
    ax.set_title(text["forest_title"])
    ax.legend(loc="lower right", fontsize=8)
    mark_synthetic(fig, synthetic, lang)
    return fig


# --------------------------------------------------------------------------- the counterfactual (notebook 04)
# ``a`` is an :class:`evaluation.counterfactual.Analysis`; official statistics only: a source line,
# no synthetic mark.
COUNTERFACTUAL_TEXT = {
    "fi": {"unemployed": "työttömät, % työvoimasta", "long_term": "pitkäaikaistyöttömät, % työvoimasta",
           "under_25": "alle 25-v. työttömät, % työvoimasta",
           "unemployed_or_services": "työttömät + palveluissa, % työvoimasta",
           "synthetic": "synteettinen verrokki", "post": "hanke", "durability": "jälkiseuranta",
           "paths_title": "{name} ja sen synteettinen verrokki",
           "gap": "ero verrokkiin, %-yksikköä", "gaps_title": "{name} ja lumekunnat: ero synteettiseen verrokkiin",
           "placebos": "lumekunnat ({n}; esisovitus enintään 5 × {name})",
           "event_title": "Tapahtumatutkimus: vuosittainen ero (vertailuvuosi −1)",
           "event_year": "vuosia hankkeen alusta", "band": "95 % lumekunnista",
           "weights_title": "Synteettisen verrokin kunnat ja painot", "weight": "paino"},
    "en": {"unemployed": "unemployed, % of labour force", "long_term": "long-term unemployed, % of labour force",
           "under_25": "unemployed under 25, % of labour force",
           "unemployed_or_services": "unemployed + in services, % of labour force",
           "synthetic": "synthetic control", "post": "project", "durability": "follow-up",
           "paths_title": "{name} and its synthetic control",
           "gap": "gap to the control, percentage points", "gaps_title": "{name} and the placebos: gap to the synthetic control",
           "placebos": "placebo municipalities ({n}; pre-fit at most 5 × {name}'s)",
           "event_title": "Event study: yearly difference (reference year −1)",
           "event_year": "years since the project started", "band": "middle 95 % of placebos",
           "weights_title": "Municipalities of the synthetic control and their weights", "weight": "weight"},
}


def _shade_post(ax, a, lang: str) -> None:
    months = list(a.design.months)
    post = np.flatnonzero(a.design.post)
    ax.axvspan(post[0] - 0.5, post[-1] + 0.5, color="#DDDDDD", alpha=0.6, linewidth=0, zorder=0,
               label=COUNTERFACTUAL_TEXT[lang]["post"])
    if a.durability:
        late = [i for i, m in enumerate(months) if str(m) > str(a.design.post_end) and str(m) <= a.durability["end"]]
        if late:
            ax.axvspan(late[0] - 0.5, late[-1] + 0.5, color="#EEEEEE", alpha=0.6, linewidth=0, zorder=0,
                       label=COUNTERFACTUAL_TEXT[lang]["durability"])


def synthetic_control_paths(a, name: str, *, lang: str = "fi"):
    """The treated municipality's outcome and its synthetic control, month by month."""
    text = COUNTERFACTUAL_TEXT[check_lang(lang)]
    months = list(a.design.months)
    x = np.arange(len(months))
    treated = a.design.Y[:, 0]
    fig, ax = plt.subplots(figsize=(8, 4.4))
    _shade_post(ax, a, lang)
    ax.plot(x, treated, color="#0072B2", linewidth=2, label=name)
    ax.plot(x, treated - a.scm.gap, color="#444444", linestyle="--", linewidth=1.6, label=text["synthetic"])
    ax.set_title(text["paths_title"].format(name=name))
    ax.set_ylabel(text[a.design.outcome])
    ax.set_ylim(bottom=0)
    period_axis(ax, months, lang)
    ax.legend(loc="lower left", fontsize=8)
    mark_source(ax, lang)
    return fig


def placebo_gaps(a, name: str, *, lang: str = "fi", fit_ratio: float = 5.0):
    """The treated unit's gap (bold) over every placebo's gap whose pre-period RMSPE is at
    most ``fit_ratio`` times the treated unit's (Abadie et al. 2010 leave out worse fits)."""
    text = COUNTERFACTUAL_TEXT[check_lang(lang)]
    months = list(a.design.months)
    x = np.arange(len(months))
    fig, ax = plt.subplots(figsize=(8, 4.4))
    _shade_post(ax, a, lang)
    limit = fit_ratio * a.placebos["pre_rmspe"].iloc[0]
    shown = a.placebos.iloc[1:].loc[a.placebos["pre_rmspe"].iloc[1:] <= limit]
    for k, gap in enumerate(shown["gap"]):
        ax.plot(x, gap, color="#BBBBBB", linewidth=0.6, alpha=0.7,
                label=text["placebos"].format(n=len(shown), name=name) if k == 0 else None)
    ax.plot(x, a.scm.gap, color="#0072B2", linewidth=2.2, label=name)
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_title(text["gaps_title"].format(name=name))
    ax.set_ylabel(text["gap"])
    period_axis(ax, months, lang)
    ax.legend(loc="lower left", fontsize=8)
    mark_source(ax, lang)
    return fig


def event_study_figure(a, name: str, *, lang: str = "fi"):
    """Event-year coefficients of the treated unit with the middle 95 % of the placebos'."""
    text = COUNTERFACTUAL_TEXT[check_lang(lang)]
    events = a.events
    years = events.index.to_numpy()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.fill_between(years, events["placebo_low"], events["placebo_high"], color="#BBBBBB", alpha=0.5,
                    linewidth=0, label=text["band"])
    ax.plot(years, events["estimate"], marker="o", color="#0072B2", linewidth=1.8, label=name)
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.axvline(-0.5, color="#888888", linewidth=0.8, linestyle=":")
    ax.set_xticks(years)
    ax.set_xlabel(text["event_year"])
    ax.set_ylabel(text["gap"])
    ax.set_title(text["event_title"])
    ax.legend(loc="lower left", fontsize=8)
    fig.text(0.01, -0.02, source_line(lang), ha="left", va="top", fontsize=7, color="#444444")
    return fig


def donor_weights(weights, *, lang: str = "fi", top: int = 15):
    """The donors' weights (the ``top`` largest), a horizontal bar each, the weight written."""
    text = COUNTERFACTUAL_TEXT[check_lang(lang)]
    shown = weights.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(shown) + 1.2))
    bars = ax.barh([f"{n} ({c})" for n, c in zip(shown["name"], shown["code"])], shown["weight"], color="#0072B2")
    for bar, w in zip(bars, shown["weight"]):
        ax.annotate(number(w, lang, 3), xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel(text["weight"])
    ax.set_xlim(0, max(0.05, float(shown["weight"].max()) * 1.2))
    ax.set_title(text["weights_title"])
    ax.grid(axis="y", visible=False)
    fig.text(0.01, -0.02, source_line(lang), ha="left", va="top", fontsize=7, color="#444444")
    return fig

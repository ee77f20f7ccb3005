"""Time to exit with competing outcomes (notebook 02): cumulative incidence, Kaplan–Meier, ratios."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..text import check_lang
from .base import COLOURS, mark_synthetic, step_path
from .labels import label, text


def cumulative_incidence_stacked(cif, *, lang: str = "fi", synthetic: bool = False, groups=None):
    """All outcome groups' cumulative incidence stacked over time; the gap above is 'no exit yet'.

    ``cif`` is :func:`evaluation.survival.cumulative_incidence` output (one group of clients).
    """
    check_lang(lang)
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
    ax.set_xlabel(text("survival.days", lang))
    ax.set_ylabel(text("survival.cif", lang) + ", %")
    ax.set_title(text("survival.cif_title", lang))
    ax.text(0.02, 0.96, text("survival.no_exit", lang), transform=ax.transAxes, va="top", fontsize=9, color="#444444")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    mark_synthetic(fig, synthetic, lang)
    return fig


def cumulative_incidence_panels(cif, *, lang: str = "fi", synthetic: bool = False, by: str | None = None,
                                level: int = 95):
    """One panel per outcome group: cumulative incidence with its interval band.

    With a ``group`` column in ``cif`` (from :func:`evaluation.survival.cumulative_incidence_by`),
    one curve per group in each panel.
    """
    check_lang(lang)
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
        ax.set_xlabel(text("survival.days", lang))
    for ax in axes[:, 0]:
        ax.set_ylabel(text("survival.cif", lang) + ", %")
    if groups != [None]:
        axes.flat[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(text("survival.panels_title", lang, level=level), fontweight="bold", y=1.03)
    mark_synthetic(fig, synthetic, lang)
    return fig


def kaplan_meier_with_risk_table(km, risk_times, risk_counts, *, lang: str = "fi", synthetic: bool = False):
    """Kaplan–Meier curve with its interval band and the numbers at risk under the axis."""
    check_lang(lang)
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
    ax.set_ylabel(text("survival.km_y", lang) + ", %")
    ax.set_xlabel(text("survival.days", lang))
    ax.set_title(text("survival.km_title", lang))
    ax.set_xticks(list(risk_times))
    for t, n in zip(risk_times, risk_counts):
        ax.annotate(str(n), xy=(t, 0), xycoords=("data", "axes fraction"), xytext=(0, -42),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.annotate(text("survival.at_risk", lang), xy=(0, 0), xycoords="axes fraction", xytext=(-22, -42),
                textcoords="offset points", ha="right", fontsize=9, fontweight="bold")
    mark_synthetic(fig, synthetic, lang)
    return fig


def forest_plot(cox_table, fg_table=None, *, lang: str = "fi", synthetic: bool = False):
    """Hazard ratios with intervals: cause-specific Cox and, beside it, Fine–Gray."""
    check_lang(lang)
    names = list(cox_table.index)
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(names) + 1.6))
    y = np.arange(len(names))[::-1]
    sets = [(cox_table, "hr", text("survival.cox", lang), COLOURS["employment"], 0.15)]
    if fg_table is not None and len(fg_table):
        sets.append((fg_table.reindex(names), "shr", text("survival.fg", lang), COLOURS["activation"], -0.15))
    for table, column, name, colour, offset in sets:
        est = table[column].astype(float).to_numpy()
        lo, hi = table["lower"].astype(float).to_numpy(), table["upper"].astype(float).to_numpy()
        ax.errorbar(est, y + offset, xerr=[est - lo, hi - est], fmt="o", color=colour, capsize=3, label=name)
    ax.axvline(1, color="#666666", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel(text("survival.hr", lang))
    ax.set_title(text("survival.forest_title", lang))
    ax.legend(loc="lower right", fontsize=8)
    mark_synthetic(fig, synthetic, lang)
    return fig

"""The counterfactual (notebook 04): ``a`` is an :class:`evaluation.counterfactual.Analysis`;
official statistics only, so a source line and no synthetic mark."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..text import check_lang, number
from .base import PRINT_FONTS, mark_source, period_axis, print_figure, print_title, source_line
from .labels import text

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["donor_weights", "event_study_figure", "placebo_gaps", "synthetic_control_paths"]


def _shade_post(ax, a, lang: str) -> None:
    months = list(a.design.months)
    post = np.flatnonzero(a.design.post)
    ax.axvspan(post[0] - 0.5, post[-1] + 0.5, color="#DDDDDD", alpha=0.6, linewidth=0, zorder=0,
               label=text("project", lang))
    if a.durability:
        late = [i for i, m in enumerate(months) if str(m) > str(a.design.post_end) and str(m) <= a.durability["end"]]
        if late:
            ax.axvspan(late[0] - 0.5, late[-1] + 0.5, color="#EEEEEE", alpha=0.6, linewidth=0, zorder=0,
                       label=text("cf.durability", lang))


def synthetic_control_paths(a, name: str, *, lang: str = "fi"):
    """The treated municipality's outcome and its synthetic control, month by month.  The summary
    shows it: drawn at its print size (:func:`evaluation.figures.base.print_figure`)."""
    check_lang(lang)
    months = list(a.design.months)
    x = np.arange(len(months))
    treated = a.design.Y[:, 0]
    fig, ax = print_figure(64)
    _shade_post(ax, a, lang)
    ax.plot(x, treated, color="#0072B2", linewidth=1.6, label=name)
    ax.plot(x, treated - a.scm.gap, color="#444444", linestyle="--", linewidth=1.3, label=text("cf.synthetic", lang))
    print_title(ax, text("cf.paths_title", lang, name=name))
    ax.set_ylabel(text(f"cf.{a.design.outcome}", lang), fontsize=PRINT_FONTS["label"])
    ax.set_ylim(bottom=0)
    period_axis(ax, months, lang, max_ticks=8)
    ax.legend(loc="lower left", fontsize=PRINT_FONTS["legend"])
    mark_source(ax, lang)
    return fig


def placebo_gaps(a, name: str, *, lang: str = "fi", mspe_limit: float = 5.0):
    """The treated unit's gap (bold) over every placebo's gap whose pre-period MSPE is at most
    ``mspe_limit`` times the treated unit's (Abadie et al. 2010, figure 5: 5 x the MSPE, that is
    sqrt(5) = 2.24 x the RMSPE)."""
    check_lang(lang)
    months = list(a.design.months)
    x = np.arange(len(months))
    fig, ax = plt.subplots(figsize=(8, 4.4))
    _shade_post(ax, a, lang)
    limit = mspe_limit * a.placebos["pre_rmspe"].iloc[0] ** 2
    shown = a.placebos.iloc[1:].loc[a.placebos["pre_rmspe"].iloc[1:] ** 2 <= limit]
    for k, gap in enumerate(shown["gap"]):
        ax.plot(x, gap, color="#BBBBBB", linewidth=0.6, alpha=0.7,
                label=text("cf.placebos", lang, n=len(shown), name=name,
                           limit=number(mspe_limit, lang, 0)) if k == 0 else None)
    ax.plot(x, a.scm.gap, color="#0072B2", linewidth=2.2, label=name)
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_title(text("cf.gaps_title", lang, name=name))
    ax.set_ylabel(text("cf.gap", lang))
    period_axis(ax, months, lang)
    ax.legend(loc="lower left", fontsize=8)
    mark_source(ax, lang)
    return fig


def event_study_figure(a, name: str, *, lang: str = "fi"):
    """Event-year coefficients of the treated unit with the middle 95 % of the placebos'; a bin
    with fewer than a year's periods or reaching beyond the project's end is drawn hollow, and
    its tick says how many periods it holds."""
    check_lang(lang)
    events = a.events
    years = events.index.to_numpy()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.fill_between(years, events["placebo_low"], events["placebo_high"], color="#BBBBBB", alpha=0.5,
                    linewidth=0, label=text("cf.band", lang))
    marked = (events["partial"] | events["after_project"]).to_numpy(dtype=bool) if "partial" in events else \
        np.zeros(len(years), dtype=bool)
    ax.plot(years, events["estimate"], color="#0072B2", linewidth=1.8)
    ax.plot(years[~marked], events["estimate"].to_numpy()[~marked], "o", color="#0072B2", label=name)
    if marked.any():
        ax.plot(years[marked], events["estimate"].to_numpy()[marked], "o", markerfacecolor="white",
                markeredgecolor="#0072B2", label=text("cf.partial", lang))
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.axvline(-0.5, color="#888888", linewidth=0.8, linestyle=":")
    ax.set_xticks(years)
    if marked.any():
        ax.set_xticklabels([f"{y}\n({text('cf.periods', lang, n=int(p))})" if m else str(y)
                            for y, p, m in zip(years, events["periods"], marked)])
    ax.set_xlabel(text("cf.event_year", lang))
    ax.set_ylabel(text("cf.gap", lang))
    ax.set_title(text("cf.event_title", lang))
    ax.legend(loc="lower left", fontsize=8)
    # below the x label, which two-line ticks push down
    fig.text(0.01, -0.07 if marked.any() else -0.02, source_line(lang), ha="left", va="top", fontsize=7,
             color="#444444")
    return fig


def donor_weights(weights, *, lang: str = "fi", top: int = 15):
    """The donors' weights (the ``top`` largest), a horizontal bar each, the weight written."""
    check_lang(lang)
    shown = weights.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(shown) + 1.2))
    bars = ax.barh([f"{n} ({c})" for n, c in zip(shown["name"], shown["code"])], shown["weight"], color="#0072B2")
    for bar, w in zip(bars, shown["weight"]):
        ax.annotate(number(w, lang, 3), xy=(bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlabel(text("cf.weight", lang))
    ax.set_xlim(0, max(0.05, float(shown["weight"].max()) * 1.2))
    ax.set_title(text("cf.weights_title", lang))
    ax.grid(axis="y", visible=False)
    fig.text(0.01, -0.02, source_line(lang), ha="left", va="top", fontsize=7, color="#444444")
    return fig

"""Figures of the counterfactual (notebook 04), from :mod:`evaluation.counterfactual` results.

Official statistics only: each figure carries the source line and no synthetic mark.  Labels
in Finnish or English; months as in :mod:`evaluation.text`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .counterfactual import Analysis
from .figures import period_axis, mark_source
from .text import check_lang, month_label, number

TEXT = {
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


def _shade(ax, a: Analysis, lang: str) -> None:
    months = list(a.design.months)
    post = np.flatnonzero(a.design.post)
    ax.axvspan(post[0] - 0.5, post[-1] + 0.5, color="#DDDDDD", alpha=0.6, linewidth=0, zorder=0,
               label=TEXT[lang]["post"])
    if a.durability:
        late = [i for i, m in enumerate(months) if str(m) > str(a.design.post_end) and str(m) <= a.durability["end"]]
        if late:
            ax.axvspan(late[0] - 0.5, late[-1] + 0.5, color="#EEEEEE", alpha=0.6, linewidth=0, zorder=0,
                       label=TEXT[lang]["durability"])


def synthetic_control_paths(a: Analysis, name: str, *, lang: str = "fi"):
    """The treated municipality's outcome and its synthetic control, month by month."""
    text = TEXT[check_lang(lang)]
    months = list(a.design.months)
    x = np.arange(len(months))
    treated = a.design.Y[:, 0]
    fig, ax = plt.subplots(figsize=(8, 4.4))
    _shade(ax, a, lang)
    ax.plot(x, treated, color="#0072B2", linewidth=2, label=name)
    ax.plot(x, treated - a.scm.gap, color="#444444", linestyle="--", linewidth=1.6, label=text["synthetic"])
    ax.set_title(text["paths_title"].format(name=name))
    ax.set_ylabel(text[a.design.outcome])
    ax.set_ylim(bottom=0)
    period_axis(ax, months, lang)
    ax.legend(loc="lower left", fontsize=8)
    mark_source(ax, lang)
    return fig


def placebo_gaps(a: Analysis, name: str, *, lang: str = "fi", fit_ratio: float = 5.0):
    """The treated unit's gap (bold) over every placebo's gap whose pre-period RMSPE is at
    most ``fit_ratio`` times the treated unit's (Abadie et al. 2010 leave out worse fits)."""
    text = TEXT[check_lang(lang)]
    months = list(a.design.months)
    x = np.arange(len(months))
    fig, ax = plt.subplots(figsize=(8, 4.4))
    _shade(ax, a, lang)
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


def event_study_figure(a: Analysis, name: str, *, lang: str = "fi"):
    """Event-year coefficients of the treated unit with the middle 95 % of the placebos'."""
    text = TEXT[check_lang(lang)]
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
    from .official import SOURCE_LINE

    fig.text(0.01, -0.02, SOURCE_LINE[lang], ha="left", va="top", fontsize=7, color="#444444")
    return fig


def donor_weights(weights, *, lang: str = "fi", top: int = 15):
    """The donors' weights (the ``top`` largest), a horizontal bar each, the weight written."""
    text = TEXT[check_lang(lang)]
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
    from .official import SOURCE_LINE

    fig.text(0.01, -0.02, SOURCE_LINE[lang], ha="left", va="top", fontsize=7, color="#444444")
    return fig


__all__ = ["synthetic_control_paths", "placebo_gaps", "event_study_figure", "donor_weights", "month_label"]

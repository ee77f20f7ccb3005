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

from .files import write_atomic

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

FI_MONTHS = ("tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka",
             "marras", "joulu")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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
    },
}


def use_style() -> None:
    """Apply the repository's one figure style (colour-blind-safe, fixed hash salt)."""
    plt.style.use(str(STYLE))


def label(key: str, lang: str) -> str:
    """The ``lang`` label of ``key``, or ``key`` itself when there is none."""
    return LABELS[_lang(lang)].get(key, key)


def _lang(lang: str) -> str:
    if lang not in LABELS:
        raise ValueError(f"lang must be 'fi' or 'en', not {lang!r}")
    return lang


def number(value: float, lang: str, decimals: int = 1) -> str:
    """A number with a decimal comma in Finnish and a decimal point in English."""
    text = f"{value:,.{decimals}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if _lang(lang) == "fi" else text


def percent(value: float, lang: str, decimals: int = 1) -> str:
    """``value`` (percent 0..100) as text: ``21,5 %`` in Finnish, ``21.5%`` in English."""
    text = number(value, lang, decimals)
    return f"{text}\u00a0%" if lang == "fi" else f"{text}%"


def month_label(period, lang: str) -> str:
    """``heinä 2016`` / ``Jul 2016`` for a pandas Period."""
    names = FI_MONTHS if _lang(lang) == "fi" else EN_MONTHS
    return f"{names[period.month - 1]} {period.year}"


def mark_synthetic(fig, synthetic: bool, lang: str) -> None:
    """Put a visible 'synthetic data' mark on a figure made from a synthetic dataset."""
    if synthetic:
        fig.text(0.995, 0.005, label("synthetic", lang).upper(), ha="right", va="bottom",
                 fontsize=8, color="#B00000", alpha=0.8, fontweight="bold")


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

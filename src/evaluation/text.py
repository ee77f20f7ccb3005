"""Numbers and months written for a reader, in Finnish or English; imports nothing of ours.

Finnish: decimal comma, a non-breaking space between thousands and before ``%``, months as
``7/2016`` (the short month names read as other words: "heinä" is "hay").  English: decimal
point, ``21.5%``, ``Jul 2016``.
"""

from __future__ import annotations

LANGUAGES = ("fi", "en")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be 'fi' or 'en', not {lang!r}")
    return lang


def number(value: float, lang: str, decimals: int = 1) -> str:
    """A number with a decimal comma in Finnish and a decimal point in English."""
    text = f"{value:,.{decimals}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if check_lang(lang) == "fi" else text


def percent(value: float, lang: str, decimals: int = 1) -> str:
    """``value`` (percent 0..100) as text: ``21,5 %`` in Finnish, ``21.5%`` in English."""
    text = number(value, lang, decimals)
    return f"{text}\u00a0%" if lang == "fi" else f"{text}%"


def month_label(period, lang: str) -> str:
    """``7/2016`` in Finnish, ``Jul 2016`` in English, for a pandas Period."""
    if check_lang(lang) == "fi":
        return f"{period.month}/{period.year}"
    return f"{EN_MONTHS[period.month - 1]} {period.year}"

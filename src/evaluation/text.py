"""Numbers and months written for a reader, in Finnish or English; imports nothing of ours.

Finnish: decimal comma, a non-breaking space between thousands and before ``%``, months on
axes as ``7/2016`` (the short month names read as other words: "heinä" is "hay") and in prose
written out (``heinäkuussa 2016``).  English: decimal point, ``21.5%``, ``Jul 2016``, ``July 2016``.
"""

from __future__ import annotations

import re

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "check_lang",
    "interval",
    "markdown_literal",
    "month_label",
    "month_name",
    "number",
    "ordinal",
    "percent",
    "signed",
    "signed_percent",
]

LANGUAGES = ("fi", "en")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EN_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
FI_MONTH_NAMES = (
    "tammikuu",
    "helmikuu",
    "maaliskuu",
    "huhtikuu",
    "toukokuu",
    "kesäkuu",
    "heinäkuu",
    "elokuu",
    "syyskuu",
    "lokakuu",
    "marraskuu",
    "joulukuu",
)


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be 'fi' or 'en', not {lang!r}")
    return lang


def number(value: float, lang: str, decimals: int = 1) -> str:
    """A number with a decimal comma in Finnish and a decimal point in English."""
    text = f"{value:,.{decimals}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if check_lang(lang) == "fi" else text


def signed(value: float, lang: str, decimals: int = 1) -> str:
    """:func:`number` with a true minus sign (−, U+2212) for prose: ``−5,0``, never ``-5,0``."""
    return number(value, lang, decimals).replace("-", "\u2212")


def interval(lower: float, upper: float, lang: str, decimals: int = 1, plus: bool = False) -> str:
    """The bounds of an interval for prose, with true minus signs (:func:`signed`).

    Both bounds at least zero: an en dash, ``16–30``.  A negative bound: ``−39,6 … 16,6`` in
    Finnish and ``−39.6 to 16.6`` in English: a dash beside a minus sign (``−39,6–16,6``,
    ``−5–−1``) reads as one number or loses a sign.  With ``plus`` (changes), a positive bound
    beside a negative one is written ``+20``: ``−10 … +20``."""
    lo, hi = signed(lower, lang, decimals), signed(upper, lang, decimals)
    if "\u2212" not in lo + hi:  # as written: -0.04 to one decimal is "−0,0"
        return f"{lo}\u2013{hi}"
    if plus:
        lo, hi = (t if t.startswith("\u2212") or not t.strip("0,.") else f"+{t}" for t in (lo, hi))
    return f"{lo}\u00a0\u2026 {hi}" if lang == "fi" else f"{lo} to {hi}"


def percent(value: float, lang: str, decimals: int = 1) -> str:
    """``value`` (percent 0..100) as text: ``21,5 %`` in Finnish, ``21.5%`` in English."""
    text = number(value, lang, decimals)
    return f"{text}\u00a0%" if lang == "fi" else f"{text}%"


def signed_percent(value: float, lang: str, decimals: int = 0) -> str:
    """A change in percent with its sign always written: ``−39 %``, ``+3 %`` (``−39%`` in English)."""
    return ("\u2212" if value < 0 else "+") + percent(abs(value), lang, decimals)


def ordinal(n: int, lang: str) -> str:
    """An ordinal number: ``19.`` in Finnish, ``19th`` in English (11th, 12th, 13th; 21st, 22nd, 23rd)."""
    if check_lang(lang) == "fi":
        return f"{n}."
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def month_label(period, lang: str) -> str:
    """``7/2016`` in Finnish, ``Jul 2016`` in English, for a pandas Period."""
    if check_lang(lang) == "fi":
        return f"{period.month}/{period.year}"
    return f"{EN_MONTHS[period.month - 1]} {period.year}"


def month_name(period, lang: str, *, when: bool = False) -> str:
    """The month written out for prose: ``kesäkuu 2016`` / ``June 2016``; with ``when``, as the
    time something happened: ``kesäkuussa 2016`` / ``in June 2016``."""
    if check_lang(lang) == "fi":
        return f"{FI_MONTH_NAMES[period.month - 1]}{'ssa' if when else ''} {period.year}"
    return f"{'in ' if when else ''}{EN_MONTH_NAMES[period.month - 1]} {period.year}"


#: Markdown's markup characters (CommonMark lets a backslash make any of them literal).
_MARKDOWN_MARKUP = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def markdown_literal(text: object) -> str:
    """``text`` as Markdown that shows exactly these characters and nothing else: ``&``, ``<``
    and ``>`` as HTML entities (a Markdown renderer passes raw HTML through, so a dataset's
    ``<script>`` would run in the exported page) and Markdown's markup characters
    backslash-escaped (a ``[link](javascript:...)`` stays text).  For every text that a dataset
    brings (its name, municipality, description) on its way into a Markdown output."""
    escaped = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_MARKUP.sub(r"\\\1", escaped)

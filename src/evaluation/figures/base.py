"""The figures' one style, colours, marks (synthetic data, official source), byte-stable saving, step paths."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.layout_engine import ConstrainedLayoutEngine

from ..files import write_atomic
from ..text import check_lang, month_label
from .labels import label, text

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "COLOURS", "PRINT_FONTS", "PRINT_WIDTH_MM", "STYLE", "mark_source", "mark_synthetic", "period_axis", "print_figure",
    "print_figure_with_key", "print_title", "save_figure", "source_line", "step_path", "use_style", "wrap",
]

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


#: The width at which the summary (``summary.fi.html``) shows a figure, in millimetres: its CSS
#: ``figure img { width: 84mm }`` (tests/test_figures.py reads it there).  The figures the
#: summary shows are drawn this wide, so that a point in them is a point on paper.
PRINT_WIDTH_MM = 84.0
#: Font sizes (points) of a figure drawn at :data:`PRINT_WIDTH_MM`: nothing under 7 pt in print.
PRINT_FONTS = {"title": 9.0, "label": 8.0, "tick": 7.5, "note": 7.5, "legend": 7.0}


def print_figure(height_mm: float):
    """A figure and axes :data:`PRINT_WIDTH_MM` wide and ``height_mm`` high as saved, laid out
    so that everything fits inside (constrained layout; the saved file adds the margin
    ``savefig.pad_inches`` on each side, so the figure is drawn that much narrower): the file is
    at most this size and never scaled down to fit the summary.  Ticks at :data:`PRINT_FONTS`."""
    pad = 2 * float(plt.rcParams["savefig.pad_inches"])
    fig, ax = plt.subplots(figsize=(PRINT_WIDTH_MM / 25.4 - pad, height_mm / 25.4 - pad), layout="constrained")
    ax.tick_params(labelsize=PRINT_FONTS["tick"])
    return fig, ax


def print_figure_with_key(height_mm: float, key_mm: float):
    """As :func:`print_figure`, with a strip ``key_mm`` high under the axes for a legend too
    wide to sit on the curves: figure, axes, strip."""
    pad = 2 * float(plt.rcParams["savefig.pad_inches"])
    fig, (ax, key) = plt.subplots(2, 1, figsize=(PRINT_WIDTH_MM / 25.4 - pad, height_mm / 25.4 - pad),
                                  height_ratios=[height_mm - key_mm, key_mm], layout="constrained")
    ax.tick_params(labelsize=PRINT_FONTS["tick"])
    key.set_xticks([])
    key.set_yticks([])
    key.grid(False)
    for spine in key.spines.values():
        spine.set_visible(False)
    return fig, ax, key


def _at_print_size(fig) -> bool:
    """Whether ``fig`` was made by :func:`print_figure` (the only figures with constrained layout)."""
    return isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)


def print_title(ax, title: str) -> None:
    """The title of a figure at print size, on lines of at most 34 characters (so it is no
    wider than the figure), at :data:`PRINT_FONTS`."""
    ax.set_title(wrap(title, 34), fontsize=PRINT_FONTS["title"])


def wrap(name: str, width: int = 22) -> str:
    """A long axis label on lines of at most ``width`` characters (a figure 84 mm wide)."""
    return textwrap.fill(name, width, break_on_hyphens=False)


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


def mark_synthetic(fig, synthetic: bool, lang: str, part: str | None = None) -> None:
    """Put a visible 'synthetic data' mark on a figure made from a synthetic dataset; ``part``
    names what is synthetic when the figure also shows official statistics."""
    if synthetic:
        mark = label("synthetic", lang).upper() + (f": {part}" if part else "")
        style = {"fontsize": 8, "color": "#B00000", "alpha": 0.85, "fontweight": "bold"}
        if _at_print_size(fig) and not fig.get_suptitle():
            # a figure at print size: a line of its own above the title, which the layout makes room for
            fig.suptitle(mark, x=0.995, ha="right", **style)
        else:
            fig.text(0.995, 0.995, mark, ha="right", va="top", **style)


def source_line(lang: str) -> str:
    """The source line of official statistics (StatFin 12r5, with its licence)."""
    from ..official import SOURCE_LINE

    return SOURCE_LINE[check_lang(lang)]


def mark_source(ax, lang: str) -> None:
    """The source line under a figure of official statistics: the bottom axes' x label, so it
    sits below the tick labels whatever their size; on lines no wider than a figure at print
    size (:func:`print_figure`) when it is one."""
    line = source_line(lang)
    if _at_print_size(ax.figure):
        line = wrap(line, 52)
    ax.set_xlabel(line, fontsize=7, color="#444444", loc="left")


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


def period_axis(ax, months, lang: str, max_ticks: int = 16) -> None:
    """Month ticks every month, quarter, half-year, year or two years (at most about
    ``max_ticks`` ticks), on calendar boundaries (January, July, ...), labelled in ``lang``."""
    step = next((s for s in (1, 3, 6, 12, 24) if len(months) / s <= max_ticks), 24)
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
               label=text("project", lang))


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

"""The figures' one style, colours, marks (synthetic data, official source), byte-stable saving, step paths."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..files import write_atomic
from ..text import check_lang, month_label
from .labels import label, text

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
        fig.text(0.995, 0.995, mark, ha="right", va="top",
                 fontsize=8, color="#B00000", alpha=0.85, fontweight="bold")


def source_line(lang: str) -> str:
    """The source line of official statistics (StatFin 12r5, with its licence)."""
    from ..official import SOURCE_LINE

    return SOURCE_LINE[check_lang(lang)]


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

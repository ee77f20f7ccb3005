"""The client-level comparison (notebook 05, issue 25): covariate balance, the overlap of the
propensity scores, and the clients' cumulative incidence of employment beside their
counterfactual's.  Inputs are plain arrays and tables, so the figures need none of the
estimators (:mod:`evaluation.comparison`); every figure is drawn at the summary's print size
(:func:`evaluation.figures.base.print_figure_with_key`)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..text import check_lang, interval, number, signed
from ..vocabulary import EDUCATION_LEVELS, SEXES
from .base import (
    COLOURS,
    PRINT_FONTS,
    PRINT_WIDTH_MM,
    mark_synthetic,
    print_figure_with_key,
    print_title,
    step_path,
    wrap,
)
from .labels import text

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["comparison_curves", "covariate_label", "love_plot", "propensity_overlap"]

#: The colours of the two sides of the comparison, in every figure of the family.
CLIENTS = COLOURS["employment"]
COMPARISONS = "#777777"
#: Ticks of the propensity-score axis (probabilities), drawn where the scores reach.
#: Ticks of the propensity-score axis (probabilities): the first set with three ticks where the
#: scores reach is drawn, else the scores' range is written at four points (:func:`_score_ticks`).
SCORE_TICKS = (
    (1e-5, 1e-4, 1e-3, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999),
    (
        1e-4,
        2e-4,
        5e-4,
        1e-3,
        2e-3,
        5e-3,
        0.01,
        0.02,
        0.05,
        0.1,
        0.2,
        0.5,
        0.8,
        0.9,
        0.95,
        0.98,
        0.99,
        0.995,
        0.998,
        0.999,
    ),
)
#: The longest line of a covariate's name in the Love plot (characters, at 7.5 pt).
NAME_WIDTH = 28

_FIXED = (
    {"age", "age_squared", "health_limitations", "months_employed_3y"}
    | {f"sex_{s}" for s in SEXES}
    | {f"education_{level}" for level in EDUCATION_LEVELS}
)
#: The spellings of :func:`evaluation.comparison.study.covariate_table` (``age^2``, ``sex=F``,
#: ``education_level=basic``, ``elapsed_band=0-3``, ``elapsed_band=24+``, ``half_year=2017H1``),
#: read as the names above.
_ALIASES = (
    (re.compile(r"^age\^2$"), "age_squared"),
    (re.compile(r"^sex=(\w+)$"), r"sex_\1"),
    (re.compile(r"^education_level=(\w+)$"), r"education_\1"),
    (re.compile(r"^elapsed_band=(\d+)-(\d+)$"), r"elapsed_band_\1_\2"),
    (re.compile(r"^elapsed_band=(\d+)\+$"), r"elapsed_band_\1_plus"),
    (re.compile(r"^half_year=(\d{4}H[12])$"), r"trial_\1"),
)
_BAND = re.compile(r"^elapsed_band_(\d+)_(\d+|plus)$")
_TRIAL = re.compile(r"^trial_(\d{4})H([12])$")


def covariate_label(name: str, lang: str) -> str:
    """A covariate of the comparison in the catalogue's words.

    Parameters
    ----------
    name : str
        ``age``, ``age_squared``, ``sex_F`` / ``sex_M`` / ``sex_X``, ``health_limitations``,
        ``education_<level>`` (a level of :data:`evaluation.vocabulary.EDUCATION_LEVELS`),
        ``months_employed_3y``, ``elapsed_band_<low>_<high>`` or ``elapsed_band_<low>_plus``
        (months of unemployment at time zero) or ``trial_<YYYY>H<1|2>`` (the trial's calendar
        half-year); the spellings of :func:`evaluation.comparison.study.covariate_table`
        (``age^2``, ``sex=F``, ``education_level=basic``, ``elapsed_band=0-3``,
        ``elapsed_band=24+``, ``half_year=2017H1``) mean the same.
    lang : {"fi", "en"}

    Returns
    -------
    str
        The bands and half-years are written by pattern (``työtön 3–6 kk``,
        ``vertailu alkoi 7–12/2017``), every other name has an entry of its own.

    Raises
    ------
    ValueError
        For a name that is none of these, with the names it may be.
    """
    check_lang(lang)
    key = str(name)
    for pattern, replacement in _ALIASES:
        key = pattern.sub(replacement, key)
    if key in _FIXED:
        return text(f"cmp.cov.{key}", lang)
    band = _BAND.match(key)
    if band:
        low, high = band.groups()
        if high == "plus":
            return text("cmp.cov.band_open", lang, low=low)
        if int(high) > int(low):
            return text("cmp.cov.band", lang, low=low, high=high)
    trial = _TRIAL.match(key)
    if trial:
        year, half = trial.groups()
        return text("cmp.cov.trial", lang, half=text(f"cmp.half.{half}", lang), year=year)
    raise ValueError(
        f"covariate {name!r} has no label: the comparison's covariates are {', '.join(sorted(_FIXED))}, "
        "elapsed_band_<low>_<high> (low < high, months) or elapsed_band_<low>_plus, and trial_<YYYY>H<1|2>; "
        "rename the column or add its words to figures/labels.py"
    )


def _decimal(value: float, lang: str) -> str:
    """A short number as written on an axis: ``0,1`` in Finnish, ``0.1`` in English."""
    written = f"{value:g}"
    return written.replace(".", ",") if lang == "fi" else written


def _balance_rows(balance: pd.DataFrame) -> pd.DataFrame:
    """The balance table's covariate, smd_before and smd_after columns, checked: the covariates
    from a ``covariate`` column or, as :func:`evaluation.comparison.balance.standardized_differences`
    gives them, from the index named ``covariate``."""
    if not isinstance(balance, pd.DataFrame):
        raise TypeError(
            f"balance must be a DataFrame with columns covariate, smd_before, smd_after, not {type(balance).__name__}"
        )
    if "covariate" not in balance.columns and balance.index.name == "covariate":
        balance = balance.reset_index()
    missing = [c for c in ("covariate", "smd_before", "smd_after") if c not in balance.columns]
    if missing:
        raise ValueError(
            f"balance lacks column(s) {', '.join(missing)}: give one row per covariate with "
            "covariate, smd_before, smd_after"
        )
    if balance.empty:
        raise ValueError("balance has no rows: give one row per covariate")
    rows = balance[["covariate", "smd_before", "smd_after"]].reset_index(drop=True)
    for column in ("smd_before", "smd_after"):
        values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            row = int(bad[0])
            raise ValueError(
                f"balance row {row + 1} ({rows['covariate'][row]}), column {column}: "
                f"{str(rows[column][row])!r} is not a finite number; give every covariate's difference"
            )
        rows[column] = values
    repeated = rows["covariate"][rows["covariate"].duplicated()]
    if len(repeated):
        raise ValueError(f"balance has covariate {repeated.iloc[0]!r} twice: give one row per covariate")
    return rows


def love_plot(balance: pd.DataFrame, *, lang: str = "fi", synthetic: bool = False, threshold: float = 0.1):
    """Covariate balance before and after adjustment (a Love plot).

    Parameters
    ----------
    balance : DataFrame
        One row per covariate: ``covariate`` (the internal name, :func:`covariate_label`),
        ``smd_before`` and ``smd_after``, the standardised mean differences (clients minus
        comparisons, in pooled standard deviations; signed).  The index named ``covariate``
        of :func:`evaluation.comparison.balance.standardized_differences` will do as the column.
    lang : {"fi", "en"}
    synthetic : bool
        The data are synthetic: the figure is marked so.
    threshold : float
        Where the dashed line stands: |d| below 0.1 is the usual mark of balance (Austin 2009).

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The absolute differences are drawn (a difference's sign says which group has more, not how
    unbalanced they are), an open circle before adjustment and a filled one after, one row per
    covariate in the catalogue's words, the most unbalanced before adjustment at the top
    (sorted by |smd_before|; ties keep the table's order).  The figure computes nothing: the
    differences and their variance convention (pooled standard deviation of the unadjusted
    groups, Austin 2009; Stuart 2010) are the balance table's.  The figure is known as a Love
    plot, after Thomas E. Love.

    References
    ----------
    Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
    between treatment groups in propensity-score matched samples. Stat Med 28:3083–3107.
    Stuart EA (2010). Matching methods for causal inference: a review and a look forward.
    Stat Sci 25:1–21.
    """
    check_lang(lang)
    if not np.isfinite(threshold) or threshold <= 0:
        raise ValueError(f"threshold must be a positive number, not {threshold!r}")
    rows = _balance_rows(balance)
    names = [covariate_label(c, lang) for c in rows["covariate"]]
    before, after = np.abs(rows["smd_before"].to_numpy()), np.abs(rows["smd_after"].to_numpy())
    order = np.argsort(-before, kind="stable")
    y = np.arange(len(order))[::-1]  # the first of the order at the top
    shown = [wrap(names[i], NAME_WIDTH) for i in order]
    row_mm = 4.2 if all("\n" not in name for name in shown) else 7.0  # a name on two lines needs the room
    fig, ax, key = print_figure_with_key(36 + row_mm * len(order), 14)
    ax.axvline(
        threshold,
        color="#444444",
        linestyle="--",
        linewidth=0.9,
        label=text("cmp.threshold", lang, value=_decimal(threshold, lang)),
    )
    ax.hlines(y, np.minimum(before, after)[order], np.maximum(before, after)[order], color="#BBBBBB", linewidth=0.8)
    ax.plot(
        before[order],
        y,
        "o",
        markerfacecolor="white",
        markeredgecolor=COMPARISONS,
        markersize=4.5,
        linestyle="none",
        label=text("cmp.before", lang),
    )
    ax.plot(after[order], y, "o", color=CLIENTS, markersize=4.5, linestyle="none", label=text("cmp.after", lang))
    ax.set_yticks(y)
    ax.set_yticklabels(shown)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlim(0, max(float(before.max()), float(after.max()), threshold) * 1.08)
    ax.xaxis.set_major_formatter(lambda v, _: _decimal(round(v, 6), lang))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(text("cmp.smd", lang), fontsize=PRINT_FONTS["label"], loc="right")  # centred it would overhang
    # as print_title, but at the axes' right edge: centred over axes narrowed by the names it overhangs
    ax.set_title(wrap(text("cmp.balance_title", lang), 34), fontsize=PRINT_FONTS["title"], loc="right")
    handles, labels = ax.get_legend_handles_labels()
    # at the axes' right edge: the axes start right of the covariates' names, the figure's width
    key.legend(handles, labels, loc="center right", fontsize=PRINT_FONTS["legend"])
    mark_synthetic(fig, synthetic, lang)
    return fig


def _scores(values, name: str) -> np.ndarray:
    """Propensity scores, checked: finite and strictly between 0 and 1 (the logit axis)."""
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise ValueError(f"{name} is empty: give one propensity score per row")
    bad = np.flatnonzero(~(np.isfinite(x) & (x > 0) & (x < 1)))
    if bad.size:
        raise ValueError(
            f"{name}[{bad[0]}] = {float(x[bad[0]])}: a propensity score must lie strictly between 0 and 1 "
            "(a score of 0 or 1 is perfect separation: refit the score or trim those rows)"
        )
    return x


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def propensity_overlap(
    score_treated,
    score_comparison,
    *,
    weights_comparison=None,
    lang: str = "fi",
    synthetic: bool = False,
    bins: int = 30,
):
    """Mirrored histograms of the propensity scores of clients (up) and comparisons (down).

    Parameters
    ----------
    score_treated, score_comparison : array-like
        The clients' and the comparisons' propensity scores, each strictly between 0 and 1.
    weights_comparison : array-like, optional
        The comparisons' weights (matching or odds weights, non-negative, not all 0): the
        weighted comparison distribution is drawn as an outline over the unweighted one.
    lang : {"fi", "en"}
    synthetic : bool
        The data are synthetic: the figure is marked so.
    bins : int
        Bins of equal width on the logit scale, over the range of all the scores.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Each bar is the share (%) of its group in the bin, weighted for the outline
    (``100 * sum of weights in the bin / sum of weights``), so the two groups are comparable
    however unequal their sizes (some 150 clients against tens of thousands of comparison
    person-months).  The score axis is on the logit scale, ``log(p / (1 - p))``, ticks written
    as probabilities: with so few clients among so many comparisons almost every score lies
    under 0.05, and on a 0..1 axis the two distributions would both be a spike at 0; the logit
    spreads the small scores out, and it is the scale on which the logistic model is linear
    and on which a caliper is usually set (Austin 2011, a caliper of 0.2 standard deviations
    of the logit).  The figure computes no estimate and no variance.

    References
    ----------
    Austin PC (2011). Optimal caliper widths for propensity-score matching when estimating
    differences in means and differences in proportions in observational studies. Pharm Stat
    10:150–161.
    """
    check_lang(lang)
    treated = _scores(score_treated, "score_treated")
    comparison = _scores(score_comparison, "score_comparison")
    if int(bins) != bins or bins < 2:
        raise ValueError(f"bins must be a whole number of at least 2, not {bins!r}")
    weights = None
    if weights_comparison is not None:
        weights = np.asarray(weights_comparison, dtype=float).ravel()
        if weights.shape != comparison.shape:
            raise ValueError(
                f"weights_comparison has {weights.size} values for {comparison.size} comparison "
                "scores: give one weight per comparison"
            )
        bad = np.flatnonzero(~(np.isfinite(weights) & (weights >= 0)))
        if bad.size:
            raise ValueError(
                f"weights_comparison[{bad[0]}] = {float(weights[bad[0]])}: a weight must be a finite number of at least 0"
            )
        if weights.sum() <= 0:
            raise ValueError("weights_comparison are all 0: no comparison is used; give the adjustment's weights")
    lt, lc = _logit(treated), _logit(comparison)
    low, high = min(lt.min(), lc.min()), max(lt.max(), lc.max())
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, int(bins) + 1)
    width = edges[1] - edges[0]
    centres = edges[:-1] + width / 2

    def shares(x, w=None):
        counts, _ = np.histogram(x, bins=edges, weights=w)
        return 100 * counts / counts.sum()

    fig, ax, key = print_figure_with_key(84, 16)
    up, down = shares(lt), shares(lc)
    handles = [
        ax.bar(
            centres,
            up,
            width=width,
            color=CLIENTS,
            alpha=0.85,
            linewidth=0,
            label=text("cmp.clients", lang, n=number(treated.size, lang, 0)),
        ),
        ax.bar(
            centres,
            -down,
            width=width,
            color=COMPARISONS,
            alpha=0.55,
            linewidth=0,
            label=text("cmp.comparisons", lang, n=number(comparison.size, lang, 0)),
        ),
    ]
    tallest = max(up.max(), down.max())
    if weights is not None:
        weighted = shares(lc, weights)
        handles.append(ax.stairs(-weighted, edges, color="black", linewidth=1.1, label=text("cmp.weighted", lang)))
        tallest = max(tallest, weighted.max())
    ax.axhline(0, color="#444444", linewidth=0.8)
    ax.set_ylim(-tallest * 1.08, tallest * 1.08)
    ax.yaxis.set_major_formatter(lambda v, _: number(abs(v), lang, 0))
    ticks = _score_ticks(low - width, high + width)
    ax.set_xticks(_logit(np.array(ticks)))
    ax.set_xticklabels([_decimal(t, lang) for t in ticks])
    ax.set_xlim(low - width, high + width)
    ax.set_xlabel(text("cmp.score", lang), fontsize=PRINT_FONTS["label"])
    ax.set_ylabel(text("cmp.share", lang), fontsize=PRINT_FONTS["label"])
    print_title(ax, text("cmp.overlap_title", lang))
    key.legend(handles, [h.get_label() for h in handles], loc="center left", fontsize=PRINT_FONTS["legend"])
    mark_synthetic(fig, synthetic, lang)
    return fig


def _score_ticks(low: float, high: float) -> list[float]:
    """The probabilities to tick on a logit axis from ``low`` to ``high``: the first set of
    :data:`SCORE_TICKS` with at least three in view, else four points across the view, each
    rounded to two significant digits (a narrow range of scores)."""
    for ticks in SCORE_TICKS:
        inside = [t for t in ticks if low <= _logit(np.array(t)) <= high]
        if len(inside) >= 3:
            return inside
    points = 1 / (1 + np.exp(-np.linspace(low, high, 6)[1:-1]))
    return sorted({float(f"{p:.2g}") for p in points})


def _followed(times: np.ndarray, values, name: str) -> np.ndarray:
    """A curve's values (shares 0..1) over ``times``, checked: finite up to the end of follow-up
    and NaN after it, never a value after a NaN."""
    v = np.asarray(values, dtype=float).ravel()
    if v.shape != times.shape:
        raise ValueError(f"{name} has {v.size} values for {times.size} times: give one value per time")
    missing = np.isnan(v)
    if missing.any():
        first = int(np.argmax(missing))
        later = np.flatnonzero(~missing[first:])
        if later.size:
            raise ValueError(
                f"{name}[{first + later[0]}] = {float(v[first + later[0]])} follows NaN at {name}[{first}]: "
                "NaN marks the end of follow-up, after which every value is NaN"
            )
    bad = np.flatnonzero(~missing & ~((v >= 0) & (v <= 1)))
    if bad.size:
        raise ValueError(
            f"{name}[{bad[0]}] = {float(v[bad[0]])}: a cumulative incidence is a share from 0 to 1 (not %)"
        )
    return v


def comparison_curves(
    times,
    treated,
    counterfactual,
    *,
    horizons,
    difference,
    lower,
    upper,
    lang: str = "fi",
    synthetic: bool = False,
    level: int = 95,
):
    """The clients' cumulative incidence of employment and their counterfactual's.

    Parameters
    ----------
    times : array-like
        Days from the trial start, ascending, at which the curves step.
    treated, counterfactual : array-like
        The clients' and the counterfactual's cumulative incidence of employment at each time
        (shares 0..1, right-continuous steps); NaN beyond follow-up, and then NaN to the end.
    horizons : array-like
        The days at which the difference is reported.
    difference, lower, upper : array-like
        At each horizon the difference clients − counterfactual and its interval's bounds, as
        shares (0.052 is 5.2 percentage points); NaN where it is not estimable.
    lang : {"fi", "en"}
    synthetic : bool
        The data are synthetic: the figure is marked so.
    level : int
        The interval's confidence level, for the figure's words only.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Both curves are drawn as step functions (:func:`evaluation.figures.base.step_path`, 0 at
    day 0) up to their last finite value, nothing beyond it.  At each horizon a dotted line,
    a bracket between the two curves and the difference in percentage points beside it; under
    the axes the difference and its interval at every horizon, Finnish with a decimal comma.
    The figure computes nothing: the curves (weighted Aalen–Johansen) and the interval (cluster
    bootstrap of persons) are those of :func:`evaluation.comparison.curves.contrast_curves`.

    References
    ----------
    Aalen OO, Johansen S (1978). An empirical transition matrix for non-homogeneous Markov
    chains based on censored observations. Scand J Stat 5:141–150.
    """
    check_lang(lang)
    t = np.asarray(times, dtype=float).ravel()
    if t.size == 0:
        raise ValueError("times is empty: give the days at which the curves step")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("times must be finite days of at least 0")
    if np.any(np.diff(t) <= 0):
        at = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 1
        raise ValueError(
            f"times[{at}] = {float(t[at])} does not follow times[{at - 1}] = {float(t[at - 1])}: "
            "give the times strictly ascending"
        )
    curves = {
        "treated": _followed(t, treated, "treated"),
        "counterfactual": _followed(t, counterfactual, "counterfactual"),
    }
    h = np.asarray(horizons, dtype=float).ravel()
    given = {"difference": difference, "lower": lower, "upper": upper}
    columns = {}
    for name, values in given.items():
        columns[name] = np.asarray(values, dtype=float).ravel()
        if columns[name].shape != h.shape:
            raise ValueError(f"{name} has {columns[name].size} values for {h.size} horizons: give one per horizon")
    if not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError("horizons must be finite days of at least 0")
    lines = [wrap(text("cmp.differences", lang, level=level), 48)]
    for day, d, lo, hi in zip(h, columns["difference"], columns["lower"], columns["upper"]):
        day_text = number(day, lang, 0)
        if np.isfinite(d) and np.isfinite(lo) and np.isfinite(hi):
            lines.append(
                text(
                    "cmp.at_horizon",
                    lang,
                    day=day_text,
                    difference=_points(d, lang),
                    interval=interval(100 * lo, 100 * hi, lang, 1, plus=True),
                )
            )
        else:
            lines.append(text("cmp.not_estimable", lang, day=day_text))
    note = "\n".join(lines)
    # under the axes a strip for the legend and one for the note, 3.3 mm a line at 7 pt
    note_mm = 3.3 * (note.count("\n") + 1) + 1
    fig, ax, key, written_key = _figure_with_two_keys(82 + note_mm, 9, note_mm)
    ends = {}
    styles = {
        "treated": {"color": CLIENTS, "linewidth": 1.6},
        "counterfactual": {"color": "#444444", "linestyle": "--", "linewidth": 1.3},
    }
    for name, v in curves.items():
        shown = np.isfinite(v)
        if shown.any():
            ends[name] = float(t[shown][-1])
            x, y = step_path(t[shown], 100 * v[shown], ends[name])
            ax.plot(x, y, label=text(f"cmp.{name}", lang), **styles[name])
    right = max(ends.values(), default=float(t[-1]))
    top = 0.0
    for v in curves.values():
        if np.isfinite(v).any():
            top = max(top, float(np.nanmax(v)))
    for day, d in zip(h, columns["difference"]):
        values = [_value_at(t, curves[name], day) for name in ("treated", "counterfactual")]
        if np.isfinite(d) and day <= right and all(np.isfinite(values)):
            written = _points(d, lang)
            ax.axvline(day, color="#AAAAAA", linestyle=":", linewidth=0.8)
            ax.plot(
                [day, day], [100 * values[0], 100 * values[1]], color="black", linewidth=1.2, marker="_", markersize=5
            )
            ax.annotate(
                written,
                xy=(day, 100 * (values[0] + values[1]) / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=PRINT_FONTS["note"],
            )
    ax.set_xlim(0, max(right, 1.0))
    ax.set_ylim(0, min(100.0, max(10.0, np.ceil(100 * top * 1.15 / 10) * 10)))
    ax.set_xlabel(text("cmp.days", lang), fontsize=PRINT_FONTS["label"])
    ax.set_ylabel(text("cmp.cif", lang), fontsize=PRINT_FONTS["label"])
    print_title(ax, text("cmp.curves_title", lang))
    handles, labels = ax.get_legend_handles_labels()
    key.legend(handles, [wrap(n, 40) for n in labels], loc="center left", fontsize=PRINT_FONTS["legend"])
    written_key.text(
        0.0, 0.5, note, transform=written_key.transAxes, ha="left", va="center", fontsize=PRINT_FONTS["legend"]
    )
    mark_synthetic(fig, synthetic, lang)
    return fig


def _figure_with_two_keys(height_mm: float, legend_mm: float, note_mm: float):
    """As :func:`evaluation.figures.base.print_figure_with_key`, with two strips under the axes
    (``legend_mm`` and ``note_mm`` high), so that a legend and a note of several lines never
    overlap: figure, axes, legend strip, note strip."""
    pad = 2 * float(plt.rcParams["savefig.pad_inches"])
    fig, (ax, *strips) = plt.subplots(
        3,
        1,
        figsize=(PRINT_WIDTH_MM / 25.4 - pad, height_mm / 25.4 - pad),
        height_ratios=[height_mm - legend_mm - note_mm, legend_mm, note_mm],
        layout="constrained",
    )
    fig.get_layout_engine().set(h_pad=0.01, hspace=0)
    ax.tick_params(labelsize=PRINT_FONTS["tick"])
    for strip in strips:
        strip.set_xticks([])
        strip.set_yticks([])
        strip.grid(False)
        for spine in strip.spines.values():
            spine.set_visible(False)
    return fig, ax, strips[0], strips[1]


def _points(share: float, lang: str) -> str:
    """A difference of shares in percentage points, one decimal, its sign always written:
    ``+5,2``, ``−1,0``, ``0,0`` (``+5.2`` in English)."""
    value = round(100 * float(share), 1)
    if value == 0:
        return number(0.0, lang, 1)
    return ("+" if value > 0 else "") + signed(value, lang, 1)


def _value_at(times: np.ndarray, values: np.ndarray, day: float) -> float:
    """A right-continuous step function's value at ``day``: 0 before the first time, NaN
    beyond follow-up (the last finite value's time is the end)."""
    j = int(np.searchsorted(times, day, side="right")) - 1
    if j < 0:
        return 0.0
    finite = np.isfinite(values)
    if not finite.any() or day > times[finite][-1]:
        return float("nan")
    return float(values[j])

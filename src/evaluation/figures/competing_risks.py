"""Time to exit with competing outcomes (notebook 02): cumulative incidence, Kaplan–Meier, ratios."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..survival import followed_until_on_curve
from ..text import check_lang
from .base import COLOURS, mark_synthetic, step_path
from .labels import label, text

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "cumulative_incidence_panels", "cumulative_incidence_stacked", "forest_plot",
    "kaplan_meier_with_risk_table",
]


def fewest_drawn(min_at_risk: int, synthetic: bool, min_cell: int) -> int:
    """The fewest clients at risk a drawn step may rest on: ``min_at_risk``, and on real data
    (``synthetic`` False) at least ``min_cell``, so that no step of a curve is made by fewer
    people than disclosure control shows in a table (a step of 1 event among 4 gives back the
    count 1 and the 4 at risk)."""
    return int(min_at_risk) if synthetic else max(int(min_at_risk), int(min_cell))


def pooled_steps(curve, min_events: int):
    """The rows of a step curve at which it is drawn when no step may rest on fewer than
    ``min_events`` events (disclosure control of real data: a step of one event gives the count
    1 back).  ``curve`` has ``time`` and ``events`` (the events at each time) columns, in time
    order; a row is kept when the events since the last kept row reach ``min_events``, and the
    curve keeps its value in between.  The value at a kept time is the estimate there, unchanged:
    only neighbouring steps are merged (the events after the last kept row are not drawn).
    With ``min_events`` 1 or less every row is kept.  A coarsening of the drawing, not of the
    estimate; OpenSAFELY's kaplan-meier-function (github.com/opensafely-actions/kaplan-meier-function)
    makes each step safe another way, by rounding its counts to a multiple of ``count_min``."""
    if min_events <= 1:
        return curve
    keep, pending = [], 0
    for i, events in enumerate(curve["events"].to_numpy()):
        pending += int(events)
        if pending >= min_events:
            keep.append(i)
            pending = 0
    return curve.iloc[keep]


def _step_events(synthetic: bool, min_cell: int) -> int:
    """The fewest events a drawn step may rest on: ``min_cell`` on real data, 1 on synthetic."""
    return 1 if synthetic else int(min_cell)


def _group_label(by: str, group, lang: str) -> str:
    """A group's name in ``lang`` (``group.<column>=<value>`` in the catalogue), else ``column = value``."""
    key = f"group.{by}={group}"
    found = label(key, lang)
    return found if found != key else f"{by} = {group}"


def _shown(curve, stop: float | None):
    """The rows of a curve drawn up to ``stop`` (the day :func:`evaluation.survival.followed_until`
    gives, included: the tables estimate there), and where the drawing ends; nothing when
    ``stop`` is None (too few clients for any estimate)."""
    if stop is None:
        return curve.iloc[:0], 0.0
    return curve.loc[curve["time"] <= stop], float(stop)


def _stop_note(day: float | None, fewest: int, step_events: int, lang: str) -> str:
    """Where the curves stop (or that none is drawn) and, on real data, how many events a step
    pools at least."""
    note = text("survival.stops", lang, day=f"{day:.0f}", n=fewest) if day is not None else \
        text("survival.none_drawn", lang, n=fewest)
    return note + ("\n" + text("survival.pooled", lang, n=step_events) if step_events > 1 else "")


def _risk_row(ax, risk_times, risk_counts, lang: str) -> None:
    """The numbers at risk under the x axis, at ``risk_times`` (which become the ticks)."""
    ax.set_xticks(list(risk_times))
    for t, n in zip(risk_times, risk_counts):
        ax.annotate(str(n), xy=(t, 0), xycoords=("data", "axes fraction"), xytext=(0, -42),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.annotate(text("survival.at_risk", lang), xy=(0, 0), xycoords="axes fraction", xytext=(-22, -42),
                textcoords="offset points", ha="right", fontsize=9, fontweight="bold")


def cumulative_incidence_stacked(cif, *, lang: str = "fi", synthetic: bool = False, groups=None,
                                 min_at_risk: int = 10, risk_times=None, risk_counts=None, min_cell: int = 5):
    """All outcome groups' cumulative incidence stacked over time; the gap above is 'no exit yet'.

    ``cif`` is :func:`evaluation.survival.cumulative_incidence` output (one group of clients).
    The curves stop at the last day at which at least ``min_at_risk`` clients are followed (on
    real data ``min_cell`` too, :func:`fewest_drawn`), the day every table stops at
    (:func:`evaluation.survival.followed_until`, read from the curve by
    :func:`evaluation.survival.followed_until_on_curve`), and the figure says where;
    ``risk_times`` and ``risk_counts`` put the numbers at risk under it.  On real data each
    layer's steps pool at least ``min_cell`` events (:func:`pooled_steps`).  The legend lists
    the groups in the order of the stack, top to bottom.
    """
    check_lang(lang)
    groups = groups or list(cif["cause"].unique())
    fewest = fewest_drawn(min_at_risk, synthetic, min_cell)
    stop = followed_until_on_curve(cif, fewest)
    shown, end = _shown(cif, stop)
    times = np.sort(shown["time"].unique()).astype(float)
    grid = np.concatenate([[0.0], times, [end]])
    layers = []
    step_events = _step_events(synthetic, min_cell)
    for cause in groups:
        drawn = pooled_steps(shown.loc[shown["cause"] == cause].sort_values("time"), step_events)
        curve = drawn.set_index("time")["cif"].reindex(times).ffill().fillna(0)
        values = curve.to_numpy()
        layers.append(np.concatenate([[0.0], values, values[-1:] if len(values) else [0.0]]))
    fig, ax = plt.subplots(figsize=(8, 4.6))
    ax.stackplot(grid, *[100 * y for y in layers], step="post",
                 colors=[COLOURS[c] for c in groups], labels=[label(c, lang) for c in groups], alpha=0.9)
    ax.set_xlim(0, max(end, 1.0))
    ax.set_ylim(0, 100)
    ax.set_xlabel(text("survival.days", lang), labelpad=30 if risk_times is not None else 4)
    ax.set_ylabel(text("survival.cif", lang) + ", %")
    ax.set_title(text("survival.cif_title", lang))
    ax.text(0.02, 0.96, text("survival.no_exit", lang), transform=ax.transAxes, va="top", fontsize=9, color="#444444")
    ax.text(0.98, 0.96, _stop_note(stop, fewest, step_events, lang), transform=ax.transAxes,
            va="top", ha="right", fontsize=8, color="#444444")
    if risk_times is not None:
        _risk_row(ax, [t for t in risk_times if t <= end], risk_counts, lang)
    handles, names = ax.get_legend_handles_labels()  # stackplot's first group is the bottom layer
    ax.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0))
    mark_synthetic(fig, synthetic, lang)
    return fig


def cumulative_incidence_panels(cif, *, lang: str = "fi", synthetic: bool = False, by: str | None = None,
                                level: int = 95, min_at_risk: int = 10, min_cell: int = 5):
    """One panel per outcome group: cumulative incidence with its interval band.

    With a ``group`` column in ``cif`` (from :func:`evaluation.survival.cumulative_incidence_by`),
    one curve per group in each panel, named in ``lang`` (``group.<by>=<value>`` in the label
    catalogue) under a title that says what is compared (``compare.<by>``).  Each curve stops
    at the last day at which at least ``min_at_risk`` of its own clients are followed (on real
    data ``min_cell`` too, :func:`fewest_drawn`): :func:`evaluation.survival.followed_until` of
    its group, as the tables, read from the curve by
    :func:`evaluation.survival.followed_until_on_curve`; the figure says so; on real data each
    step pools at least ``min_cell`` events (:func:`pooled_steps`).
    """
    check_lang(lang)
    causes = list(cif["cause"].unique())
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.2), sharex=True, sharey=True)
    groups = list(cif["group"].unique()) if "group" in cif.columns else [None]
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fewest = fewest_drawn(min_at_risk, synthetic, min_cell)
    step_events = _step_events(synthetic, min_cell)
    stops = {group: followed_until_on_curve(cif if group is None else cif.loc[cif["group"] == group], fewest)
             for group in groups}
    right = 1.0  # one day at least: all exits on day 0 happen
    for group, stop in stops.items():
        right = max(right, _shown(cif if group is None else cif.loc[cif["group"] == group], stop)[1])
    for ax, cause in zip(axes.flat, causes):
        for i, group in enumerate(groups):
            curve = cif.loc[(cif["cause"] == cause) & ((cif["group"] == group) if group is not None else True)]
            curve, end = _shown(curve, stops[group])
            curve = pooled_steps(curve.sort_values("time"), step_events)
            colour = COLOURS[cause] if group is None else palette[i % len(palette)]
            x, y = step_path(curve["time"], 100 * curve["cif"], end)
            _, lo = step_path(curve["time"], 100 * curve["lower"], end)
            _, hi = step_path(curve["time"], 100 * curve["upper"], end)
            ax.plot(x, y, color=colour, label=None if group is None else _group_label(by, group, lang))
            ax.fill_between(x, lo, hi, color=colour, alpha=0.18, linewidth=0)
        ax.set_title(label(cause, lang), fontsize=10)
        ax.set_ylim(0, 100)
        ax.set_xlim(0, right)
    for ax in axes[1]:
        ax.set_xlabel(text("survival.days", lang))
    for ax in axes[:, 0]:
        ax.set_ylabel(text("survival.cif", lang) + ", %")
    if groups != [None]:
        axes.flat[0].legend(loc="upper left", fontsize=8)
    title = text("survival.panels_title", lang, level=level)
    if groups != [None]:
        title = text("survival.panels_by_title", lang, compared=label(f"compare.{by}", lang), level=level)
    fig.suptitle(title, fontweight="bold", y=1.03)
    note = text("survival.stops_each", lang, n=fewest)
    if step_events > 1:
        pooled = text("survival.pooled", lang, n=step_events)
        note += f" {pooled[0].upper()}{pooled[1:]}."
    fig.text(0.5, -0.01, note, ha="center", va="top", fontsize=8, color="#444444")
    mark_synthetic(fig, synthetic, lang)
    return fig


def kaplan_meier_with_risk_table(km, risk_times, risk_counts, *, lang: str = "fi", synthetic: bool = False,
                                 cif=None, min_at_risk: int = 10, min_cell: int = 5):
    """Kaplan–Meier curve of employment with the competing outcomes censored, its interval band
    and the numbers at risk under the axis.  It is not the share of clients without work (it
    describes a world without the competing exits), so it is labelled for what it is and, with
    ``cif`` (the cumulative incidence table), the real share not (yet) employed, 1 − the
    cumulative incidence of employment, is drawn beside it.

    The curves stop where the cumulative incidence figures and the tables stop, at the last day
    at which at least ``min_at_risk`` clients are followed (on real data ``min_cell`` too,
    :func:`fewest_drawn`; :func:`evaluation.survival.followed_until`, read from the curve by
    :func:`evaluation.survival.followed_until_on_curve`), so no step rests on fewer people;
    numbers at risk after that day are not shown.  On real data each drawn step pools at least ``min_cell`` events
    (:func:`pooled_steps`), as the figure says.  The dotted line marks 50 %: where the curve
    crosses it is the median."""
    check_lang(lang)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    fewest = fewest_drawn(min_at_risk, synthetic, min_cell)
    step_events = _step_events(synthetic, min_cell)
    stop = followed_until_on_curve(km, fewest)
    km, end = _shown(km, stop)
    km = pooled_steps(km, step_events)
    x, y = step_path(km["time"], 100 * (1 - km["survival"]), end)
    _, lo = step_path(km["time"], 100 * (1 - km["lower"]), end)
    _, hi = step_path(km["time"], 100 * (1 - km["upper"]), end)
    ax.plot(x, 100 - y, color=COLOURS["employment"], label=text("survival.km_curve", lang))
    ax.fill_between(x, 100 - lo, 100 - hi, color=COLOURS["employment"], alpha=0.2, linewidth=0)
    if cif is not None:
        employed, _ = _shown(cif.loc[cif["cause"] == "employment"].sort_values("time"), stop)
        employed = pooled_steps(employed, step_events)
        cx, cy = step_path(employed["time"], 100 * employed["cif"], end)
        ax.plot(cx, 100 - cy, color="#444444", linestyle="--", linewidth=1.4, label=text("survival.real_share", lang))
    ax.axhline(50, color="#666666", linestyle=":", linewidth=1, label=text("survival.median_line", lang))
    ax.set_ylim(0, 100)
    ax.set_xlim(0, max(end, 1.0))  # one day at least: all exits on day 0 happen
    ax.set_ylabel(text("survival.km_y", lang) + ", %")
    ax.set_xlabel(text("survival.days", lang), labelpad=30)
    ax.set_title(text("survival.km_title", lang))
    shown_times = [t for t in risk_times if t <= end]
    _risk_row(ax, shown_times, list(risk_counts)[:len(shown_times)], lang)
    ax.text(0.98, 0.96, _stop_note(stop, fewest, step_events, lang), transform=ax.transAxes, va="top",
            ha="right", fontsize=8, color="#444444")
    ax.legend(loc="lower left", fontsize=8)
    mark_synthetic(fig, synthetic, lang)
    return fig


#: Ticks of the ratio axes.
RATIO_TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10)


def ratio_rows(table, column: str, lang: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The rows of a model table as the figure shows them: each covariate's label in ``lang``
    with its reference level, age per 10 years (the ratio and its interval to the 10th power)."""
    names, est, lo, hi = [], [], [], []
    for covariate, row in table.iterrows():
        power = 10.0 if covariate == "age_at_entry" else 1.0
        names.append(label(f"cov.{covariate}", lang))
        est.append(float(row[column]) ** power)
        lo.append(float(row["lower"]) ** power)
        hi.append(float(row["upper"]) ** power)
    return names, np.array(est), np.array(lo), np.array(hi)


def forest_plot(cox_table, fg_table=None, *, lang: str = "fi", synthetic: bool = False):
    """Two panels, each with its own name: the cause-specific Cox hazard ratios (how fast those
    still searching found work) and the Fine–Gray subdistribution hazard ratios (the direction
    of the effect on the share who found work, not its size).  Labels in ``lang`` with the
    reference level, age per 10 years, a log axis with ticks 0.1 … 10."""
    check_lang(lang)
    panels = [(cox_table, "hr", "survival.cox_panel", COLOURS["employment"])]
    if fg_table is not None and len(fg_table):
        panels.append((fg_table.reindex(cox_table.index), "shr", "survival.fg_panel", COLOURS["activation"]))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels) + 2.4, 0.5 * len(cox_table) + 2.0),
                             sharey=True, squeeze=False)
    for ax, (table, column, title, colour) in zip(axes[0], panels):
        names, est, lo, hi = ratio_rows(table, column, lang)
        y = np.arange(len(names))[::-1]
        ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=colour, capsize=3)
        ax.axvline(1, color="#666666", linewidth=1)
        ax.set_xscale("log")
        low = min(0.1, np.nanmin(lo[lo > 0]) if (lo > 0).any() else 0.1)
        high = max(10, np.nanmax(hi[np.isfinite(hi)]) if np.isfinite(hi).any() else 10)
        ax.set_xlim(low / 1.2, high * 1.2)
        ticks = [t for t in RATIO_TICKS if low / 1.2 <= t <= high * 1.2]
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:g}".replace(".", ",") if lang == "fi" else f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.set_title(text(title, lang), fontsize=10)
    axes[0][0].set_xlabel(text("survival.hr", lang))
    if len(panels) > 1:
        axes[0][1].set_xlabel(text("survival.shr", lang))
    fig.suptitle(text("survival.forest_title", lang), fontweight="bold")
    mark_synthetic(fig, synthetic, lang)
    return fig

"""Time to exit with competing outcomes (notebook 02): cumulative incidence, Kaplan–Meier, ratios."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..text import check_lang
from .base import COLOURS, mark_synthetic, step_path
from .labels import label, text


def followed_until(cif, min_at_risk: int) -> float | None:
    """The first time in ``cif`` at which fewer than ``min_at_risk`` clients were still at risk:
    curves stop there (estimates beyond rest on too few people, and the last steps of the
    curves have no width); None when there is no such time (then they run to the last time)."""
    times = cif.drop_duplicates("time").sort_values("time")
    thin = times.loc[times["at_risk"].astype(float) < min_at_risk, "time"]
    return float(thin.iloc[0]) if len(thin) else None


def _shown(curve, stop: float | None):
    """The rows of a curve drawn before ``stop``, and where the drawing ends."""
    if stop is None:
        return curve, float(curve["time"].max()) if len(curve) else 0.0
    return curve.loc[curve["time"] < stop], stop


def _risk_row(ax, risk_times, risk_counts, lang: str) -> None:
    """The numbers at risk under the x axis, at ``risk_times`` (which become the ticks)."""
    ax.set_xticks(list(risk_times))
    for t, n in zip(risk_times, risk_counts):
        ax.annotate(str(n), xy=(t, 0), xycoords=("data", "axes fraction"), xytext=(0, -42),
                    textcoords="offset points", ha="center", fontsize=9)
    ax.annotate(text("survival.at_risk", lang), xy=(0, 0), xycoords="axes fraction", xytext=(-22, -42),
                textcoords="offset points", ha="right", fontsize=9, fontweight="bold")


def cumulative_incidence_stacked(cif, *, lang: str = "fi", synthetic: bool = False, groups=None,
                                 min_at_risk: int = 10, risk_times=None, risk_counts=None):
    """All outcome groups' cumulative incidence stacked over time; the gap above is 'no exit yet'.

    ``cif`` is :func:`evaluation.survival.cumulative_incidence` output (one group of clients).
    The curves stop at :func:`followed_until` (fewer than ``min_at_risk`` clients left), and
    the figure says where; ``risk_times`` and ``risk_counts`` put the numbers at risk under it.
    """
    check_lang(lang)
    groups = groups or list(cif["cause"].unique())
    shown, end = _shown(cif, followed_until(cif, min_at_risk))
    times = np.sort(shown["time"].unique()).astype(float)
    grid = np.concatenate([[0.0], times, [end]])
    layers = []
    for cause in groups:
        curve = cif.loc[cif["cause"] == cause].set_index("time")["cif"].reindex(times).ffill().fillna(0)
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
    ax.text(0.98, 0.96, text("survival.stops", lang, day=f"{end:.0f}", n=min_at_risk), transform=ax.transAxes,
            va="top", ha="right", fontsize=8, color="#444444")
    if risk_times is not None:
        _risk_row(ax, [t for t in risk_times if t <= end], risk_counts, lang)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    mark_synthetic(fig, synthetic, lang)
    return fig


def cumulative_incidence_panels(cif, *, lang: str = "fi", synthetic: bool = False, by: str | None = None,
                                level: int = 95, min_at_risk: int = 10):
    """One panel per outcome group: cumulative incidence with its interval band.

    With a ``group`` column in ``cif`` (from :func:`evaluation.survival.cumulative_incidence_by`),
    one curve per group in each panel.  Each curve stops at :func:`followed_until` of its own
    clients (fewer than ``min_at_risk`` left), as the figure says.
    """
    check_lang(lang)
    causes = list(cif["cause"].unique())
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.2), sharex=True, sharey=True)
    groups = list(cif["group"].unique()) if "group" in cif.columns else [None]
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    stops = {group: followed_until(cif if group is None else cif.loc[cif["group"] == group], min_at_risk)
             for group in groups}
    right = 1.0  # one day at least: all exits on day 0 happen
    for group, stop in stops.items():
        right = max(right, _shown(cif if group is None else cif.loc[cif["group"] == group], stop)[1])
    for ax, cause in zip(axes.flat, causes):
        for i, group in enumerate(groups):
            curve = cif.loc[(cif["cause"] == cause) & ((cif["group"] == group) if group is not None else True)]
            curve, end = _shown(curve, stops[group])
            colour = COLOURS[cause] if group is None else palette[i % len(palette)]
            x, y = step_path(curve["time"], 100 * curve["cif"], end)
            _, lo = step_path(curve["time"], 100 * curve["lower"], end)
            _, hi = step_path(curve["time"], 100 * curve["upper"], end)
            ax.plot(x, y, color=colour, label=None if group is None else f"{by}={group}")
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
    fig.suptitle(text("survival.panels_title", lang, level=level), fontweight="bold", y=1.03)
    fig.text(0.5, -0.01, text("survival.stops_each", lang, n=min_at_risk), ha="center", va="top", fontsize=8,
             color="#444444")
    mark_synthetic(fig, synthetic, lang)
    return fig


def kaplan_meier_with_risk_table(km, risk_times, risk_counts, *, lang: str = "fi", synthetic: bool = False,
                                 cif=None):
    """Kaplan–Meier curve of employment with the competing outcomes censored, its interval band
    and the numbers at risk under the axis.  It is not the share of clients without work (it
    describes a world without the competing exits), so it is labelled for what it is and, with
    ``cif`` (the cumulative incidence table), the real share not (yet) employed, 1 − the
    cumulative incidence of employment, is drawn beside it."""
    check_lang(lang)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    end = float(max(km["time"].max(), max(risk_times)))
    x, y = step_path(km["time"], 100 * (1 - km["survival"]), end)
    _, lo = step_path(km["time"], 100 * (1 - km["lower"]), end)
    _, hi = step_path(km["time"], 100 * (1 - km["upper"]), end)
    ax.plot(x, 100 - y, color=COLOURS["employment"], label=text("survival.km_curve", lang))
    ax.fill_between(x, 100 - lo, 100 - hi, color=COLOURS["employment"], alpha=0.2, linewidth=0)
    if cif is not None:
        employed = cif.loc[cif["cause"] == "employment"]
        cx, cy = step_path(employed["time"], 100 * employed["cif"], end)
        ax.plot(cx, 100 - cy, color="#444444", linestyle="--", linewidth=1.4, label=text("survival.real_share", lang))
    ax.axhline(50, color="#666666", linestyle=":", linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_xlim(0, max(end, 1.0))  # one day at least: all exits on day 0 happen
    ax.set_ylabel(text("survival.km_y", lang) + ", %")
    ax.set_xlabel(text("survival.days", lang), labelpad=30)
    ax.set_title(text("survival.km_title", lang))
    _risk_row(ax, risk_times, risk_counts, lang)
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

"""The proof on LaLonde's NSW experiment: the experimental benchmark, and the naive, matching and
weighting estimates with the PSID-1 and CPS-1 comparison groups, beside Dehejia and Wahba's
published figures. Pure: the tables in (``evaluation.lalonde_data.load_lalonde``), a result
dictionary and its Markdown out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from .matching import matched_effect, nearest_neighbour_match
from .propensity import logistic_propensity
from .robust import Effect
from .weighting import att_odds_weights, effective_sample_size, weighted_effect

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["lalonde_benchmark", "lalonde_markdown"]

OUTCOMES = {"re78": "earnings in 1978 (1982 US dollars)", "employed78": "employed in 1978 (earnings > 0; share)"}
GROUPS = {"psid": "PSID-1", "cps": "CPS-1"}
SPECIFICATION = (
    "logistic: age, age², educ, educ², married, nodegree, black, hispanic, re74, re75, re74², "
    "re75², u74, u75, educ·re74 (u74, u75: no earnings in 1974, 1975; earnings in $1,000s)"
)
BALANCE = ("age", "educ", "black", "hispanic", "married", "nodegree", "re74", "re75", "u74", "u75")
CALIPER = 0.1


def dehejia_wahba_design(frame: pd.DataFrame) -> np.ndarray:
    """The propensity model's design: an intercept and Dehejia and Wahba's covariates and terms
    (:data:`SPECIFICATION`; the same for both comparison groups, whereas their papers fitted one
    specification per group). Earnings in thousands of dollars, which does not change the score."""
    age, educ = frame["age"].to_numpy(float), frame["educ"].to_numpy(float)
    re74, re75 = frame["re74"].to_numpy(float) / 1000, frame["re75"].to_numpy(float) / 1000
    return np.column_stack(
        [
            np.ones(len(frame)),
            age,
            age**2,
            educ,
            educ**2,
            frame["married"],
            frame["nodegree"],
            frame["black"],
            frame["hispanic"],
            re74,
            re75,
            re74**2,
            re75**2,
            re74 == 0,
            re75 == 0,
            educ * re74,
        ]
    ).astype(float)


def difference_in_means(outcome: np.ndarray, treated: np.ndarray, *, level: float = 0.95) -> Effect:
    """Mean of the treated minus mean of the controls, with Neyman's unpooled standard error
    ``sqrt(s1²/n1 + s0²/n0)`` (sample variances) and a normal interval (Imbens and Rubin 2015, ch. 6)."""
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated).astype(int)
    a, b = y[t == 1], y[t == 0]
    estimate = float(a.mean() - b.mean())
    se = float(math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    z = norm.ppf(1 - (1 - level) / 2)
    return Effect(estimate, se, estimate - z * se, estimate + z * se, "difference in means; Neyman (unpooled) SE")


def _outcomes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    return {"re78": frame["re78"].to_numpy(float), "employed78": (frame["re78"] > 0).to_numpy(float)}


def _balance(frame: pd.DataFrame, treated: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Standardised mean differences (treated minus weighted controls, over the treated's SD, as
    MatchIt's ``summary`` for the ATT) of the main covariates; the largest in absolute value."""
    out = {}
    for column in BALANCE:
        x = (
            frame["re74"] == 0 if column == "u74" else frame["re75"] == 0 if column == "u75" else frame[column]
        ).to_numpy(float)
        sd = x[treated == 1].std(ddof=1)
        control = (treated == 0) & (weights > 0)
        out[column] = float(
            (
                np.average(x[treated == 1], weights=weights[treated == 1])
                - np.average(x[control], weights=weights[control])
            )
            / sd
        )
    return out


def observational_estimates(treated: pd.DataFrame, controls: pd.DataFrame) -> dict:
    """Every estimate for one comparison group: naive, matching (1:1 nearest neighbour on the
    propensity score with replacement, as Dehejia and Wahba 2002; and without replacement within
    a caliper of 0.1 SD), ATT odds weighting; with overlap and balance."""
    frame = pd.concat([treated, controls], ignore_index=True)
    t = frame["treat"].to_numpy(int)
    model = logistic_propensity(dehejia_wahba_design(frame), t)
    score = model.score
    outcomes = _outcomes(frame)
    result: dict = {"controls": int((t == 0).sum()), "treated": int(t.sum())}
    below = int((score[t == 0] < score[t == 1].min()).sum())
    result["overlap"] = {
        "treated_score_min": float(score[t == 1].min()),
        "treated_score_max": float(score[t == 1].max()),
        "controls_below_treated_min": below,
        "controls_score_median": float(np.median(score[t == 0])),
    }
    result["naive"] = {k: difference_in_means(y, t).as_dict() for k, y in outcomes.items()}
    result["balance_before"] = _balance(frame, t, np.ones(len(t)))
    for name, kwargs in {
        "matching_with_replacement": {"replace": True},
        "matching_caliper": {"replace": False, "caliper": CALIPER},
    }.items():
        m = nearest_neighbour_match(score, t, **kwargs)
        entry = {k: matched_effect(y, m, t).as_dict() for k, y in outcomes.items()}
        entry.update(
            matched_treated=m.matched_treated,
            unmatched_treated=m.unmatched_treated,
            controls_used=int((m.weights[t == 0] > 0).sum()),
            max_abs_smd=max(abs(v) for v in _balance(frame, t, m.weights).values()),
        )
        result[name] = entry
    w = att_odds_weights(score, t)
    entry = {k: weighted_effect(y, t, w).as_dict() for k, y in outcomes.items()}
    entry.update(
        effective_controls=effective_sample_size(w[t == 0]),
        max_abs_smd=max(abs(v) for v in _balance(frame, t, w).values()),
    )
    result["weighting"] = entry
    result["max_abs_smd_before"] = max(abs(v) for v in result["balance_before"].values())
    return result


def lalonde_benchmark(experimental: pd.DataFrame, psid: pd.DataFrame, cps: pd.DataFrame, published: dict) -> dict:
    """The whole comparison: the experimental benchmark and, for PSID-1 and CPS-1, every estimate;
    deterministic (no resampling)."""
    t = experimental["treat"].to_numpy(int)
    out = {
        "data": {
            "experimental_treated": int(t.sum()),
            "experimental_controls": int((t == 0).sum()),
            "psid_controls": len(psid),
            "cps_controls": len(cps),
        },
        "specification": SPECIFICATION,
        "experimental": {k: difference_in_means(y, t).as_dict() for k, y in _outcomes(experimental).items()},
        "published": published,
    }
    nsw_treated = experimental[experimental["treat"] == 1]
    for group, frame in {"psid": psid, "cps": cps}.items():
        out[group] = observational_estimates(nsw_treated, frame)
    return out


ESTIMATORS = {
    "naive": "naive difference",
    "matching_with_replacement": "1:1 nearest neighbour, with replacement",
    "matching_caliper": f"1:1 nearest neighbour, no replacement, caliper {CALIPER} SD",
    "weighting": "ATT odds weighting",
}


def _money(x: float) -> str:
    return f"{x:,.0f}".replace("-", "−")


def _share(x: float) -> str:
    return f"{100 * x:.1f}".replace("-", "−")


def _cell(e: dict, fmt) -> str:
    return f"{fmt(e['estimate'])} [{fmt(e['lower'])}, {fmt(e['upper'])}]"


def _covers(e: dict, value: float) -> str:
    return "yes" if e["lower"] <= value <= e["upper"] else "no"


def lalonde_markdown(result: dict) -> str:
    """``lalonde.md``: the tables and an honest reading of them, every number from ``result``."""
    exp = result["experimental"]
    pub = result["published"]
    bench = exp["re78"]["estimate"]
    bench_emp = exp["employed78"]["estimate"]
    d = result["data"]
    lines = [
        "# LaLonde's NSW experiment: do the comparison's estimators recover the experimental effect?",
        "",
        "Made by `python -m evaluation lalonde` from `data/public/lalonde/` (see its README); every number below is "
        "in `lalonde.json`. Intervals are 95 % (normal). Earnings in 1982 US dollars; employment in percentage points.",
        "",
        "## The experimental benchmark",
        "",
        f"Dehejia and Wahba's subsample of the NSW men: {d['experimental_treated']} treated, "
        f"{d['experimental_controls']} randomised controls. Effect on 1978 earnings: "
        f"**{_cell(exp['re78'], _money)}** ({exp['re78']['method']}); published {_money(pub['experimental']['estimate'])} "
        f"(SE {pub['experimental']['se']}, {pub['experimental']['source']}; the pooled-variance SE of the data is the "
        "published one). Effect on employment in 1978: "
        f"{_cell(exp['employed78'], _share)} points.",
        "",
        "## With observational comparison groups",
        "",
        f"The NSW treated men against PSID-1 ({d['psid_controls']:,} men) and CPS-1 ({d['cps_controls']:,} men). "
        f"Propensity score: {result['specification']}. Dehejia and Wahba fitted a specification of their own for "
        "each comparison group and discarded comparison units outside the treated's range of scores; we use one "
        "specification for both and discard nobody, so we do not claim to reproduce their estimates.",
        "",
        "| comparison | estimator | 1978 earnings [95 % CI] | contains the benchmark | employment, points [95 % CI] | "
        "treated matched | controls used / effective | max abs SMD |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, label in GROUPS.items():
        g = result[group]
        for key, name in ESTIMATORS.items():
            e = g[key]
            if key == "naive":
                extra = (f"{g['treated']}", f"{g['controls']:,}", f"{g['max_abs_smd_before']:.2f}")
            elif key == "weighting":
                extra = (f"{g['treated']}", f"{e['effective_controls']:.0f} (effective)", f"{e['max_abs_smd']:.2f}")
            else:
                extra = (f"{e['matched_treated']}", f"{e['controls_used']:,}", f"{e['max_abs_smd']:.2f}")
            lines.append(
                f"| {label} | {name} | {_cell(e['re78'], _money)} | {_covers(e['re78'], bench)} | "
                f"{_cell(e['employed78'], _share)} | {extra[0]} | {extra[1]} | {extra[2]} |"
            )
    lines += [
        "",
        "Dehejia and Wahba's published figures for 1978 earnings (`data/public/lalonde/published.yaml`):",
        "",
        "| comparison | estimator | published (SE) | source | checked |",
        "|---|---|---|---|---|",
    ]
    for group, label in GROUPS.items():
        for key in ("naive", "propensity"):
            p = pub[group][key]
            se = "" if p.get("se") is None else f" ({_money(p['se'])})"
            checked = {
                "data": "recomputed from the data",
                "no": "**not checked against the paper**",
                "paper": "against the printed table",
            }[str(p["checked"])]
            lines.append(f"| {label} | {key} | {_money(p['estimate'])}{se} | {p['source']} | {checked} |")
    lines += ["", "## Reading", ""]
    for group, label in GROUPS.items():
        g = result[group]
        naive = g["naive"]["re78"]
        pub_ps = pub[group]["propensity"]
        mr = g["matching_with_replacement"]["re78"]
        lines.append(
            f"- **{label}.** The naive difference, {_money(naive['estimate'])}, is far from the benchmark "
            f"{_money(bench)}, as published ({_money(pub[group]['naive']['estimate'])}). "
            + " ".join(_reading(g[key]["re78"], name, bench) for key, name in ESTIMATORS.items() if key != "naive")
            + f" Dehejia and Wahba's matching estimate ({_money(pub_ps['estimate'])}, not checked) lies "
            + ("inside" if mr["lower"] <= pub_ps["estimate"] <= mr["upper"] else "outside")
            + " our interval for matching with replacement."
            + f" Before adjustment the largest standardised difference of a covariate was "
            f"{g['max_abs_smd_before']:.2f}; {g['overlap']['controls_below_treated_min']:,} of "
            f"{g['controls']:,} comparison men have a score below the lowest treated man's."
        )
        cal = g["matching_caliper"]
        after = {name: g[key]["max_abs_smd"] for key, name in ESTIMATORS.items() if key != "naive"}
        lines.append(
            "  After adjustment the largest standardised difference is "
            + "; ".join(f"{v:.2f} ({k})" for k, v in after.items())
            + f": {sum(v > 0.1 for v in after.values())} of {len(after)} above the 0.1 often taken as balance "
            "(Austin 2009)"
            + (
                ", so some imbalance in the observed characteristics remains."
                if any(v > 0.1 for v in after.values())
                else ", so the observed characteristics are balanced by that rule."
            )
        )
        lines.append(
            f"  Within the caliper only {cal['matched_treated']} of {g['treated']} treated men found a "
            "comparison man not already taken: that estimate is of the effect on those matched, "
            "a different estimand. Odds weighting rests on an effective "
            f"{g['weighting']['effective_controls']:.0f} comparison men."
        )
    estimates = [
        (result[group][key]["re78"], f"{label}, {name}")
        for group, label in GROUPS.items()
        for key, name in ESTIMATORS.items()
        if key != "naive"
    ]
    inside = sum(e["lower"] <= bench <= e["upper"] for e, _ in estimates)
    closest = min(estimates, key=lambda x: abs(x[0]["estimate"] - bench))
    spread = {
        label: [result[group][key]["re78"]["estimate"] for key in ESTIMATORS if key != "naive"]
        for group, label in GROUPS.items()
    }
    widths = {k: max(v) - min(v) for k, v in spread.items()}
    wider = max(widths, key=widths.get)
    with_zero = sum(e["lower"] <= bench <= e["upper"] and e["lower"] <= 0 <= e["upper"] for e, _ in estimates)
    employment = [
        (result[group][key]["employed78"], f"{label} {ESTIMATORS[key]}")
        for group, label in GROUPS.items()
        for key in ESTIMATORS
        if key != "naive"
    ]
    emp_inside = [name for e, name in employment if e["lower"] <= bench_emp <= e["upper"]]
    emp_zero = sum(e["lower"] <= 0 <= e["upper"] for e, _ in employment)
    lines += [
        f"- **In sum.** {inside} of the {len(estimates)} propensity-score estimates of the earnings effect have an "
        f"interval containing the benchmark; the closest point estimate is {closest[1]} "
        f"({_money(closest[0]['estimate'])}). The estimates range from "
        + " and from ".join(f"{_money(min(v))} to {_money(max(v))} with {k}" for k, v in spread.items())
        + f": they depend on the estimator, the more so with {wider} (a spread of {_money(max(widths.values()))} "
        f"against {_money(min(widths.values()))}), and {with_zero} of the intervals that contain the benchmark "
        "also contain zero. Whether adjusting for the observed characteristics recovers the experimental number "
        "depends on the comparison group and the estimator.",
        f"- **Employment.** The experiment's effect on employment is {_cell(exp['employed78'], _share)} points. "
        f"{len(emp_inside)} of the {len(employment)} intervals contain it"
        + (f" ({'; '.join(emp_inside)})" if emp_inside else "")
        + f", and {emp_zero} contain zero: on employment the observational estimates are too imprecise to "
        "confirm or refute the experiment."
        if emp_zero
        else ".",
        "- **Intervals.** Matching SEs are cluster-robust by matched set (two-way by set and unit with replacement) "
        "and odds-weighting SEs are robust sandwiches; both take the estimated propensity score as known.",
        "",
    ]
    return "\n".join(lines)


def _reading(e: dict, name: str, bench: float) -> str:
    contains = e["lower"] <= bench <= e["upper"]
    zero = e["lower"] <= 0 <= e["upper"]
    return (
        f"{name[0].upper() + name[1:]}: {_money(e['estimate'])} [{_money(e['lower'])}, {_money(e['upper'])}], "
        f"{_money(e['estimate'] - bench)} from the benchmark; its interval "
        + ("contains" if contains else "excludes")
        + " the benchmark and "
        + ("contains zero." if zero else "excludes zero.")
    )

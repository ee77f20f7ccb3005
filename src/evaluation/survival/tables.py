"""The tables and metrics notebook 02 shows and records."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..multiplicity import holm
from ..progress import LARGE_CLIENTS, Steps
from .comparisons import gray_test, logrank_test
from .cox import ModelResult
from .estimators import (
    EVENT_GROUPS,
    GROUPINGS,
    MIN_AT_RISK,
    NOT_ESTIMABLE,
    cif_at_horizons,
    competing_risks_data,
    cumulative_incidence,
    followed_at,
    horizon_estimable,
    restricted_mean,
    value_at,
)

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "OUTCOME_DEFINITIONS",
    "PRIMARY_HORIZON",
    "group_comparisons",
    "horizon_table",
    "primary_result",
    "restricted_means",
    "sensitivity_table",
    "survival_metrics",
]

#: The primary result of notebook 02: the cumulative incidence of employment at this many days.
PRIMARY_HORIZON = 365


def group_comparisons(clients: pd.DataFrame, columns=GROUPINGS, cause: str = "employment") -> pd.DataFrame:
    """Log-rank (cause-specific) and Gray's test for each grouping column present.

    With :data:`evaluation.progress.LARGE_CLIENTS` clients or more each grouping is reported on
    stderr as it is tested (a few seconds each for a million clients)."""
    rows = []
    steps = Steps(len(columns), "testing groups", len(clients) >= LARGE_CLIENTS)
    try:
        for column in columns:
            steps.step(column)
            rows.append(_group_comparison(clients, column, cause))
    finally:
        steps.close()
    table = pd.DataFrame(rows, dtype=object).set_index("grouping")
    # each test over the groupings is one family: Holm-adjusted p beside the raw one
    for test in ("logrank", "gray"):
        table.insert(table.columns.get_loc(f"{test}_p") + 1, f"{test}_p_holm", holm(table[f"{test}_p"]))
    return table


def _group_comparison(clients: pd.DataFrame, column: str, cause: str) -> dict:
    if column not in clients.columns or clients[column].notna().sum() == 0:
        return {
            "grouping": column,
            "groups": None,
            "logrank_chisq": None,
            "logrank_p": None,
            "gray_chisq": None,
            "gray_p": None,
            "df": None,
            "note": "not in the dataset: skipped",
        }
    lr, gt = logrank_test(clients, column, cause), gray_test(clients, column, cause)
    groups = clients[column].dropna().astype(str).value_counts()
    return {
        "grouping": column,
        "groups": ", ".join(f"{k} {v}" for k, v in sorted(groups.items())),
        "logrank_chisq": lr.statistic,
        "logrank_p": lr.p,
        "gray_chisq": gt.statistic,
        "gray_p": gt.p,
        "df": lr.df,
        "note": lr.note or gt.note,
    }


def horizon_table(
    clients: pd.DataFrame,
    horizons,
    alpha: float = 0.05,
    hide: Callable[[int, int], bool] | None = None,
    min_at_risk: int = MIN_AT_RISK,
) -> pd.DataFrame:
    """Probability of each outcome by each horizon (cumulative incidence, with intervals), the
    probability of still being in the starting state, and the restricted mean days before any exit.

    A horizon where fewer than ``min_at_risk`` clients are still followed
    (:func:`~evaluation.survival.estimators.horizon_estimable`) has None everywhere and the note
    :data:`~evaluation.survival.estimators.NOT_ESTIMABLE`.  ``hide`` as in
    :func:`cif_at_horizons`; a hidden probability also hides "no exit yet" (it would give the
    hidden one back by subtraction)."""
    time, event = competing_risks_data(clients)
    cif = cumulative_incidence(time, event, alpha)
    table = cif_at_horizons(cif, horizons, hide=hide, min_at_risk=min_at_risk)
    rows = []
    for h in horizons:
        row = {"horizon_days": h}
        part = table.loc[table["horizon"] == h].set_index("cause")
        for cause in EVENT_GROUPS:
            row[cause] = part.at[cause, "cif"]
        values = [row[c] for c in EVENT_GROUPS]
        row["no exit yet"] = None if any(v is None for v in values) else 1 - sum(values)
        estimable = horizon_estimable(followed_at(time, h), min_at_risk)
        row["restricted_mean_days"] = restricted_mean(time, event > 0, h)["rmean"] if estimable else None
        row["note"] = "" if estimable else NOT_ESTIMABLE
        rows.append(row)
    return pd.DataFrame(rows, dtype=object).set_index("horizon_days")


def restricted_means(clients: pd.DataFrame, horizons, min_at_risk: int = MIN_AT_RISK) -> dict:
    """The restricted mean days before any exit (:func:`restricted_mean`) at each horizon, None
    where fewer than ``min_at_risk`` clients are still followed (the rule of
    :func:`~evaluation.survival.estimators.horizon_estimable`): the ``rmst`` of
    :func:`survival_metrics`."""
    time, event = competing_risks_data(clients)
    return {
        h: (
            restricted_mean(time, event > 0, h)["rmean"]
            if horizon_estimable(followed_at(time, h), min_at_risk)
            else None
        )
        for h in horizons
    }


def survival_metrics(
    cif_horizons: pd.DataFrame,
    km_median: dict,
    comparisons: pd.DataFrame,
    cox: ModelResult,
    fg: ModelResult,
    rmst: dict[float, float | None],
    quantiles: pd.DataFrame | None = None,
    predicted: ModelResult | None = None,
    sensitivity: pd.DataFrame | None = None,
    horizon: int = PRIMARY_HORIZON,
) -> dict:
    """The ``cif.*``, ``km.*``, ``logrank.*``, ``gray.*``, ``cox.*``, ``finegray.*`` and
    ``rmst.*`` keys of metrics.json (None where not estimable).

    Models: ``cox.employment.hr.<column>`` and ``finegray.employment.shr.<column>`` with their
    intervals (and the Cox column's raw ``.p``); the family of hypotheses is one joint Wald test
    per variable, ``<model>.employment.wald.<variable>.p`` and ``.p_holm``; the global test of
    proportional hazards ``cox.employment.ph_global.p`` (not adjusted: a diagnostic).

    The headline is the cumulative incidence of employment (``cif.employment.<h>d``, the
    primary result at 365 days) and the days by which a share had found work
    (``cif.employment.quantile_<p>_days``, :func:`cif_quantiles`, None when never reached).  The
    Kaplan–Meier median with the competing outcomes censored answers another question (the time
    to work in a world without them) and is kept under that name:
    ``km.employment_without_competing.median_days``.

    With ``predicted`` (:func:`predicted_cif` at ``horizon``):
    ``finegray.employment.predicted_<h>d.<profile>``; with ``sensitivity``
    (:func:`sensitivity_table`): ``sensitivity.employment.<h>d.<analysis>`` for every row but
    the primary one, and ``sensitivity.employment.cohorts.gray_p``.  Names become keys with
    every run of other characters than letters and digits as one ``_``."""
    m: dict = {}
    for _, row in cif_horizons.iterrows():
        key = f"cif.{row['cause']}.{int(row['horizon'])}d"
        m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row["cif"], row["lower"], row["upper"]
    for share, row in (quantiles if quantiles is not None else pd.DataFrame()).iterrows():
        key = f"cif.employment.quantile_{round(100 * share)}_days"
        m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row["days"], row["lower"], row["upper"]
    m["km.employment_without_competing.median_days"] = km_median["median"]
    for column, row in comparisons.iterrows():
        m[f"logrank.employment.{column}.p"] = row["logrank_p"]
        m[f"logrank.employment.{column}.p_holm"] = row["logrank_p_holm"]
        m[f"gray.employment.{column}.p"] = row["gray_p"]
        m[f"gray.employment.{column}.p_holm"] = row["gray_p_holm"]
    for name, result, ratio in (("cox", cox, "hr"), ("finegray", fg, "shr")):
        if not result.ok:
            continue
        for covariate, row in result.table.iterrows():
            key = f"{name}.employment.{ratio}.{covariate}"
            m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row[ratio], row["lower"], row["upper"]
            if name == "cox":
                m[f"{key}.p"] = row["p"]
        # one joint Wald test per variable: the family Holm adjusts (a test statistic, no count)
        for variable, row in result.variable_tests.iterrows():
            key = f"{name}.employment.wald.{variable}"
            m[f"{key}.p"], m[f"{key}.p_holm"] = row["p"], row["p_holm"]
    if cox.ok and cox.global_ph is not None:
        m["cox.employment.ph_global.p"] = cox.global_ph[1]  # the global PH test, unadjusted
    for h, value in rmst.items():
        m[f"rmst.{int(h)}d"] = value
    if predicted is not None and predicted.ok:
        for profile, row in predicted.table.iterrows():
            key = f"finegray.employment.predicted_{horizon}d.{_key(profile)}"
            m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row["cif"], row["lower"], row["upper"]
    if sensitivity is not None:
        for analysis, row in sensitivity.iloc[1:].iterrows():
            key = f"sensitivity.employment.{horizon}d.{_key(analysis)}"
            m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row["cif"], row["lower"], row["upper"]
        gray = sensitivity.attrs.get("cohort_gray")
        m["sensitivity.employment.cohorts.gray_p"] = gray.p if gray is not None else None
    return m


def _key(name: str) -> str:
    """A table's row name as part of a metrics key: ``long_term_unemployed no`` →
    ``long_term_unemployed_no``."""
    return re.sub(r"[^A-Za-z0-9]+", "_", str(name)).strip("_")


def primary_result(cif_horizons: pd.DataFrame, horizon: int = PRIMARY_HORIZON, alpha: float = 0.05) -> str:
    """The primary result in one sentence, from :func:`cif_at_horizons`: the share of clients
    who had found work within ``horizon`` days, counting the competing exits, with its interval."""
    rows = cif_horizons.loc[(cif_horizons["cause"] == "employment") & (cif_horizons["horizon"] == horizon)]
    level = round(100 * (1 - alpha))
    if rows.empty:
        return f"Primary result: not computed (the horizons do not include {horizon} days)."
    row = rows.iloc[0]
    if row["cif"] is None:
        return f"Primary result: not estimable at {horizon} days ({row['note']})."
    return (
        f"Primary result: {100 * row['cif']:.1f} % of the clients had found work within {horizon} days of "
        f"enrolling ({level} % interval {100 * row['lower']:.1f}–{100 * row['upper']:.1f} %), the "
        "competing exits counted for what they are."
    )


#: Outcomes that count as employment in the primary result.
EMPLOYED = ("employed_open", "employed_subsidised")

#: The outcome definitions of the sensitivity analyses: name -> (outcomes counted as the
#: outcome of interest, outcomes treated as censoring); every other exit competes.  The two
#: bounds recode moving and dropping out (``other_exit``) to the two extremes of what could have
#: followed it: never employed (a competing exit: the primary definition itself) and employed on
#: the day of exit.
OUTCOME_DEFINITIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "primary: employment, open or subsidised": (EMPLOYED, ()),
    "education counted as a good outcome": (EMPLOYED + ("education",), ()),
    "moving and dropping out as censoring": (EMPLOYED, ("other_exit",)),
    "lower bound: moving and dropping out as never employed": (EMPLOYED, ()),
    "upper bound: moving and dropping out as employment at exit": (EMPLOYED + ("other_exit",), ()),
    "open-market employment only": (("employed_open",), ()),
    "subsidised employment only": (("employed_subsidised",), ()),
}

#: The row notes that say what a row is (an assumption or a bound), not what it found.
ROW_NOTES = {
    "moving and dropping out as censoring": "an assumption, not a bound: those clients would have found work at "
    "the rate of the clients still followed",
    "lower bound: moving and dropping out as never employed": "the same recoding as the primary result",
    "upper bound: moving and dropping out as employment at exit": "with the lower bound: whatever became of "
    "those clients, the share lies between the two",
}


def sensitivity_table(
    clients: pd.DataFrame,
    horizon: int = PRIMARY_HORIZON,
    alpha: float = 0.05,
    hide: Callable[[int, int], bool] | None = None,
    min_at_risk: int = MIN_AT_RISK,
) -> pd.DataFrame:
    """The primary result (the cumulative incidence of employment at ``horizon`` days) under
    other outcome definitions (:data:`OUTCOME_DEFINITIONS`) and in calendar cohorts (the year of
    enrolment: the labour market improved throughout the project, so later clients met a better
    one).  Each row is an Aalen–Johansen estimate with Gray's variance and the log(−log) interval,
    as the primary result (``cmprsk::cuminc``); the cohorts' row note gives Gray's test of equal
    cumulative incidence across the cohorts (also in ``attrs["cohort_gray"]``, a :class:`TestResult`).

    Columns ``clients``, ``events`` (by the horizon), ``cif``, ``lower``, ``upper``, ``note``.
    A row (a cohort) where fewer than ``min_at_risk`` of its clients are still followed at the
    horizon is not estimable (:func:`~evaluation.survival.estimators.horizon_estimable`; note
    :data:`~evaluation.survival.estimators.NOT_ESTIMABLE`).
    ``hide(events, clients)`` (disclosure control, as :func:`cif_at_horizons`) hides a row's
    estimate and its count of events; a group (a cohort) for which ``hide(clients, clients)`` holds
    also has its count of clients hidden; a definition whose outcome differs from the primary one
    by a number of clients (by the horizon) that ``hide`` hides is hidden too (the difference of
    the two rows would give that number back).

    Moving and dropping out: treating those exits as censoring assumes those clients would have
    found work at the rate of the clients still followed; that is an assumption, not a bound.
    The bounds are the two extreme recodings — those exits as never employed (a competing exit,
    the primary definition) and as employment on the day of exit — and whatever became of those
    clients, the cumulative incidence lies between the two (each with its own interval: the
    bounds with sampling error run from the lower bound's lower limit to the upper bound's upper
    limit, ``attrs["bounds"]``).  The rows share clients, so their differences are not tested.
    """
    outcome = clients["outcome"].astype(str).to_numpy()
    time = clients["duration_days"].to_numpy(dtype=np.int64)
    rows = []

    def row(name, mask, good, censor):
        t = time[mask]
        o = outcome[mask]
        event = np.where(np.isin(o, good), 1, np.where((o == "censored") | np.isin(o, censor), 0, 2))
        entry = {
            "analysis": name,
            "clients": int(mask.sum()),
            "events": None,
            "cif": None,
            "lower": None,
            "upper": None,
            "note": ROW_NOTES.get(name, ""),
        }
        if not mask.any():
            return {**entry, "note": "no clients"}
        curve = cumulative_incidence(t, event, alpha, causes={"outcome": 1, "competing": 2})
        curve = curve.loc[curve["cause"] == "outcome"]
        entry["events"] = int(((event == 1) & (t <= horizon)).sum())
        if hide is not None and hide(entry["events"], entry["clients"]):
            small_group = hide(entry["clients"], entry["clients"])
            return {
                **entry,
                "events": None,
                "clients": None if small_group else entry["clients"],
                "note": "suppressed: fewer than min_cell people",
            }
        if not horizon_estimable(followed := followed_at(t, horizon), min_at_risk):
            # "still followed": without an exit and under observation (a cohort whose clients
            # mostly left early falls under the rule as one with little follow-up does)
            return {
                **entry,
                "note": f"{NOT_ESTIMABLE}: fewer than {min_at_risk} still followed at {horizon} days"
                if followed
                else f"{NOT_ESTIMABLE}: nobody still followed at {horizon} days",
            }
        return {**entry, **value_at(curve, horizon)}

    everyone = np.ones(len(clients), dtype=bool)
    for name, (good, censor) in OUTCOME_DEFINITIONS.items():
        rows.append(row(name, everyone, good, censor))
    if hide is not None:
        # a row that counts more or fewer exits as the outcome than the primary one gives their
        # number by subtraction (upper bound minus primary: the moves by the horizon): hide the
        # row when that number is small
        by_horizon = time <= horizon
        for i, (good, _) in enumerate(OUTCOME_DEFINITIONS.values()):
            differ = int((by_horizon & (np.isin(outcome, good) != np.isin(outcome, EMPLOYED))).sum())
            if rows[i]["cif"] is not None and hide(differ, len(clients)):
                rows[i] = {
                    **rows[i],
                    "events": None,
                    "cif": None,
                    "lower": None,
                    "upper": None,
                    "note": "suppressed: it differs from the primary row by fewer than min_cell people",
                }
    years = clients["enrolled"].dt.year
    for year in sorted(years.dropna().unique()):
        rows.append(row(f"enrolled in {int(year)}", (years == year).to_numpy(), EMPLOYED, ()))
    table = pd.DataFrame(rows, dtype=object).set_index("analysis")
    low = table.loc["lower bound: moving and dropping out as never employed"]
    high = table.loc["upper bound: moving and dropping out as employment at exit"]
    table.attrs["bounds"] = ((low["cif"], high["cif"]), (low["lower"], high["upper"]))
    if years.nunique() > 1:
        test = gray_test(clients.assign(enrolment_year=years.astype("Int64").astype(str)), "enrolment_year")
        table.attrs["cohort_gray"] = test
        cohort_rows = [i for i in table.index if i.startswith("enrolled in")]
        said = f"p = {test.p:.3f}" if test.p is not None else test.note
        first = cohort_rows[0]
        table.loc[first, "note"] = "; ".join(
            filter(None, [table.loc[first, "note"], f"Gray's test across the cohorts: {said}"])
        )
    return table

"""Time to employment with competing outcomes, exact under tied times.

Time origin ``enrolled``; time ``duration_days``; the event of interest is the outcome group
``employment``; ``activation``, ``retirement`` and ``other`` compete with it; ``censored``
clients had no exit by the end of follow-up.

Register data record exits by day or week, so many clients share an exit time.  Every
estimator here treats tied times exactly (all events at a time see the same risk set and the
same overall survival just before it).  Methods, variances and the R functions each matches:

===============================  =====================================================  ==========================
function                         method and variance                                    matches
===============================  =====================================================  ==========================
cumulative_incidence             Aalen–Johansen; Gray's variance; log(−log) interval    cmprsk::cuminc, survfit
kaplan_meier                     Kaplan–Meier; Greenwood; log(−log) interval            survfit(conf.type="log-log")
median_time                      first time S <= 0.5 (midpoint rule on a flat 0.5)      survfit print / quantile
restricted_mean                  area under S to the horizon; survfit's rmean variance  survfit(rmean=)
logrank_test                     cause-specific log-rank (lifelines)                    survdiff
gray_test                        Gray's K-sample test for cumulative incidence          cmprsk::cuminc()$Tests
cause_specific_cox               Efron ties (lifelines); Wald intervals                 coxph(ties="efron")
proportional_hazards_test        scaled Schoenfeld residuals, KM time transform         cox.zph of survival < 3
fine_gray                        Fine–Gray by IPCW, Breslow ties; crr's sandwich SE     cmprsk::crr
===============================  =====================================================  ==========================

Not used for reported numbers: lifelines' ``AalenJohansenFitter`` (breaks ties by random
jitter: 0.7 percentage points off on public unemployment data) and lifelines' RMST variance.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from .dataset import AGE_GROUPS, EDUCATION_LEVELS, SEXES
from .progress import LARGE_CLIENTS, Steps

#: Event codes of the competing-risks data: 0 censored, then one code per outcome group.
EVENT_CODES = {"censored": 0, "employment": 1, "activation": 2, "retirement": 3, "other": 4}
EVENT_GROUPS = ("employment", "activation", "retirement", "other")
#: Covariates of the models, in order, with the levels of the categorical ones (first = reference).
COVARIATES = ("age_at_entry", "sex", "long_term_unemployed", "health_limitations", "education_level")
LEVELS = {"sex": SEXES, "education_level": EDUCATION_LEVELS, "age_group": AGE_GROUPS}
GROUPINGS = ("long_term_unemployed", "age_group", "sex", "health_limitations")


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def competing_risks_data(clients: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(time, event)``: days from enrolment to exit, and the event code of :data:`EVENT_CODES`."""
    time = clients["duration_days"].to_numpy(dtype=np.int64)
    event = clients["outcome_group"].map(EVENT_CODES).to_numpy(dtype=np.int64)
    return time, event


def _counts(time: np.ndarray, event: np.ndarray, n_causes: int):
    """Unique times, number at risk just before each, and events by cause (columns 1..K).

    Whole-number times (days, weeks: register data) are counted with one ``bincount`` over the
    time span, O(n) with no sort; other times through ``np.unique``.  Both give the same table.
    """
    time = np.asarray(time)
    k = n_causes + 1
    cell = np.asarray(event, dtype=np.int64)
    whole = time.dtype.kind in "iu" or (time.dtype.kind == "f" and time.size > 0
                                        and np.isfinite(time).all() and np.array_equal(time, np.floor(time)))
    span = int(time.max() - time.min()) + 1 if whole and time.size else 0
    if whole and time.size and span <= 4 * time.size + 100_000:
        start = time.min()
        offset = (time - start).astype(np.int64)
        counts = np.bincount(offset * k + cell, minlength=span * k).reshape(span, k)
        present = np.flatnonzero(counts.any(axis=1))
        times = (present + start).astype(time.dtype)
        d = counts[present].astype(np.float64)
    else:
        times, inverse = np.unique(time, return_inverse=True)
        d = np.bincount(inverse.ravel() * k + cell, minlength=times.size * k).reshape(times.size, k).astype(np.float64)
    leaving = d.sum(axis=1)
    at_risk = time.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    return times, at_risk, d


def cumulative_incidence(time, event, alpha: float = 0.05, causes: dict[str, int] | None = None) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence of every cause, with Gray's variance.

    Exact under ties: the events at a time all use the overall survival just before it.

    Parameters
    ----------
    time : array of int or float
        Time to exit or censoring (days).
    event : array of int
        0 censored, ``k >= 1`` the cause.
    alpha : float
        1 − confidence level.
    causes : dict, optional
        Name -> code; default :data:`EVENT_CODES` without ``censored``.

    Returns
    -------
    DataFrame, one row per (cause, unique time): ``cause``, ``time``, ``at_risk``, ``events``,
    ``cif`` (0..1), ``variance`` (Gray 1988, as ``cmprsk::cuminc``; constant between the cause's
    own jumps), ``lower``, ``upper`` (on the log(−log) scale: ``F ** exp(±z se / (F log F))``).
    """
    time = np.asarray(time)
    event = np.asarray(event, dtype=np.int64)
    causes = causes or {g: EVENT_CODES[g] for g in EVENT_GROUPS}
    n_causes = max(int(event.max(initial=0)), max(causes.values()))
    times, n, d = _counts(time, event, n_causes)
    all_d = d[:, 1:].sum(axis=1)
    surv = np.cumprod(1 - all_d / n)
    before = np.concatenate([[1.0], surv[:-1]])
    z = _z(alpha)
    frames = []
    for name, code in causes.items():
        d1 = d[:, code]
        d2 = all_d - d1
        f = np.cumsum(before * d1 / n)
        variance = _gray_variance(n, d1, d2, before, surv, f)
        lower, upper = _loglog_interval(f, variance, z)
        frames.append(pd.DataFrame({"cause": name, "time": times, "at_risk": n.astype(np.int64),
                                    "events": d1.astype(np.int64), "cif": f, "variance": variance,
                                    "lower": lower, "upper": upper}))
    return pd.concat(frames, ignore_index=True)


def _gray_variance(n, d1, d2, before, after, f):
    """Gray's variance of the cumulative incidence (the recursion of cmprsk's ``cinc``), vectorised."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_after = np.where(after > 0, 1 / after, 0.0)
        denom = np.maximum(n - 1, 1)
        # competing events (counted only while the overall survival stays positive)
        t5 = np.where(d2 > 1, 1 - (d2 - 1) / denom, 1.0)
        t6 = np.where((d2 > 0) & (after > 0), before ** 2 * t5 * d2 / n ** 2, 0.0)
        t4 = f * inv_after
        v1 = t4 ** 2 * t6
        v2 = inv_after * t4 * t6
        v3 = inv_after ** 2 * t6
        # events of the cause itself
        t5 = np.where(d1 > 1, 1 - (d1 - 1) / denom, 1.0)
        t6 = np.where(d1 > 0, before ** 2 * t5 * d1 / n ** 2, 0.0)
        t4 = 1 + inv_after * f
        v1 = np.cumsum(v1 + t4 ** 2 * t6)
        v2 = np.cumsum(v2 + inv_after * t4 * t6)
        v3 = np.cumsum(v3 + inv_after ** 2 * t6)
    at_jump = v1 + f ** 2 * v3 - 2 * f * v2
    # the variance is reported at the cause's own jumps and held constant in between
    index = np.maximum.accumulate(np.where(d1 > 0, np.arange(d1.size), -1))
    return np.where(index >= 0, at_jump[np.maximum(index, 0)], 0.0)


def _loglog_interval(f, variance, z):
    f = np.asarray(f, dtype=float)
    se = np.sqrt(np.maximum(variance, 0))
    inner = (f > 0) & (f < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(inner, z * se / (f * np.log(f)), 0.0)
        lower = np.where(inner, f ** np.exp(-scale), f)
        upper = np.where(inner, f ** np.exp(scale), f)
    return lower, upper


def cumulative_incidence_by(clients: pd.DataFrame, column: str | None = None, alpha: float = 0.05,
                            min_size: int = 2) -> pd.DataFrame:
    """:func:`cumulative_incidence` overall (``column=None``) or for each value of ``column``.

    Adds a ``group`` column.  Groups smaller than ``min_size`` are left out (not estimable).
    """
    if column is None:
        parts = [("all", clients)]
    else:
        parts = [(str(k), g) for k, g in clients.groupby(column, observed=True, dropna=True)]
    frames = []
    for key, part in parts:
        if len(part) < min_size:
            continue
        time, event = competing_risks_data(part)
        frames.append(cumulative_incidence(time, event, alpha).assign(group=key))
    if not frames:
        return pd.DataFrame(columns=["cause", "time", "at_risk", "events", "cif", "variance", "lower",
                                     "upper", "group"])
    return pd.concat(frames, ignore_index=True)


def value_at(curve: pd.DataFrame, horizon: float, columns=("cif", "lower", "upper")) -> dict:
    """The values of a right-continuous step curve at ``horizon`` (0 before its first time).

    The caller decides whether the horizon lies within follow-up (see :func:`cif_at_horizons`).
    """
    curve = curve.sort_values("time")
    before = curve.loc[curve["time"] <= horizon]
    if before.empty:
        start = {"cif": 0.0, "lower": 0.0, "upper": 0.0, "survival": 1.0}
        return {c: start.get(c, None) for c in columns}
    row = before.iloc[-1]
    return {c: float(row[c]) for c in columns}


def cif_at_horizons(cif: pd.DataFrame, horizons, max_time: float,
                    hide: Callable[[int, int], bool] | None = None) -> pd.DataFrame:
    """Cumulative incidence of each cause at each horizon, with its interval.

    Columns ``cause``, ``horizon``, ``events`` (people with that outcome by the horizon), ``cif``,
    ``lower``, ``upper``.  A horizon beyond the longest follow-up (``max_time``) is not
    estimable (None).  ``hide(events, n)`` (disclosure control, ``n`` the clients) returns True
    for an estimate that must not be shown: its values become None and ``note`` says why.
    """
    rows = []
    for cause, curve in cif.groupby("cause", sort=False):
        n = int(curve["at_risk"].iloc[0]) if len(curve) else 0
        for h in horizons:
            events = int(curve.loc[curve["time"] <= h, "events"].sum())
            value = value_at(curve, h) if h <= max_time else {"cif": None, "lower": None, "upper": None}
            note = "" if h <= max_time else "beyond the longest follow-up"
            if hide is not None and h <= max_time and hide(events, n):
                value, note = {"cif": None, "lower": None, "upper": None}, "suppressed: fewer than min_cell people"
            rows.append({"cause": cause, "horizon": h, "events": events, **value, "note": note})
    return pd.DataFrame(rows, dtype=object)


# --------------------------------------------------------------------------- Kaplan–Meier
def kaplan_meier(time, observed, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan–Meier estimate with Greenwood's variance and the log(−log) interval.

    ``observed`` is True for the event; everything else is censored.  As R's
    ``survfit(Surv(time, observed) ~ 1, conf.type = "log-log")``: ``std_err`` is the standard
    error of the survival (Greenwood), the interval ``S ** exp(±z se_log / log S)`` with
    ``se_log`` the standard error of ``log S``.
    """
    time = np.asarray(time)
    event = np.asarray(observed, dtype=bool).astype(np.int64)
    times, n, d = _counts(time, event, 1)
    deaths = d[:, 1]
    surv = np.cumprod(1 - deaths / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(np.where(n > deaths, deaths / (n * (n - deaths)), np.inf * (deaths > 0)))
        se_log = np.sqrt(greenwood)
        inner = (surv > 0) & (surv < 1)
        scale = np.where(inner, _z(alpha) * se_log / np.log(surv), 0.0)
        lower = np.where(inner, surv ** np.exp(-scale), surv)
        upper = np.where(inner, surv ** np.exp(scale), surv)
        std_err = surv * se_log
    return pd.DataFrame({"time": times, "at_risk": n.astype(np.int64), "events": deaths.astype(np.int64),
                         "survival": surv, "std_err": std_err, "lower": lower, "upper": upper})


def _first_below_half(times: np.ndarray, curve: np.ndarray) -> float | None:
    """R's quantile rule: first time the curve is <= 0.5; the midpoint to the next time when
    the curve sits at exactly 0.5 (within sqrt(machine epsilon))."""
    tol = math.sqrt(np.finfo(float).eps)
    below = np.flatnonzero(curve <= 0.5 + tol)
    if below.size == 0:
        return None
    i = below[0]
    if abs(curve[i] - 0.5) < tol and i + 1 < times.size:
        return float((times[i] + times[i + 1]) / 2)
    if abs(curve[i] - 0.5) < tol:
        return float(times[i])
    return float(times[i])


def median_time(km: pd.DataFrame, hide: Callable[[int, int], bool] | None = None) -> dict:
    """Median time with its interval from a :func:`kaplan_meier` table (None when not reached).

    The limits are the times the lower and upper interval curves first reach 0.5, as R prints.
    ``hide(events, n)`` (disclosure control) True: all three are None.
    """
    if hide is not None and len(km) and hide(int(km["events"].sum()), int(km["at_risk"].iloc[0])):
        return {"median": None, "lower": None, "upper": None}
    t = km["time"].to_numpy(dtype=float)
    return {"median": _first_below_half(t, km["survival"].to_numpy()),
            "lower": _first_below_half(t, km["lower"].to_numpy()),
            "upper": _first_below_half(t, km["upper"].to_numpy())}


def at_risk_table(time, times) -> list[int]:
    """Number still at risk (time >= t) at each of ``times``."""
    time = np.sort(np.asarray(time))
    return [int(time.size - np.searchsorted(time, t, side="left")) for t in times]


def restricted_mean(time, observed, horizon: float) -> dict:
    """Restricted mean time in the starting state up to ``horizon`` (days), with its SE.

    The area under the Kaplan–Meier curve of ``observed`` from 0 to ``horizon``; the variance
    is the one R's ``survfit`` prints with ``rmean``: ``sum A_i**2 d_i / (n_i (n_i - d_i))`` over
    event times up to the horizon, ``A_i`` the area from ``t_i`` to the horizon.  (lifelines'
    ``restricted_mean_survival_time`` returns a different quantity as its "variance".)
    """
    km = kaplan_meier(time, observed)
    km = km.loc[km["time"] <= horizon]
    t = np.concatenate([[0.0], km["time"].to_numpy(dtype=float), [float(horizon)]])
    s = np.concatenate([[1.0], km["survival"].to_numpy()])
    widths = np.diff(t)
    pieces = s * widths
    mean = float(pieces.sum())
    area_after = np.cumsum(pieces[::-1])[::-1][1:]  # area from each event time to the horizon
    d, n = km["events"].to_numpy(dtype=float), km["at_risk"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(d > 0, area_after ** 2 * d / (n * (n - d)), 0.0)
    return {"horizon": horizon, "rmean": mean, "se": float(math.sqrt(terms[np.isfinite(terms)].sum()))}


# --------------------------------------------------------------------------- group tests
@dataclass
class TestResult:
    """A test's statistic, degrees of freedom and p-value, or a note saying why there is none."""

    statistic: float | None
    df: int | None
    p: float | None
    note: str = ""


def _groups(clients: pd.DataFrame, column: str, min_size: int = 2):
    data = clients.loc[clients[column].notna()]
    sizes = data[column].astype(str).value_counts()
    keep = sizes.index[sizes >= min_size]
    return data.loc[data[column].astype(str).isin(keep)], sorted(keep)


def logrank_test(clients: pd.DataFrame, column: str, cause: str = "employment") -> TestResult:
    """Cause-specific log-rank test of ``cause`` across the values of ``column``.

    Other outcomes are censored.  lifelines' ``multivariate_logrank_test`` (as R's ``survdiff``).
    """
    from lifelines.statistics import multivariate_logrank_test

    data, levels = _groups(clients, column)
    if len(levels) < 2:
        return TestResult(None, None, None, "not estimable: fewer than two groups with 2+ clients")
    time, event = competing_risks_data(data)
    observed = event == EVENT_CODES[cause]
    if not observed.any():
        return TestResult(None, None, None, f"not estimable: no {cause} events")
    res = multivariate_logrank_test(time, data[column].astype(str).to_numpy(), observed)
    return TestResult(float(res.test_statistic), int(res.degrees_of_freedom), float(res.p_value))


def gray_test(clients: pd.DataFrame, column: str, cause: str = "employment", rho: float = 0.0) -> TestResult:
    """Gray's (1988) test of equal cumulative incidence of ``cause`` across ``column``'s values.

    A weighted comparison of the subdistribution hazards; the score and its variance follow
    the recursion of cmprsk's ``crstm`` (one stratum), and the statistic ``s' V^-1 s`` is
    chi-square with (groups − 1) degrees of freedom, as ``cmprsk::cuminc(...)$Tests``.
    """
    data, levels = _groups(clients, column)
    if len(levels) < 2:
        return TestResult(None, None, None, "not estimable: fewer than two groups with 2+ clients")
    time, event = competing_risks_data(data)
    code = EVENT_CODES[cause]
    if not (event == code).any():
        return TestResult(None, None, None, f"not estimable: no {cause} events")
    m = np.where(event == 0, 0, np.where(event == code, 1, 2))
    group = pd.Categorical(data[column].astype(str), categories=levels).codes
    s, v = _gray_score(time, m, group, len(levels), rho)
    try:
        stat = float(s @ np.linalg.solve(v, s))
    except np.linalg.LinAlgError:
        return TestResult(None, None, None, "not estimable: singular variance")
    df = len(levels) - 1
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)))


def _gray_score(time, m, group, ng, rho):
    """Score vector (first ng-1 groups) and its variance for Gray's test (one stratum)."""
    times, inverse = np.unique(time, return_inverse=True)
    d = np.zeros((times.size, 3, ng))
    np.add.at(d, (inverse, m, group), 1)
    rs = np.bincount(group, minlength=ng).astype(float)
    f1m, f1 = np.zeros(ng), np.zeros(ng)
    skmm, skm = np.ones(ng), np.ones(ng)
    v3, v2, c = np.zeros(ng), np.zeros((ng - 1, ng)), np.zeros((ng, ng))
    s, v = np.zeros(ng - 1), np.zeros((ng - 1, ng - 1))
    fm = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(times.size):
            s, v, f1m, f1, skmm, skm, v3, v2, c, fm, rs = _gray_step(
                d[j], s, v, f1m, f1, skmm, skm, v3, v2, c, fm, rs, rho)
    cc = c[:-1, :]
    v = v + (cc * v3) @ cc.T + cc @ v2.T + v2 @ cc.T
    return s, v


def _gray_step(dj, s, v, f1m, f1, skmm, skm, v3, v2, c, fm, rs, rho):
    """One unique time of Gray's recursion: update the estimates, score and variance pieces."""
    nd1, nd2 = dj[1].sum(), dj[2].sum()
    if nd1 > 0 or nd2 > 0:
        live = rs > 0
        td = dj[1] + dj[2]
        skm = np.where(live, skmm * (rs - td) / np.where(live, rs, 1), skm)
        f1 = np.where(live, f1m + skmm * dj[1] / np.where(live, rs, 1), f1)
        hr = np.where(live, rs / skmm, 0.0)
        tr = hr.sum()
        tq = np.where(live, rs * (1 - f1m) / skmm, 0.0).sum()
        f = fm + nd1 / tr
        fb = (1 - fm) ** rho
        a = -fb * np.outer(hr, hr) / tr
        np.fill_diagonal(a, fb * hr * (1 - hr / tr))
        a[~live, :] = 0
        a[:, ~live] = 0
        c += a * nd1 / (tr * (1 - fm))
        s += np.where(live[:-1], fb * (dj[1][:-1] - nd1 * rs[:-1] * (1 - f1m[:-1]) / (skmm[:-1] * tq)), 0.0)
        if nd1 > 0:
            for k in np.flatnonzero(live):
                t4 = 1 - (1 - f) / skm[k] if skm[k] > 0 else 1.0
                t5 = 1 - (nd1 - 1) / (tr * skmm[k] - 1) if nd1 > 1 else 1.0
                t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
                v3[k] += t4 * t4 * t3
                t1 = a[:-1, k] - t4 * c[:-1, k]
                v2[:, k] += t1 * t4 * t3
                v += np.outer(t1, t1) * t3
        if nd2 > 0:
            for k in np.flatnonzero((skm > 0) & (dj[2] > 0)):
                t4 = (1 - f) / skm[k]
                t5 = 1 - (dj[2][k] - 1) / (rs[k] - 1) if dj[2][k] > 1 else 1.0
                t3 = t5 * skmm[k] ** 2 * dj[2][k] / rs[k] ** 2
                v3[k] += t4 * t4 * t3
                t1 = t4 * c[:-1, k]
                v2[:, k] -= t1 * t4 * t3
                v += np.outer(t1, t1) * t3
        fm = f
        f1m = f1.copy()
        skmm = skm.copy()
    rs = rs - dj.sum(axis=0)
    return s, v, f1m, f1, skmm, skm, v3, v2, c, fm, rs


# --------------------------------------------------------------------------- regression models
def design_matrix(clients: pd.DataFrame, covariates: list[str] | None = None,
                  min_level: int = 5) -> tuple[pd.DataFrame, list[str]]:
    """Model columns: age per year, booleans as 0/1, a categorical as ``name=level`` dummies
    against its first level (in the contract's order).

    Every row dropped is said in a note: clients with a missing value of a covariate (counted
    per covariate), and clients in a level of a categorical held by fewer than ``min_level``
    clients (such a level cannot be estimated and, in real data, must not be shown).  A boolean
    whose rarer value has fewer than ``min_level`` clients, or a covariate with one level left,
    is left out with a note.  Counts under ``min_level`` are written "fewer than min_level".

    Returns the matrix (index of ``clients``) and the notes.
    """
    def many(k: int) -> str:
        return f"{k:,}" if k >= min_level else f"fewer than {min_level}"

    wanted = list(covariates) if covariates is not None else list(COVARIATES)
    notes = []
    present = []
    for c in wanted:
        if c not in clients.columns or clients[c].notna().sum() == 0:
            notes.append(f"{c}: not in the dataset, left out")
        else:
            present.append(c)
    keep = pd.Series(True, index=clients.index)
    for c in present:
        missing = int(clients[c].isna().sum())
        if missing:
            notes.append(f"{c}: {many(missing)} client(s) with a missing value left out of the model")
            keep &= clients[c].notna()
    for c in present:
        if c in LEVELS:
            counts = clients.loc[keep, c].value_counts()
            for level in [lv for lv in LEVELS[c] if 0 < counts.get(lv, 0) < min_level]:
                notes.append(f"{c}={level}: fewer than {min_level} clients, left out of the model "
                             "(a level this small cannot be estimated)")
                keep &= clients[c] != level
    data = clients.loc[keep, present]
    columns = {}
    for c in present:
        values = data[c]
        if c in LEVELS:
            seen = [lv for lv in LEVELS[c] if (values == lv).any()]
            if len(seen) < 2:
                notes.append(f"{c}: one level only, left out")
            for level in seen[1:]:
                columns[f"{c}={level}"] = (values == level).astype(float)
        elif values.dtype == "boolean" or pd.api.types.is_bool_dtype(values):
            flags = values.astype(bool)
            rarer = int(min(flags.sum(), (~flags).sum()))
            if rarer == 0:
                notes.append(f"{c}: no variation, left out")
            elif rarer < min_level:
                notes.append(f"{c}: fewer than {min_level} clients in its rarer value, left out")
            else:
                columns[c] = flags.astype(float)
        else:
            if values.nunique() < 2:
                notes.append(f"{c}: no variation, left out")
                continue
            columns[c] = values.astype(float)
    return pd.DataFrame(columns, index=data.index), notes


@dataclass
class ModelResult:
    """A regression model's table (one row per model column) and notes for the reader."""

    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    events: int = 0
    ok: bool = True


def separated_columns(X: pd.DataFrame, observed: np.ndarray) -> list[tuple[str, str]]:
    """0/1 model columns that separate the events: one of their two groups has no event, so
    the likelihood has no maximum (a ratio of 0 or infinity).  Returns (column, why)."""
    found = []
    observed = np.asarray(observed, dtype=bool)
    for column in X.columns:
        values = X[column].to_numpy()
        if not np.isin(values, (0.0, 1.0)).all():
            continue
        with_events = [bool(observed[values == v].any()) for v in (1.0, 0.0)]
        if not all(with_events):
            side = "with" if not with_events[0] else "without"
            found.append((column, f"no event among the clients {side} {column}"))
    return found


def _drop_separated(X: pd.DataFrame, observed: np.ndarray, notes: list[str], cause: str) -> pd.DataFrame:
    for column, why in separated_columns(X, observed):
        notes.append(f"{column}: left out before fitting, it separates the {cause} events ({why}): "
                     "its ratio would be 0 or infinite")
        X = X.drop(columns=column)
    return X


def cause_specific_cox(clients: pd.DataFrame, covariates: list[str] | None = None, cause: str = "employment",
                       alpha: float = 0.05, min_level: int = 5) -> ModelResult:
    """Cause-specific Cox model for ``cause`` (other outcomes censored), Efron ties.

    Hazard ratios with Wald intervals and p-values (lifelines ``CoxPHFitter``, as R's
    ``coxph(ties="efron")``), and beside them the proportional-hazards test of
    :func:`proportional_hazards_test`.  Fewer than 10 events per model column gives a warning
    note; non-convergence or separation gives ``ok=False`` and a note instead of an exception.
    """
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    X, notes = design_matrix(clients, covariates, min_level)
    time, event = competing_risks_data(clients.loc[X.index])
    observed = (event == EVENT_CODES[cause]).astype(int)
    events = int(observed.sum())
    X = _drop_separated(X, observed, notes, cause)
    empty = ModelResult(pd.DataFrame(), notes, events, ok=False)
    if X.shape[1] == 0:
        empty.notes.append("no covariates to model")
        return empty
    if events == 0:
        empty.notes.append(f"not estimable: no {cause} events")
        return empty
    epv = events / X.shape[1]
    if epv < 10:
        notes.append(f"only {events} events for {X.shape[1]} model columns ({epv:.1f} per column, "
                     "fewer than 10): estimates and intervals may be unstable")
    frame = X.assign(_time=time, _event=observed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            fit = CoxPHFitter().fit(frame, "_time", "_event", fit_options={"precision": 1e-12})
        except (ConvergenceError, np.linalg.LinAlgError, ValueError) as exc:
            empty.notes.append("not estimable: the model did not converge (often separation: a group "
                               f"with no {cause} events, or a covariate that predicts it perfectly). "
                               f"{str(exc).splitlines()[0]}")
            return empty
    for w in caught:  # lifelines' convergence warnings become notes; any other is passed on
        if issubclass(w.category, ConvergenceWarning):
            notes.append("convergence warning: " + str(w.message).strip().splitlines()[0])
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    z = _z(alpha)
    coef, se = fit.params_, fit.standard_errors_
    if (coef.abs() > 10).any():
        notes.append("a hazard ratio beyond e^10: separation (a group without events, or all events "
                     "in one group); do not read these estimates")
    with np.errstate(over="ignore"):
        table = pd.DataFrame({"coef": coef, "se": se, "hr": np.exp(coef), "lower": np.exp(coef - z * se),
                              "upper": np.exp(coef + z * se), "p": fit.summary["p"]})
    ph = proportional_hazards_test(fit, frame)
    if "note" in ph.attrs:
        notes.append(ph.attrs["note"])
    table["ph_chisq"] = ph["chisq"]
    table["ph_p"] = ph["p"]
    table.index.name = "covariate"
    result = ModelResult(table, notes, events)
    result.global_ph = (ph.attrs["global_chisq"], ph.attrs["global_p"])
    return result


def schoenfeld_residuals(Z: np.ndarray, beta: np.ndarray, time: np.ndarray, event: np.ndarray):
    """Unscaled Schoenfeld residuals of a Cox fit with Efron ties, one row per event.

    Each event at a time with ``d`` tied events gets ``z_i`` minus the Efron mean
    ``(1/d) sum_l (S1 - l/d S1_D) / (S0 - l/d S0_D)`` (``D`` the tied events), as R's
    ``resid(fit, "schoenfeld")``.  Vectorised over events; returns (event times, residuals).
    """
    order = np.argsort(time, kind="stable")
    t, e, Z = time[order].astype(float), event[order].astype(bool), Z[order]
    r = np.exp(Z @ beta)
    times, s0, s1, _ = _segment_sums(t, Z, r, second=False)
    tail0 = np.cumsum(s0[::-1])[::-1]
    tail1 = np.cumsum(s1[::-1], axis=0)[::-1]
    et, ez, er = t[e], Z[e], r[e]
    dtimes, starts, counts = np.unique(et, return_index=True, return_counts=True)
    d0 = np.add.reduceat(er, starts)
    d1 = np.add.reduceat(er[:, None] * ez, starts, axis=0)
    k = np.searchsorted(times, dtimes)
    group = np.repeat(np.arange(dtimes.size), counts)
    frac = (np.arange(et.size) - starts[group]) / counts[group]  # l/d for l = 0..d-1
    terms = (tail1[k][group] - frac[:, None] * d1[group]) / (tail0[k][group] - frac * d0[group])[:, None]
    means = np.add.reduceat(terms, starts, axis=0) / counts[:, None]
    return et, ez - means[group]


def proportional_hazards_test(fit, frame: pd.DataFrame) -> pd.DataFrame:
    """Grambsch–Therneau test of proportional hazards from scaled Schoenfeld residuals.

    Each covariate's scaled residuals are correlated with the Kaplan–Meier transform of time
    (``1 - S(t-)``); the statistic is the score-type approximation of R's ``cox.zph`` in
    survival < 3.0 (also lifelines' ``proportional_hazard_test``, which takes minutes on a
    million rows), computed here in one vectorised pass.  Returns ``chisq`` and ``p`` per
    covariate and the global test in ``attrs``.
    """
    names = list(fit.params_.index)
    Z = frame[names].to_numpy(dtype=float)
    dtimes, residuals = schoenfeld_residuals(Z, fit.params_.to_numpy(), frame["_time"].to_numpy(),
                                             frame["_event"].to_numpy())
    km = kaplan_meier(frame["_time"], frame["_event"].astype(bool))
    # left-continuous KM at each event time
    idx = np.searchsorted(km["time"].to_numpy(dtype=float), dtimes, side="left") - 1
    s_before = np.where(idx >= 0, km["survival"].to_numpy()[np.maximum(idx, 0)], 1.0)
    xx = (1 - s_before) - (1 - s_before).mean()
    var = fit.variance_matrix_.to_numpy()
    if not (xx ** 2).sum() > 0:  # every event at one time: there is no trend over time to test
        out = pd.DataFrame({"chisq": np.nan, "p": np.nan}, index=fit.params_.index)
        out.attrs.update(global_chisq=None, global_p=None,
                         note="PH test not estimable: every event happened at the same time")
        return out
    ndead = len(residuals)
    scaled = residuals @ var * ndead
    test = (xx[:, None] * scaled).sum(axis=0)
    chisq = test ** 2 / (np.diag(var) * ndead * (xx ** 2).sum())
    out = pd.DataFrame({"chisq": chisq, "p": stats.chi2.sf(chisq, 1)}, index=fit.params_.index)
    unscaled = (xx[:, None] * residuals).sum(axis=0)
    global_chisq = float(unscaled @ var @ unscaled * ndead / (xx ** 2).sum())
    out.attrs["global_chisq"] = global_chisq
    out.attrs["global_p"] = float(stats.chi2.sf(global_chisq, len(test)))
    return out


def _censoring_before(time: np.ndarray, event: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Kaplan–Meier of the censoring distribution just before each time in ``at``: G(t-)."""
    km = kaplan_meier(time, event == 0)
    times = km["time"].to_numpy(dtype=float)
    idx = np.searchsorted(times, at, side="left") - 1
    return np.where(idx >= 0, km["survival"].to_numpy()[np.maximum(idx, 0)], 1.0)


def fine_gray(clients: pd.DataFrame, covariates: list[str] | None = None, cause: str = "employment",
              alpha: float = 0.05, tol: float = 1e-10, max_iter: int = 50, min_level: int = 5) -> ModelResult:
    """Fine–Gray subdistribution hazards model for ``cause``.

    Estimated as ``cmprsk::crr`` does: a client with a competing event stays in the risk set
    of later ``cause`` events with weight ``G(t-)/G(T-)`` (``G`` the Kaplan–Meier estimate of
    censoring), Breslow's handling of tied event times, Newton–Raphson to ``tol``.  Under heavy
    ties this differs by about 1 % from ``survival::finegray`` + ``coxph`` (Efron ties); the
    coefficients match ``crr``.

    Variance: ``crr``'s sandwich ``I^-1 (sum (eta_i + psi_i)(eta_i + psi_i)') I^-1``, where
    ``eta_i`` is the client's weighted score residual and ``psi_i`` the term for estimating the
    censoring distribution ``G`` (Fine & Gray 1999, section 3), both vectorised.
    """
    X, notes = design_matrix(clients, covariates, min_level)
    time, event = competing_risks_data(clients.loc[X.index])
    code = EVENT_CODES[cause]
    kind = np.where(event == 0, 0, np.where(event == code, 1, 2))
    events = int((kind == 1).sum())
    X = _drop_separated(X, kind == 1, notes, cause)
    if X.shape[1] == 0 or events == 0:
        return ModelResult(pd.DataFrame(), notes + [f"not estimable: no covariates or no {cause} events"],
                           events, ok=False)
    order = np.argsort(time, kind="stable")
    t = time[order].astype(float)
    k = kind[order]
    Z = X.to_numpy(dtype=float)[order]
    g_own = _censoring_before(t, k, t)  # G(T_j-) for each client
    fail_times, fail_counts = np.unique(t[k == 1], return_counts=True)
    g_fail = _censoring_before(t, k, fail_times)  # G(t_k-) at each event time of the cause
    # for each event time: clients with T >= t_k are at risk with weight 1; competing events
    # with T < t_k keep weight G(t_k-)/G(T-)
    first_at_or_after = np.searchsorted(t, fail_times, side="left")
    competing = (k == 2).astype(float)
    beta = np.zeros(Z.shape[1])
    # exp(Z beta) overflows while a separated model diverges; the divergence is caught below
    with np.errstate(over="ignore", invalid="ignore"):
        for iteration in range(max_iter):
            S0, S1, S2 = _fg_sums(Z, beta, t, competing, g_own, g_fail, first_at_or_after)
            zbar = S1 / S0[:, None]
            score = Z[k == 1].sum(axis=0) - (fail_counts[:, None] * zbar).sum(axis=0)
            info = (fail_counts[:, None, None] * (S2 / S0[:, None, None]
                                                  - zbar[:, :, None] * zbar[:, None, :])).sum(axis=0)
            try:
                step = np.linalg.solve(info, score)
            except np.linalg.LinAlgError:
                return ModelResult(pd.DataFrame(), notes + ["not estimable: singular information matrix "
                                                            "(a covariate without variation among those at risk)"],
                                   events, ok=False)
            beta = beta + step
            if not np.all(np.isfinite(beta)) or np.abs(beta).max() > 50:
                return ModelResult(pd.DataFrame(), notes + ["not estimable: the model does not converge "
                                                            "(separation)"], events, ok=False)
            if np.abs(step).max() < tol:
                break
        else:
            notes.append(f"did not converge in {max_iter} iterations")
        S0, S1, S2 = _fg_sums(Z, beta, t, competing, g_own, g_fail, first_at_or_after)
        zbar = S1 / S0[:, None]
        info = (fail_counts[:, None, None] * (S2 / S0[:, None, None]
                                              - zbar[:, :, None] * zbar[:, None, :])).sum(axis=0)
        eta = _fg_score_residuals(Z, beta, t, k, competing, g_own, g_fail, fail_times, fail_counts,
                                  S0, zbar)
        eta = eta + _fg_censoring_term(Z, beta, t, k, competing, g_own, g_fail, fail_times, fail_counts,
                                       S0, zbar)
    inv = np.linalg.inv(info)
    var = inv @ (eta.T @ eta) @ inv
    se = np.sqrt(np.diag(var))
    z = _z(alpha)
    epv = events / X.shape[1]
    if epv < 10:
        notes.append(f"only {events} events for {X.shape[1]} model columns ({epv:.1f} per column): "
                     "estimates may be unstable")
    table = pd.DataFrame({"coef": beta, "se": se, "shr": np.exp(beta), "lower": np.exp(beta - z * se),
                          "upper": np.exp(beta + z * se), "p": 2 * stats.norm.sf(np.abs(beta / se))},
                         index=pd.Index(X.columns, name="covariate"))
    return ModelResult(table, notes, events)


def _segment_sums(t: np.ndarray, Z: np.ndarray, weights: np.ndarray, second: bool = True):
    """Per distinct time of the sorted ``t``: sums of w, w z and (``second``) w z z', without
    an n x p x p array."""
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    s0 = np.add.reduceat(weights, starts)
    s1 = np.add.reduceat(weights[:, None] * Z, starts, axis=0)
    if not second:
        return t[starts], s0, s1, None
    ends = np.r_[starts[1:], t.size]
    s2 = np.empty((starts.size, Z.shape[1], Z.shape[1]))
    for i, (lo, hi) in enumerate(zip(starts, ends)):
        block = Z[lo:hi]
        s2[i] = (block * weights[lo:hi, None]).T @ block
    return t[starts], s0, s1, s2


def _fg_sums(Z, beta, t, competing, g_own, g_fail, first_at_or_after):
    """S0, S1, S2 of the weighted risk sets at each event time, by cumulative sums over the
    distinct times (clients with T >= t_k, plus competing events before t_k with weight
    G(t_k-)/G(T-))."""
    r = np.exp(Z @ beta)
    times, a0, a1, a2 = _segment_sums(t, Z, r)
    _, c0, c1, c2 = _segment_sums(t, Z, competing * r / g_own)
    # position of each event time among the distinct times (event times are among them)
    k = np.searchsorted(times, t[first_at_or_after])

    def tail(a):  # sum over distinct times >= t_k
        return np.cumsum(a[::-1], axis=0)[::-1][k]

    def head(a):  # sum over distinct times < t_k
        return np.concatenate([np.zeros((1,) + a.shape[1:]), np.cumsum(a, axis=0)])[k]

    S0 = tail(a0) + g_fail * head(c0)
    S1 = tail(a1) + g_fail[:, None] * head(c1)
    S2 = tail(a2) + g_fail[:, None, None] * head(c2)
    return S0, S1, S2


def _fg_censoring_term(Z, beta, t, k, competing, g_own, g_fail, fail_times, fail_counts, S0, zbar):
    """Each client's psi: the influence of estimating the censoring distribution on the score.

    ``psi_i = -sum_{u <= T_i} q(u) c(u) / Y(u)^2 + [i censored] q(T_i) / Y(T_i)`` over censoring
    times ``u`` (``c`` censored at ``u``, ``Y`` at risk), with
    ``q(u) = sum_{t_k >= u} d_k G(t_k-) / S0_k * sum_{competing T_j < u} e^{eta_j} / G(T_j-) (z_j - zbar_k)``.
    """
    n, p = Z.shape
    censored = k == 0
    if not censored.any():
        return np.zeros((n, p))
    r = np.exp(Z @ beta)
    cens_times = np.unique(t[censored])
    # competing events before u: sums of e^eta / G(T-) and of z e^eta / G(T-)
    w = competing * r / g_own
    order_cum0 = np.concatenate([[0.0], np.cumsum(w)])
    order_cum1 = np.concatenate([np.zeros((1, p)), np.cumsum(w[:, None] * Z, axis=0)])
    before = np.searchsorted(t, cens_times, side="left")  # t is sorted
    C0, C1 = order_cum0[before], order_cum1[before]
    # event times at or after u: sums of d G / S0 and of d G zbar / S0
    a = fail_counts * g_fail / S0
    A = np.concatenate([np.cumsum(a[::-1])[::-1], [0.0]])
    B = np.concatenate([np.cumsum((a[:, None] * zbar)[::-1], axis=0)[::-1], np.zeros((1, p))])
    from_k = np.searchsorted(fail_times, cens_times, side="left")
    q = C1 * A[from_k][:, None] - C0[:, None] * B[from_k]
    at_risk = (t.size - np.searchsorted(t, cens_times, side="left")).astype(float)
    n_cens = np.bincount(np.searchsorted(cens_times, t[censored]), minlength=cens_times.size)
    increments = q * (n_cens / at_risk ** 2)[:, None]
    cumulative = np.concatenate([np.zeros((1, p)), np.cumsum(increments, axis=0)])
    upto = np.searchsorted(cens_times, t, side="right")  # censoring times u <= T_i
    psi = -cumulative[upto]
    own = np.searchsorted(cens_times, t[censored])
    psi[censored] += q[own] / at_risk[own][:, None]
    return psi


def _fg_score_residuals(Z, beta, t, k, competing, g_own, g_fail, fail_times, fail_counts, S0, zbar):
    """Each client's contribution to the score (its eta), censoring weights treated as known."""
    r = np.exp(Z @ beta)
    dl = fail_counts / S0  # increments of the baseline subdistribution hazard
    A = np.cumsum(dl)
    B = np.cumsum(dl[:, None] * zbar, axis=0)
    Ag = np.cumsum(g_fail * dl)
    Bg = np.cumsum((g_fail * dl)[:, None] * zbar, axis=0)
    upto = np.searchsorted(fail_times, t, side="right")  # event times t_k <= T_i
    take = np.maximum(upto - 1, 0)
    has = (upto > 0)[:, None]
    a_i = np.where(upto > 0, A[take], 0.0)
    b_i = np.where(has, B[take], 0.0)
    eta = -r[:, None] * (Z * a_i[:, None] - b_i)
    # competing events stay at risk after T with weight G(t_k-)/G(T-)
    ag_after = Ag[-1] - np.where(upto > 0, Ag[take], 0.0)
    bg_after = Bg[-1] - np.where(has, Bg[take], 0.0)
    eta -= (competing * r / g_own)[:, None] * (Z * ag_after[:, None] - bg_after)
    own = np.searchsorted(fail_times, t, side="left")
    is_event = k == 1
    eta[is_event] += Z[is_event] - zbar[own[is_event]]
    return eta


# --------------------------------------------------------------------------- notebook tables
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
    return pd.DataFrame(rows, dtype=object).set_index("grouping")


def _group_comparison(clients: pd.DataFrame, column: str, cause: str) -> dict:
    if column not in clients.columns or clients[column].notna().sum() == 0:
        return {"grouping": column, "groups": None, "logrank_chisq": None, "logrank_p": None,
                "gray_chisq": None, "gray_p": None, "df": None, "note": "not in the dataset: skipped"}
    lr, gt = logrank_test(clients, column, cause), gray_test(clients, column, cause)
    groups = clients[column].dropna().astype(str).value_counts()
    return {"grouping": column, "groups": ", ".join(f"{k} {v}" for k, v in sorted(groups.items())),
            "logrank_chisq": lr.statistic, "logrank_p": lr.p, "gray_chisq": gt.statistic,
            "gray_p": gt.p, "df": lr.df, "note": lr.note or gt.note}


def horizon_table(clients: pd.DataFrame, horizons, alpha: float = 0.05,
                  hide: Callable[[int, int], bool] | None = None) -> pd.DataFrame:
    """Probability of each outcome by each horizon (cumulative incidence, with intervals), the
    probability of still being in the starting state, and the restricted mean days before any exit.

    ``hide`` as in :func:`cif_at_horizons`; a hidden probability also hides "no exit yet" (it
    would give the hidden one back by subtraction)."""
    time, event = competing_risks_data(clients)
    cif = cumulative_incidence(time, event, alpha)
    table = cif_at_horizons(cif, horizons, max_time=float(time.max()), hide=hide)
    rows = []
    for h in horizons:
        row = {"horizon_days": h}
        part = table.loc[table["horizon"] == h].set_index("cause")
        for cause in EVENT_GROUPS:
            row[cause] = part.at[cause, "cif"]
        values = [row[c] for c in EVENT_GROUPS]
        row["no exit yet"] = None if any(v is None for v in values) else 1 - sum(values)
        row["restricted_mean_days"] = (restricted_mean(time, event > 0, h)["rmean"]
                                       if h <= time.max() else None)
        rows.append(row)
    return pd.DataFrame(rows, dtype=object).set_index("horizon_days")


def survival_metrics(cif_horizons: pd.DataFrame, km_median: dict, comparisons: pd.DataFrame,
                     cox: ModelResult, fg: ModelResult, rmst: dict[float, float | None]) -> dict:
    """The ``cif.*``, ``km.*``, ``logrank.*``, ``gray.*``, ``cox.*``, ``finegray.*`` and
    ``rmst.*`` keys of metrics.json (None where not estimable)."""
    m: dict = {}
    for _, row in cif_horizons.iterrows():
        key = f"cif.{row['cause']}.{int(row['horizon'])}d"
        m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row["cif"], row["lower"], row["upper"]
    m["km.employment.median_days"] = km_median["median"]
    for column, row in comparisons.iterrows():
        m[f"logrank.employment.{column}.p"] = row["logrank_p"]
        m[f"gray.employment.{column}.p"] = row["gray_p"]
    for name, result, ratio in (("cox", cox, "hr"), ("finegray", fg, "shr")):
        if not result.ok:
            continue
        for covariate, row in result.table.iterrows():
            key = f"{name}.employment.{ratio}.{covariate}"
            m[key], m[f"{key}.lower"], m[f"{key}.upper"] = row[ratio], row["lower"], row["upper"]
            if name == "cox":
                m[f"{key}.p"] = row["p"]
    for h, value in rmst.items():
        m[f"rmst.{int(h)}d"] = value
    return m

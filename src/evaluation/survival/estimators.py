"""Non-parametric estimators of time to exit with competing outcomes, exact under tied times:
Aalen–Johansen cumulative incidence, Kaplan–Meier, medians, restricted means (see the package's
docstring for the method and variance of each)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from ..vocabulary import AGE_GROUPS, EDUCATION_LEVELS, SEXES

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "COVARIATES",
    "EVENT_CODES",
    "EVENT_GROUPS",
    "EstimatorInputError",
    "GROUPINGS",
    "LEVELS",
    "MIN_AT_RISK",
    "NOT_ESTIMABLE",
    "at_risk_table",
    "check_alpha",
    "cif_at_horizons",
    "cif_quantiles",
    "competing_risks_data",
    "cumulative_incidence",
    "cumulative_incidence_by",
    "followed_at",
    "followed_until",
    "followed_until_on_curve",
    "horizon_estimable",
    "kaplan_meier",
    "median_time",
    "restricted_mean",
    "value_at",
]

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


class EstimatorInputError(ValueError):
    """Input an estimator cannot use: the message names the argument, the rule and the fix."""


def _positions(mask: np.ndarray) -> str:
    where = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in where[:5])
    return shown + (f" and {where.size - 5} more" if where.size > 5 else "")


def check_alpha(alpha: float) -> float:
    """``alpha`` (1 − confidence level) must lie strictly between 0 and 1."""
    if not isinstance(alpha, (int, float, np.floating)) or not 0 < float(alpha) < 1:
        raise EstimatorInputError(f"alpha must lie strictly between 0 and 1 (0.05 gives 95 % intervals), got {alpha!r}")
    return float(alpha)


def check_times(
    time, events, *, events_name: str = "event", codes=None, binary: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate survival input as scikit-survival's ``check_y_survival`` does, with one message
    per problem: one-dimensional arrays of the same length, at least one client, finite
    non-negative times, and events that are booleans (``binary``) or integer codes among
    ``codes`` (0 = censored).  Returns ``(time, events as int64)``."""
    time = np.asarray(time)
    events = np.asarray(events)
    if time.ndim != 1 or events.ndim != 1:
        raise EstimatorInputError(
            f"time and {events_name} must be one-dimensional (one value per client), "
            f"got shapes {time.shape} and {events.shape}"
        )
    if time.size != events.size:
        raise EstimatorInputError(
            f"time has {time.size} values but {events_name} has {events.size}: give one of each per client"
        )
    if time.size == 0:
        raise EstimatorInputError("no clients: time and " + events_name + " are empty")
    if time.dtype.kind not in "iuf":
        raise EstimatorInputError(f"time must be numbers (days), got {time.dtype} values")
    if not np.isfinite(time).all():
        raise EstimatorInputError(
            f"time holds missing or infinite values at positions "
            f"{_positions(~np.isfinite(time))}: drop those clients or give their days"
        )
    if (time < 0).any():
        raise EstimatorInputError(
            f"time is negative at positions {_positions(time < 0)}: an exit cannot come before enrolment"
        )
    if binary:
        if events.dtype != bool:
            as_float = events.astype(float) if events.dtype.kind in "iuf" else None
            if as_float is None or not np.isin(as_float, (0.0, 1.0)).all():
                bad = np.ones(events.size, bool) if as_float is None else ~np.isin(as_float, (0.0, 1.0))
                raise EstimatorInputError(
                    f"{events_name} must be True/False or 1/0; other values at positions {_positions(bad)}"
                )
        return time, events.astype(bool).astype(np.int64)
    if events.dtype.kind not in "iu" and not (events.dtype.kind == "f" and np.all(np.mod(events, 1) == 0)):
        raise EstimatorInputError(
            f"{events_name} must be integer codes (0 censored, 1.. the causes), got {events.dtype} values"
        )
    events = events.astype(np.int64)
    allowed = {0, *(codes or ())}
    if codes is not None and not np.isin(events, list(allowed)).all():
        unknown = sorted(set(np.unique(events).tolist()) - allowed)
        raise EstimatorInputError(
            f"{events_name} has codes {unknown} that are neither 0 (censored) nor a "
            f"cause ({sorted(allowed - {0})}): recode them or pass causes="
        )
    if (events < 0).any():
        raise EstimatorInputError(f"{events_name} is negative at positions {_positions(events < 0)}")
    return time, events


def _counts(time: np.ndarray, event: np.ndarray, n_causes: int):
    """Unique times, number at risk just before each, and events by cause (columns 1..K).

    Whole-number times (days, weeks: register data) are counted with one ``bincount`` over the
    time span, O(n) with no sort; other times through ``np.unique``.  Both give the same table.
    """
    time = np.asarray(time)
    k = n_causes + 1
    cell = np.asarray(event, dtype=np.int64)
    whole = time.dtype.kind in "iu" or (
        time.dtype.kind == "f" and time.size > 0 and np.isfinite(time).all() and np.array_equal(time, np.floor(time))
    )
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
    causes = causes or {g: EVENT_CODES[g] for g in EVENT_GROUPS}
    alpha = check_alpha(alpha)
    time, event = check_times(time, event, codes=causes.values())
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
        frames.append(
            pd.DataFrame(
                {
                    "cause": name,
                    "time": times,
                    "at_risk": n.astype(np.int64),
                    "events": d1.astype(np.int64),
                    "cif": f,
                    "variance": variance,
                    "lower": lower,
                    "upper": upper,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _gray_variance(n, d1, d2, before, after, f):
    """Gray's variance of the cumulative incidence (the recursion of cmprsk's ``cinc``), vectorised."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_after = np.where(after > 0, 1 / after, 0.0)
        denom = np.maximum(n - 1, 1)
        # competing events (counted only while the overall survival stays positive)
        t5 = np.where(d2 > 1, 1 - (d2 - 1) / denom, 1.0)
        t6 = np.where((d2 > 0) & (after > 0), before**2 * t5 * d2 / n**2, 0.0)
        t4 = f * inv_after
        v1 = t4**2 * t6
        v2 = inv_after * t4 * t6
        v3 = inv_after**2 * t6
        # events of the cause itself
        t5 = np.where(d1 > 1, 1 - (d1 - 1) / denom, 1.0)
        t6 = np.where(d1 > 0, before**2 * t5 * d1 / n**2, 0.0)
        t4 = 1 + inv_after * f
        v1 = np.cumsum(v1 + t4**2 * t6)
        v2 = np.cumsum(v2 + inv_after * t4 * t6)
        v3 = np.cumsum(v3 + inv_after**2 * t6)
    at_jump = v1 + f**2 * v3 - 2 * f * v2
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


def cumulative_incidence_by(
    clients: pd.DataFrame, column: str | None = None, alpha: float = 0.05, min_size: int = 2
) -> pd.DataFrame:
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
        return pd.DataFrame(
            columns=["cause", "time", "at_risk", "events", "cif", "variance", "lower", "upper", "group"]
        )
    return pd.concat(frames, ignore_index=True)


#: The default of notebook 02's ``min_at_risk``: no estimate at a day when fewer clients than
#: this are still followed (the curves stop there too).
MIN_AT_RISK = 10
#: What a table says where :func:`horizon_estimable` is False (the metric is None).
NOT_ESTIMABLE = "not estimable (follow-up too short)"


def followed_at(time, horizon: float) -> int:
    """Clients still followed at ``horizon`` days: those whose exit or end of follow-up is on
    that day or later (``time >= horizon``), the number at risk just before it."""
    return at_risk_table(time, [horizon])[0]


def horizon_estimable(followed: int, min_at_risk: int = MIN_AT_RISK) -> bool:
    """The one rule for every estimate at a horizon (cumulative incidence, restricted mean,
    sensitivity rows, predicted probabilities): it is made only when at least ``min_at_risk``
    clients (and at least one) are still followed there (``followed``, from :func:`followed_at`
    or a curve's ``at_risk``).  Beyond, an estimate rests on a handful of people, or on none
    (a horizon past the longest follow-up)."""
    return int(followed) >= max(int(min_at_risk), 1)


def followed_until(time, min_at_risk: int = MIN_AT_RISK) -> float | None:
    """The last day :func:`horizon_estimable` allows: the ``min_at_risk``-th longest time (at
    that day exactly ``min_at_risk`` or more are followed, the day after fewer).  None when the
    register has fewer than ``min_at_risk`` clients (no horizon is estimable)."""
    ordered = np.sort(np.asarray(time, dtype=float))[::-1]
    k = max(int(min_at_risk), 1)
    return float(ordered[k - 1]) if ordered.size >= k else None


def followed_until_on_curve(curve: pd.DataFrame, min_at_risk: int = MIN_AT_RISK) -> float | None:
    """:func:`followed_until` of the clients a curve was estimated from, read from the curve.

    ``curve`` is a table of :func:`cumulative_incidence` or :func:`kaplan_meier` (of one group),
    which has a row at every distinct time of exit or censoring with its ``at_risk`` (the
    clients whose time is on that day or later).  The clients leaving at a time are its
    ``at_risk`` minus the next time's (at the last time, all still at risk), so the curve gives
    back every client's time, and :func:`followed_until` decides on them: the figures stop
    where the tables do.  None for an empty curve or fewer than ``min_at_risk`` clients."""
    times = curve.drop_duplicates("time").sort_values("time")
    at_risk = times["at_risk"].to_numpy(dtype=np.int64)
    leaving = at_risk - np.append(at_risk[1:], 0)
    if (leaving < 0).any():
        raise EstimatorInputError(
            "followed_until_on_curve: the numbers at risk rise with time; the curve is not one "
            "group's cumulative incidence or Kaplan–Meier table (with groups, pass one group's rows)"
        )
    return followed_until(np.repeat(times["time"].to_numpy(dtype=float), leaving), min_at_risk)


def _followed_on_curve(curve: pd.DataFrame, horizon: float) -> int:
    """:func:`followed_at` read from a curve's ``at_risk`` column (the number at risk at each of
    its times): at the first time at or after ``horizon``, 0 past the last."""
    later = curve.loc[curve["time"] >= horizon]
    return int(later["at_risk"].iloc[0]) if len(later) else 0


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


def cif_at_horizons(
    cif: pd.DataFrame,
    horizons,
    max_time: float | None = None,
    hide: Callable[[int, int], bool] | None = None,
    min_at_risk: int = MIN_AT_RISK,
) -> pd.DataFrame:
    """Cumulative incidence of each cause at each horizon, with its interval.

    Columns ``cause``, ``horizon``, ``events`` (people with that outcome by the horizon), ``cif``,
    ``lower``, ``upper``, ``note``.  A horizon where fewer than ``min_at_risk`` clients are still
    followed (:func:`horizon_estimable`; every horizon past the longest follow-up) is not
    estimable: None, and the note :data:`NOT_ESTIMABLE`.  ``max_time`` (the longest follow-up)
    is implied by the curve and no longer needed.  ``hide(events, n)`` (disclosure control,
    ``n`` the clients) returns True for an estimate that must not be shown: its values become
    None and ``note`` says why.
    """
    rows = []
    for cause, curve in cif.groupby("cause", sort=False):
        n = int(curve["at_risk"].iloc[0]) if len(curve) else 0
        for h in horizons:
            events = int(curve.loc[curve["time"] <= h, "events"].sum())
            ok = horizon_estimable(_followed_on_curve(curve, h), min_at_risk) and (max_time is None or h <= max_time)
            value = value_at(curve, h) if ok else {"cif": None, "lower": None, "upper": None}
            note = "" if ok else NOT_ESTIMABLE
            if hide is not None and ok and hide(events, n):
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
    alpha = check_alpha(alpha)
    time, event = check_times(time, observed, events_name="observed", binary=True)
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
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": n.astype(np.int64),
            "events": deaths.astype(np.int64),
            "survival": surv,
            "std_err": std_err,
            "lower": lower,
            "upper": upper,
        }
    )


def _first_reaching(times: np.ndarray, rising: np.ndarray, level: float) -> float | None:
    """R's quantile rule on a rising step curve: the first time it is >= ``level``; the midpoint
    to the next time when it sits at exactly ``level`` (within sqrt(machine epsilon)); None when
    it never gets there."""
    tol = math.sqrt(np.finfo(float).eps)
    reached = np.flatnonzero(rising >= level - tol)
    if reached.size == 0:
        return None
    i = reached[0]
    if abs(rising[i] - level) < tol and i + 1 < times.size:
        return float((times[i] + times[i + 1]) / 2)
    return float(times[i])


def _first_below_half(times: np.ndarray, curve: np.ndarray) -> float | None:
    """R's median rule: the first time a falling curve is <= 0.5 (see :func:`_first_reaching`)."""
    return _first_reaching(times, 1 - np.asarray(curve, dtype=float), 0.5)


def cif_quantiles(
    cif: pd.DataFrame,
    shares=(0.1, 0.25, 0.5),
    cause: str = "employment",
    hide: Callable[[int, int], bool] | None = None,
) -> pd.DataFrame:
    """The time by which each share of the clients had reached ``cause``: the first day the
    cumulative incidence reaches it (R's quantile rule, as for a Kaplan–Meier median), with
    the interval read where the upper and the lower interval curves reach it (Brookmeyer and
    Crowley's inversion, as ``survfit`` prints for medians).  ``None`` where the curve never
    reaches the share within follow-up (the lower limit may exist when the estimate does not).

    Unlike the Kaplan–Meier median of the cause with the competing outcomes censored, this is
    a time in the world the clients lived in: a share that the competing outcomes keep from
    ever being reached is never reached here.  ``hide(events, n)`` as in
    :func:`cif_at_horizons` (then all three are None)."""
    curve = cif.loc[cif["cause"] == cause].sort_values("time")
    times = curve["time"].to_numpy(dtype=float)
    hidden = hide is not None and len(curve) and hide(int(curve["events"].sum()), int(curve["at_risk"].iloc[0]))
    rows = []
    for share in shares:
        if hidden or curve.empty:
            rows.append(
                {
                    "share": share,
                    "days": None,
                    "lower": None,
                    "upper": None,
                    "note": "suppressed: fewer than min_cell people" if hidden else "no clients",
                }
            )
            continue
        days = _first_reaching(times, curve["cif"].to_numpy(dtype=float), share)
        rows.append(
            {
                "share": share,
                "days": days,
                "lower": _first_reaching(times, curve["upper"].to_numpy(dtype=float), share),
                "upper": _first_reaching(times, curve["lower"].to_numpy(dtype=float), share),
                "note": "" if days is not None else "not reached within follow-up",
            }
        )
    return pd.DataFrame(rows, dtype=object).set_index("share")


def median_time(km: pd.DataFrame, hide: Callable[[int, int], bool] | None = None) -> dict:
    """Median time with its interval from a :func:`kaplan_meier` table (None when not reached).

    The limits are the times the lower and upper interval curves first reach 0.5, as R prints.
    ``hide(events, n)`` (disclosure control) True: all three are None.
    """
    if hide is not None and len(km) and hide(int(km["events"].sum()), int(km["at_risk"].iloc[0])):
        return {"median": None, "lower": None, "upper": None}
    t = km["time"].to_numpy(dtype=float)
    return {
        "median": _first_below_half(t, km["survival"].to_numpy()),
        "lower": _first_below_half(t, km["lower"].to_numpy()),
        "upper": _first_below_half(t, km["upper"].to_numpy()),
    }


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
    if not np.isfinite(horizon) or horizon <= 0:
        raise EstimatorInputError(f"horizon must be a positive number of days, got {horizon!r}")
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
        terms = np.where(d > 0, area_after**2 * d / (n * (n - d)), 0.0)
    return {"horizon": horizon, "rmean": mean, "se": float(math.sqrt(terms[np.isfinite(terms)].sum()))}

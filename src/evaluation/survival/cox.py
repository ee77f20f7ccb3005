"""Regression: the model matrix, the cause-specific Cox model and its proportional-hazards test."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..multiplicity import holm
from .estimators import COVARIATES, EVENT_CODES, LEVELS, _z, competing_risks_data, kaplan_meier

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "ModelResult",
    "cause_specific_cox",
    "design_matrix",
    "proportional_hazards_test",
    "sample_flow",
    "schoenfeld_residuals",
    "separated_columns",
    "wald_tests_by_variable",
]


def design_matrix(
    clients: pd.DataFrame, covariates: list[str] | None = None, min_level: int = 5
) -> tuple[pd.DataFrame, list[str]]:
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
    for reason, dropped, count in _exclusions(clients, present, min_level):
        notes.append(reason.format(n=many(count)))
        keep &= ~dropped
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


def _exclusions(clients: pd.DataFrame, present: list[str], min_level: int):
    """The model's exclusions in order, each as (reason with ``{n}``, rows it drops, how many
    of the rows still kept it drops): a missing value of each covariate, then each level of a
    categorical held by fewer than ``min_level`` of the clients left.  One source for the notes
    of :func:`design_matrix` and the rows of :func:`sample_flow`."""
    keep = pd.Series(True, index=clients.index)
    for c in present:
        dropped = clients[c].isna()
        if dropped.any():
            yield (
                f"{c}: {{n}} client(s) with a missing value left out of the model",
                dropped,
                int((dropped & keep).sum()),
            )
            keep &= ~dropped
    for c in present:
        if c in LEVELS:
            counts = clients.loc[keep, c].value_counts()
            for level in [lv for lv in LEVELS[c] if 0 < counts.get(lv, 0) < min_level]:
                dropped = clients[c] == level
                yield (
                    (
                        f"{c}={level}: fewer than {min_level} clients, left out of the model "
                        "(a level this small cannot be estimated)"
                    ),
                    dropped,
                    int((dropped & keep).sum()),
                )
                keep &= ~dropped


def sample_flow(clients: pd.DataFrame, covariates: list[str] | None = None, min_level: int = 5) -> pd.DataFrame:
    """Who is in the models: the clients, each exclusion of :func:`design_matrix` in order (a
    missing covariate, a level too small to estimate) with the clients it removes, and the
    clients left in the model.  Columns ``step`` (index), ``clients`` (after the step),
    ``left out``."""
    wanted = list(covariates) if covariates is not None else list(COVARIATES)
    present = [c for c in wanted if c in clients.columns and clients[c].notna().sum() > 0]
    rows = [{"step": "clients in the dataset", "clients": len(clients), "left out": None}]
    n = len(clients)
    for reason, _, count in _exclusions(clients, present, min_level):
        n -= count
        rows.append(
            {
                "step": reason.split(":")[0]
                + ": "
                + ("missing value" if "missing" in reason else f"level under {min_level} clients"),
                "clients": n,
                "left out": count,
            }
        )
    rows.append({"step": "in the models", "clients": n, "left out": None})
    return pd.DataFrame(rows, dtype=object).set_index("step")


@dataclass
class ModelResult:
    """A regression model's table (one row per model column) and notes for the reader.

    ``variable_tests``: one joint Wald test per variable (:func:`wald_tests_by_variable`), the
    family that gets Holm's adjustment; ``global_ph``: the Cox model's global test of
    proportional hazards as ``(chisq, p)`` (None for other models)."""

    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    events: int = 0
    ok: bool = True
    variable_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    global_ph: tuple[float | None, float | None] | None = None


def variable_of(column: str) -> str:
    """The variable a model column belongs to: ``education_level=tertiary`` → ``education_level``."""
    return column.partition("=")[0]


def wald_tests_by_variable(coef: pd.Series, variance) -> pd.DataFrame:
    """One Wald test per variable of a fitted model: all the columns of a factor together.

    For the coefficients ``b`` of a variable's columns and their covariance block ``V`` (the
    model's variance: the inverse information for Cox, crr's sandwich for Fine–Gray), the
    statistic is ``b' V^-1 b``, chi-squared on as many degrees of freedom as columns under the
    null that every one is 0 (Wald 1943; for a one-column variable it is the square of the
    coefficient's z).  A factor with several levels is one hypothesis ("does education matter?"),
    not one per level, so the variables are the family: ``p_holm`` is Holm's adjustment across
    them (:func:`evaluation.multiplicity.holm`).  Checked against R (coxph's ``vcov`` and
    ``wald.test``, crr's ``var``; ``tests/reference/joint_wald.R``).

    Columns ``columns`` (the model columns tested), ``df``, ``chisq``, ``p``, ``p_holm``;
    index ``variable``, in the order of the model's columns."""
    names = list(coef.index)
    variance = np.asarray(variance, dtype=float)
    b = np.asarray(coef, dtype=float)
    groups: dict[str, list[int]] = {}
    for i, column in enumerate(names):
        groups.setdefault(variable_of(column), []).append(i)
    rows = []
    for variable, idx in groups.items():
        block = variance[np.ix_(idx, idx)]
        try:
            chisq = float(b[idx] @ np.linalg.solve(block, b[idx]))
        except np.linalg.LinAlgError:
            chisq = float("nan")
        p = float(stats.chi2.sf(chisq, len(idx))) if np.isfinite(chisq) else None
        rows.append(
            {
                "variable": variable,
                "columns": ", ".join(names[i] for i in idx),
                "df": len(idx),
                "chisq": chisq if np.isfinite(chisq) else None,
                "p": p,
            }
        )
    table = pd.DataFrame(rows, columns=["variable", "columns", "df", "chisq", "p"], dtype=object).set_index("variable")
    table["p_holm"] = holm(table["p"])
    return table


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
        notes.append(
            f"{column}: left out before fitting, it separates the {cause} events ({why}): "
            "its ratio would be 0 or infinite"
        )
        X = X.drop(columns=column)
    return X


#: Fewer events than this per model column make a model's note warn (Peduzzi et al. 1995).
_MIN_EVENTS_PER_COLUMN = 10


def _events_per_column_note(events: int, columns: int) -> list[str]:
    """The note a model gets when it has fewer than :data:`_MIN_EVENTS_PER_COLUMN` events per model
    column (Peduzzi et al. 1995, *J Clin Epidemiol* 48:1503): one sentence for the Cox and the
    Fine–Gray model alike, or none."""
    epv = events / columns
    if epv >= _MIN_EVENTS_PER_COLUMN:
        return []
    return [
        f"only {events} events for {columns} model columns ({epv:.1f} per column, fewer than "
        f"{_MIN_EVENTS_PER_COLUMN}): estimates and intervals may be unstable"
    ]


def cause_specific_cox(
    clients: pd.DataFrame,
    covariates: list[str] | None = None,
    cause: str = "employment",
    alpha: float = 0.05,
    min_level: int = 5,
) -> ModelResult:
    """Cause-specific Cox model for ``cause`` (other outcomes censored), Efron ties.

    Hazard ratios with Wald intervals and p-values (lifelines ``CoxPHFitter``, as R's
    ``coxph(ties="efron")``), and beside them the proportional-hazards test of
    :func:`proportional_hazards_test` per column, unadjusted (a diagnostic, not a family of
    hypotheses), with its global test in ``global_ph``.  One joint Wald test per variable, Holm
    across the variables, in ``variable_tests`` (:func:`wald_tests_by_variable`).  Fewer than 10 events per model column gives a warning
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
    notes.extend(_events_per_column_note(events, X.shape[1]))
    frame = X.assign(_time=time, _event=observed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            fit = CoxPHFitter().fit(frame, "_time", "_event", fit_options={"precision": 1e-12})
        except (ConvergenceError, np.linalg.LinAlgError, ValueError) as exc:
            empty.notes.append(
                "not estimable: the model did not converge (often separation: a group "
                f"with no {cause} events, or a covariate that predicts it perfectly). "
                f"{str(exc).splitlines()[0]}"
            )
            return empty
    for w in caught:  # lifelines' convergence warnings become notes; any other is passed on
        if issubclass(w.category, ConvergenceWarning):
            notes.append("convergence warning: " + str(w.message).strip().splitlines()[0])
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    z = _z(alpha)
    coef, se = fit.params_, fit.standard_errors_
    if (coef.abs() > 10).any():
        notes.append(
            "a hazard ratio beyond e^10: separation (a group without events, or all events "
            "in one group); do not read these estimates"
        )
    with np.errstate(over="ignore"):
        table = pd.DataFrame(
            {
                "coef": coef,
                "se": se,
                "hr": np.exp(coef),
                "lower": np.exp(coef - z * se),
                "upper": np.exp(coef + z * se),
                "p": fit.summary["p"],
            }
        )
    ph = proportional_hazards_test(fit, frame)
    if "note" in ph.attrs:
        notes.append(ph.attrs["note"])
    table["ph_chisq"] = ph["chisq"]
    table["ph_p"] = ph["p"]
    # the PH tests are diagnostics, read unadjusted beside the global test (a Holm adjustment
    # would hide violations); the hypotheses about covariates are one per variable
    table.index.name = "covariate"
    return ModelResult(
        table,
        notes,
        events,
        variable_tests=wald_tests_by_variable(coef, fit.variance_matrix_),
        global_ph=(ph.attrs["global_chisq"], ph.attrs["global_p"]),
    )


def _segment_sums(t: np.ndarray, Z: np.ndarray, weights: np.ndarray, second: bool = True):
    """Per distinct time of the sorted ``t``: sums of w, w z and (``second``) w z z'; the last in
    one n x p x p array when that is small, else pair by pair (memory stays O(n) for a million
    clients)."""
    starts = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    s0 = np.add.reduceat(weights, starts)
    s1 = np.add.reduceat(weights[:, None] * Z, starts, axis=0)
    if not second:
        return t[starts], s0, s1, None
    p = Z.shape[1]
    if Z.shape[0] * p * p <= _OUTER_LIMIT:  # small: one n x p x p array (at most 32 MB)
        s2 = np.add.reduceat(weights[:, None, None] * Z[:, :, None] * Z[:, None, :], starts, axis=0)
        return t[starts], s0, s1, s2
    s2 = np.empty((starts.size, p, p))
    for a in range(p):  # large: one pass per pair of columns, O(n) extra memory
        for b in range(a, p):
            s2[:, a, b] = s2[:, b, a] = np.add.reduceat(weights * Z[:, a] * Z[:, b], starts)
    return t[starts], s0, s1, s2


#: Above this many n p^2 values, _segment_sums sums pair by pair instead of in one array.
_OUTER_LIMIT = 4_000_000


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
    dtimes, residuals = schoenfeld_residuals(
        Z, fit.params_.to_numpy(), frame["_time"].to_numpy(), frame["_event"].to_numpy()
    )
    km = kaplan_meier(frame["_time"], frame["_event"].astype(bool))
    # left-continuous KM at each event time
    idx = np.searchsorted(km["time"].to_numpy(dtype=float), dtimes, side="left") - 1
    s_before = np.where(idx >= 0, km["survival"].to_numpy()[np.maximum(idx, 0)], 1.0)
    xx = (1 - s_before) - (1 - s_before).mean()
    var = fit.variance_matrix_.to_numpy()
    if not (xx**2).sum() > 0:  # every event at one time: there is no trend over time to test
        out = pd.DataFrame({"chisq": np.nan, "p": np.nan}, index=fit.params_.index)
        out.attrs.update(
            global_chisq=None, global_p=None, note="PH test not estimable: every event happened at the same time"
        )
        return out
    ndead = len(residuals)
    scaled = residuals @ var * ndead
    test = (xx[:, None] * scaled).sum(axis=0)
    chisq = test**2 / (np.diag(var) * ndead * (xx**2).sum())
    out = pd.DataFrame({"chisq": chisq, "p": stats.chi2.sf(chisq, 1)}, index=fit.params_.index)
    unscaled = (xx[:, None] * residuals).sum(axis=0)
    global_chisq = float(unscaled @ var @ unscaled * ndead / (xx**2).sum())
    out.attrs["global_chisq"] = global_chisq
    out.attrs["global_p"] = float(stats.chi2.sf(global_chisq, len(test)))
    return out

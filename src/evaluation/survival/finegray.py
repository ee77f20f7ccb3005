"""The Fine–Gray subdistribution hazards model, as cmprsk::crr estimates it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .cox import (
    ModelResult,
    _drop_separated,
    _events_per_column_note,
    _segment_sums,
    design_matrix,
    wald_tests_by_variable,
)
from .estimators import (
    EVENT_CODES,
    LEVELS,
    MIN_AT_RISK,
    NOT_ESTIMABLE,
    _z,
    check_alpha,
    competing_risks_data,
    followed_at,
    horizon_estimable,
)

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["covariate_profiles", "fine_gray", "predicted_cif"]


def _censoring_before(time: np.ndarray, event: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Kaplan–Meier of the censoring distribution just before each time in ``at``: G(t-).

    ``time`` sorted; a censored client (``event == 0``) is the censoring distribution's event.
    The product-limit estimate over the distinct times (as :func:`kaplan_meier`, without its
    table and interval: this runs once per bootstrap resample)."""
    times, first = np.unique(time, return_index=True)
    at_risk = time.size - first
    censored = np.bincount(np.searchsorted(times, time[event == 0]), minlength=times.size)
    survival = np.cumprod(1.0 - censored / at_risk)
    idx = np.searchsorted(times, at, side="left") - 1
    return np.where(idx >= 0, survival[np.maximum(idx, 0)], 1.0)


def fine_gray(
    clients: pd.DataFrame,
    covariates: list[str] | None = None,
    cause: str = "employment",
    alpha: float = 0.05,
    tol: float = 1e-10,
    max_iter: int = 50,
    min_level: int = 5,
) -> ModelResult:
    """Fine–Gray subdistribution hazards model for ``cause``.

    Estimated as ``cmprsk::crr`` does: a client with a competing event stays in the risk set
    of later ``cause`` events with weight ``G(t-)/G(T-)`` (``G`` the Kaplan–Meier estimate of
    censoring), Breslow's handling of tied event times, Newton–Raphson to ``tol``.  Under heavy
    ties this differs by about 1 % from ``survival::finegray`` + ``coxph`` (Efron ties); the
    coefficients match ``crr``.

    Variance: ``crr``'s sandwich ``I^-1 (sum (eta_i + psi_i)(eta_i + psi_i)') I^-1``, where
    ``eta_i`` is the client's weighted score residual and ``psi_i`` the term for estimating the
    censoring distribution ``G`` (Fine & Gray 1999, section 3), both vectorised.  Written here
    because no Python library fits the Fine–Gray model (lifelines and scikit-survival have none).
    The coefficients' p-values are per column; the hypotheses are one per variable:
    ``variable_tests`` holds a joint Wald test of each variable from this variance, Holm across
    the variables (:func:`evaluation.survival.cox.wald_tests_by_variable`).
    """
    X, time, kind, events, notes = _model_data(clients, covariates, cause, min_level)
    if X.shape[1] == 0 or events == 0:
        return _not_estimable(notes, events, f"not estimable: no covariates or no {cause} events")
    prepared = _prepare(X.to_numpy(dtype=float), time, kind)
    t, k, Z, competing, g_own, fail_times, fail_counts, g_fail, first_at_or_after = prepared
    beta, note = _newton(prepared, tol, max_iter)
    if beta is None:
        return _not_estimable(notes, events, note)
    if note:
        notes.append(note)
    # exp(Z beta) overflows only for a diverging model, which _newton has already refused
    with np.errstate(over="ignore", invalid="ignore"):
        S0, S1, S2 = _fg_sums(Z, beta, t, competing, g_own, g_fail, first_at_or_after)
        zbar = S1 / S0[:, None]
        info = (fail_counts[:, None, None] * (S2 / S0[:, None, None] - zbar[:, :, None] * zbar[:, None, :])).sum(axis=0)
        eta = _fg_score_residuals(Z, beta, t, k, competing, g_own, g_fail, fail_times, fail_counts, S0, zbar)
        eta = eta + _fg_censoring_term(Z, beta, t, k, competing, g_own, g_fail, fail_times, fail_counts, S0, zbar)
    inv = np.linalg.inv(info)
    var = inv @ (eta.T @ eta) @ inv
    se = np.sqrt(np.diag(var))
    z = _z(alpha)
    notes.extend(_events_per_column_note(events, X.shape[1]))
    table = pd.DataFrame(
        {
            "coef": beta,
            "se": se,
            "shr": np.exp(beta),
            "lower": np.exp(beta - z * se),
            "upper": np.exp(beta + z * se),
            "p": 2 * stats.norm.sf(np.abs(beta / se)),
        },
        index=pd.Index(X.columns, name="covariate"),
    )
    tests = wald_tests_by_variable(table["coef"], var)  # one per variable, Holm across variables
    return ModelResult(table, notes, events, variable_tests=tests)


def _model_data(clients: pd.DataFrame, covariates: list[str] | None, cause: str, min_level: int):
    """What :func:`fine_gray` and :func:`predicted_cif` both fit: the design matrix without the
    columns that separate the ``cause`` events, the times, each client's kind (0 censored, 1 the
    cause, 2 a competing event), the number of ``cause`` events and the notes so far."""
    X, notes = design_matrix(clients, covariates, min_level)
    time, event = competing_risks_data(clients.loc[X.index])
    kind = np.where(event == 0, 0, np.where(event == EVENT_CODES[cause], 1, 2))
    events = int((kind == 1).sum())
    X = _drop_separated(X, kind == 1, notes, cause)
    return X, time, kind, events, notes


def _not_estimable(notes: list[str], events: int, why: str) -> ModelResult:
    """An empty result, ``ok=False``, whose last note, ``why``, says why the model is not estimable."""
    return ModelResult(pd.DataFrame(), notes + [why], events, ok=False)


def _prepare(Z: np.ndarray, time: np.ndarray, kind: np.ndarray):
    """Clients sorted by time with what every fit needs: the censoring weights ``G(T-)``, the
    distinct event times of the cause with their counts and ``G(t_k-)``, and where each event
    time's risk set starts."""
    order = np.argsort(time, kind="stable")
    t = time[order].astype(float)
    k = kind[order]
    Z = Z[order]
    g_own = _censoring_before(t, k, t)  # G(T_j-) for each client
    fail_times, fail_counts = np.unique(t[k == 1], return_counts=True)
    g_fail = _censoring_before(t, k, fail_times)  # G(t_k-) at each event time of the cause
    # for each event time: clients with T >= t_k are at risk with weight 1; competing events
    # with T < t_k keep weight G(t_k-)/G(T-)
    first_at_or_after = np.searchsorted(t, fail_times, side="left")
    competing = (k == 2).astype(float)
    return t, k, Z, competing, g_own, fail_times, fail_counts, g_fail, first_at_or_after


def _newton(prepared, tol: float, max_iter: int, start: np.ndarray | None = None):
    """Newton–Raphson on the weighted partial likelihood from ``start`` (default ``beta = 0``;
    a bootstrap resample starts from the full data's estimate and needs fewer steps to the same
    optimum).

    Returns ``(beta, None)`` when it converges, ``(None, note)`` when the model cannot be
    estimated (singular information, divergence), and ``(beta, note)`` with the last iterate
    when ``max_iter`` is spent."""
    t, k, Z, competing, g_own, fail_times, fail_counts, g_fail, first_at_or_after = prepared
    beta = np.zeros(Z.shape[1]) if start is None else np.array(start, dtype=float)
    # exp(Z beta) overflows while a separated model diverges; the divergence is caught below
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            S0, S1, S2 = _fg_sums(Z, beta, t, competing, g_own, g_fail, first_at_or_after)
            zbar = S1 / S0[:, None]
            score = Z[k == 1].sum(axis=0) - (fail_counts[:, None] * zbar).sum(axis=0)
            info = (fail_counts[:, None, None] * (S2 / S0[:, None, None] - zbar[:, :, None] * zbar[:, None, :])).sum(
                axis=0
            )
            try:
                step = np.linalg.solve(info, score)
            except np.linalg.LinAlgError:
                return None, (
                    "not estimable: singular information matrix (a covariate without variation among those at risk)"
                )
            beta = beta + step
            if not np.all(np.isfinite(beta)) or np.abs(beta).max() > 50:
                return None, "not estimable: the model does not converge (separation)"
            if np.abs(step).max() < tol:
                return beta, None
    return beta, f"did not converge in {max_iter} iterations"


def _baseline_jumps(prepared, beta: np.ndarray) -> np.ndarray:
    """Jumps of the baseline cumulative subdistribution hazard at each event time of the cause
    (Breslow-type, ``d_k / S0_k``: ``crr``'s ``bfitj``)."""
    t, k, Z, competing, g_own, fail_times, fail_counts, g_fail, first_at_or_after = prepared
    S0 = _fg_sums(Z, beta, t, competing, g_own, g_fail, first_at_or_after)[0]
    return fail_counts / S0


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
    increments = q * (n_cens / at_risk**2)[:, None]
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


def covariate_profiles(
    clients: pd.DataFrame, covariates: list[str] | None = None, min_level: int = 5
) -> dict[str, dict]:
    """A few covariate profiles to predict for: the typical client of the model (median age in
    whole years, the most common value of every other covariate) and, for each yes/no covariate
    in the model, the typical client with the other value.  Covariates the model leaves out
    (:func:`design_matrix`) are not in the profiles."""
    X, _ = design_matrix(clients, covariates, min_level)
    data = clients.loc[X.index]
    in_model = [c for c in data.columns if c in X.columns or any(col.startswith(f"{c}=") for col in X.columns)]
    typical = {}
    for c in in_model:
        values = data[c]
        if c in LEVELS or values.dtype == "boolean" or pd.api.types.is_bool_dtype(values):
            typical[c] = values.mode().iloc[0] if c in LEVELS else bool(values.mode().iloc[0])
        else:
            typical[c] = float(np.round(values.median()))
    profiles = {"typical": typical}
    for c, value in typical.items():
        if isinstance(value, bool):
            profiles[f"{c} {'no' if value else 'yes'}"] = {**typical, c: not value}
    return profiles


def _profile_matrix(profiles: dict[str, dict], columns: list[str]) -> np.ndarray:
    """Model rows of the profiles, in the model's columns (``name=level`` dummies, 0/1, age)."""
    rows = []
    for name, profile in profiles.items():
        row = []
        for column in columns:
            covariate, _, level = column.partition("=")
            if covariate not in profile:
                raise ValueError(
                    f"profile {name!r}: no value for {covariate!r}, which is in the model; "
                    f"give one (the model's columns: {', '.join(columns)})"
                )
            value = profile[covariate]
            row.append(float(value == level) if level else float(value))
        for covariate, value in profile.items():
            if covariate in LEVELS and value != LEVELS[covariate][0] and f"{covariate}={value}" not in columns:
                raise ValueError(
                    f"profile {name!r}: {covariate}={value} is not in the model (too few clients "
                    "to estimate, or absent); choose a level the model has"
                )
        rows.append(row)
    return np.array(rows, dtype=float)


def predicted_cif(
    clients: pd.DataFrame,
    profiles: dict[str, dict] | None = None,
    horizon: float = 365,
    covariates: list[str] | None = None,
    cause: str = "employment",
    alpha: float = 0.05,
    reps: int = 500,
    seed: int = 2016,
    min_level: int = 5,
    resamples: np.ndarray | None = None,
    min_at_risk: int = MIN_AT_RISK,
) -> ModelResult:
    """The cumulative incidence of ``cause`` within ``horizon`` days predicted by the Fine–Gray
    model for covariate profiles: the size of the effects whose direction the subdistribution
    hazard ratios give.

    Point estimate as ``cmprsk::predict.crr``: ``1 − exp(−Λ0(t) exp(z'β))`` with ``Λ0`` the
    Breslow-type baseline cumulative subdistribution hazard (``crr``'s ``bfitj`` summed over the
    event times up to ``horizon``).  Interval: percentile bootstrap — ``reps`` resamples of the
    model's clients with replacement (``numpy.random.default_rng(seed)``; or the rows given in
    ``resamples``, a ``reps × n`` array of positions among the model's clients), the model and
    the censoring distribution refitted on each, the ``alpha/2`` and ``1 − alpha/2`` quantiles of
    the predictions (R's default quantile type 7).  Resamples where the model cannot be fitted
    (a covariate without variation, separation, no convergence) are left out and counted in a
    note.  cmprsk gives no interval for its predictions; Fine and Gray (1999, section 4) also
    resample.  Checked against ``crr`` + ``predict.crr`` run by R on the same resamples.

    Not estimable (``ok=False``, a note) when fewer than ``min_at_risk`` of the model's clients
    are still followed at ``horizon`` (:func:`~evaluation.survival.estimators.horizon_estimable`).

    ``profiles``: name → {covariate: value}; by default :func:`covariate_profiles`.  The table
    has one row per profile: its covariate values, ``cif``, ``lower``, ``upper``.
    """
    check_alpha(alpha)
    if horizon <= 0:
        raise ValueError(f"horizon must be positive, got {horizon}")
    X, time, kind, events, notes = _model_data(clients, covariates, cause, min_level)
    if X.shape[1] == 0 or events == 0:
        return _not_estimable(notes, events, f"not estimable: no covariates or no {cause} events")
    if profiles is None:
        profiles = covariate_profiles(clients, covariates, min_level)
    rows = _profile_matrix(profiles, list(X.columns))
    followed = followed_at(time, horizon)
    if not horizon_estimable(followed, min_at_risk):
        return _not_estimable(
            notes,
            events,
            f"{NOT_ESTIMABLE}: {followed:,} of the model's clients are still "
            f"followed at {horizon:g} days, fewer than min_at_risk ({min_at_risk})",
        )
    Z = X.to_numpy(dtype=float)

    def predict(Zs, ts, ks, start=None):
        prepared = _prepare(Zs, ts, ks)
        beta, note = _newton(prepared, 1e-10, 50, start)
        if beta is None or note:
            return None, None
        jumps = _baseline_jumps(prepared, beta)
        baseline = jumps[prepared[5] <= horizon].sum()
        return 1 - np.exp(-baseline * np.exp(rows @ beta)), beta

    estimate, beta_hat = predict(Z, time, kind)
    if estimate is None:
        return _not_estimable(notes, events, "not estimable: the model cannot be fitted")
    if resamples is None:
        resamples = np.random.default_rng(seed).integers(0, len(Z), size=(reps, len(Z)))
    resamples = np.asarray(resamples)
    draws = [predict(Z[i], time[i], kind[i], beta_hat)[0] for i in resamples]
    fitted = np.array([d for d in draws if d is not None])
    failed = len(draws) - len(fitted)
    if failed:
        notes.append(
            f"{failed} of {len(draws)} bootstrap resamples could not be fitted (a covariate without "
            "variation or separation in the resample); the interval is from the others"
        )
    if len(fitted) < 2:
        return _not_estimable(notes, events, "not estimable: too few bootstrap resamples fitted")
    lower, upper = np.quantile(fitted, [alpha / 2, 1 - alpha / 2], axis=0)
    table = pd.DataFrame.from_dict(profiles, orient="index")
    table.index.name = "profile"
    table["cif"], table["lower"], table["upper"] = estimate, lower, upper
    return ModelResult(table, notes, events)

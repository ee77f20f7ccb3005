"""The Fine–Gray subdistribution hazards model, as cmprsk::crr estimates it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..multiplicity import holm
from .cox import ModelResult, _drop_separated, _segment_sums, design_matrix
from .estimators import EVENT_CODES, _z, competing_risks_data, kaplan_meier

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
    censoring distribution ``G`` (Fine & Gray 1999, section 3), both vectorised.  Written here
    because no Python library fits the Fine–Gray model (lifelines and scikit-survival have none).
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
    table["p_holm"] = holm(table["p"])  # the covariates' Wald tests as one family
    return ModelResult(table, notes, events)


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

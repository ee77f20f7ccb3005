"""Comparing groups: the cause-specific log-rank test and Gray's test of cumulative incidence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .estimators import EVENT_CODES, competing_risks_data

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["TestResult", "gray_test", "logrank_test"]


@dataclass
class TestResult:
    """A test's statistic, degrees of freedom and p-value, or a note saying why there is none."""

    statistic: float | None
    df: int | None
    p: float | None
    note: str = ""


#: The note of a test with fewer than two groups of at least two clients.
_TOO_FEW_GROUPS = "not estimable: fewer than two groups with 2+ clients"


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
        return TestResult(None, None, None, _TOO_FEW_GROUPS)
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
    Written here because no Python library has Gray's test (lifelines and scikit-survival
    compare hazards only).
    """
    data, levels = _groups(clients, column)
    if len(levels) < 2:
        return TestResult(None, None, None, _TOO_FEW_GROUPS)
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
                d[j], s, v, f1m, f1, skmm, skm, v3, v2, c, fm, rs, rho
            )
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

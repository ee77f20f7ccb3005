"""Did the municipality's unemployment fall more than it would have without the project?

A comparison of one treated municipality with municipalities that had no such project, on the
official panel (:mod:`evaluation.official`).  One treated unit: cluster-robust standard errors
are not valid (Conley and Taber 2011), so every p-value here is a permutation (placebo) p-value.

Outcomes (:data:`OUTCOMES`), each per 100 persons in the labour force (``TYOVOIMATK``) so that
municipalities of different size compare: unemployed (the primary outcome), long-term
unemployed, unemployed under 25, and unemployed + persons in services (moving people into
services lowers the unemployed count by definition; this outcome does not reward it).  In the
last, a suppressed service cell (1 to 4 persons) is counted as 2.5: the error is at most 1.5
persons a cell.  A donor whose outcome series has a missing month in the window is left out of
that outcome's pool.

**Synthetic control** (Abadie, Diamond and Hainmueller 2010): weights ``w >= 0``, ``sum w = 1``
minimising the mean squared gap over every pre-period month.  Every pre-period month's outcome
is a predictor and V is the identity: with the whole pre-period path as predictors the choice of
V matters little, and the problem is a small quadratic programme solved exactly by
:func:`simplex_least_squares` (an active-set method; the tests check its loss against SLSQP and
its KKT conditions).  The effect is the gap (treated - synthetic) per month; reported: its mean
over the post-period, its value at ``post_end``, the pre- and post-period RMSPE.

**Inference.** Placebo in space: every donor in turn is the treated unit (the others its donors);
the p-value is the rank of the treated unit's post/pre RMSPE ratio among all units, ties counted
against the treated (ADH 2010).  In time: the same fit with a fake start two years earlier,
entirely in the pre-period.  Leave-one-out: refit without each donor of weight > 0.05.  The
smallest detectable effect: the smallest fall in the post-period outcome, added to the treated
unit's path, that would give a placebo p-value <= ``alpha`` (the weights depend on the pre-period
only, so an added effect moves the gap by exactly its size); in persons, x the treated
municipality's labour force / 100.

**Difference-in-differences** as the second estimator: two-way fixed effects (municipality and
month) on the treated unit and the donor pool, ``y_it = a_i + g_t + b D_it``; the event study
replaces ``D_it`` by one indicator per event year (12-month bins from ``treatment_start``; the
year before it is the reference).  Both by the within transformation and least squares (checked
against statsmodels' OLS with dummies); inference by permutation over the donors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .official import SERVICES, Panel, find_municipality

__all__ = ["OUTCOMES", "Design", "SCMResult", "simplex_least_squares", "outcome_matrix", "design",
           "synthetic_control", "placebo_in_space", "in_time_placebo", "leave_one_out",
           "detectable_effect", "did", "event_study", "CounterfactualError", "analyse",
           "counterfactual_metrics", "summary_table", "weights_table", "Analysis", "placebo_p", "event_years"]

#: outcome -> (numerator columns, label); all per 100 in the labour force.
OUTCOMES = {
    "unemployed": ("TYOTTOMATLOPUSSA",),
    "long_term": ("PITKAAIKAISTYOTTOMAT",),
    "under_25": ("TYOTTOMAT25",),
    "unemployed_or_services": ("TYOTTOMATLOPUSSA", *SERVICES),
}
PRIMARY = "unemployed"
SUPPRESSED_MIDPOINT = 2.5
MIN_DONORS = 10


class CounterfactualError(ValueError):
    """The design cannot be built: the message says which parameter and what to do."""


# ----------------------------------------------------------------------------- the solver
def simplex_least_squares(A: np.ndarray, b: np.ndarray, tol: float = 1e-12,
                          max_iter: int = 10_000) -> np.ndarray:
    """``argmin ||A w - b||^2`` subject to ``w >= 0`` and ``sum(w) = 1`` (exactly).

    An active-set method in the manner of Lawson and Hanson's NNLS, on the Gram matrix
    ``A'A``: the support grows by the coordinate that most violates the KKT conditions, and each
    step solves the equality-constrained problem on the support exactly (its KKT system); a
    coordinate that would turn negative leaves the support.  At the end every gradient
    coordinate off the support is at least the common value on it, to ``tol`` (relative).
    """
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    return simplex_qp(A.T @ A, A.T @ b, tol, max_iter)


def simplex_qp(G: np.ndarray, c: np.ndarray, tol: float = 1e-12, max_iter: int = 10_000,
               allowed: np.ndarray | None = None, start: list[int] | None = None) -> np.ndarray:
    """``argmin w'Gw - 2c'w`` over the simplex (``G = A'A``, ``c = A'b``): see
    :func:`simplex_least_squares`.  ``allowed`` (a boolean mask) restricts the support to some
    columns of ``G`` (the placebos reuse one Gram matrix of every unit); the others get 0.
    ``start``: a guess of the support (from a fast approximate solver); it changes only how
    many steps the exact method takes, never the answer."""
    n = G.shape[0]
    allowed = np.ones(n, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    candidates = np.flatnonzero(allowed)
    if candidates.size == 1:
        w = np.zeros(n)
        w[candidates] = 1.0
        return w
    diag = np.diag(G)
    scale = max(1.0, float(np.abs(diag[candidates]).max()))
    first = int(candidates[np.argmin(diag[candidates] - 2 * c[candidates])])  # the best single donor
    support = [first]
    w = np.zeros(n)
    w[first] = 1.0
    if start:
        guess = [int(k) for k in start if allowed[k]]
        z = _equality_qp(G[np.ix_(guess, guess)], c[guess]) if guess else None
        if z is not None and (z > tol).all():
            support, w[:] = guess, 0.0
            w[guess] = z
    for _ in range(max_iter):
        gradient = 2 * (G[:, support] @ w[support] - c)  # only the support's columns: O(n |S|)
        lam = -gradient[support].mean()
        mu = gradient + lam
        mu[support] = np.inf
        mu[~allowed] = np.inf
        j = int(np.argmin(mu))
        if mu[j] >= -tol * scale:
            break
        support.append(j)
        for _ in range(max_iter):
            z = _equality_qp(G[np.ix_(support, support)], c[support])
            if (z > tol).all():
                w[:] = 0.0
                w[support] = z
                break
            current = w[support]
            moving = z <= tol
            alpha = np.min(current[moving] / (current[moving] - z[moving]))
            new = current + alpha * (z - current)
            w[:] = 0.0
            keep = new > tol
            support = [k for k, kept in zip(support, keep) if kept]
            w[support] = new[keep]
            w /= w.sum()
    return w


def _equality_qp(G: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``argmin z'Gz - 2c'z`` subject to ``sum(z) = 1``: the KKT system
    ``[[2G, 1], [1', 0]] [z, lambda] = [2c, 1]`` (least squares when singular)."""
    k = G.shape[0]
    if k == 1:
        return np.ones(1)
    kkt = np.zeros((k + 1, k + 1))
    kkt[:k, :k] = 2 * G
    kkt[:k, k] = kkt[k, :k] = 1.0
    rhs = np.concatenate([2 * c, [1.0]])
    try:
        solution = np.linalg.solve(kkt, rhs)
    except np.linalg.LinAlgError:
        solution = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
    return solution[:k]


# ----------------------------------------------------------------------------- the design
@dataclass
class Design:
    """Outcome paths of the treated municipality and its donors for one outcome.

    ``Y`` has one row per month (``months``) and one column per unit, the treated first
    (``units[0]``); values per 100 in the labour force."""

    outcome: str
    Y: np.ndarray
    units: list[str]
    months: pd.PeriodIndex
    treatment_start: pd.Period
    post_end: pd.Period
    labour_force: float  # the treated municipality's, at post_end
    notes: list[str] = field(default_factory=list)
    count_at_start: float | None = None  # the treated municipality's outcome count at treatment_start

    @property
    def pre(self) -> np.ndarray:
        return np.asarray(self.months < self.treatment_start)

    @property
    def post(self) -> np.ndarray:
        return np.asarray((self.months >= self.treatment_start) & (self.months <= self.post_end))


def outcome_matrix(panel: Panel, outcome: str, start: pd.Period, end: pd.Period) -> pd.DataFrame:
    """Months x municipalities (``KUxxx``): the outcome per 100 in the labour force."""
    data = panel.municipalities
    rows = data.loc[(data["month"] >= start) & (data["month"] <= end)]
    numerator = None
    for column in OUTCOMES[outcome]:
        values = rows[column].astype("float64")
        if column in SERVICES:
            values = values.fillna(SUPPRESSED_MIDPOINT)
        numerator = values if numerator is None else numerator + values
    share = 100 * numerator / rows["TYOVOIMATK"].astype("float64")
    frame = pd.DataFrame({"area": rows["area"], "month": rows["month"], "y": share})
    return frame.pivot(index="month", columns="area", values="y").sort_index()


def design(panel: Panel, treated: str, outcome: str = PRIMARY, *, pre_start: str = "2013-01",
           treatment_start: str, post_end: str, window_end: str | None = None,
           exclude_neighbours: bool = True, pool: str = "all") -> Design:
    """The treated municipality and its donor pool for ``outcome``.

    Donors: every municipality with a complete series from ``pre_start`` to ``window_end``
    (default ``post_end``), except the treated one and, with ``exclude_neighbours``, the rest of
    its sub-region (spillovers are likely there).  ``pool`` restricts them further:
    ``region`` (same region), ``size`` (labour force within a factor of 3 of the treated one's
    in the month before treatment), ``urban_rural`` (same urban–rural group).
    """
    row = find_municipality(panel, treated)
    code = f"KU{row['municipality_code']}"
    start, t0, end = (pd.Period(m, freq="M") for m in (pre_start, treatment_start, post_end))
    last = pd.Period(window_end, freq="M") if window_end else end
    months = panel.months
    if not (start < t0 <= end <= last):
        raise CounterfactualError(f"the months must be in order: pre_start {start} < treatment_start {t0} "
                                  f"<= post_end {end}")
    if start < months[0] or last > months[-1]:
        raise CounterfactualError(f"the window {start}..{last} is outside the panel's months "
                                  f"{months[0]}..{months[-1]}")
    if (t0 - start).n < 12:
        raise CounterfactualError(f"the pre-period {start}..{t0 - 1} has fewer than 12 months: a synthetic "
                                  "control needs a long pre-period; set an earlier pre_start")
    matrix = outcome_matrix(panel, outcome, start, last)
    if code not in matrix.columns or matrix[code].isna().any():
        raise CounterfactualError(f"{code} has no complete {outcome} series in {start}..{last} "
                                  "(suppressed cells): choose another outcome or window")
    key = panel.key.assign(area="KU" + panel.key["municipality_code"])
    info = key.set_index("area")
    complete = [c for c in matrix.columns if c != code and matrix[c].notna().all()]
    notes = []
    dropped = matrix.shape[1] - 1 - len(complete)
    if dropped:
        notes.append(f"{dropped} municipalities without a complete {outcome} series left out")
    if exclude_neighbours:
        neighbours = [c for c in complete if c in info.index
                      and info.at[c, "seutukunta_code"] == row["seutukunta_code"]]
        complete = [c for c in complete if c not in neighbours]
        if neighbours:
            notes.append(f"the rest of the sub-region left out (spillovers): {', '.join(neighbours)}")
    if pool == "region":
        complete = [c for c in complete if c in info.index and info.at[c, "maakunta_code"] == row["maakunta_code"]]
    elif pool == "urban_rural":
        complete = [c for c in complete if c in info.index
                    and info.at[c, "kuntaryhmitys_code"] == row["kuntaryhmitys_code"]]
    elif pool == "size":
        force = panel.municipalities.loc[panel.municipalities["month"] == t0 - 1]
        force = force.set_index("area")["TYOVOIMATK"].astype("float64")
        own = force[code]
        complete = [c for c in complete if own / 3 <= force.get(c, np.nan) <= own * 3]
    elif pool != "all":
        raise CounterfactualError(f"pool must be all, region, size or urban_rural, not {pool!r}")
    if len(complete) < MIN_DONORS:
        raise CounterfactualError(f"only {len(complete)} donors for {code} ({outcome}, pool {pool}): at least "
                                  f"{MIN_DONORS} are needed for placebo inference")
    own = panel.data.loc[panel.data["area"] == code].set_index("month")
    count = sum(own.at[t0, c] for c in OUTCOMES[outcome] if pd.notna(own.at[t0, c]))
    Y = matrix[[code, *complete]].to_numpy(dtype=float)
    return Design(outcome, Y, [code, *complete], matrix.index, t0, end, float(own.at[end, "TYOVOIMATK"]), notes,
                  float(count))


# ----------------------------------------------------------------------------- synthetic control
@dataclass
class SCMResult:
    weights: np.ndarray          # over the donors (units[1:])
    gap: np.ndarray              # treated - synthetic, every month of the design
    pre_rmspe: float
    post_rmspe: float
    effect_mean: float           # mean gap over the post-period (percentage points)
    effect_end: float            # gap at post_end

    @property
    def ratio(self) -> float:
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf


def _fit(Y: np.ndarray, treated: int, donors: list[int], pre: np.ndarray, post: np.ndarray,
         end_index: int, gram: np.ndarray | None = None) -> SCMResult:
    if gram is None:
        gram = Y[pre].T @ Y[pre]
    allowed = np.zeros(gram.shape[0], dtype=bool)
    allowed[donors] = True
    w = simplex_qp(gram, gram[:, treated], allowed=allowed,
                   start=_support_guess(Y[pre][:, donors], Y[pre, treated], donors))[donors]
    gap = Y[:, treated] - Y[:, donors] @ w
    return SCMResult(w, gap, float(np.sqrt(np.mean(gap[pre] ** 2))), float(np.sqrt(np.mean(gap[post] ** 2))),
                     float(gap[post].mean()), float(gap[end_index]))


def _support_guess(A: np.ndarray, b: np.ndarray, columns: list[int]) -> list[int]:
    """The support of the non-negative least squares with a heavy sum-to-one row (Lawson-
    Hanson in compiled code): nearly the simplex optimum's, a warm start for the exact method."""
    from scipy.optimize import nnls

    heavy = 1e3 * max(1.0, float(np.abs(A).max()))
    w, _ = nnls(np.vstack([A, np.full((1, A.shape[1]), heavy)]), np.concatenate([b, [heavy]]))
    return [columns[k] for k in np.flatnonzero(w > 1e-9)]


def _end_index(d: Design) -> int:
    return int(np.flatnonzero(np.asarray(d.months == d.post_end))[0])


def synthetic_control(d: Design) -> SCMResult:
    """The treated unit's synthetic control (see the module docstring)."""
    return _fit(d.Y, 0, list(range(1, d.Y.shape[1])), d.pre, d.post, _end_index(d))


def placebo_in_space(d: Design) -> pd.DataFrame:
    """Every unit as the treated one, the others (never the real treated unit) as donors:
    ``unit``, ``pre_rmspe``, ``post_rmspe``, ``ratio``, ``effect_mean``, ``effect_end`` and the
    gap path (``gap``, an array); the first row is the real treated unit."""
    n = d.Y.shape[1]
    rows = []
    end = _end_index(d)
    gram = d.Y[d.pre].T @ d.Y[d.pre]  # once for every placebo
    for unit in range(n):
        donors = [k for k in range(1, n) if k != unit]
        r = _fit(d.Y, unit, donors, d.pre, d.post, end, gram)
        rows.append({"unit": d.units[unit], "pre_rmspe": r.pre_rmspe, "post_rmspe": r.post_rmspe,
                     "ratio": r.ratio, "effect_mean": r.effect_mean, "effect_end": r.effect_end, "gap": r.gap})
    return pd.DataFrame(rows)


def placebo_p(statistic: float, placebo: np.ndarray) -> float:
    """Share of units (the treated one included) whose statistic is at least the treated one's."""
    placebo = np.asarray(placebo, dtype=float)
    return float((1 + np.sum(placebo >= statistic)) / (1 + placebo.size))


def in_time_placebo(d: Design, years_earlier: int = 2) -> SCMResult | None:
    """The fit with a fake start ``years_earlier`` years before the real one, the placebo
    post-period ending the month before the real start (None when the pre-period is too short)."""
    fake = d.treatment_start - 12 * years_earlier
    pre = np.asarray(d.months < fake)
    post = np.asarray((d.months >= fake) & (d.months < d.treatment_start))
    if pre.sum() < 12 or post.sum() == 0:
        return None
    end = int(np.flatnonzero(post)[-1])
    return _fit(d.Y, 0, list(range(1, d.Y.shape[1])), pre, post, end)


def in_time_placebo_p(d: Design, years_earlier: int = 2) -> float | None:
    """The placebo p-value of the in-time placebo: the design cut at the real start, with the
    fake start ``years_earlier`` years before it, and every donor as a placebo (None when the
    pre-period is too short).  A small p-value here warns that the method finds 'effects' where
    there can be none."""
    fake = d.treatment_start - 12 * years_earlier
    keep = np.asarray(d.months < d.treatment_start)
    if np.sum(np.asarray(d.months < fake)) < 12 or not np.any(np.asarray(d.months >= fake) & keep):
        return None
    cut = Design(d.outcome, d.Y[keep], d.units, d.months[keep], fake, d.treatment_start - 1, d.labour_force)
    placebos = placebo_in_space(cut)
    return placebo_p(placebos["ratio"].iloc[0], placebos["ratio"].to_numpy()[1:])


def leave_one_out(d: Design, result: SCMResult, threshold: float = 0.05) -> pd.DataFrame:
    """The fit without each donor of weight above ``threshold``: ``left_out``, ``weight``,
    ``effect_mean``, ``effect_end``, ``pre_rmspe``."""
    rows = []
    end = _end_index(d)
    for k in np.flatnonzero(result.weights > threshold):
        donors = [j for j in range(1, d.Y.shape[1]) if j != k + 1]
        r = _fit(d.Y, 0, donors, d.pre, d.post, end)
        rows.append({"left_out": d.units[k + 1], "weight": float(result.weights[k]),
                     "effect_mean": r.effect_mean, "effect_end": r.effect_end, "pre_rmspe": r.pre_rmspe})
    return pd.DataFrame(rows, columns=["left_out", "weight", "effect_mean", "effect_end", "pre_rmspe"])


def detectable_effect(d: Design, placebos: pd.DataFrame, alpha: float = 0.05) -> float | None:
    """The smallest fall (a negative number, percentage points, constant over the post-period)
    that, added to the treated unit's path, gives a placebo p-value <= ``alpha``; None when even
    the largest placebo ratio cannot be exceeded within 50 points (or too few placebos:
    1 / (placebos + 1) > alpha)."""
    others = placebos["ratio"].to_numpy()[1:]
    if 1 / (others.size + 1) > alpha:
        return None
    gap = placebos["gap"].iloc[0]
    pre, post = d.pre, d.post
    pre_rmspe = np.sqrt(np.mean(gap[pre] ** 2))

    def p(delta: float) -> float:
        post_rmspe = np.sqrt(np.mean((gap[post] + delta) ** 2))
        return placebo_p(post_rmspe / pre_rmspe, others)

    lo, hi = 0.0, -50.0
    if p(hi) > alpha:
        return None
    for _ in range(60):  # bisection on the size of the fall
        mid = (lo + hi) / 2
        if p(mid) <= alpha:
            hi = mid
        else:
            lo = mid
    return float(hi)


# ----------------------------------------------------------------------------- difference in differences
def _within(x: np.ndarray) -> np.ndarray:
    return x - x.mean(axis=0, keepdims=True) - x.mean(axis=1, keepdims=True) + x.mean()


def _twfe_one_unit(Y_within: np.ndarray, unit: int, d: np.ndarray) -> np.ndarray:
    """:func:`_twfe` when the regressors ``d`` (months x k) are non-zero for one unit only.

    Then the within-transformed regressor of unit ``i`` is ``(1[i = unit] - 1/N) (d - mean d)``,
    so ``X'X = (1 - 1/N) C'C`` and ``X'y = C' y_unit`` with ``C`` the centred ``d`` and
    ``y_unit`` the unit's within-transformed outcome: the same coefficients in O(months k^2)
    (a test checks them against statsmodels' OLS with dummies)."""
    n = Y_within.shape[1]
    C = d - d.mean(axis=0, keepdims=True)
    coef, *_ = np.linalg.lstsq((1 - 1 / n) * C.T @ C, C.T @ Y_within[:, unit], rcond=None)
    return coef


def did(d: Design) -> tuple[float, np.ndarray]:
    """The two-way fixed-effects estimate for the treated unit and the same estimate with each
    donor as the treated unit (the permutation distribution).  Months after ``post_end`` are
    left out."""
    keep = np.asarray(d.months <= d.post_end)
    Y = _within(d.Y[keep])
    after = np.asarray(d.months[keep] >= d.treatment_start, dtype=float)[:, None]
    estimates = [_twfe_one_unit(Y, unit, after)[0] for unit in range(Y.shape[1])]
    return float(estimates[0]), np.array(estimates[1:])


def event_years(d: Design) -> np.ndarray:
    """Each month's event year: 0 for the first 12 months from ``treatment_start``, -1 for the
    12 before, and so on."""
    return np.floor(np.array([(m - d.treatment_start).n for m in d.months]) / 12).astype(int)


def event_study(d: Design, window_end: pd.Period | None = None) -> pd.DataFrame:
    """Event-year coefficients (reference year -1) for the treated unit, with the permutation
    distribution's 2.5 and 97.5 percentiles and the permutation p-value of each coefficient."""
    keep = np.asarray(d.months <= (window_end or d.post_end))
    Y = _within(d.Y[keep])
    years = event_years(d)[keep]
    levels = [k for k in sorted(set(years)) if k != -1]
    dummies = np.stack([(years == k).astype(float) for k in levels], axis=1)
    coefficients = np.array([_twfe_one_unit(Y, unit, dummies) for unit in range(Y.shape[1])])
    treated, placebo = coefficients[0], coefficients[1:]
    rows = []
    for j, k in enumerate(levels):
        rows.append({"event_year": k, "estimate": treated[j],
                     "placebo_low": float(np.percentile(placebo[:, j], 2.5)),
                     "placebo_high": float(np.percentile(placebo[:, j], 97.5)),
                     "permutation_p": placebo_p(abs(treated[j]), np.abs(placebo[:, j]))})
    rows.append({"event_year": -1, "estimate": 0.0, "placebo_low": 0.0, "placebo_high": 0.0,
                 "permutation_p": None})
    return pd.DataFrame(rows).sort_values("event_year").set_index("event_year")


# ----------------------------------------------------------------------------- the whole analysis
@dataclass
class Analysis:
    """Everything notebook 04 shows for one outcome."""

    design: Design
    scm: SCMResult
    placebos: pd.DataFrame
    placebo_p: float
    detectable: float | None
    in_time: SCMResult | None
    in_time_p: float | None
    loo: pd.DataFrame
    did: float
    did_p: float
    events: pd.DataFrame
    durability: dict

    @property
    def persons(self) -> float:
        """Percentage points -> persons in the treated municipality (x labour force / 100)."""
        return self.design.labour_force / 100


def analyse(panel: Panel, treated: str, outcome: str = PRIMARY, *, pre_start: str, treatment_start: str,
            post_end: str, durability_end: str | None = "2020-02", exclude_neighbours: bool = True,
            pool: str = "all", alpha: float = 0.05, full: bool = True) -> Analysis:
    """Synthetic control with every placebo, DiD and event study for one outcome.  With
    ``full=False`` (the sensitivity pools) only the fit, its placebos and the DiD: no
    detectable effect, in-time placebo, leave-one-out or event study."""
    window_end = max(post_end, durability_end) if durability_end else post_end
    d = design(panel, treated, outcome, pre_start=pre_start, treatment_start=treatment_start,
               post_end=post_end, window_end=window_end, exclude_neighbours=exclude_neighbours, pool=pool)
    scm = synthetic_control(d)
    placebos = placebo_in_space(d)
    p = placebo_p(placebos["ratio"].iloc[0], placebos["ratio"].to_numpy()[1:])
    estimate, permutation = did(d)
    did_p = placebo_p(abs(estimate), np.abs(permutation))
    durability = {}
    if durability_end and pd.Period(durability_end, freq="M") > d.post_end:
        late = np.asarray((d.months > d.post_end) & (d.months <= pd.Period(durability_end, freq="M")))
        durability = {"start": str(d.post_end + 1), "end": durability_end, "effect_mean": float(scm.gap[late].mean())}
    if not full:
        return Analysis(d, scm, placebos, p, None, None, None, pd.DataFrame(), estimate, did_p, pd.DataFrame(),
                        durability)
    return Analysis(d, scm, placebos, p, detectable_effect(d, placebos, alpha), in_time_placebo(d),
                    in_time_placebo_p(d), leave_one_out(d, scm), estimate, did_p,
                    event_study(d, pd.Period(window_end, freq="M")), durability)


def weights_table(a: Analysis, names: dict[str, str], threshold: float = 0.001) -> pd.DataFrame:
    """Donors with weight above ``threshold``: ``code``, ``name``, ``weight``, largest first."""
    rows = [{"code": code, "name": names.get(code, code), "weight": float(w)}
            for code, w in zip(a.design.units[1:], a.scm.weights) if w > threshold]
    return pd.DataFrame(rows, columns=["code", "name", "weight"]).sort_values("weight", ascending=False,
                                                                              ignore_index=True)


def summary_table(analyses: dict[str, Analysis]) -> pd.DataFrame:
    """One row per outcome: the effects in points and persons, fit, p-values, detectable effect."""
    rows = []
    for outcome, a in analyses.items():
        rows.append({"outcome": outcome, "donors": a.design.Y.shape[1] - 1,
                     "effect_mean_pp": a.scm.effect_mean, "effect_end_pp": a.scm.effect_end,
                     "effect_end_persons": a.scm.effect_end * a.persons,
                     "pre_rmspe": a.scm.pre_rmspe, "post_rmspe": a.scm.post_rmspe,
                     "placebo_p": a.placebo_p,
                     "detectable_pp": a.detectable,
                     "detectable_persons": None if a.detectable is None else a.detectable * a.persons,
                     "did_pp": a.did, "did_permutation_p": a.did_p,
                     "durability_pp": a.durability.get("effect_mean")})
    return pd.DataFrame(rows).set_index("outcome")


def counterfactual_metrics(treated: str, analyses: dict[str, Analysis], *, name: str | None = None,
                           alpha: float = 0.05) -> dict:
    """The ``counterfactual.*`` keys of metrics.json: what :func:`conclusion_sentences` (the
    notebook's and the Finnish summary's conclusion) needs, and each outcome's estimates."""
    m: dict = {"counterfactual.treated": treated, "counterfactual.alpha": alpha}
    if name is not None:
        m["counterfactual.name"] = name
    primary = analyses.get(PRIMARY)
    if primary is not None:
        m["counterfactual.donors.n"] = primary.design.Y.shape[1] - 1
        m["counterfactual.donors.used"] = int((primary.scm.weights > 0.001).sum())
        m["counterfactual.treatment_start"] = str(primary.design.treatment_start)
        m["counterfactual.post_end"] = str(primary.design.post_end)
        m["counterfactual.count_at_start"] = primary.design.count_at_start
        for code, w in zip(primary.design.units[1:], primary.scm.weights):
            if w > 0.001:
                m[f"counterfactual.scm.weights.{code}"] = float(w)
    for outcome, a in analyses.items():
        key = f"counterfactual.{outcome}"
        m |= {f"{key}.scm.effect_mean": a.scm.effect_mean, f"{key}.scm.effect_end": a.scm.effect_end,
              f"{key}.scm.effect_end_persons": a.scm.effect_end * a.persons,
              f"{key}.scm.pre_rmspe": a.scm.pre_rmspe, f"{key}.scm.post_rmspe": a.scm.post_rmspe,
              f"{key}.scm.placebo_p": a.placebo_p,
              f"{key}.scm.detectable_persons": None if a.detectable is None else a.detectable * a.persons,
              f"{key}.did.estimate": a.did, f"{key}.did.permutation_p": a.did_p}
    return m


# ----------------------------------------------------------------------------- the notebook's study
POOLS = ("region", "size", "urban_rural")


@dataclass
class Study:
    """Notebook 04's whole analysis: every outcome (``analyses``), the sensitivity pools of the
    primary outcome (``pools``), and what the reader is told (``notes``).  ``analyses`` is empty
    when there is nothing to analyse (``note`` says why in one line)."""

    treated: str | None
    name: str
    pre_start: str
    treatment_start: str
    post_end: str
    alpha: float
    analyses: dict[str, Analysis] = field(default_factory=dict)
    pools: pd.DataFrame | None = None
    names: dict[str, str] = field(default_factory=dict)
    note: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        return PRIMARY in self.analyses


def study(meta: dict, panel: Panel, *, treated: str | None = None, treatment_start: str | None = None,
          post_end: str | None = None, pre_start: str = "2013-01", durability_end: str = "2020-02",
          exclude_neighbours: bool = True, alpha: float = 0.05) -> Study:
    """Run the counterfactual for a dataset's municipality (``meta`` = its ``dataset.yaml``) or
    for ``treated``.  Defaults: ``treatment_start`` the month of ``study_start`` (the first
    clients enrolled then), ``post_end`` the month of ``study_end``.

    Raises :class:`CounterfactualError` (or ``LookupError``) for an explicit ``treated`` not in
    the panel, a window outside it, or too few donors; a code that only comes from the dataset
    and is not in the panel gives a :class:`Study` with a one-line ``note`` instead."""
    from .dataset import municipality_code

    start = treatment_start or str(pd.Period(meta["study_start"], freq="M"))
    end = post_end or str(pd.Period(meta["study_end"], freq="M"))
    names = dict(zip(panel.areas["code"], panel.areas["name"]))
    code = municipality_code(treated if treated is not None else meta.get("municipality_code"))
    result = Study(None, str(meta.get("municipality", "")), pre_start, start, end, alpha, names=names)
    try:
        row = find_municipality(panel, code or str(treated))
    except LookupError as exc:
        if treated is not None:
            raise
        result.note = (f"No counterfactual: the dataset's municipality code {meta.get('municipality_code')!r} "
                       f"is not in the official panel ({exc}); nothing is recorded.")
        return result
    result.treated = f"KU{row['municipality_code']}"
    result.name = str(row["municipality_name_fi"])
    durability = durability_end if pd.Period(durability_end, freq="M") > pd.Period(end, freq="M") else None
    if durability and pd.Period(durability, freq="M") > panel.months[-1]:
        durability = None
    for outcome in OUTCOMES:
        try:
            result.analyses[outcome] = analyse(panel, row["municipality_code"], outcome, pre_start=pre_start,
                                               treatment_start=start, post_end=end, durability_end=durability,
                                               exclude_neighbours=exclude_neighbours, alpha=alpha)
        except CounterfactualError as exc:
            if outcome == PRIMARY:
                raise
            result.notes.append(f"{outcome}: not estimable: {exc}")
    rows = []
    for pool in POOLS:
        try:
            a = analyse(panel, row["municipality_code"], PRIMARY, pre_start=pre_start, treatment_start=start,
                        post_end=end, durability_end=None, exclude_neighbours=exclude_neighbours, pool=pool,
                        alpha=alpha, full=False)
            rows.append({"pool": pool, "donors": a.design.Y.shape[1] - 1, "effect_mean_pp": a.scm.effect_mean,
                         "effect_end_pp": a.scm.effect_end, "pre_rmspe": a.scm.pre_rmspe,
                         "placebo_p": a.placebo_p, "did_pp": a.did, "did_permutation_p": a.did_p, "note": ""})
        except CounterfactualError as exc:
            rows.append({"pool": pool, "donors": None, "effect_mean_pp": None, "effect_end_pp": None,
                         "pre_rmspe": None, "placebo_p": None, "did_pp": None, "did_permutation_p": None,
                         "note": f"not estimable: {exc}"})
    result.pools = pd.DataFrame(rows).set_index("pool")
    return result


def conclusion(s: Study, lang: str = "fi", clients: int | None = None) -> list[str]:
    """The plain-language conclusion for decision makers: :func:`conclusion_sentences` of the
    study's metrics (``s.note`` when there is nothing to conclude)."""
    if not s.available:
        return [s.note]
    return conclusion_sentences(counterfactual_metrics(s.treated, s.analyses, name=s.name, alpha=s.alpha),
                                lang, clients)


def conclusion_sentences(m: dict, lang: str = "fi", clients: int | None = None) -> list[str]:
    """The conclusion from the ``counterfactual.*`` metrics (and ``clients``, the project's
    client count, when known), every number from ``m``; it never claims more than the placebo
    distribution allows (a gap is called one only when the placebo p is at most ``alpha``).  The
    municipality's name is never inflected (Finnish cases of place names cannot be made by
    rule).  Notebook 04 and the Finnish summary (notebook 05) both say it this way."""
    from .text import check_lang, month_name, number, percent

    check_lang(lang)
    key = f"counterfactual.{PRIMARY}"
    name = m.get("counterfactual.name") or m.get("counterfactual.treated", "")
    effect_end = m[f"{key}.scm.effect_end"]
    end_persons = abs(m[f"{key}.scm.effect_end_persons"])
    detectable = m.get(f"{key}.scm.detectable_persons")
    detect = None if detectable is None else abs(detectable)
    placebo_p = m[f"{key}.scm.placebo_p"]
    significant = placebo_p <= m.get("counterfactual.alpha", 0.05)
    fewer = effect_end < 0
    used, donors = m["counterfactual.donors.used"], m["counterfactual.donors.n"]
    end = month_name(pd.Period(m["counterfactual.post_end"], freq="M"), lang)
    unemployed = m["counterfactual.count_at_start"]
    started = month_name(pd.Period(m["counterfactual.treatment_start"], freq="M"), lang)
    pre_rmspe = m[f"{key}.scm.pre_rmspe"]
    n = lambda v, d=0: number(v, lang, d)  # noqa: E731
    if lang == "fi":
        lines = [f"{name}: vertailu kuntiin, joissa ei ollut vastaavaa hanketta. Synteettinen verrokki on "
                 f"{used} kunnan painotettu keskiarvo ({donors} mahdollisen joukosta), ja se seurasi kunnan "
                 f"työttömyysastetta ennen hanketta keskimäärin {n(pre_rmspe, 2)}\u00a0%-yksikön tarkkuudella."]
        if significant:
            lines.append(f"Hankkeen lopussa ({end}) kunnassa oli noin {n(end_persons)} työtöntä "
                         f"{'vähemmän' if fewer else 'enemmän'} kuin verrokissa. Ero on suurempi kuin "
                         f"{percent(100 * (1 - placebo_p), lang, 0)}:ssa lumekunnista (p = {n(placebo_p, 2)}). "
                         "Ero ei yksin osoita, että se johtui Kokoomosta: samaan aikaan kunnassa on voinut "
                         "tapahtua muutakin.")
        else:
            lines.append(f"Hankkeen lopussa ({end}) kunnassa oli noin {n(end_persons)} työtöntä "
                         f"{'vähemmän' if fewer else 'enemmän'} kuin verrokissa, mutta yhtä suuria eroja syntyy "
                         f"kunnissa, joissa hanketta ei ollut (lumetesti p = {n(placebo_p, 2)}). "
                         "Työttömyyden lasku kunnassa ei siis erotu yleisestä noususuhdanteesta: tästä aineistosta "
                         "ei voi päätellä, että Kokoomo olisi vähentänyt kunnan työttömyyttä — eikä sitäkään, "
                         "ettei se vaikuttanut.")
        if detect is not None:
            lines.append(f"Tällä asetelmalla havaittaisiin vasta noin {n(detect)} työttömän vaikutus koko kunnan "
                         "tasolla. " + (f"Hankkeessa oli {n(clients)} asiakasta ja " if clients else "")
                         + f"kunnassa oli hankkeen alussa ({started}) {n(unemployed)} työtöntä: pienempi vaikutus ei erottuisi "
                         "kuntatilastossa tavallisesta vaihtelusta, vaikka se olisi todellinen.")
        lines.append("Kysymykseen voisi vastata asiakastasolla: Kokoomon asiakkaita verrattaisiin samanlaisiin "
                     "työttömiin muissa kunnissa yhdistetyistä rekistereistä (TEM:n työnvälitysrekisteri, "
                     "Kelan ja Tilastokeskuksen tiedot).")
    else:
        lines = [f"{name} was compared with municipalities that had no such project. Its synthetic control is a "
                 f"weighted average of {used} municipalities (chosen from {donors}); before the project it tracked "
                 f"the town's unemployment rate to within {n(pre_rmspe, 2)} percentage points on average."]
        if significant:
            lines.append(f"At the end of the project ({end}) the town had about {n(end_persons)} "
                         f"{'fewer' if fewer else 'more'} unemployed than its control, a larger gap than in "
                         f"{percent(100 * (1 - placebo_p), lang, 0)} of the placebo municipalities (p = {n(placebo_p, 2)}). "
                         "The gap alone does not show that Kokoomo caused it: other things may have happened "
                         "in the town at the same time.")
        else:
            lines.append(f"At the end of the project ({end}) the town had about {n(end_persons)} "
                         f"{'fewer' if fewer else 'more'} unemployed than its control, but gaps as large arise in "
                         f"municipalities without a project (placebo p = {n(placebo_p, 2)}). The fall in the town's unemployment does not stand out from "
                         "the national upswing: these data cannot show that Kokoomo reduced the town's "
                         "unemployment, nor that it did not.")
        if detect is not None:
            lines.append(f"This design could only detect an effect of about {n(detect)} unemployed on the whole "
                         "town. " + (f"The project had {n(clients)} clients and " if clients else "")
                         + f"the town had {n(unemployed)} unemployed when it started ({started}): a smaller effect, even a real "
                         "one, would not stand out from ordinary variation in municipal statistics.")
        lines.append("The question could be answered at the level of the clients: Kokoomo's clients compared with "
                     "similar unemployed people in other municipalities from linked registers (the employment "
                     "service register, Kela's and Statistics Finland's data).")
    return lines

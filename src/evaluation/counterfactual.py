"""Did the municipality's unemployment fall more than it would have without the project?

A comparison of one treated municipality with municipalities that had no such project, on the
official panel (:mod:`evaluation.official`).  One treated unit: cluster-robust standard errors
are not valid (Conley and Taber 2011), so every p-value here is a permutation (placebo) p-value.

Outcomes (:data:`OUTCOMES`), each per 100 persons in the labour force (``TYOVOIMATK``) so that
municipalities of different size compare: unemployed (the primary outcome), long-term
unemployed, unemployed under 25, and unemployed + persons in services (moving people into
services lowers the unemployed count by definition; this outcome does not reward it).  The
denominator is **fixed**: each municipality's labour force in the month before
``treatment_start``.  StatFin's labour force changes only each January, which would put a step
into every rate each January; with a fixed denominator the rate moves only with the count, and
a gap of ``g`` points is exactly ``g x labour force / 100`` persons.  In the last outcome, a
suppressed service cell (1 to 4 persons) is counted as 2.5: the error is at most 1.5 persons a
cell.  A donor whose outcome series has a missing month in the window is left out of that
outcome's pool.  Åland's municipalities (region 21 in the municipality key) are left out of the
donors by default: Åland runs its own employment services (AMS), not the mainland's employment
offices, so its towns did not get the mainland's services either.

**Synthetic control** (Abadie, Diamond and Hainmueller 2010): weights ``w >= 0``, ``sum w = 1``
minimising the mean squared gap over every pre-period month.  Every pre-period month's outcome
is a predictor and V is the identity: with the whole pre-period path as predictors the choice of
V matters little, and the problem is a small quadratic programme solved exactly by
:func:`simplex_least_squares` (an active-set method; the tests check its loss against SLSQP and
its KKT conditions).  The effect is the gap (treated - synthetic) per month; reported: its mean
over the post-period (the headline), its value at ``post_end``, the pre- and post-period RMSPE.

**Inference.** Placebo in space: every donor in turn is the treated unit (the others, never the
real treated unit, its donors).  The primary statistic is signed, ``s = mean post-period gap /
pre-period RMSPE`` (a fall is negative); its p-value is the rank of ``|s|`` among all units, ties
counted against the treated (:func:`placebo_p`).  The two-sided rank is kept as the primary test
because it is the test whose inversion gives the confidence set: p <= ``alpha`` exactly when the
set excludes 0, so the wording never calls a gap a difference while its interval holds zero.  The
one-sided p (the share of units with ``s`` at most the treated one's: "did it lower
unemployment?") and ADH's post/pre RMSPE ratio p are reported beside it, each also with the
placebos whose pre-period MSPE exceeds 20, 5 and 2 times the treated unit's left out
(:func:`placebo_p_values`; ADH 2010, section 3).

The **confidence set** (Firpo and Possebom 2018, section 4): the constant effects ``c`` not
rejected when ``c`` is subtracted from the treated unit's post-period.  The placebos never use
the real treated unit as a donor, and the weights depend on the pre-period only, so subtracting
``c`` moves only the treated unit's mean gap, by ``-c``; the set is the closed interval
``mean gap +- t* x pre-RMSPE``, ``t*`` the order statistic of the placebos' ``|s|`` at which the
p-value falls to ``alpha`` (:func:`confidence_set`; a test recomputes the p-value for a grid of
``c`` by refitting every placebo).

The **smallest detectable effect** is a property of the design, not of the treated unit's data:
the smallest constant fall (points; in persons x the treated municipality's fixed labour force /
100) that the test detects at ``alpha`` with 80 % power, found by adding the fall to each
placebo unit's post-period in turn and testing it against the other placebos, whose gaps are
recomputed (a unit that uses the placebo as a donor with weight ``w`` moves by ``-w`` times the
fall).  The real treated unit is left out, so the result is the same whether or not its data
hold an effect (:func:`power`, :func:`detectable_effect`).

In time: the same fit with a fake start two years earlier, entirely in the pre-period.
Leave-one-out: refit without each donor of weight > 0.05.  Sensitivity: the pre-period start
(:func:`pre_start_sensitivity`), the donor pools, Åland's municipalities as donors.

**Difference-in-differences** as the second estimator: two-way fixed effects (municipality and
month) on the treated unit and the donor pool, ``y_it = a_i + g_t + b D_it``; the event study
replaces ``D_it`` by one indicator per event year (bins of a year's periods from
``treatment_start``, the periods per year read from the panel's frequency; the year before it is
the reference; a bin with fewer periods than a year, or reaching beyond ``post_end``, is marked).
Both by the within transformation and least squares (checked against statsmodels' OLS with
dummies); inference by permutation over the donors.

References: Abadie, Diamond and Hainmueller (2010), JASA 105, 493-505; Abadie, Diamond and
Hainmueller (2015), AJPS 59, 495-510; Firpo and Possebom (2018), J. Causal Inference 6(2),
20160026; Conley and Taber (2011), REStat 93, 113-125.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .official import SERVICES, Panel, find_municipality

__all__ = [
    "OUTCOMES",
    "robustness_sentences",
    "Design",
    "SCMResult",
    "simplex_least_squares",
    "outcome_matrix",
    "design",
    "synthetic_control",
    "placebo_in_space",
    "in_time_placebo",
    "leave_one_out",
    "detectable_effect",
    "did",
    "event_study",
    "CounterfactualError",
    "analyse",
    "counterfactual_metrics",
    "summary_table",
    "weights_table",
    "Analysis",
    "placebo_p",
    "event_years",
    "periods_per_year",
    "signed_statistic",
    "placebo_p_values",
    "confidence_set",
    "power",
    "pre_start_sensitivity",
    "in_time_comparison",
    "ALAND_REGION",
    "MSPE_EXCLUSIONS",
    "power_curve",
    "PRIMARY",
    "conclusion",
    "conclusion_sentences",
    "study",
]

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
#: Åland's region code in the municipality key (maakunta 21, Ahvenanmaa): its employment
#: services are its own (AMS), not the mainland's employment offices.
ALAND_REGION = 21
#: ADH (2010) leave out placebos whose pre-period MSPE exceeds these multiples of the treated
#: unit's (None: no exclusion).  MSPE, not RMSPE: 5 x the MSPE is sqrt(5) = 2.24 x the RMSPE.
MSPE_EXCLUSIONS = (None, 20, 5, 2)
POWER = 0.8


class CounterfactualError(ValueError):
    """The design cannot be built: the message says which parameter and what to do."""


# ----------------------------------------------------------------------------- the solver
def simplex_least_squares(A: np.ndarray, b: np.ndarray, tol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
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


def simplex_qp(
    G: np.ndarray,
    c: np.ndarray,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    allowed: np.ndarray | None = None,
    start: list[int] | None = None,
) -> np.ndarray:
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
def periods_per_year(months: pd.PeriodIndex) -> int:
    """How many periods of the index's frequency make a year (12 for months, 4 for quarters),
    read from the index, never assumed."""
    freq = months.freq if isinstance(months, pd.PeriodIndex) else pd.PeriodIndex(months).freq
    return len(pd.period_range("2001-01-01", "2001-12-31", freq=freq))


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
    labour_force: float  # the treated municipality's, the month before treatment_start (the fixed denominator)
    notes: list[str] = field(default_factory=list)
    count_at_start: float | None = None  # the treated municipality's outcome count at treatment_start

    @property
    def pre(self) -> np.ndarray:
        return np.asarray(self.months < self.treatment_start)

    @property
    def post(self) -> np.ndarray:
        return np.asarray((self.months >= self.treatment_start) & (self.months <= self.post_end))


def outcome_matrix(
    panel: Panel, outcome: str, start: pd.Period, end: pd.Period, base: pd.Period | None = None
) -> pd.DataFrame:
    """Months x municipalities (``KUxxx``): the outcome per 100 in the labour force of month
    ``base`` (a fixed denominator; see the module docstring), or of each month when ``base`` is
    None (StatFin's labour force steps each January).  A municipality without a labour force in
    ``base`` gets an empty column."""
    data = panel.municipalities
    rows = data.loc[(data["month"] >= start) & (data["month"] <= end)]
    numerator = None
    for column in OUTCOMES[outcome]:
        values = rows[column].astype("float64")
        if column in SERVICES:
            values = values.fillna(SUPPRESSED_MIDPOINT)
        numerator = values if numerator is None else numerator + values
    if base is None:
        denominator = rows["TYOVOIMATK"].astype("float64")
    else:
        fixed = data.loc[data["month"] == base].set_index("area")["TYOVOIMATK"].astype("float64")
        denominator = rows["area"].map(fixed)
    share = 100 * numerator / denominator
    frame = pd.DataFrame({"area": rows["area"], "month": rows["month"], "y": share})
    return frame.pivot(index="month", columns="area", values="y").sort_index()


def design(
    panel: Panel,
    treated: str,
    outcome: str = PRIMARY,
    *,
    pre_start: str = "2013-01",
    treatment_start: str,
    post_end: str,
    window_end: str | None = None,
    exclude_neighbours: bool = True,
    exclude_aland: bool = True,
    pool: str = "all",
) -> Design:
    """The treated municipality and its donor pool for ``outcome``.

    Donors: every municipality with a complete series from ``pre_start`` to ``window_end``
    (default ``post_end``), except the treated one, with ``exclude_neighbours`` the rest of
    its sub-region (spillovers are likely there), and with ``exclude_aland`` the municipalities
    of Åland (region :data:`ALAND_REGION`: its own employment services).  The outcome's
    denominator is every municipality's labour force in the month before ``treatment_start``.
    ``pool`` restricts the donors further:
    ``region`` (same region), ``size`` (labour force within a factor of 3 of the treated one's
    in the month before treatment), ``urban_rural`` (same urban–rural group).
    """
    row = find_municipality(panel, treated)
    code = f"KU{row['municipality_code']}"
    start, t0, end = (pd.Period(m, freq="M") for m in (pre_start, treatment_start, post_end))
    last = pd.Period(window_end, freq="M") if window_end else end
    months = panel.months
    if not (start < t0 <= end <= last):
        raise CounterfactualError(
            f"the months must be in order: pre_start {start} < treatment_start {t0} <= post_end {end}"
        )
    if start < months[0] or last > months[-1]:
        raise CounterfactualError(f"the window {start}..{last} is outside the panel's months {months[0]}..{months[-1]}")
    year = periods_per_year(months)
    if (t0 - start).n < year:
        raise CounterfactualError(
            f"the pre-period {start}..{t0 - 1} has fewer than {year} "
            f"{'months' if year == 12 else 'periods'} (a year): a synthetic "
            "control needs a long pre-period; set an earlier pre_start"
        )
    matrix = outcome_matrix(panel, outcome, start, last, base=t0 - 1)
    if code not in matrix.columns or matrix[code].isna().any():
        raise CounterfactualError(
            f"{code} has no complete {outcome} series in {start}..{last} "
            "(suppressed cells): choose another outcome or window"
        )
    key = panel.key.assign(area="KU" + panel.key["municipality_code"])
    info = key.set_index("area")
    whole = matrix.notna().all()
    complete = [c for c in matrix.columns if c != code and whole[c]]
    notes = []
    dropped = matrix.shape[1] - 1 - len(complete)
    if dropped:
        notes.append(f"{dropped} municipalities without a complete {outcome} series left out")
    if exclude_neighbours:
        neighbours = [
            c for c in complete if c in info.index and info.at[c, "seutukunta_code"] == row["seutukunta_code"]
        ]
        complete = [c for c in complete if c not in neighbours]
        if neighbours:
            notes.append(f"the rest of the sub-region left out (spillovers): {', '.join(neighbours)}")
    if exclude_aland and int(row["maakunta_code"]) != ALAND_REGION:
        aland = [c for c in complete if c in info.index and int(info.at[c, "maakunta_code"]) == ALAND_REGION]
        complete = [c for c in complete if c not in aland]
        if aland:
            notes.append(
                f"{len(aland)} municipalities of Åland left out (its own employment services, not the "
                f"mainland's employment offices): {', '.join(aland)}"
            )
    if pool == "region":
        complete = [c for c in complete if c in info.index and info.at[c, "maakunta_code"] == row["maakunta_code"]]
    elif pool == "urban_rural":
        complete = [
            c for c in complete if c in info.index and info.at[c, "kuntaryhmitys_code"] == row["kuntaryhmitys_code"]
        ]
    elif pool == "size":
        force = panel.municipalities.loc[panel.municipalities["month"] == t0 - 1]
        force = force.set_index("area")["TYOVOIMATK"].astype("float64")
        own = force[code]
        complete = [c for c in complete if own / 3 <= force.get(c, np.nan) <= own * 3]
    elif pool != "all":
        raise CounterfactualError(f"pool must be all, region, size or urban_rural, not {pool!r}")
    if len(complete) < MIN_DONORS:
        raise CounterfactualError(
            f"only {len(complete)} donors for {code} ({outcome}, pool {pool}): at least "
            f"{MIN_DONORS} are needed for placebo inference"
        )
    own = panel.data.loc[panel.data["area"] == code].set_index("month")
    count = sum(own.at[t0, c] for c in OUTCOMES[outcome] if pd.notna(own.at[t0, c]))
    Y = matrix[[code, *complete]].to_numpy(dtype=float)
    return Design(
        outcome, Y, [code, *complete], matrix.index, t0, end, float(own.at[t0 - 1, "TYOVOIMATK"]), notes, float(count)
    )


# ----------------------------------------------------------------------------- synthetic control
@dataclass
class SCMResult:
    weights: np.ndarray  # over the donors (units[1:])
    gap: np.ndarray  # treated - synthetic, every month of the design
    pre_rmspe: float
    post_rmspe: float
    effect_mean: float  # mean gap over the post-period (percentage points)
    effect_end: float  # gap at post_end

    @property
    def ratio(self) -> float:
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf


def _fit(
    Y: np.ndarray,
    treated: int,
    donors: list[int],
    pre: np.ndarray,
    post: np.ndarray,
    end_index: int,
    gram: np.ndarray | None = None,
    Y_pre: np.ndarray | None = None,
) -> SCMResult:
    if Y_pre is None:
        Y_pre = Y[pre]
    if gram is None:
        gram = Y_pre.T @ Y_pre
    allowed = np.zeros(gram.shape[0], dtype=bool)
    allowed[donors] = True
    full = simplex_qp(
        gram, gram[:, treated], allowed=allowed, start=_support_guess(Y_pre[:, donors], Y_pre[:, treated], donors)
    )
    w = full[donors]
    gap = Y[:, treated] - Y @ full
    return SCMResult(
        w,
        gap,
        float(np.sqrt(np.mean(gap[pre] ** 2))),
        float(np.sqrt(np.mean(gap[post] ** 2))),
        float(gap[post].mean()),
        float(gap[end_index]),
    )


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
    ``unit``, ``pre_rmspe``, ``post_rmspe``, ``ratio``, ``effect_mean``, ``effect_end``,
    ``signed`` (:func:`signed_statistic`), the gap path (``gap``, an array) and the weights over
    every unit of the design (``weights``, an array, 0 for the unit itself and the real treated
    unit); the first row is the real treated unit."""
    n = d.Y.shape[1]
    rows = []
    end = _end_index(d)
    pre, post = d.pre, d.post
    Y_pre = d.Y[pre]
    gram = Y_pre.T @ Y_pre  # once for every placebo
    for unit in range(n):
        donors = [k for k in range(1, n) if k != unit]
        r = _fit(d.Y, unit, donors, pre, post, end, gram, Y_pre)
        weights = np.zeros(n)
        weights[donors] = r.weights
        rows.append(
            {
                "unit": d.units[unit],
                "pre_rmspe": r.pre_rmspe,
                "post_rmspe": r.post_rmspe,
                "ratio": r.ratio,
                "effect_mean": r.effect_mean,
                "effect_end": r.effect_end,
                "signed": signed_statistic(r.effect_mean, r.pre_rmspe),
                "gap": r.gap,
                "weights": weights,
            }
        )
    return pd.DataFrame(rows)


def signed_statistic(effect_mean, pre_rmspe):
    """The primary test statistic: the mean post-period gap over the pre-period RMSPE (a fall is
    negative; the pre-fit scales it, as the RMSPE ratio of ADH 2010 does)."""
    return np.divide(effect_mean, pre_rmspe)


def placebo_p(statistic: float, placebo: np.ndarray) -> float:
    """Share of units (the treated one included) whose statistic is at least the treated one's."""
    placebo = np.asarray(placebo, dtype=float)
    return float((1 + np.sum(placebo >= statistic)) / (1 + placebo.size))


def placebo_p_values(placebos: pd.DataFrame, exclusions=MSPE_EXCLUSIONS) -> pd.DataFrame:
    """The placebo p-values of the treated unit (row 0 of :func:`placebo_in_space`), with every
    placebo and with those whose pre-period MSPE exceeds ``f`` times the treated unit's left out
    (ADH 2010 show 20, 5 and 2): one row per exclusion (``mspe_limit``, None = none), columns
    ``placebos`` (kept), ``p`` (two-sided, ``|signed|``: the primary), ``one_sided_p`` (share
    with ``signed`` at most the treated one's: a fall), ``ratio_p`` (post/pre RMSPE ratio)."""
    treated, others = placebos.iloc[0], placebos.iloc[1:]
    rows = []
    for limit in exclusions:
        kept = others if limit is None else others.loc[others["pre_rmspe"] ** 2 <= limit * treated["pre_rmspe"] ** 2]
        signed = kept["signed"].to_numpy(dtype=float)
        rows.append(
            {
                "mspe_limit": limit,
                "placebos": len(kept),
                "p": placebo_p(abs(treated["signed"]), np.abs(signed)),
                "one_sided_p": placebo_p(-treated["signed"], -signed),
                "ratio_p": placebo_p(treated["ratio"], kept["ratio"].to_numpy(dtype=float)),
            }
        )
    return pd.DataFrame(rows)


def _rejections_needed(n_placebos: int, alpha: float) -> int:
    """The smallest count ``k`` of placebos at least as extreme with ``(1 + k) / (n + 1) > alpha``:
    the treated unit is not rejected when at least ``k`` placebos are as extreme."""
    return int(np.floor(round(alpha * (n_placebos + 1) - 1, 9))) + 1


def confidence_set(placebos: pd.DataFrame, alpha: float = 0.05, bound: float = 100.0) -> tuple[float, float]:
    """The Firpo–Possebom (2018) confidence set for a constant effect (percentage points): every
    ``c`` whose two-sided placebo p-value (:func:`placebo_p` of ``|signed|``) exceeds ``alpha``
    when ``c`` is subtracted from the treated unit's post-period.

    Subtracting ``c`` leaves the weights (pre-period) and every placebo (the treated unit is
    never their donor) unchanged and turns the treated unit's statistic into
    ``|m - c| / r`` (``m`` its mean gap, ``r`` its pre-RMSPE), so the set is the closed interval
    ``m -+ t* r`` with ``t*`` the ``k``-th largest placebo ``|signed|`` (``k`` from
    :func:`_rejections_needed`); ``(-inf, inf)`` when so few placebos that no ``c`` is rejected.
    The ends are cut at ``-+ bound`` (100: an effect on a rate per 100 cannot be larger), which
    matters only when placebos fit their pre-period almost exactly (a short pre-period)."""
    treated, others = placebos.iloc[0], np.abs(placebos["signed"].to_numpy(dtype=float)[1:])
    k = _rejections_needed(others.size, alpha)
    if k <= 0:
        return -np.inf, np.inf
    t = np.sort(others)[::-1][k - 1]
    m, r = float(treated["effect_mean"]), float(treated["pre_rmspe"])
    return max(m - t * r, -bound), min(m + t * r, bound)


def power(placebos: pd.DataFrame, effects, alpha: float = 0.05, mspe_limit: float | None = 5) -> np.ndarray:
    """The share of placebo units (units but the real treated one, whose pre-period MSPE is at
    most ``mspe_limit`` times the treated unit's; None: every one) whose two-sided test rejects
    at ``alpha`` when a constant effect (points, each of ``effects``) is added to that unit's
    post-period, tested against every other placebo unit (as the primary test uses every
    placebo).  The limit makes it the power for a town that fits about as well as the treated
    one: placebos that fit far worse need far larger effects to stand out (ADH 2010 leave them
    out of the comparison for that reason).

    For placebo ``j`` and effect ``e``: its statistic becomes ``(m_j + e) / r_j``; every other
    placebo ``k`` that uses ``j`` as a donor with weight ``w_kj`` moves to ``(m_k - w_kj e) / r_k``
    (its weights, fitted on the pre-period, do not change); ``j`` is rejected when
    ``(1 + #{k: |s_k| >= |s_j|}) / (number of placebos) <= alpha``.  The real treated unit takes
    no part, so the power does not depend on its post-period (a test checks this against
    refitting every placebo)."""
    others = placebos.iloc[1:]
    m = others["effect_mean"].to_numpy(dtype=float)
    r = others["pre_rmspe"].to_numpy(dtype=float)
    W = np.stack(others["weights"].to_numpy())[:, 1:]  # W[k, j]: placebo k's weight on placebo j
    n = m.size
    tested = (
        np.ones(n, dtype=bool) if mspe_limit is None else r**2 <= mspe_limit * float(placebos["pre_rmspe"].iloc[0]) ** 2
    )
    m_j, r_j, W_j = m[tested], r[tested], W[:, tested].T  # the tested units j, each row over k
    off = np.ones((tested.sum(), n), dtype=bool)
    off[np.arange(tested.sum()), np.flatnonzero(tested)] = False  # k != j
    result = []
    for e in np.atleast_1d(np.asarray(effects, dtype=float)):
        own = np.abs((m_j + e) / r_j)  # s_j with the effect in j
        shifted = np.abs((m[None, :] - W_j * e) / r[None, :])  # [j, k]: s_k when j has it
        count = np.sum((shifted >= own[:, None]) & off, axis=1)
        result.append(np.mean((1 + count) / n <= alpha) if tested.any() else np.nan)
    return np.array(result)


def power_curve(a: Analysis, persons, alpha: float = 0.05, mspe_limits=MSPE_EXCLUSIONS) -> pd.DataFrame:
    """:func:`power` for falls of ``persons`` unemployed in the treated municipality (converted
    to points by its fixed labour force), one column per limit on the tested placebos' pre-period
    MSPE (``power_all``, ``power_20x``, ...); ``points`` the fall in points."""
    persons = np.asarray(persons, dtype=float)
    points = persons / a.persons
    table = pd.DataFrame({"persons": persons, "points": points})
    for limit in mspe_limits:
        table[f"power_{'all' if limit is None else f'{limit:g}x'}"] = power(a.placebos, points, alpha, limit)
    return table.set_index("persons")


def detectable_effect(
    d: Design,
    placebos: pd.DataFrame,
    alpha: float = 0.05,
    target: float = POWER,
    mspe_limit: float | None = 5,
    step: float = 0.01,
    largest: float = 50.0,
) -> float | None:
    """The smallest constant fall (a negative number, percentage points) detected with power at
    least ``target`` at level ``alpha`` (:func:`power`, placebos within ``mspe_limit`` times the
    treated unit's pre-period MSPE): the first point of a grid of ``step`` points where the power
    reaches ``target``, refined by bisection within the step.  A property of the design (the
    placebos' fits and noise, the treated unit's pre-period fit), the same whatever the treated
    unit's post-period holds; None when ``target`` is not reached within ``largest`` points or
    the placebos are too few for any test at ``alpha``."""
    n = placebos.shape[0] - 1
    if 1 / n > alpha:  # (1 + 0) / n: no placebo test can reject
        return None
    grid = -np.arange(step, largest + step / 2, step)
    for chunk in np.array_split(grid, max(1, grid.size // 50)):
        reached = np.flatnonzero(power(placebos, chunk, alpha, mspe_limit) >= target)
        if reached.size:
            hi = float(chunk[reached[0]])
            lo = hi + step
            for _ in range(20):
                mid = (lo + hi) / 2
                if power(placebos, [mid], alpha, mspe_limit)[0] >= target:
                    hi = mid
                else:
                    lo = mid
            return hi
    return None


def in_time_placebo(d: Design, years_earlier: int = 2) -> SCMResult | None:
    """The fit with a fake start ``years_earlier`` years before the real one, the placebo
    post-period ending the month before the real start (None when the pre-period is too short)."""
    year = periods_per_year(d.months)
    fake = d.treatment_start - year * years_earlier
    pre = np.asarray(d.months < fake)
    post = np.asarray((d.months >= fake) & (d.months < d.treatment_start))
    if pre.sum() < year or post.sum() == 0:
        return None
    end = int(np.flatnonzero(post)[-1])
    return _fit(d.Y, 0, list(range(1, d.Y.shape[1])), pre, post, end)


def in_time_placebo_p(d: Design, years_earlier: int = 2) -> float | None:
    """The placebo p-value of the in-time placebo (the primary test: two-sided rank of the signed
    statistic): the design cut at the real start, with the fake start ``years_earlier`` years
    before it, and every donor as a placebo (None when the
    pre-period is too short).  A small p-value here warns that the method finds 'effects' where
    there can be none."""
    year = periods_per_year(d.months)
    fake = d.treatment_start - year * years_earlier
    keep = np.asarray(d.months < d.treatment_start)
    if np.sum(np.asarray(d.months < fake)) < year or not np.any(np.asarray(d.months >= fake) & keep):
        return None
    cut = Design(d.outcome, d.Y[keep], d.units, d.months[keep], fake, d.treatment_start - 1, d.labour_force)
    placebos = placebo_in_space(cut)
    return placebo_p(abs(placebos["signed"].iloc[0]), np.abs(placebos["signed"].to_numpy()[1:]))


def in_time_comparison(real: SCMResult, fake: SCMResult | None) -> dict | None:
    """The in-time placebo's mean gap beside the real one: ``fake_mean``, ``real_mean`` (points),
    ``times`` (``|fake| / |real|``) and ``larger`` (True when the fake start shows the larger
    gap in absolute value: where no effect can be, the method finds a larger one than where it
    is looked for).  None without an in-time placebo."""
    if fake is None:
        return None
    times = abs(fake.effect_mean) / abs(real.effect_mean) if real.effect_mean != 0 else np.inf
    return {
        "fake_mean": fake.effect_mean,
        "real_mean": real.effect_mean,
        "times": float(times),
        "larger": bool(abs(fake.effect_mean) > abs(real.effect_mean)),
    }


def leave_one_out(d: Design, result: SCMResult, threshold: float = 0.05) -> pd.DataFrame:
    """The fit without each donor of weight above ``threshold``: ``left_out``, ``weight``,
    ``effect_mean``, ``effect_end``, ``pre_rmspe``."""
    rows = []
    end = _end_index(d)
    for k in np.flatnonzero(result.weights > threshold):
        donors = [j for j in range(1, d.Y.shape[1]) if j != k + 1]
        r = _fit(d.Y, 0, donors, d.pre, d.post, end)
        rows.append(
            {
                "left_out": d.units[k + 1],
                "weight": float(result.weights[k]),
                "effect_mean": r.effect_mean,
                "effect_end": r.effect_end,
                "pre_rmspe": r.pre_rmspe,
            }
        )
    return pd.DataFrame(rows, columns=["left_out", "weight", "effect_mean", "effect_end", "pre_rmspe"])


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
    """Each period's event year: 0 for the first year's periods from ``treatment_start``, -1 for
    the year before, and so on (the periods per year from :func:`periods_per_year`)."""
    year = periods_per_year(d.months)
    return np.floor(np.array([(m - d.treatment_start).n for m in d.months]) / year).astype(int)


def event_study(d: Design, window_end: pd.Period | None = None) -> pd.DataFrame:
    """Event-year coefficients (reference year -1) for the treated unit, with the permutation
    distribution's 2.5 and 97.5 percentiles and the permutation p-value of each coefficient.
    ``periods``: the bin's periods in the window; ``partial``: fewer than a year's;
    ``after_project``: the bin reaches beyond ``post_end``."""
    keep = np.asarray(d.months <= (window_end or d.post_end))
    Y = _within(d.Y[keep])
    years = event_years(d)[keep]
    levels = [k for k in sorted(set(years)) if k != -1]
    dummies = np.stack([(years == k).astype(float) for k in levels], axis=1)
    coefficients = np.array([_twfe_one_unit(Y, unit, dummies) for unit in range(Y.shape[1])])
    treated, placebo = coefficients[0], coefficients[1:]
    year = periods_per_year(d.months)
    months = d.months[keep]

    def marks(k: int) -> dict:
        inside = years == k
        return {
            "periods": int(inside.sum()),
            "partial": bool(inside.sum() < year),
            "after_project": bool((months[inside] > d.post_end).any()),
        }

    rows = []
    for j, k in enumerate(levels):
        rows.append(
            {
                "event_year": k,
                "estimate": treated[j],
                "placebo_low": float(np.percentile(placebo[:, j], 2.5)),
                "placebo_high": float(np.percentile(placebo[:, j], 97.5)),
                "permutation_p": placebo_p(abs(treated[j]), np.abs(placebo[:, j])),
                **marks(k),
            }
        )
    rows.append(
        {"event_year": -1, "estimate": 0.0, "placebo_low": 0.0, "placebo_high": 0.0, "permutation_p": None, **marks(-1)}
    )
    return pd.DataFrame(rows).sort_values("event_year").set_index("event_year")


# ----------------------------------------------------------------------------- the whole analysis
@dataclass
class Analysis:
    """Everything notebook 04 shows for one outcome."""

    design: Design
    scm: SCMResult
    placebos: pd.DataFrame
    placebo_p: float  # the primary test: two-sided rank of |signed| among all units
    detectable: float | None  # the fall detected with 80 % power at alpha (points, negative)
    in_time: SCMResult | None
    in_time_p: float | None
    loo: pd.DataFrame
    did: float
    did_p: float
    events: pd.DataFrame
    durability: dict
    p_values: pd.DataFrame = field(default_factory=pd.DataFrame)  # :func:`placebo_p_values`
    ci: tuple[float, float] = (np.nan, np.nan)  # :func:`confidence_set`, points

    @property
    def persons(self) -> float:
        """Percentage points -> persons in the treated municipality (x its fixed labour force / 100)."""
        return self.design.labour_force / 100

    @property
    def one_sided_p(self) -> float:
        """The one-sided placebo p-value of a fall (every placebo kept)."""
        return float(self.p_values["one_sided_p"].iloc[0])

    @property
    def ratio_p(self) -> float:
        """ADH's post/pre RMSPE ratio p-value (every placebo kept)."""
        return float(self.p_values["ratio_p"].iloc[0])

    @property
    def in_time_check(self) -> dict | None:
        """:func:`in_time_comparison` of the real fit and the in-time placebo."""
        return in_time_comparison(self.scm, self.in_time)


def analyse(
    panel: Panel,
    treated: str,
    outcome: str = PRIMARY,
    *,
    pre_start: str,
    treatment_start: str,
    post_end: str,
    durability_end: str | None = "2020-02",
    exclude_neighbours: bool = True,
    exclude_aland: bool = True,
    pool: str = "all",
    alpha: float = 0.05,
    full: bool = True,
) -> Analysis:
    """Synthetic control with every placebo, its p-values and confidence set, DiD and event
    study for one outcome.  With ``full=False`` (the sensitivity runs) only the fit, its
    placebos, p-values, confidence set and the DiD: no detectable effect, in-time placebo,
    leave-one-out or event study."""
    window_end = max(post_end, durability_end) if durability_end else post_end
    d = design(
        panel,
        treated,
        outcome,
        pre_start=pre_start,
        treatment_start=treatment_start,
        post_end=post_end,
        window_end=window_end,
        exclude_neighbours=exclude_neighbours,
        exclude_aland=exclude_aland,
        pool=pool,
    )
    scm = synthetic_control(d)
    placebos = placebo_in_space(d)
    p_values = placebo_p_values(placebos)
    p = float(p_values["p"].iloc[0])
    ci = confidence_set(placebos, alpha)
    estimate, permutation = did(d)
    did_p = placebo_p(abs(estimate), np.abs(permutation))
    durability = {}
    if durability_end and pd.Period(durability_end, freq="M") > d.post_end:
        late = np.asarray((d.months > d.post_end) & (d.months <= pd.Period(durability_end, freq="M")))
        durability = {"start": str(d.post_end + 1), "end": durability_end, "effect_mean": float(scm.gap[late].mean())}
    if not full:
        return Analysis(
            d,
            scm,
            placebos,
            p,
            None,
            None,
            None,
            pd.DataFrame(),
            estimate,
            did_p,
            pd.DataFrame(),
            durability,
            p_values,
            ci,
        )
    return Analysis(
        d,
        scm,
        placebos,
        p,
        detectable_effect(d, placebos, alpha),
        in_time_placebo(d),
        in_time_placebo_p(d),
        leave_one_out(d, scm),
        estimate,
        did_p,
        event_study(d, pd.Period(window_end, freq="M")),
        durability,
        p_values,
        ci,
    )


def pre_start_sensitivity(
    panel: Panel,
    treated: str,
    starts,
    *,
    treatment_start: str,
    post_end: str,
    exclude_neighbours: bool = True,
    exclude_aland: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The primary outcome with each first month of the pre-period in ``starts``: one row each,
    ``pre_start``, ``donors``, ``effect_mean_pp`` and ``effect_mean_persons`` with the confidence
    set (``ci_low_pp``, ``ci_high_pp``), ``pre_rmspe``, the p-values (``p``, ``one_sided_p``,
    ``ratio_p``), and ``holdout_rmspe``: the RMSPE over the last two pre-period years of weights
    fitted on the months before them (the in-time placebo's post-period), a check of the fit out
    of its own sample in the manner of ADH (2015, section 3.2); ``note`` when not estimable."""
    rows = []
    for start in starts:
        try:
            a = analyse(
                panel,
                treated,
                PRIMARY,
                pre_start=str(start),
                treatment_start=treatment_start,
                post_end=post_end,
                durability_end=None,
                exclude_neighbours=exclude_neighbours,
                exclude_aland=exclude_aland,
                alpha=alpha,
                full=False,
            )
        except CounterfactualError as exc:
            rows.append({"pre_start": str(start), "note": f"not estimable: {exc}"})
            continue
        holdout = in_time_placebo(a.design)
        rows.append(
            {
                "pre_start": str(start),
                "donors": a.design.Y.shape[1] - 1,
                "effect_mean_pp": a.scm.effect_mean,
                "effect_mean_persons": a.scm.effect_mean * a.persons,
                "ci_low_pp": a.ci[0],
                "ci_high_pp": a.ci[1],
                "pre_rmspe": a.scm.pre_rmspe,
                "p": a.placebo_p,
                "one_sided_p": a.one_sided_p,
                "ratio_p": a.ratio_p,
                "holdout_rmspe": None if holdout is None else holdout.post_rmspe,
                "note": "",
            }
        )
    columns = [
        "pre_start",
        "donors",
        "effect_mean_pp",
        "effect_mean_persons",
        "ci_low_pp",
        "ci_high_pp",
        "pre_rmspe",
        "p",
        "one_sided_p",
        "ratio_p",
        "holdout_rmspe",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("pre_start")


def weights_table(a: Analysis, names: dict[str, str], threshold: float = 0.001) -> pd.DataFrame:
    """Donors with weight above ``threshold``: ``code``, ``name``, ``weight``, largest first."""
    rows = [
        {"code": code, "name": names.get(code, code), "weight": float(w)}
        for code, w in zip(a.design.units[1:], a.scm.weights)
        if w > threshold
    ]
    return pd.DataFrame(rows, columns=["code", "name", "weight"]).sort_values(
        "weight", ascending=False, ignore_index=True
    )


def summary_table(analyses: dict[str, Analysis]) -> pd.DataFrame:
    """One row per outcome: the mean post-period effect in points and persons with its
    confidence set, the end month's, fit, p-values, detectable effect (80 % power)."""
    rows = []
    for outcome, a in analyses.items():
        rows.append(
            {
                "outcome": outcome,
                "donors": a.design.Y.shape[1] - 1,
                "effect_mean_pp": a.scm.effect_mean,
                "ci_low_pp": a.ci[0],
                "ci_high_pp": a.ci[1],
                "effect_mean_persons": a.scm.effect_mean * a.persons,
                "ci_low_persons": a.ci[0] * a.persons,
                "ci_high_persons": a.ci[1] * a.persons,
                "effect_end_pp": a.scm.effect_end,
                "effect_end_persons": a.scm.effect_end * a.persons,
                "pre_rmspe": a.scm.pre_rmspe,
                "post_rmspe": a.scm.post_rmspe,
                "placebo_p": a.placebo_p,
                "one_sided_p": a.one_sided_p,
                "ratio_p": a.ratio_p,
                "detectable_pp": a.detectable,
                "detectable_persons": None if a.detectable is None else a.detectable * a.persons,
                "did_pp": a.did,
                "did_permutation_p": a.did_p,
                "durability_pp": a.durability.get("effect_mean"),
            }
        )
    return pd.DataFrame(rows).set_index("outcome")


def counterfactual_metrics(
    treated: str, analyses: dict[str, Analysis], *, name: str | None = None, alpha: float = 0.05
) -> dict:
    """The ``counterfactual.*`` keys of metrics.json: what :func:`conclusion_sentences` (the
    notebook's and the Finnish summary's conclusion) needs, and each outcome's estimates.

    Official statistics of every municipality (public, StatFin 12r5): no disclosure control.
    ``scm.placebo_p`` is the primary test's p (two-sided, signed statistic), ``scm.ratio_p``
    ADH's RMSPE-ratio p, ``scm.one_sided_p`` that of a fall; ``scm.ci_low``/``ci_high`` (points)
    and ``*_persons`` the confidence set of the mean post-period gap; ``scm.detectable_persons``
    the fall detected with 80 % power (negative)."""
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
        m["counterfactual.pre_start"] = str(primary.design.months[0])
        for code, w in zip(primary.design.units[1:], primary.scm.weights):
            if w > 0.001:
                m[f"counterfactual.scm.weights.{code}"] = float(w)
    for outcome, a in analyses.items():
        key = f"counterfactual.{outcome}"
        finite = lambda v: float(v) if np.isfinite(v) else None  # noqa: E731  (JSON has no infinity)
        m |= {
            f"{key}.scm.effect_mean": a.scm.effect_mean,
            f"{key}.scm.effect_end": a.scm.effect_end,
            f"{key}.scm.effect_mean_persons": a.scm.effect_mean * a.persons,
            f"{key}.scm.ci_low": finite(a.ci[0]),
            f"{key}.scm.ci_high": finite(a.ci[1]),
            f"{key}.scm.ci_low_persons": finite(a.ci[0] * a.persons),
            f"{key}.scm.ci_high_persons": finite(a.ci[1] * a.persons),
            f"{key}.scm.effect_end_persons": a.scm.effect_end * a.persons,
            f"{key}.scm.pre_rmspe": a.scm.pre_rmspe,
            f"{key}.scm.post_rmspe": a.scm.post_rmspe,
            f"{key}.scm.placebo_p": a.placebo_p,
            f"{key}.scm.one_sided_p": a.one_sided_p,
            f"{key}.scm.ratio_p": a.ratio_p,
            f"{key}.scm.detectable_persons": None if a.detectable is None else a.detectable * a.persons,
            f"{key}.did.estimate": a.did,
            f"{key}.did.permutation_p": a.did_p,
        }
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
    pre_starts: pd.DataFrame | None = None  # :func:`pre_start_sensitivity`
    pre_start_chosen: bool = False  # pre_start chosen by the holdout RMSPE (not given)

    @property
    def available(self) -> bool:
        return PRIMARY in self.analyses


def study(
    meta: dict,
    panel: Panel,
    *,
    treated: str | None = None,
    treatment_start: str | None = None,
    post_end: str | None = None,
    pre_start: str | None = None,
    durability_end: str = "2020-02",
    exclude_neighbours: bool = True,
    exclude_aland: bool = True,
    alpha: float = 0.05,
    sensitivity_starts=None,
) -> Study:
    """Run the counterfactual for a dataset's municipality (``meta`` = its ``dataset.yaml``) or
    for ``treated``.  Defaults: ``treatment_start`` the month of ``study_start`` (the first
    clients enrolled then), ``post_end`` the month of ``study_end``; ``sensitivity_starts``
    (first months of the pre-period tried, :func:`pre_start_sensitivity`) every January from
    2008 to the year before ``treatment_start``; ``pre_start`` the one of them with the smallest
    holdout RMSPE (the weights that best predict the last two pre-period years from the years
    before: a rule that uses the pre-period only, ADH 2015).

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
        result.note = (
            f"No counterfactual: the dataset's municipality code {meta.get('municipality_code')!r} "
            f"is not in the official panel ({exc}); nothing is recorded."
        )
        return result
    result.treated = f"KU{row['municipality_code']}"
    result.name = str(row["municipality_name_fi"])
    durability = durability_end if pd.Period(durability_end, freq="M") > pd.Period(end, freq="M") else None
    if durability and pd.Period(durability, freq="M") > panel.months[-1]:
        durability = None
    if sensitivity_starts is None:
        sensitivity_starts = [f"{y}-01" for y in range(2008, pd.Period(start, freq="M").year)]
    result.pre_starts = pre_start_sensitivity(
        panel,
        row["municipality_code"],
        sensitivity_starts,
        treatment_start=start,
        post_end=end,
        exclude_neighbours=exclude_neighbours,
        exclude_aland=exclude_aland,
        alpha=alpha,
    )
    if pre_start is None:
        holdout = pd.to_numeric(result.pre_starts["holdout_rmspe"], errors="coerce").dropna()
        if holdout.empty:
            raise CounterfactualError(
                f"no pre_start in {list(sensitivity_starts)} leaves a pre-period long enough "
                "for a holdout (three years before treatment_start): give pre_start"
            )
        pre_start, result.pre_start_chosen = str(holdout.idxmin()), True
    result.pre_start = pre_start
    for outcome in OUTCOMES:
        try:
            result.analyses[outcome] = analyse(
                panel,
                row["municipality_code"],
                outcome,
                pre_start=pre_start,
                treatment_start=start,
                post_end=end,
                durability_end=durability,
                exclude_neighbours=exclude_neighbours,
                exclude_aland=exclude_aland,
                alpha=alpha,
            )
        except CounterfactualError as exc:
            if outcome == PRIMARY:
                raise
            result.notes.append(f"{outcome}: not estimable: {exc}")
    rows = []
    aland = "with_aland" if exclude_aland else "without_aland"
    for pool in (*POOLS, aland):
        try:
            a = analyse(
                panel,
                row["municipality_code"],
                PRIMARY,
                pre_start=pre_start,
                treatment_start=start,
                post_end=end,
                durability_end=None,
                exclude_neighbours=exclude_neighbours,
                exclude_aland=(pool == "without_aland") if pool == aland else exclude_aland,
                pool="all" if pool == aland else pool,
                alpha=alpha,
                full=False,
            )
            rows.append(
                {
                    "pool": pool,
                    "donors": a.design.Y.shape[1] - 1,
                    "effect_mean_pp": a.scm.effect_mean,
                    "ci_low_pp": a.ci[0],
                    "ci_high_pp": a.ci[1],
                    "effect_end_pp": a.scm.effect_end,
                    "pre_rmspe": a.scm.pre_rmspe,
                    "placebo_p": a.placebo_p,
                    "one_sided_p": a.one_sided_p,
                    "did_pp": a.did,
                    "did_permutation_p": a.did_p,
                    "note": "",
                }
            )
        except CounterfactualError as exc:
            rows.append(
                {
                    "pool": pool,
                    "donors": None,
                    "effect_mean_pp": None,
                    "ci_low_pp": None,
                    "ci_high_pp": None,
                    "effect_end_pp": None,
                    "pre_rmspe": None,
                    "placebo_p": None,
                    "one_sided_p": None,
                    "did_pp": None,
                    "did_permutation_p": None,
                    "note": f"not estimable: {exc}",
                }
            )
    result.pools = pd.DataFrame(rows).set_index("pool")
    return result


def robustness_sentences(s: Study, alpha: float = 0.05) -> dict[str, list[str]]:
    """Notebook 04's robustness section in words, every number from the study ``s``: the
    in-time placebo (``"in_time"``: a warning when the fake start's mean gap is larger than the
    real one, or when its placebo p is at most ``alpha``), the sensitivity with Åland's
    municipalities among the donors (``"aland"``) and the spread over pre-period starts with how
    the default start was chosen (``"pre_starts"``).  Empty lists where a part was not computed."""
    out: dict[str, list[str]] = {"in_time": [], "aland": [], "pre_starts": []}
    main = s.analyses.get(PRIMARY)
    if main is None:
        return out
    it, check = main.in_time, main.in_time_check
    out["in_time"].append(
        "in-time placebo (start two years earlier): "
        + (
            "pre-period too short"
            if it is None
            else f"mean gap {it.effect_mean:+.2f} points, post/pre RMSPE ratio {it.ratio:.2f}, "
            f"placebo p = {main.in_time_p:.3f}"
        )
    )
    if check is not None and check["larger"]:
        out["in_time"].append(
            f"warning: the fake start shows a larger mean gap ({check['fake_mean']:+.2f} points) than the real "
            f"one ({check['real_mean']:+.2f} points), {check['times']:.1f} times as large: where there can be no "
            "effect the method finds a larger gap than the one it reports, so the real gap is no larger than "
            "the method's own noise"
        )
    elif check is not None:
        out["in_time"].append(
            f"the fake start's mean gap ({check['fake_mean']:+.2f} points) is smaller than the real one "
            f"({check['real_mean']:+.2f} points)"
        )
    if it is not None and main.in_time_p <= alpha:
        out["in_time"].append(
            "warning: the in-time placebo's gap stands out from the placebos (p <= alpha): the method finds a "
            "gap where there can be no effect; read the main result with that in mind"
        )
    pools = s.pools
    if "with_aland" in pools.index and pools.at["with_aland", "donors"] is not None:
        row = pools.loc["with_aland"]
        out["aland"].append(
            f"with Åland's municipalities among the donors: mean gap {row['effect_mean_pp']:+.2f} points "
            f"({row['ci_low_pp']:+.2f}..{row['ci_high_pp']:+.2f}), p = {row['placebo_p']:.3f}, "
            f"{row['donors']:.0f} donors"
        )
    starts = s.pre_starts.dropna(subset=["effect_mean_pp"])
    if len(starts):
        out["pre_starts"].append(
            f"across pre-period starts {starts.index[0]}..{starts.index[-1]} the mean gap runs from "
            f"{starts['effect_mean_pp'].max():+.2f} to {starts['effect_mean_pp'].min():+.2f} points "
            f"({starts['effect_mean_persons'].max():+.0f} to {starts['effect_mean_persons'].min():+.0f} persons), "
            f"the two-sided placebo p from {starts['p'].min():.2f} to {starts['p'].max():.2f} and the one-sided "
            f"from {starts['one_sided_p'].min():.2f} to {starts['one_sided_p'].max():.2f}; "
            f"{int((starts['p'] <= alpha).sum())} of {len(starts)} starts give p <= {alpha}"
        )
    others = starts["holdout_rmspe"].dropna().drop(s.pre_start, errors="ignore")
    if not s.pre_start_chosen:
        out["pre_starts"].append(f"pre_start {s.pre_start}: given as a parameter")
    else:
        out["pre_starts"].append(
            f"pre_start {s.pre_start}: chosen, the smallest holdout RMSPE "
            f"({starts.at[s.pre_start, 'holdout_rmspe']:.3f}"
            + (f"; the other starts {others.min():.3f}..{others.max():.3f})" if len(others) else ")")
        )
    return out


def conclusion(s: Study, lang: str = "fi", clients: int | None = None) -> list[str]:
    """The plain-language conclusion for decision makers: :func:`conclusion_sentences` of the
    study's metrics (``s.note`` when there is nothing to conclude)."""
    if not s.available:
        return [s.note]
    return conclusion_sentences(
        counterfactual_metrics(s.treated, s.analyses, name=s.name, alpha=s.alpha), lang, clients
    )


#: The words of :func:`conclusion_sentences`, one catalogue per language with the same keys and
#: placeholders (``str.format``): a wording is fixed here once.  ``fewer`` and ``more`` fill
#: ``{direction}``; ``detect.town`` starts with a small letter and is capitalised when it opens
#: the sentence (no client count).
CONCLUSION_WORDS: dict[str, dict[str, str]] = {
    "fi": {
        "intro": "{name}: vertailu kuntiin, joissa ei ollut vastaavaa hanketta. Synteettinen verrokki on {used} "
        "kunnan painotettu keskiarvo ({donors} mahdollisen joukosta), ja se seurasi kunnan "
        "työttömyysastetta ennen hanketta keskimäärin {rmspe}\u00a0%-yksikön tarkkuudella.",
        "fewer": "vähemmän",
        "more": "enemmän",
        "interval": "{level}:n luottamusjoukko {low}…{high} työtöntä",
        "interval.none": "lumekuntia on liian vähän luottamusjoukon rajaamiseen",
        "mean": "Hankkeen aikana ({started} – {end}) kunnassa oli kuukausittain keskimäärin noin {persons} "
        "työtöntä {direction} kuin verrokissa (ero {gap} työtöntä, {interval}).",
        "mean.significant": "Ero on suurempi kuin {share}:ssa lumekunnista (p = {p}), eikä luottamusjoukko sisällä "
        "nollaa. Ero ei yksin osoita, että se johtui Kokoomosta: samaan aikaan kunnassa on "
        "voinut tapahtua muutakin.",
        "mean.not_significant": "Luottamusjoukko sisältää nollan: yhtä suuria eroja syntyy kunnissa, joissa "
        "hanketta ei ollut (lumetesti p = {p}). Työttömyyden lasku kunnassa ei siis erotu "
        "yleisestä noususuhdanteesta: tästä aineistosta ei voi päätellä, että Kokoomo "
        "olisi vähentänyt kunnan työttömyyttä — eikä sitäkään, ettei se vaikuttanut.",
        "mean.end": "Hankkeen lopussa ({end}) kunnassa oli noin {persons} työtöntä {direction} kuin verrokissa; "
        "yhden kuukauden ero vaihtelee enemmän kuin koko jakson keskiarvo.",
        "end.significant": "Hankkeen lopussa ({end}) kunnassa oli noin {persons} työtöntä {direction} kuin "
        "verrokissa. Ero on suurempi kuin {share}:ssa lumekunnista (p = {p}). Ero ei yksin "
        "osoita, että se johtui Kokoomosta: samaan aikaan kunnassa on voinut tapahtua muutakin.",
        "end.not_significant": "Hankkeen lopussa ({end}) kunnassa oli noin {persons} työtöntä {direction} kuin "
        "verrokissa, mutta yhtä suuria eroja syntyy kunnissa, joissa hanketta ei ollut "
        "(lumetesti p = {p}). Työttömyyden lasku kunnassa ei siis erotu yleisestä "
        "noususuhdanteesta: tästä aineistosta ei voi päätellä, että Kokoomo olisi "
        "vähentänyt kunnan työttömyyttä — eikä sitäkään, ettei se vaikuttanut.",
        "detect": "Tällä asetelmalla vasta noin {persons} työttömän vähennys koko kunnan tasolla havaittaisiin "
        "80\u00a0%:n todennäköisyydellä.",
        "detect.clients": "Hankkeessa oli {clients} asiakasta ja {town}",
        "detect.town": "kunnassa oli hankkeen alussa ({started}) {unemployed} työtöntä: pienempi vaikutus jäisi "
        "usein erottumatta kuntatilastossa tavallisesta vaihtelusta, vaikka se olisi todellinen.",
        "register": "Kysymykseen voisi vastata asiakastasolla: Kokoomon asiakkaita verrattaisiin samanlaisiin "
        "työttömiin muissa kunnissa yhdistetyistä rekistereistä (TEM:n työnvälitysrekisteri, "
        "Kelan ja Tilastokeskuksen tiedot).",
    },
    "en": {
        "intro": "{name} was compared with municipalities that had no such project. Its synthetic control is a "
        "weighted average of {used} municipalities (chosen from {donors}); before the project it tracked "
        "the town's unemployment rate to within {rmspe} percentage points on average.",
        "fewer": "fewer",
        "more": "more",
        "interval": "{level} confidence set {low} to {high}",
        "interval.none": "too few placebo municipalities to bound a confidence set",
        "mean": "During the project ({started} to {end}) the town had on average about {persons} {direction} "
        "unemployed a month than its control (gap {gap} persons, {interval}).",
        "mean.significant": "The gap is larger than in {share} of the placebo municipalities (p = {p}) and its "
        "confidence set excludes zero. The gap alone does not show that Kokoomo caused it: "
        "other things may have happened in the town at the same time.",
        "mean.not_significant": "The confidence set includes zero: gaps as large arise in municipalities without a "
        "project (placebo p = {p}). The fall in the town's unemployment does not stand out "
        "from the national upswing: these data cannot show that Kokoomo reduced the town's "
        "unemployment, nor that it did not.",
        "mean.end": "At the end of the project ({end}) the town had about {persons} {direction} unemployed than its "
        "control; a single month's gap varies more than the mean over the whole period.",
        "end.significant": "At the end of the project ({end}) the town had about {persons} {direction} unemployed "
        "than its control, a larger gap than in {share} of the placebo municipalities (p = {p}). "
        "The gap alone does not show that Kokoomo caused it: other things may have happened in "
        "the town at the same time.",
        "end.not_significant": "At the end of the project ({end}) the town had about {persons} {direction} "
        "unemployed than its control, but gaps as large arise in municipalities without a "
        "project (placebo p = {p}). The fall in the town's unemployment does not stand out "
        "from the national upswing: these data cannot show that Kokoomo reduced the town's "
        "unemployment, nor that it did not.",
        "detect": "Only a fall of about {persons} unemployed on the whole town would be detected by this design with "
        "80% probability.",
        "detect.clients": "The project had {clients} clients and {town}",
        "detect.town": "the town had {unemployed} unemployed when it started ({started}): a smaller effect, even a "
        "real one, would often not stand out from ordinary variation in municipal statistics.",
        "register": "The question could be answered at the level of the clients: Kokoomo's clients compared with "
        "similar unemployed people in other municipalities from linked registers (the employment "
        "service register, Kela's and Statistics Finland's data).",
    },
}


def conclusion_sentences(m: dict, lang: str = "fi", clients: int | None = None, *, register: bool = True) -> list[str]:
    """The conclusion from the ``counterfactual.*`` metrics (and ``clients``, the project's
    client count, when known), every number from ``m``; it never claims more than the placebo
    distribution allows (a gap is called one only when the primary placebo p is at most
    ``alpha``, that is when its confidence set excludes zero).  It leads with the mean gap over
    the post-period in persons with its confidence set (``scm.effect_mean_persons``,
    ``scm.ci_low_persons``, ``scm.ci_high_persons``); the end month comes second.  Metrics of an
    older run without the mean in persons give the end month's sentence only.  The
    municipality's name is never inflected (Finnish cases of place names cannot be made by
    rule).  Notebook 04 and the Finnish summary (notebook 06) both say it this way.  One function
    for both languages: the words are :data:`CONCLUSION_WORDS`, one catalogue per language.
    ``register=False`` leaves out the closing pointer to a client-level comparison (the summary
    says it once, in its section on what the evaluation cannot say)."""
    from .text import check_lang, month_name, number, percent, signed

    check_lang(lang)
    key = f"counterfactual.{PRIMARY}"
    name = m.get("counterfactual.name") or m.get("counterfactual.treated", "")
    alpha = m.get("counterfactual.alpha", 0.05)
    effect_end = m[f"{key}.scm.effect_end"]
    end_persons = abs(m[f"{key}.scm.effect_end_persons"])
    mean = m.get(f"{key}.scm.effect_mean_persons")
    low, high = m.get(f"{key}.scm.ci_low_persons"), m.get(f"{key}.scm.ci_high_persons")
    detectable = m.get(f"{key}.scm.detectable_persons")
    detect = None if detectable is None else abs(detectable)
    placebo_p = m[f"{key}.scm.placebo_p"]
    significant = placebo_p <= alpha
    fewer = effect_end < 0
    used, donors = m["counterfactual.donors.used"], m["counterfactual.donors.n"]
    end = month_name(pd.Period(m["counterfactual.post_end"], freq="M"), lang)
    unemployed = m["counterfactual.count_at_start"]
    started = month_name(pd.Period(m["counterfactual.treatment_start"], freq="M"), lang)
    pre_rmspe = m[f"{key}.scm.pre_rmspe"]
    level = percent(100 * (1 - alpha), lang, 0)
    n = lambda v, d=0: number(v, lang, d)  # noqa: E731
    pm = lambda v: ("+" if round(v) > 0 else "") + signed(v, lang, 0)  # noqa: E731
    w = CONCLUSION_WORDS[lang]
    lines = [w["intro"].format(name=name, used=used, donors=donors, rmspe=n(pre_rmspe, 2))]
    share = percent(100 * (1 - placebo_p), lang, 0)
    p = n(placebo_p, 2)
    if mean is not None:
        interval = (
            w["interval"].format(level=level, low=pm(low), high=pm(high))
            if low is not None and high is not None
            else w["interval.none"]
        )
        lines.append(
            w["mean"].format(
                started=started,
                end=end,
                persons=n(abs(mean)),
                direction=w["fewer" if mean < 0 else "more"],
                gap=pm(mean),
                interval=interval,
            )
        )
        lines.append(
            w["mean.significant"].format(share=share, p=p) if significant else w["mean.not_significant"].format(p=p)
        )
        lines.append(w["mean.end"].format(end=end, persons=n(end_persons), direction=w["fewer" if fewer else "more"]))
    else:
        lines.append(
            w["end.significant" if significant else "end.not_significant"].format(
                end=end, persons=n(end_persons), direction=w["fewer" if fewer else "more"], share=share, p=p
            )
        )
    if detect is not None:
        town = w["detect.town"].format(started=started, unemployed=n(unemployed))
        lines.append(
            w["detect"].format(persons=n(detect))
            + " "
            + (w["detect.clients"].format(clients=n(clients), town=town) if clients else town[:1].upper() + town[1:])
        )
    if register:
        lines.append(w["register"])
    return lines

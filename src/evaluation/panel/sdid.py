"""Synthetic difference-in-differences, synthetic control and difference-in-differences on a
:class:`~evaluation.panel.panel.Panel`, as the R package synthdid computes them.

All three are one estimator with different weights (Arkhangelsky, Athey, Hirshberg, Imbens and
Wager 2021, Algorithm 1 and Table 1):

``tau = (mean of treated, post - omega' donors, post) - (mean of treated, pre - omega' donors, pre) lambda``

with ``omega`` on the donors and ``lambda`` on the pre-periods (each in the simplex), computed as
synthdid 0.0.9 does (commit 70c1ce3 of github.com/synth-inference/synthdid):

- **SDID** (:func:`synthdid_estimate`): unit weights ``omega`` minimise
  ``||(Y_co,pre' omega - ybar_tr,pre) - intercept||^2 + T0 zeta_omega^2 ||omega||^2`` with an
  intercept, ``zeta_omega = (N1 T1)^(1/4) sigma`` and ``sigma`` the standard deviation of the
  donors' first differences in the pre-period; time weights ``lambda`` the same with the roles of
  units and periods exchanged, an intercept and ``zeta_lambda = 1e-6 sigma``.
- **SC** (:func:`sc_estimate`): ``omega`` without intercept and ``zeta_omega = 1e-6 sigma``,
  ``lambda = 0`` (the post-period gap alone).
- **DiD** (:func:`did_estimate`): uniform ``omega = 1/N0`` and ``lambda = 1/T0``.

**The solver stops early.** The weights come from synthdid's Frank-Wolfe method with exact line
search: 100 iterations, then the sparsification step (weights at most a quarter of the largest set
to 0, the rest renormalised), then Frank-Wolfe again from there until an iteration lowers the
penalised mean squared error by less than ``min_decrease^2`` (``min_decrease = 1e-5 sigma``) or
after ``max_iter = 10 000`` iterations.  These are the R package's weights and estimates (the
tests check them against R to 1e-10), **not the exact optimum** of the penalised problem, which
they approach but do not reach (on Proposition 99 the SC weights stop after 10 000 iterations).
:func:`sc_estimate` with ``solver="exact"`` solves the SC problem exactly by
:func:`evaluation.counterfactual.simplex_least_squares` (the engine's active-set solver) on the
ridge-augmented system; the tests report both.

**Standard errors** (synthdid's ``vcov(method=...)``): :func:`placebo_se`, Algorithm 4 (the
treated units replaced by randomly chosen donors, the estimator refitted on the donors alone with
the same tuning; the only one valid with one treated unit) and :func:`jackknife_se`, Algorithm 3
(leave one unit out with the weights held fixed; needs two or more treated units and is not
recommended for SC, section 5 of the paper).

===================  ============================================  ==================================
function             method and variance                           matches
===================  ============================================  ==================================
synthdid_estimate    SDID, Algorithm 1; Frank-Wolfe + sparsify     synthdid::synthdid_estimate
sc_estimate          SC (ridge 1e-6 sigma); FW, or exact           synthdid::sc_estimate
did_estimate         DiD with uniform weights                      synthdid::did_estimate
placebo_se           placebo variance, Algorithm 4                 vcov(method = "placebo")
jackknife_se         fixed-weights jackknife, Algorithm 3          vcov(method = "jackknife")
r_permutations       R's ``set.seed(s); sample(1:n)`` stream       R >= 3.6 Mersenne-Twister,
                                                                   "Rejection" sampling
===================  ============================================  ==================================

References: Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021), "Synthetic
difference-in-differences", American Economic Review 111(12), 4088-4118; Abadie, Diamond and
Hainmueller (2010), JASA 105, 493-505; Frank and Wolfe (1956), Naval Research Logistics
Quarterly 3, 95-110; the R package synthdid 0.0.9 (R/synthdid.R, R/solver.R, R/vcov.R).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ..counterfactual import simplex_least_squares
from .panel import Panel

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "SDIDError",
    "SDIDResult",
    "did_estimate",
    "jackknife_se",
    "noise_level",
    "placebo_se",
    "r_permutations",
    "sc_estimate",
    "sparsify_weights",
    "synthdid_estimate",
]


class SDIDError(ValueError):
    """An estimate or a standard error that the design does not allow; the message says why."""


@dataclass(frozen=True)
class _Options:
    """What a refit (placebo, jackknife) reuses: synthdid's ``attr(estimate, 'opts')``."""

    zeta_omega: float
    zeta_lambda: float
    omega_intercept: bool
    lambda_intercept: bool
    update_omega: bool
    update_lambda: bool
    min_decrease: float
    max_iter: int
    sparsify: Callable[[np.ndarray], np.ndarray] | None
    max_iter_pre_sparsify: int
    solver: str = "frank-wolfe"


@dataclass(frozen=True)
class SDIDResult:
    """An estimate with its weights and what a refit needs.

    ``estimate``: the average effect on the treated block; ``omega``: the donors' weights (in
    ``donors`` order); ``lambda_``: the pre-periods' weights; ``iterations``: the Frank-Wolfe
    iterations of the last round for ``omega`` and ``lambda`` (0 for weights given or solved
    exactly).
    """

    estimator: str
    estimate: float
    omega: np.ndarray
    lambda_: np.ndarray
    Y: np.ndarray = field(repr=False)
    N0: int
    T0: int
    options: _Options = field(repr=False)
    iterations: dict = field(default_factory=dict)
    donors: tuple = ()
    pre_periods: tuple = ()

    @property
    def N1(self) -> int:
        return self.Y.shape[0] - self.N0

    @property
    def T1(self) -> int:
        return self.Y.shape[1] - self.T0

    def effect_curve(self) -> np.ndarray:
        """The effect in each post-period, whose mean is :attr:`estimate` (synthdid's
        ``synthdid_effect_curve``): the treated-minus-synthetic gap in that period minus the
        ``lambda``-weighted pre-period gap."""
        gap = np.concatenate([-self.omega, np.full(self.N1, 1 / self.N1)]) @ self.Y
        return gap[self.T0 :] - gap[: self.T0] @ self.lambda_


# ----------------------------------------------------------------------------- the solver
def sparsify_weights(v: np.ndarray) -> np.ndarray:
    """synthdid's ``sparsify_function``: weights at most a quarter of the largest become 0, the
    others are rescaled to sum to one."""
    v = np.array(v, dtype=float)
    v[v <= v.max() / 4] = 0.0
    return v / v.sum()


def _fw_step(A: np.ndarray, x: np.ndarray, b: np.ndarray, eta: float) -> np.ndarray:
    """One Frank-Wolfe step with exact line search for ``||A x - b||^2 + eta ||x||^2`` on the
    simplex (synthdid's ``fw.step``, operation for operation)."""
    Ax = A @ x
    half_grad = (Ax - b) @ A + eta * x
    i = int(np.argmin(half_grad))
    d_x = -x
    d_x[i] = 1 - x[i]
    if not d_x.any():
        return x
    d_err = A[:, i] - Ax
    step = -(half_grad @ d_x) / (np.sum(d_err**2) + eta * np.sum(d_x**2))
    return x + min(1.0, max(0.0, step)) * d_x


def _sc_weight_fw(Y, zeta, intercept, start, min_decrease, max_iter):
    """synthdid's ``sc.weight.fw``: weights on the first ``T0`` columns of ``Y`` reproducing its
    last column, from ``start`` (uniform by default); returns the weights and the iterations."""
    n, k = Y.shape[0], Y.shape[1] - 1
    x = np.full(k, 1 / k) if start is None else np.array(start, dtype=float)
    if intercept:
        Y = Y - Y.mean(axis=0)
    A, b = Y[:, :k], Y[:, k]
    eta = n * zeta**2
    vals: list[float] = []
    minus_one = np.append(np.zeros(k), -1.0)
    while len(vals) < max_iter and (len(vals) < 2 or vals[-2] - vals[-1] > min_decrease**2):
        x = _fw_step(A, x, b, eta)
        minus_one[:k] = x
        err = Y @ minus_one
        vals.append(zeta**2 * np.sum(x**2) + np.sum(err**2) / n)
    return x, len(vals)


def _exact_weights(Y, zeta, intercept):
    """The exact optimum of the problem :func:`_sc_weight_fw` approaches: ``||A x - b||^2 + eta
    ||x||^2`` on the simplex as least squares on ``[A; sqrt(eta) I]``, by the engine's
    active-set solver."""
    n, k = Y.shape[0], Y.shape[1] - 1
    if intercept:
        Y = Y - Y.mean(axis=0)
    ridge = np.sqrt(n) * zeta * np.eye(k)
    return simplex_least_squares(np.vstack([Y[:, :k], ridge]), np.concatenate([Y[:, k], np.zeros(k)]))


def _collapsed(Y, N0, T0):
    """synthdid's ``collapsed.form``: the treated rows and the post columns each averaged."""
    top = np.column_stack([Y[:N0, :T0], Y[:N0, T0:].mean(axis=1)])
    bottom = np.append(Y[N0:, :T0].mean(axis=0), Y[N0:, T0:].mean())
    return np.vstack([top, bottom])


def _solve(M, zeta, intercept, start, o: _Options):
    if o.solver == "exact":
        return _exact_weights(M, zeta, intercept), 0
    first = o.max_iter_pre_sparsify if o.sparsify is not None else o.max_iter
    w, n = _sc_weight_fw(M, zeta, intercept, start, o.min_decrease, first)
    if o.sparsify is not None:
        w, n = _sc_weight_fw(M, zeta, intercept, o.sparsify(w), o.min_decrease, o.max_iter)
    return w, n


def _fit(Y, N0, T0, omega, lambda_, o: _Options, estimator: str) -> SDIDResult:
    """synthdid_estimate on the matrix ``Y`` (no covariates); ``omega``, ``lambda_``: the weights
    to use (when not updated) or to start from (when updated; None: uniform)."""
    Yc = _collapsed(Y, N0, T0)
    iterations = {"omega": 0, "lambda": 0}
    if o.update_lambda:
        lambda_, iterations["lambda"] = _solve(Yc[:N0, :], o.zeta_lambda, o.lambda_intercept, lambda_, o)
    if o.update_omega:
        omega, iterations["omega"] = _solve(Yc[:, :T0].T, o.zeta_omega, o.omega_intercept, omega, o)
    N1, T1 = Y.shape[0] - N0, Y.shape[1] - T0
    u = np.concatenate([-omega, np.full(N1, 1 / N1)])
    v = np.concatenate([-lambda_, np.full(T1, 1 / T1)])
    estimate = float(u @ Y @ v)
    return SDIDResult(
        estimator, estimate, np.asarray(omega, float), np.asarray(lambda_, float), Y, N0, T0, o, iterations
    )


# ----------------------------------------------------------------------------- the estimators
def noise_level(panel: Panel) -> float:
    """``sigma``: the standard deviation (n - 1) of the donors' first differences over the
    pre-period, all pooled (synthdid's default ``noise.level``)."""
    if panel.T0 < 2 or panel.N0 * (panel.T0 - 1) < 2:
        raise SDIDError(
            f"noise level: {panel.N0} donor(s) x {panel.T0} pre-period(s); the standard deviation of first "
            "differences needs two or more pre-periods and two or more differences"
        )
    return float(np.std(np.diff(panel.Y[: panel.N0, : panel.T0], axis=1), ddof=1))


def _estimate(
    panel: Panel,
    estimator: str,
    *,
    eta_omega,
    eta_lambda,
    omega_intercept,
    lambda_intercept,
    omega,
    lambda_,
    min_decrease,
    max_iter,
    sparsify,
    max_iter_pre_sparsify,
    solver="frank-wolfe",
) -> SDIDResult:
    if not isinstance(panel, Panel):
        raise SDIDError(f"{estimator}: a Panel is needed (Panel.from_long), not {type(panel).__name__}")
    sigma = noise_level(panel)
    if eta_omega is None:
        eta_omega = (panel.N1 * panel.T1) ** 0.25
    for name, w, n in (("omega", omega, panel.N0), ("lambda_", lambda_, panel.T0)):
        if w is not None and np.shape(w) != (n,):
            raise SDIDError(
                f"{estimator}: {name} must have {n} weights, one per {'donor' if name == 'omega' else 'pre-period'}"
            )
    o = _Options(
        zeta_omega=eta_omega * sigma,
        zeta_lambda=eta_lambda * sigma,
        omega_intercept=omega_intercept,
        lambda_intercept=lambda_intercept,
        update_omega=omega is None,
        update_lambda=lambda_ is None,
        min_decrease=1e-5 * sigma if min_decrease is None else min_decrease,
        max_iter=int(max_iter),
        sparsify=sparsify,
        max_iter_pre_sparsify=int(max_iter_pre_sparsify),
        solver=solver,
    )
    omega = None if omega is None else np.asarray(omega, float)
    lambda_ = None if lambda_ is None else np.asarray(lambda_, float)
    result = _fit(panel.Y, panel.N0, panel.T0, omega, lambda_, o, estimator)
    return replace(result, donors=panel.donors, pre_periods=panel.pre_periods)


def synthdid_estimate(
    panel: Panel,
    *,
    eta_omega: float | None = None,
    eta_lambda: float = 1e-6,
    omega_intercept: bool = True,
    lambda_intercept: bool = True,
    omega: np.ndarray | None = None,
    lambda_: np.ndarray | None = None,
    min_decrease: float | None = None,
    max_iter: int = 10_000,
    sparsify: Callable[[np.ndarray], np.ndarray] | None = sparsify_weights,
    max_iter_pre_sparsify: int = 100,
) -> SDIDResult:
    """Synthetic difference-in-differences (Arkhangelsky et al. 2021, Algorithm 1).

    Parameters
    ----------
    panel
        The panel (:meth:`Panel.from_long`); one adoption period for all treated units.
    eta_omega, eta_lambda
        The regularisation ``zeta = eta x sigma`` (``sigma``: :func:`noise_level`); by default
        ``eta_omega = (N1 T1)^(1/4)`` and ``eta_lambda = 1e-6``.
    omega_intercept, lambda_intercept
        Whether the unit (time) weights match the treated (post) average up to a constant.
    omega, lambda_
        Fixed weights (not estimated); None: estimated.
    min_decrease, max_iter, sparsify, max_iter_pre_sparsify
        The Frank-Wolfe stopping rule (default ``min_decrease = 1e-5 sigma``) and the
        sparsification step, synthdid's defaults.

    Returns
    -------
    SDIDResult
        The estimate and the weights.  Frank-Wolfe stops early: these are the R package's
        weights (equal to R's to about 1e-10), not the exact optimum of the penalised problem.

    References
    ----------
    Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021), AER 111(12), 4088-4118, Algorithm 1;
    R package synthdid 0.0.9, ``synthdid_estimate``.
    """
    return _estimate(
        panel,
        "synthdid",
        eta_omega=eta_omega,
        eta_lambda=eta_lambda,
        omega_intercept=omega_intercept,
        lambda_intercept=lambda_intercept,
        omega=omega,
        lambda_=lambda_,
        min_decrease=min_decrease,
        max_iter=max_iter,
        sparsify=sparsify,
        max_iter_pre_sparsify=max_iter_pre_sparsify,
    )


def sc_estimate(
    panel: Panel,
    *,
    eta_omega: float = 1e-6,
    solver: str = "frank-wolfe",
    min_decrease: float | None = None,
    max_iter: int = 10_000,
    sparsify: Callable[[np.ndarray], np.ndarray] | None = sparsify_weights,
    max_iter_pre_sparsify: int = 100,
) -> SDIDResult:
    """Synthetic control as synthdid computes it: unit weights without intercept and with an
    'infinitesimal' ridge ``zeta_omega = 1e-6 sigma``, no time weights (``lambda = 0``): the
    estimate is the mean post-period gap between the treated average and its synthetic control.

    Parameters
    ----------
    panel
        The panel.
    eta_omega
        ``zeta_omega = eta_omega x sigma``.
    solver
        ``"frank-wolfe"`` (default): synthdid's solver, which stops early and gives the R
        package's weights, not the exact optimum; ``"exact"``: the exact minimiser of the same
        penalised problem by :func:`evaluation.counterfactual.simplex_least_squares`
        (active set on ``[Y_co,pre'; sqrt(T0) zeta I] omega = [ybar_tr,pre; 0]``).
    min_decrease, max_iter, sparsify, max_iter_pre_sparsify
        Frank-Wolfe's stopping rule and sparsification (ignored by ``"exact"``).

    Returns
    -------
    SDIDResult

    References
    ----------
    Abadie, Diamond and Hainmueller (2010), JASA 105, 493-505; Arkhangelsky et al. (2021),
    Table 1; R package synthdid 0.0.9, ``sc_estimate``.
    """
    if solver not in ("frank-wolfe", "exact"):
        raise SDIDError(f"sc_estimate: solver must be 'frank-wolfe' or 'exact', not {solver!r}")
    return _estimate(
        panel,
        "sc",
        eta_omega=eta_omega,
        eta_lambda=1e-6,
        omega_intercept=False,
        lambda_intercept=True,
        omega=None,
        lambda_=np.zeros(panel.T0) if isinstance(panel, Panel) else None,
        min_decrease=min_decrease,
        max_iter=max_iter,
        sparsify=sparsify,
        max_iter_pre_sparsify=max_iter_pre_sparsify,
        solver=solver,
    )


def did_estimate(panel: Panel) -> SDIDResult:
    """Difference-in-differences: uniform weights ``1/N0`` on the donors and ``1/T0`` on the
    pre-periods, i.e. the two-way fixed-effects estimate for a block of treated units.

    References
    ----------
    Arkhangelsky et al. (2021), Table 1; R package synthdid 0.0.9, ``did_estimate``.
    """
    return _estimate(
        panel,
        "did",
        eta_omega=None,
        eta_lambda=1e-6,
        omega_intercept=True,
        lambda_intercept=True,
        omega=np.full(panel.N0, 1 / panel.N0) if isinstance(panel, Panel) else None,
        lambda_=np.full(panel.T0, 1 / panel.T0) if isinstance(panel, Panel) else None,
        min_decrease=None,
        max_iter=10_000,
        sparsify=sparsify_weights,
        max_iter_pre_sparsify=100,
    )


# ----------------------------------------------------------------------------- standard errors
def _sum_normalize(x: np.ndarray) -> np.ndarray:
    """synthdid's ``sum_normalize``: ``x / sum(x)``, uniform when the sum is 0."""
    s = x.sum()
    return x / s if s != 0 else np.full(len(x), 1 / len(x))


def placebo_se(
    result: SDIDResult,
    replications: int = 200,
    *,
    seed: int | None = None,
    permutations: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
) -> float:
    """The placebo standard error (Arkhangelsky et al. 2021, Algorithm 4; synthdid's
    ``vcov(method = "placebo")``).

    Each replication permutes the donors, makes the last ``N1`` of them the treated units and
    refits the estimator on the donors alone with the same tuning (``zeta``, ``min_decrease``),
    the weights started from the estimate's (``omega`` restricted to the placebo donors and
    renormalised).  The standard error is ``sqrt((B - 1) / B)`` times the standard deviation of
    the ``B`` placebo estimates.  Valid with one treated unit (under homoskedasticity across
    units); needs more donors than treated units.

    Parameters
    ----------
    result
        An estimate from :func:`synthdid_estimate`, :func:`sc_estimate` or :func:`did_estimate`.
    replications
        ``B``.
    seed
        R's seed: the permutations R draws after ``set.seed(seed)`` (:func:`r_permutations`), so
        that the standard error equals synthdid's with the same seed.
    permutations
        The permutations themselves, ``B`` rows of ``0 .. N0-1`` (instead of ``seed``).
    rng
        A numpy generator (instead of ``seed``; the default if neither is given).

    References
    ----------
    Arkhangelsky et al. (2021), Algorithm 4; R package synthdid 0.0.9, ``placebo_se``.
    """
    N0, N1 = result.N0, result.N1
    if N0 <= N1:
        raise SDIDError(
            f"placebo_se: {N0} donors for {N1} treated units; the placebo needs more donors than treated units"
        )
    if sum(x is not None for x in (seed, permutations, rng)) > 1:
        raise SDIDError("placebo_se: give at most one of seed, permutations and rng")
    if permutations is not None:
        perms = np.asarray(permutations)
        if perms.ndim != 2 or perms.shape[1] != N0 or any(sorted(p) != list(range(N0)) for p in perms.tolist()):
            raise SDIDError(f"placebo_se: permutations must be rows that each hold 0 .. {N0 - 1} once")
    elif seed is not None:
        perms = r_permutations(N0, replications, seed) - 1
    else:
        rng = np.random.default_rng() if rng is None else rng
        perms = np.array([rng.permutation(N0) for _ in range(replications)])
    if len(perms) < 2:
        raise SDIDError("placebo_se: two or more replications are needed")
    n0 = N0 - N1
    thetas = []
    for ind in perms:
        omega = _sum_normalize(result.omega[ind[:n0]])
        fit = _fit(result.Y[ind], n0, result.T0, omega, result.lambda_, result.options, result.estimator)
        thetas.append(fit.estimate)
    b = len(thetas)
    return float(np.sqrt((b - 1) / b) * np.std(thetas, ddof=1))


def jackknife_se(result: SDIDResult) -> float:
    """The fixed-weights jackknife standard error (Arkhangelsky et al. 2021, Algorithm 3;
    synthdid's ``vcov(method = "jackknife")``).

    Each unit in turn is left out and the estimate recomputed with the weights held fixed (the
    donors' ``omega`` renormalised); the standard error is ``sqrt((n - 1)/n x (n - 1) x var(u))``
    over the ``n`` leave-one-out estimates ``u``.  Not defined with one treated unit or with one
    donor of non-zero weight (synthdid returns NA; this raises :class:`SDIDError`), and not
    recommended for SC (the paper, section 5).

    References
    ----------
    Arkhangelsky et al. (2021), Algorithm 3; R package synthdid 0.0.9, ``jackknife_se``.
    """
    if result.N1 == 1:
        raise SDIDError("jackknife_se: one treated unit; the jackknife needs two or more (use placebo_se)")
    if np.count_nonzero(result.omega) == 1:
        raise SDIDError("jackknife_se: one donor has all the weight; the jackknife is not defined (use placebo_se)")
    fixed = replace(result.options, update_omega=False, update_lambda=False)
    n = result.Y.shape[0]
    u = []
    for i in range(n):
        ind = np.delete(np.arange(n), i)
        omega = _sum_normalize(result.omega[ind[ind < result.N0]])
        n0 = int(np.sum(ind < result.N0))
        u.append(_fit(result.Y[ind], n0, result.T0, omega, result.lambda_, fixed, result.estimator).estimate)
    return float(np.sqrt((n - 1) / n * (n - 1) * np.var(u, ddof=1)))


# ----------------------------------------------------------------------------- R's sample()
class _RMersenneTwister:
    """R's default generator: ``set.seed`` (Knuth's LCG scrambling) and the Mersenne-Twister
    MT19937 of Matsumoto and Nishimura (1998) with R's ``unif_rand``."""

    def __init__(self, seed: int):
        s = seed & 0xFFFFFFFF
        for _ in range(50):
            s = (69069 * s + 1) & 0xFFFFFFFF
        state = []
        for _ in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            state.append(s)
        self.mt = state[1:]  # state[0] is R's mti slot, reset to 624 by FixupSeeds
        self.mti = 624

    def _int32(self) -> int:
        mt = self.mt
        if self.mti >= 624:
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.mti = 0
        y = mt[self.mti]
        self.mti += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y

    def unif(self) -> float:
        u = self._int32() * 2.3283064365386963e-10
        return 0.5 * 2.328306437080797e-10 if u <= 0.0 else (1.0 - 0.5 * 2.328306437080797e-10 if u >= 1.0 else u)

    def index(self, n: int) -> int:
        """R's ``R_unif_index`` with ``sample.kind = "Rejection"``: uniform on ``0 .. n-1``."""
        if n <= 0:
            return 0
        bits = int(np.ceil(np.log2(n)))
        while True:
            v = 0
            for _ in range(0, bits + 1, 16):
                v = 65536 * v + int(self.unif() * 65536)
            v &= (1 << bits) - 1
            if v < n:
                return v


def r_permutations(n: int, replications: int, seed: int) -> np.ndarray:
    """The permutations R draws by ``set.seed(seed); replicate(replications, sample(1:n))`` (R >=
    3.6: Mersenne-Twister, Inversion, Rejection sampling), one row each, values ``1 .. n``.

    References
    ----------
    R Core Team, R's src/main/RNG.c (``Randomize``, ``MT_genrand``, ``R_unif_index``) and
    src/main/random.c (``do_sample``, sampling without replacement); Matsumoto and Nishimura
    (1998), ACM TOMACS 8, 3-30.
    """
    g = _RMersenneTwister(seed)
    out = np.empty((replications, n), dtype=int)
    for r in range(replications):
        x = list(range(n))
        m = n
        for i in range(n):
            j = g.index(m)
            out[r, i] = x[j] + 1
            m -= 1
            x[j] = x[m]
    return out

"""Propensity score by unpenalised logistic regression on a design matrix the caller builds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import expit

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["PropensityModel", "logistic_propensity"]

_EPS = np.finfo(float).eps
_THRESH = 30.0  # R's binomial()$linkinv: |eta| beyond 30 gives eps or 1 - eps (family.c)


def _linkinv(eta: np.ndarray) -> np.ndarray:
    """R's ``binomial()$linkinv``: ``expit`` with the tails held at ``eps`` and ``1 - eps``, so that
    a fitted value is never exactly 0 or 1 (``family.c``: ``logit_linkinv``)."""
    return np.where(eta < -_THRESH, _EPS, np.where(eta > _THRESH, 1 - _EPS, expit(eta)))


def _mu_eta(eta: np.ndarray) -> np.ndarray:
    """R's ``binomial()$mu.eta``: ``dmu/deta`` held at least ``eps`` (``family.c``:
    ``logit_mu_eta``), so that the working response never divides by 0."""
    return np.where(np.abs(eta) > _THRESH, _EPS, np.maximum(expit(eta) * (1 - expit(eta)), _EPS))


@dataclass(frozen=True)
class PropensityModel:
    """A fitted propensity score: coefficients (in the design's column order), the score of every
    row (probability of treatment, share 0..1), its logit, the iterations taken, and whether the
    fit converged (False only when asked not to refuse, ``strict=False``)."""

    coefficients: np.ndarray
    score: np.ndarray
    linear_predictor: np.ndarray
    iterations: int
    converged: bool = True


def logistic_propensity(
    design: np.ndarray,
    treated: np.ndarray,
    *,
    tolerance: float = 1e-8,
    max_iterations: int = 25,
    start: np.ndarray | None = None,
    strict: bool = True,
) -> PropensityModel:
    """Fit P(treated = 1 | x) by maximum likelihood logistic regression.

    Parameters
    ----------
    design : (n, p) array
        The model matrix, intercept included if wanted (the caller chooses the covariates and
        their terms, e.g. Dehejia and Wahba's squares and interactions).
    treated : (n,) array of 0/1
    tolerance, max_iterations
        Convergence as R's ``glm.fit``: stop when ``|dev - dev_old| / (|dev| + 0.1) < tolerance``.
    start : (p,) array, optional
        Coefficients to start from, as ``glm(start = )`` (a bootstrap replicate starts from the
        full sample's fit and so needs fewer iterations); default R's ``mu = (y + 0.5) / 2``.
    strict : bool
        Refuse a fit that has not converged in ``max_iterations`` (default); False returns the
        last iterate with ``converged = False``, as ``glm`` does with a warning (a bootstrap
        replicate whose resample happens to separate the groups).

    Returns
    -------
    PropensityModel

    Notes
    -----
    Iteratively reweighted least squares started, as R's ``glm(family = binomial)``, from
    ``mu = (y + 0.5) / 2``, so that the iterates are R's: the score equals
    ``fitted(glm(treat ~ ..., family = binomial))`` to rounding (tested on MatchIt's ``lalonde``,
    ``tests/reference/matchit.R``). No penalty: collinear columns, or a fit that does not converge
    (groups separated by a covariate), are refused with the reason. Scores within rounding of 0 or
    1 are kept (R warns of them): their units lie outside the overlap, which the caller reports
    (McCullagh and Nelder 1989, ch. 4). As R's ``binomial()`` link, the score is bounded away
    from 0 and 1 (beyond |logit| > 30 it is ``eps`` or ``1 - eps``, and the derivative ``eps``),
    so that a separated fit stays finite as R's does.
    """
    x = np.asarray(design, dtype=float)
    y = np.asarray(treated, dtype=float)
    if x.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(
            f"the design has shape {x.shape} but there are {y.shape[0]} treatment values: give one design row per unit"
        )
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("treatment must be 0 (comparison) or 1 (treated) for every unit")
    rank = np.linalg.matrix_rank(np.linalg.qr(x, mode="r"))  # the R factor has x's singular values
    if rank < x.shape[1]:
        raise ValueError(
            f"the design's {x.shape[1]} columns are collinear (rank {rank}): drop a column that the others determine"
        )
    if start is None:
        mu = (y + 0.5) / 2
        eta = np.log(mu / (1 - mu))
    else:
        if np.shape(start) != (x.shape[1],):
            raise ValueError(f"start needs one coefficient per design column ({x.shape[1]}), not {np.shape(start)}")
        eta = x @ np.asarray(start, dtype=float)
        mu = _linkinv(eta)
    deviance_old = _deviance(y, mu)
    beta = np.zeros(x.shape[1])
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (the count is returned after the loop)
        mu_eta = _mu_eta(eta)
        z = eta + (y - mu) / mu_eta
        w = mu_eta / np.sqrt(mu * (1 - mu))  # glm.fit's sqrt(mu.eta^2 / variance)
        # the weighted least squares step by the QR of [X w | z w]: its R's last column holds
        # Q'(z w), so Q itself is never formed (a third of the time of forming it)
        r = np.linalg.qr(np.column_stack([x * w[:, None], z * w]), mode="r")
        p = x.shape[1]
        beta = solve_triangular(r[:p, :p], r[:p, p])
        eta = x @ beta
        mu = _linkinv(eta)
        deviance = _deviance(y, mu)
        if abs(deviance - deviance_old) / (abs(deviance) + 0.1) < tolerance:
            break
        deviance_old = deviance
    else:
        if strict:
            raise ValueError(
                f"the logistic propensity model did not converge in {max_iterations} iterations: "
                "the groups may be separated by a covariate; coarsen or drop it"
            )
        return PropensityModel(coefficients=beta, score=mu, linear_predictor=eta, iterations=iteration, converged=False)
    return PropensityModel(coefficients=beta, score=mu, linear_predictor=eta, iterations=iteration)


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    return float(-2 * np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))

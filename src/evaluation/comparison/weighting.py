"""Weighting by the odds of the propensity score: the effect on the treated (ATT)."""

from __future__ import annotations

import numpy as np

from .robust import Effect, weighted_difference

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["att_odds_weights", "effective_sample_size", "weighted_effect"]


def att_odds_weights(score: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """ATT weights: 1 for the treated, ``e / (1 - e)`` for the comparisons, the comparisons' weights
    normalised to sum to the number of treated.

    Parameters
    ----------
    score : (n,) array
        Propensity scores, strictly between 0 and 1.
    treated : (n,) array of 0/1

    Returns
    -------
    (n,) array

    Notes
    -----
    Reweights the comparisons to the treated's covariate distribution (Hirano, Imbens and Ridder
    2003; Imbens 2004, "odds weighting"); the normalisation does not change the weighted means.
    """
    e = np.asarray(score, dtype=float)
    t = np.asarray(treated).astype(int)
    if np.any((e <= 0) | (e >= 1)):
        raise ValueError("propensity scores must lie strictly between 0 and 1 for odds weights")
    w = np.where(t == 1, 1.0, e / (1 - e))
    control = t == 0
    w[control] *= t.sum() / w[control].sum()
    return w


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` of a group's weights."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum())


def weighted_effect(outcome: np.ndarray, treated: np.ndarray, weights: np.ndarray, *, level: float = 0.95) -> Effect:
    """The ATT by odds weighting: weighted mean of the treated minus that of the weighted comparisons.

    Parameters
    ----------
    outcome, treated, weights : (n,) arrays

    Returns
    -------
    Effect

    Notes
    -----
    SE: the heteroskedasticity-robust sandwich (HC0) of the weighted regression of the outcome on
    treatment, with the weights taken as known (``lm(y ~ treat, weights = w)`` and
    ``sandwich::vcovHC(type = "HC0")``; tested against R, ``tests/reference/matchit.R``). Not
    accounting for the estimation of the propensity score usually makes it conservative for the
    ATT (Lunceford and Davidian 2004; Reifeis and Hudgens 2022).
    """
    return weighted_difference(
        outcome,
        treated,
        weights,
        level=level,
        method="ATT odds weighting; SE robust sandwich (HC0), weights taken as known",
    )

"""Sandwich variances of a weighted difference in means (the coefficient of treatment in a
weighted regression of the outcome on an intercept and the treatment indicator)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["Effect", "weighted_difference"]


@dataclass(frozen=True)
class Effect:
    """An estimated effect on the treated with its standard error and a normal-theory interval."""

    estimate: float
    se: float
    lower: float
    upper: float
    method: str

    def as_dict(self) -> dict:
        return {
            "estimate": self.estimate,
            "se": self.se,
            "lower": self.lower,
            "upper": self.upper,
            "method": self.method,
        }


def weighted_difference(
    outcome: np.ndarray,
    treated: np.ndarray,
    weights: np.ndarray,
    *,
    clusters: Sequence[np.ndarray] = (),
    small_sample: bool = False,
    level: float = 0.95,
    method: str = "",
) -> Effect:
    """Weighted mean of the treated minus weighted mean of the comparisons, with a sandwich SE.

    Parameters
    ----------
    outcome, treated, weights : (n,) arrays
        Rows with weight 0 take no part.
    clusters : sequence of (n,) arrays
        None: heteroskedasticity-robust (HC0, one row one cluster). One: cluster-robust. Two:
        two-way cluster-robust (Cameron, Gelbach and Miller 2011): the sum of the two one-way
        meats minus the meat of their intersection.
    small_sample : bool
        Apply ``sandwich::vcovCL``'s default adjustments for ``lm``: G/(G-1) for each clustering
        and (n-1)/(n-k) overall (type "HC1", ``cadjust = TRUE``).

    Returns
    -------
    Effect
        The estimate (the WLS coefficient of treatment), its SE and the interval
        ``estimate ± z_{1-(1-level)/2} SE`` (normal, not t).

    Notes
    -----
    The weights are taken as known. Equals R's ``lm(y ~ treat, weights = w)`` with
    ``sandwich::vcovHC(type = "HC0")`` (no clusters) or ``vcovCL(cluster = ~ a [+ b])``
    (tested, ``tests/reference/matchit.R``; Zeileis, Köll and Graham 2020).
    """
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = w > 0
    y, t, w = y[keep], t[keep], w[keep]
    groups = [np.asarray(c)[keep] for c in clusters]
    if t.min() == t.max():
        raise ValueError("a weighted difference needs treated and comparison units with positive weight")
    x = np.column_stack([np.ones_like(t), t])
    xtwx = x.T @ (x * w[:, None])
    beta = np.linalg.solve(xtwx, x.T @ (w * y))
    scores = x * (w * (y - x @ beta))[:, None]
    n, k = x.shape
    if not groups:
        meat = scores.T @ scores
    else:
        combos: list[tuple[int, np.ndarray]] = [(1, g) for g in groups]
        if len(groups) == 2:
            pair = np.unique(np.column_stack([_codes(groups[0]), _codes(groups[1])]), axis=0, return_inverse=True)[
                1
            ].ravel()
            combos.append((-1, pair))
        elif len(groups) > 2:
            raise ValueError("at most two clusterings are supported")
        meat = np.zeros((k, k))
        for sign, g in combos:
            codes = _codes(g)
            sums = np.zeros((codes.max() + 1, k))
            np.add.at(sums, codes, scores)
            g_n = codes.max() + 1
            adjust = g_n / (g_n - 1) if small_sample else 1.0
            meat += sign * adjust * (sums.T @ sums)
    bread = np.linalg.inv(xtwx)
    cov = bread @ meat @ bread
    if small_sample:
        cov *= (n - 1) / (n - k)
    estimate = float(beta[1])
    se = float(np.sqrt(cov[1, 1]))
    z = norm.ppf(1 - (1 - level) / 2)
    return Effect(estimate, se, estimate - z * se, estimate + z * se, method)


def _codes(values: np.ndarray) -> np.ndarray:
    return np.unique(np.asarray(values), return_inverse=True)[1].ravel()

"""Covariate balance of a comparison before and after matching or weighting: standardised mean
differences and effective sample sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .weighting import effective_sample_size

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["effective_sample_sizes", "standardized_differences"]


def standardized_differences(covariates: pd.DataFrame, treated: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Standardised mean differences of every covariate, before and after adjustment.

    Parameters
    ----------
    covariates : DataFrame
        One numeric column per covariate or indicator (a 0/1 column per level of a categorical),
        one row per unit.
    treated : (n,) array of 0/1
    weights : (n,) array
        The adjustment's weights (matching or odds weights; 0 for an unmatched unit).

    Returns
    -------
    DataFrame
        Indexed by covariate: ``treated_before``, ``comparison_before``, ``smd_before``,
        ``treated_after``, ``comparison_after``, ``smd_after`` (means, and differences in pooled
        standard deviations).

    Notes
    -----
    ``d = (mean_treated - mean_comparison) / sqrt((s²_treated + s²_comparison) / 2)``, the pooled
    standard deviation of Austin (2009), with ``s²`` the sample variance (n - 1) for a continuous
    covariate and ``p (1 - p)`` for a 0/1 indicator. The means after adjustment are weighted; the
    denominator is that of the unadjusted groups both before and after, so that a change in ``d``
    is a change in the means alone (Stuart 2010, sec. 4.1; cobalt's default). A column constant in
    both groups has ``d = 0``. |d| < 0.1 is the usual mark of balance (Austin 2009).

    References
    ----------
    Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
    between treatment groups in propensity-score matched samples. Stat Med 28:3083–3107.
    Stuart EA (2010). Matching methods for causal inference: a review and a look forward. Stat
    Sci 25:1–21.
    """
    t = np.asarray(treated).astype(int)
    w = np.asarray(weights, dtype=float)
    x = covariates.to_numpy(dtype=float)
    if x.shape[0] != len(t) or len(w) != len(t):
        raise ValueError("give one covariate row, one treatment value and one weight per unit")
    if np.isnan(x).any():
        bad = [c for c in covariates.columns if covariates[c].isna().any()]
        raise ValueError(f"covariate(s) {', '.join(bad)} have missing values: fill or drop them before balance")
    a, b = t == 1, t == 0
    binary = np.all(np.isin(x, (0.0, 1.0)), axis=0)
    m1, m0 = x[a].mean(axis=0), x[b].mean(axis=0)
    v1 = np.where(binary, m1 * (1 - m1), x[a].var(axis=0, ddof=1) if a.sum() > 1 else 0.0)
    v0 = np.where(binary, m0 * (1 - m0), x[b].var(axis=0, ddof=1) if b.sum() > 1 else 0.0)
    sd = np.sqrt((v1 + v0) / 2)
    wm1 = np.average(x[a], axis=0, weights=w[a]) if w[a].sum() > 0 else np.full(x.shape[1], np.nan)
    wm0 = np.average(x[b], axis=0, weights=w[b]) if w[b].sum() > 0 else np.full(x.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(sd > 0, (m1 - m0) / sd, 0.0)
        after = np.where(sd > 0, (wm1 - wm0) / sd, 0.0)
    return pd.DataFrame(
        {
            "treated_before": m1,
            "comparison_before": m0,
            "smd_before": before,
            "treated_after": wm1,
            "comparison_after": wm0,
            "smd_after": after,
        },
        index=pd.Index(covariates.columns, name="covariate"),
    )


def effective_sample_sizes(treated: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Kish's effective sample size of each group, ``(sum w)² / sum w²`` over its units with a
    positive weight (Kish 1965, sec. 11.7): ``{"treated": …, "comparison": …}``.

    References
    ----------
    Kish L (1965). Survey Sampling. New York: Wiley.
    """
    t = np.asarray(treated).astype(int)
    w = np.asarray(weights, dtype=float)
    out = {}
    for name, group in (("treated", 1), ("comparison", 0)):
        k = (t == group) & (w > 0)
        out[name] = effective_sample_size(w[k]) if k.any() else 0.0
    return out

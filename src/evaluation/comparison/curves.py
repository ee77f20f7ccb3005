"""Weighted Aalen–Johansen cumulative incidence with competing risks, and the difference and
ratio of two weighted curves with a cluster bootstrap interval."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "CumulativeIncidence",
    "CurveContrast",
    "contrast_causes",
    "contrast_curves",
    "weighted_cumulative_incidence",
]


@dataclass(frozen=True)
class CumulativeIncidence:
    """A weighted Aalen–Johansen estimate.

    ``times``: every distinct observed time (days), ascending; ``cif[j, c]``: the probability of an
    exit of cause ``causes[c]`` by ``times[j]`` (share 0..1, right-continuous); ``survival[j]``: of
    no exit by ``times[j]``; ``n_risk[j]``: the weight at risk just before ``times[j]``.
    """

    times: np.ndarray
    cif: np.ndarray
    survival: np.ndarray
    n_risk: np.ndarray
    causes: tuple[int, ...]

    def at(self, horizons: Sequence[float], cause: int) -> np.ndarray:
        """The cumulative incidence of ``cause`` at each horizon (days); NaN beyond the last
        observed time (outside follow-up) unless every row had exited by then."""
        h = np.asarray(horizons, dtype=float)
        column = self.cif[:, self.causes.index(cause)]
        j = np.searchsorted(self.times, h, side="right") - 1
        out = np.where(j >= 0, column[np.maximum(j, 0)], 0.0)
        return np.where((h > self.times[-1]) & (self.survival[-1] > 0), np.nan, out)


def weighted_cumulative_incidence(
    time: np.ndarray, status: np.ndarray, weights: np.ndarray | None = None, *, causes: Sequence[int] | None = None
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of each cause with case weights.

    Parameters
    ----------
    time : (n,) array
        Days from time zero to the exit or censoring.
    status : (n,) array of int
        0 censored, 1, 2, … the competing causes.
    weights : (n,) array, optional
        Non-negative case weights (matching or odds weights); default 1.
    causes : sequence of int, optional
        The causes to report (default: those observed); a cause not observed has incidence 0.

    Returns
    -------
    CumulativeIncidence

    Notes
    -----
    At each distinct time t with weighted risk set Y(t) and weighted exits d_k(t):
    ``S(t) = S(t-) (1 - sum_k d_k(t) / Y(t))`` and ``F_k(t) = F_k(t-) + S(t-) d_k(t) / Y(t)``; exits
    of every cause at the same time are handled together (exact under ties), censorings at t are
    at risk at t (Aalen and Johansen 1978; with weights, e.g. Neumann and Billionnet 2016). Equals
    ``survival::survfit(Surv(time, factor(status)) ~ 1, weights = w)`` to 1e-10 on mgus2 with
    non-integer weights (``tests/reference/weighted_aj.R``). No variance here: the interval of a
    contrast comes from :func:`contrast_curves`.
    """
    t = np.asarray(time, dtype=float)
    s = np.asarray(status).astype(int)
    w = np.ones_like(t) if weights is None else np.asarray(weights, dtype=float)
    if not (t.shape == s.shape == w.shape):
        raise ValueError("give one time, one status and one weight per row")
    if len(t) == 0:
        raise ValueError("no rows to estimate a cumulative incidence from")
    if np.any(t < 0) or np.any(~np.isfinite(t)):
        raise ValueError("times must be finite and non-negative (days from time zero)")
    if np.any(w < 0) or np.any(~np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    if np.any(s < 0):
        raise ValueError("status must be 0 (censored) or a positive cause code")
    causes = tuple(sorted(set(s[s > 0].tolist()))) if causes is None else tuple(causes)
    times, index = np.unique(t, return_inverse=True)
    index = index.ravel()
    total = np.bincount(index, weights=w, minlength=len(times))
    n_risk = np.cumsum(total[::-1])[::-1]
    exits = np.zeros((len(times), len(causes)))
    for c, cause in enumerate(causes):
        exits[:, c] = np.bincount(index[s == cause], weights=w[s == cause], minlength=len(times))
    any_exit = np.bincount(index[s > 0], weights=w[s > 0], minlength=len(times))
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = np.where(n_risk > 0, any_exit / n_risk, 0.0)
        cause_hazard = np.where(n_risk[:, None] > 0, exits / n_risk[:, None], 0.0)
    survival = np.cumprod(1 - hazard)
    before = np.concatenate([[1.0], survival[:-1]])
    cif = np.cumsum(before[:, None] * cause_hazard, axis=0)
    return CumulativeIncidence(times=times, cif=cif, survival=survival, n_risk=n_risk, causes=causes)


@dataclass(frozen=True)
class CurveContrast:
    """Two weighted curves of one cause at given horizons, their difference (treated minus
    comparison, share 0..1) and ratio, each with a percentile bootstrap interval."""

    horizons: np.ndarray
    cause: int
    treated: np.ndarray
    comparison: np.ndarray
    difference: np.ndarray
    difference_lower: np.ndarray
    difference_upper: np.ndarray
    ratio: np.ndarray
    ratio_lower: np.ndarray
    ratio_upper: np.ndarray
    reps: int
    seed: int
    clusters: int
    method: str


def contrast_curves(
    time: np.ndarray,
    status: np.ndarray,
    treated: np.ndarray,
    weights: np.ndarray,
    horizons: Sequence[float],
    *,
    cause: int = 1,
    cluster: np.ndarray | None = None,
    reps: int = 200,
    seed: int = 2025,
    level: float = 0.95,
    reweigh: Callable[[np.ndarray], np.ndarray] | None = None,
) -> CurveContrast:
    """Difference and ratio of the weighted cumulative incidence of the treated and of the
    weighted comparisons at ``horizons``, with percentile bootstrap intervals.

    Parameters
    ----------
    time, status, treated, weights : (n,) arrays
        One row per person per trial; ``weights`` from matching or odds weighting.
    horizons : sequence of float
        Days; a horizon beyond a group's follow-up gives NaN.
    cause : int
        The exit whose incidence is compared (e.g. 1 = employment).
    cluster : (n,) array, optional
        Person identifiers: a person who appears in several rows (several trials, or as a
        comparison several times) is resampled with all their rows. Default: each row a person.
    reps, seed, level
        Bootstrap replications, the seed of ``numpy.random.default_rng(seed)``, confidence level.
    reweigh : callable, optional
        Given the resampled row numbers, returns their weights (to re-estimate the propensity
        score and redo the matching or weighting in every replicate); default: the rows' weights
        as they are (the design held fixed).

    Returns
    -------
    CurveContrast

    Notes
    -----
    Nonparametric bootstrap of clusters (persons), drawn with replacement from
    ``default_rng(seed)``; the interval is the replicates' (1-level)/2 and (1+level)/2 quantiles
    (percentile method; Efron and Tibshirani 1993, ch. 13; clusters: Davison and Hinkley 1997,
    sec. 3.8). A replicate whose ratio is undefined (comparison incidence 0) makes the ratio's
    interval NaN (not estimable) rather than being dropped. One cause of
    :func:`contrast_causes`, which compares several causes on the same resamples.
    """
    return contrast_causes(
        time,
        status,
        treated,
        weights,
        horizons,
        causes=(cause,),
        cluster=cluster,
        reps=reps,
        seed=seed,
        level=level,
        reweigh=reweigh,
    )[cause]


def contrast_causes(
    time: np.ndarray,
    status: np.ndarray,
    treated: np.ndarray,
    weights: np.ndarray,
    horizons: Sequence[float],
    *,
    causes: Sequence[int] = (1,),
    cluster: np.ndarray | None = None,
    reps: int = 200,
    seed: int = 2025,
    level: float = 0.95,
    reweigh: Callable[[np.ndarray], np.ndarray] | None = None,
) -> dict[int, CurveContrast]:
    """:func:`contrast_curves` for several causes at once: one :class:`CurveContrast` per cause,
    every cause's interval from the same resamples (so that ``reweigh``, which may refit a
    propensity score and redo a matching, runs once per replicate, not once per cause).

    Parameters and Notes as :func:`contrast_curves`; ``causes``: the cause codes compared.
    """
    t = np.asarray(time, dtype=float)
    s = np.asarray(status).astype(int)
    g = np.asarray(treated).astype(int)
    w = np.asarray(weights, dtype=float)
    h = np.asarray(horizons, dtype=float)
    causes = tuple(int(c) for c in causes)
    if reps < 1:
        raise ValueError(f"the bootstrap needs at least one replication, not {reps}")

    def estimate(rows: np.ndarray, wr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        curves = []
        for group in (1, 0):
            k = g[rows] == group
            if not k.any() or wr[k].sum() <= 0:
                curves.append(np.full((len(causes), len(h)), np.nan))
                continue
            fit = weighted_cumulative_incidence(t[rows][k], s[rows][k], wr[k], causes=causes)
            curves.append(np.array([fit.at(h, c) for c in causes]))
        return curves[0], curves[1]

    every = np.arange(len(t))
    treated_cif, comparison_cif = estimate(every, w)
    diffs = np.empty((len(causes), reps, len(h)))
    ratios = np.empty((len(causes), reps, len(h)))
    n_clusters = 0
    for r, (rows, count) in enumerate(_resampled_rows(cluster, len(t), reps, seed)):
        n_clusters = count
        wr = w[rows] if reweigh is None else np.asarray(reweigh(rows), dtype=float)
        a, b = estimate(rows, wr)
        diffs[:, r] = a - b
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[:, r] = a / b
    q = [(1 - level) / 2, (1 + level) / 2]
    out = {}
    for c, cause in enumerate(causes):
        d_lo, d_hi = _quantiles(diffs[c], q)
        r_lo, r_hi = _quantiles(np.where(np.isfinite(ratios[c]), ratios[c], np.nan), q)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = treated_cif[c] / comparison_cif[c]
        out[cause] = CurveContrast(
            horizons=h,
            cause=cause,
            treated=treated_cif[c],
            comparison=comparison_cif[c],
            difference=treated_cif[c] - comparison_cif[c],
            difference_lower=d_lo,
            difference_upper=d_hi,
            ratio=np.where(np.isfinite(ratio), ratio, np.nan),
            ratio_lower=r_lo,
            ratio_upper=r_hi,
            reps=reps,
            seed=seed,
            clusters=n_clusters,
            method=(
                f"percentile bootstrap, {reps} resamples of {n_clusters} persons (clusters), "
                f"numpy default_rng({seed}); weights " + ("re-estimated in each resample" if reweigh else "held fixed")
            ),
        )
    return out


def _resampled_rows(cluster: np.ndarray | None, n: int, reps: int, seed: int):
    """The row numbers of ``reps`` cluster-bootstrap resamples (clusters drawn with replacement
    from ``default_rng(seed)``, each with all its rows), and the number of clusters. The one
    resampling mechanism of the comparison (curves and the placebo outcome)."""
    ids = np.arange(n) if cluster is None else np.unique(np.asarray(cluster), return_inverse=True)[1].ravel()
    order = np.argsort(ids, kind="stable")
    counts = np.bincount(ids)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rng = np.random.default_rng(seed)
    for _ in range(reps):
        drawn = rng.integers(0, len(counts), len(counts))
        sizes = counts[drawn]
        offsets = np.repeat(starts[drawn] - np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
        yield order[np.arange(sizes.sum()) + offsets], len(counts)


def _quantiles(values: np.ndarray, q: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per column quantiles; NaN where any replicate is NaN (not estimable)."""
    lo = np.full(values.shape[1], np.nan)
    hi = np.full(values.shape[1], np.nan)
    for j in range(values.shape[1]):
        col = values[:, j]
        if np.isfinite(col).all():
            lo[j], hi[j] = np.quantile(col, q)
    return lo, hi

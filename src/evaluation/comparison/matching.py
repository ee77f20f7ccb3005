"""Greedy nearest-neighbour matching on a propensity score, as MatchIt's ``method = "nearest"``,
and the effect on the treated from the matched sets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .robust import Effect, weighted_difference

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["Matching", "matched_effect", "nearest_neighbour_match"]


@dataclass(frozen=True)
class Matching:
    """The matched sets.

    ``treated_rows``: the treated units' row numbers (data order); ``matches[i, r]``: the row of
    treated unit ``treated_rows[i]``'s ``r``-th match, -1 where none was found; ``weights``: one per
    row, MatchIt's ``match.data`` weights (treated 1 when matched, a control the sum over the sets
    it is in of 1 / the set's number of controls, 0 when unmatched; the controls' weights then
    scaled to sum to the number of controls matched); ``caliper_width``: the caliper
    in units of the distance (None: no caliper).
    """

    treated_rows: np.ndarray
    matches: np.ndarray
    weights: np.ndarray
    replace: bool
    ratio: int
    caliper_width: float | None

    @property
    def matched_treated(self) -> int:
        """Treated units with at least one match."""
        return int((self.matches[:, 0] >= 0).sum())

    @property
    def unmatched_treated(self) -> int:
        """Treated units left without a match (by the caliper, the exact strata or too few controls):
        the estimand becomes the effect on the matched treated."""
        return int(len(self.treated_rows) - self.matched_treated)

    def subclass(self) -> np.ndarray:
        """Without replacement: each row's matched set (its treated unit's row number), -1 when
        unmatched. With replacement a control may sit in several sets: use :meth:`pairs`."""
        if self.replace:
            raise ValueError("with replacement a control can be in several matched sets: use pairs()")
        out = np.full(len(self.weights), -1)
        ok = self.matches[:, 0] >= 0
        out[self.treated_rows[ok]] = self.treated_rows[ok]
        for i, row in enumerate(self.treated_rows):
            found = self.matches[i][self.matches[i] >= 0]
            out[found] = row
        return out

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One record per unit per matched set, as MatchIt's ``get_matches``: (row, set, weight);
        the set is named by its treated unit's row; treated weight 1, each control 1 / the set's
        number of controls."""
        rows, sets, weights = [], [], []
        for i, row in enumerate(self.treated_rows):
            found = self.matches[i][self.matches[i] >= 0]
            if len(found) == 0:
                continue
            rows += [row, *found]
            sets += [row] * (len(found) + 1)
            weights += [1.0] + [1.0 / len(found)] * len(found)
        return np.array(rows), np.array(sets), np.array(weights)


def nearest_neighbour_match(
    distance: np.ndarray,
    treated: np.ndarray,
    *,
    ratio: int = 1,
    replace: bool = False,
    caliper: float | None = None,
    exact: np.ndarray | None = None,
) -> Matching:
    """Match each treated unit to its ``ratio`` nearest comparison units on ``distance``.

    Parameters
    ----------
    distance : (n,) array
        The score matched on: the propensity score (MatchIt's default) or its logit.
    treated : (n,) array of 0/1
    ratio : int
        Controls per treated unit (k in 1:k matching).
    replace : bool
        Whether a control may be matched to several treated units.
    caliper : float, optional
        In standard deviations of ``distance`` over all units (MatchIt's ``std.caliper = TRUE``;
        the sample SD, n - 1): a match farther than ``caliper * sd`` is not made.
    exact : (n,) array, optional
        A categorical column to match exactly on (controls only from the treated unit's stratum).

    Returns
    -------
    Matching

    Notes
    -----
    The greedy algorithm of MatchIt 4.5 (Ho, Imai, King and Stuart 2011; Stuart 2010): treated
    units in decreasing order of ``distance`` (``m.order = "largest"``, MatchIt's default for a
    propensity score; ties in data order); in ``ratio`` rounds, each takes the available control
    nearest in ``|distance_i - distance_j|`` (ties: the first in data order), not one it already has,
    within the caliper and its exact stratum; without replacement a control once taken is gone.
    Tested to give MatchIt 4.5.1's matched sets and weights (``tests/reference/matchit.R``) through
    its matrix path: Debian's MatchIt 4.5.1, with ``distance = "glm"``, compares the distances with
    an integer ``abs()`` and so ignores the caliper and always takes the neighbour below
    (documented in the test; known upstream as kosukeimai/MatchIt issue 163, "Caliper not working
    as intended on versions 4.5.1 - 4.5.3").
    """
    d = np.asarray(distance, dtype=float)
    t = np.asarray(treated).astype(int)
    if d.shape != t.shape:
        raise ValueError("give one distance and one treatment value per unit")
    if ratio < 1 or int(ratio) != ratio:
        raise ValueError(f"ratio must be a whole number of controls per treated unit (1, 2, …), not {ratio}")
    width = None
    if caliper is not None:
        if caliper <= 0:
            raise ValueError(f"the caliper must be positive (standard deviations of the distance), not {caliper}")
        width = float(caliper * np.std(d, ddof=1))
    strata = (
        np.zeros(len(d), dtype=int) if exact is None else np.unique(np.asarray(exact), return_inverse=True)[1].ravel()
    )
    treated_rows = np.flatnonzero(t == 1)
    control_rows = np.flatnonzero(t == 0)
    order = treated_rows[np.argsort(-d[treated_rows], kind="stable")]
    position = {row: i for i, row in enumerate(treated_rows)}
    matches = np.full((len(treated_rows), ratio), -1)
    available = np.ones(len(control_rows), dtype=bool)
    control_distance = d[control_rows]
    control_strata = strata[control_rows]
    for r in range(ratio):
        for row in order:
            i = position[row]
            ok = available & (control_strata == strata[row])
            if r > 0:
                ok[np.isin(control_rows, matches[i, :r])] = False
            gap = np.abs(control_distance - d[row])
            if width is not None:
                ok &= gap <= width
            if not ok.any():
                continue
            j = np.flatnonzero(ok)[np.argmin(gap[ok])]
            matches[i, r] = control_rows[j]
            if not replace:
                available[j] = False
    weights = np.zeros(len(d))
    for i, row in enumerate(treated_rows):
        found = matches[i][matches[i] >= 0]
        if len(found) == 0:
            continue
        weights[row] += 1.0
        np.add.at(weights, found, 1.0 / len(found))
    used = weights[control_rows] > 0
    if used.any():  # as MatchIt: the controls' weights sum to the number of controls matched
        weights[control_rows] *= used.sum() / weights[control_rows].sum()
    return Matching(
        treated_rows=treated_rows, matches=matches, weights=weights, replace=replace, ratio=ratio, caliper_width=width
    )


def matched_effect(outcome: np.ndarray, matching: Matching, treated: np.ndarray, *, level: float = 0.95) -> Effect:
    """The effect on the (matched) treated: weighted difference in means over the matched sets.

    Parameters
    ----------
    outcome : (n,) array
        Earnings, or a 0/1 indicator (a difference in proportions).
    matching : Matching
    treated : (n,) array of 0/1

    Returns
    -------
    Effect

    Notes
    -----
    Without replacement: ``lm(y ~ treat, weights = weights)`` on the matched units with the
    cluster-robust SE by matched set, ``sandwich::vcovCL(cluster = ~ subclass)`` (HC1 with
    G/(G-1)), as MatchIt's vignette "Estimating effects after matching" recommends (Abadie and
    Spiess 2022). With replacement: the same regression on one record per unit per set
    (``get_matches``) with the two-way cluster-robust SE by set and by unit,
    ``vcovCL(cluster = ~ subclass + id)`` (Austin and Cafri 2020; Cameron, Gelbach and Miller
    2011). The weights (the matching) are taken as fixed. Tested against R on MatchIt's
    ``lalonde`` (``tests/reference/matchit.R``).
    """
    y = np.asarray(outcome, dtype=float)
    t = np.asarray(treated).astype(int)
    if not matching.replace:
        sets = matching.subclass()
        return weighted_difference(
            y,
            t,
            matching.weights,
            clusters=[sets],
            small_sample=True,
            level=level,
            method="matched sets without replacement; SE cluster-robust by set (vcovCL, HC1)",
        )
    rows, sets, weights = matching.pairs()
    return weighted_difference(
        y[rows],
        t[rows],
        weights,
        clusters=[sets, rows],
        small_sample=True,
        level=level,
        method="matched with replacement; SE two-way cluster-robust by set and unit (vcovCL, HC1)",
    )

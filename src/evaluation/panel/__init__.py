"""Panel estimators on any long table (issue 27): a balanced panel named by the caller
(:mod:`.panel`) and synthetic difference-in-differences, synthetic control and
difference-in-differences as the R package synthdid computes them, with its placebo and jackknife
standard errors (:mod:`.sdid`).

References: Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021), "Synthetic
difference-in-differences", American Economic Review 111(12), 4088-4118.
"""

from __future__ import annotations

from .panel import PROP99, Panel, PanelError, prop99
from .sdid import (
    SDIDError,
    SDIDResult,
    did_estimate,
    jackknife_se,
    noise_level,
    placebo_se,
    r_permutations,
    sc_estimate,
    sparsify_weights,
    synthdid_estimate,
)

__all__ = [
    "PROP99",
    "Panel",
    "PanelError",
    "SDIDError",
    "SDIDResult",
    "did_estimate",
    "jackknife_se",
    "noise_level",
    "placebo_se",
    "prop99",
    "r_permutations",
    "sc_estimate",
    "sparsify_weights",
    "synthdid_estimate",
]

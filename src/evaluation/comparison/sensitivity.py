"""Sensitivity to unmeasured confounding: the E-value."""

from __future__ import annotations

import math

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["e_value", "e_value_of_interval"]


def e_value(risk_ratio: float) -> float:
    """The E-value of a risk ratio (VanderWeele and Ding 2017, Ann Intern Med 167:268–274).

    Parameters
    ----------
    risk_ratio : float
        A positive risk ratio.

    Returns
    -------
    float
        The minimum strength of association, on the risk-ratio scale, that an unmeasured
        confounder would need with both treatment and outcome to explain the ratio away:
        ``RR + sqrt(RR (RR - 1))`` for RR ≥ 1, the same of ``1 / RR`` for RR < 1.
    """
    if not risk_ratio > 0 or not math.isfinite(risk_ratio):
        raise ValueError(f"an E-value needs a positive, finite risk ratio, not {risk_ratio}")
    rr = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
    return rr + math.sqrt(rr * (rr - 1))


def e_value_of_interval(lower: float, upper: float) -> float:
    """The E-value of a risk ratio's confidence interval: that of the limit nearest 1, and 1 when
    the interval contains 1 (VanderWeele and Ding 2017)."""
    if not 0 < lower <= upper:
        raise ValueError(f"an interval of a risk ratio needs 0 < lower <= upper, not ({lower}, {upper})")
    if lower <= 1 <= upper:
        return 1.0
    return e_value(lower if lower > 1 else upper)

"""Families of tests: Holm's adjustment of their p-values.

A notebook that prints several p-values for one question gives each family (the log-rank tests
over the groupings, the Cox model's variables, the company–association tests, …) its
Holm-adjusted p-values beside the raw ones, and names one primary result per question; the
rest are secondary and read with their adjusted p-values.

A family is a set of distinct hypotheses of one question: a model's variables, each tested once
(a factor with several levels by one joint Wald test of all its columns,
:func:`evaluation.survival.cox.wald_tests_by_variable`), not its dummy columns.  Diagnostics
(the proportional-hazards tests) are not hypotheses of the evaluation and are not adjusted: an
adjustment would hide a violation; they are read beside their global test.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["holm"]


def holm(pvalues: Iterable[float | None]) -> list[float | None]:
    """Holm's (1979) step-down adjustment of the p-values that exist (``None`` and NaN stay
    ``None`` and do not count in the family): statsmodels' ``multipletests(method="holm")``,
    the same as R's ``p.adjust(method = "holm")``."""
    from statsmodels.stats.multitest import multipletests

    values = list(pvalues)
    present = [i for i, p in enumerate(values) if p is not None and p == p]
    out: list[float | None] = [None] * len(values)
    if present:
        adjusted = multipletests([float(values[i]) for i in present], method="holm")[1]
        for i, p in zip(present, adjusted):
            out[i] = float(p)
    return out

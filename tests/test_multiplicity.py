"""Holm's adjustment, by hand."""

import pytest

from evaluation.multiplicity import holm


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04, 0.20 (m = 4): 4 x 0.01 = 0.04; 3 x 0.03 = 0.09; 2 x 0.04 = 0.08,
    # raised to the running maximum 0.09; 1 x 0.20 = 0.20.  None is not a test of the family.
    assert holm([0.01, 0.04, 0.03, None, 0.20]) == pytest.approx([0.04, 0.09, 0.09, None, 0.20])
    assert holm([0.5, 0.6]) == [1.0, 1.0]  # capped at 1
    assert holm([]) == [] and holm([None, float("nan")]) == [None, None]

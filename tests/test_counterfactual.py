"""The counterfactual estimators: the exact simplex solver against SLSQP, the one-unit TWFE
against statsmodels' OLS with dummies, and an injected effect recovered on the real panel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from evaluation.counterfactual import (
    CounterfactualError,
    _twfe_one_unit,
    _within,
    design,
    did,
    event_study,
    placebo_in_space,
    placebo_p,
    simplex_least_squares,
    synthetic_control,
)
from evaluation.official import load_panel

WINDOW = {"pre_start": "2013-01", "treatment_start": "2016-06", "post_end": "2019-05"}


@pytest.fixture(scope="module")
def panel():
    return load_panel()


@pytest.fixture(scope="module")
def haapavesi(panel):
    return design(panel, "071", **WINDOW, window_end="2020-02")


def _slsqp(A, b):
    n = A.shape[1]

    def loss(w):
        return np.sum((A @ w - b) ** 2)

    def onto_simplex(w):
        # SLSQP's answer can leave the simplex by 1e-11 (sum above 1), which lowers the loss of a
        # treated unit outside the donors' hull: compare on its projection back onto the simplex
        w = np.clip(w, 0, None)
        return w / w.sum()

    best = np.full(n, 1 / n)
    # restarted from its own answer while the loss falls: one run can stop early by 1e-7
    # relative on a vertex solution (seed 3 below, with one BLAS thread); a restart polishes it
    for _ in range(5):
        res = optimize.minimize(
            loss,
            best,
            jac=lambda w: 2 * A.T @ (A @ w - b),
            method="SLSQP",
            bounds=[(0, 1)] * n,
            constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1, "jac": lambda w: np.ones_like(w)}],
            options={"ftol": 1e-16, "maxiter": 2000},
        )
        found = onto_simplex(res.x)
        if loss(found) >= loss(best) * (1 - 1e-15):
            break
        best = found
    return best


def _check_kkt(A, b, w, tol=1e-9):
    """The optimum's certificate: w on the simplex, and every gradient coordinate off the
    support at least the common value on it (which is the same for every support coordinate)."""
    assert w.min() >= 0 and w.sum() == pytest.approx(1, abs=1e-12)
    g = 2 * A.T @ (A @ w - b)
    on = w > 1e-10
    assert np.ptp(g[on]) < tol * max(1, np.abs(g).max())
    assert (g[~on] >= g[on].mean() - tol * max(1, np.abs(g).max())).all()


@pytest.mark.heavy  # an SLSQP reference on the 17-donor design: ~25 s
def test_weights_are_the_exact_optimum_on_the_real_design(haapavesi):
    """Haapavesi, unemployed per 100 in the labour force, 41 pre-period months, 299 donors."""
    A, b = haapavesi.Y[haapavesi.pre][:, 1:], haapavesi.Y[haapavesi.pre, 0]
    w = simplex_least_squares(A, b)
    _check_kkt(A, b, w)
    loss, reference = np.sum((A @ w - b) ** 2), np.sum((A @ _slsqp(A, b) - b) ** 2)
    assert loss <= reference + 1e-9 and abs(loss - reference) < 1e-9


@pytest.mark.heavy  # five SLSQP references: 10-60 s on the shared machine
@pytest.mark.parametrize("seed", range(5))
def test_weights_against_slsqp_on_random_problems(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(30, 60)) + 5
    b = A[:, :3] @ np.array([0.5, 0.3, 0.2]) + rng.normal(scale=0.3, size=30)
    if seed % 2:
        b += 10  # the treated unit outside the donors' hull: a vertex or edge solution
    w = simplex_least_squares(A, b)
    _check_kkt(A, b, w)
    loss, reference = np.sum((A @ w - b) ** 2), np.sum((A @ _slsqp(A, b) - b) ** 2)
    assert loss <= reference * (1 + 1e-12) and loss == pytest.approx(reference, rel=1e-9)


def test_one_unit_twfe_equals_ols_with_dummies():
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    months, units = 24, 6
    Y = rng.normal(size=(months, units)) + np.arange(units) + np.linspace(0, 2, months)[:, None]
    D = np.zeros((months, 2))
    D[8:16, 0], D[16:, 1] = 1, 1  # two event bins of unit 2
    long = pd.DataFrame(
        {"y": Y.ravel(), "unit": np.tile(np.arange(units), months), "month": np.repeat(np.arange(months), units)}
    )
    X = pd.get_dummies(long[["unit", "month"]].astype(str), drop_first=True).astype(float)
    for j in range(2):
        X[f"d{j}"] = np.where(long["unit"] == 2, D[long["month"], j], 0.0)
    fit = sm.OLS(long["y"], sm.add_constant(X)).fit()
    ours = _twfe_one_unit(_within(Y), 2, D)
    assert ours == pytest.approx(fit.params[["d0", "d1"]].to_numpy(), abs=1e-10)


def test_an_injected_effect_is_recovered_and_found(panel):
    """A donor of Haapavesi (Tyrnävä, KU859) as the treated unit: without an injection its
    placebo p-value is large; a fall of 4 points a month from 2016-06 on moves its mean gap by
    exactly -4 (the weights depend on the pre-period only) and is found (p <= 0.05)."""
    d = design(panel, "859", **WINDOW)
    before = synthetic_control(d)
    placebos = placebo_in_space(d)
    p_before = placebo_p(placebos["ratio"].iloc[0], placebos["ratio"].to_numpy()[1:])
    assert p_before > 0.2
    d.Y[d.post, 0] -= 4
    after = synthetic_control(d)
    assert after.weights == pytest.approx(before.weights, abs=1e-12)
    assert after.effect_mean == pytest.approx(before.effect_mean - 4, abs=1e-9)
    placebos = placebo_in_space(d)
    assert placebo_p(placebos["ratio"].iloc[0], placebos["ratio"].to_numpy()[1:]) <= 0.05
    estimate, permutation = did(d)
    assert placebo_p(abs(estimate), np.abs(permutation)) <= 0.05 and estimate < -3


def test_event_study_reference_year_and_window(haapavesi):
    table = event_study(haapavesi)
    assert table.at[-1, "estimate"] == 0 and list(table.index) == [-4, -3, -2, -1, 0, 1, 2]


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"treated": "999"}, "no municipality '999'"),
        ({"post_end": "2023-01"}, "outside the panel's months"),
        ({"pre_start": "2016-01"}, "fewer than 12 months"),
        ({"treated": "Kajaani", "pool": "region"}, "at least 10 are needed"),  # Kainuu: 8 municipalities
    ],
)
def test_bad_designs_are_refused_clearly(panel, kwargs, words):
    args = {"treated": "071", **WINDOW, **kwargs}
    treated = args.pop("treated")
    with pytest.raises((CounterfactualError, LookupError), match=words):
        design(panel, treated, **args)

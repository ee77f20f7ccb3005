"""The panel API and synthdid's estimators on Proposition 99 (issue 27).

References: the R package synthdid 0.0.9 sourced by tests/reference/synthdid.R (commit 70c1ce3 of
github.com/synth-inference/synthdid; its output is tests/reference/synthdid.json), and
Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021), AER 111(12), Table 1: SDID -15.6 (8.4),
SC -19.6 (9.9), DiD -27.3 (17.7), placebo standard errors in parentheses.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from evaluation.panel import (
    PROP99,
    Panel,
    PanelError,
    SDIDError,
    did_estimate,
    jackknife_se,
    noise_level,
    placebo_se,
    prop99,
    r_permutations,
    sc_estimate,
    synthdid_estimate,
)
from evaluation.paths import ROOT

R = json.loads((ROOT / "tests" / "reference" / "synthdid.json").read_text())
ESTIMATORS = {"sdid": synthdid_estimate, "sc": sc_estimate, "did": did_estimate}
#: Arkhangelsky et al. (2021), Table 1: estimate and placebo standard error, packs per capita
PAPER = {"sdid": (-15.6, 8.4), "sc": (-19.6, 9.9), "did": (-27.3, 17.7)}


@pytest.fixture(scope="module")
def panel() -> Panel:
    return prop99()


@pytest.fixture(scope="module")
def fits(panel):
    return {name: f(panel) for name, f in ESTIMATORS.items()}


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["state", "year", "sales"])


def _square(units=("A", "B", "C"), years=(1, 2, 3, 4)) -> pd.DataFrame:
    return _frame([(u, y, 10.0 * i + y) for i, u in enumerate(units) for y in years])


def _long(frame, **kwargs):
    args = dict(unit="state", period="year", outcome="sales", treated_units="A", treatment_start=3)
    return Panel.from_long(frame, **(args | kwargs))


# ----------------------------------------------------------------------------- the data and the panel
def test_the_committed_file_is_the_one_source_md_names():
    digest = hashlib.sha256(PROP99.read_bytes()).hexdigest()
    assert digest in (PROP99.parent / "SOURCE.md").read_text()


def test_prop99_is_39_states_over_31_years_treated_from_1989(panel):
    assert (panel.N0, panel.N1) == (38, 1)
    assert panel.periods == tuple(range(1970, 2001))
    assert (panel.T0, panel.T1) == (1989 - 1970, 2000 - 1989 + 1)  # 1970-1988 before, 1989-2000 after
    assert panel.treated_units == ("California",)
    # synthdid's panel.matrices order: donors sorted by name, then the treated unit
    assert list(panel.units) == R["units"] and (panel.N0, panel.T0) == (R["N0"], R["T0"])
    assert panel.Y[-1, 0] == pytest.approx(123.0)  # California 1970, line 5 of the CSV (by hand)


def test_the_matrix_is_the_long_table_unit_by_period(panel):
    frame = pd.read_csv(PROP99, sep=";")
    for i, state in enumerate(panel.units):
        rows = frame[frame.State == state].sort_values("Year")
        assert (panel.Y[i] == rows.PacksPerCapita.to_numpy()).all()


def test_donors_in_the_given_order_and_other_units_left_out():
    p = _long(_square(("A", "B", "C", "D")), donors=["D", "B"])
    assert p.units == ("D", "B", "A") and p.donors == ("D", "B") and p.N0 == 2
    assert (p.Y[0] == [31, 32, 33, 34]).all() and p.pre_periods == (1, 2) and p.post_periods == (3, 4)


# ----------------------------------------------------------------------------- PanelError
@pytest.mark.parametrize(
    "change, kwargs, expected",
    [
        (lambda f: f.drop(columns="sales"), {}, "no column 'sales' (the outcome column)"),
        (lambda f: f.assign(sales=f.sales.where(f.index != 5)), {}, "row 5, column 'sales': a missing value"),
        (lambda f: f.assign(state=f.state.where(f.index != 2)), {}, "row 2, column 'state': a missing value"),
        (
            lambda f: f.assign(sales=f.sales.astype(object).where(f.index != 6, "n/a")),
            {},
            "row 6, column 'sales': 'n/a'",
        ),
        (
            lambda f: f.assign(sales=f.sales.where(f.index != 1, np.inf)),
            {},
            "row 1, column 'sales': inf is not a finite",
        ),
        (lambda f: pd.concat([f, f.iloc[[4]]]), {}, "unit 'B' has 2 rows for period 1 (row 4 (counted from 0"),
        (lambda f: f.drop(index=[9, 10]), {}, "unit 'C' has no row for period 2, 3; the panel must be balanced"),
        (lambda f: f, {"treated_units": "Z"}, "column 'state': the treated unit 'Z' is not in the table"),
        (lambda f: f, {"treated_units": []}, "no treated unit given"),
        (lambda f: f, {"donors": ["B", "Y"]}, "the donor 'Y' is not in the table"),
        (lambda f: f, {"donors": ["A", "B"]}, "donors: 'A' is also a treated unit"),
        (lambda f: f, {"donors": []}, "no donor unit"),
        (lambda f: f, {"treatment_start": 1}, "treatment_start 1: no period of column 'year' comes before it"),
        (lambda f: f, {"treatment_start": 5}, "treatment_start 5: no period of column 'year' is at or after it"),
        (
            lambda f: f,
            {"treatment_start": "1990"},
            "treatment_start '1990' cannot be compared with the values of column 'year'",
        ),
        (lambda f: f, {"periods_per_year": 0}, "periods_per_year must be a positive integer"),
    ],
)
def test_each_problem_is_one_clear_panel_error(change, kwargs, expected):
    with pytest.raises(PanelError) as caught:
        _long(change(_square()), **kwargs)
    assert expected in str(caught.value)


def test_a_csv_error_names_the_file_and_its_line(tmp_path):
    path = tmp_path / "panel.csv"
    frame = _square().astype({"sales": object})
    frame.loc[3, "sales"] = "x"  # the fourth data row: line 5 with the header on line 1
    frame.to_csv(path, index=False)
    args = dict(unit="state", period="year", outcome="sales", treated_units="A", treatment_start=3)
    with pytest.raises(PanelError, match=r"panel\.csv, line 5, column 'sales': 'x' is not a finite number"):
        Panel.read_csv(path, **args)
    with pytest.raises(PanelError, match="no such file"):
        Panel.read_csv(tmp_path / "missing.csv", **args)


# ----------------------------------------------------------------------------- the estimates
def test_the_noise_level_is_synthdids(panel):
    assert noise_level(panel) == pytest.approx(R["noise_level"], abs=1e-10)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimates_and_weights_equal_r(fits, name):
    fit, ref = fits[name], R[name]
    assert fit.estimate == pytest.approx(ref["estimate"], abs=1e-10)
    np.testing.assert_allclose(fit.omega, ref["omega"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(fit.lambda_, ref["lambda"], rtol=0, atol=1e-10)
    assert fit.options.zeta_omega == pytest.approx(ref["zeta_omega"], rel=1e-12)
    assert fit.options.zeta_lambda == pytest.approx(ref["zeta_lambda"], rel=1e-12)
    assert fit.options.min_decrease == pytest.approx(ref["min_decrease"], rel=1e-12)
    # the same number of Frank-Wolfe iterations in the last round
    assert fit.iterations == {"omega": ref["omega_iterations"], "lambda": ref["lambda_iterations"]}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_estimates_are_the_papers_table_1(fits, name):
    assert round(fits[name].estimate, 1) == PAPER[name][0]


def test_did_is_the_difference_of_the_four_means(panel, fits):
    Y, N0, T0 = panel.Y, panel.N0, panel.T0
    by_hand = (Y[N0:, T0:].mean() - Y[N0:, :T0].mean()) - (Y[:N0, T0:].mean() - Y[:N0, :T0].mean())
    assert fits["did"].estimate == pytest.approx(by_hand, abs=1e-10)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_the_effect_curve_averages_to_the_estimate(fits, name, panel):
    curve = fits[name].effect_curve()
    assert curve.shape == (panel.T1,) and curve.mean() == pytest.approx(fits[name].estimate, abs=1e-10)


def test_sdid_weights_are_sparse_simplex_weights(fits):
    for w in (fits["sdid"].omega, fits["sdid"].lambda_):
        assert (w >= 0).all() and w.sum() == pytest.approx(1, abs=1e-12)
    assert np.count_nonzero(fits["sc"].lambda_) == 0  # SC: no time weights


def _sc_objective(panel, omega, zeta):
    """synthdid's SC problem: ||Y_co,pre' omega - y_tr,pre||^2 + T0 zeta^2 ||omega||^2."""
    A, b = panel.Y[: panel.N0, : panel.T0].T, panel.Y[panel.N0 :, : panel.T0].mean(axis=0)
    return float(np.sum((A @ omega - b) ** 2) + panel.T0 * zeta**2 * np.sum(omega**2))


def test_exact_sc_beside_frank_wolfe(panel, fits):
    """Frank-Wolfe stops early (10 000 iterations on Proposition 99): the exact optimum of the same
    penalised problem fits better, and its estimate is within synthdid's own 3 % tolerance of the
    R package's (tests/testthat/test_against_reference.R compares its solver with CVXR at tol .03)."""
    fw, exact = fits["sc"], sc_estimate(panel, solver="exact")
    zeta = fw.options.zeta_omega
    assert exact.options.zeta_omega == zeta and exact.iterations == {"omega": 0, "lambda": 0}
    assert _sc_objective(panel, exact.omega, zeta) < _sc_objective(panel, fw.omega, zeta)
    # KKT on the simplex: the gradient is equal on the support and no smaller off it
    A, b = panel.Y[: panel.N0, : panel.T0].T, panel.Y[panel.N0 :, : panel.T0].mean(axis=0)
    gradient = 2 * A.T @ (A @ exact.omega - b) + 2 * panel.T0 * zeta**2 * exact.omega
    on = exact.omega > 1e-10
    scale = np.abs(gradient).max()
    assert np.ptp(gradient[on]) < 1e-8 * scale and (gradient[~on] >= gradient[on].mean() - 1e-8 * scale).all()
    # an independent solver (SLSQP) does no better
    slsqp = minimize(
        lambda w: _sc_objective(panel, w, zeta),
        np.full(panel.N0, 1 / panel.N0),
        method="SLSQP",
        bounds=[(0, 1)] * panel.N0,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert _sc_objective(panel, exact.omega, zeta) <= slsqp.fun * (1 + 1e-9)
    assert abs(fw.estimate - exact.estimate) < 0.03 * abs(exact.estimate)
    assert exact.estimate == pytest.approx(float(exact.effect_curve().mean()), abs=1e-10)


def test_a_panel_is_needed_and_weights_must_fit(panel):
    with pytest.raises(SDIDError, match=r"1 pre-period\(s\); the standard deviation of first differences needs"):
        did_estimate(_long(_square(), treatment_start=2))
    with pytest.raises(SDIDError, match="a Panel is needed"):
        synthdid_estimate(panel.Y)
    with pytest.raises(SDIDError, match="omega must have 38 weights, one per donor"):
        synthdid_estimate(panel, omega=np.ones(3) / 3)
    with pytest.raises(SDIDError, match="solver must be"):
        sc_estimate(panel, solver="cvxr")


# ----------------------------------------------------------------------------- standard errors
def test_r_permutations_are_rs_sample_stream():
    expected = np.array(R["sdid"]["placebo_permutations"])
    assert (r_permutations(38, 200, 12345) == expected).all()
    # R 4.2.2 (sample.kind = "Rejection"): set.seed(1); sample(1:5) prints 1 4 3 5 2
    assert r_permutations(5, 1, 1).tolist() == [[1, 4, 3, 5, 2]]


def test_the_did_placebo_se_equals_r_and_the_paper(fits):
    se = placebo_se(fits["did"], 200, seed=12345)
    assert se == pytest.approx(R["did"]["placebo_se"], abs=1e-10)
    assert round(se, 1) == PAPER["did"][1]
    given = placebo_se(fits["did"], permutations=np.array(R["did"]["placebo_permutations"]) - 1)
    assert given == pytest.approx(se, abs=1e-12)


@pytest.mark.parametrize("name", ["sdid", "sc"])
def test_three_placebo_refits_equal_r(fits, name):
    """The first three placebos of R's seed-12345 stream, refitted by Frank-Wolfe (seconds)."""
    assert placebo_se(fits[name], 3, seed=12345) == pytest.approx(R[name]["placebo_se_3"], abs=1e-10)


@pytest.mark.heavy
@pytest.mark.parametrize("name", ["sdid", "sc"])
def test_the_placebo_se_equals_r_and_the_paper(fits, name):
    se = placebo_se(fits[name], 200, seed=12345)
    assert se == pytest.approx(R[name]["placebo_se"], abs=1e-10)
    assert round(se, 1) == PAPER[name][1]


def test_placebo_se_arguments(fits, panel):
    with pytest.raises(SDIDError, match="at most one of seed, permutations and rng"):
        placebo_se(fits["did"], seed=1, rng=np.random.default_rng(1))
    with pytest.raises(SDIDError, match="rows that each hold 0 .. 37 once"):
        placebo_se(fits["did"], permutations=np.zeros((3, 38), dtype=int))
    # numpy's generator: a different stream, the same estimator (DiD's placebo SE is the same
    # order as R's: its 200 draws differ)
    se = placebo_se(fits["did"], 200, rng=np.random.default_rng(2021))
    assert 0.5 * PAPER["did"][1] < se < 2 * PAPER["did"][1]
    one_donor = _long(_square(("A", "B")), treatment_start=4)
    with pytest.raises(SDIDError, match="1 donors for 1 treated units"):
        placebo_se(did_estimate(one_donor))


@pytest.fixture(scope="module")
def three_treated() -> Panel:
    # tests/reference/synthdid.R's check design: three "treated" states from 1989
    frame = pd.read_csv(PROP99, sep=";")
    treated = ["California", "West Virginia", "Wyoming"]
    return Panel.from_long(
        frame, unit="State", period="Year", outcome="PacksPerCapita", treated_units=treated, treatment_start=1989
    )


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_the_jackknife_se_equals_r(three_treated, name):
    ref = R["jackknife"]
    assert list(three_treated.units) == ref["units"]
    fit = ESTIMATORS[name](three_treated)
    assert fit.estimate == pytest.approx(ref[name]["estimate"], abs=1e-10)
    np.testing.assert_allclose(fit.omega, ref[name]["omega"], rtol=0, atol=1e-10)
    assert jackknife_se(fit) == pytest.approx(ref[name]["jackknife_se"], abs=1e-10)


def test_the_jackknife_needs_two_treated_units(fits):
    assert R["jackknife"]["one_treated_unit_is_na"] is True  # synthdid returns NA
    with pytest.raises(SDIDError, match="one treated unit; the jackknife needs two or more"):
        jackknife_se(fits["sdid"])


def test_monthly_periods_and_their_frequency():
    months = pd.period_range("2020-01", periods=6, freq="M")
    frame = _frame([(u, m, float(i + k)) for i, u in enumerate("ABC") for k, m in enumerate(months)])
    p = _long(frame, treatment_start=pd.Period("2020-05", "M"), periods_per_year=12)
    assert (p.T0, p.T1, p.periods_per_year) == (4, 2, 12) and p.post_periods == tuple(months[4:])
    # every unit rises by 1 a month: no effect, and DiD says so
    assert did_estimate(p).estimate == pytest.approx(0, abs=1e-12)


def test_a_table_is_needed():
    with pytest.raises(PanelError, match="a pandas DataFrame is needed, not dict"):
        Panel.from_long(
            {"state": ["A"]}, unit="state", period="year", outcome="sales", treated_units="A", treatment_start=1
        )
    with pytest.raises(PanelError, match="periods_per_year must be a positive integer"):
        _long(_square(), periods_per_year=True)

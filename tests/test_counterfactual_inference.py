"""Issue 24, the counterfactual's inference (notebook 04): the 80 %-power detectable effect and
the Firpo–Possebom confidence set against refitting every placebo, p under each of ADH's MSPE
exclusions by hand, Åland by its region code, the in-time warning, the fixed denominator, the
event-study bins and the periods per year; the conclusion's wording."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.counterfactual import (
    ALAND_REGION,
    Analysis,
    Design,
    SCMResult,
    confidence_set,
    design,
    detectable_effect,
    event_study,
    event_years,
    in_time_comparison,
    in_time_placebo,
    outcome_matrix,
    periods_per_year,
    placebo_in_space,
    placebo_p,
    placebo_p_values,
    power,
    power_curve,
    synthetic_control,
)
from evaluation.official import load_panel

WINDOW = {"pre_start": "2013-01", "treatment_start": "2016-06", "post_end": "2019-05"}
#: Åland's 16 municipalities (Statistics Finland's municipality codes; Mariehamn is 478).
ALAND = {"035", "043", "060", "062", "065", "076", "170", "295", "318", "417", "438", "478", "736", "766", "771", "941"}


@pytest.fixture(scope="module")
def panel():
    return load_panel()


def _tiny(seed=3, units=21, months=30, start=18):
    """A small panel: ``units`` municipalities with a common trend, unit effects and noise;
    the first ``start`` months are the pre-period."""
    rng = np.random.default_rng(seed)
    Y = 8 + rng.normal(0, 2, units)[None, :] + np.linspace(0, -3, months)[:, None] + rng.normal(0, 0.4, (months, units))
    index = pd.period_range("2014-01", periods=months, freq="M")
    return Design("unemployed", Y, [f"KU{k:03d}" for k in range(units)], index, index[start], index[-1], 1000.0)


def _with(d: Design, Y: np.ndarray) -> Design:
    return Design(d.outcome, Y, d.units, d.months, d.treatment_start, d.post_end, d.labour_force)


# ----------------------------------------------------------------------------- 1. power and detectable effect
def _brute_power(d: Design, effect: float, alpha: float, mspe_limit=None) -> float:
    """Each placebo in turn (those within ``mspe_limit`` x the treated unit's pre-MSPE) gets
    ``effect`` in its post-period; every unit is refitted (the whole placebo_in_space again) and
    the placebo is tested against every other placebo (the real treated unit left out): the
    share rejected."""
    pre = placebo_in_space(d)["pre_rmspe"].to_numpy() ** 2
    rejected = []
    for j in range(1, d.Y.shape[1]):
        if mspe_limit is not None and pre[j] > mspe_limit * pre[0]:
            continue
        Y = d.Y.copy()
        Y[d.post, j] += effect
        s = placebo_in_space(_with(d, Y))["signed"].to_numpy()
        others = np.abs(np.delete(s, [0, j]))
        rejected.append(placebo_p(abs(s[j]), others) <= alpha)
    return float(np.mean(rejected))


@pytest.mark.parametrize("effect, limit", [(-0.3, None), (-0.8, None), (-1.5, 5), (0.6, None), (-0.5, 2)])
def test_power_equals_refitting_every_placebo(effect, limit):
    d = _tiny()
    placebos = placebo_in_space(d)
    assert power(placebos, [effect], alpha=0.1, mspe_limit=limit)[0] == pytest.approx(
        _brute_power(d, effect, 0.1, limit), abs=1e-12
    )


def test_detectable_effect_is_where_the_power_first_reaches_80_percent():
    """By brute force on the tiny panel: power below 0.8 on a grid of 0.01 points up to the
    answer, at least 0.8 at it."""
    d = _tiny()
    placebos = placebo_in_space(d)
    mde = detectable_effect(d, placebos, alpha=0.1, mspe_limit=None)
    assert mde is not None and mde < 0
    grid = -np.arange(0.01, -mde - 0.01, 0.01)
    assert all(_brute_power(d, e, 0.1) < 0.8 for e in grid[::5]) and _brute_power(d, mde, 0.1) >= 0.8


def test_detectable_effect_and_confidence_set_do_not_depend_on_an_effect_in_the_data(panel):
    """Tyrnävä (KU859), a donor of Haapavesi, as the treated unit: an injected fall of 4 points
    from 2016-06 on leaves the 80 %-power detectable effect exactly as it was, and moves the
    confidence set by exactly -4 (which it then contains; without the injection it contains 0)."""
    d = design(panel, "859", **WINDOW)
    placebos = placebo_in_space(d)
    mde, ci = detectable_effect(d, placebos), confidence_set(placebos)
    assert ci[0] < 0 < ci[1]
    d.Y[d.post, 0] -= 4
    injected = placebo_in_space(d)
    assert detectable_effect(d, injected) == mde
    low, high = confidence_set(injected)
    assert (low, high) == pytest.approx((ci[0] - 4, ci[1] - 4), abs=1e-9) and low < -4 < high
    assert -4 < mde < -1  # a fall of 4 points is detected with 80 % power, one of 1 point is not


# ----------------------------------------------------------------------------- 1. the confidence set
def test_confidence_set_equals_inverting_the_refitted_test():
    """Firpo and Possebom (2018): the set of constant effects c not rejected when c is
    subtracted from the treated unit's post-period, found here by refitting every unit for each
    c of a grid; the closed form's ends lie between the last grid point kept and the first
    rejected on each side."""
    d = _tiny(seed=5)
    low, high = confidence_set(placebo_in_space(d), alpha=0.1)
    grid = np.linspace(low - 1, high + 1, 81)
    kept = []
    for c in grid:
        Y = d.Y.copy()
        Y[d.post, 0] -= c
        s = placebo_in_space(_with(d, Y))["signed"].to_numpy()
        kept.append(placebo_p(abs(s[0]), np.abs(s[1:])) > 0.1)
    kept = np.array(kept)
    assert kept.any() and (~kept).any()
    assert (grid[kept] >= low - 1e-9).all() and (grid[kept] <= high + 1e-9).all()
    assert (kept == ((grid >= low - 1e-9) & (grid <= high + 1e-9))).all()


# ----------------------------------------------------------------------------- 4. p under each MSPE exclusion
def _placebos_by_hand():
    return pd.DataFrame(
        {
            "pre_rmspe": [1.0, 0.5, 1.2, 2.0, 3.0, 4.0, 5.0],  # MSPE 1 | .25 1.44 4 9 16 25
            "signed": [-2.0, -3.0, 1.0, 2.5, -1.0, 0.5, -4.0],
            "ratio": [3.0, 1.0, 4.0, 2.0, 5.0, 3.0, 0.5],
            "effect_mean": [-2.0, -1.5, 1.2, 5.0, -3.0, 2.0, -20.0],
        }
    )


def test_p_under_each_mspe_exclusion_by_hand():
    """Treated MSPE 1; the placebos' MSPE .25, 1.44, 4, 9, 16, 25: 20x keeps five, 5x three,
    2x two.  |signed| at least 2: placebos 1, 3, 6 -> (1+3)/7; 1, 3 of five -> 3/6; 1, 3 of
    three -> 3/4; 1 of two -> 2/3.  signed at most -2: 1, 6 -> 3/7; 1 -> 2/6, 2/4, 2/3.  ratio
    at least 3: placebos 2, 4, 5 -> 4/7; 2, 4, 5 -> 4/6; 2 -> 2/4; 2 -> 2/3."""
    table = placebo_p_values(_placebos_by_hand()).set_index("mspe_limit", drop=False)
    assert table["placebos"].tolist() == [6, 5, 3, 2]
    assert table["p"].tolist() == pytest.approx([4 / 7, 3 / 6, 3 / 4, 2 / 3], abs=1e-15)
    assert table["one_sided_p"].tolist() == pytest.approx([3 / 7, 2 / 6, 2 / 4, 2 / 3], abs=1e-15)
    assert table["ratio_p"].tolist() == pytest.approx([4 / 7, 4 / 6, 2 / 4, 2 / 3], abs=1e-15)


def test_confidence_set_by_hand():
    """Six placebos, alpha 0.3: (1 + k) / 7 > 0.3 needs k = 2 placebos as extreme; the second
    largest |signed| is 3, so c is kept while |-2 - c| / 1 <= 3: [-5, 1]."""
    assert confidence_set(_placebos_by_hand(), alpha=0.3) == pytest.approx((-5.0, 1.0), abs=1e-15)
    assert confidence_set(_placebos_by_hand(), alpha=0.1) == (-np.inf, np.inf)  # 1/7 > 0.1: nothing rejected


def test_the_placebo_figure_shows_the_placebos_within_5_times_the_mspe():
    import matplotlib.pyplot as plt

    from evaluation.figures import placebo_gaps

    d = _tiny(seed=5)
    placebos = placebo_in_space(d)
    a = Analysis(
        d,
        synthetic_control(d),
        placebos,
        0.5,
        None,
        None,
        None,
        pd.DataFrame(),
        0.0,
        1.0,
        pd.DataFrame(),
        {},
        placebo_p_values(placebos),
        (0.0, 0.0),
    )
    fig = placebo_gaps(a, "X", lang="en")
    grey = [line for line in fig.axes[0].lines if line.get_color() == "#BBBBBB"]
    mspe = placebos["pre_rmspe"].to_numpy() ** 2
    assert len(grey) == int(np.sum(mspe[1:] <= 5 * mspe[0]))
    assert len(grey) != int(np.sum(np.sqrt(mspe[1:]) <= 5 * np.sqrt(mspe[0])))  # 5 x the RMSPE would draw more
    plt.close(fig)


# ----------------------------------------------------------------------------- 3. Åland
def test_aland_is_left_out_of_the_donors_by_its_region_code(panel):
    key = panel.key.set_index("municipality_code")
    assert set(key.index[key["maakunta_code"].astype(int) == ALAND_REGION]) == ALAND
    default = design(panel, "071", **WINDOW)
    assert not {u[2:] for u in default.units} & ALAND
    assert any("Åland" in note for note in default.notes)
    with_aland = design(panel, "071", **WINDOW, exclude_aland=False)
    assert {u[2:] for u in with_aland.units} & ALAND >= {"043"}  # Eckerö among them
    assert len(with_aland.units) - len(default.units) == len({u[2:] for u in with_aland.units} & ALAND)


# ----------------------------------------------------------------------------- 5. the in-time warning
def test_in_time_comparison_says_when_the_fake_start_shows_the_larger_gap():
    real = SCMResult(np.ones(1), np.zeros(3), 0.2, 0.3, -0.23, -0.7)
    fake = SCMResult(np.ones(1), np.zeros(3), 0.2, 0.9, 0.85, 0.9)
    check = in_time_comparison(real, fake)
    assert check["larger"] and check["times"] == pytest.approx(0.85 / 0.23, abs=1e-12)
    assert not in_time_comparison(fake, real)["larger"] and in_time_comparison(real, None) is None


# ----------------------------------------------------------------------------- 6. denominator, bins, periods
def test_the_rate_has_a_fixed_pre_period_denominator(panel):
    """Haapavesi's labour force steps each January (3,045 in July 2016, another value from
    January 2017 on); the outcome x the labour force of May 2016 / 100 is the unemployed count
    of every month."""
    rows = panel.municipalities.loc[panel.municipalities["area"] == "KU071"].set_index("month")
    force = rows["TYOVOIMATK"].astype(float)
    months = pd.period_range("2013-01", "2019-05", freq="M")
    assert force[months].nunique() > 1 and force[pd.Period("2016-07", "M")] == 3045
    y = outcome_matrix(panel, "unemployed", months[0], months[-1], base=pd.Period("2016-05", "M"))["KU071"]
    count = rows.loc[months, "TYOTTOMATLOPUSSA"].astype(float)
    assert (y * force[pd.Period("2016-05", "M")] / 100).to_numpy() == pytest.approx(count.to_numpy(), rel=1e-12)
    d = design(panel, "071", **WINDOW)
    assert d.Y[:, 0] == pytest.approx(y.to_numpy(), rel=1e-12)
    assert d.labour_force == force[pd.Period("2016-05", "M")]


def test_event_study_bins_are_marked_where_partial_or_after_the_project(panel):
    """2013-01..2020-02 from a start in 2016-06: year -4 is 2013-01..2013-05 (5 months), years
    -3..2 are full, year 3 is 2019-06..2020-02 (9 months, after the project's end 2019-05)."""
    d = design(panel, "071", **WINDOW, window_end="2020-02")
    table = event_study(d, pd.Period("2020-02", "M"))
    assert table["periods"].to_dict() == {-4: 5, -3: 12, -2: 12, -1: 12, 0: 12, 1: 12, 2: 12, 3: 9}
    assert table.index[table["partial"]].tolist() == [-4, 3]
    assert table.index[table["after_project"]].tolist() == [3]


def test_periods_per_year_come_from_the_panel():
    """A quarterly design: bins of 4 quarters, the in-time placebo 8 quarters earlier."""
    assert periods_per_year(pd.period_range("2010-01", periods=3, freq="M")) == 12
    quarters = pd.period_range("2010Q1", periods=28, freq="Q")
    assert periods_per_year(quarters) == 4
    rng = np.random.default_rng(0)
    Y = 5 + rng.normal(size=(28, 15))
    d = Design("unemployed", Y, [f"KU{k:03d}" for k in range(15)], quarters, quarters[20], quarters[-1], 100.0)
    assert event_years(d).tolist() == [-5] * 4 + [-4] * 4 + [-3] * 4 + [-2] * 4 + [-1] * 4 + [0] * 4 + [1] * 4
    fake = in_time_placebo(d)  # pre-period 2010Q1..2012Q4 (12 quarters), placebo post 2013Q1..2014Q4
    pre = np.asarray(quarters < quarters[12])
    assert fake.pre_rmspe == pytest.approx(np.sqrt(np.mean(fake.gap[pre] ** 2)), abs=1e-12)
    assert fake.effect_mean == pytest.approx(fake.gap[12:20].mean(), abs=1e-12)


# ----------------------------------------------------------------------------- 2. the conclusion
NBSP = "\u00a0"
METRICS = {
    "counterfactual.name": "Haapavesi",
    "counterfactual.treated": "KU071",
    "counterfactual.alpha": 0.05,
    "counterfactual.donors.n": 290,
    "counterfactual.donors.used": 9,
    "counterfactual.post_end": "2019-05",
    "counterfactual.treatment_start": "2016-06",
    "counterfactual.count_at_start": 402.0,
    "counterfactual.unemployed.scm.effect_end": -0.47,
    "counterfactual.unemployed.scm.effect_end_persons": -14.2,
    "counterfactual.unemployed.scm.effect_mean_persons": -5.7,
    "counterfactual.unemployed.scm.ci_low_persons": -48.2,
    "counterfactual.unemployed.scm.ci_high_persons": 36.7,
    "counterfactual.unemployed.scm.placebo_p": 0.65,
    "counterfactual.unemployed.scm.pre_rmspe": 0.19,
    "counterfactual.unemployed.scm.detectable_persons": -47.5,
}


def test_the_conclusion_leads_with_the_mean_gap_in_persons_and_its_confidence_set():
    from evaluation.counterfactual import conclusion_sentences

    fi = conclusion_sentences(METRICS, "fi")
    assert fi[1] == (
        "Hankkeen aikana (kesäkuu 2016 – toukokuu 2019) kunnassa oli kuukausittain keskimäärin noin 6 "
        f"työtöntä vähemmän kuin verrokissa (ero \u22126 työtöntä, 95{NBSP}%:n luottamusjoukko "
        "\u221248…+37 työtöntä)."
    )
    assert fi[2].startswith(
        "Luottamusjoukko sisältää nollan: yhtä suuria eroja syntyy kunnissa, joissa hanketta ei "
        "ollut (lumetesti p = 0,65)."
    )
    assert fi[3].startswith("Hankkeen lopussa (toukokuu 2019) kunnassa oli noin 14 työtöntä vähemmän kuin verrokissa")
    assert fi[4].startswith(
        f"Tällä asetelmalla vasta noin 48 työttömän vähennys koko kunnan tasolla havaittaisiin "
        f"80{NBSP}%:n todennäköisyydellä."
    )
    en = conclusion_sentences(METRICS, "en")
    assert en[1] == (
        "During the project (June 2016 to May 2019) the town had on average about 6 fewer unemployed a "
        "month than its control (gap \u22126 persons, 95% confidence set \u221248 to +37)."
    )
    assert en[2].startswith("The confidence set includes zero")
    assert en[3].startswith("At the end of the project (May 2019) the town had about 14 fewer unemployed")
    assert en[4].startswith(
        "Only a fall of about 48 unemployed on the whole town would be detected by this design "
        "with 80% probability. The town had 402 unemployed when it started (June 2016)"
    )
    assert fi[4].endswith(
        "Kunnassa oli hankkeen alussa (kesäkuu 2016) 402 työtöntä: pienempi vaikutus jäisi usein "
        "erottumatta kuntatilastossa tavallisesta vaihtelusta, vaikka se olisi todellinen."
    )
    significant = conclusion_sentences(
        METRICS
        | {"counterfactual.unemployed.scm.placebo_p": 0.02, "counterfactual.unemployed.scm.ci_high_persons": -3.0},
        "en",
    )
    assert significant[2].startswith(
        "The gap is larger than in 98% of the placebo municipalities (p = 0.02) and its confidence set excludes zero."
    )


def test_the_conclusion_is_written_once_from_one_catalogue_per_language():
    """Issue 26, 11: the conclusion was written twice, once per language; now one function fills
    it from a catalogue per language, which must hold the same keys with the same placeholders
    (a key missing from one language, or a placeholder only one fills, would fail here)."""
    import string

    from evaluation.counterfactual import CONCLUSION_WORDS

    def fields(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    fi, en = CONCLUSION_WORDS["fi"], CONCLUSION_WORDS["en"]
    assert set(CONCLUSION_WORDS) == {"fi", "en"} and fi.keys() == en.keys()
    assert {k: fields(v) for k, v in fi.items()} == {k: fields(v) for k, v in en.items()}
    assert fields(fi["mean"]) == {"started", "end", "persons", "direction", "gap", "interval"}


def test_power_curve_converts_persons_by_the_fixed_labour_force_and_the_set_is_cut_at_100_points():
    d = _tiny()  # labour force 1,000: 10 persons = 1 point
    placebos = placebo_in_space(d)
    a = Analysis(
        d,
        synthetic_control(d),
        placebos,
        0.5,
        None,
        None,
        None,
        pd.DataFrame(),
        0.0,
        1.0,
        pd.DataFrame(),
        {},
        placebo_p_values(placebos),
        (0.0, 0.0),
    )
    table = power_curve(a, [-5, -10], alpha=0.1)
    assert table["points"].tolist() == [-0.5, -1.0]
    assert table["power_all"].tolist() == power(placebos, [-0.5, -1.0], 0.1, None).tolist()
    assert table["power_5x"].tolist() == power(placebos, [-0.5, -1.0], 0.1, 5).tolist()
    exact = placebos.assign(pre_rmspe=[1.0] + [1e-12] * 20, signed=[-2.0] + [1e12] * 20)
    assert confidence_set(exact, alpha=0.1) == (-100.0, 100.0)


def test_the_conclusion_says_when_the_placebos_are_too_few_to_bound_the_set():
    from evaluation.counterfactual import conclusion_sentences

    unbounded = METRICS | {
        "counterfactual.unemployed.scm.ci_low_persons": None,
        "counterfactual.unemployed.scm.ci_high_persons": None,
    }
    assert conclusion_sentences(unbounded, "fi")[1].endswith(
        "(ero \u22126 työtöntä, lumekuntia on liian vähän luottamusjoukon rajaamiseen)."
    )
    assert conclusion_sentences(unbounded, "en")[1].endswith(
        "(gap \u22126 persons, too few placebo municipalities to bound a confidence set)."
    )


def test_the_event_study_figure_draws_partial_and_after_project_bins_hollow():
    """The tiny panel, 2014-01..2016-06, start 2015-07, project's end 2015-12: year -2 holds
    6 months (partial), -1 is full, 0 holds 12 months of which 6 after the project's end."""
    import matplotlib.pyplot as plt

    from evaluation.figures import event_study_figure

    base = _tiny()
    d = Design(base.outcome, base.Y, base.units, base.months, base.treatment_start, base.months[23], 1000.0)
    events = event_study(d, base.months[-1])
    assert events["periods"].to_dict() == {-2: 6, -1: 12, 0: 12}
    a = Analysis(d, synthetic_control(d), pd.DataFrame(), 0.5, None, None, None, pd.DataFrame(), 0.0, 1.0, events, {})
    fig = event_study_figure(a, "X", lang="en")
    hollow = [line for line in fig.axes[0].lines if line.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and hollow[0].get_xdata().tolist() == [-2, 0]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["-2\n(6 mo)", "-1", "0\n(12 mo)"]
    plt.close(fig)

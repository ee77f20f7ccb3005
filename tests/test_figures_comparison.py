"""The client-level comparison's figures (issue 25): the Love plot, the propensity-score overlap
and the clients' and counterfactual's curves.  Every expected value is written out by hand from
the small inputs here: the words, the order of the rows, the shares of each bin, where a curve
stops, the differences as the figure writes them."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from evaluation.figures import (
    TEXT,
    comparison_curves,
    covariate_label,
    love_plot,
    propensity_overlap,
    save_figure,
    use_style,
)
from evaluation.figures.base import PRINT_WIDTH_MM

# --- the words


#: Every covariate pattern, written out by hand in both languages; the spellings of
#: comparison.study.covariate_table (age^2, sex=F, ...) mean the same.
COVARIATES = {
    "age": ("ikä", "age"),
    "age_squared": ("ikä toiseen", "age squared"),
    "age^2": ("ikä toiseen", "age squared"),
    "sex_F": ("nainen", "woman"),
    "sex_M": ("mies", "man"),
    "sex_X": ("muu sukupuoli", "other sex"),
    "sex=M": ("mies", "man"),
    "health_limitations": ("terveysrajoite", "health limitations"),
    "education_basic": ("perusaste", "basic education"),
    "education_upper_secondary": ("toinen aste", "upper secondary"),
    "education_tertiary": ("korkea-aste", "tertiary education"),
    "education_unknown": ("koulutus ei tiedossa", "education unknown"),
    "education_level=tertiary": ("korkea-aste", "tertiary education"),
    "months_employed_3y": ("työkuukaudet, edeltävät 3 v", "months employed, past 3 yrs"),
    "elapsed_band_0_3": ("työtön 0–3 kk", "unemployed 0–3 months"),
    "elapsed_band_3_6": ("työtön 3–6 kk", "unemployed 3–6 months"),
    "elapsed_band_6_12": ("työtön 6–12 kk", "unemployed 6–12 months"),
    "elapsed_band_12_24": ("työtön 12–24 kk", "unemployed 12–24 months"),
    "elapsed_band_24_plus": ("työtön vähintään 24 kk", "unemployed 24+ months"),
    "elapsed_band=6-12": ("työtön 6–12 kk", "unemployed 6–12 months"),
    "elapsed_band=24+": ("työtön vähintään 24 kk", "unemployed 24+ months"),
    "trial_2016H2": ("vertailu alkoi 7–12/2016", "trial start Jul–Dec 2016"),
    "trial_2017H1": ("vertailu alkoi 1–6/2017", "trial start Jan–Jun 2017"),
    "trial_2019H2": ("vertailu alkoi 7–12/2019", "trial start Jul–Dec 2019"),
    "half_year=2018H1": ("vertailu alkoi 1–6/2018", "trial start Jan–Jun 2018"),
}


@pytest.mark.parametrize("name", sorted(COVARIATES))
def test_every_covariate_pattern_has_its_words_in_both_languages(name):
    fi, en = COVARIATES[name]
    assert covariate_label(name, "fi") == fi
    assert covariate_label(name, "en") == en


@pytest.mark.parametrize(
    "name",
    [
        "income",
        "elapsed_band_6_3",
        "elapsed_band_3",
        "trial_2017H3",
        "trial_17H1",
        "sex_Q",
        "education_doctorate",
        "age_cubed",
    ],
)
def test_a_covariate_without_words_is_refused_by_name(name):
    with pytest.raises(ValueError, match=re.escape(repr(name)) + " has no label"):
        covariate_label(name, "fi")


def test_the_catalogue_has_both_languages_for_every_new_key_and_the_figures_use_only_its_words():
    new = {k for k in TEXT["fi"] if k.startswith("cmp.")}
    assert new == {k for k in TEXT["en"] if k.startswith("cmp.")}
    # one entry per fixed name (age, age², three sexes, health, four education levels, months
    # employed) and the two band patterns and the half-year pattern with its two halves
    assert {k for k in new if k.startswith(("cmp.cov.", "cmp.half."))} == {
        "cmp.cov.age",
        "cmp.cov.age_squared",
        "cmp.cov.sex_F",
        "cmp.cov.sex_M",
        "cmp.cov.sex_X",
        "cmp.cov.health_limitations",
        "cmp.cov.education_basic",
        "cmp.cov.education_upper_secondary",
        "cmp.cov.education_tertiary",
        "cmp.cov.education_unknown",
        "cmp.cov.months_employed_3y",
        "cmp.cov.band",
        "cmp.cov.band_open",
        "cmp.cov.trial",
        "cmp.half.1",
        "cmp.half.2",
    }
    for key in new:
        fi, en = TEXT["fi"][key], TEXT["en"][key]
        assert fi.strip() and en.strip(), key
        assert fi != en, key  # written in each language, not copied
        fields = [{f for _, f, _, _ in string.Formatter().parse(v) if f} for v in (fi, en)]
        assert fields[0] == fields[1], key
    # every key the figure code names is in the catalogue (the f-string keys by their prefix)
    source = (Path(__file__).parents[1] / "src/evaluation/figures/comparison.py").read_text(encoding="utf-8")
    named = set(re.findall(r'text\(\s*"(cmp\.[^"]+)"', source))
    assert named and named <= new
    for prefix in re.findall(r'text\(\s*f"(cmp\.[^"{]+)\{', source):
        assert any(k.startswith(prefix) for k in new), prefix


# --- the Love plot

#: Three covariates by hand: |d| before 0.30, 0.05, 0.20, so top to bottom age, the band, the half-year.
BALANCE = pd.DataFrame(
    {
        "covariate": ["age", "elapsed_band_3_6", "trial_2017H2"],
        "smd_before": [-0.30, 0.05, 0.20],
        "smd_after": [0.02, -0.01, -0.12],
    }
)


def _markers(ax):
    """The before (open) and after (filled) markers: x by row, top row first."""
    found = {}
    for line in ax.get_lines():
        if line.get_marker() == "o":
            order = np.argsort(-np.asarray(line.get_ydata()))
            found[line.get_label()] = list(np.asarray(line.get_xdata())[order])
    return found


@pytest.mark.parametrize(
    "lang, names, before, after",
    [
        ("fi", ["ikä", "vertailu alkoi 7–12/2017", "työtön 3–6 kk"], "ennen vakiointia", "vakioinnin jälkeen"),
        ("en", ["age", "trial start Jul–Dec 2017", "unemployed 3–6 months"], "before adjustment", "after adjustment"),
    ],
)
def test_the_love_plot_draws_absolute_differences_the_most_unbalanced_at_the_top(lang, names, before, after):
    fig = love_plot(BALANCE, lang=lang)
    ax = fig.axes[0]
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]), reverse=True)
    assert [name for _, name in ticks] == names
    drawn = _markers(ax)
    assert drawn[before] == pytest.approx([0.30, 0.20, 0.05])
    assert drawn[after] == pytest.approx([0.02, 0.12, 0.01])
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and set(dashed[0].get_xdata()) == {0.1}
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert legend == [{"fi": "raja 0,1 (Austin 2009)", "en": "threshold 0.1 (Austin 2009)"}[lang], before, after]
    assert ax.get_xlim()[0] == 0


def test_the_love_plot_takes_the_balance_table_indexed_by_covariate():
    """standardized_differences gives the covariates as the index named covariate, and
    covariate_table's names (age^2, sex=M): the same figure."""
    indexed = pd.DataFrame(
        {"smd_before": [0.4, -0.2], "smd_after": [0.05, 0.0]},
        index=pd.Index(["age^2", "sex=M"], name="covariate"),
    )
    ax = love_plot(indexed, lang="en").axes[0]
    ticks = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]), reverse=True)
    assert [name for _, name in ticks] == ["age squared", "man"]


@pytest.mark.parametrize(
    "balance, message",
    [
        (BALANCE.drop(columns="smd_after"), "balance lacks column\\(s\\) smd_after"),
        (BALANCE.iloc[:0], "balance has no rows"),
        (BALANCE.assign(smd_before=[0.1, np.nan, 0.2]), "balance row 2 \\(elapsed_band_3_6\\), column smd_before"),
        (BALANCE.assign(smd_after=[0.1, 0.2, "x"]), "balance row 3 \\(trial_2017H2\\), column smd_after"),
        (BALANCE.assign(covariate=["age", "age", "sex_F"]), "balance has covariate 'age' twice"),
        (BALANCE.assign(covariate=["age", "income", "sex_F"]), "covariate 'income' has no label"),
    ],
)
def test_the_love_plot_refuses_a_bad_table_with_one_message(balance, message):
    with pytest.raises(ValueError, match=message):
        love_plot(balance)


def test_the_love_plot_refuses_a_threshold_that_is_not_positive():
    with pytest.raises(ValueError, match="threshold must be a positive number"):
        love_plot(BALANCE, threshold=0)


# --- the overlap


def test_the_overlap_bars_are_each_groups_shares_on_the_logit_scale_by_hand():
    """Two bins on the logit scale over logit(0.1) = -2.197 .. logit(0.9) = 2.197, split at 0
    (p = 0.5, in the upper bin).  Clients 0.1, 0.1, 0.5, 0.9: 2 and 2 of 4, 50 % each.
    Comparisons 0.1, 0.2, 0.3, 0.5: 3 of 4 in the lower bin, 75 % and 25 %; weighted 1, 1, 2, 4:
    4 of 8 in each, 50 % and 50 %, drawn downwards."""
    fig = propensity_overlap(
        [0.1, 0.1, 0.5, 0.9], [0.1, 0.2, 0.3, 0.5], weights_comparison=[1, 1, 2, 4], bins=2, lang="fi"
    )
    ax = fig.axes[0]
    rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
    bars = [(round(p.get_x() + p.get_width() / 2, 6), p.get_height()) for p in rectangles if p.get_height() != 0]
    half = np.log(9) / 2  # the centre of each bin, |logit(0.9)| / 2
    expected = sorted([(-half, 50), (half, 50), (-half, -75), (half, -25)])
    assert len(bars) == 4
    for (x, height), (x0, height0) in zip(sorted(bars), expected):
        assert x == pytest.approx(x0, abs=1e-6) and height == pytest.approx(height0)
    stairs = [c for c in ax.patches if hasattr(c, "get_data")]
    assert len(stairs) == 1
    values, edges = stairs[0].get_data()[:2]
    assert list(values) == pytest.approx([-50, -50])
    assert list(edges) == pytest.approx([-np.log(9), 0, np.log(9)])
    # ticks written as probabilities at their logits, with a decimal comma
    ticks = dict(zip([t.get_text() for t in ax.get_xticklabels()], ax.get_xticks()))
    assert ticks["0,1"] == pytest.approx(-np.log(9)) and ticks["0,5"] == 0 and ticks["0,9"] == pytest.approx(np.log(9))
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == [
        "asiakkaat (4)",
        "vertailuhenkilöt (4)",
        "vertailuhenkilöt painotettuina",
    ]
    # the shares downwards are labelled as shares, without a minus sign
    fig.canvas.draw()
    assert all(not t.get_text().startswith(("-", "\u2212")) for t in ax.get_yticklabels())


def test_the_overlap_without_weights_draws_no_weighted_outline():
    fig = propensity_overlap([0.2, 0.4], [0.1, 0.3, 0.6], lang="en")
    assert not [c for c in fig.axes[0].patches if hasattr(c, "get_data")]
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["clients (2)", "comparisons (3)"]


def test_a_narrow_range_of_scores_is_ticked_across_its_view():
    """Scores 0.03 .. 0.08 lie between the ticks 0.01 and 0.1 of the first set and reach only
    0.05 of the second, so the axis is ticked at four points across its view."""
    fig = propensity_overlap([0.03, 0.05, 0.08], [0.04, 0.06], bins=5, lang="en")
    ax = fig.axes[0]
    ticks = [float(t.get_text()) for t in ax.get_xticklabels()]
    assert len(ticks) == 4 and ticks == sorted(ticks)
    low, high = ax.get_xlim()
    assert all(low <= np.log(p / (1 - p)) <= high for p in ticks)
    assert 0.02 < ticks[0] and ticks[-1] < 0.1


@pytest.mark.parametrize(
    "treated, comparison, weights, message",
    [
        ([0.2, 1.0], [0.1], None, r"score_treated\[1\] = 1.0: a propensity score must lie strictly between 0 and 1"),
        ([0.2], [0.0, 0.1], None, r"score_comparison\[0\] = 0.0"),
        ([0.2], [0.1, np.nan], None, r"score_comparison\[1\] = nan"),
        ([], [0.1], None, "score_treated is empty"),
        ([0.2], [0.1, 0.3], [1.0], "weights_comparison has 1 values for 2 comparison scores"),
        ([0.2], [0.1, 0.3], [1.0, -1.0], r"weights_comparison\[1\] = -1.0: a weight must be a finite number"),
        ([0.2], [0.1, 0.3], [0.0, 0.0], "weights_comparison are all 0"),
    ],
)
def test_the_overlap_refuses_bad_scores_and_weights_with_one_message(treated, comparison, weights, message):
    with pytest.raises(ValueError, match=message):
        propensity_overlap(treated, comparison, weights_comparison=weights)


# --- the curves

#: By hand: the clients followed to day 20, the counterfactual to day 30.
TIMES = [0, 10, 20, 30, 40]
TREATED = [0.0, 0.10, 0.20, np.nan, np.nan]
COUNTERFACTUAL = [0.0, 0.05, 0.10, 0.15, np.nan]
HORIZONS = {
    "horizons": [15, 25, 35],
    "difference": [0.05, 0.10, np.nan],
    "lower": [-0.01, 0.02, np.nan],
    "upper": [0.11, 0.18, np.nan],
}


def _curves(lang="fi", synthetic=False):
    return comparison_curves(TIMES, TREATED, COUNTERFACTUAL, lang=lang, synthetic=synthetic, **HORIZONS)


def test_the_curves_are_not_drawn_beyond_follow_up():
    ax = _curves().axes[0]
    curves = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert set(curves) == {"asiakkaat", "verrokki: ilman osallistumista"}
    for name, end in (("asiakkaat", 20), ("verrokki: ilman osallistumista", 30)):
        x, y = np.asarray(curves[name].get_xdata(), float), np.asarray(curves[name].get_ydata(), float)
        assert np.isfinite(y).all() and x.max() == end
        assert np.all((np.diff(x) == 0) | (np.diff(y) == 0))  # a step function
    x, y = np.asarray(curves["asiakkaat"].get_xdata(), float), np.asarray(curves["asiakkaat"].get_ydata(), float)
    # step_path: 0 from day 0, a jump at each time, on to the last followed day
    assert list(x) == [0, 0, 0, 10, 10, 20, 20, 20]
    assert list(y) == pytest.approx([0, 0, 0, 0, 10, 10, 20, 20])
    assert ax.get_xlim() == (0, 30)


def test_the_horizons_are_marked_with_the_difference_in_percentage_points():
    """Day 15: both curves followed, 10 % and 5 %: a bracket from 10 to 5 and +5,0 beside it.
    Day 25: the clients' curve has ended (day 20), so no bracket, but the difference the
    estimator gives is written under the axes. Day 35: not estimable."""
    for lang, beside, lines in (
        (
            "fi",
            "+5,0",
            [
                "15 pv: +5,0 (\u22121,0\u00a0\u2026 +11,0)",
                "25 pv: +10,0 (2,0\u201318,0)",
                "35 pv: ei arvioitavissa (seuranta ei riitä)",
            ],
        ),
        (
            "en",
            "+5.0",
            [
                "day 15: +5.0 (\u22121.0 to +11.0)",
                "day 25: +10.0 (2.0\u201318.0)",
                "day 35: not estimable (beyond follow-up)",
            ],
        ),
    ):
        fig = _curves(lang)
        ax = fig.axes[0]
        brackets = [
            line for line in ax.get_lines() if list(line.get_xdata()) == [15, 15] and line.get_linestyle() == "-"
        ]
        assert len(brackets) == 1 and list(brackets[0].get_ydata()) == pytest.approx([10, 5])
        assert [t.get_text() for t in ax.texts] == [beside]
        assert ax.texts[0].xy == pytest.approx((15, 7.5))
        note = fig.axes[2].texts[0].get_text().split("\n")
        assert note[-3:] == lines
        assert note[0].startswith({"fi": "Asiakkaat − verrokki, %-yksikköä", "en": "Clients − counterfactual"}[lang])


def test_a_difference_that_rounds_to_zero_has_no_sign():
    fig = comparison_curves(
        [0, 10], [0, 0.1], [0, 0.1], horizons=[10], difference=[-0.0004], lower=[-0.02], upper=[0.02], lang="fi"
    )
    assert fig.axes[2].texts[0].get_text().split("\n")[-1] == "10 pv: 0,0 (\u22122,0\u00a0\u2026 +2,0)"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"treated": [0, 0.1, np.nan, 0.3, np.nan]}, r"treated\[3\] = 0.3 follows NaN at treated\[2\]"),
        ({"counterfactual": [0, 5, 10, 15, np.nan]}, r"counterfactual\[1\] = 5.0: a cumulative incidence is a share"),
        ({"times": [0, 10, 10, 30, 40]}, r"times\[2\] = 10.0 does not follow times\[1\] = 10.0"),
        ({"treated": [0, 0.1]}, "treated has 2 values for 5 times"),
        ({"lower": [0.0]}, "lower has 1 values for 3 horizons"),
        ({"horizons": [15, np.nan, 35]}, "horizons must be finite days"),
    ],
)
def test_the_curves_refuse_bad_input_with_one_message(change, message):
    given = {"times": TIMES, "treated": TREATED, "counterfactual": COUNTERFACTUAL, **HORIZONS, **change}
    with pytest.raises(ValueError, match=message):
        comparison_curves(given.pop("times"), given.pop("treated"), given.pop("counterfactual"), **given)


# --- all three: languages, the synthetic mark, print size, byte-stable files


def _figures(lang, synthetic):
    yield "love", love_plot(BALANCE, lang=lang, synthetic=synthetic)
    yield (
        "overlap",
        propensity_overlap(
            [0.1, 0.1, 0.5, 0.9], [0.1, 0.2, 0.3, 0.5], weights_comparison=[1, 1, 2, 4], lang=lang, synthetic=synthetic
        ),
    )
    yield "curves", _curves(lang, synthetic)


TITLES = {
    "fi": {
        "love": "Taustatekijöiden tasapaino",
        "overlap": "Propensiteettipistemäärien",
        "curves": "Työllistyminen: asiakkaat ja",
    },
    "en": {
        "love": "Covariate balance",
        "overlap": "Overlap of the propensity scores",
        "curves": "Employment: the clients and",
    },
}


@pytest.mark.parametrize("lang, mark", [("fi", "SYNTEETTINEN AINEISTO"), ("en", "SYNTHETIC DATA")])
def test_each_figure_speaks_its_language_and_carries_the_synthetic_mark(tmp_path, lang, mark):
    use_style()
    other = {"fi": "en", "en": "fi"}[lang]
    for synthetic in (True, False):
        for name, fig in _figures(lang, synthetic):
            svg = save_figure(fig, tmp_path, f"{name}.{synthetic}")["svg"].read_text(encoding="utf-8")
            assert TITLES[lang][name] in svg and TITLES[other][name] not in svg, name
            assert (mark in svg) is synthetic, (name, synthetic)


def test_each_figure_prints_at_the_summary_width_with_no_text_under_7_points(tmp_path):
    """Printed size = font size x (84 mm / the saved figure's width), as in test_figures."""
    from matplotlib.text import Text
    from PIL import Image

    use_style()
    for lang in ("fi", "en"):
        for name, fig in _figures(lang, True):
            texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
            smallest = min(t.get_fontsize() for t in texts)
            png = save_figure(fig, tmp_path, f"{name}.{lang}")["png"]
            with Image.open(png) as image:
                width_mm = image.size[0] / image.info["dpi"][0] * 25.4
            assert width_mm <= PRINT_WIDTH_MM + 0.5, (name, lang, width_mm)  # nothing overhangs the page
            assert smallest * PRINT_WIDTH_MM / width_mm >= 7, (name, lang)
            assert PRINT_WIDTH_MM / width_mm <= 1.25, (name, lang)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_same_data_give_byte_identical_png_and_svg(tmp_path, lang):
    use_style()
    first = {n: save_figure(f, tmp_path / "a", f"{n}.{lang}") for n, f in _figures(lang, True)}
    second = {n: save_figure(f, tmp_path / "b", f"{n}.{lang}") for n, f in _figures(lang, True)}
    for name in first:
        for fmt in ("png", "svg"):
            assert first[name][fmt].read_bytes() == second[name][fmt].read_bytes(), (name, lang, fmt)
        svg = first[name]["svg"].read_text(encoding="utf-8")
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg
        assert b"Software" not in first[name]["png"].read_bytes()[:4096]

"""Figures: byte-stable files, both languages, the synthetic mark, formats by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import another_municipality
from evaluation import load_dataset
from evaluation.describe import outcomes_by_group, subsidy_by_sector
from evaluation.figures import (activation_rate_by_month, clients_by_outcome, placements_by_sector,
                                save_figure, unemployed_by_month, use_style)
from evaluation.paths import DEFAULT_DATASET
from evaluation.text import month_label, number, percent


def all_figures(ds, lang):
    targets = ds.meta.get("targets")
    kw = {"lang": lang, "synthetic": ds.synthetic}
    monthly = {"lang": lang, "synthetic": ds.is_synthetic("monthly"), "official": ds.sources["monthly"] == "official"}
    return {
        "kaavio1": unemployed_by_month(ds.monthly, targets=targets, **monthly),
        "activation": activation_rate_by_month(ds.monthly, targets=targets, **monthly),
        "kaavio2": placements_by_sector(subsidy_by_sector(ds.placements), **kw),
        "outcomes": clients_by_outcome(outcomes_by_group(ds.clients), **kw),
    }


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_same_data_give_byte_identical_png_and_svg(tmp_path, lang):
    use_style()
    ds = load_dataset(DEFAULT_DATASET)
    first = {n: save_figure(f, tmp_path / "a", n) for n, f in all_figures(ds, lang).items()}
    second = {n: save_figure(f, tmp_path / "b", n) for n, f in all_figures(ds, lang).items()}
    for name in first:
        for fmt in ("png", "svg"):
            assert first[name][fmt].read_bytes() == second[name][fmt].read_bytes(), (name, fmt)
        svg = first[name]["svg"].read_text()
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    png = first["kaavio1"]["png"].read_bytes()
    assert b"Software" not in png[:4096]


def test_labels_follow_lang_and_the_synthetic_mark(tmp_path):
    use_style()
    ds = load_dataset(DEFAULT_DATASET)
    fi = save_figure(all_figures(ds, "fi")["kaavio1"], tmp_path, "fi")["svg"].read_text()
    en = save_figure(all_figures(ds, "en")["kaavio1"], tmp_path, "en")["svg"].read_text()
    # the default dataset's monthly series is official: a source line, no synthetic mark (issue 13)
    assert "SYNTEETTINEN" not in fi and "Lähde: TEM, Työnvälitystilasto; Tilastokeskus StatFin 12r5" in fi
    assert "SYNTHETIC" not in en and "Source: Ministry of Economic Affairs and Employment" in en
    assert "pitkäaikaistyöttömät" in fi and "7/2016" in fi and "heinä" not in fi
    assert "long-term unemployed" in en and "Jul 2016" in en
    assert "408" in fi and "249" in fi  # the report's anchors, where the data hold them
    outcomes = save_figure(all_figures(ds, "fi")["outcomes"], tmp_path, "o")["svg"].read_text()
    assert "SYNTEETTINEN AINEISTO" in outcomes and "Lähde" not in outcomes  # the synthetic register
    act = save_figure(all_figures(ds, "fi")["activation"], tmp_path, "act")["svg"].read_text()
    assert "21,5" in act and "43,1" in act


def test_no_mark_on_real_data_and_another_period(tmp_path):
    use_style()
    folder = another_municipality(tmp_path / "town")
    ds = load_dataset(folder)
    ds.meta["synthetic"] = False
    svg = save_figure(all_figures(ds, "en")["kaavio1"], tmp_path, "k1")["svg"].read_text()
    assert "SYNTHETIC" not in svg
    assert "Mar 2020" in svg and "Oct 2021" in svg  # the data's period, not the report's


def test_number_formats_by_hand():
    assert number(21.5, "fi") == "21,5" and number(21.5, "en") == "21.5"
    assert percent(43.1, "fi") == "43,1\u00a0%" and percent(43.1, "en") == "43.1%"
    assert number(1234.5, "fi", 0) == "1\u00a0234"
    assert month_label(pd.Period("2016-07", "M"), "fi") == "7/2016"  # "heinä" reads as "hay"
    assert month_label(pd.Period("2019-03", "M"), "en") == "Mar 2019"
    with pytest.raises(ValueError, match="lang must be"):
        number(1, "sv")


def _segments_are_steps(x, y):
    """Every segment of a drawn path horizontal or vertical."""
    import numpy as np

    dx, dy = np.diff(x), np.diff(y)
    return bool(np.all((dx == 0) | (dy == 0)))


def test_step_path_jumps_at_each_time_by_hand():
    from evaluation.figures import step_path

    x, y = step_path([10, 20, 30], [0.2, 0.5, 0.9], 40)
    assert list(zip(x, y)) == [(0, 0), (10, 0), (10, 0.2), (20, 0.2), (20, 0.5), (30, 0.5),
                               (30, 0.9), (40, 0.9)]


def test_drawn_kaplan_meier_and_cif_curves_are_true_steps():
    """Five clients employed on days 100..500: by hand S(t) = 1 - k/5 after the k-th day, so the
    drawn curve is 60 % on [200, 300), falls to 40 % at day 300 (the median, as in the table)."""
    import numpy as np

    from evaluation.figures import cumulative_incidence_panels, kaplan_meier_with_risk_table
    from evaluation.survival import cumulative_incidence, kaplan_meier, median_time

    time = np.array([100, 200, 300, 400, 500])
    event = np.ones(5, dtype=int)
    km = kaplan_meier(time, event == 1, 0.05)
    assert median_time(km)["median"] == 300
    fig = kaplan_meier_with_risk_table(km, [0, 500], ["5", "0"])
    line = next(a for a in fig.axes[0].get_lines() if a.get_linestyle() == "-")
    x, y = line.get_xdata(), line.get_ydata()
    assert _segments_are_steps(x, y)
    jumps = x[1:][np.diff(y) != 0]
    assert list(jumps) == [100, 200, 300, 400, 500]
    drawn_at = {t: y[np.searchsorted(x, t, side="right") - 1] for t in (250, 300, 350)}
    assert drawn_at == {250: pytest.approx(60), 300: pytest.approx(40), 350: pytest.approx(40)}
    # first point at or below 50 % is the median of the table
    assert x[np.argmax(y <= 50)] == 300

    cif = cumulative_incidence(np.array([10, 20, 20, 30]), np.array([1, 2, 1, 1]), 0.05)
    fig = cumulative_incidence_panels(cif, min_at_risk=1)
    for ax in fig.axes:
        for curve in ax.get_lines():
            assert _segments_are_steps(curve.get_xdata(), curve.get_ydata())
    employment = fig.axes[0].get_lines()[0]
    x, y = employment.get_xdata(), employment.get_ydata()
    # by hand: 1/4 employed at day 10, 2/4 at 20 (the tie: one employed, one other), 3/4 at 30
    assert list(x[1:][np.diff(y) != 0]) == [10, 20, 30]
    assert list(y[np.diff(y, prepend=-1) != 0]) == pytest.approx([0, 25, 50, 75])
    # at risk: 4 at day 10, 3 at day 20, 1 at day 30: with min_at_risk 3 the curves stop at day 30
    # (before its jump), with the default 10 they are not drawn at all
    x = cumulative_incidence_panels(cif, min_at_risk=3).axes[0].get_lines()[0].get_xdata()
    assert x.max() == 30 and list(x[1:][np.diff(cumulative_incidence_panels(cif, min_at_risk=3)
                                                .axes[0].get_lines()[0].get_ydata()) != 0]) == [10, 20]


def test_the_stacked_curves_stop_where_too_few_are_followed_and_say_so():
    import numpy as np

    from evaluation.figures import cumulative_incidence_stacked
    from evaluation.figures.competing_risks import followed_until
    from evaluation.survival import competing_risks_data, cumulative_incidence

    time, event = competing_risks_data(load_dataset(DEFAULT_DATASET).clients)
    cif = cumulative_incidence(time, event)
    end = followed_until(cif, 10)
    # by the data: the first day of an exit or a censoring with fewer than 10 clients still followed
    assert end == next(d for d in np.unique(time) if (time >= d).sum() < 10)
    fig = cumulative_incidence_stacked(cif, min_at_risk=10, risk_times=[0, 180, 365], risk_counts=[150, 120, 90])
    ax = fig.axes[0]
    assert ax.get_xlim()[1] == end
    assert any(t.get_text().startswith(f"käyrät päättyvät päivään {end:.0f}") for t in ax.texts)
    assert [t.get_text() for t in ax.texts if t.get_text() in ("150", "120", "90")] == ["150", "120", "90"]


def test_the_label_catalogue_has_the_same_keys_and_placeholders_in_both_languages():
    import string

    from evaluation.figures import TEXT, text

    assert set(TEXT["fi"]) == set(TEXT["en"])
    fields = {lang: {k: {f for _, f, _, _ in string.Formatter().parse(v) if f} for k, v in TEXT[lang].items()}
              for lang in TEXT}
    assert fields["fi"] == fields["en"]
    assert text("area.title", "fi", base="1/2016") == "Työttömät työnhakijat, 1/2016 = 100"
    with pytest.raises(KeyError):
        text("no.such.key", "fi")
    with pytest.raises(ValueError, match="lang must be 'fi' or 'en'"):
        text("project", "sv")

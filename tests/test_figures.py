"""Figures: byte-stable files, both languages, the synthetic mark, formats by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import another_municipality
from evaluation import load_dataset
from evaluation.describe import outcomes_by_group, subsidy_by_sector
from evaluation.figures import (
    activation_rate_by_month,
    clients_by_outcome,
    placements_by_sector,
    save_figure,
    unemployed_by_month,
    use_style,
)
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


@pytest.mark.heavy  # draws every figure twice: 14-17 s per language on the shared machine
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
    assert list(zip(x, y)) == [(0, 0), (10, 0), (10, 0.2), (20, 0.2), (20, 0.5), (30, 0.5), (30, 0.9), (40, 0.9)]


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
    fig = kaplan_meier_with_risk_table(km, [0, 500], ["5", "0"], min_at_risk=1, min_cell=1)  # no threshold
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
    fig = cumulative_incidence_panels(cif, min_at_risk=1, min_cell=1)
    for ax in fig.axes:
        for curve in ax.get_lines():
            assert _segments_are_steps(curve.get_xdata(), curve.get_ydata())
    employment = fig.axes[0].get_lines()[0]
    x, y = employment.get_xdata(), employment.get_ydata()
    # by hand: 1/4 employed at day 10, 2/4 at 20 (the tie: one employed, one other), 3/4 at 30
    assert list(x[1:][np.diff(y) != 0]) == [10, 20, 30]
    assert list(y[np.diff(y, prepend=-1) != 0]) == pytest.approx([0, 25, 50, 75])
    # followed: 4 at day 10, 3 at day 20, 1 at day 30: with min_at_risk 3 the last day with 3
    # followed is 20, so the curves stop there (its jump drawn, as the tables estimate there);
    # with the default 10 they are not drawn at all
    line = cumulative_incidence_panels(cif, min_at_risk=3, min_cell=1).axes[0].get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    assert x.max() == 20 and list(x[1:][np.diff(y) != 0]) == [10, 20]
    assert max(cumulative_incidence_panels(cif, min_cell=1).axes[0].get_lines()[0].get_xdata()) == 0


def test_the_stacked_curves_stop_where_too_few_are_followed_and_say_so():
    import numpy as np

    from evaluation.figures import cumulative_incidence_stacked
    from evaluation.survival import competing_risks_data, cumulative_incidence

    time, event = competing_risks_data(load_dataset(DEFAULT_DATASET).clients)
    cif = cumulative_incidence(time, event)
    # by the data: the last day of an exit or a censoring with at least 10 clients still followed
    end = max(d for d in np.unique(time) if (time >= d).sum() >= 10)
    fig = cumulative_incidence_stacked(cif, min_at_risk=10, risk_times=[0, 180, 365], risk_counts=[150, 120, 90])
    ax = fig.axes[0]
    assert ax.get_xlim()[1] == end
    assert any(t.get_text().startswith(f"käyrät päättyvät päivään {end:.0f}") for t in ax.texts)
    assert [t.get_text() for t in ax.texts if t.get_text() in ("150", "120", "90")] == ["150", "120", "90"]


def test_the_label_catalogue_has_the_same_keys_and_placeholders_in_both_languages():
    import string

    from evaluation.figures import TEXT, text

    assert set(TEXT["fi"]) == set(TEXT["en"])
    fields = {
        lang: {k: {f for _, f, _, _ in string.Formatter().parse(v) if f} for k, v in TEXT[lang].items()}
        for lang in TEXT
    }
    assert fields["fi"] == fields["en"]
    assert text("area.title", "fi", base="1/2016") == "Työttömät työnhakijat, 1/2016 = 100"
    with pytest.raises(KeyError):
        text("no.such.key", "fi")
    with pytest.raises(ValueError, match="lang must be 'fi' or 'en'"):
        text("project", "sv")


# --- issue 24, item 9: the Kaplan–Meier figure stops where the CIF curves stop, and on real data
# no drawn step rests on fewer than min_cell people


def _drawn_right_ends(ax):
    """The largest x of every line and band the axes draw (the curves, not the axis lines)."""
    import numpy as np

    ends = [float(np.max(line.get_xdata())) for line in ax.get_lines() if len(line.get_xdata()) > 2]
    for band in ax.collections:
        for path in band.get_paths():
            if len(path.vertices):
                ends.append(float(path.vertices[:, 0].max()))
    return ends


def _jumps(line):
    """The x of every vertical segment of a drawn step path."""
    import numpy as np

    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    return x[1:][(np.diff(x) == 0) & (np.diff(y) != 0)]


def _default_register():
    import numpy as np

    from evaluation.survival import competing_risks_data

    time, event = competing_risks_data(load_dataset(DEFAULT_DATASET).clients)
    # by the data: the last day of an exit or a censoring with at least 10 clients still followed
    stop = max(d for d in np.unique(time) if (time >= d).sum() >= 10)
    return time, event, stop


def test_kaplan_meier_stops_where_the_cif_curves_stop():
    from evaluation.figures import cumulative_incidence_stacked, kaplan_meier_with_risk_table
    from evaluation.survival import cumulative_incidence, kaplan_meier

    time, event, stop = _default_register()
    assert stop < time.max()  # the register's longest follow-up lies beyond it
    cif = cumulative_incidence(time, event)
    km = kaplan_meier(time, event == 1)
    risk_times = [0, 180, 365, 730, int(time.max())]
    risk_counts = [str(int((time >= t).sum())) for t in risk_times]
    fig = kaplan_meier_with_risk_table(km, risk_times, risk_counts, cif=cif, synthetic=True)  # min_at_risk 10
    ax = fig.axes[0]
    assert max(_drawn_right_ends(ax)) <= stop and ax.get_xlim()[1] == stop
    stacked = cumulative_incidence_stacked(cif, min_at_risk=10, synthetic=True).axes[0]
    assert ax.get_xlim() == stacked.get_xlim()
    # the numbers at risk after the stop (730 and the last day: 1 client) are not printed
    printed = [t.get_text() for t in ax.texts]
    assert [n for n, t in zip(risk_counts, risk_times) if t <= stop] == [p for p in printed if p.isdigit()]
    assert "1" not in printed
    assert any(t.startswith(f"käyrät päättyvät päivään {stop:.0f}") for t in printed)


def _short_follow_up_register():
    """The frozen synthetic register as if its data had ended on 30 June 2017: clients enrolled
    later dropped, those still without an exit then censored at it (as in test_survival)."""
    clients = load_dataset(DEFAULT_DATASET).clients
    end = pd.Timestamp("2017-06-30")
    clients = clients.loc[clients["enrolled"] <= end].copy()
    left = (end - clients["enrolled"]).dt.days
    late = clients["duration_days"] > left
    return clients.assign(
        duration_days=clients["duration_days"].where(~late, left),
        outcome=clients["outcome"].where(~late, "censored"),
        outcome_group=clients["outcome_group"].where(~late, "censored"),
    )


@pytest.mark.parametrize("register", ["default", "short follow-up"])
def test_every_figure_stops_where_the_tables_stop(register):
    """One rule decides where curves and tables stop (issue 24, items 8 and 9): the last x that
    the stacked, panel, by-group panel and Kaplan–Meier figures draw is
    ``evaluation.survival.followed_until`` of the clients, which is, by hand, the 10th longest
    time (at that day 10 are followed, the day after fewer).  On the short register the
    numbers at risk reach 365 days, beyond the follow-up: the figure is not drawn out to them."""
    import numpy as np

    from evaluation.figures import (
        cumulative_incidence_panels,
        cumulative_incidence_stacked,
        kaplan_meier_with_risk_table,
    )
    from evaluation.survival import (
        competing_risks_data,
        cumulative_incidence,
        cumulative_incidence_by,
        followed_until,
        kaplan_meier,
    )

    clients = load_dataset(DEFAULT_DATASET).clients if register == "default" else _short_follow_up_register()
    time, event = competing_risks_data(clients)
    last = followed_until(time, 10)
    assert last == np.sort(time)[-10]  # by hand
    assert (time >= last).sum() >= 10 and (time > last).sum() < 10 and last < time.max()
    cif = cumulative_incidence(time, event)
    km = kaplan_meier(time, event == 1)
    risk_times = [0, 180, 365]
    risk_counts = [str(int((time >= t).sum())) for t in risk_times]
    figures = {
        "stacked": cumulative_incidence_stacked(cif, risk_times=risk_times, risk_counts=risk_counts, synthetic=True),
        "panels": cumulative_incidence_panels(cif, synthetic=True),
        "km": kaplan_meier_with_risk_table(km, risk_times, risk_counts, cif=cif, synthetic=True),
    }
    for name, fig in figures.items():
        for ax in fig.axes:
            assert max(_drawn_right_ends(ax)) == last, name
            assert ax.get_xlim()[1] == last, name
    # by group: each group's curve stops at the rule's day of its own clients
    groups = {str(k): g for k, g in clients.groupby("long_term_unemployed")}
    by = cumulative_incidence_by(clients, "long_term_unemployed")
    fig = cumulative_incidence_panels(by, by="long_term_unemployed", synthetic=True)
    for ax in fig.axes:
        for line, key in zip(ax.get_lines(), by["group"].unique()):
            own = competing_risks_data(groups[key])[0]
            assert float(np.max(line.get_xdata())) == followed_until(own, 10) == np.sort(own)[-10]


def test_on_real_data_no_curve_has_a_step_made_by_fewer_than_min_cell_people():
    """With min_at_risk 1 (a reader's choice) the curves of real data still stop at the last day
    with at least min_cell = 5 clients at risk; synthetic data are drawn further."""
    from evaluation.figures import (
        cumulative_incidence_panels,
        cumulative_incidence_stacked,
        kaplan_meier_with_risk_table,
    )
    from evaluation.survival import cumulative_incidence, kaplan_meier

    time, event, _ = _default_register()
    thin = max(d for d in set(time) if (time >= d).sum() >= 5)  # by hand from the register
    cif = cumulative_incidence(time, event)
    km = kaplan_meier(time, event == 1)
    real = {"synthetic": False, "min_at_risk": 1, "min_cell": 5}
    for draw in (
        lambda: cumulative_incidence_panels(cif, **real),
        lambda: kaplan_meier_with_risk_table(km, [0, 180], ["150", "61"], cif=cif, **real),
    ):
        fig = draw()
        for ax in fig.axes:
            assert max(_drawn_right_ends(ax)) <= thin
            for line in ax.get_lines():
                assert all((time >= t).sum() >= 5 for t in _jumps(line))
    assert cumulative_incidence_stacked(cif, **real).axes[0].get_xlim()[1] == thin
    synthetic = kaplan_meier_with_risk_table(km, [0, 180], ["150", "61"], synthetic=True, min_at_risk=1)
    assert max(_drawn_right_ends(synthetic.axes[0])) > thin


def test_pooled_steps_by_hand():
    """Events [1, 0, 2, 3, 1, 4] with at least 5 a step: 1+0+2+3 = 6 reach 5 at the 4th time,
    then 1+4 = 5 at the 6th; the rows at times 40 and 60 are drawn, nothing else."""
    from evaluation.figures.competing_risks import pooled_steps

    curve = pd.DataFrame({"time": [10, 20, 30, 40, 50, 60], "events": [1, 0, 2, 3, 1, 4]})
    assert list(pooled_steps(curve, 5)["time"]) == [40, 60]
    assert list(pooled_steps(curve, 1)["time"]) == [10, 20, 30, 40, 50, 60]
    assert list(pooled_steps(curve.iloc[:3], 5)["time"]) == []  # 3 events: no step can be drawn


def test_on_real_data_every_drawn_step_rests_on_at_least_min_cell_events():
    """Counted by hand from the register: between two drawn jumps of a curve lie at least
    min_cell = 5 events of its outcome; the value after each jump is the estimate there."""
    import numpy as np

    from evaluation.figures import (
        cumulative_incidence_panels,
        cumulative_incidence_stacked,
        kaplan_meier_with_risk_table,
        label,
    )
    from evaluation.survival import cumulative_incidence, kaplan_meier
    from evaluation.survival.estimators import EVENT_CODES

    time, event, _ = _default_register()
    cif = cumulative_incidence(time, event)
    km = kaplan_meier(time, event == 1)

    def assert_pooled(line, code):
        jumps = _jumps(line)
        assert len(jumps) >= 1
        edges = np.concatenate([[-1.0], jumps])
        events = [int(((time > a) & (time <= b) & (event == code)).sum()) for a, b in zip(edges[:-1], edges[1:])]
        assert min(events) >= 5, (line.get_label(), events)

    fig = kaplan_meier_with_risk_table(km, [0, 180], ["150", "61"], cif=cif, synthetic=False, min_cell=5)
    solid, dashed = [line for line in fig.axes[0].get_lines() if line.get_linestyle() in ("-", "--")]
    for line in (solid, dashed):
        assert_pooled(line, EVENT_CODES["employment"])
    x, y = np.asarray(solid.get_xdata(), float), np.asarray(solid.get_ydata(), float)
    assert len(_jumps(solid)) > 3
    after = {t: y[np.flatnonzero(x == t)[-1]] for t in _jumps(solid)}
    table = km.set_index("time")["survival"]
    assert all(after[t] == pytest.approx(100 * table[t]) for t in after)  # merged, not altered
    codes = {label(cause, "fi"): code for cause, code in EVENT_CODES.items()}
    for ax in cumulative_incidence_panels(cif, synthetic=False, min_cell=5).axes:
        assert_pooled(ax.get_lines()[0], codes[ax.get_title()])
    note = [t.get_text() for t in cumulative_incidence_stacked(cif, synthetic=False).axes[0].texts]
    assert any("jokainen porras yhdistää vähintään 5 tapahtumaa" in t for t in note)
    # synthetic data: every event its own step (the register's first days have single events)
    fig = kaplan_meier_with_risk_table(km, [0, 180], ["150", "61"], synthetic=True)
    first = _jumps(fig.axes[0].get_lines()[0])[0]
    assert first == time[event == 1].min()


# --- issue 24, item 16: legends, titles, the 50 % line; text at least 7 pt where the summary prints


def test_groups_are_named_in_both_languages_and_the_title_says_what_is_compared():
    from evaluation.figures import cumulative_incidence_panels
    from evaluation.survival import cumulative_incidence_by

    clients = load_dataset(DEFAULT_DATASET).clients
    by = cumulative_incidence_by(clients, "long_term_unemployed")
    overall = cumulative_incidence_by(clients).drop(columns="group")
    for lang, names, compared in (
        ("fi", ["Ei pitkäaikaistyötön", "Pitkäaikaistyötön"], "Pitkäaikaistyöttömät ja muut"),
        ("en", ["Not long-term unemployed", "Long-term unemployed"], "Long-term unemployed and others"),
    ):
        fig = cumulative_incidence_panels(by, by="long_term_unemployed", lang=lang, synthetic=True)
        legend = fig.axes[0].get_legend()
        assert [t.get_text() for t in legend.get_texts()] == names  # groupby order: False, True
        title = fig.get_suptitle()
        assert title.startswith(compared + ":")
        assert title != cumulative_incidence_panels(overall, lang=lang, synthetic=True).get_suptitle()


def test_the_stacked_legend_lists_the_layers_top_to_bottom():
    import numpy as np
    from matplotlib.colors import to_hex

    from evaluation.figures import cumulative_incidence_stacked, label
    from evaluation.survival import cumulative_incidence

    time, event, _ = _default_register()
    ax = cumulative_incidence_stacked(cumulative_incidence(time, event), synthetic=True).axes[0]
    # each layer's top edge, averaged over the drawn days: the higher the layer, the higher its mean
    layers = [
        (float(np.mean(c.get_paths()[0].vertices[:, 1])), to_hex(c.get_facecolor()[0], keep_alpha=False))
        for c in ax.collections
    ]
    top_down = [colour for _, colour in sorted(layers, reverse=True)]
    legend = ax.get_legend()
    assert [to_hex(h.get_facecolor(), keep_alpha=False) for h in legend.legend_handles] == top_down
    assert [t.get_text() for t in legend.get_texts()][-1] == label("employment", "fi")  # the bottom layer


def test_the_dotted_50_percent_lines_are_labelled():
    from evaluation.figures import continuation_rate_by_sector, kaplan_meier_with_risk_table
    from evaluation.sectors import continuation_by_sector
    from evaluation.survival import kaplan_meier

    time, event, _ = _default_register()
    km = kaplan_meier_with_risk_table(kaplan_meier(time, event == 1), [0], ["150"], synthetic=True, lang="en")
    rate = continuation_rate_by_sector(continuation_by_sector(load_dataset(DEFAULT_DATASET).placements), synthetic=True)
    for ax, words in ((km.axes[0], "50%: where the curve crosses it is the median"), (rate.axes[0], "50 %: enemmistö")):
        fifty = [line for line in ax.get_lines() if line.get_linestyle() == ":" and set(line.get_ydata()) == {50}]
        assert len(fifty) == 1 and fifty[0].get_label() == words
        assert words in [t.get_text() for t in ax.get_legend().get_texts()]


def _summary_figures():
    """The figures the summary shows (summary.py's sections name them), drawn from the default
    dataset and the official panel."""
    from types import SimpleNamespace

    from evaluation.counterfactual import design, synthetic_control
    from evaluation.figures import (
        clients_by_outcome,
        continuation_rate_by_sector,
        synthetic_control_paths,
        unemployed_indexed_by_area,
    )
    from evaluation.official import area_series, load_panel
    from evaluation.sectors import continuation_by_sector

    ds = load_dataset(DEFAULT_DATASET)
    panel = load_panel()
    d = design(panel, "071", pre_start="2013-01", treatment_start="2016-06", post_end="2019-05", window_end="2020-02")
    analysis = SimpleNamespace(design=d, scm=synthetic_control(d), durability={})
    for lang in ("fi", "en"):
        yield f"clients_by_outcome.{lang}", clients_by_outcome(outcomes_by_group(ds.clients), lang=lang, synthetic=True)
        yield (
            f"continuation_rate_by_sector.{lang}",
            continuation_rate_by_sector(continuation_by_sector(ds.placements), lang=lang, synthetic=True),
        )
        yield (
            f"unemployed_indexed_by_area.{lang}",
            unemployed_indexed_by_area(
                area_series(panel, "071", "2016-07", "2019-03", base="2016-07"),
                lang=lang,
                base="2016-07",
                period=("2016-07", "2019-03"),
            ),
        )
        yield f"counterfactual_paths.{lang}", synthetic_control_paths(analysis, "Haapavesi", lang=lang)


def test_the_summary_prints_every_text_of_its_figures_at_7_points_or_more(tmp_path):
    """Printed size = font size x (the width the summary shows the figure at / the saved
    figure's width); the summary's CSS gives the width, the saved PNG its pixels and dpi."""
    import re

    from matplotlib.text import Text
    from PIL import Image

    from evaluation import summary
    from evaluation.figures import save_figure

    shown_mm = float(re.search(r"figure img \{[^}]*width: ([\d.]+)mm", summary.CSS).group(1))
    use_style()
    for name, fig in _summary_figures():
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        sizes = [t.get_fontsize() for t in texts]
        png = save_figure(fig, tmp_path, name)["png"]
        with Image.open(png) as image:
            width_in = image.size[0] / image.info["dpi"][0]
        scale = (shown_mm / 25.4) / width_in
        smallest = min(sizes) * scale
        assert smallest >= 7, (name, f"{min(sizes)} pt drawn, {smallest:.1f} pt printed; figure {width_in:.2f} in")
        assert scale <= 1.25, (name, "drawn far smaller than shown: the summary enlarges it")


@pytest.mark.heavy  # draws every print figure twice: ~22 s on the shared machine
def test_figures_at_print_size_are_byte_stable(tmp_path):
    use_style()
    first = {n: save_figure(f, tmp_path / "a", n) for n, f in _summary_figures()}
    second = {n: save_figure(f, tmp_path / "b", n) for n, f in _summary_figures()}
    for name in first:
        for fmt in ("png", "svg"):
            assert first[name][fmt].read_bytes() == second[name][fmt].read_bytes(), (name, fmt)

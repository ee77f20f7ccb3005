"""Figures: byte-stable files, both languages, the synthetic mark, formats by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import another_municipality
from evaluation import load_dataset
from evaluation.describe import outcomes_by_group, subsidy_by_sector
from evaluation.figures import (activation_rate_by_month, clients_by_outcome, month_label, number,
                                percent, placements_by_sector, save_figure, unemployed_by_month,
                                use_style)
from evaluation.paths import DEFAULT_DATASET


def all_figures(ds, lang):
    targets = ds.meta.get("targets")
    kw = {"lang": lang, "synthetic": ds.synthetic}
    return {
        "kaavio1": unemployed_by_month(ds.monthly, targets=targets, **kw),
        "activation": activation_rate_by_month(ds.monthly, targets=targets, **kw),
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
    assert "SYNTEETTINEN AINEISTO" in fi and "pitkäaikaistyöttömät" in fi and "heinä 2016" in fi
    assert "SYNTHETIC DATA" in en and "long-term unemployed" in en and "Jul 2016" in en
    assert "408" in fi and "249" in fi  # the report's anchors, where the data hold them
    act = save_figure(all_figures(ds, "fi")["activation"], tmp_path, "act")["svg"].read_text()
    assert "21,5" in act and "43,1" in act


def test_no_mark_on_real_data_and_another_period(tmp_path):
    use_style()
    folder = another_municipality(tmp_path / "town")
    ds = load_dataset(folder)
    ds.meta["synthetic"] = False
    svg = save_figure(all_figures(ds, "en")["kaavio1"], tmp_path, "k1")["svg"].read_text()
    assert "SYNTHETIC" not in svg
    assert "03/2020" in svg and "10/2021" in svg  # the data's period, not the report's


def test_number_formats_by_hand():
    assert number(21.5, "fi") == "21,5" and number(21.5, "en") == "21.5"
    assert percent(43.1, "fi") == "43,1\u00a0%" and percent(43.1, "en") == "43.1%"
    assert number(1234.5, "fi", 0) == "1\u00a0234"
    assert month_label(pd.Period("2016-07", "M"), "fi") == "heinä 2016"
    assert month_label(pd.Period("2019-03", "M"), "en") == "Mar 2019"
    with pytest.raises(ValueError, match="lang must be"):
        number(1, "sv")

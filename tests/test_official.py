"""The official panel (StatFin 12r5): loading, validation, municipal series, by hand from FACTS.md."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from evaluation.dataset import municipality_code
from evaluation.official import (
    SERVICES,
    PanelError,
    area_codes,
    context,
    context_metrics,
    find_municipality,
    like_months,
    load_panel,
    monthly_series,
    municipal_spread,
    trend_benchmark,
    trend_sentences,
)
from evaluation.paths import STATFIN


@pytest.fixture(scope="module")
def panel():
    return load_panel()


def test_the_reports_numbers_are_the_official_ones(panel):
    """shared/FACTS.md: Haapavesi 2016-07 408 / 108 / 80, 2019-03 249 / 54 / 34; the country
    378,399 and 238,312; North Ostrobothnia 29,964 and 18,947."""
    rows = panel.data.set_index(["area", "month"])
    at = lambda a, m, c: int(rows.at[(a, pd.Period(m, "M")), c])  # noqa: E731
    assert [at("KU071", "2016-07", c) for c in ("TYOTTOMATLOPUSSA", "PITKAAIKAISTYOTTOMAT", "TYOTTOMAT25")] == [
        408,
        108,
        80,
    ]
    assert [at("KU071", "2019-03", c) for c in ("TYOTTOMATLOPUSSA", "PITKAAIKAISTYOTTOMAT", "TYOTTOMAT25")] == [
        249,
        54,
        34,
    ]
    assert at("SSS", "2016-07", "TYOTTOMATLOPUSSA") == 378_399 and at("SSS", "2019-03", "TYOTTOMATLOPUSSA") == 238_312
    assert at("MK17", "2016-07", "TYOTTOMATLOPUSSA") == 29_964 and at("MK17", "2019-03", "TYOTTOMATLOPUSSA") == 18_947
    assert panel.months[0] == pd.Period("2006-01", "M") and panel.data["area"].nunique() == 414


def test_suppressed_cells_are_missing_and_hold_one_to_four(panel):
    """The activation-rate bounds rest on this: no published count between 1 and 4, zeros shown."""
    counts = panel.data[[v for v in panel.variables if v != "TYOTOSUUS"]]
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    assert not ((values >= 1) & (values <= 4)).any()
    assert (values == 0).any() and np.isnan(values).any()


def test_trend_benchmark_by_hand(panel):
    """Had Haapavesi followed the rest of the country: 408 x (238,312 - 249) / (378,399 - 408)
    = 257.0 (FACTS.md, the whole country: about 257); the rest of North Ostrobothnia:
    408 x (18,947 - 249) / (29,964 - 408)."""
    table = trend_benchmark(panel, "071", "2016-07", "2019-03")
    assert table.at["country", "expected_end"] == pytest.approx(408 * (238_312 - 249) / (378_399 - 408))
    assert table.at["region", "expected_end"] == pytest.approx(408 * (18_947 - 249) / (29_964 - 408))
    assert table.at["country", "actual_end"] == 249
    assert list(table["code"]) == ["SK175", "MK17", "SSS"]


@pytest.mark.parametrize("written", ["071", "71", "KU071", 71, " ku071 "])
def test_municipality_codes_are_text(written):
    assert municipality_code(written) == "071"


def test_municipality_by_code_or_name(panel):
    assert find_municipality(panel, "Haapavesi")["municipality_code"] == "071"
    assert find_municipality(panel, "69")["municipality_name_fi"] == "Haapajärvi"
    assert area_codes(panel, "071") == {
        "municipality": "KU071",
        "subregion": "SK175",
        "region": "MK17",
        "country": "SSS",
    }
    with pytest.raises(LookupError, match="did you mean Haapavesi"):
        find_municipality(panel, "Haapavesj")


def test_monthly_series_and_activation_bounds_by_hand(panel):
    """June 2016: 402 unemployed; services 33 + 0 + 9 + 5 + (suppressed) + 56 = 103 + s, s in 1..4:
    103 + 1 = 104 / 506 = 20.55 % and 107 / 509 = 21.02 %.  Haapajärvi July 2016 has no suppressed
    service cell: the rate is exact."""
    m = monthly_series(panel, "071", "2016-06", "2016-07")
    june = m.iloc[0]
    assert (june["unemployed"], june["labour_force"]) == (402, 3045)
    assert pd.isna(june["activation_rate"])
    assert june["activation_rate_lower"] == round(100 * 104 / 506, 2)
    assert june["activation_rate_upper"] == round(100 * 107 / 509, 2)
    other = monthly_series(panel, "Haapajärvi", "2016-07", "2016-07").iloc[0]
    raw = panel.data.loc[(panel.data["area"] == "KU069") & (panel.data["month"] == pd.Period("2016-07", "M"))].iloc[0]
    services = sum(int(raw[c]) for c in SERVICES)
    assert other["activation_rate"] == round(100 * services / (int(raw["TYOTTOMATLOPUSSA"]) + services), 2)
    with pytest.raises(ValueError, match="outside the panel's months 2006-01..2022-02"):
        monthly_series(panel, "071", "2016-01", "2023-01")


def _damaged(tmp_path, edit):
    lines = gzip.open(STATFIN / "statfin_tyonv_12r5.csv.gz", "rt", encoding="utf-8").read().splitlines()
    lines = edit(lines)
    path = tmp_path / "panel.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    with pytest.raises(PanelError) as info:
        load_panel(file=path)
    return info.value


def test_panel_validation_names_each_bad_row(tmp_path):
    def edit(lines):
        lines[2] = lines[2].replace('"SSS"', '"KU999"', 1)  # unknown area, line 3
        lines[10] = lines[11]  # duplicate area-month, line 11
        cells = lines[20].split(",")
        cells[3] = "-5"  # negative count, line 21
        lines[20] = ",".join(cells)
        return lines

    err = _damaged(tmp_path, edit)
    assert err.problems == [
        "panel.csv.gz, line 3, column alue: unknown area code 'KU999' (not in areas.csv)",
        "panel.csv.gz, line 12: area SSS month 2006-11 appears more than once",
        "panel.csv.gz, line 21, column TYOTTOMATLOPUSSA: negative count -5",
    ]
    assert "Traceback" not in str(err)


def test_panel_validation_finds_a_gap_in_the_months(tmp_path):
    err = _damaged(tmp_path, lambda lines: lines[:5] + lines[6:])  # SSS 2006-05 removed
    assert err.problems == ["panel.csv.gz, line 6: area SSS jumps from 2006-04 to 2006-06 (months must be consecutive)"]


@pytest.mark.parametrize("municipality", ["091", "Haapajärvi", "KU071", "Sottunga"])
def test_monthly_command_writes_a_contract_valid_series(dataset_copy, municipality, capsys):
    from evaluation import load_dataset
    from evaluation.cli import main

    assert (
        main(
            [
                "monthly",
                "--municipality",
                municipality,
                "--from",
                "2016-01",
                "--to",
                "2019-12",
                "--out",
                str(dataset_copy),
            ]
        )
        == 0
    )
    ds = load_dataset(dataset_copy)
    assert len(ds.monthly) == 48 and set(ds.monthly["source"]) == {"official"}
    if municipality == "Sottunga":  # about 60 people in the labour force: counts of 1-4 suppressed
        assert ds.monthly["unemployed"].isna().any()
    assert "wrote" in capsys.readouterr().out


def test_the_default_dataset_holds_the_official_haapavesi_series(tmp_path):
    from evaluation.cli import main
    from evaluation.paths import DEFAULT_DATASET

    assert (
        main(
            [
                "monthly",
                "--municipality",
                "Haapavesi",
                "--from",
                "2014-01",
                "--to",
                "2020-12",
                "--out",
                str(tmp_path / "monthly.csv"),
            ]
        )
        == 0
    )
    assert (tmp_path / "monthly.csv").read_bytes() == (DEFAULT_DATASET / "monthly.csv").read_bytes()


def test_indexed_figure_draws_the_table(panel):
    """The municipality's line: 100 in 7/2016 and 100 x 249 / 408 = 61.0 in 3/2019; the rest of
    the country: 100 x (238,312 - 249) / (378,399 - 408) = 62.98."""
    from evaluation.figures import unemployed_indexed_by_area

    series = __import__("evaluation.official", fromlist=["area_series"]).area_series(
        panel, "071", "2016-07", "2019-03", base="2016-07"
    )
    fig = unemployed_indexed_by_area(series, lang="en", base="2016-07")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    own, rest = lines["Haapavesi"].get_ydata(), lines["rest of the country"].get_ydata()
    assert own[0] == pytest.approx(100) and own[-1] == pytest.approx(100 * 249 / 408)
    assert rest[-1] == pytest.approx(100 * (238_312 - 249) / (378_399 - 408))
    assert "Source: Ministry of Economic Affairs" in fig.axes[0].get_xlabel()


def _raw_panel() -> dict[tuple[str, str], dict[str, str]]:
    """The panel file read with the csv module alone (not :func:`load_panel`): the hand
    calculations below rest on nothing of ours."""
    import csv

    with gzip.open(STATFIN / "statfin_tyonv_12r5.csv.gz", "rt", newline="") as handle:
        return {(row["alue"], row["month"]): row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def raw():
    return _raw_panel()


def test_like_months_are_the_projects_first_month_and_the_same_month_whole_years_later():
    # June 2016 to May 2019 is 36 months: three years, June 2016 to June 2019
    assert like_months("2016-06", "2019-05") == ("2016-06", "2019-06")
    assert like_months("2016-06", "2017-11") == ("2016-06", "2018-06")  # 18 months: two years (rounded half up)
    assert like_months("2016-06", "2016-08") == ("2016-06", "2017-06")  # at least one year
    assert like_months("2016-06", "2019-05", available="2019-05") == ("2016-06", "2018-06")  # the panel ends
    with pytest.raises(ValueError, match="before its first"):
        like_months("2019-05", "2016-06")


def test_like_month_trend_benchmark_by_hand(panel, raw):
    """June 2016 and June 2019 from the raw panel: Haapavesi 402 and 222; the rest of the
    country (SSS minus KU071) 366,086 - 402 = 365,684 and 254,176 - 222 = 253,954, so
    402 x 253,954 / 365,684 = 279.17; the rest of North Ostrobothnia 28,849 - 402 and
    20,016 - 222; the rest of Haapavesi-Siikalatva 727 - 402 = 325 and 447 - 222 = 225."""
    u = lambda a, m: int(raw[(a, m)]["TYOTTOMATLOPUSSA"])  # noqa: E731
    assert (u("KU071", "2016-06"), u("KU071", "2019-06")) == (402, 222)
    assert (u("SSS", "2016-06"), u("SSS", "2019-06")) == (366_086, 254_176)
    assert (u("MK17", "2016-06"), u("MK17", "2019-06")) == (28_849, 20_016)
    assert (u("SK175", "2016-06"), u("SK175", "2019-06")) == (727, 447)
    t = trend_benchmark(panel, "071", "2016-06", "2019-06")
    assert t.at["country", "expected_end"] == pytest.approx(402 * 253_954 / 365_684, rel=1e-12)
    assert t.at["region", "expected_end"] == pytest.approx(402 * (20_016 - 222) / (28_849 - 402), rel=1e-12)
    assert t.at["subregion", "expected_end"] == pytest.approx(402 * 225 / 325, rel=1e-12)
    assert round(t.at["country", "expected_end"]) == 279 and round(t.at["subregion", "expected_end"]) == 278


def _type7(values: list[float], p: float) -> float:
    """R's quantile(type = 7) written out: h = (n - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])."""
    x = sorted(values)
    h = (len(x) - 1) * p
    j = int(h)
    return x[j] + (h - j) * (x[min(j + 1, len(x) - 1)] - x[j])


def test_municipal_spread_by_hand(panel, raw):
    """Every municipality (KUxxx) with both counts and a labour force in June 2016 from half to
    twice Haapavesi's (3,045 in July 2016; in June 2016 read here), its June 2019 / June 2016
    ratio; the central 95 % by R's type-7 quantiles; the rank counts the others that fell more."""
    own_force = float(raw[("KU071", "2016-06")]["TYOVOIMATK"])
    ratios = {}
    for (area, month), row in raw.items():
        if not area.startswith("KU") or month != "2016-06" or area == "KU071":
            continue
        later = raw.get((area, "2019-06"))
        if not (row["TYOTTOMATLOPUSSA"] and later and later["TYOTTOMATLOPUSSA"] and row["TYOVOIMATK"]):
            continue  # a suppressed (empty) cell
        if float(row["TYOTTOMATLOPUSSA"]) > 0 and 0.5 * own_force <= float(row["TYOVOIMATK"]) <= 2 * own_force:
            ratios[area] = float(later["TYOTTOMATLOPUSSA"]) / float(row["TYOTTOMATLOPUSSA"])
    own = 222 / 402
    s = municipal_spread(panel, "Haapavesi", "2016-06", "2019-06")
    assert s.municipalities == len(ratios) and s.size_min == 0.5 * own_force and s.size_max == 2 * own_force
    assert s.ratio == pytest.approx(own, rel=1e-12)
    assert s.rank == 1 + sum(r < own for r in ratios.values())
    assert s.lower == pytest.approx(_type7(list(ratios.values()), 0.025), rel=1e-12)
    assert s.upper == pytest.approx(_type7(list(ratios.values()), 0.975), rel=1e-12)
    assert s.within == (s.lower <= own <= s.upper)
    # FACTS.md's months (July 2016 to March 2019, all 304 municipalities): Haapavesi's fall ranks 113th
    every = municipal_spread(panel, "071", "2016-07", "2019-03", size=(0, float("inf")))
    assert (every.rank, every.municipalities + 1) == (113, 304)


def test_context_with_like_months_uses_the_projects_first_month(panel):
    ctx = context("071", "2016-06", "2019-05", panel=panel, like=True)
    assert (ctx.start, ctx.end) == ("2016-06", "2019-06")
    assert ctx.trend["actual_start"].iloc[0] == 402 and ctx.trend["actual_end"].iloc[0] == 222
    assert ctx.spread is not None and ctx.spread.ratio == pytest.approx(222 / 402)
    lines = trend_sentences(ctx, "Haapavesi")
    assert lines[1] == (
        "Had Haapavesi followed the rest of its sub-region (SK175, ratio 0.692), 2019-06 would "
        "have had 278 unemployed; it had 222, 56 fewer."
    )  # 225 / 325 = 0.692, 402 x 0.692 = 278.3


def test_official_metrics_are_public_and_pass_disclosure_control_untouched(panel):
    """The official.* keys are aggregates of public statistics (StatFin 12r5, already
    suppressed at the source): disclosure control of real data leaves every one as it is, even
    a small value (no key ends in a count name)."""
    from evaluation.privacy import DisclosureControl

    m = context_metrics(context("071", "2016-06", "2019-05", panel=panel, like=True))
    assert {
        "official.period.start",
        "official.unemployed.start",
        "official.trend.subregion.expected_end",
        "official.trend.country.ratio",
        "official.spread.municipalities",
        "official.spread.rank",
        "official.spread.lower",
        "official.spread.upper",
        "official.spread.coverage",
    } <= set(m)
    assert m["official.unemployed.start"] == 402 and m["official.period.end"] == "2019-06"
    small = {k: (3 if isinstance(v, (int, float)) else v) for k, v in m.items()}  # as if a tiny town
    assert DisclosureControl(active=True).metrics(small) == small
    assert context_metrics(context("999", "2016-06", "2019-05", panel=panel, like=True)) == {}


def test_without_a_municipal_range_the_benchmarks_stand(panel, monkeypatch):
    """No town of a labour force within 1.001 to 1.002 times Haapavesi's: the range cannot be
    given, the trend benchmark still is, and the note says why."""
    import evaluation.official as official

    with pytest.raises(ValueError, match="fewer than two municipalities"):
        municipal_spread(panel, "071", "2016-06", "2019-06", size=(1.001, 1.002))
    narrow = lambda *args, **kwargs: municipal_spread(*args, size=(1.001, 1.002), **kwargs)  # noqa: E731
    monkeypatch.setattr(official, "municipal_spread", narrow)
    ctx = context("071", "2016-06", "2019-05", panel=panel, like=True)
    assert ctx.available and ctx.spread is None and ctx.note.startswith("No municipal range: fewer than two")
    assert trend_sentences(ctx, "Haapavesi")[-1] == ctx.note
    assert "official.spread.rank" not in context_metrics(ctx) and "official.trend.country.ratio" in context_metrics(ctx)

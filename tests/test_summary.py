"""The summary's sentence rules (issue 16), on metrics written out by hand in each test."""

from __future__ import annotations

import base64
import re

from evaluation.paths import STATFIN
from evaluation.summary import render_html, summarise, write_summary

META = {"municipality": "Haapavesi", "name": "test", "study_start": "2016-06-01", "study_end": "2019-05-31"}
NBSP = "\u00a0"


def _official_by_hand() -> dict:
    """notebook 01's official.* metrics computed here from the raw panel file (csv module only):
    the project's first month, June 2016, and the same month three years later, June 2019.
    Haapavesi (KU071) 402 and 222; the rest of the country SSS - KU071, of North Ostrobothnia
    MK17 - KU071 and of Haapavesi-Siikalatva SK175 - KU071; the towns with a labour force in
    June 2016 from half to twice Haapavesi's, their June 2019 / June 2016 ratios, the central
    95 % by R's quantile(type = 7)."""
    import csv
    import gzip

    with gzip.open(STATFIN / "statfin_tyonv_12r5.csv.gz", "rt", newline="") as handle:
        rows = {(r["alue"], r["month"]): r for r in csv.DictReader(handle) if r["month"] in ("2016-06", "2019-06")}
    u = lambda area, month: float(rows[(area, month)]["TYOTTOMATLOPUSSA"])  # noqa: E731
    start, end = u("KU071", "2016-06"), u("KU071", "2019-06")
    m = {
        "official.period.start": "2016-06",
        "official.period.end": "2019-06",
        "official.unemployed.start": start,
        "official.unemployed.end": end,
    }
    for area, code in (("subregion", "SK175"), ("region", "MK17"), ("country", "SSS")):
        ratio = (u(code, "2019-06") - end) / (u(code, "2016-06") - start)
        m |= {f"official.trend.{area}.ratio": ratio, f"official.trend.{area}.expected_end": start * ratio}
    force = float(rows[("KU071", "2016-06")]["TYOVOIMATK"])
    ratios = sorted(
        float(rows[(a, "2019-06")]["TYOTTOMATLOPUSSA"]) / float(r["TYOTTOMATLOPUSSA"])
        for (a, month), r in rows.items()
        if a.startswith("KU")
        and a != "KU071"
        and month == "2016-06"
        and r["TYOTTOMATLOPUSSA"]
        and float(r["TYOTTOMATLOPUSSA"]) > 0
        and r["TYOVOIMATK"]
        and 0.5 * force <= float(r["TYOVOIMATK"]) <= 2 * force
        and rows.get((a, "2019-06"), {}).get("TYOTTOMATLOPUSSA")
    )

    def type7(p):
        h = (len(ratios) - 1) * p
        j = int(h)
        return ratios[j] + (h - j) * (ratios[j + 1] - ratios[j])

    own = end / start
    return m | {
        "official.spread.municipalities": len(ratios),
        "official.spread.rank": 1 + sum(r < own for r in ratios),
        "official.spread.ratio": own,
        "official.spread.lower": type7(0.025),
        "official.spread.upper": type7(0.975),
        "official.spread.coverage": 0.95,
        "official.spread.size_min": 0.5 * force,
        "official.spread.size_max": 2 * force,
    }


OFFICIAL = _official_by_hand()


def metrics(**changes) -> dict:
    """A run's metrics: 150 clients, company 13/20 vs association 6/18 continued."""
    m = {
        "dataset.synthetic": False,
        "dataset.clients_source": "register",
        "dataset.placements_source": "register",
        "dataset.monthly_source": "official",
        "clients.n": 150,
        "outcomes.employment.n": 60,
        "outcomes.employment.share": 0.4,
        "outcomes.activation.n": 40,
        "outcomes.activation.share": 40 / 150,
        "outcomes.retirement.n": 12,
        "outcomes.retirement.share": 0.08,
        "outcomes.other.n": 14,
        "outcomes.other.share": 14 / 150,
        "outcomes.censored.n": 24,
        "outcomes.censored.share": 0.16,
        "cif.employment.180d": 0.1267,
        "cif.employment.180d.lower": 0.0793,
        "cif.employment.180d.upper": 0.1855,
        "cif.employment.365d": 0.2605,
        "cif.employment.365d.lower": 0.1930,
        "cif.employment.365d.upper": 0.3330,
        "cif.employment.730d": 0.3779,
        "cif.employment.730d.lower": 0.2986,
        "cif.employment.730d.upper": 0.4568,
        "sectors.company.placements": 20,
        "sectors.association.placements": 18,
        "sectors.municipality.placements": 8,
        "sectors.other.placements": 4,
        "sectors.company.subsidy_share": 0.48,
        "sectors.association.subsidy_share": 0.32,
        "sectors.company.continuation_rate": 0.65,
        "sectors.association.continuation_rate": 6 / 18,
        "sectors.company.continued": 13,
        "sectors.association.continued": 6,
        "sectors.company_vs_association.risk_difference": 0.65 - 6 / 18,
        "sectors.company_vs_association.risk_difference.lower": 0.00096,
        "sectors.company_vs_association.risk_difference.upper": 0.5566,
        "sectors.company_vs_association.fisher_p": 0.1031,
        **OFFICIAL,
        "counterfactual.name": "Haapavesi",
        "counterfactual.treated": "KU071",
        "counterfactual.alpha": 0.05,
        "counterfactual.donors.n": 299,
        "counterfactual.donors.used": 9,
        "counterfactual.post_end": "2019-05",
        "counterfactual.treatment_start": "2016-06",
        "counterfactual.count_at_start": 402.0,
        "counterfactual.unemployed.scm.effect_end": -0.75,
        "counterfactual.unemployed.scm.effect_end_persons": -21.6,
        "counterfactual.unemployed.scm.placebo_p": 0.49,
        "counterfactual.unemployed.scm.pre_rmspe": 0.18,
        "counterfactual.unemployed.scm.detectable_persons": -45.9,
        # notebook 05: 140 of 150 clients matched; 0.52 employed within a year against 0.40
        "comparison.available": True,
        "comparison.synthetic": False,
        "comparison.estimator": "matching",
        "comparison.level": 0.95,
        "comparison.treated.n": 150,
        "comparison.matched.n": 140,
        "comparison.unmatched.n": 10,
        "comparison.employment.365d.treated": 0.52,
        "comparison.employment.365d.counterfactual": 0.40,
        "comparison.employment.365d.att": 0.12,
        "comparison.employment.365d.lower": 0.03,
        "comparison.employment.365d.upper": 0.21,
        "comparison.employment.365d.e_value": 2.0,
        "comparison.employment.365d.e_value_limit": 1.3,
    }
    m.update(changes)
    return {k: v for k, v in m.items() if v is not ...}


def text(summary) -> str:
    return "\n".join(
        [summary.warning]
        + [s.title for s in summary.sections]
        + [p for s in summary.sections for p in s.paragraphs + s.items]
    )


def section(summary, key):
    return next(s for s in summary.sections if s.key == key)


def test_a_difference_whose_interval_excludes_zero_but_the_exact_test_does_not_confirm_it():
    s = summarise(metrics(), META, "fi")
    said = " ".join(section(s, "sectors").paragraphs)
    # 0.65 - 6/18 = 0.3167: 31,7 points; bounds to one decimal so that 0.096 points does not read as 0
    assert (
        f"Ero, 31,7 prosenttiyksikköä yritysten hyväksi, ei todennäköisesti johdu pelkästä sattumasta "
        f"(95{NBSP}%:n luottamusväli 0,1–55,7 prosenttiyksikköä)." in said
    )
    assert "Tarkka testi ei kuitenkaan vahvista eroa (p = 0,10)" in said
    assert "palkkatukijaksoja oli vain 38." in said  # 20 + 18
    assert f"yrityksissä 65{NBSP}%:lle työllistetyistä (13/20) ja yhdistyksissä 33{NBSP}%:lle (6/18)" in said


def test_a_difference_confirmed_by_the_exact_test_gets_no_caution():
    said = " ".join(
        section(
            summarise(metrics(**{"sectors.company_vs_association.fisher_p": 0.01}), META, "fi"), "sectors"
        ).paragraphs
    )
    assert "ei todennäköisesti johdu pelkästä sattumasta" in said and "Tarkka testi" not in said


def test_an_interval_that_includes_zero_is_never_called_a_difference():
    m = metrics(**{"sectors.company_vs_association.risk_difference.lower": -0.05})
    said = " ".join(section(summarise(m, META, "fi"), "sectors").paragraphs)
    # a negative bound: "−5,0 … 55,7", never "−5,0–55,7" (which reads as one range with a dash)
    assert f"Ero (31,7 prosenttiyksikköä, 95{NBSP}%:n luottamusväli −5,0{NBSP}… 55,7) voi johtua sattumasta" in said
    assert "ei todennäköisesti johdu" not in said and "hyväksi" not in said and "−5,0–" not in said
    english = " ".join(section(summarise(m, META, "en"), "sectors").paragraphs)
    assert "(31.7 percentage points, 95% confidence interval −5.0 to 55.7) may be chance" in english
    assert "may be chance: these data cannot say which offered continued work more often" in english


def test_a_suppressed_count_is_said_to_be_suppressed():
    s = summarise(metrics(**{"outcomes.retirement.n": None, "outcomes.retirement.share": None}), META, "fi")
    items = section(s, "outcomes").items
    assert "jäi eläkkeelle: määrä salattu (se paljastaisi alle viiden henkilön tiedon)" in items
    assert f"työllistyi: 60 (40{NBSP}%)" in items
    hidden_rates = metrics(**{"sectors.association.continuation_rate": None})
    assert "Jatkon osuuksia ei kerrota" in " ".join(section(summarise(hidden_rates, META, "fi"), "sectors").paragraphs)


def test_an_unknown_probability_is_said_to_be_unknown_with_why():
    # register data (disclosure control applies): a null is a follow-up too short or a suppressed value
    s = summarise(metrics(**{"cif.employment.730d": None}), META, "fi")
    said = section(s, "speed").paragraphs[0]
    assert said.startswith(
        "Sadasta asiakkaasta 13 oli työllistynyt puolen vuoden kuluessa ilmoittautumisesta "
        f"(95{NBSP}%:n luottamusväli 8–19). Vuoden kuluessa heitä oli 26 (19–33)."
    )
    assert said.endswith(
        "Kahden vuoden kuluessa työllistyneiden määrää ei voi kertoa: seuranta on siihen liian "
        "lyhyt tai luku on salattu (se paljastaisi alle viiden henkilön tiedon)."
    )


def test_a_horizon_beyond_the_follow_up_is_not_printed_and_the_follow_up_is_said_to_be_too_short():
    """Notebook 02 records no estimate where fewer than min_at_risk clients are followed: the
    730-day keys absent (or null on synthetic data, where nothing is suppressed)."""
    absent = {k: ... for k in ("cif.employment.730d", "cif.employment.730d.lower", "cif.employment.730d.upper")}
    synthetic = {"dataset.clients_source": "synthetic"}
    for m in (
        metrics(**absent),
        metrics(**absent, **synthetic),
        metrics(
            **{"cif.employment.730d": None, "cif.employment.730d.lower": None, "cif.employment.730d.upper": None},
            **synthetic,
        ),
        metrics(**{"cif.employment.730d.upper": None}, **synthetic),
    ):  # no estimate without its interval
        for lang, words in (
            (
                "fi",
                "Kahden vuoden kuluessa työllistyneiden määrää ei voi kertoa: seuranta on "
                "siihen liian lyhyt (niin pitkään seurattuja asiakkaita oli liian vähän).",
            ),
            (
                "en",
                "How many had found work within two years cannot be said: the follow-up is "
                "too short for it (too few clients were followed that long).",
            ),
        ):
            s = summarise(m, META, lang)
            said = section(s, "speed").paragraphs[0]
            assert said.endswith(words)
            assert "38" not in said and "Kahden vuoden kuluessa heitä oli" not in said  # 0.3779 is not printed
            assert "cif.employment.730d" not in set(s.table()["metric"])
    year_only = summarise(
        metrics(
            **{"cif.employment.180d": ..., "cif.employment.180d.lower": ..., "cif.employment.180d.upper": ...}, **absent
        ),
        META,
        "fi",
    )
    said = section(year_only, "speed").paragraphs[0]
    assert said.startswith("Puolen vuoden kuluessa työllistyneiden määrää ei voi kertoa")
    assert "Sadasta asiakkaasta 26 oli työllistynyt vuoden kuluessa ilmoittautumisesta" in said


def test_a_notebook_that_did_not_run_leaves_its_part_out_and_says_so():
    no_sectors = {k: ... for k in metrics() if k.startswith("sectors.")}
    s = summarise(metrics(**no_sectors), META, "fi")
    assert "sectors" not in [x.key for x in s.sections] and s.missing == ["sectors"]
    assert section(s, "limits").paragraphs[-1] == "Tässä ajossa ei ollut tietoja osiin: yritykset ja yhdistykset."
    assert "palkkatukijaksoja" not in " ".join(section(s, "limits").paragraphs)
    nothing = summarise({}, META, "en")
    assert [x.key for x in nothing.sections] == ["limits"]
    assert nothing.missing == ["outcomes", "speed", "sectors", "official", "cf", "comparison"]
    assert not nothing.parts()["in the summary"].any()


def test_the_clients_against_similar_unemployed_people_in_words():
    """Notebook 05's answer as the summary says it: 0.12 × 140 matched clients = 16.8, about 17 more
    employed within a year (interval 0.03 × 140 = 4.2 to 0.21 × 140 = 29.4, written 4–29); the
    sentence that no comparison was made is then not said."""
    s = summarise(metrics(), META, "fi")
    said = section(s, "limits").paragraphs[0]
    assert said.startswith(
        "Vuoden kuluessa töihin siirtyi 52\u00a0% asiakkaista ja 40\u00a0% samanlaisista työttömistä: ero +12,0 "
        "prosenttiyksikköä (95\u00a0%:n luottamusväli 3,0–21,0). "
    )
    assert "140 asiakkaasta noin 17 (4–29) enemmän" in said
    assert "vähintään 2,00-kertaisella riskisuhteella" in said
    assert "Asiakkaiden siirtymiä ei verrattu" not in " ".join(section(s, "limits").paragraphs[1:])
    chance = summarise(metrics(**{"comparison.employment.365d.lower": -0.01}), META, "en")
    assert "The difference may be chance" in section(chance, "limits").paragraphs[0]
    absent = summarise(metrics(**{"comparison.available": False, "comparison.reason": "no_table"}), META, "fi")
    assert absent.missing == ["comparison"]
    limits = section(absent, "limits").paragraphs
    assert limits[0].startswith("Asiakkaiden siirtymiä ei verrattu") and "comparison.csv" in limits[1]


def test_english_words_and_number_format():
    s = summarise(metrics(), META, "en")
    assert s.title == "Haapavesi: an evaluation of the Wassup project"
    assert "found work: 60 (40%)" in section(s, "outcomes").items
    assert (
        section(s, "speed")
        .paragraphs[0]
        .startswith(
            "Of every hundred clients, 13 had found work within half a year of enrolling (95% confidence interval 8–19)."
        )
    )
    official = section(s, "official").paragraphs
    # by hand from the panel (OFFICIAL): 402 in June 2016, 222 in June 2019, (222 - 402) / 402 = -44.8 %
    assert official[0] == (
        "Haapavesi: 402 unemployed job seekers in June 2016 and 222 in June 2019 (−45%; the "
        "project's first month and the same calendar month later, as unemployment varies with "
        "the season)."
    )
    assert official[1] == (
        "At the pace of the rest of the country the town would have had about 279 unemployed in "
        "June 2019, at that of the rest of its region 280 and of the rest of its sub-region 278; "
        "it had 56–58 fewer."
    )
    assert official[2] == (
        "Yet the town's change (−45%) lies within ordinary variation: in the middle 95% of towns "
        f"of similar size (126 towns, labour force 1{NBSP}522–6{NBSP}090) the number of unemployed "
        "changed by −52 to −17% over the same months, and the town's fall was the 19th largest "
        "of 127."
    )


def test_finnish_months_are_written_out_and_the_benchmark_follows_the_data():
    s = summarise(metrics(), META, "fi")
    assert s.subtitle.startswith("Yhteenveto päättäjille. Hanke kesäkuu 2016 – toukokuu 2019")
    official = section(s, "official").paragraphs
    # the project's first month and the same month three years later (like months): 402 and 222,
    # (222 - 402) / 402 = -44.8 %
    assert official[0] == (
        f"Haapavesi: työttömiä työnhakijoita oli 402 kesäkuussa 2016 ja 222 kesäkuussa 2019 "
        f"(−45{NBSP}%; hankkeen ensimmäinen kuukausi ja sama kalenterikuukausi myöhemmin, sillä "
        "työttömyys vaihtelee vuodenajan mukaan)."
    )
    # every benchmark notebook 01 computes: the rest of the country 402 x (254,176 - 222) / (366,086 - 402)
    # = 279.2, of the region 402 x (20,016 - 222) / (28,849 - 402) = 279.7, of the sub-region
    # 402 x (447 - 222) / (727 - 402) = 278.3; 222 - 279 = -57, 222 - 280 = -58, 222 - 278 = -56
    assert official[1] == (
        "Muun maan tahdissa kunnassa olisi ollut kesäkuussa 2019 noin 279 työtöntä, muun "
        "maakunnan tahdissa 280 ja muun seutukunnan tahdissa 278; todellisuudessa 56–58 vähemmän."
    )
    # 126 towns of 1,522.5..6,090 labour force (half to twice 3,045), type-7 quantiles 0.484 and 0.832:
    # -51.6 % and -16.8 %; Haapavesi 0.552 inside, 18 towns fell more: the 19th of 127
    assert official[2] == (
        f"Kunnan muutos (−45{NBSP}%) mahtuu kuitenkin tavalliseen vaihteluun: keskimmäisessä "
        f"95{NBSP}%:ssa samankokoisista kunnista (126 kuntaa, työvoimaa 1{NBSP}522–6{NBSP}090) "
        f"työttömien määrä muuttui samana aikana −52{NBSP}… −17{NBSP}%, ja kunnan lasku oli 127 "
        "kunnan joukossa 19. suurin."
    )
    said = text(s)
    assert "lähes samaa tahtia" not in said and "408" not in said and "heinäkuu" not in said  # one start


def test_one_start_count_throughout_the_summary():
    """Notebook 01's start and notebook 04's treatment_start are the project's first month: the
    summary gives one start count (402 in June 2016), not the report's 408 of July 2016 beside it."""
    s = summarise(metrics(), META, "fi")
    assert OFFICIAL["official.period.start"] == metrics()["counterfactual.treatment_start"] == "2016-06"
    assert "402 kesäkuussa 2016" in section(s, "official").paragraphs[0]
    assert "hankkeen alussa (kesäkuu 2016) 402 työtöntä" in " ".join(section(s, "cf").paragraphs)


def test_the_benchmarks_sentence_follows_each_direction():
    between = summarise(metrics(**{"official.trend.country.expected_end": 200.0}), META, "fi")
    assert (
        section(between, "official")
        .paragraphs[1]
        .endswith("muun seutukunnan tahdissa 278; todellisuudessa määrä oli näiden välissä.")
    )
    above = summarise(
        metrics(
            **{
                f"official.trend.{a}.expected_end": v
                for a, v in (("country", 200.4), ("region", 210.0), ("subregion", 215.0))
            }
        ),
        META,
        "en",
    )
    assert section(above, "official").paragraphs[1].endswith("it had 7–22 more.")  # 222 - 215, 222 - 200
    same = summarise(
        metrics(**{f"official.trend.{a}.expected_end": 250.2 for a in ("country", "region", "subregion")}), META, "fi"
    )
    assert section(same, "official").paragraphs[1].endswith("; todellisuudessa 28 vähemmän.")  # 222 - 250


def test_a_change_outside_the_municipal_range_is_said_to_stand_out_and_no_more():
    # the town's ratio below the 2.5 % quantile: 3 of the 126 others fell more (rank 4)
    faster = summarise(metrics(**{"official.spread.lower": 0.56, "official.spread.rank": 4}), META, "fi")
    said = section(faster, "official").paragraphs[2]
    assert said.startswith(f"Kunnan muutos (−45{NBSP}%) jää tavallisen vaihtelun ulkopuolelle: keskimmäisessä 95")
    assert said.endswith(
        f"−44{NBSP}… −17{NBSP}%, ja vain 3/126 kunnasta laski enemmän. Se ei yksin kerro, että lasku johtui hankkeesta."
    )  # 100 x (0.56 - 1) = -44
    # above the 97.5 % quantile, rank 125 of 127: 2 of the others fell less
    slower = summarise(
        metrics(**{"official.spread.upper": 0.5, "official.spread.lower": 0.4, "official.spread.rank": 125}), META, "en"
    )
    said = section(slower, "official").paragraphs[2]
    assert said.startswith("The town's change (−45%) lies outside ordinary variation: in the middle 95%")
    assert said.endswith("changed by −60 to −50% over the same months, and only 2 of the 126 fell less.")
    no_spread = summarise(metrics(**{"official.spread.rank": ...}), META, "fi")
    assert len(section(no_spread, "official").paragraphs) == 2


def test_the_counterfactual_says_what_its_placebo_p_allows():
    plain = " ".join(section(summarise(metrics(), META, "fi"), "cf").paragraphs)
    assert "yhtä suuria eroja syntyy kunnissa, joissa hanketta ei ollut (lumetesti p = 0,49)" in plain
    assert "Hankkeen lopussa (toukokuu 2019) kunnassa oli noin 22 työtöntä vähemmän" in plain
    assert "kunnassa oli hankkeen alussa (kesäkuu 2016) 402 työtöntä" in plain
    significant = " ".join(
        section(summarise(metrics(**{"counterfactual.unemployed.scm.placebo_p": 0.02}), META, "fi"), "cf").paragraphs
    )
    assert f"Ero on suurempi kuin 98{NBSP}%:ssa lumekunnista (p = 0,02)" in significant


def test_the_synthetic_warning_opens_the_summary_whenever_a_table_is_synthetic():
    assert summarise(metrics(), META, "fi").warning == ""  # a real register with official statistics
    s = summarise(
        metrics(**{"dataset.clients_source": "synthetic", "dataset.placements_source": "synthetic"}), META, "fi"
    )
    assert s.warning.startswith(
        "<strong>Harjoitusaineisto.</strong> Tämän yhteenvedon asiakasluvut ja "
        "palkkatukiluvut on laskettu keksitystä harjoitusaineistosta"
    )
    assert s.warning.endswith("Työttömyysluvut ovat Tilastokeskuksen virallisia tilastoja.")
    only_clients = summarise(metrics(**{"dataset.clients_source": "synthetic"}), META, "en")
    assert "The client figures in this summary come from invented practice data" in only_clients.warning


def test_the_summary_avoids_the_notebooks_terms():
    for lang in ("fi", "en"):
        said = text(summarise(metrics(), META, lang)).lower()
        for term in ("kumulatiivinen", "ilmaantuvuus", "hasardi", "cumulative incidence", "hazard"):
            assert term not in said


def test_every_stated_number_is_traced_to_its_metric():
    s = summarise(metrics(), META, "fi")
    table = s.table()
    assert table.loc[table["metric"] == "cif.employment.365d", "as written"].tolist() == ["26"]
    assert table.loc[table["metric"] == "clients.n", "value"].tolist() == [150]
    assert set(table["metric"]) >= {
        "outcomes.employment.n",
        "sectors.company.subsidy_share",
        "official.trend.country.expected_end",
        "counterfactual.unemployed.scm.placebo_p",
    }


def test_the_html_is_one_self_contained_page_with_the_figures_embedded(tmp_path):
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "clients_by_outcome.png").write_bytes(png)
    s = summarise(metrics(**{"dataset.clients_source": "synthetic"}), META, "fi")
    path = write_summary(s, tmp_path)
    assert path.name == "summary.fi.html"
    page = path.read_text(encoding="utf-8")
    assert "@page { size: A4" in page and '<html lang="fi">' in page
    assert page.count("data:image/png;base64,") == 1  # only the figure that exists
    assert not re.search(r"(src|href)=\"https?:", page)
    assert page.index('class="warning"') < page.index("<h2>")
    assert render_html(s).count("<img") == 0  # without a figures folder: text only


def test_why_these_months_is_said_only_when_true():
    # an older run's months (the report's July 2016 and March 2019): unlike months, no claim about them
    old = summarise(metrics(**{"official.period.start": "2016-07", "official.period.end": "2019-03"}), META, "fi")
    assert section(old, "official").paragraphs[0] == (
        f"Haapavesi: työttömiä työnhakijoita oli 402 heinäkuussa 2016 ja 222 maaliskuussa 2019 (−45{NBSP}%)."
    )
    # like months, but not from the project's first month
    later = summarise(metrics(**{"official.period.start": "2016-09", "official.period.end": "2019-09"}), META, "en")
    assert (
        section(later, "official")
        .paragraphs[0]
        .endswith("(−45%; the same calendar month, as unemployment varies with the season).")
    )


def test_a_rise_within_the_range_gets_no_place_among_falls():
    # 402 -> 420: +4 %, inside a range of ratios 0.9..1.2
    s = summarise(
        metrics(
            **{
                "official.unemployed.end": 420.0,
                "official.spread.ratio": 420 / 402,
                "official.spread.lower": 0.9,
                "official.spread.upper": 1.2,
            }
        ),
        META,
        "fi",
    )
    said = section(s, "official").paragraphs[2]
    assert said.startswith(f"Kunnan muutos (+4{NBSP}%) mahtuu kuitenkin tavalliseen vaihteluun")
    assert said.endswith(f"muuttui samana aikana −10{NBSP}… +20{NBSP}%.") and "suurin" not in said


def test_intervals_are_written_so_that_no_sign_is_lost():
    from evaluation.text import interval

    assert interval(0.16, 30.2, "fi", 0) == "0–30"
    assert interval(-39.63, 16.61, "fi") == f"−39,6{NBSP}… 16,6"  # not "−39,6–16,6"
    assert interval(-39.63, 16.61, "en") == "−39.6 to 16.6"
    assert interval(-51.6, -16.8, "fi", 0) == f"−52{NBSP}… −17"  # not "−52–−17"
    assert interval(-0.04, 5.0, "fi") == f"−0,0{NBSP}… 5,0"  # decided as written
    assert (
        interval(-10, 20, "en", 0, plus=True) == "−10 to +20"
        and interval(-10, 0, "fi", 0, plus=True) == f"−10{NBSP}… 0"
    )


def test_sentences_about_size_follow_the_size():
    """Issue 24, item 17: the limits section called 3,343 clients "so small a dataset".  It now
    says the numbers and the width of the primary interval, which shrinks as the data grow:
    here 0.40 − 0.25 = 15.0 points at 150 clients, 0.34 − 0.30 = 4.0 points at 3,343."""
    small = text(
        summarise(metrics(**{"cif.employment.365d.lower": 0.25, "cif.employment.365d.upper": 0.40}), META, "en")
    )
    large = text(
        summarise(
            metrics(**{"clients.n": 3343, "cif.employment.365d.lower": 0.30, "cif.employment.365d.upper": 0.34}),
            META,
            "en",
        )
    )
    for said in (small, large):
        assert "so small" not in said and "small dataset" not in said
    assert "There were 150 clients" in small and "is 15.0 percentage points wide" in small
    assert f"There were 3{NBSP}343 clients" in large and "is 4.0 percentage points wide" in large
    fi = text(summarise(metrics(**{"cif.employment.365d.lower": 0.25, "cif.employment.365d.upper": 0.40}), META, "fi"))
    assert "pienessä aineistossa" not in fi and "väli on 15,0 prosenttiyksikköä leveä" in fi


def test_the_summary_says_what_would_answer_the_clients_question_once():
    """The counterfactual's closing pointer to a client-level comparison repeated the limits
    section's first sentence and pushed the page to three A4 sheets: the summary says it once."""
    from evaluation.counterfactual import CONCLUSION_WORDS, conclusion_sentences

    m = metrics()
    for lang in ("fi", "en"):
        pointer = CONCLUSION_WORDS[lang]["register"]
        assert pointer in conclusion_sentences(m, lang)  # notebook 04 keeps it
        assert pointer not in conclusion_sentences(m, lang, register=False)
        assert text(summarise(m, META, lang)).count(pointer) == 0

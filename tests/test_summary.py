"""The summary's sentence rules (issue 16), on metrics written out by hand in each test."""

from __future__ import annotations

import base64
import re

from evaluation.summary import render_html, summarise, write_summary

META = {"municipality": "Haapavesi", "name": "test", "study_start": "2016-06-01", "study_end": "2019-05-31"}
NBSP = "\u00a0"


def metrics(**changes) -> dict:
    """A run's metrics: 150 clients, company 13/20 vs association 6/18 continued."""
    m = {"dataset.synthetic": False, "dataset.clients_source": "register", "dataset.placements_source": "register",
         "dataset.monthly_source": "official", "clients.n": 150,
         "outcomes.employment.n": 60, "outcomes.employment.share": 0.4,
         "outcomes.activation.n": 40, "outcomes.activation.share": 40 / 150,
         "outcomes.retirement.n": 12, "outcomes.retirement.share": 0.08,
         "outcomes.other.n": 14, "outcomes.other.share": 14 / 150,
         "outcomes.censored.n": 24, "outcomes.censored.share": 0.16,
         "cif.employment.180d": 0.1267, "cif.employment.180d.lower": 0.0793, "cif.employment.180d.upper": 0.1855,
         "cif.employment.365d": 0.2605, "cif.employment.365d.lower": 0.1930, "cif.employment.365d.upper": 0.3330,
         "cif.employment.730d": 0.3779, "cif.employment.730d.lower": 0.2986, "cif.employment.730d.upper": 0.4568,
         "sectors.company.placements": 20, "sectors.association.placements": 18,
         "sectors.municipality.placements": 8, "sectors.other.placements": 4,
         "sectors.company.subsidy_share": 0.48, "sectors.association.subsidy_share": 0.32,
         "sectors.company.continuation_rate": 0.65, "sectors.association.continuation_rate": 6 / 18,
         "sectors.company.continued": 13, "sectors.association.continued": 6,
         "sectors.company_vs_association.risk_difference": 0.65 - 6 / 18,
         "sectors.company_vs_association.risk_difference.lower": 0.00096,
         "sectors.company_vs_association.risk_difference.upper": 0.5566,
         "sectors.company_vs_association.fisher_p": 0.1031,
         "official.unemployed.start": 408.0, "official.unemployed.end": 249.0,
         "official.period.start": "2016-07", "official.period.end": "2019-03",
         "official.trend.country.expected_end": 256.96, "official.trend.region.expected_end": 258.11,
         "official.trend.subregion.expected_end": 362.12,
         "counterfactual.name": "Haapavesi", "counterfactual.treated": "KU071", "counterfactual.alpha": 0.05,
         "counterfactual.donors.n": 299, "counterfactual.donors.used": 9, "counterfactual.post_end": "2019-05",
         "counterfactual.treatment_start": "2016-06",
         "counterfactual.count_at_start": 402.0,
         "counterfactual.unemployed.scm.effect_end": -0.75, "counterfactual.unemployed.scm.effect_end_persons": -21.6,
         "counterfactual.unemployed.scm.placebo_p": 0.49, "counterfactual.unemployed.scm.pre_rmspe": 0.18,
         "counterfactual.unemployed.scm.detectable_persons": -45.9}
    m.update(changes)
    return {k: v for k, v in m.items() if v is not ...}


def text(summary) -> str:
    return "\n".join([summary.warning] + [s.title for s in summary.sections]
                     + [p for s in summary.sections for p in s.paragraphs + s.items])


def section(summary, key):
    return next(s for s in summary.sections if s.key == key)


def test_a_difference_whose_interval_excludes_zero_but_the_exact_test_does_not_confirm_it():
    s = summarise(metrics(), META, "fi")
    said = " ".join(section(s, "sectors").paragraphs)
    # 0.65 - 6/18 = 0.3167: 31,7 points; bounds to one decimal so that 0.096 points does not read as 0
    assert f"Ero, 31,7 prosenttiyksikköä yritysten hyväksi, ei todennäköisesti johdu pelkästä sattumasta " \
           f"(95{NBSP}%:n luottamusväli 0,1–55,7 prosenttiyksikköä)." in said
    assert "Tarkka testi ei kuitenkaan vahvista eroa (p = 0,10)" in said
    assert "palkkatukijaksoja oli vain 38." in said  # 20 + 18
    assert f"yrityksissä 65{NBSP}%:lle työllistetyistä (13/20) ja yhdistyksissä 33{NBSP}%:lle (6/18)" in said


def test_a_difference_confirmed_by_the_exact_test_gets_no_caution():
    said = " ".join(section(summarise(metrics(**{"sectors.company_vs_association.fisher_p": 0.01}), META, "fi"),
                            "sectors").paragraphs)
    assert "ei todennäköisesti johdu pelkästä sattumasta" in said and "Tarkka testi" not in said


def test_an_interval_that_includes_zero_is_never_called_a_difference():
    m = metrics(**{"sectors.company_vs_association.risk_difference.lower": -0.05})
    said = " ".join(section(summarise(m, META, "fi"), "sectors").paragraphs)
    assert f"Ero (31,7 prosenttiyksikköä, 95{NBSP}%:n luottamusväli −5,0–55,7) voi johtua sattumasta" in said
    assert "ei todennäköisesti johdu" not in said and "hyväksi" not in said
    english = " ".join(section(summarise(m, META, "en"), "sectors").paragraphs)
    assert "may be chance: these data cannot say which offered continued work more often" in english


def test_a_suppressed_count_is_said_to_be_suppressed():
    s = summarise(metrics(**{"outcomes.retirement.n": None, "outcomes.retirement.share": None}), META, "fi")
    items = section(s, "outcomes").items
    assert "jäi eläkkeelle: määrä salattu (se paljastaisi alle viiden henkilön tiedon)" in items
    assert f"työllistyi: 60 (40{NBSP}%)" in items
    hidden_rates = metrics(**{"sectors.association.continuation_rate": None})
    assert "Jatkon osuuksia ei kerrota" in " ".join(section(summarise(hidden_rates, META, "fi"), "sectors").paragraphs)


def test_an_unknown_probability_is_said_to_be_unknown_with_why():
    s = summarise(metrics(**{"cif.employment.730d": None}), META, "fi")
    said = section(s, "speed").paragraphs[0]
    assert said.startswith("Sadasta asiakkaasta 13 oli työllistynyt puolen vuoden kuluessa ilmoittautumisesta "
                           f"(95{NBSP}%:n luottamusväli 8–19). Vuoden kuluessa heitä oli 26 (19–33).")
    assert "Kahden vuoden kuluessa työllistyneiden määrää ei voi kertoa" in said


def test_a_notebook_that_did_not_run_leaves_its_part_out_and_says_so():
    no_sectors = {k: ... for k in metrics() if k.startswith("sectors.")}
    s = summarise(metrics(**no_sectors), META, "fi")
    assert "sectors" not in [x.key for x in s.sections] and s.missing == ["sectors"]
    assert section(s, "limits").paragraphs[-1] == "Tässä ajossa ei ollut tietoja osiin: yritykset ja yhdistykset."
    assert "palkkatukijaksoja" not in " ".join(section(s, "limits").paragraphs)
    nothing = summarise({}, META, "en")
    assert [x.key for x in nothing.sections] == ["limits"]
    assert nothing.missing == ["outcomes", "speed", "sectors", "official", "cf"]
    assert not nothing.parts()["in the summary"].any()


def test_english_words_and_number_format():
    s = summarise(metrics(), META, "en")
    assert s.title == "Haapavesi: an evaluation of the Wassup project"
    assert "found work: 60 (40%)" in section(s, "outcomes").items
    assert section(s, "speed").paragraphs[0].startswith(
        "Of every hundred clients, 13 had found work within half a year of enrolling (95% confidence interval 8–19).")
    official = section(s, "official").paragraphs
    assert official[0] == "Haapavesi: 408 unemployed job seekers in July 2016 and 249 in March 2019 (−39%)."
    assert "at almost the same pace" in official[1]


def test_finnish_months_are_written_out_and_the_benchmark_follows_the_data():
    s = summarise(metrics(), META, "fi")
    assert s.subtitle.startswith("Yhteenveto päättäjille. Hanke kesäkuu 2016 – toukokuu 2019")
    official = section(s, "official").paragraphs
    # (249 - 408) / 408 = -39 %
    assert official[0] == f"Haapavesi: työttömiä työnhakijoita oli 408 heinäkuussa 2016 ja 249 maaliskuussa 2019 (−39{NBSP}%)."
    assert "olisi ollut maaliskuussa 2019 noin 257 työtöntä; muun maakunnan tahdissa 258 ja muun seutukunnan tahdissa 362" in official[1]
    assert official[1].endswith("lähes samaa tahtia kuin muualla maassa.")  # 249 vs 257: 3 % apart
    faster = summarise(metrics(**{"official.trend.country.expected_end": 300.0}), META, "fi")
    assert section(faster, "official").paragraphs[1].endswith("nopeammin kuin muualla maassa.")


def test_the_counterfactual_says_what_its_placebo_p_allows():
    plain = " ".join(section(summarise(metrics(), META, "fi"), "cf").paragraphs)
    assert "yhtä suuria eroja syntyy kunnissa, joissa hanketta ei ollut (lumetesti p = 0,49)" in plain
    assert "Hankkeen lopussa (toukokuu 2019) kunnassa oli noin 22 työtöntä vähemmän" in plain
    assert "kunnassa oli hankkeen alussa (kesäkuu 2016) 402 työtöntä" in plain
    significant = " ".join(section(summarise(metrics(**{"counterfactual.unemployed.scm.placebo_p": 0.02}),
                                             META, "fi"), "cf").paragraphs)
    assert f"Ero on suurempi kuin 98{NBSP}%:ssa lumekunnista (p = 0,02)" in significant


def test_the_synthetic_warning_opens_the_summary_whenever_a_table_is_synthetic():
    assert summarise(metrics(), META, "fi").warning == ""  # a real register with official statistics
    s = summarise(metrics(**{"dataset.clients_source": "synthetic", "dataset.placements_source": "synthetic"}),
                  META, "fi")
    assert s.warning.startswith("<strong>Harjoitusaineisto.</strong> Tämän yhteenvedon asiakasluvut ja "
                                "palkkatukiluvut on laskettu keksitystä harjoitusaineistosta")
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
    assert set(table["metric"]) >= {"outcomes.employment.n", "sectors.company.subsidy_share",
                                    "official.trend.country.expected_end", "counterfactual.unemployed.scm.placebo_p"}


def test_the_html_is_one_self_contained_page_with_the_figures_embedded(tmp_path):
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
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

"""The summary for decision makers: what a run found, in plain Finnish (or English), two A4 pages.

:func:`summarise` reads a run's ``metrics.json`` (and names its figures) and writes sentences with
absolute numbers; every number comes from the metrics and is listed in :attr:`Summary.stated`
with its key.  The sentences follow the evidence, never the other way round:

* a difference whose interval includes zero is said to be possibly chance, never a difference;
  one whose interval excludes zero but whose exact test does not confirm it is said to be uncertain;
* a count that disclosure control suppressed (``None`` in the metrics of real data) is said to be
  suppressed, and a probability that is not there is said to be unknown, with why (a horizon
  notebook 02 did not record is one the follow-up does not reach);
* the town's unemployment is compared between like months from the project's first month (one
  start throughout), against every benchmark notebook 01 computes, and is said to stand out only
  when it lies outside the central range of towns of similar size;
* a part whose notebook did not run (no placements, no official statistics, ``--only``) is left
  out and named under "what this evaluation cannot say";
* the synthetic-data warning opens the summary whenever a table behind it is synthetic.

:func:`render_html` writes it as one self-contained HTML file (figures embedded, a print style
sheet for A4); :func:`write_summary` saves it as ``summary.<lang>.html``.  The words avoid the
notebooks' terms ("kumulatiivinen ilmaantuvuus", "hasardisuhde"): those stay in the notebooks.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .comparison.report import PRIMARY_HORIZON, missing_sentence
from .comparison.report import conclusion_sentences as comparison_sentences
from .counterfactual import PRIMARY, conclusion_sentences
from .files import write_atomic
from .metrics import read_metrics
from .text import check_lang, interval, markdown_literal, month_name, number, ordinal, percent, signed, signed_percent

__all__ = ["Summary", "Section", "summarise", "render_html", "write_summary", "WORDS", "HORIZONS"]

#: Horizons (days) at which the share employed is stated, with their names.
HORIZONS = {180: "half", 365: "year", 730: "two"}
#: The summary's parts and the notebooks whose metrics each needs.
PARTS = {
    "outcomes": "00_dataset_overview",
    "speed": "02_time_to_employment",
    "sectors": "03_sector_outcomes",
    "official": "01_reproduce_report_figures",
    "cf": "04_counterfactual",
    "comparison": "05_client_comparison",
}
#: The groups in the order the summary lists them.
GROUP_ORDER = ("employment", "activation", "retirement", "other", "censored")

WORDS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "{name}: Wassup-hankkeen arviointi",
        "subtitle": "Yhteenveto päättäjille. Hanke {start} – {end}; Kokoomo-palvelukeskuksen asiakkaat.",
        "warning": "<strong>Harjoitusaineisto.</strong> Tämän yhteenvedon {tables} on laskettu keksitystä "
        "harjoitusaineistosta, ei Kokoomon todellisista asiakkaista. Ne näyttävät, millainen "
        "yhteenveto todellisista tiedoista syntyisi, mutta eivät kerro hankkeen tuloksista.",
        "warning.official": " Työttömyysluvut ovat Tilastokeskuksen virallisia tilastoja.",
        "table.clients": "asiakasluvut",
        "table.placements": "palkkatukiluvut",
        "table.monthly": "työttömyysluvut",
        "and": "ja",
        "outcomes.title": "Mihin asiakkaat siirtyivät",
        "outcomes.intro": "Hankkeessa oli {n} asiakasta. Seurannan aikana:",
        "group.employment": "työllistyi",
        "group.activation": "siirtyi työkokeiluun tai kuntouttavaan työtoimintaan",
        "group.retirement": "jäi eläkkeelle",
        "group.other": "siirtyi koulutukseen, muutti tai keskeytti",
        "group.censored": "ei poistumaa seurannan aikana",
        "count": "{n} ({share})",
        "count.hidden": "määrä salattu (se paljastaisi alle viiden henkilön tiedon)",
        "speed.title": "Kuinka nopeasti asiakkaat työllistyivät",
        "speed.half": "puolen vuoden",
        "speed.year": "vuoden",
        "speed.two": "kahden vuoden",
        "speed.first": "Sadasta asiakkaasta {x} oli työllistynyt {when} kuluessa ilmoittautumisesta "
        "(95\u00a0%:n luottamusväli {span}).",
        "speed.more": "{When} kuluessa heitä oli {x} ({span}).",
        "speed.short": "{When} kuluessa työllistyneiden määrää ei voi kertoa: seuranta on siihen liian lyhyt "
        "(niin pitkään seurattuja asiakkaita oli liian vähän).",
        "speed.unknown": "{When} kuluessa työllistyneiden määrää ei voi kertoa: seuranta on siihen liian lyhyt "
        "tai luku on salattu (se paljastaisi alle viiden henkilön tiedon).",
        "speed.explain": "Luvuissa on otettu huomioon, että osa asiakkaista siirtyi muualle ennen kuin ehti "
        "työllistyä. Luottamusväli kertoo, kuinka paljon luku voisi vaihdella sattuman vuoksi.",
        "sectors.title": "Yritykset ja yhdistykset palkkatukityönantajina",
        "sectors.euros": "Palkkatukieuroista {company} meni yrityksiin ja {association} yhdistyksiin.",
        "sectors.rates": "Palkkatukijakson jälkeen jatkoa tarjottiin yrityksissä {company}:lle "
        "työllistetyistä ({kc}/{nc}) ja yhdistyksissä {association}:lle ({ka}/{na}).",
        "sectors.hidden": "Jatkon osuuksia ei kerrota: ne paljastaisivat alle viiden henkilön tiedon.",
        "sectors.diff": "Ero, {d} prosenttiyksikköä {side} hyväksi, ei todennäköisesti johdu pelkästä "
        "sattumasta (95\u00a0%:n luottamusväli {span} prosenttiyksikköä).",
        "sectors.diff.unconfirmed": "Tarkka testi ei kuitenkaan vahvista eroa (p = {p}), joten siihen on "
        "suhtauduttava varoen: yritysten ja yhdistysten palkkatukijaksoja oli vain {n}.",
        "sectors.no_diff": "Ero ({d} prosenttiyksikköä, 95\u00a0%:n luottamusväli {span}) voi johtua sattumasta: "
        "aineistosta ei voi päätellä, kummassa jatko oli yleisempää.",
        "sectors.no_estimate": "Yritysten ja yhdistysten eroa ei voi laskea tästä aineistosta.",
        "side.company": "yritysten",
        "side.association": "yhdistysten",
        "official.title": "Työttömyys kunnassa ja muualla",
        "official.counts": "{name}: työttömiä työnhakijoita oli {start} {when_start} ja {end} {when_end} ({change}{why}).",
        "official.like.first": "; hankkeen ensimmäinen kuukausi ja sama kalenterikuukausi myöhemmin, sillä "
        "työttömyys vaihtelee vuodenajan mukaan",
        "official.like": "; sama kalenterikuukausi, sillä työttömyys vaihtelee vuodenajan mukaan",
        "official.benchmark": "Muun maan tahdissa kunnassa olisi ollut {when_end} noin {country} työtöntä, muun "
        "maakunnan tahdissa {region} ja muun seutukunnan tahdissa {subregion}; todellisuudessa "
        "{tail}.",
        "official.below": "{d} vähemmän",
        "official.above": "{d} enemmän",
        "official.between": "määrä oli näiden välissä",
        "official.range": "keskimmäisessä {coverage}:ssa samankokoisista kunnista ({n} kuntaa, työvoimaa {size}) "
        "työttömien määrä muuttui samana aikana {range}\u00a0%",
        "official.within": "Kunnan muutos ({change}) mahtuu kuitenkin tavalliseen vaihteluun: {range}{rank}.",
        "official.rank": ", ja kunnan lasku oli {all} kunnan joukossa {rank} suurin",
        "official.outside.faster": "Kunnan muutos ({change}) jää tavallisen vaihtelun ulkopuolelle: {range}, ja vain "
        "{k}/{n} kunnasta laski enemmän. Se ei yksin kerro, että lasku johtui hankkeesta.",
        "official.outside.slower": "Kunnan muutos ({change}) jää tavallisen vaihtelun ulkopuolelle: {range}, ja vain "
        "{k}/{n} kunnasta laski vähemmän.",
        "cf.title": "Vähensikö hanke kunnan työttömyyttä?",
        "comparison.title": "Työllistyivätkö asiakkaat useammin kuin samanlaiset työttömät?",
        "limits.title": "Mitä tämä arviointi ei kerro",
        "limits.no_control": "Asiakkaiden siirtymiä ei verrattu samanlaisiin työttömiin, jotka eivät olleet "
        "Kokoomon asiakkaita: luvut kertovat, mihin asiakkaat siirtyivät, eivät sitä, kuinka "
        "moni olisi työllistynyt ilman hanketta.",
        "limits.size": "Asiakkaita oli {clients}{placements}.",
        "limits.width": " Sattuman osuus näkyy väleistä: vuoden kuluessa työllistyneiden osuuden 95\u00a0%:n "
        "väli on {width} prosenttiyksikköä leveä.",
        "limits.placements": " ja palkkatukijaksoja {n}",
        "limits.missing": "Tässä ajossa ei ollut tietoja osiin: {parts}.",
        "part.outcomes": "asiakkaiden siirtymät",
        "part.speed": "työllistymisen nopeus",
        "part.sectors": "yritykset ja yhdistykset",
        "part.official": "viralliset työttömyystilastot",
        "part.cf": "vertailu muihin kuntiin",
        "part.comparison": "asiakkaiden vertailu samanlaisiin työttömiin",
        "table.comparison": "vertailuluvut",
        "source": "Luvut: wassup-evaluation, ajon tiedosto metrics.json (muistikirjat 00–05). Työttömyystilastot: "
        "Tilastokeskus ja TEM, StatFin 12r5, CC BY 4.0.",
        "figure.clients_by_outcome": "Asiakkaat siirtymän mukaan.",
        "figure.continuation_rate_by_sector": "Jatkon osuus sektoreittain, pystyviivat 95\u00a0%:n luottamusvälejä.",
        "figure.unemployed_indexed_by_area": "Työttömät kunnassa ja muualla, hankkeen alku = 100.",
        "figure.counterfactual_paths": "Kunnan työttömyysaste ja vertailukuntien painotettu keskiarvo.",
    },
    "en": {
        "title": "{name}: an evaluation of the Wassup project",
        "subtitle": "A summary for decision makers. Project {start} – {end}; the clients of the Kokoomo centre.",
        "warning": "<strong>Practice data.</strong> The {tables} in this summary come from invented practice "
        "data, not from Kokoomo's real clients. They show what a summary of the real data would "
        "look like, but say nothing about the project's results.",
        "warning.official": " The unemployment figures are official statistics of Statistics Finland.",
        "table.clients": "client figures",
        "table.placements": "pay-subsidy figures",
        "table.monthly": "unemployment figures",
        "and": "and",
        "outcomes.title": "Where the clients went",
        "outcomes.intro": "The project had {n} clients. During the follow-up:",
        "group.employment": "found work",
        "group.activation": "moved to a work trial or rehabilitative work",
        "group.retirement": "retired",
        "group.other": "moved to education, moved away or dropped out",
        "group.censored": "no exit during the follow-up",
        "count": "{n} ({share})",
        "count.hidden": "number suppressed (it would reveal fewer than five people)",
        "speed.title": "How fast the clients found work",
        "speed.half": "half a year",
        "speed.year": "a year",
        "speed.two": "two years",
        "speed.first": "Of every hundred clients, {x} had found work within {when} of enrolling "
        "(95% confidence interval {span}).",
        "speed.more": "Within {when}, {x} had ({span}).",
        "speed.short": "How many had found work within {when} cannot be said: the follow-up is too short for it "
        "(too few clients were followed that long).",
        "speed.unknown": "How many had found work within {when} cannot be said: the follow-up is too short for it, "
        "or the number is suppressed (it would reveal fewer than five people).",
        "speed.explain": "The numbers allow for clients who moved elsewhere before they could find work. The "
        "confidence interval shows how much a number could vary by chance.",
        "sectors.title": "Companies and associations as employers with pay subsidy",
        "sectors.euros": "Of the pay-subsidy euros, {company} went to companies and {association} to associations.",
        "sectors.rates": "After the subsidised period, companies offered continued work to {company} of those "
        "employed ({kc}/{nc}) and associations to {association} ({ka}/{na}).",
        "sectors.hidden": "The shares offered continued work are not shown: they would reveal fewer than five people.",
        "sectors.diff": "The difference, {d} percentage points in favour of {side}, is unlikely to be chance "
        "alone (95% confidence interval {span} percentage points).",
        "sectors.diff.unconfirmed": "The exact test does not confirm it, though (p = {p}): with only {n} "
        "placements in companies and associations it should be read with caution.",
        "sectors.no_diff": "The difference ({d} percentage points, 95% confidence interval {span}) may be "
        "chance: these data cannot say which offered continued work more often.",
        "sectors.no_estimate": "The difference between companies and associations cannot be estimated from these data.",
        "side.company": "companies",
        "side.association": "associations",
        "official.title": "Unemployment in the town and elsewhere",
        "official.counts": "{name}: {start} unemployed job seekers {when_start} and {end} {when_end} ({change}{why}).",
        "official.like.first": "; the project's first month and the same calendar month later, as unemployment "
        "varies with the season",
        "official.like": "; the same calendar month, as unemployment varies with the season",
        "official.benchmark": "At the pace of the rest of the country the town would have had about {country} "
        "unemployed {when_end}, at that of the rest of its region {region} and of the rest of "
        "its sub-region {subregion}; it had {tail}.",
        "official.below": "{d} fewer",
        "official.above": "{d} more",
        "official.between": "a number between these",
        "official.range": "in the middle {coverage} of towns of similar size ({n} towns, labour force {size}) the "
        "number of unemployed changed by {range}% over the same months",
        "official.within": "Yet the town's change ({change}) lies within ordinary variation: {range}{rank}.",
        "official.rank": ", and the town's fall was the {rank} largest of {all}",
        "official.outside.faster": "The town's change ({change}) lies outside ordinary variation: {range}, and only "
        "{k} of the {n} fell more. That alone does not say the project caused the fall.",
        "official.outside.slower": "The town's change ({change}) lies outside ordinary variation: {range}, and only "
        "{k} of the {n} fell less.",
        "cf.title": "Did the project reduce the town's unemployment?",
        "comparison.title": "Did the clients find work more often than similar unemployed people?",
        "limits.title": "What this evaluation cannot say",
        "limits.no_control": "The clients were not compared with similar unemployed people who were not "
        "Kokoomo's clients: the numbers say where the clients went, not how many would "
        "have found work without the project.",
        "limits.size": "There were {clients} clients{placements}.",
        "limits.width": " Chance shows in the intervals: the 95% interval of the share employed within a "
        "year is {width} percentage points wide.",
        "limits.placements": " and {n} subsidised placements",
        "limits.missing": "This run had no data for: {parts}.",
        "part.outcomes": "where the clients went",
        "part.speed": "how fast they found work",
        "part.sectors": "companies and associations",
        "part.official": "official unemployment statistics",
        "part.cf": "the comparison with other municipalities",
        "part.comparison": "the comparison of the clients with similar unemployed people",
        "table.comparison": "comparison figures",
        "source": "Numbers: wassup-evaluation, the run's metrics.json (notebooks 00–05). Unemployment "
        "statistics: Statistics Finland and the Ministry of Economic Affairs and Employment, StatFin "
        "12r5, CC BY 4.0.",
        "figure.clients_by_outcome": "Clients by where they went.",
        "figure.continuation_rate_by_sector": "Share offered continued work by sector, with 95% confidence intervals.",
        "figure.unemployed_indexed_by_area": "Unemployed in the town and elsewhere, start of the project = 100.",
        "figure.counterfactual_paths": "The town's unemployment rate and the weighted average of comparison towns.",
    },
}


@dataclass
class Section:
    """One part of the summary: a title, paragraphs, an optional bullet list and figure."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    figure: str | None = None  # a PNG name in the run's figures/ (without .png)
    caption: str = ""


@dataclass
class Summary:
    """The summary's parts in order, the warning (empty for real data), and every number it
    states: ``stated`` holds (metrics key, value, the text as printed)."""

    lang: str
    title: str
    subtitle: str
    warning: str
    sections: list[Section]
    missing: list[str]
    source: str
    stated: list[tuple[str, Any, str]] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Every number the summary states, with its metrics key and value."""
        return pd.DataFrame(self.stated, columns=["metric", "value", "as written"])

    def parts(self) -> pd.DataFrame:
        """Which parts the summary holds, and the notebook whose metrics each needs."""
        rows = [
            {"part": WORDS[self.lang][f"part.{key}"], "notebook": notebook, "in the summary": key not in self.missing}
            for key, notebook in PARTS.items()
        ]
        return pd.DataFrame(rows).set_index("part")

    def markdown(self) -> str:
        """The summary's text as Markdown (figures named, not embedded), for a notebook.  Every
        text is written literally (:func:`~evaluation.text.markdown_literal`): a dataset's name
        or municipality is shown, never run as HTML, as in :func:`render_html`."""
        lit = markdown_literal
        lines = [f"# {lit(self.title)}", "", f"*{lit(self.subtitle)}*", ""]
        if self.warning:  # the page's own words (WORDS), with their <strong>
            lines += [f"> {self.warning.replace('<strong>', '**').replace('</strong>', '**')}", ""]
        for s in self.sections:
            lines += [f"## {lit(s.title)}", ""]
            for p in s.paragraphs:
                lines += [lit(p), ""]
            if s.items:
                lines += [f"- {lit(i)}" for i in s.items] + [""]
            if s.figure:
                lines += [f"*[{lit(s.caption)} `figures/{s.figure}.png`]*", ""]
        return "\n".join(lines + [f"<small>{lit(self.source)}</small>"])


class _Writer:
    def __init__(self, metrics: dict, meta: dict, lang: str):
        self.m, self.meta, self.lang = metrics, meta, check_lang(lang)
        self.stated: list[tuple[str, Any, str]] = []

    def w(self, key: str, **values) -> str:
        return WORDS[self.lang][key].format(**values)

    def say(self, key: str, text: str, value: Any = None) -> str:
        """Record that ``text`` states metric ``key`` (its value, or ``value`` when derived)."""
        self.stated.append((key, self.m.get(key) if value is None else value, text))
        return text

    def count(self, key: str) -> str:
        return self.say(key, number(self.m[key], self.lang, 0))

    def share(self, key: str) -> str:
        return self.say(key, percent(100 * self.m[key], self.lang, 0))

    def span(self, lower: str, upper: str, scale: float = 100, decimals: int = 0) -> str:
        """An interval from two metrics (times ``scale``), written by :func:`interval`: ``16–30``,
        ``−39,6 … 16,6``; both keys are recorded."""
        text = interval(scale * self.m[lower], scale * self.m[upper], self.lang, decimals)
        self.say(lower, text)
        self.say(upper, text)
        return text

    def hundred(self, key: str) -> str:
        """A probability as 'of every hundred' (0 decimals)."""
        return self.say(key, number(100 * self.m[key], self.lang, 0))

    def has(self, *keys: str) -> bool:
        return all(k in self.m for k in keys)

    # ------------------------------------------------------------------ sections
    def outcomes(self) -> Section | None:
        if "clients.n" not in self.m or not any(f"outcomes.{g}.n" in self.m for g in GROUP_ORDER):
            return None
        s = Section(
            "outcomes",
            self.w("outcomes.title"),
            [self.w("outcomes.intro", n=self.count("clients.n"))],
            figure="clients_by_outcome",
            caption=self.w("figure.clients_by_outcome"),
        )
        for g in GROUP_ORDER:
            key = f"outcomes.{g}.n"
            if key not in self.m:
                continue
            if self.m[key] is None:
                s.items.append(f"{self.w(f'group.{g}')}: {self.w('count.hidden')}")
            else:
                s.items.append(
                    f"{self.w(f'group.{g}')}: "
                    + self.w("count", n=self.count(key), share=self.share(f"outcomes.{g}.share"))
                )
        return s

    def speed(self) -> Section | None:
        keys = [f"cif.employment.{h}d" for h in HORIZONS]
        if not any(k in self.m for k in keys):
            return None
        s = Section("speed", self.w("speed.title"))
        sentences, first = [], True
        # notebook 02 leaves out a horizon where fewer than min_at_risk clients are followed: an
        # absent key is a follow-up too short; a null one is that or, where disclosure control
        # applies (clients not synthetic), a suppressed value.  No estimate without its interval.
        synthetic = self.m.get("dataset.clients_source", "synthetic" if self.m.get("dataset.synthetic") else None)
        for h, word in HORIZONS.items():
            key = f"cif.employment.{h}d"
            when = self.w(f"speed.{word}")
            When = when[:1].upper() + when[1:]
            if any(self.m.get(k) is None for k in (key, key + ".lower", key + ".upper")):
                short = key not in self.m or synthetic == "synthetic"
                text = self.w("speed.short" if short else "speed.unknown", When=When, when=when)
            else:
                x, span = self.hundred(key), self.span(key + ".lower", key + ".upper")
                text = (
                    self.w("speed.first", x=x, when=when, span=span)
                    if first
                    else self.w("speed.more", x=x, When=When, when=when, span=span)
                )
                first = False
            sentences.append(text)
        s.paragraphs = [" ".join(sentences), self.w("speed.explain")]
        return s

    def sectors(self) -> Section | None:
        base = "sectors.company_vs_association"
        if not self.has("sectors.company.placements", "sectors.association.placements"):
            return None
        s = Section(
            "sectors",
            self.w("sectors.title"),
            figure="continuation_rate_by_sector",
            caption=self.w("figure.continuation_rate_by_sector"),
        )
        shares = [self.m.get(f"sectors.{x}.subsidy_share") for x in ("company", "association")]
        if None not in shares:
            s.paragraphs.append(
                self.w(
                    "sectors.euros",
                    company=self.share("sectors.company.subsidy_share"),
                    association=self.share("sectors.association.subsidy_share"),
                )
            )
        shown = [
            f"sectors.{x}.{y}"
            for x in ("company", "association")
            for y in ("continuation_rate", "placements", "continued")
        ]
        if any(self.m.get(key) is None for key in shown):
            s.paragraphs.append(self.w("sectors.hidden"))
        else:
            s.paragraphs.append(
                self.w(
                    "sectors.rates",
                    company=self.share("sectors.company.continuation_rate"),
                    association=self.share("sectors.association.continuation_rate"),
                    kc=self.count("sectors.company.continued"),
                    nc=self.count("sectors.company.placements"),
                    ka=self.count("sectors.association.continued"),
                    na=self.count("sectors.association.placements"),
                )
            )
        d, lo, hi = (self.m.get(f"{base}.risk_difference{x}") for x in ("", ".lower", ".upper"))
        if d is None or lo is None or hi is None:
            s.paragraphs.append(self.w("sectors.no_estimate"))
            return s
        # percentage points with one decimal: a bound of 0.1 must not read as 0
        pp = lambda key: self.say(key, signed(100 * self.m[key], self.lang, 1))  # noqa: E731
        span = self.span(f"{base}.risk_difference.lower", f"{base}.risk_difference.upper", 100, 1)
        if lo > 0 or hi < 0:
            side = "company" if d > 0 else "association"
            text = self.w(
                "sectors.diff",
                d=self.say(f"{base}.risk_difference", number(abs(100 * d), self.lang, 1)),
                side=self.w(f"side.{side}"),
                span=span,
            )
            fisher = self.m.get(f"{base}.fisher_p")
            ns = [self.m.get(f"sectors.{x}.placements") for x in ("company", "association")]
            if fisher is not None and fisher >= 0.05 and None not in ns:
                text += " " + self.w(
                    "sectors.diff.unconfirmed",
                    p=self.say(f"{base}.fisher_p", number(fisher, self.lang, 2)),
                    n=number(sum(ns), self.lang, 0),
                )
        else:
            text = self.w("sectors.no_diff", d=pp(f"{base}.risk_difference"), span=span)
        s.paragraphs.append(text)
        return s

    def official(self) -> Section | None:
        """The town's unemployed between the compared months (notebook 01: the project's first
        month and the same calendar month whole years later), every benchmark notebook 01
        computes (the rest of the country, region and sub-region), and where the change lies
        among towns of similar size; only a change outside that range is called one."""
        if not self.has(
            "official.unemployed.start", "official.unemployed.end", "official.period.start", "official.period.end"
        ):
            return None
        start, end = self.m["official.unemployed.start"], self.m["official.unemployed.end"]
        first = pd.Period(self.m["official.period.start"], freq="M")
        last = pd.Period(self.m["official.period.end"], freq="M")
        change = 100 * (end - start) / start
        change_text = self.say("official.unemployed.change", signed_percent(change, self.lang), change)
        s = Section(
            "official",
            self.w("official.title"),
            figure="unemployed_indexed_by_area",
            caption=self.w("figure.unemployed_indexed_by_area"),
        )
        # why these months, said only when true: like months, and the project's first month as start
        project_start = pd.Period(self.meta["study_start"], freq="M") if self.meta.get("study_start") else None
        why = (
            ""
            if first.month != last.month
            else self.w("official.like.first")
            if first == project_start
            else self.w("official.like")
        )
        s.paragraphs.append(
            self.w(
                "official.counts",
                name=self._name(),
                start=self.count("official.unemployed.start"),
                end=self.count("official.unemployed.end"),
                why=why,
                when_start=month_name(first, self.lang, when=True),
                when_end=month_name(last, self.lang, when=True),
                change=change_text,
            )
        )
        areas = {a: f"official.trend.{a}.expected_end" for a in ("country", "region", "subregion")}
        if all(self.m.get(k) is not None for k in areas.values()):
            # persons more (+) or fewer (-) than each pace, as the counts are written (whole persons)
            gaps = [round(end) - round(self.m[k]) for k in areas.values()]
            if all(g < 0 for g in gaps) or all(g > 0 for g in gaps):
                lo, hi = min(abs(g) for g in gaps), max(abs(g) for g in gaps)
                d = number(lo, self.lang, 0) if lo == hi else interval(lo, hi, self.lang, 0)
                tail = self.w(
                    "official.below" if gaps[0] < 0 else "official.above",
                    d=self.say("official.trend.difference", d, (lo, hi)),
                )
            else:
                tail = self.w("official.between")
            text = self.w(
                "official.benchmark",
                when_end=month_name(last, self.lang, when=True),
                tail=tail,
                **{a: self.count(k) for a, k in areas.items()},
            )
            s.paragraphs.append(text)
        spread = [
            f"official.spread.{k}"
            for k in ("municipalities", "rank", "ratio", "lower", "upper", "coverage", "size_min", "size_max")
        ]
        if all(self.m.get(k) is not None for k in spread):
            s.paragraphs.append(self._spread(change_text))
        return s

    def _spread(self, change_text: str) -> str:
        g = lambda k: self.m[f"official.spread.{k}"]  # noqa: E731
        n, rank, ratio = int(g("municipalities")), int(g("rank")), g("ratio")
        lo, hi = 100 * (g("lower") - 1), 100 * (g("upper") - 1)
        clause = self.w(
            "official.range",
            n=self.count("official.spread.municipalities"),
            size=self.say(
                "official.spread.size",
                interval(g("size_min"), g("size_max"), self.lang, 0),
                (g("size_min"), g("size_max")),
            ),
            coverage=self.say("official.spread.coverage", percent(100 * g("coverage"), self.lang, 0)),
            range=self.say("official.spread.range", interval(lo, hi, self.lang, 0, plus=True), (lo, hi)),
        )
        if g("lower") <= ratio <= g("upper"):
            # the rank is a place among falls: said only when the town's count fell
            place = (
                self.w(
                    "official.rank",
                    all=number(n + 1, self.lang, 0),
                    rank=self.say("official.spread.rank", ordinal(rank, self.lang)),
                )
                if ratio < 1
                else ""
            )
            return self.w("official.within", change=change_text, range=clause, rank=place)
        faster = ratio < g("lower")
        k = rank - 1 if faster else n + 1 - rank  # the others that fell more (less) than the town
        return self.w(
            "official.outside.faster" if faster else "official.outside.slower",
            change=change_text,
            range=clause,
            k=self.say("official.spread.rank", number(k, self.lang, 0), k),
            n=number(n, self.lang, 0),
        )

    def counterfactual(self) -> Section | None:
        needed = [
            f"counterfactual.{PRIMARY}.scm.{k}" for k in ("effect_end", "effect_end_persons", "placebo_p", "pre_rmspe")
        ]
        if not self.has(
            *needed,
            "counterfactual.donors.used",
            "counterfactual.post_end",
            "counterfactual.treatment_start",
            "counterfactual.count_at_start",
        ):
            return None
        for key in needed + [
            f"counterfactual.{PRIMARY}.scm.{k}"
            for k in ("detectable_persons", "effect_mean_persons", "ci_low_persons", "ci_high_persons")
        ]:
            if self.m.get(key) is not None:
                self.stated.append((key, self.m[key], "(the conclusion's sentences)"))
        lines = conclusion_sentences(self.m, self.lang, clients=self.m.get("clients.n"), register=False)
        return Section(
            "cf",
            self.w("cf.title"),
            lines,
            figure="counterfactual_paths",
            caption=self.w("figure.counterfactual_paths"),
        )

    def comparison(self) -> Section | None:
        """Notebook 05's answer (:func:`evaluation.comparison.report.conclusion_sentences`, the
        notebook's own sentences); None when notebook 05 did not run. When it ran without the
        data to compare (no comparison register), the limits section says what data would answer."""
        if "comparison.available" not in self.m or not self.m["comparison.available"]:
            return None
        key = f"comparison.employment.{PRIMARY_HORIZON}d"
        for k in ("att", "lower", "upper", "treated", "counterfactual"):
            if self.m.get(f"{key}.{k}") is not None:
                self.stated.append((f"{key}.{k}", self.m[f"{key}.{k}"], "(the comparison's sentences)"))
        # the synthetic warning opens the summary (self.warning names the comparison register)
        # the answer only, without a figure: the summary stays on two A4 pages (notebook 05 shows the curves)
        said = comparison_sentences(self.m, self.lang, warn=False, design=False)
        return Section("comparison", self.w("comparison.title"), [" ".join(said)], figure=None)

    def _name(self) -> str:
        return str(self.meta.get("municipality") or self.meta.get("name", ""))

    def limits(self, missing: list[str]) -> Section:
        # without notebook 05's answer the clients were compared with nobody: said, with what data would
        # answer (notebook 05's own sentence when it ran without a comparison register)
        first = []
        if not self.m.get("comparison.available"):
            first = [self.w("limits.no_control")]
            if "comparison.reason" in self.m:
                first.append(missing_sentence(self.m, self.lang))
        s = Section("limits", self.w("limits.title"), first)
        if "clients.n" in self.m and self.m["clients.n"] is not None:
            counts = [
                self.m[k]
                for k in (f"sectors.{x}.placements" for x in ("company", "association", "municipality", "other"))
                if k in self.m
            ]
            # the total only when no sector's count is suppressed (it would otherwise mislead)
            n_placements = sum(counts) if counts and None not in counts else None
            # what chance can do is said by the primary interval's width, not by an adjective: the
            # sentence follows the size of the data (issue 24, item 17)
            text = self.w(
                "limits.size",
                clients=number(self.m["clients.n"], self.lang, 0),
                placements=self.w("limits.placements", n=number(n_placements, self.lang, 0)) if n_placements else "",
            )
            low, high = (self.m.get(f"cif.employment.365d.{k}") for k in ("lower", "upper"))
            if low is not None and high is not None:
                width = 100 * (high - low)
                self.stated.append(("cif.employment.365d.upper", high, "minus .lower: the interval's width"))
                text += self.w("limits.width", width=number(width, self.lang, 1))
            s.paragraphs.append(text)
        if missing:
            s.paragraphs.append(self.w("limits.missing", parts=", ".join(self.w(f"part.{k}") for k in missing)))
        return s

    def warning(self) -> str:
        sources = {t: self.m.get(f"dataset.{t}_source") for t in ("clients", "placements", "monthly", "comparison")}
        if not any(v is not None for v in sources.values()):  # an older run: the dataset's flag says
            sources = {t: ("synthetic" if self.m.get("dataset.synthetic") else None) for t in sources}
        synthetic = [t for t, v in sources.items() if v == "synthetic"]
        if not synthetic:
            return ""
        names = [self.w(f"table.{t}") for t in synthetic]
        tables = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {self.w('and')} {names[-1]}"
        text = self.w("warning", tables=tables)
        if sources.get("monthly") == "official":
            text += self.w("warning.official")
        return text


def summarise(metrics: dict | str | Path, meta: dict, lang: str = "fi") -> Summary:
    """The summary of a run: ``metrics`` is its ``metrics.json`` as a dict (or the run folder),
    ``meta`` the dataset's ``dataset.yaml``."""
    if not isinstance(metrics, dict):
        metrics = read_metrics(metrics)
    w = _Writer(metrics, meta, lang)
    parts = {
        "outcomes": w.outcomes(),
        "speed": w.speed(),
        "sectors": w.sectors(),
        "official": w.official(),
        "cf": w.counterfactual(),
        "comparison": w.comparison(),
    }
    missing = [k for k, section in parts.items() if section is None]
    # the clients' comparison is said first under the limits (its own heading and figure would
    # take the summary past two A4 pages): what it found is what the rest cannot say
    answer = parts.pop("comparison")
    limits = w.limits(missing)
    if answer is not None:
        limits.paragraphs[:0] = answer.paragraphs
    sections = [section for section in parts.values() if section is not None] + [limits]
    start = month_name(pd.Period(meta["study_start"], freq="M"), lang)
    end = month_name(pd.Period(meta["study_end"], freq="M"), lang)
    return Summary(
        lang,
        w.w("title", name=w._name()),
        w.w("subtitle", start=start, end=end),
        w.warning(),
        sections,
        missing,
        w.w("source"),
        w.stated,
    )


CSS = """
@page { size: A4; margin: 14mm 15mm 14mm 15mm; }
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #111; }
body { max-width: 180mm; margin: 0 auto; padding: 8mm 0; line-height: 1.38; }
h1 { font-size: 16pt; margin: 0 0 1mm 0; }
.subtitle { margin: 0 0 3mm 0; color: #333; }
h2 { font-size: 11.5pt; margin: 4mm 0 1.5mm 0; break-after: avoid; }
p { margin: 0 0 1.6mm 0; }
ul { margin: 0 0 1.6mm 0; padding-left: 5mm; }
.warning { border: 2px solid #B00000; background: #FFF3F3; padding: 2mm 3mm; margin: 0 0 2mm 0; }
section { display: flow-root; break-inside: avoid; }
figure { float: right; width: 84mm; margin: 1mm 0 2mm 5mm; }
figure img { width: 84mm; height: auto; display: block; }
figcaption { font-size: 8pt; color: #444; }
.source { font-size: 8pt; color: #444; margin-top: 3mm; }
@media screen { body { padding: 10mm; } }
@media print { html { font-size: 9.5pt; } body { padding: 0; line-height: 1.3; } }
"""


def render_html(summary: Summary, figures: str | Path | None = None) -> str:
    """One self-contained HTML page: the figures (PNG from ``figures``) embedded, a print
    style sheet for A4, nothing loaded from elsewhere."""
    figures = Path(figures) if figures is not None else None
    esc = html.escape
    body = [f"<h1>{esc(summary.title)}</h1>", f'<p class="subtitle">{esc(summary.subtitle)}</p>']
    if summary.warning:
        body.append(f'<div class="warning" role="note">{summary.warning}</div>')
    for s in summary.sections:
        image = figures / f"{s.figure}.png" if figures is not None and s.figure else None
        has_image = image is not None and image.is_file()
        text = [f"<h2>{esc(s.title)}</h2>", *(f"<p>{esc(p)}</p>" for p in s.paragraphs)]
        if s.items:
            text.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in s.items) + "</ul>")
        if has_image:
            data = base64.b64encode(image.read_bytes()).decode("ascii")
            # the figure floats right and the text flows beside and then below it: a long
            # section takes no more height than its text at full width needs
            body.append(
                f'<section><figure><img alt="{esc(s.caption)}" src="data:image/png;base64,{data}">'
                f"<figcaption>{esc(s.caption)}</figcaption></figure><div>{''.join(text)}</div></section>"
            )
        else:
            body.append(f'<section class="text-only"><div>{"".join(text)}</div></section>')
    body.append(f'<p class="source">{esc(summary.source)}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{summary.lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(summary.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_summary(summary: Summary, output_dir: str | Path) -> Path:
    """``<output_dir>/summary.<lang>.html`` with the run's figures embedded, written atomically."""
    output_dir = Path(output_dir)
    return write_atomic(output_dir / f"summary.{summary.lang}.html", render_html(summary, output_dir / "figures"))

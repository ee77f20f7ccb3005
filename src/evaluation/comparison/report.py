"""The client-level comparison as notebook 05 and the summary read it: one call that runs the
primary analysis and its sensitivity analyses (or says why they cannot run), the effect table,
the recorded metrics, and the conclusion in words, every number from the metrics.

The words are one catalogue per language (:data:`WORDS`); :func:`conclusion_sentences` builds the
conclusion from it for both notebook 05 and the summary for decision makers, so a wording is
changed in one place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..text import check_lang, interval, number, percent, signed
from .study import ComparisonResult, CostPerJob, Placebo, compare, cost_per_additional_job, placebo, sensitivity

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "PRIMARY_HORIZON",
    "WORDS",
    "ComparisonStudy",
    "balance_table",
    "curve_figure_inputs",
    "comparison_metrics",
    "comparison_study",
    "conclusion_sentences",
    "data_table",
    "effect_table",
    "missing_sentence",
    "sensitivity_sentences",
    "sensitivity_table",
]

#: The primary result: the difference in the cumulative incidence of employment at this many days.
PRIMARY_HORIZON = 365
#: The competing exits in reporting order (the employment contrast is the primary one).
CAUSE_ORDER = ("employment", "activation", "retirement", "other")


@dataclass(frozen=True)
class ComparisonStudy:
    """What notebook 05 shows. ``available`` False (and every analysis None) when the dataset
    cannot answer the question; ``reason`` then says why and what data would. ``parameters``: the
    analysis as run (estimator, ratio, caliper, replace, horizons, reps, seed, level,
    clients_as_comparisons); ``total_eur``: the project's cost from ``dataset.yaml`` (None when
    not given)."""

    available: bool
    reason: str
    synthetic: bool
    parameters: dict
    result: ComparisonResult | None = None
    sensitivity: pd.DataFrame | None = None
    placebo: Placebo | None = None
    cost: CostPerJob | None = None
    total_eur: float | None = None
    notes: list[str] = field(default_factory=list)


def comparison_study(
    clients: pd.DataFrame,
    comparison: pd.DataFrame | None,
    *,
    synthetic: bool,
    costs: dict | None = None,
    estimator: str = "matching",
    ratio: int = 1,
    caliper: float | None = 0.2,
    replace: bool = True,
    horizons: Sequence[float] = (180, 365, 730),
    reps: int = 200,
    seed: int = 2025,
    level: float = 0.95,
    clients_as_comparisons: str = "censor",
    sensitivity_reps: int | None = None,
) -> ComparisonStudy:
    """Run the comparison of notebook 05: the primary analysis (:func:`~.study.compare`), the
    sensitivity table (:func:`~.study.sensitivity`), the placebo outcome where the data have
    ``months_employed_3y`` (:func:`~.study.placebo`) and the cost per additional job where
    ``costs.total_eur`` is given (:func:`~.study.cost_per_additional_job`).

    Parameters
    ----------
    clients, comparison : DataFrame
        ``Dataset.clients`` and ``Dataset.comparison`` (None: the dataset has no comparison table).
    synthetic : bool
        Whether the comparison table is synthetic (said on every output).
    costs : dict, optional
        ``dataset.yaml``'s ``costs`` (``total_eur``, ``what``, ``source``).
    estimator, ratio, caliper, replace, horizons, reps, seed, level, clients_as_comparisons
        The primary analysis, as :func:`~.study.compare`.
    sensitivity_reps : int, optional
        Bootstrap replications of each sensitivity row and of the placebo (default ``reps``).

    Returns
    -------
    ComparisonStudy
        ``available`` False, with the reason, when the comparison table is missing or the clients
        have no ``unemployed_since``; the other notebooks' results do not depend on it.
    """
    parameters = dict(
        estimator=estimator,
        ratio=ratio,
        caliper=caliper,
        replace=replace,
        horizons=tuple(float(h) for h in horizons),
        reps=reps,
        seed=seed,
        level=level,
        clients_as_comparisons=clients_as_comparisons,
    )
    if comparison is None:
        return ComparisonStudy(False, "no_table", synthetic, parameters)
    if "unemployed_since" not in clients.columns or clients["unemployed_since"].isna().all():
        return ComparisonStudy(False, "no_spell_start", synthetic, parameters)
    if PRIMARY_HORIZON not in parameters["horizons"]:
        raise ValueError(f"horizons must include the primary horizon, {PRIMARY_HORIZON} days")
    options = dict(
        estimator=estimator,
        ratio=ratio,
        caliper=caliper,
        replace=replace,
        seed=seed,
        level=level,
        clients_as_comparisons=clients_as_comparisons,
    )
    result = compare(clients, comparison, horizons=horizons, reps=reps, **options)
    side_reps = reps if sensitivity_reps is None else sensitivity_reps
    table = sensitivity(clients, comparison, horizon=PRIMARY_HORIZON, reps=side_reps, **options)
    notes = []
    past = "months_employed_3y"
    if past in clients.columns and past in comparison.columns:
        check = placebo(clients, comparison, reps=side_reps, **options)
    else:
        check = None
        notes.append("placebo")
    total = None if not costs else float(costs["total_eur"])
    cost = (
        None
        if total is None
        else cost_per_additional_job(total, result.employment, result.n_matched, horizon=PRIMARY_HORIZON)
    )
    return ComparisonStudy(True, "", synthetic, parameters, result, table, check, cost, total, notes)


def _estimable(c) -> np.ndarray:
    """Horizons at which the contrast has an interval: beyond the follow-up of some bootstrap
    replicates the interval is undefined, and an estimate is never shown without its interval."""
    return np.isfinite(c.difference_lower) & np.isfinite(c.difference_upper)


def _shown(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(ok, values, np.nan)


def curve_figure_inputs(study: ComparisonStudy, cause: str = "employment") -> dict:
    """The keyword arguments of :func:`evaluation.figures.comparison_curves` for one exit: the two
    curves on every day and, at each horizon, the difference and its interval (NaN where the
    interval is not defined, so the figure neither marks nor writes an estimate without one)."""
    c = study.result.contrasts[cause]
    curve = study.result.curves.query("cause == @cause")
    ok = _estimable(c)
    return dict(
        times=curve["day"].to_numpy(),
        treated=curve["treated"].to_numpy(),
        counterfactual=curve["comparison"].to_numpy(),
        horizons=c.horizons,
        difference=_shown(c.difference, ok),
        lower=_shown(c.difference_lower, ok),
        upper=_shown(c.difference_upper, ok),
    )


def effect_table(study: ComparisonStudy) -> pd.DataFrame:
    """One row per exit and horizon: the clients' cumulative incidence, their counterfactual's,
    the difference (percentage points) with its interval and the ratio with its interval; NaN
    beyond follow-up. Shares as percentages (0..100)."""
    rows = []
    for cause in CAUSE_ORDER:
        c = study.result.contrasts.get(cause)
        if c is None:
            continue
        ok = _estimable(c)
        for j, h in enumerate(c.horizons):
            if not ok[j]:
                rows.append({"exit": cause, "days": int(h), "role": "not estimable: the follow-up is too short"})
                continue
            rows.append(
                {
                    "exit": cause,
                    "days": int(h),
                    "clients_pct": 100 * c.treated[j],
                    "counterfactual_pct": 100 * c.comparison[j],
                    "difference_pp": 100 * c.difference[j],
                    "lower": 100 * c.difference_lower[j],
                    "upper": 100 * c.difference_upper[j],
                    "ratio": c.ratio[j],
                    "ratio_lower": c.ratio_lower[j],
                    "ratio_upper": c.ratio_upper[j],
                    "role": "primary" if cause == "employment" and h == PRIMARY_HORIZON else "secondary",
                }
            )
    return pd.DataFrame(rows)


def data_table(clients: pd.DataFrame, comparison: pd.DataFrame | None, synthetic: bool) -> pd.DataFrame:
    """What the comparison is made from: clients (and those with the start of their spell),
    comparison spells, the persons they belong to, and the municipalities of the register, each
    with its source (``n``: a count of people or spells, suppressed as such on real data)."""
    has_start = int(clients["unemployed_since"].notna().sum()) if "unemployed_since" in clients.columns else 0
    rows = [
        {"what": "clients", "n": len(clients), "source": "clients.csv"},
        {"what": "clients with unemployed_since", "n": has_start, "source": "clients.csv"},
    ]
    if comparison is not None:
        kind = "synthetic" if synthetic else "register"
        rows += [
            {"what": "comparison spells", "n": len(comparison), "source": f"comparison.csv ({kind})"},
            {
                "what": "comparison persons",
                "n": int(comparison["person_id"].nunique()),
                "source": f"comparison.csv ({kind})",
            },
        ]
        if "municipality_code" in comparison.columns:
            codes = comparison["municipality_code"].dropna()
            rows.append({"what": "municipalities", "n": int(codes.nunique()), "source": "comparison.csv"})
    else:
        rows.append({"what": "comparison spells", "n": 0, "source": "no comparison.csv"})
    return pd.DataFrame(rows).set_index("what")


def balance_table(study: ComparisonStudy, hide=None) -> pd.DataFrame:
    """The standardised mean differences before and after adjustment, one row per covariate, with
    the effective sample sizes (Kish) as the last rows. ``hide(k, n)``: the disclosure rule of real
    data (``DisclosureControl.hides``); an indicator's row is blanked when the clients having it,
    or not having it, are a small count (its means would reveal them)."""
    if not study.available:
        return pd.DataFrame({"note": ["the comparison was not run"]})
    r = study.result
    table = r.balance[
        ["treated_before", "comparison_before", "smd_before", "treated_after", "comparison_after", "smd_after"]
    ].copy()
    if hide is not None:
        n = r.n_treated
        binary = table["treated_before"].between(0, 1) & r.balance.index.str.contains("_")
        k = (table["treated_before"] * n).round()
        blank = binary & np.array([hide(int(a), n) for a in k])
        table.loc[blank, :] = np.nan
    ess = pd.DataFrame(
        {
            "treated_after": [r.effective_sample_size["treated"]],
            "comparison_after": [r.effective_sample_size["comparison"]],
        },
        index=pd.Index(["effective sample size (Kish)"], name="covariate"),
    )
    return pd.concat([table, ess])


def sensitivity_table(study: ComparisonStudy) -> pd.DataFrame:
    """The sensitivity analyses of the 365-day employment difference (percentage points), the
    E-value of the primary risk ratio and of its interval's limit nearest 1, and the placebo
    outcome's difference (months), each row saying what it is."""
    if not study.available:
        return pd.DataFrame({"note": ["the comparison was not run"]})
    s = study.sensitivity.copy()
    # the primary row is the primary analysis itself (its own replications), not a re-run
    e = study.result.employment
    j = list(e.horizons).index(PRIMARY_HORIZON)
    first = s["analysis"] == "primary"
    s.loc[first, ["n_matched", "treated", "comparison", "difference", "lower", "upper"]] = [
        study.result.n_matched,
        e.treated[j],
        e.comparison[j],
        e.difference[j],
        e.difference_lower[j],
        e.difference_upper[j],
    ]
    table = pd.DataFrame(
        {
            "analysis": s["analysis"],
            "clients": s["n_matched"],
            "clients_pct": 100 * s["treated"],
            "counterfactual_pct": 100 * s["comparison"],
            "difference_pp": 100 * s["difference"],
            "lower": 100 * s["lower"],
            "upper": 100 * s["upper"],
        }
    )
    r = study.result
    extra = [{"analysis": "E-value of the risk ratio at 365 days", "difference_pp": r.e_value}]
    extra.append({"analysis": "E-value of its interval's limit nearest 1", "difference_pp": r.e_value_limit})
    if study.placebo is not None:
        p = study.placebo
        extra.append(
            {
                "analysis": "placebo: months employed in the 3 years before (months, not pp)",
                "difference_pp": p.difference,
                "lower": p.lower,
                "upper": p.upper,
            }
        )
    return pd.concat([table, pd.DataFrame(extra)], ignore_index=True).set_index("analysis")


def sensitivity_sentences(study: ComparisonStudy, lang: str = "fi") -> list[str]:
    """How the sensitivity analyses read beside the primary result: how many of them have an
    interval that excludes zero, in which direction, and which; every number from the table."""
    check_lang(lang)
    if not study.available:
        return []  # the conclusion has said why
    w = WORDS[lang]
    s = study.sensitivity[study.sensitivity["analysis"] != "primary"]
    above = s.loc[s["lower"] > 0, "analysis"].tolist()
    below = s.loc[s["upper"] < 0, "analysis"].tolist()
    lines = [w["sensitivity.count"].format(n=len(s), above=len(above), below=len(below))]
    if above or below:
        lines.append(w["sensitivity.which"].format(names="; ".join(above + below)))
    return lines


def _value(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def comparison_metrics(study: ComparisonStudy) -> dict:
    """The ``comparison.*`` metrics of ``metrics.json`` (classified for disclosure in
    ``privacy.METRIC_CLASSES``): ``comparison.available``; per exit and horizon ``.att`` (share
    0..1) with ``.lower`` / ``.upper`` and ``.risk_ratio`` with its limits; the E-value of the
    primary risk ratio and of its limit nearest 1; the counts of clients in the trials, matched
    and unmatched; the largest absolute standardised difference after adjustment; the placebo's
    difference; the cost per additional job where costs are given (None when not estimable)."""
    m: dict = {"comparison.available": study.available}
    if not study.available:
        m["comparison.reason"] = study.reason
        return m
    r = study.result
    p = study.parameters
    m.update(
        {
            "comparison.synthetic": study.synthetic,
            "comparison.estimator": r.estimator,
            "comparison.level": p["level"],
            "comparison.horizon": PRIMARY_HORIZON,
            "comparison.treated.n": r.n_treated,
            "comparison.matched.n": r.n_matched,
            "comparison.unmatched.n": r.n_unmatched,
            "comparison.trials.n": r.n_trials,
            "comparison.balance.max_smd_after": float(np.nanmax(np.abs(r.balance["smd_after"]))),
            "comparison.balance.max_smd_before": float(np.nanmax(np.abs(r.balance["smd_before"]))),
            "comparison.employment.365d.e_value": _value(r.e_value),
            "comparison.employment.365d.e_value_limit": _value(r.e_value_limit),
        }
    )
    for cause, c in r.contrasts.items():
        ok = _estimable(c)
        for j, h in enumerate(c.horizons):
            if not ok[j]:  # no interval: nothing recorded (the summary then says it cannot say)
                continue
            key = f"comparison.{cause}.{int(h)}d"
            m[f"{key}.treated"] = _value(c.treated[j])
            m[f"{key}.counterfactual"] = _value(c.comparison[j])
            m[f"{key}.att"] = _value(c.difference[j])
            m[f"{key}.lower"] = _value(c.difference_lower[j])
            m[f"{key}.upper"] = _value(c.difference_upper[j])
            m[f"{key}.risk_ratio"] = _value(c.ratio[j])
            m[f"{key}.risk_ratio_lower"] = _value(c.ratio_lower[j])
            m[f"{key}.risk_ratio_upper"] = _value(c.ratio_upper[j])
    if study.placebo is not None:
        m["comparison.placebo.difference"] = _value(study.placebo.difference)
        m["comparison.placebo.lower"] = _value(study.placebo.lower)
        m["comparison.placebo.upper"] = _value(study.placebo.upper)
    if study.cost is not None:
        c = study.cost
        m["comparison.cost.total_eur"] = study.total_eur
        m["comparison.cost_per_additional_job"] = _value(c.estimate) if c.estimable else None
        m["comparison.cost_per_additional_job.lower"] = _value(c.lower) if c.estimable else None
        m["comparison.cost_per_additional_job.upper"] = _value(c.upper) if c.estimable else None
    return m


WORDS: dict[str, dict[str, str]] = {
    "fi": {
        "synthetic": "Harjoitusaineisto: vertailurekisteri on keksitty, ei todellisia ihmisiä; luvut näyttävät, "
        "millaisen vastauksen todelliset rekisterit antaisivat, eivätkä kerro Kokoomon vaikutuksesta.",
        "design": "Kutakin {treated} asiakasta verrattiin samanlaisiin työttömiin, jotka olivat työttöminä saman "
        "kuukauden alussa yhtä kauan mutta eivät olleet Kokoomon asiakkaita ({how}).",
        "how.matching": "lähin vertailuhenkilö saman kuukauden ja työttömyyden keston ryhmästä; vertailupari "
        "löytyi {matched} asiakkaalle",
        "how.weighting": "vertailuhenkilöt painotettiin asiakkaiden kaltaisiksi",
        "unmatched": " {unmatched} asiakkaalle ei löytynyt riittävän samanlaista vertailuhenkilöä: tulos koskee "
        "niitä {matched}, joille löytyi.",
        "effect": "Vuoden kuluessa töihin siirtyi {treated} asiakkaista ja {counterfactual} samanlaisista "
        "työttömistä: ero {diff} prosenttiyksikköä ({level}:n luottamusväli {span}).",
        "effect.more": "Asiakkaat työllistyivät siis useammin kuin samanlaiset työttömät: sadasta asiakkaasta "
        "noin {per100} enemmän, eli {clients} asiakkaasta noin {persons} ({persons_span}) enemmän kuin ilman Kokoomoa "
        "olisi odotettavissa.",
        "effect.fewer": "Asiakkaat työllistyivät harvemmin kuin samanlaiset työttömät: sadasta asiakkaasta noin "
        "{per100} vähemmän.",
        "effect.none": "Ero voi johtua sattumasta: aineistosta ei voi päätellä, työllistyivätkö asiakkaat "
        "useammin tai harvemmin kuin samanlaiset työttömät.",
        "effect.unknown": "Vuoden kuluessa työllistyneiden osuuksia ei voi verrata: seuranta on siihen liian lyhyt.",
        "e_value": "Tuloksen kumoamiseksi mittaamattoman tekijän pitäisi olla yhteydessä sekä asiakkuuteen että "
        "työllistymiseen vähintään {e}-kertaisella riskisuhteella (E-arvo; välin rajalle {e_limit}).",
        "placebo.warning": "Varoitus: asiakkaat ja vertailuhenkilöt erosivat myös työhistoriassaan ennen "
        "työttömyyttä ({diff} kuukautta kolmessa vuodessa, väli {span}), vaikka vertailun piti tehdä heistä "
        "samanlaisia. Valikoituminen voi vääristää tulosta.",
        "cost": "Hankkeen kustannus, {total} euroa, on {per_job} euroa jokaista lisätyöllistynyttä kohden "
        "(väli {span} euroa).",
        "cost.not_estimable": "Kustannusta lisätyöllistynyttä kohden ei voi laskea: lisätyöllistyneiden määrä "
        "voi olla nolla.",
        "sensitivity.count": "Herkkyysanalyyseista ({n}) {above} antoi vuoden erolle nollan yläpuolella olevan "
        "välin ja {below} nollan alapuolella olevan; muiden välit sisältävät nollan.",
        "sensitivity.which": "Nollan sulkevat pois: {names}. Kun päätulos ja herkkyysanalyysit eroavat, "
        "päätulos ratkaisee, mutta ero kertoo, että tulos riippuu analyysin valinnoista.",
        "missing.no_table": "Asiakkaita ei voitu verrata samanlaisiin työttömiin: siihen tarvitaan rekisteriote "
        "muista työttömistä (TE-palvelujen työnhakijarekisteri ja Tilastokeskuksen työssäkäyntitiedot, "
        "comparison.csv) ja asiakkaiden työttömyyden alkupäivä (unemployed_since).",
        "missing.no_spell_start": "Asiakkaita ei voitu verrata samanlaisiin työttömiin: asiakasrekisteristä "
        "puuttuu työttömyyden alkupäivä (unemployed_since), jota ilman asiakkaita ei voi verrata yhtä kauan "
        "työttöminä olleisiin.",
    },
    "en": {
        "synthetic": "Practice data: the comparison register is invented, not real people; the numbers show "
        "what answer the real registers would give and say nothing of Kokoomo's effect.",
        "design": "Each of the {treated} clients was compared with similar unemployed people who had been "
        "unemployed as long at the start of the same month but were not Kokoomo's clients ({how}).",
        "how.matching": "the nearest comparison person of the same month and band of unemployment duration; a "
        "match was found for {matched} clients",
        "how.weighting": "the comparison persons weighted to resemble the clients",
        "unmatched": " For {unmatched} clients no comparison person was similar enough: the result is about "
        "the {matched} who had one.",
        "effect": "Within a year, {treated} of the clients and {counterfactual} of the similar unemployed "
        "moved to work: a difference of {diff} percentage points ({level} confidence interval {span}).",
        "effect.more": "The clients found work more often than similar unemployed people: about {per100} more "
        "of every hundred, that is about {persons} ({persons_span}) of the {clients} clients more than would have "
        "been expected without Kokoomo.",
        "effect.fewer": "The clients found work less often than similar unemployed people: about {per100} fewer "
        "of every hundred.",
        "effect.none": "The difference may be chance: these data cannot say whether the clients found work more "
        "or less often than similar unemployed people.",
        "effect.unknown": "The shares employed within a year cannot be compared: the follow-up is too short.",
        "e_value": "To explain the result away, an unmeasured factor would have to be associated with both "
        "enrolment and employment by a risk ratio of at least {e} (the E-value; {e_limit} for the interval's limit).",
        "placebo.warning": "Warning: the clients and their comparisons also differed in their work history "
        "before the spell ({diff} months in three years, interval {span}), which the comparison should have "
        "made alike. Selection may bias the result.",
        "cost": "The project's cost, {total} euros, is {per_job} euros for each additional client employed "
        "(interval {span} euros).",
        "cost.not_estimable": "The cost per additional job cannot be computed: the number of additional jobs "
        "may be zero.",
        "sensitivity.count": "Of the {n} sensitivity analyses, {above} gave the one-year difference an interval "
        "above zero and {below} one below zero; the others' intervals include zero.",
        "sensitivity.which": "Excluding zero: {names}. Where the primary result and a sensitivity analysis "
        "differ, the primary result stands, but the difference says the result depends on the analysis' choices.",
        "missing.no_table": "The clients could not be compared with similar unemployed people: that needs a "
        "register extract of other unemployed people (the employment services' job-seeker register and "
        "Statistics Finland's employment data, comparison.csv) and the start of each client's unemployment "
        "spell (unemployed_since).",
        "missing.no_spell_start": "The clients could not be compared with similar unemployed people: the client "
        "register lacks the start of the unemployment spell (unemployed_since), without which the clients "
        "cannot be compared with people unemployed as long.",
    },
}


def missing_sentence(metrics: dict, lang: str = "fi") -> str:
    """Why the comparison did not run, and what data would answer it (``comparison.reason``)."""
    check_lang(lang)
    return WORDS[lang][f"missing.{metrics.get('comparison.reason', 'no_table')}"]


def _euros(value: float, lang: str) -> str:
    return number(round(value, -2), lang, 0)


def conclusion_sentences(m: dict, lang: str = "fi", *, warn: bool = True, design: bool = True) -> list[str]:
    """The comparison's conclusion from the ``comparison.*`` metrics, every number from ``m``.

    The primary result is the difference in the share employed within a year (cumulative
    incidence of employment at :data:`PRIMARY_HORIZON` days, clients minus their
    counterfactual). It is called a difference only when its interval excludes zero; then also
    in persons (the difference times the matched clients, with the interval's limits times the
    same number) and with its E-value. One function for both languages (:data:`WORDS`); notebook
    05 and the summary for decision makers both say it this way. ``warn=False`` leaves out the
    synthetic-data sentence (the summary opens with its own warning, which names the register);
    ``design=False`` the sentences on who was compared with whom and who had no match (the
    summary, kept to two A4 pages, says the answer; notebook 05 says the rest)."""
    check_lang(lang)
    w = WORDS[lang]
    if not m.get("comparison.available"):
        return [missing_sentence(m, lang)]
    lines = [w["synthetic"]] if warn and m.get("comparison.synthetic") else []
    treated, matched = m["comparison.treated.n"], m["comparison.matched.n"]
    unmatched = m["comparison.unmatched.n"]
    if m["comparison.estimator"] == "matching":
        how = w["how.matching"].format(matched=matched)
    else:
        how = w["how.weighting"]
    said = w["unmatched"].format(unmatched=unmatched, matched=matched).strip() if unmatched else ""
    if design:
        lines.append(w["design"].format(treated=treated, how=how) + (" " + said if said else ""))
    key = f"comparison.employment.{PRIMARY_HORIZON}d"
    d, lo, hi = m.get(f"{key}.att"), m.get(f"{key}.lower"), m.get(f"{key}.upper")
    if d is None or lo is None or hi is None:
        lines.append(w["effect.unknown"])
        return lines
    level = percent(100 * m["comparison.level"], lang, 0)
    lines.append(
        w["effect"].format(
            treated=percent(100 * m[f"{key}.treated"], lang, 0),
            counterfactual=percent(100 * m[f"{key}.counterfactual"], lang, 0),
            diff=("+" if d > 0 else "") + signed(100 * d, lang, 1),
            level=level,
            span=interval(100 * lo, 100 * hi, lang, 1, plus=True),
        )
    )
    if lo > 0:
        lines.append(
            w["effect.more"].format(
                per100=number(100 * d, lang, 0),
                persons=number(d * matched, lang, 0),
                persons_span=interval(lo * matched, hi * matched, lang, 0),
                clients=matched,
            )
        )
        e, e_limit = m.get(f"{key}.e_value"), m.get(f"{key}.e_value_limit")
        if e is not None and e_limit is not None:
            lines.append(w["e_value"].format(e=number(e, lang, 2), e_limit=number(e_limit, lang, 2)))
        cost = m.get("comparison.cost_per_additional_job")
        if cost is not None:
            lines.append(
                w["cost"].format(
                    total=_euros(m["comparison.cost.total_eur"], lang),
                    per_job=_euros(cost, lang),
                    span=interval(
                        round(m["comparison.cost_per_additional_job.lower"], -2),
                        round(m["comparison.cost_per_additional_job.upper"], -2),
                        lang,
                        0,
                    ),
                )
            )
    elif hi < 0:
        lines.append(w["effect.fewer"].format(per100=number(-100 * d, lang, 0)))
    else:
        lines.append(w["effect.none"])
    if "comparison.cost.total_eur" in m and m.get("comparison.cost_per_additional_job") is None:
        lines.append(w["cost.not_estimable"])
    plo, phi = m.get("comparison.placebo.lower"), m.get("comparison.placebo.upper")
    if plo is not None and phi is not None and (plo > 0 or phi < 0):
        lines.append(
            w["placebo.warning"].format(
                diff=number(m["comparison.placebo.difference"], lang, 1), span=interval(plo, phi, lang, 1, plus=True)
            )
        )
    return lines

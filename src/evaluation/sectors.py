"""Companies versus associations as employers of pay-subsidised clients.

The report says that 48 % of the parallel project's pay-subsidy euros went to private companies
and 32 % to local associations, and that "especially after company placements most clients were
offered a continued job".  With about twenty placements a sector, every proportion here comes
with an interval, and every test with the effect size and interval beside it.

Methods (each function's docstring names its method and reference):

* proportions: Wilson score interval (Wilson 1927);
* risk difference: Newcombe's hybrid score interval (Newcombe 1998, method 10);
* risk ratio: log (Katz) interval;
* odds ratio: conditional maximum likelihood with the exact interval (as R's ``fisher.test``);
* Fisher's exact test (scipy) and Barnard's unconditional exact test (own, exact tie
  handling: scipy's ``barnard_exact`` drops tables tied with the observed statistic);
* adjusted comparison: Mantel–Haenszel odds ratio over strata with the Robins–Breslow–
  Greenland interval and the Cochran–Mantel–Haenszel test (statsmodels, as R's
  ``mantelhaen.test(correct=FALSE)``), and logistic regression by Firth's penalised
  likelihood (own, estimates as R's ``brglm2`` with ``type = "AS_mean"``) with Heinze and
  Schemper's (2002) profile penalised-likelihood interval and likelihood-ratio test;
* precision: the smallest detectable difference at 80 % power (Cohen's h, as R's
  ``pwr::pwr.2p2n.test``);
* cost per continued job: subsidy euros / continued placements with a percentile bootstrap
  interval (``scipy.stats.bootstrap``, fixed seed).

A statistic that does not exist for the data (no placements in a sector, a zero cell where the
method needs none) is returned as ``None`` with a note saying why, never as NaN noise.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from .multiplicity import holm
from .vocabulary import SECTORS
from .describe import subsidy_by_sector

__all__ = [
    "Estimate",
    "wilson_interval",
    "newcombe_difference",
    "risk_ratio",
    "conditional_odds_ratio",
    "placements_by_sector",
    "continuation_by_sector",
    "compare_sectors",
    "barnard_exact",
    "adjusted_comparison",
    "detectable_difference",
    "sector_precision",
    "cost_per_continued_job",
]


@dataclass(frozen=True)
class Estimate:
    """An estimate with its interval (``None`` where it does not exist) and a note."""

    estimate: float | None
    lower: float | None = None
    upper: float | None = None
    note: str = ""


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def wilson_interval(k: int, n: int, alpha: float = 0.05) -> Estimate:
    """Proportion ``k/n`` with the Wilson score interval (Wilson 1927).

    statsmodels' ``proportion_confint(method="wilson")``; equals R's
    ``prop.test(k, n, correct=FALSE)$conf.int`` (tests/reference/sectors.R).  The interval exists
    also for ``k = 0`` and ``k = n``; with ``n = 0`` nothing is estimable.
    """
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return Estimate(None, note="not estimable: no placements")
    lower, upper = proportion_confint(k, n, alpha=alpha, method="wilson")
    p = k / n
    # the score interval always holds p (its ends are 0 and 1 when k is 0 or n), but statsmodels'
    # arithmetic can put an end a rounding error past it (k = n: upper 0.9999999999999999)
    return Estimate(p, max(0.0, min(float(lower), p)), min(1.0, max(float(upper), p)))


def newcombe_difference(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.05) -> Estimate:
    """Risk difference ``k1/n1 - k2/n2`` with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998, Statistics in Medicine 17:873-890): the Wilson intervals of the
    two proportions combined by the square-and-add rule; statsmodels'
    ``confint_proportions_2indep(compare="diff", method="newcomb")``.  Exists for zero and full
    cells.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    if n1 == 0 or n2 == 0:
        return Estimate(None, note="not estimable: a sector has no placements")
    lower, upper = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=alpha)
    return Estimate(k1 / n1 - k2 / n2, float(lower), float(upper))


def risk_ratio(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.05) -> Estimate:
    """Risk ratio ``(k1/n1) / (k2/n2)`` with the log (Katz) interval.

    ``exp(log RR ± z * sqrt(1/k1 - 1/n1 + 1/k2 - 1/n2))``: scipy's ``relative_risk``.  Where
    that interval does not exist (a zero count; every placement continued in both sectors, a
    zero-width interval) the estimate or nothing is returned with a note.
    """
    if n1 == 0 or n2 == 0:
        return Estimate(None, note="not estimable: a sector has no placements")
    if k2 == 0:
        return Estimate(None, note="not estimable: no continued placements in the reference sector")
    rr = (k1 / n1) / (k2 / n2)
    if k1 == 0:
        return Estimate(rr, note="interval not estimable: no continued placements in one sector")
    if k1 == n1 and k2 == n2:  # the log interval has zero width: it does not exist here
        return Estimate(rr, note="interval not estimable: every placement continued in both sectors")
    ci = stats.contingency.relative_risk(k1, n1, k2, n2).confidence_interval(1 - alpha)
    return Estimate(rr, float(ci.low), float(ci.high))


def _table(k1: int, n1: int, k2: int, n2: int) -> np.ndarray:
    return np.array([[k1, n1 - k1], [k2, n2 - k2]])


#: Above this many placements in a 2x2 table the odds ratio is the sample (unconditional) one
#: with Woolf's interval, and the cost per continued job gets a delta-method interval: scipy's
#: conditional MLE takes 0.3 s at 1,000 placements, 7 s at 10,000 and 34 s at 30,000 (measured
#: on 2 cores), and at such sizes the exact and asymptotic answers agree to the digits shown.
EXACT_MAX_PLACEMENTS = 2_000


def conditional_odds_ratio(k1: int, n1: int, k2: int, n2: int, alpha: float = 0.05) -> Estimate:
    """Odds ratio by conditional maximum likelihood with the exact (Cornfield) interval.

    As R's ``fisher.test``: ``scipy.stats.contingency.odds_ratio(kind="conditional")``.  The
    estimate is 0 or infinite with a zero cell (the interval then has a 0 or infinite end);
    nothing is estimable when a row or column of the 2x2 table is empty.  Above
    :data:`EXACT_MAX_PLACEMENTS` placements (and no zero cell): the sample odds ratio with
    Woolf's log interval ``exp(log OR ± z sqrt(1/a + 1/b + 1/c + 1/d))``, said in the note.
    """
    table = _table(k1, n1, k2, n2)
    if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
        return Estimate(None, note="not estimable: every placement had the same outcome, or a sector is empty")
    if n1 + n2 > EXACT_MAX_PLACEMENTS and (table > 0).all():
        sample = stats.contingency.odds_ratio(table, kind="sample")  # Woolf's interval
        ci = sample.confidence_interval(1 - alpha)
        return Estimate(float(sample.statistic), float(ci.low), float(ci.high),
                        note=f"sample odds ratio, Woolf interval (over {EXACT_MAX_PLACEMENTS:,} placements)")
    result = stats.contingency.odds_ratio(table, kind="conditional")
    ci = result.confidence_interval(1 - alpha)
    return Estimate(float(result.statistic), float(ci.low), float(ci.high))


def placements_by_sector(placements: pd.DataFrame) -> pd.DataFrame:
    """Placements, share of placements, subsidy euros and share, median length (days), by sector."""
    table = subsidy_by_sector(placements).drop(columns="continued")
    lengths = placements.groupby("sector", observed=True)["length_days"].median().reindex(table.index)
    # a sector without placements has no median: None (shown as such), not NaN
    table["median_length_days"] = pd.Series([None if pd.isna(v) else float(v) for v in lengths],
                                            index=table.index, dtype=object)
    return table


def continuation_by_sector(placements: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Share of placements followed by an offer of continued employment, with Wilson intervals."""
    rows = []
    for sector in SECTORS:
        sub = placements.loc[placements["sector"] == sector, "continued"].astype(bool)
        est = wilson_interval(int(sub.sum()), int(sub.size), alpha)
        rows.append({"sector": sector, "placements": int(sub.size), "continued": int(sub.sum()),
                     "rate": est.estimate, "lower": est.lower, "upper": est.upper, "note": est.note})
    return _frame(rows, "sector")


def _counts(placements: pd.DataFrame, sector: str) -> tuple[int, int]:
    sub = placements.loc[placements["sector"] == sector, "continued"].astype(bool)
    return int(sub.sum()), int(sub.size)


def compare_sectors(placements: pd.DataFrame, a: str = "company", b: str = "association",
                    alpha: float = 0.05) -> pd.DataFrame:
    """Continuation in sector ``a`` versus ``b``: effect sizes with intervals, and exact tests.

    Rows: risk difference, risk ratio, odds ratio, Fisher's exact test, Barnard's exact test.
    Columns: ``estimate``, ``lower``, ``upper``, ``p`` (tests only), ``method``, ``note``.
    """
    k1, n1 = _counts(placements, a)
    k2, n2 = _counts(placements, b)
    rows = []
    for name, est, method in (
        ("risk difference", newcombe_difference(k1, n1, k2, n2, alpha), "Newcombe hybrid score"),
        ("risk ratio", risk_ratio(k1, n1, k2, n2, alpha), "log (Katz) interval"),
        ("odds ratio", conditional_odds_ratio(k1, n1, k2, n2, alpha), "conditional MLE, exact interval"),
    ):
        rows.append({"statistic": name, "estimate": est.estimate, "lower": est.lower,
                     "upper": est.upper, "p": None, "method": method, "note": est.note})
    if n1 and n2:
        table = _table(k1, n1, k2, n2)
        fisher = float(stats.fisher_exact(table).pvalue)
        if (table.sum(axis=0) == 0).any():
            barnard, note = 1.0, "every placement had the same outcome: no evidence of a difference"
        elif (n1 + 1) * (n2 + 1) > BARNARD_MAX_TABLES:
            barnard = None
            note = (f"not computed: {n1} and {n2} placements give {(n1 + 1) * (n2 + 1):,} possible tables "
                    f"(limit {BARNARD_MAX_TABLES:,}); at this size the unconditional exact test adds "
                    "nothing over Fisher's test and the Newcombe interval")
        else:
            barnard, note = barnard_exact(k1, n1, k2, n2), ""
        rows.append({"statistic": "Fisher's exact test", "estimate": None, "lower": None, "upper": None,
                     "p": fisher, "method": "two-sided, conditional", "note": ""})
        rows.append({"statistic": "Barnard's exact test", "estimate": None, "lower": None, "upper": None,
                     "p": barnard, "method": "two-sided, unconditional (Wald, pooled)", "note": note})
    else:
        for name in ("Fisher's exact test", "Barnard's exact test"):
            rows.append({"statistic": name, "estimate": None, "lower": None, "upper": None, "p": None,
                         "method": "", "note": "not estimable: a sector has no placements"})
    table = _frame(rows, "statistic")
    table.insert(table.columns.get_loc("p") + 1, "p_holm", holm(table["p"]))  # the two tests: one family
    return table



def continuation_sensitivity(placements: pd.DataFrame, follow_up_end, a: str = "company", b: str = "association",
                             alpha: float = 0.05, months: int = 3,
                             hide: Callable[[int, int], bool] | None = None) -> pd.DataFrame:
    """The primary comparison (company minus association continuation rate, Newcombe's interval)
    on every placement, and only on the placements that ended at least ``months`` months before
    the end of follow-up (``follow_up_end``, the dataset's ``study_end``): an offer made after a
    placement ending near or after that date may not be in the register yet, which would count
    a continued job as not continued.

    Rows ``all placements`` and ``ended by <date>``; columns ``<a> placements``, ``<a> continued``,
    the same for ``b``, ``difference``, ``lower``, ``upper``, ``note``.  ``hide(k, n)``
    (disclosure control) hides a sector's counts when they are small, and then the difference.
    """
    cut = pd.Timestamp(follow_up_end) - pd.DateOffset(months=months)
    rows = []
    for name, subset in (("all placements", placements),
                         (f"ended by {cut.date()} ({months} months before follow-up end)",
                          placements.loc[placements["end"] <= cut])):
        (k1, n1), (k2, n2) = _counts(subset, a), _counts(subset, b)
        est = newcombe_difference(k1, n1, k2, n2, alpha)
        row = {"analysis": name, f"{a} placements": n1, f"{a} continued": k1, f"{b} placements": n2,
               f"{b} continued": k2, "difference": est.estimate, "lower": est.lower, "upper": est.upper,
               "note": est.note}
        if hide is not None and (hide(k1, n1) or hide(k2, n2)):
            for sector, k, n in ((a, k1, n1), (b, k2, n2)):
                if hide(k, n):
                    row[f"{sector} continued"] = None
                    row[f"{sector} placements"] = None if hide(n, n) else n
            row.update(difference=None, lower=None, upper=None, note="suppressed: fewer than min_cell placements")
        rows.append(row)
    return _frame(rows, "analysis")

def _frame(rows: list[dict], index: str) -> pd.DataFrame:
    """A result table whose missing values stay ``None`` (shown as such), not NaN."""
    return pd.DataFrame(rows, dtype=object).set_index(index)


#: Barnard's test is computed up to this many possible tables ((n1 + 1) (n2 + 1), about 200
#: placements a sector); its exact integer comparison of every table then takes well under a
#: second and ~50 MB.  Larger samples are the asymptotic tests' domain.
BARNARD_MAX_TABLES = 40_000
#: Grid points times extreme tables evaluated at once (bounds the memory at ~16 MB a block).
_BARNARD_BLOCK = 2_000_000


def barnard_exact(k1: int, n1: int, k2: int, n2: int) -> float:
    """Barnard's unconditional exact test, two-sided, Wald statistic with pooled variance.

    p = max over the nuisance proportion pi of P(|T| >= |T_obs|), both samples binomial(pi).
    Ties in |T| are decided in exact integer arithmetic: ``scipy.stats.barnard_exact`` compares
    floats, so tables whose statistic equals the observed one (mathematically) can fall just
    below it and be left out, which gives too small a p-value (13/20 vs 6/18: scipy 0.0522, the
    definition 0.0575).  The maximum is found on a 2001-point grid and refined by a bounded
    scalar search around the best grid point.  Memory is bounded: the grid is evaluated in
    blocks of at most ``_BARNARD_BLOCK`` terms, and callers refuse tables beyond
    :data:`BARNARD_MAX_TABLES` (the integer comparison itself grows with the number of tables).
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import gammaln, logsumexp

    if n1 == 0 or n2 == 0:
        raise ValueError("Barnard's test needs placements in both sectors")
    total = n1 + n2
    x1 = np.arange(n1 + 1, dtype=object).reshape(-1, 1)
    x2 = np.arange(n2 + 1, dtype=object).reshape(1, -1)
    s = x1 + x2
    # T^2 = (x1 n2 - x2 n1)^2 N / (n1 n2 s (N - s)) as an exact fraction num / den (T = 0 if num = 0)
    num = (x1 * n2 - x2 * n1) ** 2 * total
    den = n1 * n2 * s * (total - s)
    num = np.where(num == 0, 0, num)
    den = np.where(num == 0, 1, den)
    obs_num, obs_den = num[k1, k2], den[k1, k2]
    extreme = (num * obs_den >= obs_num * den).astype(bool)
    xs1, xs2 = np.nonzero(extreme)
    log_comb = (gammaln(n1 + 1) - gammaln(xs1 + 1) - gammaln(n1 - xs1 + 1)
                + gammaln(n2 + 1) - gammaln(xs2 + 1) - gammaln(n2 - xs2 + 1))
    sums = xs1 + xs2

    def log_p(pi: np.ndarray) -> np.ndarray:
        pi = np.atleast_1d(pi)
        step = max(1, _BARNARD_BLOCK // max(1, sums.size))
        out = np.empty(pi.size)
        for start in range(0, pi.size, step):
            block = pi[start:start + step, None]
            with np.errstate(divide="ignore"):
                terms = log_comb + sums * np.log(block) + (total - sums) * np.log1p(-block)
            out[start:start + step] = logsumexp(terms, axis=1)
        return out

    grid = np.linspace(0, 1, 2001)[1:-1]
    values = log_p(grid)
    best = int(np.argmax(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    refined = minimize_scalar(lambda v: -log_p(v)[0], bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-12})
    return float(min(1.0, np.exp(max(values[best], -refined.fun))))


def _linked(placements: pd.DataFrame, clients: pd.DataFrame, a: str, b: str,
            covariates: list[str]) -> pd.DataFrame:
    merged = placements.loc[placements["sector"].isin([a, b]) & placements["client_id"].notna()]
    merged = merged.merge(clients[["client_id", *covariates]], on="client_id", how="inner")
    merged = merged.dropna(subset=covariates)
    out = pd.DataFrame({"continued": merged["continued"].astype(bool).astype(int).to_numpy(),
                        "sector_a": (merged["sector"] == a).astype(int).to_numpy()})
    for column in covariates:
        values = merged[column]
        if values.dtype == "boolean" or pd.api.types.is_bool_dtype(values):
            out[column] = values.astype(bool).astype(int).to_numpy()
        elif pd.api.types.is_numeric_dtype(values):
            out[column] = values.astype("float64").to_numpy()
        else:
            out[column] = values.astype(str).to_numpy()
    return out


ADJUSTERS = ("age_at_entry", "long_term_unemployed", "health_limitations")


def placement_flow(placements: pd.DataFrame, clients: pd.DataFrame, a: str = "company",
                   b: str = "association") -> pd.DataFrame:
    """Who is in each comparison: the placements, those in sectors ``a`` and ``b`` (the crude
    comparison), those with a client id, those whose id links to a client of the register, and
    those whose client has every adjuster (the adjusted comparison).  Columns ``placements``
    (after the step) and ``left out``."""
    covariates = [c for c in ADJUSTERS if c in clients.columns and clients[c].notna().any()]
    steps = [("placements in the dataset", placements)]
    in_ab = placements.loc[placements["sector"].isin([a, b])]
    steps.append((f"in {a} or {b} (the comparison)", in_ab))
    with_id = in_ab.loc[in_ab["client_id"].notna()]
    steps.append(("with a client id", with_id))
    linked = with_id.loc[with_id["client_id"].isin(clients["client_id"])]
    steps.append(("linked to a client of the register", linked))
    complete = clients.loc[clients[covariates].notna().all(axis=1), "client_id"] if covariates else clients["client_id"]
    steps.append((f"with {', '.join(covariates) or 'no adjusters'} (the adjusted comparison)",
                  linked.loc[linked["client_id"].isin(complete)]))
    rows, before = [], None
    for step, frame in steps:
        rows.append({"step": step, "placements": len(frame), "left out": None if before is None else before - len(frame)})
        before = len(frame)
    return _frame(rows, "step")


def sector_reading(comparison: pd.DataFrame, alpha: float = 0.05,
                   sensitivity: pd.DataFrame | None = None) -> list[str]:
    """What the comparison says, from its numbers: the primary result (the difference in
    continuation with Newcombe's interval) first, then whether the other scales and the tests
    agree, each explained as a sensitivity analysis, never as a second answer; with
    ``sensitivity`` (:func:`continuation_sensitivity`), whether the primary result holds on the
    placements that ended well before the end of follow-up.  An interval whose end nearest 0 lies
    within a tenth of its width of 0 is said to be close to the edge."""
    level = round(100 * (1 - alpha))
    rd = comparison.loc["risk difference"]
    if rd["estimate"] is None or rd["lower"] is None:
        return ["Primary result: not estimable (" + (rd["note"] or "see the table") + ")."]
    excludes = rd["lower"] > 0 or rd["upper"] < 0
    lines = [f"Primary result: the difference in continuation, company minus association, is "
             f"{100 * rd['estimate']:.1f} percentage points ({level} % interval {100 * rd['lower']:.1f} to "
             f"{100 * rd['upper']:.1f}): " + ("the interval excludes 0, a difference." if excludes else
                                             "the interval includes 0, no difference can be claimed.")]
    nearest = min(abs(rd["lower"]), abs(rd["upper"]))
    if excludes and nearest < (rd["upper"] - rd["lower"]) / 10:
        lines.append(f"Its end nearest 0 is {100 * nearest:.1f} percentage points from it, less than a tenth of "
                     "the interval's width: a result this close to the edge is weak evidence; read it with its "
                     "interval, as the data's limit, not as proof.")
    agree = []
    for name, null in (("risk ratio", 1.0), ("odds ratio", 1.0)):
        row = comparison.loc[name]
        if row["lower"] is not None and row["upper"] is not None:
            agree.append(f"the {name}'s interval ({row['lower']:.2f} to {row['upper']:.2f}) "
                         + ("excludes" if row["lower"] > null or row["upper"] < null else "includes") + " 1")
    tests = [f"{name.split(' ')[0]} p = {comparison.at[name, 'p']:.3f} (Holm {comparison.at[name, 'p_holm']:.3f})"
             for name in ("Fisher's exact test", "Barnard's exact test") if comparison.at[name, "p"] is not None]
    if agree or tests:
        lines.append("Sensitivity: " + "; ".join(agree + tests) + ".")
    scales_agree = all(("excludes" in t) == excludes for t in agree)
    tests_agree = all((comparison.at[n, "p"] is None) or ((comparison.at[n, "p"] < alpha) == excludes)
                      for n in ("Fisher's exact test", "Barnard's exact test"))
    if not (scales_agree and tests_agree):
        lines.append("They do not all agree, and they need not: Newcombe's score interval is the primary "
                     "analysis because it estimates the quantity asked about (how much more often a "
                     "placement continued) and keeps its coverage with small samples; the exact "
                     "odds-ratio interval and Fisher's test condition on both margins and are conservative "
                     "(they reject less often than their level), Barnard's unconditional test less so, and "
                     "the Katz interval is a large-sample approximation.")
    if sensitivity is not None and len(sensitivity) > 1:
        name, row = sensitivity.index[1], sensitivity.iloc[1]
        if row["difference"] is None or row["lower"] is None:
            lines.append(f"Placements {name}: not estimable ({row['note'] or 'see the table'}).")
        else:
            holds = (row["lower"] > 0 or row["upper"] < 0) == excludes
            lines.append(f"Placements {name}: {100 * row['difference']:.1f} percentage points ({level} % interval "
                         f"{100 * row['lower']:.1f} to {100 * row['upper']:.1f}); "
                         + ("the primary result holds on them." if holds else
                            "the primary result does not hold on them (fewer placements, a wider interval): it "
                            "rests partly on placements that ended close to the end of follow-up."))
    return lines


def adjusted_comparison(placements: pd.DataFrame, clients: pd.DataFrame, a: str = "company",
                        b: str = "association", alpha: float = 0.05) -> pd.DataFrame:
    """Odds ratio of continuation, ``a`` versus ``b``, crude and adjusted, on linked placements.

    Only placements whose ``client_id`` links to a client with every adjuster present are used.
    Rows: crude (conditional MLE), Mantel–Haenszel over strata of age group × long-term
    unemployment × health limitations (Robins–Breslow–Greenland interval; CMH test without
    continuity correction), and logistic regression on sector, age (per year), long-term
    unemployment and health limitations by Firth's penalised likelihood (:func:`firth_logistic`;
    profile penalised-likelihood interval and likelihood-ratio test, :func:`firth_profile`): with a
    few dozen placements ordinary maximum likelihood inflates the
    odds ratio (small-sample bias, not confounding), and separation leaves it infinite.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    covariates = [c for c in ADJUSTERS if c in clients.columns and clients[c].notna().any()]
    data = _linked(placements, clients, a, b, covariates)
    n = len(data)
    rows = []
    k1, n1 = int(data.loc[data.sector_a == 1, "continued"].sum()), int((data.sector_a == 1).sum())
    k2, n2 = int(data.loc[data.sector_a == 0, "continued"].sum()), int((data.sector_a == 0).sum())
    crude = conditional_odds_ratio(k1, n1, k2, n2, alpha)
    rows.append({"model": "crude (linked placements)", "odds_ratio": crude.estimate, "lower": crude.lower,
                 "upper": crude.upper, "p": float(stats.fisher_exact(_table(k1, n1, k2, n2)).pvalue) if n1 and n2 else None,
                 "placements": n, "note": crude.note or "conditional MLE, exact interval, Fisher p"})

    strata_cols = []
    if "age_at_entry" in data:
        data["age_band"] = np.where(data["age_at_entry"] < 25, "under_25",
                                    np.where(data["age_at_entry"] < 50, "25_49", "50_plus"))
        strata_cols.append("age_band")
    strata_cols += [c for c in ("long_term_unemployed", "health_limitations") if c in data]
    tables = []
    for _, group in data.groupby(strata_cols) if strata_cols else [(None, data)]:
        t = np.array([[((group.sector_a == 1) & (group.continued == 1)).sum(),
                       ((group.sector_a == 1) & (group.continued == 0)).sum()],
                      [((group.sector_a == 0) & (group.continued == 1)).sum(),
                       ((group.sector_a == 0) & (group.continued == 0)).sum()]], dtype=float)
        if t.sum(axis=1).min() > 0:  # a stratum with one sector only carries no information
            tables.append(t)
    mh = {"model": "Mantel–Haenszel over strata", "odds_ratio": None, "lower": None, "upper": None,
          "p": None, "placements": int(sum(t.sum() for t in tables)), "note": ""}
    if tables:
        st = StratifiedTable(tables)
        denominator = sum(t[0, 1] * t[1, 0] / t.sum() for t in tables)
        numerator = sum(t[0, 0] * t[1, 1] / t.sum() for t in tables)
        if denominator > 0 and numerator > 0:
            low, high = st.oddsratio_pooled_confint(alpha=alpha)
            mh.update(odds_ratio=float(st.oddsratio_pooled), lower=float(low), upper=float(high),
                      p=float(st.test_null_odds(correction=False).pvalue),
                      note=f"{len(tables)} informative strata of {' × '.join(strata_cols)}")
        else:
            mh["note"] = "not estimable: the pooled odds ratio is 0 or infinite"
    else:
        mh["note"] = "not estimable: no stratum holds both sectors"
    if not covariates:  # nothing to adjust for: the "adjusted" rows would repeat the crude one
        for row in (mh, logistic := {"model": "logistic regression (Firth)", "placements": n}):
            row.update(odds_ratio=None, lower=None, upper=None, p=None,
                       note="not estimable: no covariates to adjust for (none of "
                            f"{', '.join(ADJUSTERS)} has values)")
        table = _frame([*rows, mh, logistic], "model")
        table.insert(table.columns.get_loc("p") + 1, "p_holm", holm(table["p"]))
        return table
    rows.append(mh)
    rows.append(_logistic(data, covariates, alpha))
    table = _frame(rows, "model")
    table.insert(table.columns.get_loc("p") + 1, "p_holm", holm(table["p"]))  # crude, MH, Firth: one family
    return table


def _penalised_loglik(X: np.ndarray, y: np.ndarray, b: np.ndarray):
    """Firth's penalised log-likelihood ``l(b) + 1/2 log det I(b)`` of a logistic model, with the
    fitted probabilities, weights and Fisher information at ``b``."""
    eta = X @ b
    p = 1 / (1 + np.exp(-eta))
    w = p * (1 - p)
    info = X.T @ (w[:, None] * X)
    logdet = np.linalg.slogdet(info)[1]
    return float(np.sum(y * eta - np.logaddexp(0, eta)) + 0.5 * logdet), p, w, info


def _firth_fit(X: np.ndarray, y: np.ndarray, fixed: tuple[int, float] | None, tol: float, max_iter: int,
               start: np.ndarray | None = None) -> tuple[np.ndarray, float, np.ndarray]:
    """Maximise the penalised log-likelihood, over every coefficient or with coefficient ``j``
    held at ``v`` (``fixed = (j, v)``; the penalty stays the full model's, as Heinze and Schemper
    2002 profile it).  Returns the coefficients, the maximum and the information."""
    k = X.shape[1]
    free = np.arange(k) if fixed is None else np.delete(np.arange(k), fixed[0])
    beta = np.zeros(k) if start is None else np.array(start, dtype=float)
    if fixed is not None:
        beta[fixed[0]] = fixed[1]
    value, p, w, info = _penalised_loglik(X, y, beta)
    for _ in range(max_iter):
        inverse = np.linalg.inv(info)
        root_w_x = np.sqrt(w)[:, None] * X
        leverage = np.einsum("ij,jk,ik->i", root_w_x, inverse, root_w_x)
        score = X.T @ (y - p + leverage * (0.5 - p))  # the gradient of the penalised log-likelihood
        step = np.zeros(k)
        step[free] = np.linalg.solve(info[np.ix_(free, free)], score[free])
        scale = 1.0
        while True:
            candidate = beta + scale * step
            new_value, new_p, new_w, new_info = _penalised_loglik(X, y, candidate)
            if new_value >= value - 1e-12 or scale < 1e-8:
                break
            scale /= 2
        beta, value, p, w, info = candidate, new_value, new_p, new_w, new_info
        if np.max(np.abs(scale * step)) < tol:
            break
    return beta, value, info


def firth_logistic(X, y, tol: float = 1e-10, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression by Firth's penalised likelihood (Firth 1993; Heinze and Schemper 2002).

    Maximises ``l(b) + 1/2 log det I(b)``: Newton–Raphson on the modified score
    ``X'(y - p + h (1/2 - p))`` (``h`` the leverages of ``W^1/2 X``), halving a step that lowers
    the penalised log-likelihood.  The estimates are finite under separation and their
    small-sample bias is reduced (the first-order term of the bias is removed; Firth 1993): with
    30 placements and a rare outcome the ordinary maximum-likelihood odds ratio is inflated.
    Returns the coefficients and their covariance ``I(b)^-1`` at the estimate (Wald standard
    errors, as brglm2's ``summary`` prints; ``tests/reference/firth.R`` checks both to 1e-9).
    ``X`` includes the intercept column.  Intervals and tests: :func:`firth_profile`.
    No Python library has it (statsmodels' Logit is maximum likelihood only).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    beta, _, info = _firth_fit(X, y, None, tol, max_iter)
    return beta, np.linalg.inv(info)


@dataclass(frozen=True)
class ProfileResult:
    """One coefficient of a Firth model: estimate, profile penalised-likelihood interval (an end
    is ``None`` where the profile does not fall to the cut-off within 50 standard errors), and
    the penalised likelihood-ratio statistic and p-value of ``b_j = 0``."""

    estimate: float
    lower: float | None
    upper: float | None
    chisq: float
    p: float


def firth_profile(X, y, j: int, alpha: float = 0.05, tol: float = 1e-10) -> ProfileResult:
    """Profile penalised-likelihood interval and penalised likelihood-ratio test of coefficient
    ``j`` of a Firth logistic model (Heinze and Schemper 2002, section 2; as R's
    ``logistf(pl = TRUE)``).

    With ``l*`` the penalised log-likelihood and ``l*_j(v)`` its maximum with ``b_j = v`` (the
    other coefficients free, the full model's penalty), the interval is
    ``{v : 2 (l*(b^) - l*_j(v)) <= chi2_1(1 - alpha)}`` and the test statistic is
    ``2 (l*(b^) - l*_j(0))`` against chi-square with 1 degree of freedom.  Heinze and Schemper
    recommend these over Wald's: the penalised likelihood is asymmetric in small samples and
    under separation, where a Wald interval's coverage is poor.  The ends are found by Brent's
    method to 1e-9; ``tests/reference/firth.R`` computes the same from the definition with a
    generic optimiser.
    """
    from scipy.optimize import brentq

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    beta, top, info = _firth_fit(X, y, None, tol, 200)
    se = math.sqrt(float(np.linalg.inv(info)[j, j]))
    cut = float(stats.chi2.ppf(1 - alpha, 1))

    def deviance(v: float) -> float:  # 2 (l*(b^) - l*_j(v))
        return 2 * (top - _firth_fit(X, y, (j, v), tol, 200, start=beta)[1])

    def end(side: int) -> float | None:
        k = 1.0
        while deviance(beta[j] + side * k * se) < cut:
            k *= 1.5
            if k > 50:
                return None
        a, b = sorted((float(beta[j]), float(beta[j] + side * k * se)))
        return float(brentq(lambda v: deviance(v) - cut, a, b, xtol=1e-10, rtol=1e-12))

    chisq = max(0.0, deviance(0.0))
    return ProfileResult(float(beta[j]), end(-1), end(1), chisq, float(stats.chi2.sf(chisq, 1)))


def _logistic(data: pd.DataFrame, covariates: list[str], alpha: float) -> dict:
    """The adjusted odds ratio of sector ``a`` by Firth's penalised logistic regression, with
    its profile penalised-likelihood interval and penalised likelihood-ratio test
    (:func:`firth_profile`; the crude odds ratio is the table's first row)."""
    row = {"model": "logistic regression (Firth)", "odds_ratio": None, "lower": None, "upper": None, "p": None,
           "placements": len(data), "note": ""}
    columns = ["sector_a", *[c for c in covariates if c in data]]
    constant = [c for c in columns[1:] if data[c].nunique() < 2]
    if constant:  # found before fitting: a constant adjuster is not separation
        row["note"] = (f"not estimable: {', '.join(constant)} has one value in every linked placement "
                       "(nothing to adjust for); leave it out")
        return row
    if len(data) <= len(columns) + 1 or data["continued"].nunique() < 2 or data["sector_a"].nunique() < 2:
        row["note"] = "not estimable: too few linked placements, or no variation in outcome or sector"
        return row
    X = np.column_stack([np.ones(len(data)), data[columns].astype(float).to_numpy()])
    # exp() may overflow on the way to a large (but finite) penalised estimate
    with np.errstate(over="ignore"):
        try:
            fit = firth_profile(X, data["continued"].astype(float).to_numpy(), 1, alpha)
        except np.linalg.LinAlgError:
            row["note"] = "not estimable: the information matrix is singular (collinear adjusters)"
            return row
    row.update(odds_ratio=math.exp(fit.estimate), lower=None if fit.lower is None else math.exp(fit.lower),
               upper=None if fit.upper is None else math.exp(fit.upper), p=fit.p,
               note="adjusted for " + ", ".join(c for c in columns if c != "sector_a")
                    + "; Firth's penalised likelihood (small-sample bias reduced), profile penalised-likelihood "
                      "interval and likelihood-ratio p (Heinze and Schemper 2002)"
                    + ("" if fit.lower is not None and fit.upper is not None else
                       "; an interval end is beyond 50 standard errors (not estimable)"))
    return row


def detectable_difference(n1: int, n2: int, p2: float, alpha: float = 0.05, power: float = 0.8) -> Estimate:
    """Smallest continuation rate difference (``p1 - p2`` > 0) detectable at ``power``.

    Cohen's effect size ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))`` for two independent
    proportions with unequal groups, two-sided normal power (both tails), as R's
    ``pwr::pwr.2p2n.test``, solved for ``h`` to 1e-12 (pwr's own solver stops near 1e-4).
    Returns the difference; ``lower`` holds Cohen's ``h``.
    """
    from scipy.optimize import brentq

    if n1 < 2 or n2 < 2:
        return Estimate(None, note="not estimable: fewer than two placements in a sector")
    scale = math.sqrt(n1 * n2 / (n1 + n2))
    z = _z(alpha)

    def shortfall(h: float) -> float:
        return stats.norm.sf(z - h * scale) + stats.norm.cdf(-z - h * scale) - power

    h = float(brentq(shortfall, 1e-10, 10, xtol=1e-14, rtol=1e-15))
    angle = 2 * math.asin(math.sqrt(p2)) + h
    if angle >= math.pi:
        return Estimate(None, lower=h, note="no difference upwards from this rate is detectable")
    p1 = math.sin(angle / 2) ** 2
    return Estimate(p1 - p2, lower=h)


def sector_precision(placements: pd.DataFrame, a: str = "company", b: str = "association",
                     alpha: float = 0.05, power: float = 0.8) -> tuple[int, int, Estimate]:
    """Placements in sectors ``a`` and ``b`` and the smallest difference in continuation they
    could detect (:func:`detectable_difference`, from ``b``'s observed rate)."""
    k_b, n_b = _counts(placements, b)
    _, n_a = _counts(placements, a)
    if n_b == 0:
        return n_a, n_b, Estimate(None, note=f"not estimable: no {b} placements")
    return n_a, n_b, detectable_difference(n_a, n_b, k_b / n_b, alpha=alpha, power=power)


def cost_per_continued_job(placements: pd.DataFrame, alpha: float = 0.05, seed: int = 2019,
                           n_resamples: int = 9999) -> pd.DataFrame:
    """Subsidy euros per continued placement, by sector, with a percentile bootstrap interval.

    Placements are resampled within each sector (``scipy.stats.bootstrap``, paired, fixed
    seed).  A resample without a continued placement has no finite cost; when that happens in
    more than ``alpha / 2`` of resamples the upper end is not estimable.  A sector with more
    than :data:`EXACT_MAX_PLACEMENTS` placements gets the delta-method interval of a ratio of
    sums instead, ``R ± z sqrt(sum((e - R c)^2) / (n (n - 1))) / mean(c)`` (the bootstrap's cost
    grows with placements × resamples; at that size both agree).
    """
    rows = []
    for sector in SECTORS:
        sub = placements.loc[placements["sector"] == sector]
        euros = sub["subsidy_eur"].to_numpy(dtype=float)
        cont = sub["continued"].astype(bool).to_numpy(dtype=float)
        row = {"sector": sector, "placements": len(sub), "subsidy_eur": float(euros.sum()), "continued": int(cont.sum()),
               "eur_per_continued": None, "lower": None, "upper": None, "note": ""}
        if len(sub) == 0:
            row["note"] = "not estimable: no placements"
        elif cont.sum() == 0:
            row["note"] = "not estimable: no placement continued"
        else:
            row["eur_per_continued"] = euros.sum() / cont.sum()
            if len(sub) < 2:
                row["note"] = "interval not estimable: one placement"
            elif len(sub) > EXACT_MAX_PLACEMENTS:
                n, r = len(sub), row["eur_per_continued"]
                se = math.sqrt(float(((euros - r * cont) ** 2).sum()) / (n * (n - 1))) / cont.mean()
                row["lower"], row["upper"] = r - _z(alpha) * se, r + _z(alpha) * se
                row["note"] = f"delta-method interval (over {EXACT_MAX_PLACEMENTS:,} placements)"
            else:
                def ratio(e, c, axis=-1):
                    with np.errstate(divide="ignore", invalid="ignore"):
                        return np.where(c.sum(axis=axis) > 0, e.sum(axis=axis) / c.sum(axis=axis), np.inf)

                with warnings.catch_warnings(), np.errstate(invalid="ignore"):
                    warnings.simplefilter("ignore", RuntimeWarning)  # the standard error of inf
                    res = stats.bootstrap((euros, cont), ratio, paired=True, vectorized=True,
                                          # resamples per batch: memory ~ 16 MB whatever the size
                                          batch=max(1, 1_000_000 // len(sub)),
                                          confidence_level=1 - alpha, n_resamples=n_resamples,
                                          method="percentile", rng=np.random.default_rng(seed))
                low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
                row["lower"] = low if np.isfinite(low) else None
                row["upper"] = high if np.isfinite(high) else None
                if row["upper"] is None:
                    row["note"] = "upper end not estimable: many resamples have no continued placement"
        rows.append(row)
    return _frame(rows, "sector")


def sector_metrics(placements_table: pd.DataFrame, continuation: pd.DataFrame,
                   comparison: pd.DataFrame, sensitivity: pd.DataFrame | None = None) -> dict:
    """The notebook's recorded results (``sectors.*`` keys of metrics.json); with ``sensitivity``
    (:func:`continuation_sensitivity`) the difference on the placements that ended early,
    ``sectors.company_vs_association.ended_early.risk_difference``."""
    metrics: dict = {}
    for sector, row in placements_table.iterrows():
        if row["placements"] == 0:
            continue  # keys only for the sectors present (None: present but suppressed)
        metrics[f"sectors.{sector}.placements"] = None if row["placements"] is None else int(row["placements"])
        metrics[f"sectors.{sector}.subsidy_share"] = row["subsidy_share"]
        rate = continuation.loc[sector]
        metrics[f"sectors.{sector}.continued"] = None if rate["continued"] is None else int(rate["continued"])
        metrics[f"sectors.{sector}.continuation_rate"] = rate["rate"]
        metrics[f"sectors.{sector}.continuation_rate.lower"] = rate["lower"]
        metrics[f"sectors.{sector}.continuation_rate.upper"] = rate["upper"]
    key = "sectors.company_vs_association"
    for name, stat in (("risk_difference", "risk difference"), ("odds_ratio", "odds ratio")):
        for suffix, column in (("", "estimate"), (".lower", "lower"), (".upper", "upper")):
            value = comparison.at[stat, column]
            metrics[f"{key}.{name}{suffix}"] = None if value is None or value != value or (
                isinstance(value, float) and math.isinf(value)) else value
    for name, test in (("fisher", "Fisher's exact test"), ("barnard", "Barnard's exact test")):
        metrics[f"{key}.{name}_p"] = comparison.at[test, "p"]
        metrics[f"{key}.{name}_p_holm"] = comparison.at[test, "p_holm"] if "p_holm" in comparison else None
    if sensitivity is not None and len(sensitivity) > 1:
        row = sensitivity.iloc[1]
        for suffix, column in (("", "difference"), (".lower", "lower"), (".upper", "upper")):
            metrics[f"{key}.ended_early.risk_difference{suffix}"] = row[column]
    return metrics

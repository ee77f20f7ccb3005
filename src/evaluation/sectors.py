"""Companies versus associations as employers of pay-subsidised clients.

The report says that 48 % of the parallel project's pay-subsidy euros went to private companies
and 32 % to local associations, and that "especially after company placements most clients were
offered a continued job".  Whatever the number of placements, every proportion here comes with
an interval, every test with the effect size and interval beside it, and every comparison is
read with its direction (which sector continued more often).  One estimate and one test are
primary; the others estimate the same quantity or test the same null and are sensitivity
analyses, not a family for a multiplicity adjustment.

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
* precision: the exact power of Fisher's test by enumerating every outcome of the two binomials,
  the smallest difference it detects with 80 % power upward and downward, and its power for a
  given difference (a normal approximation above :data:`EXACT_MAX_PLACEMENTS` placements);
* cost per continued job: subsidy euros / continued placements with a percentile bootstrap
  interval (``scipy.stats.bootstrap``, fixed seed).

A statistic that does not exist for the data (no placements in a sector, a zero cell where the
method needs none) is returned as ``None`` with a note saying why, never as NaN noise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from .describe import subsidy_by_sector
from .vocabulary import SECTORS

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
    "fisher_rejection_region",
    "fisher_power",
    "sector_precision",
    "precision_reading",
    "stated_continuation",
    "firth_logistic",
    "firth_profile",
    "sector_reading",
    "adjusted_reading",
    "cost_per_continued_job",
    "continuation_sensitivity",
    "placement_flow",
    "sector_metrics",
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
        return Estimate(
            float(sample.statistic),
            float(ci.low),
            float(ci.high),
            note=f"sample odds ratio, Woolf interval (over {EXACT_MAX_PLACEMENTS:,} placements)",
        )
    result = stats.contingency.odds_ratio(table, kind="conditional")
    ci = result.confidence_interval(1 - alpha)
    return Estimate(float(result.statistic), float(ci.low), float(ci.high))


def placements_by_sector(placements: pd.DataFrame) -> pd.DataFrame:
    """Placements, share of placements, subsidy euros and share, median length (days), by sector."""
    table = subsidy_by_sector(placements).drop(columns="continued")
    lengths = placements.groupby("sector", observed=True)["length_days"].median().reindex(table.index)
    # a sector without placements has no median: None (shown as such), not NaN
    table["median_length_days"] = pd.Series(
        [None if pd.isna(v) else float(v) for v in lengths], index=table.index, dtype=object
    )
    return table


def continuation_by_sector(placements: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Share of placements followed by an offer of continued employment, with Wilson intervals."""
    rows = []
    for sector in SECTORS:
        sub = placements.loc[placements["sector"] == sector, "continued"].astype(bool)
        est = wilson_interval(int(sub.sum()), int(sub.size), alpha)
        rows.append(
            {
                "sector": sector,
                "placements": int(sub.size),
                "continued": int(sub.sum()),
                "rate": est.estimate,
                "lower": est.lower,
                "upper": est.upper,
                "note": est.note,
            }
        )
    return _frame(rows, "sector")


def _counts(placements: pd.DataFrame, sector: str) -> tuple[int, int]:
    sub = placements.loc[placements["sector"] == sector, "continued"].astype(bool)
    return int(sub.sum()), int(sub.size)


#: The ``role`` of each row of :func:`compare_sectors` and :func:`adjusted_comparison`: one
#: primary estimate and one primary test, declared before the data; the rest sensitivity.
PRIMARY = "primary estimate"
PRIMARY_TEST = "primary test"
SENSITIVITY_SCALE = "sensitivity: the same comparison on another scale"
SENSITIVITY_TEST = "sensitivity: another test of the same null"
PRIMARY_ADJUSTED = "primary adjusted estimate"
SENSITIVITY_ADJUSTED = "sensitivity: another adjusted estimator"
CRUDE_REFERENCE = "reference: unadjusted, the same placements"


def compare_sectors(
    placements: pd.DataFrame, a: str = "company", b: str = "association", alpha: float = 0.05
) -> pd.DataFrame:
    """Continuation in sector ``a`` versus ``b``: effect sizes with intervals, and exact tests.

    Rows: risk difference, risk ratio, odds ratio, Fisher's exact test, Barnard's exact test.
    Columns: ``estimate``, ``lower``, ``upper``, ``p`` (tests only), ``role``, ``method``, ``note``.

    No multiplicity adjustment: the three effect sizes estimate one quantity on three scales and
    the two tests test one null hypothesis (no difference in continuation), so they are not a
    family of distinct hypotheses (Holm's procedure would only penalise asking the same question
    twice).  One of each is declared primary (``role``), fixed before the data: the risk
    difference with Newcombe's interval (the quantity the report's sentence is about) and
    Fisher's exact test (whose power :func:`sector_precision` computes); the others are
    sensitivity analyses.
    """
    k1, n1 = _counts(placements, a)
    k2, n2 = _counts(placements, b)
    rows = []
    for name, est, role, method in (
        ("risk difference", newcombe_difference(k1, n1, k2, n2, alpha), PRIMARY, "Newcombe hybrid score"),
        ("risk ratio", risk_ratio(k1, n1, k2, n2, alpha), SENSITIVITY_SCALE, "log (Katz) interval"),
        (
            "odds ratio",
            conditional_odds_ratio(k1, n1, k2, n2, alpha),
            SENSITIVITY_SCALE,
            "conditional MLE, exact interval",
        ),
    ):
        rows.append(
            {
                "statistic": name,
                "estimate": est.estimate,
                "lower": est.lower,
                "upper": est.upper,
                "p": None,
                "role": role,
                "method": method,
                "note": est.note,
            }
        )
    if n1 and n2:
        table = _table(k1, n1, k2, n2)
        fisher = float(stats.fisher_exact(table).pvalue)
        if (table.sum(axis=0) == 0).any():
            barnard, note = 1.0, "every placement had the same outcome: no evidence of a difference"
        elif (n1 + 1) * (n2 + 1) > BARNARD_MAX_TABLES:
            barnard = None
            note = (
                f"not computed: {n1} and {n2} placements give {(n1 + 1) * (n2 + 1):,} possible tables "
                f"(limit {BARNARD_MAX_TABLES:,}); at this size the unconditional exact test adds "
                "nothing over Fisher's test and the Newcombe interval"
            )
        else:
            barnard, note = barnard_exact(k1, n1, k2, n2), ""
        rows.append(
            {
                "statistic": "Fisher's exact test",
                "estimate": None,
                "lower": None,
                "upper": None,
                "p": fisher,
                "role": PRIMARY_TEST,
                "method": "two-sided, conditional",
                "note": "",
            }
        )
        rows.append(
            {
                "statistic": "Barnard's exact test",
                "estimate": None,
                "lower": None,
                "upper": None,
                "p": barnard,
                "role": SENSITIVITY_TEST,
                "method": "two-sided, unconditional (Wald, pooled)",
                "note": note,
            }
        )
    else:
        for name, role in (("Fisher's exact test", PRIMARY_TEST), ("Barnard's exact test", SENSITIVITY_TEST)):
            rows.append(
                {
                    "statistic": name,
                    "estimate": None,
                    "lower": None,
                    "upper": None,
                    "p": None,
                    "role": role,
                    "method": "",
                    "note": "not estimable: a sector has no placements",
                }
            )
    return _frame(rows, "statistic")


def continuation_sensitivity(
    placements: pd.DataFrame,
    follow_up_end,
    a: str = "company",
    b: str = "association",
    alpha: float = 0.05,
    months: int = 3,
    hide: Callable[[int, int], bool] | None = None,
) -> pd.DataFrame:
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
    for name, subset in (
        ("all placements", placements),
        (f"ended by {cut.date()} ({months} months before follow-up end)", placements.loc[placements["end"] <= cut]),
    ):
        (k1, n1), (k2, n2) = _counts(subset, a), _counts(subset, b)
        est = newcombe_difference(k1, n1, k2, n2, alpha)
        row = {
            "analysis": name,
            f"{a} placements": n1,
            f"{a} continued": k1,
            f"{b} placements": n2,
            f"{b} continued": k2,
            "difference": est.estimate,
            "lower": est.lower,
            "upper": est.upper,
            "note": est.note,
        }
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
    log_comb = (
        gammaln(n1 + 1)
        - gammaln(xs1 + 1)
        - gammaln(n1 - xs1 + 1)
        + gammaln(n2 + 1)
        - gammaln(xs2 + 1)
        - gammaln(n2 - xs2 + 1)
    )
    sums = xs1 + xs2

    def log_p(pi: np.ndarray) -> np.ndarray:
        pi = np.atleast_1d(pi)
        step = max(1, _BARNARD_BLOCK // max(1, sums.size))
        out = np.empty(pi.size)
        for start in range(0, pi.size, step):
            block = pi[start : start + step, None]
            with np.errstate(divide="ignore"):
                terms = log_comb + sums * np.log(block) + (total - sums) * np.log1p(-block)
            out[start : start + step] = logsumexp(terms, axis=1)
        return out

    grid = np.linspace(0, 1, 2001)[1:-1]
    values = log_p(grid)
    best = int(np.argmax(values))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    refined = minimize_scalar(lambda v: -log_p(v)[0], bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    return float(min(1.0, np.exp(max(values[best], -refined.fun))))


def _linked(placements: pd.DataFrame, clients: pd.DataFrame, a: str, b: str, covariates: list[str]) -> pd.DataFrame:
    merged = placements.loc[placements["sector"].isin([a, b]) & placements["client_id"].notna()]
    merged = merged.merge(clients[["client_id", *covariates]], on="client_id", how="inner")
    merged = merged.dropna(subset=covariates)
    out = pd.DataFrame(
        {
            "continued": merged["continued"].astype(bool).astype(int).to_numpy(),
            "sector_a": (merged["sector"] == a).astype(int).to_numpy(),
        }
    )
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


def placement_flow(
    placements: pd.DataFrame, clients: pd.DataFrame, a: str = "company", b: str = "association"
) -> pd.DataFrame:
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
    steps.append(
        (
            f"with {', '.join(covariates) or 'no adjusters'} (the adjusted comparison)",
            linked.loc[linked["client_id"].isin(complete)],
        )
    )
    rows, before = [], None
    for step, frame in steps:
        rows.append(
            {"step": step, "placements": len(frame), "left out": None if before is None else before - len(frame)}
        )
        before = len(frame)
    return _frame(rows, "step")


def _side(lower: float, upper: float, null: float) -> int:
    """+1 if an interval lies above ``null``, -1 if below, 0 if it includes it."""
    return 1 if lower > null else -1 if upper < null else 0


#: How each side of the null reads for a company-versus-association comparison.
_DIRECTION = {
    1: "company placements continued more often, as the report's sentence says",
    -1: "association placements continued more often, against the report's sentence",
    0: "no difference can be claimed in either direction",
}


def _p_text(p: float) -> str:
    """``= 0.123``, or ``< 0.001`` (three decimals would print 0.000)."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _percent_text(share: float) -> str:
    """A power as a whole percent, never rounded up to 100 % or down to 0 %."""
    return "more than 99 %" if share > 0.99 else "less than 1 %" if share < 0.01 else f"{100 * share:.0f} %"


def _estimate_side(estimate: float, null: float) -> str:
    """Where a point estimate lies when its interval includes the null: said, not claimed."""
    if estimate > null:
        return ", though the estimate lies on the companies' side"
    if estimate < null:
        return ", though the estimate lies on the associations' side"
    return ""


def sector_reading(comparison: pd.DataFrame, alpha: float = 0.05, sensitivity: pd.DataFrame | None = None) -> list[str]:
    """What the comparison says, from its numbers and with its direction: the primary result
    (the difference in continuation, company minus association, with Newcombe's interval) first,
    then whether the other scales and the tests agree — the same side of the null, not merely
    away from it — each explained as a sensitivity analysis, never as a second answer; with
    ``sensitivity`` (:func:`continuation_sensitivity`), whether the primary result holds on the
    placements that ended well before the end of follow-up.  An interval whose end nearest 0 lies
    within a tenth of its width of 0 is said to be close to the edge."""
    level = round(100 * (1 - alpha))
    rd = comparison.loc["risk difference"]
    if rd["estimate"] is None or rd["lower"] is None:
        return ["Primary result: not estimable (" + (rd["note"] or "see the table") + ")."]
    side = _side(rd["lower"], rd["upper"], 0.0)
    lines = [
        f"Primary result: the difference in continuation, company minus association, is "
        f"{100 * rd['estimate']:.1f} percentage points ({level} % interval {100 * rd['lower']:.1f} to "
        f"{100 * rd['upper']:.1f}): the interval "
        + ("includes" if side == 0 else "excludes")
        + " 0: "
        + _DIRECTION[side]
        + ("" if side else _estimate_side(rd["estimate"], 0.0))
        + "."
    ]
    nearest = min(abs(rd["lower"]), abs(rd["upper"]))
    if side and nearest < (rd["upper"] - rd["lower"]) / 10:
        lines.append(
            f"Its end nearest 0 is {100 * nearest:.1f} percentage points from it, less than a tenth of "
            "the interval's width: a result this close to the edge is weak evidence; read it with its "
            "interval, as the data's limit, not as proof."
        )
    sides, said = [], []
    for name in ("risk ratio", "odds ratio"):
        row = comparison.loc[name]
        if row["lower"] is not None and row["upper"] is not None:
            s = _side(row["lower"], row["upper"], 1.0)
            sides.append(s)
            said.append(
                f"the {name}'s interval ({row['lower']:.2f} to {row['upper']:.2f}) "
                + {
                    1: "lies above 1 (companies more often)",
                    -1: "lies below 1 (associations more often)",
                    0: "includes 1",
                }[s]
            )
    tests = [
        f"{name.split(' ')[0]} p {_p_text(comparison.at[name, 'p'])} ({role})"
        for name, role in (("Fisher's exact test", "the primary test"), ("Barnard's exact test", "sensitivity"))
        if comparison.at[name, "p"] is not None
    ]
    if said or tests:
        lines.append("Sensitivity: " + "; ".join(said + tests) + ".")
    scales_agree = all(s == side for s in sides)
    tests_agree = all(
        (comparison.at[n, "p"] is None) or ((comparison.at[n, "p"] < alpha) == bool(side))
        for n in ("Fisher's exact test", "Barnard's exact test")
    )
    if not (scales_agree and tests_agree):
        lines.append(
            "They do not all agree, and they need not: Newcombe's score interval is the primary "
            "analysis because it estimates the quantity asked about (how much more often a "
            "placement continued) and keeps its coverage with small samples; the exact "
            "odds-ratio interval and Fisher's test condition on both margins and are conservative "
            "(they reject less often than their level), Barnard's unconditional test less so, and "
            "the Katz interval is a large-sample approximation."
        )
    if sensitivity is not None and len(sensitivity) > 1:
        name, row = sensitivity.index[1], sensitivity.iloc[1]
        if row["difference"] is None or row["lower"] is None:
            lines.append(f"Placements {name}: not estimable ({row['note'] or 'see the table'}).")
        else:
            holds = _side(row["lower"], row["upper"], 0.0) == side
            lines.append(
                f"Placements {name}: {100 * row['difference']:.1f} percentage points ({level} % interval "
                f"{100 * row['lower']:.1f} to {100 * row['upper']:.1f}); "
                + (
                    "the primary result holds on them."
                    if holds
                    else "the primary result does not hold on them (fewer placements, a wider interval): it "
                    "rests partly on placements that ended close to the end of follow-up."
                )
            )
    return lines


def adjusted_reading(adjusted: pd.DataFrame, alpha: float = 0.05) -> list[str]:
    """What the adjusted comparison (:func:`adjusted_comparison`) says, with its direction: the
    primary adjusted estimate (Firth's) first, then the sensitivity and reference rows.  An
    odds ratio whose interval lies above 1 agrees with the report's sentence, one whose interval
    lies below 1 says the opposite (association placements continued more often), one whose
    interval includes 1 says neither.  An association on linked placements, not an effect."""
    level = round(100 * (1 - alpha))
    lines = []
    rank = {PRIMARY_ADJUSTED: 0, SENSITIVITY_ADJUSTED: 1}
    order = sorted(adjusted.index, key=lambda m: rank.get(adjusted.at[m, "role"], 2))
    for model in order:
        row = adjusted.loc[model]
        head = (
            "Primary adjusted estimate"
            if row["role"] == PRIMARY_ADJUSTED
            else "Sensitivity"
            if row["role"] == SENSITIVITY_ADJUSTED
            else "Reference"
        ) + f", {model}"
        if row["odds_ratio"] is None or row["lower"] is None or row["upper"] is None:
            lines.append(f"{head}: not estimable ({row['note'] or 'see the table'}).")
            continue
        side = _side(row["lower"], row["upper"], 1.0)
        lines.append(
            f"{head}: odds ratio {row['odds_ratio']:.2f} ({level} % interval {row['lower']:.2f} to "
            f"{row['upper']:.2f}), "
            + {1: "above 1", -1: "below 1", 0: "including 1"}[side]
            + ": "
            + _DIRECTION[side]
            + ("" if side else _estimate_side(row["odds_ratio"], 1.0))
            + "."
        )
    return lines


def adjusted_comparison(
    placements: pd.DataFrame, clients: pd.DataFrame, a: str = "company", b: str = "association", alpha: float = 0.05
) -> pd.DataFrame:
    """Odds ratio of continuation, ``a`` versus ``b``, crude and adjusted, on linked placements.

    Only placements whose ``client_id`` links to a client with every adjuster present are used.
    Rows: crude (conditional MLE), Mantel–Haenszel over strata of age group × long-term
    unemployment × health limitations (Robins–Breslow–Greenland interval; CMH test without
    continuity correction), and logistic regression on sector, age (per year), long-term
    unemployment and health limitations by Firth's penalised likelihood (:func:`firth_logistic`;
    profile penalised-likelihood interval and likelihood-ratio test, :func:`firth_profile`): with a
    few dozen placements ordinary maximum likelihood inflates the odds ratio (small-sample bias,
    not confounding), and separation leaves it infinite.

    The three rows estimate one quantity (the odds ratio of continuation, company versus
    association), so their p-values are not a family to adjust: the ``role`` column declares
    Firth's model the primary adjusted estimate (it adjusts for age per year, not in three
    bands), Mantel–Haenszel a sensitivity analysis, the crude odds ratio the unadjusted
    reference on the same placements.  :func:`adjusted_reading` reads them with their direction.
    """
    from statsmodels.stats.contingency_tables import StratifiedTable

    covariates = [c for c in ADJUSTERS if c in clients.columns and clients[c].notna().any()]
    data = _linked(placements, clients, a, b, covariates)
    n = len(data)
    rows = []
    k1, n1 = int(data.loc[data.sector_a == 1, "continued"].sum()), int((data.sector_a == 1).sum())
    k2, n2 = int(data.loc[data.sector_a == 0, "continued"].sum()), int((data.sector_a == 0).sum())
    crude = conditional_odds_ratio(k1, n1, k2, n2, alpha)
    rows.append(
        {
            "model": "crude (linked placements)",
            "odds_ratio": crude.estimate,
            "lower": crude.lower,
            "upper": crude.upper,
            "p": float(stats.fisher_exact(_table(k1, n1, k2, n2)).pvalue) if n1 and n2 else None,
            "role": CRUDE_REFERENCE,
            "placements": n,
            "note": crude.note or "conditional MLE, exact interval, Fisher p",
        }
    )

    strata_cols = []
    if "age_at_entry" in data:
        data["age_band"] = np.where(
            data["age_at_entry"] < 25, "under_25", np.where(data["age_at_entry"] < 50, "25_49", "50_plus")
        )
        strata_cols.append("age_band")
    strata_cols += [c for c in ("long_term_unemployed", "health_limitations") if c in data]
    tables = []
    for _, group in data.groupby(strata_cols) if strata_cols else [(None, data)]:
        t = np.array(
            [
                [
                    ((group.sector_a == 1) & (group.continued == 1)).sum(),
                    ((group.sector_a == 1) & (group.continued == 0)).sum(),
                ],
                [
                    ((group.sector_a == 0) & (group.continued == 1)).sum(),
                    ((group.sector_a == 0) & (group.continued == 0)).sum(),
                ],
            ],
            dtype=float,
        )
        if t.sum(axis=1).min() > 0:  # a stratum with one sector only carries no information
            tables.append(t)
    mh = {
        "model": "Mantel–Haenszel over strata",
        "odds_ratio": None,
        "lower": None,
        "upper": None,
        "p": None,
        "role": SENSITIVITY_ADJUSTED,
        "placements": int(sum(t.sum() for t in tables)),
        "note": "",
    }
    if tables:
        st = StratifiedTable(tables)
        denominator = sum(t[0, 1] * t[1, 0] / t.sum() for t in tables)
        numerator = sum(t[0, 0] * t[1, 1] / t.sum() for t in tables)
        if denominator > 0 and numerator > 0:
            low, high = st.oddsratio_pooled_confint(alpha=alpha)
            mh.update(
                odds_ratio=float(st.oddsratio_pooled),
                lower=float(low),
                upper=float(high),
                p=float(st.test_null_odds(correction=False).pvalue),
                note=f"{len(tables)} informative strata of {' × '.join(strata_cols)}",
            )
        else:
            mh["note"] = "not estimable: the pooled odds ratio is 0 or infinite"
    else:
        mh["note"] = "not estimable: no stratum holds both sectors"
    if not covariates:  # nothing to adjust for: the "adjusted" rows would repeat the crude one
        logistic = _logistic_row(n)
        for row in (mh, logistic):
            row.update(
                odds_ratio=None,
                lower=None,
                upper=None,
                p=None,
                note=f"not estimable: no covariates to adjust for (none of {', '.join(ADJUSTERS)} has values)",
            )
        return _frame([*rows, mh, logistic], "model")
    rows.append(mh)
    rows.append(_logistic(data, covariates, alpha))
    return _frame(rows, "model")


def _penalised_loglik(X: np.ndarray, y: np.ndarray, b: np.ndarray):
    """Firth's penalised log-likelihood ``l(b) + 1/2 log det I(b)`` of a logistic model, with the
    fitted probabilities, weights and Fisher information at ``b``."""
    eta = X @ b
    p = expit(eta)
    w = p * (1 - p)
    info = X.T @ (w[:, None] * X)
    logdet = np.linalg.slogdet(info)[1]
    return float(np.sum(y * eta - np.logaddexp(0, eta)) + 0.5 * logdet), p, w, info


def _firth_fit(
    X: np.ndarray,
    y: np.ndarray,
    fixed: tuple[int, float] | None,
    tol: float,
    max_iter: int,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
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


def _logistic_row(placements: int) -> dict:
    """The Firth row of the adjusted comparison before (or without) a fit: nothing estimated."""
    return {
        "model": "logistic regression (Firth)",
        "odds_ratio": None,
        "lower": None,
        "upper": None,
        "p": None,
        "role": PRIMARY_ADJUSTED,
        "placements": placements,
        "note": "",
    }


def _logistic(data: pd.DataFrame, covariates: list[str], alpha: float) -> dict:
    """The adjusted odds ratio of sector ``a`` by Firth's penalised logistic regression, with
    its profile penalised-likelihood interval and penalised likelihood-ratio test
    (:func:`firth_profile`; the crude odds ratio is the table's first row)."""
    row = _logistic_row(len(data))
    columns = ["sector_a", *[c for c in covariates if c in data]]
    constant = [c for c in columns[1:] if data[c].nunique() < 2]
    if constant:  # found before fitting: a constant adjuster is not separation
        row["note"] = (
            f"not estimable: {', '.join(constant)} has one value in every linked placement "
            "(nothing to adjust for); leave it out"
        )
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
    row.update(
        odds_ratio=math.exp(fit.estimate),
        lower=None if fit.lower is None else math.exp(fit.lower),
        upper=None if fit.upper is None else math.exp(fit.upper),
        p=fit.p,
        note="adjusted for "
        + ", ".join(c for c in columns if c != "sector_a")
        + "; Firth's penalised likelihood (small-sample bias reduced), profile penalised-likelihood "
        "interval and likelihood-ratio p (Heinze and Schemper 2002)"
        + (
            ""
            if fit.lower is not None and fit.upper is not None
            else "; an interval end is beyond 50 standard errors (not estimable)"
        ),
    )
    return row


def fisher_rejection_region(n1: int, n2: int, alpha: float = 0.05) -> np.ndarray:
    """The outcomes ``(x1, x2)`` of ``x1`` of ``n1`` and ``x2`` of ``n2`` continued for which
    Fisher's exact test, two-sided, rejects at level ``alpha`` (p <= alpha): a boolean array of
    shape ``(n1 + 1, n2 + 1)``.

    The p-value is R's ``fisher.test``'s: given the column total ``s = x1 + x2`` the sum of the
    hypergeometric probabilities no larger than the observed one (relative tolerance 1e-7, as
    R's).  One pass over the ``n1 + n2 + 1`` totals: cheap up to thousands of placements.
    """
    from scipy.special import gammaln

    total = n1 + n2
    log_c1 = gammaln(n1 + 1) - gammaln(np.arange(n1 + 1) + 1) - gammaln(n1 - np.arange(n1 + 1) + 1)
    log_c2 = gammaln(n2 + 1) - gammaln(np.arange(n2 + 1) + 1) - gammaln(n2 - np.arange(n2 + 1) + 1)
    reject = np.zeros((n1 + 1, n2 + 1), dtype=bool)
    for s in range(total + 1):
        x1 = np.arange(max(0, s - n2), min(s, n1) + 1)
        log_d = log_c1[x1] + log_c2[s - x1]
        d = np.exp(log_d - log_d.max())
        d /= d.sum()
        ordered = np.sort(d)
        p = np.cumsum(ordered)[np.searchsorted(ordered, d * (1 + 1e-7), side="right") - 1]
        reject[x1, s - x1] = p <= alpha
    return reject


def _normal_power(n1: int, n2: int, p1: float, p2: float, alpha: float) -> float:
    """Two-sided power of the two-proportion z test (pooled variance under the null, unpooled
    under the alternative; Fleiss et al. 2003, section 4.2): statsmodels'
    ``power_proportions_2indep``, which is R's ``power.prop.test(strict = TRUE)`` for equal
    groups.  Not ``NormalIndPower`` with ``proportion_effectsize``: that is Cohen's h (arcsine,
    one variance for null and alternative), up to 4 points away at these sizes.  Own code only
    where statsmodels divides by zero: both rates 0 or 1 (no variance), where the power is 1 if
    the rates differ and 0 if not."""
    from statsmodels.stats.proportion import power_proportions_2indep

    if p1 * (1 - p1) == 0 and p2 * (1 - p2) == 0:
        return float(p1 != p2)
    return float(
        power_proportions_2indep(
            p1 - p2, p2, n1, ratio=n2 / n1, alpha=alpha, alternative="two-sided", return_results=False
        )
    )


def fisher_power(
    n1: int, n2: int, p1: float, p2: float, alpha: float = 0.05, region: np.ndarray | None = None
) -> float:
    """Power of Fisher's exact test, two-sided at ``alpha``, when the true continuation rates are
    ``p1`` (``n1`` placements) and ``p2`` (``n2``): exact, by enumeration,
    ``sum over the rejection region of P(x1) P(x2)`` with binomial ``P``
    (:func:`fisher_rejection_region`; ``tests/reference/sectors.R`` enumerates R's
    ``fisher.test`` over every table).  Above :data:`EXACT_MAX_PLACEMENTS` placements the normal
    approximation of the two-proportion z test, :func:`_normal_power` (the exact test's power
    then agrees with it to about a percentage point).  ``region`` may pass a precomputed
    rejection region.
    """
    if n1 + n2 > EXACT_MAX_PLACEMENTS and region is None:
        return _normal_power(n1, n2, p1, p2, alpha)
    if region is None:
        region = fisher_rejection_region(n1, n2, alpha)
    return float(stats.binom.pmf(np.arange(n1 + 1), n1, p1) @ region @ stats.binom.pmf(np.arange(n2 + 1), n2, p2))


@dataclass(frozen=True)
class Detectable:
    """The smallest difference ``p1 - p2`` (signed) detectable at the stated power, the rate
    ``p1`` it needs and the power there; ``None`` with a note where no rate reaches it."""

    difference: float | None
    rate: float | None
    power: float | None
    note: str = ""


def detectable_difference(
    n1: int, n2: int, p2: float, alpha: float = 0.05, power: float = 0.8, direction: int = 1
) -> Detectable:
    """Smallest difference in continuation ``p1 - p2`` that Fisher's exact test (two-sided,
    ``alpha``) detects with at least ``power``, upward (``direction = 1``: ``p1 > p2``) or
    downward (``-1``), for ``n1`` and ``n2`` placements and the reference rate ``p2``.

    Exact power (:func:`fisher_power`) on a grid of ``p1`` in steps of 0.001 from ``p2`` to 1
    (or 0); the first grid point that reaches ``power`` is refined by Brent's method between it
    and the point before, to 1e-12.  The two directions differ (a rate near 1 leaves little room
    upward), and the exact power is lower than the arcsine (Cohen's h) approximation says: at
    21 and 17 placements from 12/17, Cohen's h puts 80 % power at +28 points, where Fisher's test
    has 67 % (``tests/reference/sectors.R``).
    """
    from scipy.optimize import brentq

    if n1 < 1 or n2 < 1:
        return Detectable(None, None, None, "not estimable: a sector has no placements")
    exact = n1 + n2 <= EXACT_MAX_PLACEMENTS
    if exact:
        # the region and p2 are fixed: the power is a binomial expectation in p1
        weights = fisher_rejection_region(n1, n2, alpha) @ stats.binom.pmf(np.arange(n2 + 1), n2, p2)

        def power_at(p1):
            return float(stats.binom.pmf(np.arange(n1 + 1), n1, p1) @ weights)
    else:

        def power_at(p1):
            return _normal_power(n1, n2, p1, p2, alpha)

    grid = np.append(
        np.arange(p2, 1, 1e-3) if direction > 0 else np.arange(p2, 0, -1e-3), 1.0 if direction > 0 else 0.0
    )
    values = np.array([power_at(p1) for p1 in grid])
    reached = np.nonzero(values >= power)[0]
    word = "upward" if direction > 0 else "downward"
    if reached.size == 0:
        return Detectable(
            None,
            None,
            float(values.max()),
            f"no difference {word} from {100 * p2:.1f} % is detectable with {100 * power:.0f} % power "
            f"(at most {100 * values.max():.0f} %, at a rate of {'100' if direction > 0 else '0'} %)",
        )
    i = int(reached[0])
    if i == 0:  # the level alone reaches it: cannot happen at alpha < power
        return Detectable(0.0, float(p2), float(values[0]))
    a, b = sorted((float(grid[i - 1]), float(grid[i])))
    p1 = float(brentq(lambda v: power_at(v) - power, a, b, xtol=1e-12))
    note = "" if exact else f"normal approximation (over {EXACT_MAX_PLACEMENTS:,} placements)"
    return Detectable(p1 - p2, p1, power_at(p1), note)


def sector_precision(
    placements: pd.DataFrame,
    a: str = "company",
    b: str = "association",
    alpha: float = 0.05,
    power: float = 0.8,
    true_rates: dict[str, float] | None = None,
    hide: Callable[[int, int], bool] | None = None,
) -> tuple[int, int, pd.DataFrame]:
    """What Fisher's exact test on these placements could detect: placements in ``a`` and
    ``b``, and a table with the smallest detectable difference upward and downward from ``b``'s
    observed rate (:func:`detectable_difference`), and, with ``true_rates`` (the sectors'
    continuation probabilities of the process that made a synthetic dataset), the power for
    that difference.  Columns ``<a> rate``, ``<b> rate``, ``difference`` (``a`` minus ``b``),
    ``power``, ``note``.  ``hide(k, n)`` (disclosure control) empties every row when a sector's
    counts are hidden (the rates and differences would give them back)."""
    k_b, n_b = _counts(placements, b)
    k_a, n_a = _counts(placements, a)
    rows = []
    if n_a == 0 or n_b == 0:
        note = f"not estimable: no {a if n_a == 0 else b} placements"
        rows = [
            {
                "row": f"smallest detectable difference, {w}",
                f"{a} rate": None,
                f"{b} rate": None,
                "difference": None,
                "power": None,
                "note": note,
            }
            for w in ("upward", "downward")
        ]
    else:
        p2 = k_b / n_b
        for word, direction in (("upward", 1), ("downward", -1)):
            d = detectable_difference(n_a, n_b, p2, alpha, power, direction)
            rows.append(
                {
                    "row": f"smallest detectable difference, {word}",
                    f"{a} rate": d.rate,
                    f"{b} rate": p2,
                    "difference": d.difference,
                    "power": d.power,
                    "note": d.note,
                }
            )
        if true_rates is not None and a in true_rates and b in true_rates:
            t1, t2 = float(true_rates[a]), float(true_rates[b])
            rows.append(
                {
                    "row": "the process' own difference",
                    f"{a} rate": t1,
                    f"{b} rate": t2,
                    "difference": t1 - t2,
                    "power": fisher_power(n_a, n_b, t1, t2, alpha),
                    "note": "the continuation probabilities the synthetic data were drawn with",
                }
            )
    if hide is not None and (hide(k_a, n_a) or hide(k_b, n_b)):
        for row in rows:
            row.update(
                {
                    f"{a} rate": None,
                    f"{b} rate": None,
                    "difference": None,
                    "power": None,
                    "note": "suppressed: fewer than min_cell placements",
                }
            )
    return n_a, n_b, _frame(rows, "row")


def precision_reading(
    precision: pd.DataFrame,
    n_a: int,
    n_b: int,
    a: str = "company",
    b: str = "association",
    power: float = 0.8,
    comparison: pd.DataFrame | None = None,
    count: Callable[[int], str] = str,
) -> list[str]:
    """What the precision table (:func:`sector_precision`) says, in sentences that follow the
    numbers, not the size of the dataset: how wide the primary interval is (with
    ``comparison``), the smallest difference Fisher's test detects upward and downward, and its
    power for the process' own difference.  ``count`` formats a count (disclosure control)."""
    lines = []
    if comparison is not None:
        rd = comparison.loc["risk difference"]
        if rd["lower"] is not None and rd["upper"] is not None:
            lines.append(
                f"With {count(n_a)} {a} and {count(n_b)} {b} placements, the primary interval is "
                f"{100 * (rd['upper'] - rd['lower']):.1f} percentage points wide."
            )
    for word in ("upward", "downward"):
        label = f"smallest detectable difference, {word}"
        if label not in precision.index:
            continue
        row = precision.loc[label]
        if row["difference"] is None:
            lines.append(f"{word.capitalize()}: {row['note']}.")
        else:
            lines.append(
                f"{word.capitalize()}: Fisher's exact test would find a difference of "
                f"{100 * row['difference']:+.1f} percentage points ({a} at {100 * row[f'{a} rate']:.1f} %, "
                f"{b} at {100 * row[f'{b} rate']:.1f} %) with {100 * power:.0f} % power; a smaller one "
                "can easily go unseen."
            )
    if "the process' own difference" in precision.index:
        row = precision.loc["the process' own difference"]
        if row["power"] is not None:
            lines.append(
                f"The process that made these synthetic data has continuation probabilities {a} "
                f"{100 * row[f'{a} rate']:.0f} % and {b} {100 * row[f'{b} rate']:.0f} % "
                f"({100 * row['difference']:+.0f} points): Fisher's test finds that difference with "
                f"probability {_percent_text(row['power'])}"
                + (
                    f", below the {100 * power:.0f} % sought: an interval that includes 0 here does not "
                    "show that there is no difference of that size."
                    if row["power"] < power
                    else f", at least the {100 * power:.0f} % sought."
                )
            )
    return lines


def stated_continuation(meta: dict) -> dict[str, float] | None:
    """The sectors' continuation probabilities of the process that made a synthetic dataset
    (``dataset.yaml``'s ``process``, relative to the repository), or ``None`` (real data, no
    process named, or the named file absent)."""
    from .paths import ROOT
    from .process import load_process

    if not meta.get("synthetic") or not meta.get("process"):
        return None
    path = Path(meta["process"])
    path = path if path.is_absolute() else ROOT / path
    if not path.is_file():  # a copied dataset whose process stayed behind: nothing to compare with
        return None
    process = load_process(path)
    return {s: float(v["continuation"]) for s, v in process.params["placements"]["sectors"].items()}


def cost_per_continued_job(
    placements: pd.DataFrame, alpha: float = 0.05, seed: int = 2019, n_resamples: int = 9999
) -> pd.DataFrame:
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
        row = {
            "sector": sector,
            "placements": len(sub),
            "subsidy_eur": float(euros.sum()),
            "continued": int(cont.sum()),
            "eur_per_continued": None,
            "lower": None,
            "upper": None,
            "note": "",
        }
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
                    res = stats.bootstrap(
                        (euros, cont),
                        ratio,
                        paired=True,
                        vectorized=True,
                        # resamples per batch: memory ~ 16 MB whatever the size
                        batch=max(1, 1_000_000 // len(sub)),
                        confidence_level=1 - alpha,
                        n_resamples=n_resamples,
                        method="percentile",
                        rng=np.random.default_rng(seed),
                    )
                low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
                row["lower"] = low if np.isfinite(low) else None
                row["upper"] = high if np.isfinite(high) else None
                if row["upper"] is None:
                    row["note"] = "upper end not estimable: many resamples have no continued placement"
        rows.append(row)
    return _frame(rows, "sector")


def sector_metrics(
    placements_table: pd.DataFrame,
    continuation: pd.DataFrame,
    comparison: pd.DataFrame,
    sensitivity: pd.DataFrame | None = None,
    precision: pd.DataFrame | None = None,
    adjusted: pd.DataFrame | None = None,
) -> dict:
    """The notebook's recorded results (``sectors.*`` keys of metrics.json); with ``sensitivity``
    (:func:`continuation_sensitivity`) the difference on the placements that ended early,
    ``sectors.company_vs_association.ended_early.risk_difference``; with ``precision``
    (:func:`sector_precision`'s table) ``….detectable_difference.upward`` and ``.downward``
    (signed, share 0..1) and ``….power.process_difference`` (synthetic data); with ``adjusted``
    (:func:`adjusted_comparison`) the primary adjusted odds ratio ``….adjusted.odds_ratio``
    with ``.lower``, ``.upper``, ``.p``.  Disclosure control: all of these are derived from the
    sectors' counts and are ``None`` where the tables passed in hid them."""
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
            metrics[f"{key}.{name}{suffix}"] = (
                None if value is None or value != value or (isinstance(value, float) and math.isinf(value)) else value
            )
    for name, test in (("fisher", "Fisher's exact test"), ("barnard", "Barnard's exact test")):
        metrics[f"{key}.{name}_p"] = comparison.at[test, "p"]
    if sensitivity is not None and len(sensitivity) > 1:
        row = sensitivity.iloc[1]
        for suffix, column in (("", "difference"), (".lower", "lower"), (".upper", "upper")):
            metrics[f"{key}.ended_early.risk_difference{suffix}"] = row[column]
    if precision is not None:
        for name, word in (("upward", "upward"), ("downward", "downward")):
            label = f"smallest detectable difference, {word}"
            metrics[f"{key}.detectable_difference.{name}"] = (
                precision.at[label, "difference"] if label in precision.index else None
            )
        if "the process' own difference" in precision.index:
            metrics[f"{key}.power.process_difference"] = precision.at["the process' own difference", "power"]
    if adjusted is not None:
        primary = adjusted.loc[adjusted["role"] == PRIMARY_ADJUSTED]
        if len(primary):
            row = primary.iloc[0]
            for suffix, column in (("", "odds_ratio"), (".lower", "lower"), (".upper", "upper"), (".p", "p")):
                metrics[f"{key}.adjusted.odds_ratio{suffix}"] = row[column]
    return metrics

"""The client-level comparison (issue 25) in one call: sequential trials, a propensity score on
the stacked trials, matching within the trial month or ATT odds weighting, weighted
Aalen–Johansen curves from time zero and their contrasts with a cluster bootstrap; its balance,
sensitivity analyses, placebo outcome and cost per additional job."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import qr

from ..vocabulary import COMPARISON_ESTIMATORS, EDUCATION_LEVELS, SEXES
from .balance import effective_sample_sizes, standardized_differences
from .curves import CurveContrast, _resampled_rows, contrast_causes, weighted_cumulative_incidence
from .matching import Matching, nearest_neighbour_match
from .propensity import logistic_propensity
from .sensitivity import e_value, e_value_of_interval
from .trials import CAUSES, COVARIATES, ELAPSED_BANDS, build_trials, half_year
from .weighting import att_odds_weights

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = [
    "ESTIMATORS",
    "ComparisonResult",
    "CostPerJob",
    "Design",
    "Placebo",
    "compare",
    "compare_trials",
    "cost_per_additional_job",
    "covariate_table",
    "placebo",
    "propensity_design",
    "sensitivity",
]

ESTIMATORS = COMPARISON_ESTIMATORS
#: The causes compared, by name (``trials.CAUSES`` without censoring), in reporting order.
_CAUSES = {name: code for name, code in CAUSES.items() if code > 0}
_BANDS = [label for label, _, _ in ELAPSED_BANDS]
_ABADIE_IMBENS = (
    "the bootstrap is not valid for nearest-neighbour matching with a fixed number of matches "
    "(Abadie and Imbens 2008): read the matching interval as approximate"
)


@dataclass(frozen=True)
class Design:
    """The propensity model's design matrix on the stacked trials: ``matrix`` (rows as the trial
    frame's, intercept first), the column ``names``, the ``covariates`` used and those
    ``left_out`` (missing from a table, or left out on purpose, e.g. by the placebo)."""

    matrix: np.ndarray
    names: tuple[str, ...]
    covariates: tuple[str, ...]
    left_out: tuple[str, ...]


def _levels(values: pd.Series, order: Sequence[str]) -> list[str]:
    present = set(values.astype(str))
    known = [v for v in order if v in present]
    return known + sorted(present - set(known))


def _check_missing(trials: pd.DataFrame, covariates: Sequence[str]) -> None:
    for key in covariates:
        empty = trials[key].isna().to_numpy()
        if empty.any():
            t = trials["treated"].to_numpy() == 1
            raise ValueError(
                f"covariate {key} is missing in {int(empty[t].sum())} treated and {int(empty[~t].sum())} comparison "
                f"trial rows: fill it in the clients and comparison tables, or leave it out (leave_out=['{key}'])"
            )


def propensity_design(trials: pd.DataFrame, *, leave_out: Sequence[str] = ()) -> Design:
    """The propensity model's terms on the stacked trials (one function builds them all).

    Parameters
    ----------
    trials : DataFrame
        From :func:`~evaluation.comparison.trials.build_trials`.
    leave_out : sequence of str
        Covariates not to use (the placebo leaves out its outcome).

    Returns
    -------
    Design

    Notes
    -----
    Terms: an intercept; indicators of the trial's calendar half-year (the first left out);
    indicators of the elapsed-unemployment band at time zero (the first present left out); age
    (centred at 40, per 10 years) and its square; the sex and education levels present (first
    left out); ``health_limitations``; ``months_employed_3y``. Only covariates that both tables
    have enter (:data:`~evaluation.comparison.trials.COVARIATES`); the rest are named in
    ``left_out``. Half-years rather than a dummy per trial month: with some 33 trial months and
    about 150 treated, month dummies would spend a third of the treated on calendar time alone
    (well under the ten events per variable of Peduzzi et al. 1996) and separate the months
    with one or two enrolments; the matching is exact on the trial month anyway, and the
    weighting normalises within each month (:func:`compare_trials`). Age is centred and scaled
    for the conditioning of the fit only (the scores are those of ``age + I(age^2)``). A missing
    covariate value is refused with the counts.

    References
    ----------
    Peduzzi P, Concato J, Kemper E, Holford TR, Feinstein AR (1996). A simulation study of the
    number of events per variable in logistic regression analysis. J Clin Epidemiol 49:1373–1379.
    """
    unknown = [k for k in leave_out if k not in COVARIATES]
    if unknown:
        raise ValueError(f"cannot leave out {', '.join(unknown)}: the covariates are {', '.join(COVARIATES)}")
    used = [k for k in COVARIATES if k in trials.columns and k not in leave_out]
    left_out = [k for k in COVARIATES if k not in used]
    _check_missing(trials, used)
    n = len(trials)
    columns, names = [np.ones(n)], ["(intercept)"]

    def indicators(label: str, values: pd.Series, order: Sequence[str]) -> None:
        values = values.astype(str).to_numpy()
        for level in _levels(pd.Series(values), order)[1:]:
            columns.append((values == level).astype(float))
            names.append(f"{label}={level}")

    halves = half_year(trials["trial"])
    indicators("half_year", halves, sorted(set(halves)))
    indicators("elapsed_band", trials["elapsed_band"], _BANDS)
    for key in used:
        if key == "age":
            age = (trials["age"].to_numpy(dtype=float) - 40) / 10
            columns += [age, age**2]
            names += ["age_per_10", "age_per_10^2"]
        elif key == "sex":
            indicators("sex", trials["sex"], SEXES)
        elif key == "education_level":
            indicators("education_level", trials["education_level"], EDUCATION_LEVELS)
        else:
            columns.append(trials[key].to_numpy(dtype=float))
            names.append(key)
    return Design(np.column_stack(columns), tuple(names), tuple(used), tuple(left_out))


def covariate_table(trials: pd.DataFrame, *, leave_out: Sequence[str] = ()) -> pd.DataFrame:
    """Every covariate of the propensity model as a balance table's rows: age and age², an
    indicator per level of sex and education, ``health_limitations``, ``months_employed_3y``,
    an indicator per elapsed band and per trial half-year (every level, none left out). Not one
    per trial month: matching is exact on the month and weighting normalises within it, so
    those rows would all read 0 after adjustment, and their small counts would be blanked on
    real data; the half-years, which the score models, say the calendar's balance."""
    used = [k for k in COVARIATES if k in trials.columns and k not in leave_out]
    _check_missing(trials, used)
    out = {}
    for key in used:
        if key == "age":
            out["age"] = trials["age"].to_numpy(dtype=float)
            out["age^2"] = out["age"] ** 2
        elif key in ("sex", "education_level"):
            values = trials[key].astype(str).to_numpy()
            for level in _levels(trials[key], SEXES if key == "sex" else EDUCATION_LEVELS):
                out[f"{key}={level}"] = (values == level).astype(float)
        else:
            out[key] = trials[key].to_numpy(dtype=float)
    bands = trials["elapsed_band"].astype(str).to_numpy()
    for level in _levels(trials["elapsed_band"], _BANDS):
        out[f"elapsed_band={level}"] = (bands == level).astype(float)
    halves = half_year(trials["trial"]).to_numpy()
    for level in sorted(set(halves)):
        out[f"half_year={level}"] = (halves == level).astype(float)
    return pd.DataFrame(out)


def _usable(x: np.ndarray) -> np.ndarray:
    """Which columns of a design to fit: those that vary (the intercept always kept) and, of
    those, a linearly independent set. A band or half-year absent from a resample, or a level set
    aside by :func:`_support`, makes a column constant; in a bootstrap replicate two indicators can
    also coincide (every client of a half-year in one band). As R's ``glm`` does with aliased
    columns, such a column is left out; the fitted scores do not depend on which of the aliased
    columns goes, since the column space is the same. Independence by a column-pivoted QR
    (LAPACK ``geqp3``), a column counted when its pivot exceeds ``1e-9`` times the largest."""
    keep = np.ones(x.shape[1], dtype=bool)
    keep[1:] = x[:, 1:].max(axis=0) > x[:, 1:].min(axis=0)
    columns = np.flatnonzero(keep)
    r, pivot = qr(x[:, columns], mode="r", pivoting=True)
    d = np.abs(np.diag(r))
    rank = int((d > d[0] * 1e-9).sum())
    out = np.zeros(x.shape[1], dtype=bool)
    out[columns[np.sort(pivot[:rank])]] = True
    return out


def _categories(trials: pd.DataFrame, design: Design) -> np.ndarray:
    """The integer codes of the categorical terms: the trial's half-year, the elapsed band, and
    sex and education when used."""
    keys = ["elapsed_band"] + [k for k in ("sex", "education_level") if k in design.covariates]
    codes = [pd.factorize(half_year(trials["trial"]))[0]]
    codes += [trials[k].astype("category").cat.codes.to_numpy() for k in keys]
    return np.column_stack(codes).astype(np.int64)


def _support(treated: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """The rows inside the clients' support: every client, and the comparisons each of whose
    categorical levels (half-year, elapsed band, sex, education) some client has."""
    keep = treated == 1
    inside = np.ones(len(treated), dtype=bool)
    for j in range(categories.shape[1]):
        inside &= np.isin(categories[:, j], np.unique(categories[keep, j]))
    return keep | inside


def _adjust(
    x: np.ndarray,
    treated: np.ndarray,
    trial: np.ndarray,
    band: np.ndarray,
    categories: np.ndarray,
    *,
    estimator: str,
    ratio: int,
    caliper: float | None,
    replace: bool,
    start: np.ndarray | None = None,
    failures: list | None = None,
) -> tuple[np.ndarray, np.ndarray, Matching | None, np.ndarray, np.ndarray]:
    """Fit the propensity score inside the support and return every row's score (NaN outside),
    weight (0 outside), the matching (of the rows inside), the support mask and the coefficients
    (0 for a column left out). ``start``: coefficients to start the fit from (a bootstrap
    replicate starts from the full sample's, which changes the iterations, not the fit; such a
    fit is not refused when it fails to converge, but counted in ``failures``)."""
    keep = _support(treated, categories)
    n = len(treated)
    xs = x[keep]
    columns = _usable(xs)
    model = logistic_propensity(
        xs[:, columns], treated[keep], start=None if start is None else start[columns], strict=start is None
    )
    if not model.converged and failures is not None:
        failures.append(1)
    beta = np.zeros(x.shape[1])
    beta[columns] = model.coefficients
    score = np.full(n, np.nan)
    score[keep] = model.score
    weights = np.zeros(n)
    t, tr = treated[keep], trial[keep]
    if estimator == "matching":
        strata = tr * len(_BANDS) + band[keep]
        m = nearest_neighbour_match(
            model.linear_predictor, t, ratio=ratio, replace=replace, caliper=caliper, exact=strata
        )
        weights[keep] = m.weights
        return score, weights, m, keep, beta
    w = att_odds_weights(model.score, t)
    # normalise the comparisons' weights within each trial month to its number of treated
    c = t == 0
    n_trials = int(trial.max()) + 1
    treated_in = np.bincount(tr[~c], minlength=n_trials)
    weight_in = np.bincount(tr[c], weights=w[c], minlength=n_trials)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(weight_in > 0, treated_in / weight_in, 0.0)
    w[c] *= factor[tr[c]]
    weights[keep] = w
    return score, weights, None, keep, beta


@dataclass(frozen=True)
class ComparisonResult:
    """The client-level comparison.

    ``contrasts``: per cause name (employment, activation, retirement, other) the
    :class:`~evaluation.comparison.curves.CurveContrast` of the clients' cumulative incidence and
    their counterfactual's at ``horizons`` (days; NaN beyond follow-up). ``curves``: the two
    weighted curves on every day from 0 to the last horizon (columns day, cause, treated,
    comparison; shares 0..1), for a figure. ``n_treated`` clients in the trials, ``n_matched``
    with a match (all, when weighting), ``n_unmatched`` dropped. ``balance``: the
    standardised differences before and after (:func:`~evaluation.comparison.balance.standardized_differences`).
    ``effective_sample_size``: Kish's, per group. ``n_outside_support``: comparison rows set
    aside, their elapsed band, sex or education being one no client has. ``scores_treated``,
    ``scores_comparison``: the propensity scores of the rows inside (an overlap figure).
    ``nonconverged_replicates``: bootstrap resamples whose score did not converge (their last
    iterate used, as ``glm`` does; said in ``method``). ``weights``: each trial row's weight (matching or odds weights; 0 unmatched or outside). ``e_value``: of the employment risk ratio at
    ``e_value_horizon`` days; ``e_value_limit``: of its interval's limit nearest 1 (1 when the
    interval contains 1); NaN when the ratio is not estimable. ``method``: what was done, in words.
    """

    estimator: str
    horizons: np.ndarray
    contrasts: dict[str, CurveContrast]
    curves: pd.DataFrame
    n_trials: int
    n_rows: int
    n_treated: int
    n_matched: int
    n_unmatched: int
    balance: pd.DataFrame
    effective_sample_size: dict[str, float]
    n_outside_support: int
    nonconverged_replicates: int
    weights: np.ndarray
    scores_treated: np.ndarray
    scores_comparison: np.ndarray
    e_value_horizon: float
    e_value: float
    e_value_limit: float
    covariates: tuple[str, ...]
    left_out: tuple[str, ...]
    method: dict[str, str]

    @property
    def employment(self) -> CurveContrast:
        """The contrast of the employment curves."""
        return self.contrasts["employment"]


def compare(
    clients: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    estimator: str = "matching",
    ratio: int = 1,
    caliper: float | None = 0.2,
    replace: bool = True,
    horizons: Sequence[float] = (180, 365, 730),
    reps: int = 200,
    seed: int = 2025,
    clients_as_comparisons: str = "censor",
    level: float = 0.95,
    first=None,
    last=None,
) -> ComparisonResult:
    """Compare the clients' exits with those of comparable unemployed people: the one call a
    notebook makes.

    Parameters
    ----------
    clients, comparison : DataFrame
        The clients table and the comparison spells (the contract's columns; see
        :func:`~evaluation.comparison.trials.build_trials`).
    estimator : {"matching", "weighting"}
    ratio, caliper, replace
        Matching only: comparisons per client, the caliper in standard deviations of the logit of
        the score (None: none), matching with replacement.
    horizons : sequence of float
        Days from time zero at which the curves are contrasted.
    reps, seed, level
        Bootstrap replications, the seed, the confidence level.
    clients_as_comparisons : {"censor", "keep", "exclude"}
        Clients before their enrolment as comparisons (see ``build_trials``).
    first, last : optional
        The first and last trial month.

    Returns
    -------
    ComparisonResult

    Notes
    -----
    :func:`~evaluation.comparison.trials.build_trials`, then :func:`compare_trials` (which says
    the estimators, the interval and their references).
    """
    trials = build_trials(clients, comparison, first=first, last=last, clients_as_comparisons=clients_as_comparisons)
    return compare_trials(
        trials,
        estimator=estimator,
        ratio=ratio,
        caliper=caliper,
        replace=replace,
        horizons=horizons,
        reps=reps,
        seed=seed,
        level=level,
    )


def compare_trials(
    trials: pd.DataFrame,
    *,
    estimator: str = "matching",
    ratio: int = 1,
    caliper: float | None = 0.2,
    replace: bool = True,
    horizons: Sequence[float] = (180, 365, 730),
    reps: int = 200,
    seed: int = 2025,
    level: float = 0.95,
    causes: Sequence[str] = tuple(_CAUSES),
    e_value_horizon: float = 365,
) -> ComparisonResult:
    """:func:`compare` on stacked trials already built (the sensitivity analyses reuse them).

    Parameters
    ----------
    trials : DataFrame
        From :func:`~evaluation.comparison.trials.build_trials`.
    causes : sequence of str
        The causes contrasted (default all four).
    e_value_horizon : float
        The horizon of the employment risk ratio whose E-value is reported (must be among
        ``horizons`` to be computed; NaN otherwise).
    Others as :func:`compare`.

    Returns
    -------
    ComparisonResult

    Notes
    -----
    * Propensity score: unpenalised logistic regression
      (:func:`~evaluation.comparison.propensity.logistic_propensity`, equal to R's ``glm``) on the
      stacked trials with the terms of :func:`propensity_design`.
    * ``"matching"``: greedy nearest-neighbour matching on the logit of the score
      (:func:`~evaluation.comparison.matching.nearest_neighbour_match`, equal to MatchIt's),
      exact on the trial month and the elapsed band (one stratum per trial × band), ``ratio``
      comparisons per client, with or without replacement, the caliper in SDs of the logit over
      all trial rows (Austin 2011 recommends 0.2). Clients without an acceptable match are
      counted and dropped: the estimand becomes the effect on the matched clients, not on all.
    * ``"weighting"``: ATT odds weights (:func:`~evaluation.comparison.weighting.att_odds_weights`),
      1 for the clients, ``e / (1 - e)`` for the comparisons, the comparisons' weights then
      normalised within each trial month to sum to its number of clients, so that the weighted
      comparisons are spread over calendar months as the clients are (the score's half-year terms
      alone would not ensure it). The estimand is the effect on all clients (ATT).
    * Curves: weighted Aalen–Johansen cumulative incidence of each cause from time zero, per group
      (:func:`~evaluation.comparison.curves.weighted_cumulative_incidence`, equal to ``survfit``);
      difference and ratio of the clients' and the weighted comparisons' curves at ``horizons``.
    * Interval: percentile bootstrap resampling persons (``cluster``: a client is one person in
      every trial row), re-estimating the propensity score and redoing the matching or weighting
      in each resample (:func:`~evaluation.comparison.curves.contrast_causes` with ``reweigh``);
      all causes from the same resamples. The bootstrap is not valid for nearest-neighbour
      matching with a fixed number of matches (Abadie and Imbens 2008): its variance may be too
      large or too small, so the matching interval is approximate; the weighting estimator is a
      smooth function of the data and has no such problem (its bootstrap is the usual one).
      Each replicate's logistic fit starts from the full sample's coefficients (``glm(start = )``:
      the same fit in fewer iterations). Measured on the two-core project machine, 200
      replicates on 150 clients and 48,000 trial rows (33 trials), four causes at once: about
      16 s by matching and 15 s by weighting when the machine was quiet; 20 s and 12 s of CPU
      time with one BLAS thread (``OPENBLAS_NUM_THREADS=1``, as ``make check`` runs) when it
      was loaded. On a loaded two-core machine a multi-threaded OpenBLAS makes these small QR
      factorisations many times slower (70 times for 5,000 × 16): set one BLAS thread.
    * Support: comparison rows whose half-year, elapsed band, sex or education level no client
      has (e.g. 24+ months unemployed when no client had been) are set aside before the score is
      fitted, in the full sample and in every resample: no client resembles them, matching could
      not use them (exact on the band) and their odds weights would tend to 0, while leaving them
      in separates the groups and the fit diverges (Albert and Anderson 1984). Counted in
      ``n_outside_support``.
    * Balance: standardised differences before and after (Austin 2009's pooled SD) of every
      covariate and every band and half-year indicator; Kish's effective sample sizes.

    References
    ----------
    Abadie A, Imbens GW (2008). On the failure of the bootstrap for matching estimators.
    Econometrica 76:1537–1557.
    Austin PC (2009). Balance diagnostics ... in propensity-score matched samples. Stat Med
    28:3083–3107.
    Albert A, Anderson JA (1984). On the existence of maximum likelihood estimates in logistic
    regression models. Biometrika 71:1–10.
    Austin PC (2011). Optimal caliper widths for propensity-score matching when estimating
    differences in means and differences in proportions in observational studies. Pharm Stat
    10:150–161.
    Hirano K, Imbens GW, Ridder G (2003). Efficient estimation of average treatment effects using
    the estimated propensity score. Econometrica 71:1161–1189.
    Sianesi B (2004). An evaluation of the Swedish system of active labor market programs in the
    1990s. Rev Econ Stat 86:133–155.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}")
    unknown = [c for c in causes if c not in _CAUSES]
    if unknown:
        raise ValueError(f"unknown cause(s) {', '.join(unknown)}: use {', '.join(_CAUSES)}")
    design = propensity_design(trials)
    t = trials["treated"].to_numpy().astype(int)
    if t.sum() == 0 or (t == 0).sum() == 0:
        raise ValueError("the trials need both clients (treated) and comparisons")
    trial = trials["trial"].cat.codes.to_numpy().astype(np.int64)
    band = trials["elapsed_band"].cat.codes.to_numpy().astype(np.int64)
    time = trials["time"].to_numpy(dtype=float)
    status = trials["status"].to_numpy().astype(int)
    cluster = trials["cluster"].cat.codes.to_numpy()
    cats = _categories(trials, design)
    options = dict(estimator=estimator, ratio=ratio, caliper=caliper, replace=replace)
    score, weights, matching, support, beta = _adjust(design.matrix, t, trial, band, cats, **options)

    failures: list[int] = []

    def reweigh(rows: np.ndarray) -> np.ndarray:
        return _adjust(
            design.matrix[rows], t[rows], trial[rows], band[rows], cats[rows], **options, start=beta, failures=failures
        )[1]

    h = np.asarray(horizons, dtype=float)
    codes = [_CAUSES[c] for c in causes]
    contrasts = contrast_causes(
        time, status, t, weights, h, causes=codes, cluster=cluster, reps=reps, seed=seed, level=level, reweigh=reweigh
    )
    grid = np.arange(0, int(h.max()) + 1)
    frames = []
    fits = [weighted_cumulative_incidence(time[t == g], status[t == g], weights[t == g], causes=codes) for g in (1, 0)]
    for name, code in zip(causes, codes, strict=True):
        frames.append(
            pd.DataFrame(
                {"day": grid, "cause": name, "treated": fits[0].at(grid, code), "comparison": fits[1].at(grid, code)}
            )
        )
    ev, ev_limit = math.nan, math.nan
    if "employment" in causes and e_value_horizon in h:
        emp = contrasts[_CAUSES["employment"]]
        j = int(np.flatnonzero(h == e_value_horizon)[0])
        if np.isfinite(emp.ratio[j]) and emp.ratio[j] > 0:
            ev = e_value(float(emp.ratio[j]))
        if np.isfinite(emp.ratio_lower[j]) and emp.ratio_lower[j] > 0:
            ev_limit = e_value_of_interval(float(emp.ratio_lower[j]), float(emp.ratio_upper[j]))
    n_treated = int(t.sum())
    n_matched = matching.matched_treated if matching is not None else n_treated
    first = contrasts[codes[0]]
    if estimator == "matching":
        how = (
            f"nearest-neighbour matching 1:{ratio} on the logit of the score, "
            f"{'with' if replace else 'without'} replacement, caliper "
            f"{'none' if caliper is None else f'{caliper} SD of the logit'}, exact on trial month × elapsed band; "
            f"{n_treated - n_matched} of {n_treated} clients unmatched and dropped (estimand: the effect on the "
            f"{n_matched} matched clients)"
        )
    else:
        how = (
            "ATT odds weights e/(1-e) on the comparisons, 1 on the clients, normalised within each trial month "
            "to its number of clients (estimand: the effect on all clients)"
        )
    method = {
        "design": (
            f"{trials['trial'].nunique()} monthly sequential trials (target trial emulation, Hernán and Robins "
            f"2016; dynamic matching, Sianesi 2004); clients before enrolment as comparisons: "
            f"{trials.attrs.get('clients_as_comparisons', 'as built')}"
        ),
        "propensity": (
            "logistic regression on the stacked trials: "
            + ", ".join(design.names[1:])
            + ("; left out (not in both tables): " + ", ".join(design.left_out) if design.left_out else "")
        ),
        "estimator": how,
        "curves": "weighted Aalen–Johansen cumulative incidence from time zero, per group, competing causes",
        "interval": first.method.replace("weights re-estimated", "propensity score and " + estimator + " re-done")
        + ("; " + _ABADIE_IMBENS if estimator == "matching" else "")
        + (
            f"; in {len(failures)} of {reps} resamples the score's fit did not converge in 25 iterations "
            "(the resample separates the groups) and its last iterate was used, as glm does"
            if failures
            else ""
        ),
        "balance": (
            "standardised differences, pooled SD sqrt((s1² + s0²)/2) of the unadjusted groups (Austin 2009) "
            "before and after; Kish's effective sample sizes"
        ),
    }
    return ComparisonResult(
        estimator=estimator,
        horizons=h,
        contrasts={name: contrasts[code] for name, code in zip(causes, codes, strict=True)},
        curves=pd.concat(frames, ignore_index=True),
        n_trials=int(trials["trial"].nunique()),
        n_rows=len(trials),
        n_treated=n_treated,
        n_matched=n_matched,
        n_unmatched=n_treated - n_matched,
        balance=standardized_differences(covariate_table(trials), t, weights),
        effective_sample_size=effective_sample_sizes(t, weights),
        n_outside_support=int((~support).sum()),
        nonconverged_replicates=len(failures),
        weights=weights,
        scores_treated=score[t == 1],
        scores_comparison=score[(t == 0) & support],
        e_value_horizon=float(e_value_horizon),
        e_value=ev,
        e_value_limit=ev_limit,
        covariates=design.covariates,
        left_out=design.left_out,
        method=method,
    )


def sensitivity(
    clients: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    estimator: str = "matching",
    ratio: int = 1,
    caliper: float | None = 0.2,
    replace: bool = True,
    clients_as_comparisons: str = "censor",
    horizon: float = 365,
    reps: int = 200,
    seed: int = 2025,
    level: float = 0.95,
    first=None,
    last=None,
) -> pd.DataFrame:
    """The employment difference at ``horizon`` under other choices of the analysis.

    Parameters
    ----------
    clients, comparison : DataFrame
    estimator, ratio, caliper, replace, clients_as_comparisons
        The primary analysis (as :func:`compare`).
    horizon : float
        Days (365: a year).
    reps, seed, level, first, last
        As :func:`compare`; every row uses the same seed.

    Returns
    -------
    DataFrame
        One row per analysis: ``analysis`` (what differs from the primary), ``estimator``,
        ``ratio``, ``caliper``, ``clients_as_comparisons``, ``n_treated``, ``n_matched``,
        ``treated``, ``comparison``, ``difference``, ``lower``, ``upper`` (shares 0..1).

    Notes
    -----
    The primary analysis; matching with calipers 0.1, 0.2, 0.5 SD and none, 1:1 and 1:3; the
    clients before enrolment kept to their exit rather than censored (or the reverse); and the
    other estimator. Each re-runs :func:`compare_trials` with its bootstrap (employment only).
    Agreement across rows says the result does not hang on one tuning choice; it says nothing of
    unmeasured confounding (for which see the E-value) (Rosenbaum 2002, ch. 4).

    References
    ----------
    Rosenbaum PR (2002). Observational Studies, 2nd ed. New York: Springer.
    """
    other_handling = "keep" if clients_as_comparisons == "censor" else "censor"
    built = {}

    def trials_for(handling: str) -> pd.DataFrame:
        if handling not in built:
            built[handling] = build_trials(clients, comparison, first=first, last=last, clients_as_comparisons=handling)
        return built[handling]

    primary = dict(estimator=estimator, ratio=ratio, caliper=caliper, clients_as_comparisons=clients_as_comparisons)
    variants = [("primary", primary)]
    for c in (0.1, 0.2, 0.5, None):
        variants.append((f"caliper {'none' if c is None else c}", {**primary, "estimator": "matching", "caliper": c}))
    for r in (1, 3):
        variants.append((f"ratio 1:{r}", {**primary, "estimator": "matching", "ratio": r}))
    variants.append(
        (f"clients before enrolment: {other_handling}", {**primary, "clients_as_comparisons": other_handling})
    )
    other = "weighting" if estimator == "matching" else "matching"
    variants.append((f"estimator: {other}", {**primary, "estimator": other}))
    rows, seen = [], set()
    for label, v in variants:
        key = (
            v["estimator"],
            v["ratio"] if v["estimator"] == "matching" else None,
            v["caliper"] if v["estimator"] == "matching" else None,
            v["clients_as_comparisons"],
        )
        if key in seen and label != "primary":
            continue
        seen.add(key)
        res = compare_trials(
            trials_for(v["clients_as_comparisons"]),
            estimator=v["estimator"],
            ratio=v["ratio"],
            caliper=v["caliper"],
            replace=replace,
            horizons=(horizon,),
            reps=reps,
            seed=seed,
            level=level,
            causes=("employment",),
            e_value_horizon=horizon,
        )
        e = res.employment
        rows.append(
            {
                "analysis": label,
                "estimator": v["estimator"],
                "ratio": v["ratio"] if v["estimator"] == "matching" else None,
                "caliper": v["caliper"] if v["estimator"] == "matching" else None,
                "clients_as_comparisons": v["clients_as_comparisons"],
                "n_treated": res.n_treated,
                "n_matched": res.n_matched,
                "treated": float(e.treated[0]),
                "comparison": float(e.comparison[0]),
                "difference": float(e.difference[0]),
                "lower": float(e.difference_lower[0]),
                "upper": float(e.difference_upper[0]),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Placebo:
    """A placebo outcome: the clients' mean and their weighted comparisons', the difference with
    its percentile bootstrap interval, and ``selection_warning`` (the interval excludes 0)."""

    outcome: str
    treated: float
    comparison: float
    difference: float
    lower: float
    upper: float
    selection_warning: bool
    reps: int
    seed: int
    method: str


def placebo(
    clients: pd.DataFrame,
    comparison: pd.DataFrame,
    *,
    estimator: str = "matching",
    ratio: int = 1,
    caliper: float | None = 0.2,
    replace: bool = True,
    reps: int = 200,
    seed: int = 2025,
    clients_as_comparisons: str = "censor",
    level: float = 0.95,
    first=None,
    last=None,
) -> Placebo:
    """Months employed in the three years before the spell, as if it were an outcome.

    Parameters
    ----------
    As :func:`compare`.

    Returns
    -------
    Placebo
        The difference in mean ``months_employed_3y`` (months; clients minus weighted comparisons).

    Notes
    -----
    ``months_employed_3y`` is fixed before anybody enrolled, so the programme cannot have moved
    it: with it left out of the propensity score, a difference whose interval excludes 0 shows
    that the other covariates do not make the groups comparable in their past, a warning of
    selection on what the score omits (a pseudo-outcome or placebo test: Imbens and Wooldridge
    2009, sec. 6.2; Imbens 2015, sec. 7). Same trials, score, matching or weighting and cluster
    bootstrap (re-estimated in each resample, :func:`compare_trials`) as the comparison; the
    Abadie–Imbens caveat applies to matching. Warns (``UserWarning``) when the interval excludes 0.

    References
    ----------
    Imbens GW, Wooldridge JM (2009). Recent developments in the econometrics of program
    evaluation. J Econ Lit 47:5–86.
    Imbens GW (2015). Matching methods in practice: three examples. J Hum Resour 50:373–419.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}")
    trials = build_trials(clients, comparison, first=first, last=last, clients_as_comparisons=clients_as_comparisons)
    if "months_employed_3y" not in trials.columns:
        raise ValueError(
            "the placebo needs months_employed_3y in both the clients and the comparison tables: add the column"
        )
    design = propensity_design(trials, leave_out=("months_employed_3y",))
    _check_missing(trials, ["months_employed_3y"])
    y = trials["months_employed_3y"].to_numpy(dtype=float)
    t = trials["treated"].to_numpy().astype(int)
    trial = trials["trial"].cat.codes.to_numpy().astype(np.int64)
    band = trials["elapsed_band"].cat.codes.to_numpy().astype(np.int64)
    cats = _categories(trials, design)
    options = dict(estimator=estimator, ratio=ratio, caliper=caliper, replace=replace)

    def means(rows: np.ndarray, w: np.ndarray) -> tuple[float, float]:
        a, b = t[rows] == 1, t[rows] == 0
        return (
            float(np.average(y[rows][a], weights=w[a])) if w[a].sum() > 0 else math.nan,
            float(np.average(y[rows][b], weights=w[b])) if w[b].sum() > 0 else math.nan,
        )

    every = np.arange(len(t))
    _, w, _, _, beta = _adjust(design.matrix, t, trial, band, cats, **options)
    m1, m0 = means(every, w)
    diffs = []
    for rows, _ in _resampled_rows(trials["cluster"].cat.codes.to_numpy(), len(t), reps, seed):
        wr = _adjust(
            design.matrix[rows], t[rows], trial[rows], band[rows], cats[rows], **options, start=beta, failures=[]
        )[1]
        a, b = means(rows, wr)
        diffs.append(a - b)
    diffs = np.asarray(diffs)
    lo, hi = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2]) if np.isfinite(diffs).all() else (math.nan,) * 2
    flag = bool(np.isfinite(lo) and (lo > 0 or hi < 0))
    if flag:
        warnings.warn(
            f"placebo: the clients' months employed in the 3 years before differ from their comparisons' by "
            f"{m1 - m0:.1f} months ({level:.0%} interval {lo:.1f} to {hi:.1f}), an interval excluding 0: "
            "selection on what the propensity score omits",
            UserWarning,
            stacklevel=2,
        )
    return Placebo(
        outcome="months_employed_3y",
        treated=m1,
        comparison=m0,
        difference=m1 - m0,
        lower=float(lo),
        upper=float(hi),
        selection_warning=flag,
        reps=reps,
        seed=seed,
        method=(
            f"difference in mean months_employed_3y, clients minus {estimator}-adjusted comparisons, "
            f"months_employed_3y left out of the score; percentile bootstrap, {reps} resamples of persons, "
            f"numpy default_rng({seed}), score and {estimator} re-estimated in each"
        ),
    )


@dataclass(frozen=True)
class CostPerJob:
    """The project's cost per additional employed client at a horizon (EUR), with its interval;
    ``estimable`` False (and the numbers NaN) when the difference may be 0 or negative, the
    ``reason`` then saying why."""

    estimate: float
    lower: float
    upper: float
    estimable: bool
    reason: str
    horizon: float
    method: str


def cost_per_additional_job(
    total_eur: float, contrast: CurveContrast, n_treated: int, *, horizon: float = 365
) -> CostPerJob:
    """Total cost divided by the additional clients employed: ``total / (difference × n)``.

    Parameters
    ----------
    total_eur : float
        The project's total cost (``dataset.yaml``'s ``costs.total_eur``), > 0.
    contrast : CurveContrast
        The employment contrast (``ComparisonResult.employment``).
    n_treated : int
        The clients the difference applies to (the matched clients under matching).
    horizon : float
        Days; one of the contrast's horizons.

    Returns
    -------
    CostPerJob

    Notes
    -----
    The interval maps the difference's interval through the decreasing ``total / (d × n)``: lower
    limit from the difference's upper limit, upper from its lower. When the difference's interval
    includes 0 (or lies below it), the additional jobs may be none or negative and the cost per job
    is unbounded or meaningless: reported as not estimable, never computed from a denominator that
    may be <= 0 (cost-effectiveness ratios near a zero effect: Briggs, O'Brien and Blackhouse
    2002). The cost is taken as known (no interval of its own).

    References
    ----------
    Briggs AH, O'Brien BJ, Blackhouse G (2002). Thinking outside the box: recent advances in the
    analysis and presentation of uncertainty in cost-effectiveness studies. Annu Rev Public
    Health 23:377–401.
    """
    if not (total_eur > 0 and math.isfinite(total_eur)):
        raise ValueError(f"the total cost must be a positive number of euros, not {total_eur}")
    if n_treated < 1 or int(n_treated) != n_treated:
        raise ValueError(f"the number of clients must be a positive whole number, not {n_treated}")
    if contrast.cause != CAUSES["employment"]:
        raise ValueError("the cost per additional job needs the employment contrast (cause 1)")
    hits = np.flatnonzero(contrast.horizons == horizon)
    if not len(hits):
        raise ValueError(f"the contrast has no horizon {horizon} (it has {', '.join(map(str, contrast.horizons))})")
    j = int(hits[0])
    d, lo, hi = (float(v[j]) for v in (contrast.difference, contrast.difference_lower, contrast.difference_upper))
    method = f"total_eur / (difference in employment at {horizon:g} days × {n_treated} clients); interval from the difference's"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        reason = "not estimable: the difference has no interval (a horizon beyond follow-up?)"
        return CostPerJob(math.nan, math.nan, math.nan, False, reason, horizon, method)
    if lo <= 0 or d <= 0:
        reason = (
            f"not estimable: the difference's interval ({lo:.3f} to {hi:.3f}) includes 0"
            if hi >= 0
            else f"not estimable: the difference's interval ({lo:.3f} to {hi:.3f}) lies below 0"
        )
        return CostPerJob(math.nan, math.nan, math.nan, False, reason, horizon, method)
    return CostPerJob(
        estimate=total_eur / (d * n_treated),
        lower=total_eur / (hi * n_treated),
        upper=total_eur / (lo * n_treated),
        estimable=True,
        reason="",
        horizon=horizon,
        method=method,
    )

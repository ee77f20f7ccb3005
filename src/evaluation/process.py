"""A register drawn from a stated process, and the truth that process implies.

The process is one YAML file (``data/synthetic/process.yaml``, a comment on every number):

* clients enrol on working days over the study at a seasonal rate, independently of everything
  that follows;
* their characteristics are drawn with stated dependences (long-term unemployment on age, health
  limitations on age and long-term unemployment, education on age);
* every client has a latent time to each exit (employment, activation, retirement, other) from a
  cause-specific Weibull hazard with proportional covariate effects and one shape for all causes;
  the earliest is the exit, recorded on the first working day on or after it; the study's end
  (and, if asked, a drop-out rate) censors;
* the parallel project's pay-subsidy placements (sector, length, euros, continuation) are drawn
  independently of the clients and then given to clients whose register makes them possible.

Because the causes share one Weibull shape, the cumulative incidence of each cause for a client
with covariates ``x`` has a closed form,
``F_k(t | x) = a_k(x) / A(x) * (1 - exp(-(t / 365)^shape A(x)))`` with
``a_k(x) = rate_k exp(x' beta_k)`` and ``A = sum_k a_k``, and the covariates take finitely many
values (age in whole years), so the truth — the cumulative incidence of every outcome at any day
as the register records it, the probability of no exit and its restricted mean, the
cause-specific coefficients, the continuation probabilities — is computed from the parameters
exactly (:func:`truth`), never estimated from a draw.

The comparison study (issue 25, the ``comparison`` section) adds a population of unemployment
spells of Haapavesi and its neighbours, on the clock of elapsed unemployment, with the same
cause-specific Weibull form; for ``simulate`` its Haapavesi people are selected into Kokoomo month
by month on observed covariates (and, in a variant, on an unrecorded trait), and the clients'
employment hazard is raised for a stated time (:func:`draw_comparison_study`). Its truth, the
sample average effect on the clients' cumulative incidence of employment, is integrated
numerically from the stated hazards (:func:`true_att`). :func:`draw_comparison_register` draws the
population alone (the default dataset's comparison register).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import expit

from .paths import DATA
from .vocabulary import EDUCATION_LEVELS, SECTORS, SEXES

#: The default process: the stated assumptions behind the default synthetic dataset.
PROCESS = DATA / "synthetic" / "process.yaml"
CAUSES = ("employment", "activation", "retirement", "other")
#: The model columns a cause's ``beta`` has, in order.
TERMS = ("age_per_10", "long_term_unemployed", "health_limitations", "upper_secondary", "tertiary", "unknown")
YEAR = 365.0


class ProcessError(ValueError):
    """A process file that cannot be used: one line per problem, each naming the key and the fix."""


@dataclass(frozen=True)
class Process:
    """The parsed parameters of a process file (see ``data/synthetic/process.yaml``)."""

    params: dict
    source: str

    @property
    def start(self) -> dt.date:
        return self.params["study"]["start"]

    @property
    def last_enrolment(self) -> dt.date:
        return self.params["study"]["last_enrolment"]

    @property
    def end(self) -> dt.date:
        return self.params["study"]["end"]

    @property
    def shape(self) -> float:
        return float(self.params["outcomes"]["shape"])

    @property
    def design(self) -> str:
        """``cause_specific`` (proportional cause-specific hazards: the Cox coefficients are
        the truth) or ``fine_gray`` (a proportional subdistribution hazard of employment, Fine and
        Gray 1999, section 5: the Fine–Gray coefficients are the truth)."""
        return self.params["outcomes"].get("design", "cause_specific")

    def rate(self, cause: str) -> float:
        return float(self.params["outcomes"]["causes"][cause]["rate"])

    def beta(self, cause: str) -> np.ndarray:
        b = self.params["outcomes"]["causes"][cause]["beta"]
        return np.array([float(b[t]) for t in TERMS])

    def with_rates(self, rates: dict[str, float]) -> Process:
        """The same process with other baseline rates (calibration)."""
        params = yaml.safe_load(yaml.safe_dump(self.params))
        for cause, rate in rates.items():
            params["outcomes"]["causes"][cause]["rate"] = float(rate)
        return Process(params, self.source)


def load_process(path: str | Path | None = None) -> Process:
    """Read and check a process file (default :data:`PROCESS`); :class:`ProcessError` lists
    every problem."""
    path = Path(path) if path is not None else PROCESS
    try:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProcessError(f"{path}: cannot read it ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ProcessError(f"{path}: not valid YAML ({exc})") from None
    if isinstance(params, dict) and "base" in params:
        # a variant: the named file with this file's keys put over it
        base = path.parent / str(params.pop("base"))
        params = _merge(load_process(base).params, params)
    problems = _check(params)
    if problems:
        raise ProcessError("\n".join(f"{path}: {p}" for p in problems))
    return Process(params, str(path))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


def _check(params) -> list[str]:
    if not isinstance(params, dict):
        return ["the file must be a mapping of sections (study, enrolment, covariates, outcomes, placements)"]
    problems = []
    for section in ("study", "enrolment", "covariates", "outcomes", "placements"):
        if not isinstance(params.get(section), dict):
            problems.append(f"section {section!r} is missing; copy it from {PROCESS.name}")
    if problems:
        return problems
    study = params["study"]
    for key in ("start", "last_enrolment", "end"):
        if not isinstance(study.get(key), dt.date):
            problems.append(f"study.{key} must be a date YYYY-MM-DD")
    if not problems and not study["start"] <= study["last_enrolment"] < study["end"]:
        problems.append("study: start <= last_enrolment < end must hold")
    elif not problems and study["end"].weekday() >= 5:
        problems.append("study.end must be a working day (an exit recorded on the next Monday would fall after it)")
    weights = params["enrolment"].get("month_weights")
    if not (isinstance(weights, list) and len(weights) == 12 and all(_number(w) and w >= 0 for w in weights)):
        problems.append("enrolment.month_weights must be 12 non-negative numbers, January first")

    def probabilities(where: str, mapping, keys) -> None:
        if not isinstance(mapping, dict) or set(mapping) != set(keys):
            problems.append(f"{where} must give a probability for each of {', '.join(keys)}")
        elif not all(_number(v) and v >= 0 for v in mapping.values()) or abs(sum(mapping.values()) - 1) > 1e-9:
            problems.append(
                f"{where}: the probabilities must be non-negative and sum to 1 "
                f"(they sum to {sum(v for v in mapping.values() if _number(v)):g})"
            )

    cov = params["covariates"]
    bands = cov.get("age_bands")
    if not (
        isinstance(bands, list) and bands and all(isinstance(b, dict) and {"from", "to", "p"} <= set(b) for b in bands)
    ):
        problems.append("covariates.age_bands must be a list of {from, to, p}")
    elif abs(sum(b["p"] for b in bands) - 1) > 1e-9 or any(b["from"] > b["to"] for b in bands):
        problems.append("covariates.age_bands: p must sum to 1 and each band have from <= to")
    probabilities("covariates.sex", cov.get("sex"), SEXES)
    edu = cov.get("education_level") or {}
    for group in ("under_25", "others"):
        probabilities(f"covariates.education_level.{group}", edu.get(group), EDUCATION_LEVELS)
    out = params["outcomes"]
    if not (_number(out.get("shape")) and out["shape"] > 0):
        problems.append("outcomes.shape must be a positive number (1: constant hazards)")
    causes = out.get("causes") or {}
    for cause in CAUSES:
        c = causes.get(cause)
        if not (isinstance(c, dict) and _number(c.get("rate")) and c["rate"] > 0):
            problems.append(f"outcomes.causes.{cause}.rate must be a positive number (per year)")
        elif not (isinstance(c.get("beta"), dict) and all(_number(c["beta"].get(t)) for t in TERMS)):
            problems.append(f"outcomes.causes.{cause}.beta must give a number for each of {', '.join(TERMS)}")
    design = out.get("design", "cause_specific")
    if design not in ("cause_specific", "fine_gray"):
        problems.append(f"outcomes.design must be cause_specific or fine_gray, not {design!r}")
    elif design == "fine_gray":
        fg = out.get("fine_gray") or {}
        if not (_number(fg.get("p")) and 0 < fg["p"] < 1):
            problems.append("outcomes.fine_gray.p must lie strictly between 0 and 1")
        for key in ("scale_days", "shape"):
            if not (_number(fg.get(key)) and fg[key] > 0):
                problems.append(f"outcomes.fine_gray.{key} must be a positive number")
        if not (isinstance(fg.get("beta"), dict) and all(_number(fg["beta"].get(t)) for t in TERMS)):
            problems.append(f"outcomes.fine_gray.beta must give a number for each of {', '.join(TERMS)}")
        competing = fg.get("competing") or {}
        if not (_number(competing.get("scale_days")) and competing["scale_days"] > 0):
            problems.append("outcomes.fine_gray.competing.scale_days must be a positive number")
        probabilities("outcomes.fine_gray.competing.shares", competing.get("shares"), CAUSES[1:])
    sectors = params["placements"].get("sectors") or {}
    if set(sectors) != set(SECTORS):
        problems.append(f"placements.sectors must list each of {', '.join(SECTORS)}")
    elif abs(sum(s["p"] for s in sectors.values()) - 1) > 1e-9:
        problems.append("placements.sectors: p must sum to 1")
    if "comparison" in params and not problems:
        problems.extend(_check_comparison(params["comparison"], study))
    return problems


@functools.lru_cache(maxsize=1)
def _municipality_codes() -> frozenset[str]:
    """The three-digit codes of the 309 municipalities of 2022 (the repository's StatFin key)."""
    key = pd.read_csv(DATA / "public" / "statfin" / "municipality_key_2022.csv", usecols=["municipality_code"])
    return frozenset(f"{int(code):03d}" for code in key["municipality_code"])


def _check_comparison(spec, study: dict) -> list[str]:
    """The ``comparison`` section: one line per bad number, each naming its key."""
    if not isinstance(spec, dict):
        return ["comparison must be a mapping (see data/synthetic/process.yaml)"]
    problems = []

    def number(where: str, value, rule: str, ok) -> None:
        if not (_number(value) and ok(value)):
            problems.append(f"comparison.{where} must be {rule}, not {value!r}")

    def mapping(where: str) -> dict:
        parts, value = where.split("."), spec
        for part in parts:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, dict):
            problems.append(f"comparison.{where} is missing; copy it from {PROCESS.name}")
            return {}
        return value

    for key in ("rates", "months_employed_per_12"):
        values = mapping(key)
        for cause in CAUSES if values else ():
            if key == "rates":
                number(
                    f"rates.{cause}", values.get(cause), "a positive number (H at one year for x = 0)", lambda v: v > 0
                )
            else:
                number(f"{key}.{cause}", values.get(cause), "a number (a log hazard ratio)", lambda v: True)
    people = spec.get("people")
    if not (isinstance(people, int) and not isinstance(people, bool) and people >= 1):
        problems.append(f"comparison.people must be a whole number of at least 1, not {people!r}")
    inflow = spec.get("inflow_from")
    if not isinstance(inflow, dt.date):
        problems.append("comparison.inflow_from must be a date YYYY-MM-DD")
    elif not inflow <= study["start"]:
        problems.append(f"comparison.inflow_from must be on or before study.start ({study['start']})")
    shares = mapping("municipalities")
    if shares:
        known = _municipality_codes()
        for code, share in shares.items():
            if not (isinstance(code, str) and code in known):
                problems.append(
                    f"comparison.municipalities: {code!r} is not a municipality code of 2022 (three digits as a "
                    "quoted string, from data/public/statfin/municipality_key_2022.csv)"
                )
            number(f"municipalities.{code}", share, "a non-negative share", lambda v: v >= 0)
        if all(_number(s) for s in shares.values()) and abs(sum(shares.values()) - 1) > 1e-9:
            problems.append(
                f"comparison.municipalities: the shares must sum to 1 (they sum to {sum(shares.values()):g})"
            )
        if not (_number(shares.get(HAAPAVESI)) and shares[HAAPAVESI] > 0):
            problems.append(f"comparison.municipalities must give Haapavesi ({HAAPAVESI!r}) a positive share")
    cov = mapping("covariates")
    bands = cov.get("age_bands") if cov else []
    if cov and not (
        isinstance(bands, list) and bands and all(isinstance(b, dict) and {"from", "to", "p"} <= set(b) for b in bands)
    ):
        problems.append("comparison.covariates.age_bands must be a list of {from, to, p}")
    elif cov:
        if not all(_number(b["p"]) and b["p"] >= 0 for b in bands) or abs(sum(b["p"] for b in bands) - 1) > 1e-9:
            problems.append("comparison.covariates.age_bands: p must be non-negative and sum to 1")
        years = (study["last_enrolment"] - inflow).days / 365.25 if isinstance(inflow, dt.date) else 0
        for i, b in enumerate(bands):
            if not (isinstance(b["from"], int) and isinstance(b["to"], int) and 15 <= b["from"] <= b["to"]):
                problems.append(
                    f"comparison.covariates.age_bands[{i}]: from and to must be whole years, 15 <= from <= to"
                )
            elif b["to"] + years >= 70:  # age at a later spell: below to + 1 + years, in whole years at most 70
                problems.append(
                    f"comparison.covariates.age_bands[{i}]: to must be at most {math.ceil(70 - years) - 1} so that a later "
                    "spell's age_at_spell_start stays within 70"
                )
    if cov:
        sex = cov.get("sex")
        if not (isinstance(sex, dict) and set(sex) == set(SEXES) and all(_number(v) and v >= 0 for v in sex.values())):
            problems.append(
                f"comparison.covariates.sex must give a non-negative probability for each of {', '.join(SEXES)}"
            )
        elif abs(sum(sex.values()) - 1) > 1e-9:
            problems.append(
                f"comparison.covariates.sex: the probabilities must sum to 1 (they sum to {sum(sex.values()):g})"
            )
        health = mapping("covariates.health_limitations")
        for key in ("intercept", "age_per_10") if health else ():
            number(f"covariates.health_limitations.{key}", health.get(key), "a number (log odds)", lambda v: True)
        months = mapping("covariates.months_employed_3y")
        for key in ("a", "b") if months else ():
            number(f"covariates.months_employed_3y.{key}", months.get(key), "a positive number", lambda v: v > 0)
    reentry = mapping("reentry")
    if reentry:
        number("reentry.share", reentry.get("share"), "a probability from 0 to 1", lambda v: 0 <= v <= 1)
        number("reentry.gap_mean_days", reentry.get("gap_mean_days"), "a positive number of days", lambda v: v > 0)
        number(
            "reentry.max_spells",
            reentry.get("max_spells"),
            "a whole number of at least 1",
            lambda v: v >= 1 and v == int(v),
        )
    selection = mapping("selection")
    if selection:
        number("selection.alpha", selection.get("alpha"), "a number (log odds)", lambda v: True)
        gamma = mapping("selection.gamma")
        for term in COMPARISON_TERMS if gamma else ():
            number(f"selection.gamma.{term}", gamma.get(term), "a number (log odds ratio)", lambda v: True)
        bands = selection.get("elapsed_bands")
        if not (
            isinstance(bands, list)
            and bands
            and all(isinstance(b, dict) and {"from", "to", "delta"} <= set(b) for b in bands)
        ):
            problems.append("comparison.selection.elapsed_bands must be a list of {from, to, delta}")
        else:
            expected = 0
            for i, b in enumerate(bands):
                number(f"selection.elapsed_bands[{i}].delta", b["delta"], "a number (log odds)", lambda v: True)
                last = i == len(bands) - 1
                if (
                    b["from"] != expected
                    or (b["to"] is None) != last
                    or (not last and not (_number(b["to"]) and b["to"] >= b["from"]))
                ):
                    problems.append(
                        f"comparison.selection.elapsed_bands[{i}]: the bands must run on from 0 without gaps "
                        f"(this one from {expected}), the last with to: null"
                    )
                    break
                expected = None if last else b["to"] + 1
    unobserved = mapping("unobserved")
    if unobserved:
        number(
            "unobserved.prevalence", unobserved.get("prevalence"), "a probability from 0 to 1", lambda v: 0 <= v <= 1
        )
        for key in ("enrolment_odds_ratio", "employment_hazard_ratio"):
            number(f"unobserved.{key}", unobserved.get(key), "a positive number", lambda v: v > 0)
    effect = mapping("effect")
    if effect:
        number("effect.hazard_ratio", effect.get("hazard_ratio"), "a positive number", lambda v: v > 0)
        number("effect.months", effect.get("months"), "a non-negative number of months", lambda v: v >= 0)
    default = mapping("default_clients")
    if default:
        number(
            "default_clients.long_term_extra_mean_days",
            default.get("long_term_extra_mean_days"),
            "a positive number of days",
            lambda v: v > 0,
        )
    return problems


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and np.isfinite(x)


# --------------------------------------------------------------------------- the process' parts
def enrolment_days(process: Process) -> tuple[np.ndarray, np.ndarray]:
    """The working days a client may enrol on (as ``datetime64[D]``) and the probability of each."""
    days = np.arange(np.datetime64(process.start), np.datetime64(process.last_enrolment) + 1)
    days = days[np.is_busday(days)]  # Monday to Friday (no holidays: the process states none)
    months = days.astype("datetime64[M]").astype(np.int64) % 12
    w = np.asarray(process.params["enrolment"]["month_weights"], dtype=float)[months]
    return days, w / w.sum()


def _weekday(days: np.ndarray) -> np.ndarray:
    """The weekday of each date, 0 = Monday (1970-01-01, day 0 of ``datetime64``, was a Thursday).
    numpy's business-day functions move dates; none names a date's weekday."""
    return (days.astype("datetime64[D]").astype(np.int64) + 3) % 7


def covariate_cells(process: Process) -> pd.DataFrame:
    """Every combination of the covariates with its probability (they sum to 1).

    Columns ``age``, ``sex``, ``long_term_unemployed``, ``health_limitations``,
    ``education_level``, ``p``."""
    cov = process.params["covariates"]
    ages, p_age = [], []
    for band in cov["age_bands"]:
        span = np.arange(band["from"], band["to"] + 1)
        ages.extend(span)
        p_age.extend([band["p"] / span.size] * span.size)
    rows = []
    for (age, pa), sex, ltu, health, edu in itertools.product(
        zip(ages, p_age), SEXES, (0, 1), (0, 1), EDUCATION_LEVELS
    ):
        p_ltu = _ltu_probability(cov, np.array([age]))[0]
        p_health = _health_probability(cov, np.array([age]), np.array([ltu]))[0]
        p_edu = cov["education_level"]["under_25" if age < 25 else "others"][edu]
        p = pa * cov["sex"][sex] * (p_ltu if ltu else 1 - p_ltu) * (p_health if health else 1 - p_health) * p_edu
        rows.append((int(age), sex, bool(ltu), bool(health), edu, p))
    return pd.DataFrame(
        rows, columns=["age", "sex", "long_term_unemployed", "health_limitations", "education_level", "p"]
    )


def _ltu_probability(cov: dict, age: np.ndarray) -> np.ndarray:
    c = cov["long_term_unemployed"]
    return expit(c["intercept"] + c["age_50_plus"] * (age >= 50) + c["age_under_25"] * (age < 25))


def _health_probability(cov: dict, age: np.ndarray, ltu: np.ndarray) -> np.ndarray:
    c = cov["health_limitations"]
    return expit(c["intercept"] + c["age_per_10"] * (age - 40) / 10 + c["long_term_unemployed"] * ltu)


def model_terms(age, ltu, health, education) -> np.ndarray:
    """The process' covariate terms (:data:`TERMS`) as an n × 6 matrix."""
    education = np.asarray(education)
    return np.column_stack(
        [
            (np.asarray(age, dtype=float) - 40) / 10,
            np.asarray(ltu, dtype=float),
            np.asarray(health, dtype=float),
            education == "upper_secondary",
            education == "tertiary",
            education == "unknown",
        ]
    ).astype(float)


def _intensities(process: Process, X: np.ndarray) -> np.ndarray:
    """``a_k(x) = rate_k exp(x' beta_k)`` for each row and cause (n × 4)."""
    return np.column_stack([process.rate(c) * np.exp(X @ process.beta(c)) for c in CAUSES])


# --------------------------------------------------------------------------- drawing a register
def draw_clients(process: Process, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` clients from the process: the columns of ``clients.csv`` (ids ``S0001``...)."""
    days, p_day = enrolment_days(process)
    enrolled = days[rng.choice(days.size, size=n, p=p_day)]
    cov = process.params["covariates"]
    bands = cov["age_bands"]
    band = rng.choice(len(bands), size=n, p=[b["p"] for b in bands])
    lo = np.array([b["from"] for b in bands])[band]
    hi = np.array([b["to"] for b in bands])[band]
    age = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    sex = np.array(SEXES)[_choice(rng, np.tile([cov["sex"][s] for s in SEXES], (n, 1)))]
    ltu = rng.random(n) < _ltu_probability(cov, age)
    health = rng.random(n) < _health_probability(cov, age, ltu)
    edu_p = np.array([[cov["education_level"][g][e] for e in EDUCATION_LEVELS] for g in ("under_25", "others")])
    education = np.array(EDUCATION_LEVELS)[_choice(rng, edu_p[(age >= 25).astype(int)])]
    cause, exit_time = _draw_exits(process, model_terms(age, ltu, health, education), rng)
    exit_day = np.ceil(exit_time).astype(np.int64)
    # recorded on the first working day on or after the exit
    recorded = (np.busday_offset(enrolled + exit_day, 0, roll="forward") - enrolled).astype(np.int64)
    censor = (np.datetime64(process.end) - enrolled).astype(np.int64)
    dropout = float(process.params["outcomes"].get("dropout_per_year", 0) or 0)
    if dropout > 0:
        censor = np.minimum(censor, np.floor(rng.standard_exponential(n) * YEAR / dropout).astype(np.int64))
    observed = recorded <= censor
    out = process.params["outcomes"]
    u = rng.random(n)
    group = np.array(CAUSES)[cause]
    outcome = np.select(
        [group == "employment", group == "activation", group == "retirement"],
        [
            np.where(u < out["subsidised_share"], "employed_subsidised", "employed_open"),
            np.where(
                u < np.where(health, out["work_trial_share"]["health_limitations"], out["work_trial_share"]["others"]),
                "work_trial",
                "rehabilitative_work",
            ),
            "retired",
        ],
        np.where(
            u < np.where(age < 25, out["education_share"]["under_25"], out["education_share"]["others"]),
            "education",
            "other_exit",
        ),
    )
    outcome = np.where(observed, outcome, "censored")
    duration = np.where(observed, recorded, censor)
    width = max(4, len(str(n)))
    return pd.DataFrame(
        {
            "client_id": [f"S{i:0{width}d}" for i in range(1, n + 1)],
            "enrolled": enrolled.astype("datetime64[ns]"),
            "exit_date": (enrolled + duration).astype("datetime64[ns]"),
            "outcome": outcome,
            "age_at_entry": age,
            "sex": sex,
            "long_term_unemployed": ltu,
            "health_limitations": health,
            "education_level": education,
        }
    )


def _draw_exits(process: Process, X: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The cause (index into :data:`CAUSES`) and latent time (days) of each client's exit."""
    n = X.shape[0]
    if process.design == "cause_specific":
        # latent times: H_k(t) = (t / 365)^shape a_k = E_k (standard exponential); the earliest wins
        a = _intensities(process, X)
        latent = YEAR * (rng.standard_exponential((n, len(CAUSES))) / a) ** (1 / process.shape)
        cause = np.argmin(latent, axis=1)
        return cause, latent[np.arange(n), cause]
    fg = process.params["outcomes"]["fine_gray"]
    w = np.exp(X @ np.array([float(fg["beta"][t]) for t in TERMS]))
    reach = 1 - (1 - fg["p"]) ** w  # P(employment | x)
    employed = rng.random(n) < reach
    # employment: invert F_1(t | x) = 1 - (1 - p (1 - exp(-s)))^w at v P(employment | x), s = (t / scale)^shape
    v = rng.random(n) * reach
    s = -np.log(1 - (1 - (1 - v) ** (1 / w)) / fg["p"])
    t_employment = fg["scale_days"] * s ** (1 / fg["shape"])
    others = fg["competing"]
    shares = np.array([others["shares"][c] for c in CAUSES[1:]])
    other_cause = 1 + _choice(rng, np.tile(shares, (n, 1)))
    t_other = others["scale_days"] * rng.standard_exponential(n) ** (1 / fg["shape"])
    return np.where(employed, 0, other_cause), np.where(employed, t_employment, t_other)


def _latent_cif(process: Process, X: np.ndarray, days: np.ndarray) -> np.ndarray:
    """P(exit of cause k by day d | x) for the latent (unrecorded) times, rows × days × causes."""
    days = np.maximum(np.asarray(days, dtype=float), 0)
    if process.design == "cause_specific":
        a = _intensities(process, X)
        total = a.sum(axis=1)
        reach = 1 - np.exp(-np.power(days / YEAR, process.shape)[None, :] * total[:, None])
        return reach[:, :, None] * (a / total[:, None])[:, None, :]
    fg = process.params["outcomes"]["fine_gray"]
    w = np.exp(X @ np.array([float(fg["beta"][t]) for t in TERMS]))
    g1 = 1 - np.exp(-np.power(days / fg["scale_days"], fg["shape"]))
    employment = 1 - (1 - fg["p"] * g1[None, :]) ** w[:, None]
    g2 = 1 - np.exp(-np.power(days / fg["competing"]["scale_days"], fg["shape"]))
    rest = ((1 - fg["p"]) ** w)[:, None] * g2[None, :]
    shares = [fg["competing"]["shares"][c] for c in CAUSES[1:]]
    return np.stack([employment] + [rest * share for share in shares], axis=2)


def _choice(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One draw per row of the probability matrix ``p`` (inverse CDF, vectorised)."""
    return np.minimum((rng.random((p.shape[0], 1)) > np.cumsum(p, axis=1)).sum(axis=1), p.shape[1] - 1)


def draw_placements(process: Process, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``count`` placements of the parallel project, independent of the clients: ``sector``,
    ``months``, ``subsidy_eur``, ``continued``."""
    spec = process.params["placements"]
    sectors = list(SECTORS)
    k = _choice(rng, np.tile([spec["sectors"][s]["p"] for s in sectors], (count, 1)))
    sector = np.array(sectors)[k]
    lo_m, hi_m = spec["months"]
    months = rng.integers(lo_m, hi_m + 1, count)
    lo = np.array([spec["sectors"][s]["monthly_eur"][0] for s in sectors], dtype=float)
    hi = np.array([spec["sectors"][s]["monthly_eur"][1] for s in sectors], dtype=float)
    monthly = lo[k] + rng.random(count) * (hi[k] - lo[k])
    continuation = np.array([spec["sectors"][s]["continuation"] for s in sectors])[k]
    return pd.DataFrame(
        {
            "sector": sector,
            "months": months,
            "subsidy_eur": np.round(months * monthly, 2),
            "continued": rng.random(count) < continuation,
        }
    )


def link_placements(
    process: Process, placements: pd.DataFrame, clients: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Give each placement dates and, where the register makes it possible, a client.

    A share ``linked_share`` of the placements (chosen at random) is offered to the register's
    clients, each client taking at most one: a placement that continued goes to a client whose
    exit was to subsidised work and who could hold it to its end by the study's end (it starts on
    the exit day: the subsidised job is the placement); one that did not continue goes to such a
    client or to one whose time in Kokoomo holds the whole placement (it starts on a random day
    within that time).  Continued placements are placed first, then the others; within each, the
    longest first (they fit fewest clients); each takes a client at random from those it fits.
    A placement no free client fits, and every placement not offered, goes to someone from
    outside Kokoomo and starts on a random day such that it ends by the study's end."""
    n = len(placements)
    length = np.round(placements["months"].to_numpy() * 30.4).astype(np.int64)
    end_study = np.datetime64(process.end)
    start = np.datetime64(process.start)
    span = (end_study - start).astype(np.int64) - length
    begin = start + np.floor(rng.random(n) * (span + 1)).astype(np.int64)
    client = np.full(n, "", dtype=object)
    offered = rng.random(n) < float(process.params["placements"]["linked_share"])
    continued = placements["continued"].to_numpy(dtype=bool)
    subsidised = clients["outcome"].to_numpy() == "employed_subsidised"
    enrolled = clients["enrolled"].to_numpy().astype("datetime64[D]")
    exit_date = clients["exit_date"].to_numpy().astype("datetime64[D]")
    room = (exit_date - enrolled).astype(np.int64)
    ids = clients["client_id"].to_numpy()
    free = np.ones(len(clients), dtype=bool)
    for kind in (True, False):
        for days in np.unique(length)[::-1]:
            want = rng.permutation(np.flatnonzero(offered & (continued == kind) & (length == days)))
            starts_on_exit = subsidised & (exit_date + days <= end_study)
            fits = free & (starts_on_exit if kind else (starts_on_exit | (~subsidised & (room >= days))))
            chosen = rng.permutation(np.flatnonzero(fits))[: want.size]
            want = want[: chosen.size]
            client[want] = ids[chosen]
            inside = enrolled[chosen] + np.floor(rng.random(chosen.size) * (room[chosen] - days + 1)).astype(np.int64)
            begin[want] = np.where(subsidised[chosen], exit_date[chosen], inside)
            free[chosen] = False
    width = max(4, len(str(n)))
    return pd.DataFrame(
        {
            "placement_id": [f"P{i:0{width}d}" for i in range(1, n + 1)],
            "client_id": client,
            "sector": placements["sector"].to_numpy(),
            "start": begin.astype("datetime64[ns]"),
            "end": (begin + length).astype("datetime64[ns]"),
            "subsidy_eur": placements["subsidy_eur"].to_numpy(),
            "continued": continued,
        }
    )


def placement_count(process: Process, n_clients: int) -> int:
    """The parallel project's number of placements for a register of ``n_clients``."""
    return max(4, round(n_clients * float(process.params["placements"]["per_client"])))


def draw_register(process: Process, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One unconditional draw: ``(clients, placements)`` as the contract's files hold them."""
    clients = draw_clients(process, n, rng)
    placements = draw_placements(process, placement_count(process, n), rng)
    return clients, link_placements(process, placements, clients, rng)


# --------------------------------------------------------------------------- the truth
#: A Monday: the enrolment dates of :func:`_recorded_cif`'s weekdays are counted from it.
_MONDAY = np.datetime64("1970-01-05")


def _recorded_cif(process: Process, X: np.ndarray, days: np.ndarray) -> np.ndarray:
    """P(an exit of cause k is recorded by day ``d`` after enrolment | x), rows × days × causes.

    An exit on day ``d`` (the latent time rounded up) is recorded on the first working day on or
    after it, so "recorded by day d" means "exit by d − s", with ``s`` 1 when day ``d`` is a
    Saturday, 2 when a Sunday, 0 otherwise; the weekday of day ``d`` depends on the enrolment
    weekday, whose distribution the enrolment process gives."""
    enrol_days, p_day = enrolment_days(process)
    p_weekday = np.bincount(_weekday(enrol_days), weights=p_day, minlength=7)
    out = 0.0
    for weekday in range(5):
        enrolled = _MONDAY + weekday
        # d − s: the last working day on or before day d, counted from an enrolment on this weekday
        latest = (np.busday_offset(enrolled + days, 0, roll="backward") - enrolled).astype(np.int64)
        out = out + p_weekday[weekday] * _latent_cif(process, X, latest)
    return out


def truth(process: Process, days) -> dict:
    """The truth at each of ``days`` (days after enrolment), computed from the parameters.

    ``cif``: cause → array, the cumulative incidence of each outcome group as the register records
    it; ``no_exit``: the probability of no exit yet (the Kaplan–Meier target of the time to any
    exit); ``rmst``: its restricted mean up to each day; ``cox``: the cause-specific log hazard
    ratios of employment for the model columns of :func:`evaluation.survival.design_matrix` (age
    per year, sex, the flags, education against basic), exact for the latent times (recording
    by day and by working day rounds them, see the coverage table); ``continuation``: sector →
    probability; ``continuation_difference``: company minus association.
    """
    days = np.asarray(days, dtype=np.int64)
    cells = covariate_cells(process)
    X = model_terms(cells["age"], cells["long_term_unemployed"], cells["health_limitations"], cells["education_level"])
    upto = np.arange(0, days.max() + 1)
    cif_all = np.tensordot(cells["p"].to_numpy(), _recorded_cif(process, X, upto), axes=1)  # days × causes
    cif = {c: cif_all[days, k] for k, c in enumerate(CAUSES)}
    no_exit_all = 1 - cif_all.sum(axis=1)
    rmst = np.array([no_exit_all[:d].sum() for d in days])  # E min(T, d) = sum over u < d of P(T > u)
    if process.design == "cause_specific":
        beta = dict(zip(TERMS, process.beta("employment")))
    else:
        beta = {t: float(process.params["outcomes"]["fine_gray"]["beta"][t]) for t in TERMS}
    coefficients = {
        "age_at_entry": beta["age_per_10"] / 10,
        "sex=M": 0.0,
        "sex=X": 0.0,
        "long_term_unemployed": beta["long_term_unemployed"],
        "health_limitations": beta["health_limitations"],
        **{f"education_level={e}": beta[e] for e in ("upper_secondary", "tertiary", "unknown")},
    }
    sectors = process.params["placements"]["sectors"]
    continuation = {s: float(sectors[s]["continuation"]) for s in SECTORS}
    model = "cox" if process.design == "cause_specific" else "finegray"
    return {
        "days": days,
        "cif": cif,
        "no_exit": no_exit_all[days],
        "rmst": rmst,
        "design": process.design,
        "coefficients": {model: coefficients},
        "continuation": continuation,
        "continuation_difference": continuation["company"] - continuation["association"],
    }


def expected_shares(process: Process) -> dict[str, float]:
    """The expected share of a register's clients recorded in each outcome group by the study's
    end (every enrolment day weighted by its probability; no drop-out).  The study ends on a
    working day, so an exit by then is recorded by then."""
    cells = covariate_cells(process)
    X = model_terms(cells["age"], cells["long_term_unemployed"], cells["health_limitations"], cells["education_level"])
    days, p_day = enrolment_days(process)
    follow, index = np.unique((np.datetime64(process.end) - days).astype(np.int64), return_inverse=True)
    weights = np.bincount(index, weights=p_day)
    # E over cells and enrolment days of F_k(follow-up | x)
    share = np.einsum("c,cdk,d->k", cells["p"].to_numpy(), _latent_cif(process, X, follow), weights)
    return dict(zip(CAUSES, share.tolist()))


def calibrate(process: Process, targets: dict[str, float] | None = None) -> Process:
    """The process with baseline rates solved so that :func:`expected_shares` equals ``targets``
    (default: the file's ``calibration.target_shares``)."""
    from scipy import optimize

    targets = targets or process.params["calibration"]["target_shares"]

    def gap(log_rates):
        shares = expected_shares(process.with_rates(dict(zip(CAUSES, np.exp(log_rates)))))
        return [shares[c] - targets[c] for c in CAUSES]

    start = np.log([process.rate(c) for c in CAUSES])
    solution = optimize.root(gap, start, tol=1e-12)
    if not solution.success:
        raise ProcessError(f"calibration did not converge: {solution.message}")
    return process.with_rates(dict(zip(CAUSES, np.exp(solution.x))))


def analysis_frame(clients: pd.DataFrame) -> pd.DataFrame:
    """A drawn register's clients as :func:`evaluation.load_dataset` gives them (typed flags,
    ``duration_days``, ``outcome_group``, ``age_group``), without writing files."""
    from .dataset import derive_clients

    frame = clients.astype(
        {"long_term_unemployed": "boolean", "health_limitations": "boolean", "age_at_entry": "Int64"}
    )
    return derive_clients(frame)


# --------------------------------------------------------------------------- the comparison study
#: The covariate terms of the comparison's hazards (on the clock of elapsed unemployment), in order.
COMPARISON_TERMS = (
    "age_per_10",
    "health_limitations",
    "upper_secondary",
    "tertiary",
    "unknown",
    "months_employed_per_12",
)
#: Variants of :func:`draw_comparison_study`.
VARIANTS = ("observed", "unobserved")
#: Days in a month of the effect's window.
MONTH_DAYS = 365.25 / 12
#: The columns of the comparison register (the contract's ``comparison.csv``), in order.
COMPARISON_COLUMNS = (
    "person_id",
    "unemployed_since",
    "exit_date",
    "outcome",
    "municipality_code",
    "sex",
    "age_at_spell_start",
    "health_limitations",
    "education_level",
    "months_employed_3y",
)
HAAPAVESI = "071"


def _comparison(process: Process) -> dict:
    spec = process.params.get("comparison")
    if not isinstance(spec, dict):
        raise ProcessError(f"{process.source}: section 'comparison' is missing; copy it from {PROCESS.name}")
    return spec


def comparison_terms(age, health, education, months) -> np.ndarray:
    """The comparison's covariate terms (:data:`COMPARISON_TERMS`) as an n × 6 matrix: age per 10
    years from 40 at the spell's start, the health flag, education against basic, years employed
    (months / 12) in the three years before the spell."""
    education = np.asarray(education)
    return np.column_stack(
        [
            (np.asarray(age, dtype=float) - 40) / 10,
            np.asarray(health, dtype=float),
            education == "upper_secondary",
            education == "tertiary",
            education == "unknown",
            np.asarray(months, dtype=float) / 12,
        ]
    ).astype(float)


def comparison_intensities(process: Process, X: np.ndarray, u=None) -> np.ndarray:
    """``a_k(x) = rate_k exp(x' beta_k)`` of the comparison's hazards (n × 4, :data:`CAUSES`), the
    employment column multiplied by ``unobserved.employment_hazard_ratio`` where ``u`` is 1.

    ``beta_k`` is the clients' (``outcomes.causes.<k>.beta``) for the shared terms, with
    ``comparison.months_employed_per_12`` added; ``H_k(d | x) = (d / 365)^shape a_k(x)``."""
    spec = _comparison(process)
    columns = []
    for cause in CAUSES:
        beta = process.params["outcomes"]["causes"][cause]["beta"]
        b = np.array([float(beta[t]) for t in COMPARISON_TERMS[:-1]] + [float(spec["months_employed_per_12"][cause])])
        columns.append(float(spec["rates"][cause]) * np.exp(X @ b))
    a = np.column_stack(columns)
    if u is not None:
        hr = float(spec["unobserved"]["employment_hazard_ratio"])
        a[:, 0] *= np.where(np.asarray(u, dtype=bool), hr, 1.0)
    return a


def _effect(process: Process) -> tuple[float, float]:
    """The effect's hazard ratio on employment and its window in days."""
    effect = _comparison(process)["effect"]
    return float(effect["hazard_ratio"]), float(effect["months"]) * MONTH_DAYS


def _remaining_exits(
    process: Process,
    a: np.ndarray,
    elapsed: np.ndarray,
    rng: np.random.Generator,
    hazard_ratio: float = 1.0,
    window: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The cause and the time (days after ``elapsed``) of the exit of someone still unemployed
    at ``elapsed`` days, by inverting each cause's remaining cumulative hazard
    ``H_k(e + t) - H_k(e)`` at a standard exponential; the employment hazard is multiplied by
    ``hazard_ratio`` for ``t <= window``. The earliest latent time wins."""
    n = a.shape[0]
    p = process.shape
    e = np.asarray(elapsed, dtype=float)
    g0 = (e / YEAR) ** p
    E = rng.standard_exponential((n, len(CAUSES)))
    with np.errstate(divide="ignore", invalid="ignore"):  # the branch np.where does not take
        latent = YEAR * (g0[:, None] + E / a) ** (1 / p) - e[:, None]
        # employment: H(t) = hr a1 (g(e + t) - g0) up to the window, then a1 (g(e + t) - g(e + w)) more
        cap = hazard_ratio * a[:, 0] * (((e + window) / YEAR) ** p - g0)
        inside = YEAR * (g0 + E[:, 0] / (hazard_ratio * a[:, 0])) ** (1 / p) - e
        after = YEAR * (((e + window) / YEAR) ** p + (E[:, 0] - cap) / a[:, 0]) ** (1 / p) - e
    latent[:, 0] = np.where(E[:, 0] <= cap, inside, after)
    latent = np.maximum(latent, 0.0)
    cause = np.argmin(latent, axis=1)
    return cause, latent[np.arange(n), cause]


def _outcome_codes(process: Process, cause: np.ndarray, health: np.ndarray, age: np.ndarray, u: np.ndarray):
    """Each exit's recorded outcome code within its group, by the shares of ``outcomes`` (as for
    the clients; ``u`` uniform draws)."""
    out = process.params["outcomes"]
    group = np.array(CAUSES)[cause]
    return np.select(
        [group == "employment", group == "activation", group == "retirement"],
        [
            np.where(u < out["subsidised_share"], "employed_subsidised", "employed_open"),
            np.where(
                u < np.where(health, out["work_trial_share"]["health_limitations"], out["work_trial_share"]["others"]),
                "work_trial",
                "rehabilitative_work",
            ),
            "retired",
        ],
        np.where(
            u < np.where(age < 25, out["education_share"]["under_25"], out["education_share"]["others"]),
            "education",
            "other_exit",
        ),
    )


def _beta_binomial(rng: np.random.Generator, spec: dict, n: int) -> np.ndarray:
    return rng.binomial(36, rng.beta(float(spec["a"]), float(spec["b"]), n))


def _draw_population(process: Process, rng: np.random.Generator, u_active: bool) -> dict:
    """Every spell of the comparison population (before selection), in each person's order.

    Returns arrays: ``person`` (index), ``since`` (datetime64[D]), ``latent`` (days to the exit,
    untreated), ``cause``, ``municipality``, ``sex``, ``age``, ``health``, ``education``,
    ``months``, ``u``, ``birth`` (age in years, with fraction, at the first spell)."""
    spec = _comparison(process)
    cov = spec["covariates"]
    n = int(spec["people"])
    first = np.datetime64(spec["inflow_from"])
    last = np.datetime64(process.last_enrolment)
    codes = list(spec["municipalities"])
    municipality = np.array(codes)[rng.choice(len(codes), size=n, p=[float(spec["municipalities"][c]) for c in codes])]
    bands = cov["age_bands"]
    band = rng.choice(len(bands), size=n, p=[b["p"] for b in bands])
    lo = np.array([b["from"] for b in bands])[band]
    hi = np.array([b["to"] for b in bands])[band]
    age0 = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    years0 = age0 + rng.random(n)  # exact age at the first spell: whole years plus the part since the birthday
    sex = np.array(SEXES)[_choice(rng, np.tile([cov["sex"][s] for s in SEXES], (n, 1)))]
    h = cov["health_limitations"]
    health = rng.random(n) < expit(h["intercept"] + h["age_per_10"] * (age0 - 40) / 10)
    edu = process.params["covariates"]["education_level"]
    edu_p = np.array([[edu[g][e] for e in EDUCATION_LEVELS] for g in ("under_25", "others")])
    education = np.array(EDUCATION_LEVELS)[_choice(rng, edu_p[(age0 >= 25).astype(int)])]
    if u_active:
        u = rng.random(n) < float(spec["unobserved"]["prevalence"])
    else:
        u = np.zeros(n, dtype=bool)
    since0 = first + np.floor(rng.random(n) * ((last - first).astype(np.int64) + 1)).astype(np.int64)
    reentry = spec["reentry"]
    end = np.datetime64(process.end)
    active, since = np.arange(n), since0.copy()
    parts = []
    for _ in range(int(reentry["max_spells"])):
        k = active.size
        if k == 0:
            break
        age = np.floor(years0[active] + (since - since0[active]).astype(np.int64) / 365.25).astype(np.int64)
        months = _beta_binomial(rng, cov["months_employed_3y"], k)
        X = comparison_terms(age, health[active], education[active], months)
        cause, latent = _remaining_exits(process, comparison_intensities(process, X, u[active]), np.zeros(k), rng)
        parts.append({"person": active, "since": since, "latent": latent, "cause": cause, "age": age, "months": months})
        exit_date = since + np.ceil(latent).astype(np.int64)
        # a new spell after an exit other than retirement, a gap of at least one day later
        again = (cause != CAUSES.index("retirement")) & (rng.random(k) < float(reentry["share"]))
        gap = 1 + np.floor(rng.standard_exponential(k) * float(reentry["gap_mean_days"])).astype(np.int64)
        nxt = exit_date + gap
        keep = again & (exit_date < end) & (nxt <= last)
        active, since = active[keep], nxt[keep]
    spells = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((spells["since"], spells["person"]))
    spells = {key: value[order] for key, value in spells.items()}
    person = spells["person"]
    spells.update(
        municipality=municipality[person],
        sex=sex[person],
        health=health[person],
        education=education[person],
        u=u[person],
        years0=years0[person],
        since0=since0[person],
    )
    return spells


def _selection_logit(process: Process, X: np.ndarray, elapsed: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``alpha + gamma' x + delta_band(elapsed)`` (+ log odds ratio of U where ``u``)."""
    sel = _comparison(process)["selection"]
    gamma = np.array([float(sel["gamma"][t]) for t in COMPARISON_TERMS])
    delta = np.zeros(elapsed.shape)
    for band in sel["elapsed_bands"]:
        upper = np.inf if band.get("to") is None else band["to"]
        delta = np.where((elapsed >= band["from"]) & (elapsed <= upper), float(band["delta"]), delta)
    odds_u = np.log(float(_comparison(process)["unobserved"]["enrolment_odds_ratio"]))
    return float(sel["alpha"]) + X @ gamma + delta + odds_u * np.asarray(u, dtype=float)


def _spell_exits(process: Process, spells: dict, rows: np.ndarray, rng: np.random.Generator):
    """The recorded exit date and outcome of the spells ``rows`` (censored at the study's end)."""
    exit_date = spells["since"][rows] + np.ceil(spells["latent"][rows]).astype(np.int64)
    end = np.datetime64(process.end)
    code = _outcome_codes(
        process, spells["cause"][rows], spells["health"][rows], spells["age"][rows], rng.random(rows.size)
    )
    observed = exit_date <= end
    return np.where(observed, exit_date, end), np.where(observed, code, "censored")


def _comparison_frame(process: Process, spells: dict, rows: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """The spells ``rows`` as the contract's ``comparison.csv`` holds them (ids ``C00001``...)."""
    exit_date, outcome = _spell_exits(process, spells, rows, rng)
    people, number = np.unique(spells["person"][rows], return_inverse=True)
    width = max(5, len(str(people.size)))
    return pd.DataFrame(
        {
            "person_id": [f"C{i + 1:0{width}d}" for i in number],
            "unemployed_since": spells["since"][rows].astype("datetime64[ns]"),
            "exit_date": exit_date.astype("datetime64[ns]"),
            "outcome": outcome,
            "municipality_code": spells["municipality"][rows],
            "sex": spells["sex"][rows],
            "age_at_spell_start": spells["age"][rows],
            "health_limitations": spells["health"][rows],
            "education_level": spells["education"][rows],
            "months_employed_3y": spells["months"][rows],
        }
    )


def draw_comparison_register(process: Process, rng: np.random.Generator) -> pd.DataFrame:
    """The comparison population's spells without any selection into Kokoomo, as
    ``comparison.csv`` holds them: the default dataset's comparison register, whose people are
    others than its (separately drawn) clients.

    Spells follow ``comparison`` of the process: first spells beginning uniformly over
    ``inflow_from`` .. ``study.last_enrolment``, exits from the cause-specific Weibull hazards on
    the clock of elapsed unemployment (:func:`comparison_intensities`), recorded on their day,
    censored at ``study.end``; re-entries after exits other than retirement."""
    spells = _draw_population(process, rng, u_active=False)
    return _comparison_frame(process, spells, np.arange(spells["since"].size), rng)


def draw_comparison_study(
    process: Process, rng: np.random.Generator, *, variant: str = "observed"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One draw of the comparison study: clients selected out of a population, and the rest.

    The population's spells are drawn as in :func:`draw_comparison_register` (in the variant
    ``unobserved`` each person also has the trait U, raising the employment hazard). On the
    first day of each month from ``study.start`` to ``study.last_enrolment``, each Haapavesi
    person unemployed that day and not yet a client intends to enrol during the month with
    probability ``expit(alpha + gamma' x + delta_band(elapsed))`` (times the odds ratio of U in the
    variant); the enrolment day is uniform over the month's working days
    (:func:`numpy.busday_offset`) and the person enrols if still unemployed that day. From
    enrolment, a client's remaining exits are drawn afresh (the remaining cumulative hazards
    ``H_k(e + t) - H_k(e)``, valid because the hazards are those of a person still unemployed at
    ``e``), the employment hazard multiplied by ``effect.hazard_ratio`` for ``effect.months``.
    A client's spells are none of them in the comparison register (as the contract has it: spells
    of people who were not clients), so a client's earlier spells, before the one they enrolled
    in, are in neither table; the clients table holds the enrolling spell's ``unemployed_since``,
    from which an estimator can use a client's time before enrolment as a comparison.

    Returns
    -------
    clients : DataFrame
        The contract's ``clients.csv`` columns with ``unemployed_since`` and
        ``months_employed_3y`` (ids ``S0001``... in order of enrolment).
    comparison : DataFrame
        The contract's ``comparison.csv``: every spell of the people who never enrolled.
    truth_inputs : DataFrame
        One row per client, what :func:`true_att` needs: ``client_id``, ``age_at_spell_start``,
        ``health_limitations``, ``education_level``, ``months_employed_3y``, ``elapsed_days``
        (at enrolment) and ``u`` (the trait; all false in the variant ``observed``).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    spells = _draw_population(process, rng, u_active=variant == "unobserved")
    n_spells = spells["since"].size
    X = comparison_terms(spells["age"], spells["health"], spells["education"], spells["months"])
    exit_date = spells["since"] + np.ceil(spells["latent"]).astype(np.int64)
    pool = np.flatnonzero(spells["municipality"] == HAAPAVESI)
    client_of = np.zeros(int(spells["person"].max(initial=-1)) + 1, dtype=bool)
    enrolled = np.full(n_spells, np.datetime64("NaT"), dtype="datetime64[D]")
    months = np.arange(np.datetime64(process.start, "M"), np.datetime64(process.last_enrolment, "M") + 1)
    for month in months:
        first_day = np.maximum(month.astype("datetime64[D]"), np.datetime64(process.start))
        month_end = np.minimum((month + 1).astype("datetime64[D]"), np.datetime64(process.last_enrolment) + 1)
        working = np.busday_count(first_day, month_end)
        elapsed = (first_day - spells["since"][pool]).astype(np.int64)
        p = expit(_selection_logit(process, X[pool], elapsed, spells["u"][pool]))
        intends = rng.random(pool.size) < p
        day = np.busday_offset(first_day, np.floor(rng.random(pool.size) * working).astype(np.int64), roll="forward")
        unemployed = (elapsed >= 0) & (first_day < exit_date[pool])
        enrols = unemployed & intends & (day < exit_date[pool]) & ~client_of[spells["person"][pool]]
        enrolled[pool[enrols]] = day[enrols]
        client_of[spells["person"][pool[enrols]]] = True
    rows = np.flatnonzero(~np.isnat(enrolled))
    rows = rows[np.argsort(enrolled[rows], kind="stable")]
    comparison = _comparison_frame(process, spells, np.flatnonzero(~client_of[spells["person"]]), rng)
    day = enrolled[rows]
    e = (day - spells["since"][rows]).astype(np.int64)
    a = comparison_intensities(process, X[rows], spells["u"][rows])
    hazard_ratio, window = _effect(process)
    cause, latent = _remaining_exits(process, a, e, rng, hazard_ratio, window)
    exit_client = day + np.ceil(latent).astype(np.int64)
    end = np.datetime64(process.end)
    code = _outcome_codes(process, cause, spells["health"][rows], spells["age"][rows], rng.random(rows.size))
    observed = exit_client <= end
    width = max(4, len(str(rows.size)))
    ids = [f"S{i:0{width}d}" for i in range(1, rows.size + 1)]
    age_at_entry = np.floor(spells["years0"][rows] + (day - spells["since0"][rows]).astype(np.int64) / 365.25)
    clients = pd.DataFrame(
        {
            "client_id": ids,
            "enrolled": day.astype("datetime64[ns]"),
            "exit_date": np.where(observed, exit_client, end).astype("datetime64[ns]"),
            "outcome": np.where(observed, code, "censored"),
            "age_at_entry": age_at_entry.astype(np.int64),
            "sex": spells["sex"][rows],
            "long_term_unemployed": e >= 365,
            "health_limitations": spells["health"][rows],
            "education_level": spells["education"][rows],
            "unemployed_since": spells["since"][rows].astype("datetime64[ns]"),
            "months_employed_3y": spells["months"][rows],
        }
    )
    truth_inputs = pd.DataFrame(
        {
            "client_id": ids,
            "age_at_spell_start": spells["age"][rows],
            "health_limitations": spells["health"][rows],
            "education_level": spells["education"][rows],
            "months_employed_3y": spells["months"][rows],
            "elapsed_days": e,
            "u": spells["u"][rows],
        }
    )
    return clients, comparison, truth_inputs


def draw_client_history(process: Process, clients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``unemployed_since`` and ``months_employed_3y`` for clients drawn without them (the
    default dataset's): the elapsed unemployment at enrolment is uniform over 0..364 days for a
    client not long-term unemployed and 365 + an exponential (mean
    ``comparison.default_clients.long_term_extra_mean_days``) for one who is, rounded down to a
    day; the months from ``comparison.covariates.months_employed_3y``."""
    spec = _comparison(process)
    n = len(clients)
    ltu = clients["long_term_unemployed"].to_numpy(dtype=bool)
    short = np.floor(rng.random(n) * 365).astype(np.int64)
    extra = float(spec["default_clients"]["long_term_extra_mean_days"])
    long = 365 + np.floor(rng.standard_exponential(n) * extra).astype(np.int64)
    enrolled = clients["enrolled"].to_numpy().astype("datetime64[D]")
    since = enrolled - np.where(ltu, long, short)
    return pd.DataFrame(
        {
            "unemployed_since": since.astype("datetime64[ns]"),
            "months_employed_3y": _beta_binomial(rng, spec["covariates"]["months_employed_3y"], n),
        },
        index=clients.index,
    )


def _integrate_cif(
    a: np.ndarray, elapsed: np.ndarray, horizons: np.ndarray, shape: float, hazard_ratio: float, window: float
) -> np.ndarray:
    """P(employment within h days of enrolment | still unemployed at elapsed e), rows × horizons,
    by numerical integration of ``hr(s) h_1(e + s) S(s)`` over ``s`` in ``[0, h]``.

    ``S(s) = exp(-sum_k [H_k(e + s) - H_k(e)] - (hr - 1) [H_1(e + min(s, w)) - H_1(e)])`` and
    ``h_1`` is the employment hazard, ``hr`` the effect's ratio for ``s <= w``.  The integral is
    taken in ``tau = s^shape`` when ``shape < 1`` (``s = tau^(1 / shape)``), which removes the
    integrable singularity of the Weibull hazard at ``e + s = 0``, and in ``s`` otherwise, with
    :func:`scipy.integrate.quad_vec` (adaptive Gauss–Kronrod, all rows at once, absolute and
    relative tolerance 1e-12) on the pieces between the window's end and the horizons."""
    from scipy.integrate import quad_vec

    p = shape
    q = min(p, 1.0)  # the variable of integration is tau = s^q
    e = np.asarray(elapsed, dtype=float)
    g0 = (e / YEAR) ** p
    total = a.sum(axis=1)

    def integrand(tau):
        s = tau ** (1 / q)
        g = ((e + s) / YEAR) ** p
        gw = ((e + min(s, window)) / YEAR) ** p
        cumulative = total * (g - g0) + (hazard_ratio - 1) * a[:, 0] * (gw - g0)
        hr = hazard_ratio if s <= window else 1.0
        # h_1(e + s) ds/dtau = a_1 p / 365 ((e + s) / 365)^(p - 1) (1 / q) tau^(1 / q - 1)
        if tau > 0:
            hazard = a[:, 0] * p / YEAR * ((e + s) / YEAR) ** (p - 1) * (1 / q) * tau ** (1 / q - 1)
        elif q < 1:
            # tau = 0 with q = p < 1: the limit is a_1 / 365^p where e = 0, and 0 where e > 0
            hazard = np.where(e > 0, 0.0, a[:, 0] / YEAR**p)
        else:
            with np.errstate(divide="ignore"):
                hazard = a[:, 0] * p / YEAR * (e / YEAR) ** (p - 1)
        return hr * hazard * np.exp(-cumulative)

    horizons = np.asarray(horizons, dtype=float)
    cuts = np.unique(np.concatenate([[0.0], horizons, [window] if window < horizons.max() else []]))
    pieces = [np.zeros(e.size)]
    for lo, hi in zip(cuts[:-1], cuts[1:]):
        value, _ = quad_vec(integrand, lo**q, hi**q, epsabs=1e-12, epsrel=1e-12, norm="max", limit=20000)
        pieces.append(value)
    cumulative = np.cumsum(pieces, axis=0)
    return cumulative[np.searchsorted(cuts, horizons)].T


def true_att(process: Process, clients: pd.DataFrame, horizons) -> pd.DataFrame:
    """The truth of the comparison study: the sample average effect on the treated.

    For each client, with covariates ``x``, elapsed unemployment ``e`` at enrolment (and the
    trait U in the variant ``unobserved``), the cumulative incidence of employment ``h`` days
    after enrolment with Kokoomo's effect (employment hazard times ``effect.hazard_ratio`` for
    ``effect.months``) and without it, both from the remaining cause-specific hazards
    ``H_k(e + t) - H_k(e)`` in competition with the other exits (no censoring), by numerical
    integration (:func:`_integrate_cif`, accurate to better than 1e-8); then averaged over the
    clients. This is the sample ATT on these clients, conditional on their ``x`` and ``e``
    (not the population ATT, which would average over the selection's distribution of them).

    Parameters
    ----------
    process : Process
    clients : DataFrame
        One row per client: ``age_at_spell_start``, ``health_limitations``, ``education_level``,
        ``months_employed_3y``, ``elapsed_days`` and optionally ``u`` (the third frame of
        :func:`draw_comparison_study`).
    horizons : sequence of days after enrolment.

    Returns
    -------
    DataFrame, one row per horizon: ``horizon_days``, ``treated`` and ``untreated`` (mean
    cumulative incidence of employment), ``att`` (their difference), ``risk_ratio`` (treated
    over untreated: the ratio of the means) and ``clients``.

    References
    ----------
    Kalbfleisch, J. D. and Prentice, R. L. (2002). *The Statistical Analysis of Failure Time
    Data*, 2nd ed., Wiley, section 8.2 (the cumulative incidence from cause-specific hazards).
    """
    horizons = np.asarray(horizons, dtype=float)
    if horizons.size == 0 or np.any(horizons <= 0):
        raise ValueError("horizons must be positive days after enrolment")
    X = comparison_terms(
        clients["age_at_spell_start"],
        clients["health_limitations"].astype(bool),
        clients["education_level"],
        clients["months_employed_3y"],
    )
    u = clients["u"].astype(bool).to_numpy() if "u" in clients else None
    a = comparison_intensities(process, X, u)
    e = clients["elapsed_days"].to_numpy(dtype=float)
    hazard_ratio, window = _effect(process)
    if len(clients) == 0:
        treated = untreated = np.full(horizons.size, np.nan)
    else:
        treated = _integrate_cif(a, e, horizons, process.shape, hazard_ratio, window).mean(axis=0)
        untreated = _integrate_cif(a, e, horizons, process.shape, 1.0, window).mean(axis=0)
    return pd.DataFrame(
        {
            "horizon_days": horizons,
            "treated": treated,
            "untreated": untreated,
            "att": treated - untreated,
            "risk_ratio": treated / untreated,
            "clients": len(clients),
        }
    )


__all__ = [
    "CAUSES",
    "COMPARISON_COLUMNS",
    "COMPARISON_TERMS",
    "PROCESS",
    "Process",
    "ProcessError",
    "analysis_frame",
    "calibrate",
    "comparison_intensities",
    "comparison_terms",
    "covariate_cells",
    "draw_client_history",
    "draw_clients",
    "draw_comparison_register",
    "draw_comparison_study",
    "draw_placements",
    "draw_register",
    "enrolment_days",
    "expected_shares",
    "link_placements",
    "load_process",
    "placement_count",
    "true_att",
    "truth",
]

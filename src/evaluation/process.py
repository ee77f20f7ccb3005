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
"""

from __future__ import annotations

import datetime as dt
import itertools
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


__all__ = [
    "CAUSES",
    "PROCESS",
    "Process",
    "ProcessError",
    "analysis_frame",
    "calibrate",
    "covariate_cells",
    "draw_clients",
    "draw_placements",
    "draw_register",
    "enrolment_days",
    "expected_shares",
    "link_placements",
    "load_process",
    "placement_count",
    "truth",
]

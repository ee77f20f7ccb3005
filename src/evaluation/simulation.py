"""Do the intervals cover the truth?  A Monte Carlo study on registers drawn from the stated process.

``python -m evaluation simulate --reps R --clients N`` draws ``R`` registers of ``N`` clients from
the process (:mod:`evaluation.process`, unconditionally), runs the estimators the notebooks use on
each (not the notebooks), and tabulates, for every quantity, the truth computed from the process'
parameters, the mean estimate, the bias, the empirical standard error (SD of the estimates), the
mean estimated standard error, and the coverage of the nominal intervals with its Monte Carlo
error ``sqrt(c (1 − c) / R)``.  Tests under a null design (sex has no effect in the process) give
their rejection rate instead.  A coverage is flagged when it lies outside the Monte Carlo band
``level ± 1.96 sqrt(level (1 − level) / R)`` around the nominal level.

Replication ``r`` uses ``numpy.random.default_rng([seed, r])``, so a replication gives the same
numbers wherever it runs (local processes or a Dask cluster) and the table does not depend on
the number of workers.
"""

from __future__ import annotations

import json
import math
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .files import staged_folder
from .parallel import run_tasks
from .paths import ROOT
from .process import CAUSES, Process, analysis_frame, draw_register, load_process, truth
from .sectors import newcombe_difference, wilson_interval
from .survival import (
    cause_specific_cox,
    competing_risks_data,
    cumulative_incidence,
    fine_gray,
    gray_test,
    kaplan_meier,
    logrank_test,
    restricted_mean,
    value_at,
)

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["study", "write_study"]

HORIZONS = (180, 365, 730)
#: Replications given to one task (a worker process or a Dask task).
CHUNK = 25
OUTPUT_FILES = ("coverage.csv", "coverage.md", "replications.csv.gz", "study.json")


def _interval(quantity: str, estimate, se, lower, upper) -> dict:
    return {
        "quantity": quantity,
        "kind": "interval",
        "estimate": estimate,
        "se": se,
        "lower": lower,
        "upper": upper,
        "reject": None,
    }


def estimates(clients: pd.DataFrame, placements: pd.DataFrame, alpha: float = 0.05, horizons=HORIZONS) -> list[dict]:
    """Every estimate of the study on one register, one row each: ``quantity``, ``kind``
    (``interval`` or ``test``), ``estimate``, ``se``, ``lower``, ``upper``, ``reject`` (tests).

    The same functions and intervals as the notebooks: Aalen–Johansen with Gray's variance and the
    log(−log) interval; Kaplan–Meier of the time to any exit (Greenwood, log(−log)); its restricted
    mean (``survfit``'s variance, Wald interval); the cause-specific Cox model of employment
    (Efron, Wald) and the Fine–Gray model (``crr``'s sandwich, Wald), on every covariate; Wilson
    per sector and Newcombe's difference, company minus association; Gray's and the log-rank test
    of sex (F against M), which has no effect in the process.  A quantity the register cannot
    estimate (a horizon beyond follow-up, a model that does not fit) is left out of that
    replication's rows."""
    frame = analysis_frame(clients)
    time_, event = competing_risks_data(frame)
    z = float(_norm_quantile(1 - alpha / 2))
    rows = []
    cif = cumulative_incidence(time_, event, alpha)
    km = kaplan_meier(time_, event > 0, alpha)
    for h in horizons:
        if h > time_.max():
            continue
        for cause in CAUSES:
            v = value_at(cif.loc[cif["cause"] == cause], h, ("cif", "variance", "lower", "upper"))
            se = math.sqrt(v["variance"]) if v["variance"] is not None else 0.0
            rows.append(_interval(f"cif.{cause}.{h}d", v["cif"], se, v["lower"], v["upper"]))
        v = value_at(km, h, ("survival", "std_err", "lower", "upper"))
        rows.append(
            _interval(
                f"no_exit.{h}d",
                v["survival"],
                v["std_err"] or 0.0,
                v["lower"] if v["lower"] is not None else v["survival"],
                v["upper"] if v["upper"] is not None else v["survival"],
            )
        )
        r = restricted_mean(time_, event > 0, h)
        rows.append(_interval(f"rmst.{h}d", r["rmean"], r["se"], r["rmean"] - z * r["se"], r["rmean"] + z * r["se"]))
    for name, model in (("cox", cause_specific_cox), ("finegray", fine_gray)):
        result = model(frame, alpha=alpha)
        if result.ok:
            for covariate, row in result.table.iterrows():
                rows.append(
                    _interval(
                        f"{name}.employment.{covariate}",
                        row["coef"],
                        row["se"],
                        row["coef"] - z * row["se"],
                        row["coef"] + z * row["se"],
                    )
                )
    counts = {}
    for sector in ("company", "association"):
        continued = placements.loc[placements["sector"] == sector, "continued"].astype(bool)
        counts[sector] = (int(continued.sum()), int(continued.size))
        if continued.size:
            est = wilson_interval(*counts[sector], alpha)
            p = est.estimate
            rows.append(
                _interval(f"continuation.{sector}", p, math.sqrt(p * (1 - p) / continued.size), est.lower, est.upper)
            )
    (k1, n1), (k2, n2) = counts["company"], counts["association"]
    if n1 and n2:
        est = newcombe_difference(k1, n1, k2, n2, alpha)
        se = math.sqrt(k1 / n1 * (1 - k1 / n1) / n1 + k2 / n2 * (1 - k2 / n2) / n2)
        rows.append(_interval("continuation.company_minus_association", est.estimate, se, est.lower, est.upper))
    two_sexes = frame.loc[frame["sex"].isin(["F", "M"])]
    for name, test in (("gray", gray_test), ("logrank", logrank_test)):
        result = test(two_sexes, "sex")
        if result.p is not None:
            rows.append(
                {
                    "quantity": f"{name}.employment.sex (null)",
                    "kind": "test",
                    "estimate": result.p,
                    "se": None,
                    "lower": None,
                    "upper": None,
                    "reject": result.p < alpha,
                }
            )
    return rows


def _norm_quantile(q: float) -> float:
    from scipy import stats

    return stats.norm.ppf(q)


def replicate(process: Process, n: int, seed: int, reps: list[int], alpha: float) -> list[dict]:
    """The rows of :func:`estimates` for each replication in ``reps`` (with ``rep``)."""
    out = []
    for rep in reps:
        rng = np.random.default_rng([seed, rep])
        clients, placements = draw_register(process, n, rng)
        # a replication's warnings (a model that converges slowly, a test with a sparse group) are
        # not printed a thousand times: a quantity it cannot estimate is missing from its rows
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = estimates(clients, placements, alpha)
        out.extend({"rep": rep, **row} for row in rows)
    return out


def true_values(process: Process, alpha: float, horizons=HORIZONS) -> dict[str, float]:
    """The truth of every quantity of :func:`estimates` (NaN where the process defines none: the
    Fine–Gray coefficients of a cause-specific process, the Cox coefficients of a Fine–Gray one)."""
    t = truth(process, list(horizons))
    values = {}
    for i, h in enumerate(horizons):
        for cause in CAUSES:
            values[f"cif.{cause}.{h}d"] = float(t["cif"][cause][i])
        values[f"no_exit.{h}d"] = float(t["no_exit"][i])
        values[f"rmst.{h}d"] = float(t["rmst"][i])
    for model, coefficients in t["coefficients"].items():
        for column, beta in coefficients.items():
            values[f"{model}.employment.{column}"] = float(beta)
    for sector in ("company", "association"):
        values[f"continuation.{sector}"] = t["continuation"][sector]
    values["continuation.company_minus_association"] = t["continuation_difference"]
    for name in ("gray", "logrank"):
        values[f"{name}.employment.sex (null)"] = alpha  # the rejection rate a valid test has
    return values


def coverage_table(rows: pd.DataFrame, truths: dict[str, float], alpha: float = 0.05) -> pd.DataFrame:
    """One row per quantity: ``truth``, ``replications`` (where it was estimable), ``mean``,
    ``bias``, ``empirical_se``, ``mean_se``, ``coverage`` (of the intervals; for a test its
    rejection rate), ``mc_error``, and ``verdict``: ``ok`` inside the Monte Carlo band around the
    nominal level (``1 − alpha``; for a test ``alpha``), ``under`` / ``over`` outside it, ``no
    truth`` where the process defines none."""
    out = []
    for quantity, group in rows.groupby("quantity", sort=False):
        kind = group["kind"].iloc[0]
        r = len(group)
        true = truths.get(quantity, float("nan"))
        est = group["estimate"].astype(float)
        row = {"quantity": quantity, "kind": kind, "truth": true, "replications": r}
        if kind == "test":
            rate = float(group["reject"].astype(bool).mean())
            nominal = alpha
            row.update(mean=np.nan, bias=np.nan, empirical_se=np.nan, mean_se=np.nan, coverage=rate)
        else:
            nominal = 1 - alpha
            covered = (group["lower"].astype(float) <= true) & (true <= group["upper"].astype(float))
            row.update(
                mean=float(est.mean()),
                bias=float(est.mean() - true),
                empirical_se=float(est.std(ddof=1)),
                mean_se=float(group["se"].astype(float).mean()),
                coverage=float(covered.mean()) if not math.isnan(true) else np.nan,
            )
        c = row["coverage"]
        row["mc_error"] = math.sqrt(c * (1 - c) / r) if not math.isnan(c) else np.nan
        half = 1.959963984540054 * math.sqrt(nominal * (1 - nominal) / r)
        if math.isnan(c):
            row["verdict"] = "no truth"
        elif kind == "test":
            row["verdict"] = "ok" if abs(c - nominal) <= half else ("over" if c > nominal else "under")
            row["verdict"] = {"over": "too many rejections", "under": "conservative"}.get(row["verdict"], "ok")
        else:
            row["verdict"] = "ok" if abs(c - nominal) <= half else ("over" if c > nominal else "under")
        out.append(row)
    return pd.DataFrame(out).set_index("quantity")


def study(
    reps: int,
    clients: int,
    *,
    process: Process | None = None,
    seed: int = 2024,
    alpha: float = 0.05,
    workers: int = 1,
    scheduler: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Run the study: ``(coverage table, all replication rows, facts)``; ``facts`` has the
    machine, the time taken and the settings."""
    if reps < 2 or clients < 20:
        raise ValueError("simulate needs --reps of at least 2 and --clients of at least 20")
    process = process or load_process()
    started = time.perf_counter()
    chunks = [list(range(i, min(i + CHUNK, reps))) for i in range(0, reps, CHUNK)]
    rows = []
    for part in run_tasks(replicate, [(process, clients, seed, chunk, alpha) for chunk in chunks], workers, scheduler):
        rows.extend(part)
    table = pd.DataFrame(rows).sort_values(["rep"], kind="stable").reset_index(drop=True)
    coverage = coverage_table(table, true_values(process, alpha), alpha)
    source = Path(process.source).resolve()
    shown = source.relative_to(ROOT).as_posix() if source.is_relative_to(ROOT) else str(source)
    facts = {
        "replications": reps,
        "clients": clients,
        "seed": seed,
        "alpha": alpha,
        "process": shown,
        "design": process.design,
        "workers": workers if not scheduler else f"Dask scheduler {scheduler}",
        "seconds": round(time.perf_counter() - started, 1),
        "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
    }
    return coverage, table, facts


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def markdown(coverage: pd.DataFrame, facts: dict) -> str:
    """The coverage table as Markdown with how it was made."""
    level = round(100 * (1 - facts["alpha"]))
    lines = [
        f"# Coverage of the {level} % intervals: {facts['replications']:,} registers of {facts['clients']:,} clients",
        "",
        f"Drawn from `{facts['process']}` ({facts.get('design', 'cause_specific')} design, seed "
        f"{facts['seed']}); made by `python -m evaluation simulate --reps {facts['replications']} --clients "
        f"{facts['clients']} --process {facts['process']}` in {facts['seconds']} s "
        f"({facts['workers']} workers; {facts['machine']}).",
        "",
        "Coverage: share of intervals containing the truth computed from the process; for a test under the "
        "null, its rejection rate (nominal "
        f"{facts['alpha']:g}). MC error = sqrt(c (1 − c) / R). Verdict: outside the Monte Carlo band "
        "(nominal ± 1.96 MC error of the nominal level) the intervals cover too little (`under`) or too much "
        "(`over`); `no truth`: the process defines none (the Fine–Gray coefficients of a cause-specific process, "
        "the Cox coefficients of a Fine–Gray one: their empirical and estimated standard errors are still "
        "compared). Each verdict is one quantity's: with about forty quantities in a table, one or two fall "
        "outside their band by chance alone.",
        "",
        "| quantity | truth | R | mean | bias | empirical SE | mean SE | coverage | MC error | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for quantity, r in coverage.iterrows():

        def f(x, d=4):
            return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{d}f}"

        lines.append(
            f"| {quantity} | {f(r['truth'])} | {r['replications']} | {f(r['mean'])} | {f(r['bias'])} | "
            f"{f(r['empirical_se'])} | {f(r['mean_se'])} | {f(r['coverage'], 3)} | {f(r['mc_error'], 3)} | "
            f"{r['verdict']} |"
        )
    return "\n".join(lines) + "\n"


def _ours(folder: Path) -> bool:
    return folder.is_dir() and all(p.name in OUTPUT_FILES for p in folder.iterdir())


def write_study(out: str | Path, coverage: pd.DataFrame, rows: pd.DataFrame, facts: dict) -> Path:
    """Write ``coverage.csv``, ``coverage.md``, ``replications.csv.gz`` and ``study.json`` (how it
    was made, with the process' design) into ``out``, whole or not at all; an existing ``out`` is
    replaced only if it holds nothing but these files."""
    out = Path(out)
    with staged_folder(out, _ours, "a simulation study's folder") as tmp:
        coverage.to_csv(tmp / "coverage.csv", float_format="%.6g", lineterminator="\n")
        (tmp / "coverage.md").write_text(markdown(coverage, facts), encoding="utf-8")
        rows.to_csv(
            tmp / "replications.csv.gz",
            index=False,
            float_format="%.8g",
            compression={"method": "gzip", "mtime": 0},
            lineterminator="\n",
        )
        (tmp / "study.json").write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    return out

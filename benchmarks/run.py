"""Speed of the survival estimators against lifelines, scikit-survival and R, in one run.

    python benchmarks/run.py [--clients 100000 1000000] [--repeat 3] [--no-r]

Makes synthetic registers with `evaluation.synthetic` (exits by week: ~160 distinct times per
year, heavy ties), then times each implementation on the same data, in-process (R's timing is
R's own ``system.time`` inside one Rscript call, so R start-up is not counted).  Prints a table
and writes ``benchmarks/results.json``.  Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from evaluation.survival import EVENT_CODES, cumulative_incidence, kaplan_meier
from evaluation.synthetic import synthesize

HERE = Path(__file__).parent

R_SCRIPT = r"""
suppressMessages({library(survival); library(cmprsk)})
d <- read.csv(commandArgs(TRUE)[1])
best <- function(expr, k) min(replicate(k, system.time(eval(expr))[["elapsed"]]))
k <- as.integer(commandArgs(TRUE)[2])
cat(sprintf("cuminc %.6f\n", best(quote(cuminc(d$time, d$event, cencode = 0)), k)))
cat(sprintf("survfit_aj %.6f\n", best(quote(survfit(Surv(time, factor(event)) ~ 1, data = d)), k)))
cat(sprintf("survfit_km %.6f\n", best(quote(survfit(Surv(time, event == 1) ~ 1, data = d)), k)))
"""


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(n: int, repeat: int, with_r: bool) -> dict:
    clients = synthesize(seed=7, n_clients=n)["clients"]
    days = (clients["exit_date"] - clients["enrolled"]).dt.days.to_numpy()
    groups = {"employed_open": 1, "employed_subsidised": 1, "work_trial": 2, "rehabilitative_work": 2,
              "retired": 3, "education": 4, "other_exit": 4, "censored": 0}
    event = clients["outcome"].map(groups).to_numpy()
    out = {"clients": n, "distinct_times": int(np.unique(days).size), "seconds": {}}
    s = out["seconds"]
    s["ours: cumulative incidence, all causes, with CIs"] = best_of(lambda: cumulative_incidence(days, event), repeat)
    s["ours: Kaplan-Meier with CIs"] = best_of(lambda: kaplan_meier(days, event == 1), repeat)

    from sksurv.nonparametric import cumulative_incidence_competing_risks, kaplan_meier_estimator
    s["scikit-survival: cumulative incidence, with CIs"] = best_of(
        lambda: cumulative_incidence_competing_risks(event, days, conf_type="log-log"), repeat)
    s["scikit-survival: Kaplan-Meier with CIs"] = best_of(
        lambda: kaplan_meier_estimator(event == 1, days, conf_type="log-log"), repeat)

    from lifelines import AalenJohansenFitter, KaplanMeierFitter

    def lifelines_aj():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for code in EVENT_CODES.values():
                if code:
                    AalenJohansenFitter(calculate_variance=True, seed=1).fit(days, event, event_of_interest=code)

    s["lifelines: cumulative incidence, all causes (tie jitter)"] = best_of(lifelines_aj, repeat)
    s["lifelines: Kaplan-Meier"] = best_of(lambda: KaplanMeierFitter().fit(days, event == 1), repeat)

    if with_r and shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "d.csv"
            data.write_text("time,event\n" + "\n".join(f"{t},{e}" for t, e in zip(days, event)) + "\n")
            script = Path(tmp) / "bench.R"
            script.write_text(R_SCRIPT)
            done = subprocess.run(["Rscript", str(script), str(data), str(repeat)], capture_output=True,
                                  text=True, check=True)
            r = dict(line.split() for line in done.stdout.strip().splitlines())
        s["R cmprsk::cuminc (no CIs)"] = float(r["cuminc"])
        s["R survfit Aalen-Johansen, with CIs"] = float(r["survfit_aj"])
        s["R survfit Kaplan-Meier, with CIs"] = float(r["survfit_km"])
    ours = s["ours: cumulative incidence, all causes, with CIs"]
    out["ratio_to_ours_cif"] = {k: v / ours for k, v in s.items() if "cumulative" in k or "cuminc" in k
                                or "Aalen" in k}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", nargs="+", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    results = [measure(n, args.repeat, not args.no_r) for n in args.clients]
    for res in results:
        print(f"\n{res['clients']:,} clients, {res['distinct_times']} distinct exit times (best of {args.repeat})")
        for name, sec in res["seconds"].items():
            ratio = res["ratio_to_ours_cif"].get(name)
            print(f"  {name:<58} {sec:9.3f} s" + (f"   x{ratio:.1f} ours" if ratio else ""))
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()

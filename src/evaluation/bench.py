"""Register-scale benchmark: this project's estimators beside lifelines, scikit-survival and R.

    python -m evaluation bench [--clients 10000 100000 1000000] [--repeat 5]
                               [--out benchmarks/RESULTS.md] [--json FILE] [--no-r] [--profile DIR]

For each size a synthetic register (``evaluation.synthetic``: exits recorded by week, so many
tied times) is written once as CSV and as typed Parquet.  Every measurement then runs in a fresh
Python process, so its peak memory is its own: the process loads the prepared data (not timed),
runs the task ``--repeat`` times and reports the median seconds and the peak resident memory
(``VmHWM``: interpreter, libraries, data and the task; for the notebook and the reproduction,
the largest process of the run, i.e. the kernel or the runner).  Where another library computes the
same estimate, the largest absolute difference from ours is reported beside its time.

R (survival, cmprsk), when ``Rscript`` is on PATH, is timed by R's own ``system.time`` in one
``Rscript`` call per size (R's start-up and CSV reading are not counted); R's rows appear in the
printed table and RESULTS.md, not in the JSON records (whose ``impl`` is one of ``evaluation``,
``lifelines``, ``sksurv``).  Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np

from .paths import DEFAULT_DATASET, ROOT

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["main"]

TASKS = ("load", "cif", "km", "logrank", "gray", "cox", "finegray", "notebook", "reproduce")
IMPLS = ("evaluation", "lifelines", "sksurv")
COVARIATES = ["age_at_entry", "sex", "long_term_unemployed", "health_limitations", "education_level"]
GROUPING = "long_term_unemployed"
TARGETS = {  # (task, size): seconds on the 2-core machine of issue 8
    ("cif", 1_000_000): 0.5,
    ("km", 1_000_000): 0.1,
    ("load", 1_000_000): 5.0,
    ("notebook", 1_000_000): 120.0,  # each notebook ("reproduce", 150): 20.0,
}
#: Notebooks timed whole on every register size (each in its own ``run --only``).
NOTEBOOKS = ("02_time_to_employment", "03_sector_outcomes")
R_SCRIPT = ROOT / "benchmarks" / "bench.R"


# ----------------------------------------------------------------------------- the child side
def _peak_mb(children: bool = False) -> float:
    """Peak resident memory in MB: this process's own (``VmHWM``, which starts afresh at exec),
    or the largest waited-for descendant's (``RUSAGE_CHILDREN``).  ``ru_maxrss`` of a process
    started with vfork/exec carries its parent's high-water mark, so the benchmark keeps its
    parent process small (the registers are prepared in a child)."""
    if children:
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    with open("/proc/self/status") as handle:
        return int(next(line for line in handle if line.startswith("VmHWM")).split()[1]) / 1024


def _median_seconds(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _step_at(times: np.ndarray, values: np.ndarray, at: np.ndarray, before: float) -> np.ndarray:
    """A right-continuous step function (value ``before`` before the first time) read at ``at``."""
    i = np.searchsorted(times, at, side="right") - 1
    return np.where(i >= 0, values[np.clip(i, 0, None)], before)


class _Register:
    """The prepared register as each task needs it (loaded once per child process)."""

    def __init__(self, work: Path):
        from . import survival as sv

        with open(work / "clients.pkl", "rb") as handle:
            self.clients = pickle.load(handle)
        self.time, self.event = sv.competing_risks_data(self.clients)
        self.employed = self.event == sv.EVENT_CODES["employment"]
        self.causes = {name: code for name, code in sv.EVENT_CODES.items() if code}

    def ours_cif(self, ours, code):
        name = next(n for n, c in self.causes.items() if c == code)
        rows = ours[ours["cause"] == name]
        return rows["time"].to_numpy(float), rows["cif"].to_numpy()


def _cif_ours(r):
    from .survival import cumulative_incidence

    return (lambda: cumulative_incidence(r.time, r.event)), None


def _cif_sksurv(r):
    from sksurv.nonparametric import cumulative_incidence_competing_risks

    from .survival import cumulative_incidence

    ours = cumulative_incidence(r.time, r.event)

    def diff(res):
        x, cif = res[0], res[1]
        return max(float(np.abs(_step_at(*r.ours_cif(ours, c), x, 0.0) - cif[c]).max()) for c in r.causes.values())

    return (lambda: cumulative_incidence_competing_risks(r.event, r.time, conf_type="log-log")), diff


def _cif_lifelines(r):
    from lifelines import AalenJohansenFitter

    from .survival import cumulative_incidence

    ours = cumulative_incidence(r.time, r.event)

    def fit_all():
        with warnings.catch_warnings():  # its tie warning is the difference this row reports
            warnings.filterwarnings("ignore", message=".*[Tt]ied.*")
            return {
                c: AalenJohansenFitter(calculate_variance=True, seed=1).fit(r.time, r.event, event_of_interest=c)
                for c in r.causes.values()
            }

    def diff(res):
        worst = 0.0
        for c, fit in res.items():
            t, f = r.ours_cif(ours, c)
            curve = fit.cumulative_density_.iloc[:, 0]
            theirs = _step_at(curve.index.to_numpy(float), curve.to_numpy(), t, 0.0)
            worst = max(worst, float(np.abs(theirs - f).max()))
        return worst

    return fit_all, diff


def _km_ours(r):
    from .survival import kaplan_meier

    return (lambda: kaplan_meier(r.time, r.employed)), None


def _km_sksurv(r):
    from sksurv.nonparametric import kaplan_meier_estimator

    from .survival import kaplan_meier

    ours = kaplan_meier(r.time, r.employed)
    return (lambda: kaplan_meier_estimator(r.employed, r.time, conf_type="log-log")), (
        lambda res: float(
            np.abs(_step_at(ours["time"].to_numpy(float), ours["survival"].to_numpy(), res[0], 1.0) - res[1]).max()
        )
    )


def _km_lifelines(r):
    from lifelines import KaplanMeierFitter

    from .survival import kaplan_meier

    ours = kaplan_meier(r.time, r.employed)

    def diff(fit):
        curve = fit.survival_function_.iloc[:, 0]
        theirs = _step_at(curve.index.to_numpy(float), curve.to_numpy(), ours["time"].to_numpy(float), 1.0)
        return float(np.abs(theirs - ours["survival"].to_numpy()).max())

    return (lambda: KaplanMeierFitter().fit(r.time, r.employed)), diff


def _logrank_ours(r):
    from .survival import logrank_test

    return (lambda: logrank_test(r.clients, GROUPING)), None


def _logrank_sksurv(r):
    from sksurv.compare import compare_survival
    from sksurv.util import Surv

    from .survival import logrank_test

    ours = logrank_test(r.clients, GROUPING)
    y = Surv.from_arrays(r.employed, r.time)
    groups = r.clients[GROUPING].astype(str).to_numpy()
    return (lambda: compare_survival(y, groups)), (lambda res: abs(float(res[0]) - ours.statistic))


def _gray_ours(r):
    from .survival import gray_test

    return (lambda: gray_test(r.clients, GROUPING)), None


def _cox_ours(r):
    from .survival import cause_specific_cox

    return (lambda: cause_specific_cox(r.clients, COVARIATES)), None


def _cox_lifelines(r):
    from lifelines import CoxPHFitter

    from .survival import cause_specific_cox, design_matrix

    X, _ = design_matrix(r.clients, COVARIATES)
    coef = cause_specific_cox(r.clients, COVARIATES).table["coef"].to_numpy()
    frame = X.assign(_time=r.time, _event=r.employed.astype(int))
    # converged as ours is (lifelines' default stops at a step of 1e-7 in the log-likelihood's
    # terms, up to 3e-5 away in a coefficient): the comparison is of the estimates, not the stopping rule
    return (lambda: CoxPHFitter().fit(frame, "_time", "_event", fit_options={"precision": 1e-10})), (
        lambda fit: float(np.abs(fit.params_.to_numpy() - coef).max())
    )


def _cox_sksurv(r):
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.util import Surv

    from .survival import cause_specific_cox, design_matrix

    X, _ = design_matrix(r.clients, COVARIATES)
    coef = cause_specific_cox(r.clients, COVARIATES).table["coef"].to_numpy()
    y = Surv.from_arrays(r.employed, r.time)
    return (lambda: CoxPHSurvivalAnalysis(ties="efron").fit(X.to_numpy(float), y)), (
        lambda fit: float(np.abs(fit.coef_ - coef).max())
    )


def _finegray_ours(r):
    from .survival import fine_gray

    return (lambda: fine_gray(r.clients, COVARIATES)), None


#: (task, impl) -> builder of (the timed call, a function of its result giving the largest
#: difference from ours, or None).  The order is the order of measurement and of the tables.
TASK_TABLE = {
    ("cif", "evaluation"): _cif_ours,
    ("cif", "sksurv"): _cif_sksurv,
    ("cif", "lifelines"): _cif_lifelines,
    ("km", "evaluation"): _km_ours,
    ("km", "sksurv"): _km_sksurv,
    ("km", "lifelines"): _km_lifelines,
    ("logrank", "evaluation"): _logrank_ours,
    ("logrank", "sksurv"): _logrank_sksurv,
    ("gray", "evaluation"): _gray_ours,
    ("cox", "evaluation"): _cox_ours,
    ("cox", "lifelines"): _cox_lifelines,
    ("cox", "sksurv"): _cox_sksurv,
    ("finegray", "evaluation"): _finegray_ours,
}
#: (task, impl) pairs measured; a library appears where it computes the same estimate.
PAIRS = [("load", "evaluation"), *TASK_TABLE, ("notebook", "evaluation")]
#: Formats the load task reads.
FORMATS = ("parquet", "csv")


def _task(task: str, impl: str, work: Path, fmt: str = "parquet"):
    """(the timed call, a function of its result giving the largest difference from ours)."""
    if task == "load":
        from .dataset import load_dataset

        if fmt not in FORMATS:
            raise ValueError(f"no register format {fmt!r}; known: {', '.join(FORMATS)}")
        return (lambda: load_dataset(work / fmt)), None
    try:
        build = TASK_TABLE[(task, impl)]
    except KeyError:
        raise ValueError(f"no benchmark for task {task!r} with {impl!r}") from None
    return build(_Register(work))


def child(task: str, impl: str, work: Path, repeat: int, profile: Path | None, fmt: str = "parquet") -> dict:
    """Run one measurement in this (fresh) process; returns the JSON record.  ``fmt`` is the
    register format the ``load`` task reads."""
    fn, diff = _task(task, impl, work, fmt)
    if profile is not None:
        from pyinstrument import Profiler

        with Profiler() as profiler:
            fn()
        profile.write_text(profiler.output_text(unicode=False, color=False), encoding="utf-8")
    seconds, result = _median_seconds(fn, repeat)
    record = {"task": task, "impl": impl, "seconds": round(seconds, 6), "peak_mb": round(_peak_mb(), 1)}
    if diff is not None:
        record["max_abs_diff"] = float(diff(result))
    return record


def _command(cmd: list[str], repeat: int) -> dict:
    """Median wall time of a whole command and the peak memory of its largest process."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return {"seconds": round(statistics.median(times), 3), "peak_mb": round(_peak_mb(children=True), 1)}


# ----------------------------------------------------------------------------- the parent side
def _spawn(args: list[str]) -> dict:
    cmd = [sys.executable, "-m", "evaluation.bench", *args]
    env = dict(os.environ, MPLBACKEND="Agg")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark step {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(size: int, work: Path) -> Path:
    """Write the register of ``size`` clients as CSV and Parquet and a pickle of the loaded clients."""
    from .dataset import load_dataset
    from .synthetic import synthesize, write_dataset

    folder = work / f"n{size}"
    if (folder / "clients.pkl").is_file():
        return folder
    tables = synthesize(seed=7, n_clients=size)
    write_dataset(tables, folder / "csv")
    write_dataset(tables, folder / "parquet", format="parquet")
    with open(folder / "clients.pkl", "wb") as handle:
        pickle.dump(load_dataset(folder / "parquet").clients, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return folder


def _r_times(folder: Path, size: int, repeat: int) -> dict[str, float]:
    """R's timings on the same register (seconds, median of ``repeat``), when R is installed."""
    if not shutil.which("Rscript"):
        return {}
    from .survival import EVENT_CODES, competing_risks_data, design_matrix

    with open(folder / "clients.pkl", "rb") as handle:
        clients = pickle.load(handle)
    time_, event = competing_risks_data(clients)
    X, _ = design_matrix(clients, COVARIATES)
    data = X.assign(
        time=time_,
        event=event,
        employed=(event == EVENT_CODES["employment"]).astype(int),
        group=clients[GROUPING].astype(str).to_numpy(),
    )
    csv = folder / "r_input.csv"
    data.to_csv(csv, index=False)
    crr_limit = 10_000  # crr is quadratic in n: a minute at 10,000 clients, hours at 1e6
    done = subprocess.run(
        ["Rscript", str(R_SCRIPT), str(csv), str(repeat), str(int(size <= crr_limit))], capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"R failed (left out): {done.stderr[-500:]}", file=sys.stderr)
        return {}
    return {k: float(v) for k, v in (line.split() for line in done.stdout.strip().splitlines())}


def measure(
    sizes: list[int],
    repeat: int,
    work: Path,
    with_r: bool,
    profile_dir: Path | None,
    notebook_repeat: int = 2,
    log=print,
) -> tuple[list[dict], dict]:
    records: list[dict] = []
    r_rows: dict = {}
    for size in sizes:
        log(f"-- {size:,} clients: preparing the register")
        folder = Path(_spawn(["_prepare", str(size), str(work)])["folder"])
        for task, impl in PAIRS:
            if task == "notebook":
                continue
            for fmt in FORMATS if task == "load" else [None]:
                args = ["_child", task, impl, str(folder), str(repeat), fmt or "parquet"]
                if profile_dir is not None and impl == "evaluation":
                    args.append(str(profile_dir / f"{task}{'-' + fmt if fmt else ''}-{size}.txt"))
                rec = {"size": size, **_spawn(args)}
                if fmt:
                    rec["format"] = fmt
                records.append(rec)
                log(_line(rec))
        for notebook in NOTEBOOKS:
            rec = {
                "size": size,
                "task": "notebook",
                "impl": "evaluation",
                "notebook": notebook,
                **_spawn(
                    [
                        "_command",
                        str(notebook_repeat),
                        sys.executable,
                        "-m",
                        "evaluation",
                        "run",
                        str(folder / "parquet"),
                        "--out",
                        str(folder / f"run-{notebook}"),
                        "--only",
                        notebook,
                    ]
                ),
            }
            records.append(rec)
            log(_line(rec))
        if with_r:
            r_rows[size] = _spawn(["_r", str(folder), str(size), str(repeat)])
            log(f"   R: {r_rows[size]}")
    rec = {
        "size": 150,
        "task": "reproduce",
        "impl": "evaluation",
        **_spawn(
            [
                "_command",
                str(notebook_repeat),
                sys.executable,
                "-m",
                "evaluation",
                "run",
                str(DEFAULT_DATASET),
                "--out",
                str(work / "reproduce"),
                "--strict",
            ]
        ),
    }
    records.append(rec)
    log(_line(rec))
    return records, r_rows


def _line(rec: dict) -> str:
    extra = f"  max |diff| {rec['max_abs_diff']:.2e}" if "max_abs_diff" in rec else ""
    fmt = f" ({rec.get('format') or rec.get('notebook')})" if ("format" in rec or "notebook" in rec) else ""
    return f"   {rec['task'] + fmt:<16} {rec['impl']:<11} {rec['seconds']:10.3f} s {rec['peak_mb']:8.0f} MB{extra}"


def machine() -> dict:
    with open("/proc/meminfo") as handle:
        mem_kb = int(next(line for line in handle if line.startswith("MemTotal")).split()[1])
    versions = {}
    for package in ("numpy", "pandas", "scipy", "pyarrow", "pandera", "lifelines", "scikit-survival", "papermill"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    r = None
    if shutil.which("Rscript"):
        out = subprocess.run(
            [
                "Rscript",
                "-e",
                'cat(R.version.string, "survival", format(packageVersion("survival")),'
                ' "cmprsk", format(packageVersion("cmprsk")))',
            ],
            capture_output=True,
            text=True,
        )
        r = out.stdout.strip() or None
    return {
        "date": dt.date.today().isoformat(),
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024**2, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "versions": versions,
        "R": r,
    }


R_NAMES = {
    "cif": "cuminc",
    "km": "survfit_km",
    "logrank": "survdiff",
    "gray": "cuminc_gray",
    "cox": "coxph",
    "finegray": "crr",
}


def results_markdown(records: list[dict], r_rows: dict, info: dict, repeat: int) -> str:
    ours = {
        (r["size"], r["task"], r.get("format") or r.get("notebook")): r for r in records if r["impl"] == "evaluation"
    }
    lines = [
        "# Benchmark results",
        "",
        f"Run {info['date']} with `python -m evaluation bench` on {info['cores']} cores, "
        f"{info['memory_gb']} GB ({info['cpu']}), Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v)
        + (f"; {info['R']}" if info["R"] else "; R not installed")
        + ".",
        f"Seconds are medians of {repeat} runs in one fresh process per row (the notebook and the "
        "reproduction: medians of whole commands); peak MB is that process's peak resident memory "
        "(interpreter, libraries and data included). `× ours` is their seconds / ours. "
        "`max |diff|` is the largest absolute difference of their estimate from ours (cumulative "
        "incidence or survival at every time; log-rank statistic; Cox coefficients). "
        "`notebook (NAME)` is the whole command `python -m evaluation run <Parquet register> --only "
        "NAME` (validation in the runner, the kernel, the HTML export).",
        "",
    ]
    for size in sorted({r["size"] for r in records if r["task"] != "reproduce"}):
        lines += [
            f"## {size:,} clients",
            "",
            "| task | implementation | seconds | × ours | peak MB | max abs diff | target |",
            "|---|---|---|---|---|---|---|",
        ]
        for rec in [r for r in records if r["size"] == size]:
            base = ours.get((size, rec["task"], rec.get("format") or rec.get("notebook")))
            ratio = (
                f"{rec['seconds'] / base['seconds']:.1f}"
                if base and base["seconds"] > 0 and rec["impl"] != "evaluation"
                else ""
            )
            target = TARGETS.get((rec["task"], size)) if rec["impl"] == "evaluation" else None
            if rec.get("format") == "csv":
                target = None  # the load target is for Parquet
            verdict = (
                "" if target is None else (f"< {target:g} s: " + ("met" if rec["seconds"] < target else "**missed**"))
            )
            variant = rec.get("format") or rec.get("notebook")
            task = rec["task"] + (f" ({variant})" if variant else "")
            diff = f"{rec['max_abs_diff']:.1e}" if "max_abs_diff" in rec else ""
            lines.append(
                f"| {task} | {rec['impl']} | {rec['seconds']:.3f} | {ratio} | {rec['peak_mb']:.0f} | "
                f"{diff} | {verdict} |"
            )
        for task, name in R_NAMES.items():
            if name in r_rows.get(size, {}):
                base = ours.get((size, task, None))
                sec = r_rows[size][name]
                ratio = f"{sec / base['seconds']:.1f}" if base and base["seconds"] > 0 else ""
                lines.append(f"| {task} | R `{name}` | {sec:.3f} | {ratio} | | | |")
        lines.append("")
    rep = next(r for r in records if r["task"] == "reproduce")
    lines += [
        "## Default reproduction (150 clients)",
        "",
        f"`python -m evaluation run data/synthetic/wassup --out … --strict` (what `make reproduce` runs "
        f"after installation): {rep['seconds']:.1f} s, peak {rep['peak_mb']:.0f} MB "
        f"(target < 20 s: {'met' if rep['seconds'] < 20 else '**missed**'}).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_child":
        task, impl, folder, repeat, fmt = argv[1:6]
        profile = Path(argv[6]) if len(argv) > 6 else None
        print(json.dumps(child(task, impl, Path(folder), int(repeat), profile, fmt)))
        return 0
    if argv and argv[0] == "_r":
        print(json.dumps(_r_times(Path(argv[1]), int(argv[2]), int(argv[3]))))
        return 0
    if argv and argv[0] == "_prepare":
        print(json.dumps({"folder": str(prepare(int(argv[1]), Path(argv[2])))}))
        return 0
    if argv and argv[0] == "_command":
        print(json.dumps(_command(argv[2:], int(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m evaluation bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5, help="runs per estimator (median reported)")
    parser.add_argument("--notebook-repeat", type=int, default=2, help="runs of each whole command")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--json", type=Path, help="also write the records as JSON")
    parser.add_argument("--work", type=Path, help="folder for the generated registers (default: temporary)")
    parser.add_argument("--no-r", action="store_true", help="leave R out even when it is installed")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="also write a pyinstrument profile of each of our tasks into DIR"
    )
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="wassup-bench-"))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    try:
        records, r_rows = measure(args.clients, args.repeat, work, not args.no_r, args.profile, args.notebook_repeat)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    from .files import write_atomic

    text = results_markdown(records, r_rows, machine(), args.repeat)
    write_atomic(args.out, text + "\n")
    print("\n" + text)
    if args.json:
        write_atomic(args.json, json.dumps(records, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m evaluation {run,batch,parameters,synthesize,simulate,monthly,statfin,lab,bench,refresh-notebooks} ...``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from .dataset import DatasetError
from .hooks import skip_slow_iri_checker

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["main"]


def _parse_value(text: str) -> Any:
    """A ``-p NAME VALUE`` value, read as YAML so lists, numbers and null keep their types.

    Digits with a leading zero stay text: YAML reads ``071`` (Haapavesi's municipality code)
    as the octal number 57."""
    if re.fullmatch(r"0\d+", text.strip()):
        return text.strip()
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _leading_zeros_as_written(text: str) -> dict[str, str]:
    """Top-level values of a parameters file written as digits with a leading zero, as text:
    ``treated: 071`` is Haapavesi's code, not the octal number 57 a YAML reader makes of it
    (as ``-p treated 071`` and ``dataset.yaml``'s ``municipality_code`` are read)."""
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {
        k.value: v.value
        for k, v in root.value
        if isinstance(k, yaml.ScalarNode)
        and isinstance(v, yaml.ScalarNode)
        and v.style is None
        and re.fullmatch(r"0\d+", v.value)
    }


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for file in args.parameters_file or []:
        text = Path(file).read_text(encoding="utf-8")
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise SystemExit(f"error: {file} must be a YAML mapping of parameter names to values")
        params.update(loaded | _leading_zeros_as_written(text))
    for name, value in args.parameter or []:
        params[name] = _parse_value(value)
    return params


def cmd_run(args: argparse.Namespace) -> int:
    from .paths import DOCS, FIGURES
    from .runs import RunError, publish, run

    had_earlier = (Path(args.out) / "run.json").is_file()
    try:
        result = run(
            args.dataset,
            args.out,
            only=args.only,
            parameters=_parameters(args),
            strict=args.strict,
            workers=args.workers,
        )
    except (DatasetError, RunError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for nb in result.notebooks:
        line = f"{nb.notebook:<36} {nb.status:<7} {nb.seconds:7.1f} s"
        print(line + (f"  {nb.error}" if nb.error else ""))
    if not result.ok:
        print(
            f"failed: the executed notebooks are in {result.out}; "
            + (
                f"the earlier results in {args.out} are untouched"
                if had_earlier
                else f"nothing was written to {args.out}"
            ),
            file=sys.stderr,
        )
        return 1
    if args.publish:
        from .dataset import load_dataset

        if load_dataset(result.dataset).personal_data:
            print("error: --publish only copies the figures and summary of a synthetic dataset", file=sys.stderr)
            return 2
        publish(result.out, FIGURES, DOCS)
    print(f"ok: {result.out}")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import batch, summary_lines
    from .runs import RunError

    try:
        items = batch(
            args.datasets,
            args.out,
            workers=args.workers,
            resume=args.resume,
            parameters=_parameters(args),
            only=args.only,
            strict=args.strict,
            scheduler=args.scheduler,
        )
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(items)))
    bad = [i for i in items if i.status not in ("ok", "skipped")]
    print(f"{len(items) - len(bad)} of {len(items)} runs succeeded; summary in {args.out}/summary.csv")
    return 1 if bad else 0


def cmd_synthesize(args: argparse.Namespace) -> int:
    from .files import NotOurFolder
    from .process import ProcessError
    from .synthetic import synthesize, write_dataset

    try:
        write_dataset(synthesize(seed=args.seed, n_clients=args.clients), args.out, format=args.format)
    except (NotOurFolder, ProcessError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from .files import NotOurFolder
    from .process import ProcessError, load_process
    from .simulation import study, write_study

    try:
        process = load_process(args.process)
        coverage, rows, facts = study(
            args.reps,
            args.clients,
            process=process,
            seed=args.seed,
            alpha=args.alpha,
            workers=args.workers,
            scheduler=args.scheduler,
        )
        write_study(args.out, coverage, rows, facts)
    except (ProcessError, NotOurFolder, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    flagged = coverage.loc[coverage["verdict"].isin(["under", "over", "too many rejections", "conservative"])]
    print(
        f"{facts['replications']} registers of {facts['clients']} clients in {facts['seconds']} s; "
        f"{len(flagged)} of {len(coverage)} quantities outside the Monte Carlo band; wrote {args.out}/coverage.md"
    )
    return 0


def cmd_monthly(args: argparse.Namespace) -> int:
    from .files import write_atomic
    from .official import PanelError, find_municipality, load_panel, monthly_series

    try:
        panel = load_panel(file=args.panel)
        row = find_municipality(panel, args.municipality)
        series = monthly_series(panel, args.municipality, args.start, args.end)
    except (PanelError, LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    target = Path(args.out)
    if target.is_dir():
        target = target / "monthly.csv"
    write_atomic(target, series.to_csv(index=False, lineterminator="\n"))
    suppressed = int(series["activation_rate"].isna().sum())
    print(
        f"wrote {target}: {row['municipality_name_fi']} ({row['municipality_code']}), "
        f"{series['month'].iloc[0]}..{series['month'].iloc[-1]}, {len(series)} months; "
        f"activation rate given as bounds in {suppressed} month(s) where a service cell is suppressed"
    )
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    from .runs import RunError, notebook_parameters, notebooks

    try:
        paths = notebooks(args.notebook)
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path.stem)
        for name, p in notebook_parameters(path).items():
            print(f"  {name:<12} {p['type']:<15} default {p['default']:<16} {p['help']}")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from .runs import RunError, refresh_notebooks

    try:
        for path in refresh_notebooks(args.notebook):
            print(f"refreshed {path.name}")
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    from .lab import main as lab_main

    return lab_main(args.passthrough)


def cmd_statfin(args: argparse.Namespace) -> int:
    from .statfin import main as statfin_main

    return statfin_main(args.passthrough)


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return bench_main(args.passthrough)


def cmd_lalonde(args: argparse.Namespace) -> int:
    """LaLonde's NSW experiment: the benchmark and the comparison's estimators (issue 25)."""
    import json

    from .comparison.lalonde import lalonde_benchmark, lalonde_markdown
    from .lalonde_data import load_lalonde

    data = load_lalonde()
    result = lalonde_benchmark(data.experimental, data.psid, data.cps, data.published)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "lalonde.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (args.out / "lalonde.md").write_text(lalonde_markdown(result), encoding="utf-8")
    print(f"wrote {args.out / 'lalonde.json'} and {args.out / 'lalonde.md'}")
    return 0


def _notebook_options(p: argparse.ArgumentParser) -> None:
    """The options `run` and `batch` share: which notebooks, their parameters, strictness."""
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK", help="run only these notebooks")
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="notebook parameter; VALUE is read as YAML ([180, 365], null, 0.05)",
    )
    p.add_argument(
        "-f",
        "--parameters-file",
        action="append",
        type=Path,
        metavar="PARAMS_YAML",
        help="YAML file of notebook parameters",
    )
    p.add_argument("--strict", action="store_true", help="a missed published target fails the run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run every notebook on one dataset with papermill")
    p.add_argument("dataset", type=Path, help="dataset folder (dataset.yaml, clients, placements, monthly)")
    p.add_argument("--out", type=Path, required=True, help="run folder to create or replace")
    _notebook_options(p)
    p.add_argument(
        "--workers", type=int, default=None, help="notebooks executed side by side (default: one per core, at most 2)"
    )
    p.add_argument(
        "--publish",
        "--publish-figures",
        dest="publish",
        action="store_true",
        help="also copy the figures into figures/ and the summary into docs/ (synthetic datasets only)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("batch", help="run every notebook on many datasets, in parallel")
    p.add_argument("datasets", nargs="+", type=Path, help="dataset folders")
    p.add_argument("--out", type=Path, required=True, help="folder for one run folder per dataset")
    p.add_argument("--workers", type=int, default=1, help="parallel local processes (default 1)")
    p.add_argument(
        "--resume", action="store_true", help="skip runs that succeeded on byte-identical inputs and parameters"
    )
    p.add_argument(
        "--scheduler", metavar="ADDRESS", help="send the runs to a Dask distributed scheduler (pip install '.[dask]')"
    )
    _notebook_options(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("synthesize", help="write the calibrated synthetic dataset")
    p.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")
    p.add_argument("--clients", type=int, default=150, help="number of clients (default 150)")
    p.add_argument("--out", type=Path, required=True, help="dataset folder to write")
    p.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format of the tables (default csv)"
    )
    p.set_defaults(func=cmd_synthesize)

    p = sub.add_parser("simulate", help="coverage of the intervals on registers drawn from the stated process")
    p.add_argument("--reps", type=int, required=True, help="number of registers to draw")
    p.add_argument("--clients", type=int, required=True, help="clients in each register")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for coverage.csv, coverage.md and replications.csv.gz (replaced only if it holds nothing else)",
    )
    p.add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="send the replications to a Dask distributed scheduler (pip install '.[dask]')",
    )
    p.add_argument(
        "--seed", type=int, default=2024, help="seed; replication r uses default_rng([seed, r]) (default 2024)"
    )
    p.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")
    p.add_argument(
        "--process", type=Path, default=None, help="process parameters (default data/synthetic/process.yaml)"
    )
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("monthly", help="write a municipality's monthly.csv from the official panel (StatFin 12r5)")
    p.add_argument(
        "--municipality",
        required=True,
        metavar="CODE_OR_NAME",
        help="municipality code (071, 71, KU071) or Finnish name (Haapavesi)",
    )
    p.add_argument("--from", dest="start", metavar="YYYY-MM", help="first month (default: the panel's first)")
    p.add_argument("--to", dest="end", metavar="YYYY-MM", help="last month (default: the panel's last)")
    p.add_argument("--out", required=True, type=Path, help="file to write (or a dataset folder: monthly.csv in it)")
    p.add_argument(
        "--panel", type=Path, default=None, help="a panel file in the committed format (default data/public/statfin/)"
    )
    p.set_defaults(func=cmd_monthly)

    p = sub.add_parser("parameters", help="list each notebook's parameters")
    p.add_argument("notebook", nargs="*", help="notebook names (default: all)")
    p.set_defaults(func=cmd_parameters)

    p = sub.add_parser("lab", help="JupyterLab on notebooks/: loopback only, token on, project kernel")
    p.epilog = "Further options go to jupyter lab as they are, e.g. --ServerApp.port=8899."
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser(
        "statfin", add_help=False, help="statfin update: fetch new months of the official panel (StatFin PxWeb API)"
    )
    p.set_defaults(func=cmd_statfin)

    p = sub.add_parser(
        "bench", add_help=False, help="time the estimators on 1e4..1e6 clients beside lifelines, scikit-survival, R"
    )
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("lalonde", help="the comparison's estimators on LaLonde's NSW experiment (PSID-1, CPS-1)")
    p.add_argument("--out", type=Path, required=True, help="folder to write lalonde.json and lalonde.md into")
    p.set_defaults(func=cmd_lalonde)

    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place on the default dataset")
    p.add_argument("notebook", nargs="*", help="notebook names (default: all)")
    p.set_defaults(func=cmd_refresh)
    return parser


def main(argv: list[str] | None = None) -> int:
    skip_slow_iri_checker()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("lab", "bench", "statfin"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.passthrough = extra  # lab: options for jupyter lab; bench: its own options
    return args.func(args)

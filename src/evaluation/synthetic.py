"""The default synthetic dataset: one draw from the stated process, conditioned on what the
real register is known to hold.

No real client data exist in this repository: the register is personal data.  The clients and
placements are drawn from the process in ``data/synthetic/process.yaml`` (:mod:`evaluation.process`:
seasonal enrolment on working days, correlated characteristics, cause-specific hazards, censoring
only at the study's end, exits recorded on working days, placements given to clients whose
register makes them possible).  The draw is then **conditioned by rejection** on the report's
published aggregates, read from ``data/published/wassup_report.yaml`` at the report's rounding:
candidate client registers are drawn until one holds the published outcome shares and counts
(150 clients, 40 % employed, 27 % in a work trial or rehabilitative work, more than ten retired),
and, independently, candidate placement sets until one holds the published subsidy shares (48 %
companies, 32 % associations) and a majority of company placements continuing.  The placements'
sectors, euros and continuation are drawn independently of the clients, so accepting the two
stages separately is exact rejection sampling from the joint conditional distribution.  The
aggregates match because the real register's did; timing, covariates and censoring come from
the process.  :func:`evaluation.process.draw_register` draws without conditioning.

The comparison register (``comparison.csv``: unemployment spells of people of Haapavesi and its
neighbours who were not clients) and the clients' ``unemployed_since`` and
``months_employed_3y`` are drawn from the process' ``comparison`` section
(:func:`evaluation.process.draw_comparison_register`,
:func:`evaluation.process.draw_client_history`) from a random stream of their own
(``numpy.random.SeedSequence(seed).spawn(1)[0]``), so that the conditioned tables are exactly
those of the same seed without them.  The clients' exits were drawn from enrolment and
conditioned on the report, not by the comparison's selection and effect model, so the default
comparison has no stated truth (that is for ``simulate``).

The monthly series is not synthetic: it is Haapavesi's official series from StatFin table 12r5
(:mod:`evaluation.official`), marked ``source: official`` row by row and in ``dataset.yaml``.
The same seed gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .dataset import load_published_targets
from .files import staged_folder
from .process import (
    PROCESS,
    ProcessError,
    draw_client_history,
    draw_clients,
    draw_comparison_register,
    draw_placements,
    link_placements,
    load_process,
    placement_count,
)
from .vocabulary import GROUPS, OUTCOME_GROUPS

# What notebooks and other modules import from here (tests/test_public_names.py)
__all__ = ["synthesize", "write_dataset"]

#: The tables a synthetic dataset may hold (``comparison`` is optional).
TABLE_NAMES = ("clients", "placements", "monthly", "comparison")
DEFAULT_SEED = 2019
DEFAULT_CLIENTS = 150
MUNICIPALITY_CODE = "071"  # Haapavesi (StatFin KU071); 069 is Haapajärvi
#: The official monthly series of the default dataset: the project with 2.5 years either side.
OFFICIAL_FROM, OFFICIAL_TO = "2014-01", "2020-12"
#: Candidate registers drawn at once (about this many clients a batch).
BATCH_CLIENTS = 200_000
#: Give up after this many candidates: the targets are then too unlikely under the process.
MAX_CANDIDATES = 200_000


def _holds(target: dict, value: np.ndarray) -> np.ndarray:
    """Whether each candidate's computed value meets a target, as :mod:`evaluation.targets` judges."""
    if target["comparison"] == "approx":
        return np.abs(value - target["value"]) <= target["tolerance"] + 1e-12
    return value > target["value"]


def _client_condition(targets: list[dict], group: np.ndarray) -> np.ndarray:
    """Candidates (rows of ``group``, outcome groups of their clients) meeting every client target;
    a published share that no count of ``n`` clients meets at the report's rounding is met by the
    nearest count."""
    ok = np.ones(group.shape[0], dtype=bool)
    n = group.shape[1]
    for t in targets:
        kind = t["compute"]["kind"]
        if kind == "client_count":
            ok &= _holds(t, np.full(group.shape[0], float(n)))
        elif kind == "group_count":
            ok &= _holds(t, (group == t["compute"]["group"]).sum(axis=1).astype(float))
        elif kind == "group_share":
            count = (group == t["compute"]["group"]).sum(axis=1)
            counts = np.arange(n + 1)
            attainable = counts[_holds(t, counts / n)]
            # a share no whole count of n clients rounds to (27 % of 50): the nearest count
            ok &= np.isin(count, attainable if attainable.size else [round(t["value"] * n)])
    return ok


def _placement_condition(
    targets: list[dict], sector: np.ndarray, euros: np.ndarray, continued: np.ndarray
) -> np.ndarray:
    """Candidate placement sets (rows) meeting every subsidy and continuation target."""
    ok = np.ones(sector.shape[0], dtype=bool)
    for t in targets:
        kind, where = t["compute"]["kind"], sector == t["compute"].get("sector")
        if kind == "subsidy_share":
            ok &= _holds(t, (euros * where).sum(axis=1) / euros.sum(axis=1))
        elif kind == "continuation_share":
            with np.errstate(invalid="ignore", divide="ignore"):
                share = (continued & where).sum(axis=1) / where.sum(axis=1)
            ok &= _holds(t, np.nan_to_num(share, nan=-1.0))
    return ok


def _first_accepted(draw, accept, size: int, what: str) -> tuple[pd.DataFrame, int]:
    """Draw candidates of ``size`` rows in batches until one is accepted; return it and how many
    candidates were drawn (it included)."""
    batch = max(1, BATCH_CLIENTS // size)
    drawn = 0
    while drawn < MAX_CANDIDATES:
        frame = draw(batch * size)
        ok = np.flatnonzero(accept(frame, batch))
        if ok.size:
            i = int(ok[0])
            return frame.iloc[i * size : (i + 1) * size].reset_index(drop=True), drawn + i + 1
        drawn += batch
    raise ProcessError(
        f"no {what} met the published targets in {drawn:,} candidates: the process "
        f"({PROCESS.name}) makes them too unlikely at this size; recalibrate it "
        "(evaluation.process.calibrate) or ask for more clients"
    )


def conditioned_register(seed: int, n_clients: int, targets: list[dict], process=None) -> dict:
    """Clients and placements drawn from the process and conditioned on ``targets`` (the
    client and placement targets; the monthly ones concern the official series)."""
    process = process or load_process()
    rng = np.random.default_rng(seed)
    groups = lambda frame, batch: frame["outcome"].map(OUTCOME_GROUPS).to_numpy().reshape(batch, -1)  # noqa: E731
    clients, client_draws = _first_accepted(
        lambda size: draw_clients(process, size, rng),
        lambda frame, batch: _client_condition(targets, groups(frame, batch)),
        n_clients,
        "client register",
    )
    width = max(4, len(str(n_clients)))
    clients["client_id"] = [f"S{i:0{width}d}" for i in range(1, n_clients + 1)]
    count = placement_count(process, n_clients)

    def placements_accepted(frame, batch):
        shaped = {c: frame[c].to_numpy().reshape(batch, -1) for c in ("sector", "subsidy_eur", "continued")}
        return _placement_condition(targets, shaped["sector"], shaped["subsidy_eur"], shaped["continued"])

    placements, placement_draws = _first_accepted(
        lambda size: draw_placements(process, size, rng), placements_accepted, count, "placement set"
    )
    placements = link_placements(process, placements, clients, rng)
    return {
        "clients": clients,
        "placements": placements,
        "conditioning": {"client_registers_drawn": client_draws, "placement_sets_drawn": placement_draws},
    }


def official_monthly(start: str = OFFICIAL_FROM, end: str = OFFICIAL_TO) -> pd.DataFrame:
    """Haapavesi's official monthly series (StatFin 12r5) for the default dataset: public
    statistics, the one table of the default dataset that is not synthetic."""
    from .official import load_panel, monthly_series

    return monthly_series(load_panel(), MUNICIPALITY_CODE, start, end)


def synthesize(seed: int = DEFAULT_SEED, n_clients: int = DEFAULT_CLIENTS) -> dict:
    """Make the synthetic dataset's tables and metadata.

    Returns
    -------
    dict with ``clients``, ``placements``, ``monthly``, ``comparison`` (DataFrames as written) and
    ``meta``.
    """
    if n_clients < 10:
        raise ValueError("--clients must be at least 10")
    targets = load_published_targets()
    if n_clients != DEFAULT_CLIENTS:
        # counts of clients (150 clients, more than ten retired) belong to the report's size; the
        # shares hold at any size
        targets = [t for t in targets if t["compute"]["kind"] not in ("client_count", "group_count")]
    process = load_process()
    drawn = conditioned_register(seed, n_clients, targets, process)
    clients, placements = drawn["clients"], drawn["placements"]
    # a stream of its own: the draws above stay those of the seed alone
    history_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    clients = pd.concat([clients, draw_client_history(process, clients, history_rng)], axis=1)
    comparison = draw_comparison_register(process, history_rng)
    monthly = official_monthly()
    meta = {
        "name": "wassup-synthetic" if n_clients == DEFAULT_CLIENTS else f"wassup-synthetic-{n_clients}",
        "municipality": "Haapavesi",
        "municipality_code": MUNICIPALITY_CODE,
        "study_start": process.start,
        "study_end": process.end,
        "synthetic": True,
        "sources": {
            "clients": "synthetic",
            "placements": "synthetic",
            "monthly": "official",
            "comparison": "synthetic",
        },
        "language": "fi",
        "description": (
            "Synthetic client register and pay-subsidy placements (not real people) drawn from the stated "
            "process in data/synthetic/process.yaml and conditioned by rejection on the Wassup final "
            "report's published aggregates, with Haapavesi's official monthly statistics "
            f"{OFFICIAL_FROM}..{OFFICIAL_TO} (StatFin 12r5, CC BY 4.0). The comparison register holds synthetic "
            "unemployment spells of non-clients in Haapavesi and neighbouring municipalities, drawn from the "
            "process' comparison section without conditioning (it has no stated effect to recover). Made by "
            f"`python -m evaluation synthesize --seed {seed} --clients {n_clients}`."
        ),
        "seed": seed,
        "process": "data/synthetic/process.yaml",
        "conditioning": drawn["conditioning"],
        "groups": list(GROUPS),
        "targets": targets,
    }
    return {"clients": clients, "placements": placements, "monthly": monthly, "comparison": comparison, "meta": meta}


def _csv(frame: pd.DataFrame) -> bytes:
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(frame[column]):
            frame[column] = np.where(frame[column], "true", "false")
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """Typed Parquet: dates as ``date32``, booleans, whole numbers, decimals, text as strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {}
    for column in frame.columns:
        s = frame[column]
        if pd.api.types.is_datetime64_any_dtype(s):
            columns[column] = pa.array(s.dt.date, type=pa.date32(), from_pandas=True)
        elif isinstance(s.dtype, pd.PeriodDtype):
            columns[column] = pa.array(s.astype(str), type=pa.string())
        else:
            columns[column] = pa.array(s, from_pandas=True)
    pq.write_table(pa.table(columns), path, compression="zstd")


def is_synthetic_dataset(folder: Path) -> bool:
    """Whether ``folder`` is a dataset this generator wrote: ``dataset.yaml`` says
    ``synthetic: true`` and the folder holds only the contract's files.  Only such a folder is
    ever replaced by :func:`write_dataset` (a real register never is)."""
    try:
        meta = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    allowed = {"dataset.yaml"} | {f"{t}.{s}" for t in TABLE_NAMES for s in ("csv", "parquet")}
    return (
        isinstance(meta, dict)
        and meta.get("synthetic") is True
        and all(p.name in allowed and p.is_file() for p in folder.iterdir())
    )


def write_dataset(tables: dict, out: str | Path, format: str = "csv") -> Path:
    """Write tables and ``dataset.yaml`` into the folder ``out`` (whole or not at all).

    ``format`` is ``"csv"`` (the committed default: readable, diffable) or ``"parquet"`` (typed
    columns; a register of a million clients loads several times faster)."""
    if format not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', not {format!r}")
    out = Path(out)
    with staged_folder(out, is_synthetic_dataset, "a synthetic dataset") as tmp:
        for name in (t for t in TABLE_NAMES if t in tables):
            if format == "csv":
                (tmp / f"{name}.csv").write_bytes(_csv(tables[name]))
            else:
                _parquet(tables[name], tmp / f"{name}.parquet")
        text = yaml.safe_dump(tables["meta"], sort_keys=False, allow_unicode=True, width=100)
        (tmp / "dataset.yaml").write_text(text, encoding="utf-8")
    return out

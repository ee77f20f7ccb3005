"""A synthetic Wassup dataset calibrated to the final report's published numbers.

No real client data exist in this repository: the register is personal data.  This generator
writes a dataset that satisfies the contract (:mod:`evaluation.dataset`) and meets every target
of ``data/published/wassup_report.yaml`` at the report's rounding, with plausible structure
around the targets:

* outcome groups are assigned with **exact quotas** (40 % employment, 26.7 % activation, 8 %
  retirement, ...) but *which* clients land where depends on their characteristics:
  long-term unemployment and health limitations make employment less likely; health
  limitations and age raise retirement and rehabilitative work; the young go to education;
* long-term unemployment and health limitations also lengthen the time to employment;
* exits are recorded by week (as in registers updated at weekly case meetings), so tied
  durations are common, which exercises the estimators' handling of ties;
* the monthly series is not synthetic: it is Haapavesi's official series from StatFin table
  12r5 (:mod:`evaluation.official`), marked ``source: official`` row by row and in
  ``dataset.yaml``'s ``sources``;
* pay-subsidy euros by sector are scaled to the report's 48 % / 32 % split, and most company
  placements continue.

The same seed gives byte-identical files.  Everything is vectorised: a million clients take
a few seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .dataset import load_published_targets
from .vocabulary import GROUPS
from .files import staged_folder

DEFAULT_SEED = 2019
DEFAULT_CLIENTS = 150
STUDY_START = dt.date(2016, 6, 1)
STUDY_END = dt.date(2019, 5, 31)
LAST_ENROLMENT = dt.date(2019, 2, 28)
MUNICIPALITY_CODE = "071"  # Haapavesi (StatFin KU071); 069 is Haapajärvi
#: The official monthly series of the default dataset: the project with 2.5 years either side.
OFFICIAL_FROM, OFFICIAL_TO = "2014-01", "2020-12"

#: Share of clients in each outcome group (employment 60/150, activation 40/150, retirement 12/150,
#: other 14/150); censored takes the rest.
GROUP_SHARES = {"employment": 0.40, "activation": 40 / 150, "retirement": 0.08, "other": 14 / 150}
#: Share of placements and of subsidy euros by sector (euros: the report's 48 % and 32 %).
SECTOR_PLACEMENT_SHARES = {"company": 0.40, "association": 0.36, "municipality": 0.16, "other": 0.08}
SECTOR_EURO_SHARES = {"company": 0.48, "association": 0.32, "municipality": 0.14, "other": 0.06}
#: Share of placements followed by an offer of continued employment.
SECTOR_CONTINUATION = {"company": 0.65, "association": 0.35, "municipality": 0.25, "other": 0.25}
PLACEMENTS_PER_CLIENT = 1 / 3


def quotas(n: int, shares: dict[str, float], rest: str | None = None) -> dict[str, int]:
    """Split ``n`` into whole counts by ``shares`` (largest remainder); ``rest`` takes what is left."""
    keys = list(shares) + ([rest] if rest else [])
    raw = np.array([shares[k] * n for k in shares] + ([n - sum(shares.values()) * n] if rest else []))
    counts = np.floor(raw + 1e-9).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    for i in order[: n - counts.sum()]:
        counts[i] += 1
    return dict(zip(keys, counts.tolist()))


def _pick(rng: np.random.Generator, logits: np.ndarray, available: np.ndarray, k: int) -> np.ndarray:
    """Choose ``k`` of the available rows without replacement, with probability ~ exp(logit).

    The Gumbel top-k trick: exact sampling without replacement, vectorised.
    """
    keys = logits + rng.gumbel(size=logits.shape)
    keys[~available] = -np.inf
    if k == 0:
        return np.array([], dtype=int)
    chosen = np.argpartition(-keys, k - 1)[:k]
    return np.sort(chosen)


def synthesize_clients(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Clients with characteristics, an outcome by exact group quotas, and weekly-recorded exits."""
    band = rng.choice(3, size=n, p=[0.24, 0.46, 0.30])
    age = np.select([band == 0, band == 1], [rng.integers(17, 25, n), rng.integers(25, 50, n)],
                    rng.integers(50, 65, n))
    sex = rng.choice(np.array(["F", "M", "X"]), size=n, p=[0.42, 0.57, 0.01])
    ltu = rng.random(n) < np.where(age >= 50, 0.75, np.where(age < 25, 0.35, 0.6))
    health = rng.random(n) < np.where(age >= 50, 0.55, 0.30)
    education = rng.choice(np.array(["basic", "upper_secondary", "tertiary", "unknown"]), size=n,
                           p=[0.36, 0.48, 0.10, 0.06])

    logits = {
        "retirement": -4.0 + 3.0 * (age >= 55) + 1.2 * (age >= 50) + 2.0 * health,
        "other": -1.0 + 1.5 * (age < 25) - 0.5 * ltu,
        "employment": 0.5 - 0.9 * ltu - 1.0 * health - 0.02 * (age - 40) + 0.3 * (education == "tertiary"),
        "activation": 0.0 + 0.5 * ltu + 0.8 * health,
    }
    counts = quotas(n, GROUP_SHARES, rest="censored")
    group = np.full(n, "censored", dtype=object)
    free = np.ones(n, dtype=bool)
    for name in ("retirement", "other", "employment", "activation"):
        chosen = _pick(rng, logits[name].astype(float), free, counts[name])
        group[chosen] = name
        free[chosen] = False

    u = rng.random(n)
    outcome = np.select(
        [group == "employment", group == "activation", group == "retirement", group == "other"],
        [np.where(u < 0.35, "employed_subsidised", "employed_open"),
         np.where(u < np.where(health, 0.30, 0.60), "work_trial", "rehabilitative_work"),
         "retired",
         np.where(u < np.where(age < 25, 0.7, 0.2), "education", "other_exit")],
        "censored",
    )

    # time to the exit in days: gamma, slower for the long-term unemployed and for health limits
    scale = np.select([group == "employment", group == "activation", group == "retirement"],
                      [170.0, 140.0, 260.0], 200.0)
    scale = scale * np.where(ltu, 1.6, 1.0) * np.where(health, 1.3, 1.0)
    days = rng.gamma(shape=1.6, scale=scale)
    span_end = (np.datetime64(STUDY_END) - np.datetime64(STUDY_START)).astype(int)
    last_enrol = (np.datetime64(LAST_ENROLMENT) - np.datetime64(STUDY_START)).astype(int)
    days = np.minimum(np.ceil(days / 7.0) * 7, 7 * ((span_end - 1) // 7))  # exits recorded by week
    latest = np.minimum(last_enrol, span_end - days)
    enrol_offset = np.floor(rng.random(n) * (latest + 1)).astype(int)
    censored = group == "censored"
    duration = np.where(censored, span_end - enrol_offset, days).astype(int)

    start = np.datetime64(STUDY_START)
    enrolled = start + enrol_offset.astype("timedelta64[D]")
    exit_date = enrolled + duration.astype("timedelta64[D]")
    width = max(4, len(str(n)))
    return pd.DataFrame({
        "client_id": [f"S{i:0{width}d}" for i in range(1, n + 1)],
        "enrolled": enrolled,
        "exit_date": exit_date,
        "outcome": outcome,
        "age_at_entry": age,
        "sex": sex,
        "long_term_unemployed": ltu,
        "health_limitations": health,
        "education_level": education,
    })


def synthesize_placements(rng: np.random.Generator, clients: pd.DataFrame) -> pd.DataFrame:
    """Pay-subsidy placements of the parallel project, euros scaled to the report's sector split."""
    n = max(4, round(len(clients) * PLACEMENTS_PER_CLIENT))
    per_sector = quotas(n, SECTOR_PLACEMENT_SHARES)
    sector = np.repeat(list(per_sector), list(per_sector.values()))
    sector = sector[rng.permutation(n)]

    months = rng.integers(4, 13, n)  # subsidy period 4..12 months
    monthly_eur = rng.uniform(700, 1500, n)
    euros = months * monthly_eur
    total = euros.sum()
    for name, share in SECTOR_EURO_SHARES.items():
        mask = sector == name
        if mask.any():
            euros[mask] *= share * total / euros[mask].sum()
    euros = np.round(euros, 2)

    continued = np.zeros(n, dtype=bool)
    for name, share in SECTOR_CONTINUATION.items():
        idx = np.flatnonzero(sector == name)
        k = round(share * len(idx))
        continued[rng.choice(idx, size=k, replace=False)] = True

    # Most placements are of Kokoomo clients: the subsidised-employment exits first, then others
    # who had a subsidised spell before their final outcome; the rest came from elsewhere.
    subsidised = np.flatnonzero(clients["outcome"].to_numpy() == "employed_subsidised")
    others = np.setdiff1d(np.arange(len(clients)), subsidised)
    n_linked = min(round(0.8 * n), len(clients))
    pool = np.concatenate([rng.permutation(subsidised), rng.permutation(others)])[:n_linked]
    link = np.full(n, -1)
    link[rng.permutation(n)[:n_linked]] = pool

    enrolled = clients["enrolled"].to_numpy().astype("datetime64[D]")
    exit_date = clients["exit_date"].to_numpy().astype("datetime64[D]")
    outcome = clients["outcome"].to_numpy()
    study_days = (np.datetime64(LAST_ENROLMENT) - np.datetime64(STUDY_START)).astype(int)
    start = np.datetime64(STUDY_START) + rng.integers(0, study_days, n).astype("timedelta64[D]")
    linked = link >= 0
    li = link[linked]
    inside = enrolled[li] + (rng.random(li.size) * (exit_date[li] - enrolled[li]).astype(int)).astype(
        "timedelta64[D]")
    start[linked] = np.where(outcome[li] == "employed_subsidised", exit_date[li], inside)
    end = start + (months * 30.4).round().astype("timedelta64[D]")

    width = max(4, len(str(n)))
    client_id = np.where(linked, clients["client_id"].to_numpy()[np.maximum(link, 0)], "")
    return pd.DataFrame({
        "placement_id": [f"P{i:0{width}d}" for i in range(1, n + 1)],
        "client_id": client_id,
        "sector": sector,
        "start": start,
        "end": end,
        "subsidy_eur": euros,
        "continued": continued,
    })


def official_monthly(start: str = OFFICIAL_FROM, end: str = OFFICIAL_TO) -> pd.DataFrame:
    """Haapavesi's official monthly series (StatFin 12r5) for the default dataset: public
    statistics, the one table of the default dataset that is not synthetic."""
    from .official import load_panel, monthly_series

    return monthly_series(load_panel(), MUNICIPALITY_CODE, start, end)


def synthesize(seed: int = DEFAULT_SEED, n_clients: int = DEFAULT_CLIENTS) -> dict:
    """Make the synthetic dataset's tables and metadata.

    Returns
    -------
    dict with ``clients``, ``placements``, ``monthly`` (DataFrames as written) and ``meta``.
    """
    if n_clients < 10:
        raise ValueError("--clients must be at least 10")
    rng = np.random.default_rng(seed)
    clients = synthesize_clients(rng, n_clients)
    placements = synthesize_placements(rng, clients)
    monthly = official_monthly()
    targets = load_published_targets()
    if n_clients != DEFAULT_CLIENTS:
        # the client count is the one target that depends on the size asked for
        targets = [t for t in targets if t["compute"]["kind"] != "client_count"]
    meta = {
        "name": "wassup-synthetic" if n_clients == DEFAULT_CLIENTS else f"wassup-synthetic-{n_clients}",
        "municipality": "Haapavesi",
        "municipality_code": MUNICIPALITY_CODE,
        "study_start": STUDY_START,
        "study_end": STUDY_END,
        "synthetic": True,
        "sources": {"clients": "synthetic", "placements": "synthetic", "monthly": "official"},
        "language": "fi",
        "description": (
            "Synthetic client register and pay-subsidy placements calibrated to the published numbers "
            "of the Wassup final report (not real people), with Haapavesi's official monthly "
            f"statistics {OFFICIAL_FROM}..{OFFICIAL_TO} (StatFin 12r5, CC BY 4.0). Made by "
            f"`python -m evaluation synthesize --seed {seed} --clients {n_clients}`."
        ),
        "seed": seed,
        "groups": list(GROUPS),
        "targets": targets,
    }
    return {"clients": clients, "placements": placements, "monthly": monthly, "meta": meta}


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
    allowed = {"dataset.yaml"} | {f"{t}.{s}" for t in ("clients", "placements", "monthly")
                                   for s in ("csv", "parquet")}
    return (isinstance(meta, dict) and meta.get("synthetic") is True
            and all(p.name in allowed and p.is_file() for p in folder.iterdir()))


def write_dataset(tables: dict, out: str | Path, format: str = "csv") -> Path:
    """Write tables and ``dataset.yaml`` into the folder ``out`` (whole or not at all).

    ``format`` is ``"csv"`` (the committed default: readable, diffable) or ``"parquet"`` (typed
    columns; a register of a million clients loads several times faster)."""
    if format not in ("csv", "parquet"):
        raise ValueError(f"format must be 'csv' or 'parquet', not {format!r}")
    out = Path(out)
    with staged_folder(out, is_synthetic_dataset, "a synthetic dataset") as tmp:
        for name in ("clients", "placements", "monthly"):
            if format == "csv":
                (tmp / f"{name}.csv").write_bytes(_csv(tables[name]))
            else:
                _parquet(tables[name], tmp / f"{name}.parquet")
        text = yaml.safe_dump(tables["meta"], sort_keys=False, allow_unicode=True, width=100)
        (tmp / "dataset.yaml").write_text(text, encoding="utf-8")
    return out

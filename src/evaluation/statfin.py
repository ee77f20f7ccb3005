"""Keep the official panel current: fetch new months of StatFin table 12r5 from the PxWeb API.

``python -m evaluation statfin update [--table 12r5] [--from YYYY-MM]``:

1. ``GET`` the table's metadata and take the dimension codes from it, never from constants (the
   time dimension was ``Kuukausi`` in 2022 and is ``timeperiod_m`` in 2026): the time dimension
   is the one marked ``time``, the content dimension the one whose values are the panel's
   variables, the area dimension the other.  A changed variable list stops the update.
2. ``POST`` queries for the months after the panel's last (or from ``--from``: revisions), for
   the panel's areas, split so that no query asks for more than ``max_cells`` cells (the service
   refuses larger ones), in the v1 ``json`` format or ``json-stat2`` (both are read).
3. Retry HTTP 429 and 5xx with exponential backoff (honouring ``Retry-After``); a network error,
   a malformed or truncated body, or a service that keeps failing gives one clear message.
4. Merge: new months are added, values of months already held are compared and revisions
   reported; ``".."``/``"..."`` (suppressed) become missing.  The merged panel is validated with
   :func:`evaluation.official.load_panel` and written atomically; on any error the panel is
   untouched.

Libraries considered: ``pxwebpy`` (a maintained PxWeb client that returns data frames),
``pyjstat`` (a json-stat reader, last released 2023) and ``statfin`` (an interface to Statistics
Finland's databases).  Declined: the importer's work is the part none of them is documented to
do for us (cell-budget splitting of this table's queries, backoff on 429/5xx with
``Retry-After``, a revision report and an atomic, validated merge into the committed panel),
and reading the two response formats takes some 40 lines of standard library, tested below
against the stored real response; one more dependency for that is not worth its upgrades.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .files import write_atomic
from .official import PANEL_FILE, PanelError, load_panel
from .paths import STATFIN

__all__ = ["TABLES", "UpdateError", "UpdateReport", "update", "parse_response", "month_code", "main"]

#: Table id -> PxWeb v1 address (Finnish), as in data/public/statfin/README.md.
TABLES = {"12r5": "https://statfin.stat.fi/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"}
SUPPRESSED = {"..", "...", ".", "-"}


class UpdateError(RuntimeError):
    """The update cannot be done; the message says why and what to do.  The panel is untouched."""


@dataclass
class UpdateReport:
    new_months: list[str] = field(default_factory=list)
    revised: list[tuple[str, str, str, float | None, float | None]] = field(default_factory=list)
    not_fetched_areas: list[str] = field(default_factory=list)
    areas_gone: list[str] = field(default_factory=list)
    queries: int = 0
    retries: int = 0
    written: Path | None = None

    def lines(self) -> list[str]:
        out = [
            f"{len(self.new_months)} new month(s)"
            + (f": {self.new_months[0]}..{self.new_months[-1]}" if self.new_months else ""),
            f"{len(self.revised)} revised value(s)"
            + "".join(f"\n  {a} {m} {v}: {old} -> {new}" for a, m, v, old, new in self.revised[:20]),
            f"{self.queries} quer(ies), {self.retries} retr(ies)",
        ]
        if self.not_fetched_areas:
            out.append(
                f"areas in the table but not in the panel's area list (not fetched): "
                f"{', '.join(self.not_fetched_areas)}"
            )
        if self.areas_gone:
            out.append(
                f"areas of the panel no longer in the table (a municipal merger?): "
                f"{', '.join(self.areas_gone)}; the table applies the newest division to every "
                "month, so rebuild the panel from 2006-01 (--from 2006-01) to keep it consistent"
            )
        out.append(f"written: {self.written}" if self.written else "nothing to write: the panel is current")
        return out


def month_code(month: str) -> str:
    """``2026M06`` -> ``2026-06`` (and ``2026-06`` as it is)."""
    text = str(month).strip()
    return f"{text[:4]}-{text[5:7]}" if len(text) == 7 and text[4] in "Mm" else text


def _px_month(month: str) -> str:
    return f"{month[:4]}M{month[5:7]}"


# ----------------------------------------------------------------------------- HTTP
def _request(
    url: str,
    body: dict | None,
    *,
    retries: int,
    backoff: float,
    timeout: float,
    report: UpdateReport,
    sleep: Callable[[float], None],
) -> bytes:
    data = None if body is None else json.dumps(body).encode("utf-8")
    for attempt in range(retries + 1):
        request = urllib.request.Request(
            url,
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json", "User-Agent": "wassup-evaluation"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except http.client.IncompleteRead as exc:
            raise UpdateError(
                f"the answer of {url} was cut short ({len(exc.partial)} bytes received): "
                "try again (the panel is untouched)"
            ) from None
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code != 429 and exc.code < 500:
                raise UpdateError(
                    f"{url} answered HTTP {exc.code} ({exc.reason}): check the table "
                    "address and the query (the panel is untouched)"
                ) from None
            if attempt == retries:
                raise UpdateError(
                    f"{url} kept answering HTTP {exc.code} ({exc.reason}) after "
                    f"{retries + 1} tries: try again later (the panel is untouched)"
                ) from None
            wait = backoff * 2**attempt
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
            if retry_after and retry_after.strip().isdigit():
                wait = max(wait, float(retry_after))
            report.retries += 1
            sleep(wait)
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UpdateError(
                f"cannot reach {url}: {reason}. Check the network connection (the panel is untouched)"
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _json(raw: bytes, what: str) -> dict:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UpdateError(
            f"the {what} is not valid JSON ({str(exc).splitlines()[0]}; "
            f"{len(raw)} bytes received, perhaps cut short): the panel is untouched"
        ) from None


# ----------------------------------------------------------------------------- metadata
@dataclass
class Dimensions:
    area: str
    time: str
    content: str
    areas: list[str]
    months: list[str]  # YYYY-MM
    variables: list[str]


def read_metadata(meta: dict, variables: list[str]) -> Dimensions:
    """Dimension codes and values from the table's metadata (PxWeb v1 ``GET``)."""
    try:
        dims = meta["variables"]
        time_dim = next(d for d in dims if d.get("time"))
        content = next(d for d in dims if set(d["values"]) & set(variables))
        area = next(d for d in dims if d is not time_dim and d is not content)
    except (KeyError, StopIteration, TypeError):
        raise UpdateError(
            "the table's metadata do not have the expected dimensions (area, month, "
            "variables): the table has changed; the panel is untouched"
        ) from None
    if list(content["values"]) != list(variables):
        added = [v for v in content["values"] if v not in variables]
        removed = [v for v in variables if v not in content["values"]]
        raise UpdateError(
            "the table's variable list has changed"
            + (f"; added: {', '.join(added)}" if added else "")
            + (f"; removed: {', '.join(removed)}" if removed else "")
            + ("; same variables in another order" if not added and not removed else "")
            + ". Update data/public/statfin/variables.csv and the panel together (the panel "
            "is untouched)"
        )
    return Dimensions(
        area["code"],
        time_dim["code"],
        content["code"],
        list(area["values"]),
        [month_code(m) for m in time_dim["values"]],
        list(content["values"]),
    )


# ----------------------------------------------------------------------------- responses
def _number(value) -> float | None:
    if value is None:
        return None
    text = str(value).strip()
    if text in SUPPRESSED or text == "":
        return None
    return float(text)


def parse_response(body: dict, dims: Dimensions) -> pd.DataFrame:
    """A PxWeb response, v1 ``json`` or ``json-stat2``, as rows ``alue``, ``month`` and one
    column per variable (suppressed = missing)."""
    try:
        if "columns" in body and "data" in body:
            return _parse_v1(body, dims)
        if body.get("class") == "dataset" and "dimension" in body:
            return _parse_jsonstat2(body, dims)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise UpdateError(f"the response is malformed ({type(exc).__name__}: {exc}): the panel is untouched") from None
    raise UpdateError("the response is neither PxWeb json nor json-stat2: the panel is untouched")


def _parse_v1(body: dict, dims: Dimensions) -> pd.DataFrame:
    columns = body["columns"]
    keys = [c["code"] for c in columns if c.get("type") in ("d", "t")]
    values = [c["code"] for c in columns if c.get("type") == "c"]
    if set(values) != set(dims.variables):
        raise ValueError(f"content columns {values} are not the panel's variables")
    area_pos, time_pos = keys.index(dims.area), keys.index(dims.time)
    rows = []
    for record in body["data"]:
        if len(record["values"]) != len(values):
            raise ValueError(f"a row has {len(record['values'])} values for {len(values)} columns")
        rows.append(
            [record["key"][area_pos], month_code(record["key"][time_pos]), *[_number(v) for v in record["values"]]]
        )
    frame = pd.DataFrame(rows, columns=["alue", "month", *values])
    return frame[["alue", "month", *dims.variables]]


def _parse_jsonstat2(body: dict, dims: Dimensions) -> pd.DataFrame:
    ids, sizes = body["id"], body["size"]
    codes = []
    for dim_id, size in zip(ids, sizes):
        index = body["dimension"][dim_id]["category"]["index"]
        ordered = sorted(index, key=index.get) if isinstance(index, dict) else list(index)
        if len(ordered) != size:
            raise ValueError(f"dimension {dim_id} has {len(ordered)} categories for size {size}")
        codes.append(ordered)
    values = body["value"]
    total = int(np.prod(sizes))
    if isinstance(values, dict):  # the sparse form: position -> value
        dense = [None] * total
        for position, value in values.items():
            dense[int(position)] = value
        values = dense
    if len(values) != total:
        raise ValueError(f"{len(values)} values for {total} cells")
    grid = np.array([_number(v) if v is not None else np.nan for v in values], dtype=float).reshape(sizes)
    order = [ids.index(dims.area), ids.index(dims.time), ids.index(dims.content)]
    grid = grid.transpose(order)
    areas, months, variables = (codes[i] for i in order)
    frame = pd.DataFrame(grid.reshape(len(areas) * len(months), len(variables)), columns=variables)
    frame.insert(0, "month", np.tile([month_code(m) for m in months], len(areas)))
    frame.insert(0, "alue", np.repeat(areas, len(months)))
    return frame[["alue", "month", *dims.variables]]


# ----------------------------------------------------------------------------- the update
def _chunks(areas: list[str], months: list[str], n_variables: int, max_cells: int):
    """Queries of at most ``max_cells`` cells: whole months of every area where they fit."""
    per_month = len(areas) * n_variables
    if per_month <= max_cells:
        step = max(1, max_cells // per_month)
        for i in range(0, len(months), step):
            yield areas, months[i : i + step]
    else:
        step = max(1, max_cells // n_variables)
        for month in months:
            for i in range(0, len(areas), step):
                yield areas[i : i + step], [month]


def _write_panel(frame: pd.DataFrame, variables: list[str]) -> bytes:
    """The panel file's format: quoted area and month, numbers as written, missing as empty;
    gzip with no time stamp (the same content gives the same bytes)."""
    out = frame.copy()
    for v in variables:
        if v != "TYOTOSUUS":
            out[v] = out[v].astype("Int64")
    text = out.to_csv(index=False, lineterminator="\n", na_rep="")
    lines = text.split("\n")
    header = ",".join(f'"{c}"' for c in ["alue", "month", *variables])
    body = [
        f'"{line.split(",", 2)[0]}","{line.split(",", 2)[1]}",{line.split(",", 2)[2]}' for line in lines[1:] if line
    ]
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(("\n".join([header, *body]) + "\n").encode("utf-8"))
    return buffer.getvalue()


def update(
    table: str = "12r5",
    start: str | None = None,
    *,
    folder: str | Path | None = None,
    url: str | None = None,
    response_format: str = "json",
    max_cells: int = 100_000,
    retries: int = 5,
    backoff: float = 1.0,
    timeout: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
) -> UpdateReport:
    """Fetch the months after the panel's last (or from ``start``) and merge them in.

    Parameters
    ----------
    table : str
        A key of :data:`TABLES`.
    start : str, optional
        First month to fetch (``YYYY-MM``); earlier months than the panel's last are compared
        and revisions reported.  Default: the month after the panel's last.
    folder : path, optional
        The panel folder (default ``data/public/statfin/``).
    url : str, optional
        The table's PxWeb v1 address (default :data:`TABLES`; the tests use a loopback server).
    response_format : str
        ``json`` (PxWeb v1) or ``json-stat2``.

    Raises
    ------
    UpdateError
        With the reason; the panel is untouched.
    """
    if table not in TABLES:
        raise UpdateError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
    if response_format not in ("json", "json-stat2"):
        raise UpdateError("the response format must be json or json-stat2")
    folder = Path(folder) if folder is not None else STATFIN
    url = url or TABLES[table]
    try:
        panel = load_panel(folder)
    except PanelError as exc:
        raise UpdateError(str(exc)) from None
    report = UpdateReport()
    http = {"retries": retries, "backoff": backoff, "timeout": timeout, "report": report, "sleep": sleep}
    dims = read_metadata(_json(_request(url, None, **http), "table's metadata"), panel.variables)
    last = str(panel.months[-1])
    first_wanted = start or str(pd.Period(last, freq="M") + 1)
    months = [m for m in dims.months if m >= first_wanted]
    known = set(panel.areas["code"])
    areas = [a for a in dims.areas if a in known]
    report.not_fetched_areas = [a for a in dims.areas if a not in known]
    report.areas_gone = sorted(set(panel.data["area"]) - set(dims.areas))
    if not months:
        return report
    frames = []
    for chunk_areas, chunk_months in _chunks(areas, months, len(dims.variables), max_cells):
        query = {
            "query": [
                {"code": dims.area, "selection": {"filter": "item", "values": chunk_areas}},
                {"code": dims.time, "selection": {"filter": "item", "values": [_px_month(m) for m in chunk_months]}},
                {"code": dims.content, "selection": {"filter": "item", "values": dims.variables}},
            ],
            "response": {"format": response_format},
        }
        report.queries += 1
        got = parse_response(_json(_request(url, query, **http), "response"), dims)
        # only what was asked for (a service may answer more)
        frames.append(got.loc[got["month"].isin(chunk_months) & got["alue"].isin(chunk_areas)])
    fetched = pd.concat(frames, ignore_index=True)
    if fetched.duplicated(["alue", "month"]).any():
        raise UpdateError("the responses hold an area and month twice: the panel is untouched")
    old = pd.read_csv(panel.path, dtype={"alue": str, "month": str})
    merged = old.set_index(["alue", "month"])
    incoming = fetched.set_index(["alue", "month"])[dims.variables]
    overlap = incoming.index.intersection(merged.index)
    for key in overlap:
        before, after = merged.loc[key, dims.variables], incoming.loc[key]
        for v in dims.variables:
            b, a = before[v], after[v]
            if not ((pd.isna(b) and pd.isna(a)) or (pd.notna(b) and pd.notna(a) and float(b) == float(a))):
                report.revised.append(
                    (key[0], key[1], v, None if pd.isna(b) else float(b), None if pd.isna(a) else float(a))
                )
    report.new_months = sorted(set(fetched["month"]) - set(old["month"]))
    if not report.new_months and not report.revised:
        return report
    merged = pd.concat([merged.drop(index=overlap).astype("float64"), incoming.astype("float64")]).reset_index()
    merged = merged.sort_values(["alue", "month"], kind="stable")[["alue", "month", *dims.variables]]
    payload = _write_panel(merged, dims.variables)
    staging = folder / f".candidate-{PANEL_FILE}"  # the .gz ending tells the reader to decompress
    staging.write_bytes(payload)
    try:
        load_panel(folder, file=staging)  # the merged panel must pass the loader's rules
    except PanelError as exc:
        raise UpdateError(f"the merged panel would break its rules, so it was not written:\n{exc}") from None
    finally:
        staging.unlink(missing_ok=True)
    report.written = write_atomic(folder / PANEL_FILE, payload)
    return report


def main(argv: list[str]) -> int:
    """``python -m evaluation statfin update [--table 12r5] [--from YYYY-MM] ...``."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m evaluation statfin")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("update", help="fetch new months of the official panel from the StatFin PxWeb API")
    p.add_argument("--table", default="12r5", choices=sorted(TABLES))
    p.add_argument(
        "--from",
        dest="start",
        metavar="YYYY-MM",
        help="first month to fetch (default: after the panel's last; earlier months are revisions)",
    )
    p.add_argument("--format", dest="response_format", default="json", choices=("json", "json-stat2"))
    p.add_argument("--url", help="the table's PxWeb v1 address (default: Statistics Finland's)")
    p.add_argument("--folder", type=Path, help="the panel folder (default data/public/statfin/)")
    p.add_argument("--max-cells", type=int, default=100_000, help="cells per query (the service's limit)")
    args = parser.parse_args(argv)
    try:
        report = update(
            args.table,
            args.start,
            folder=args.folder,
            url=args.url,
            response_format=args.response_format,
            max_cells=args.max_cells,
        )
    except UpdateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0

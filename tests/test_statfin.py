"""The StatFin importer end to end against a loopback HTTP server (127.0.0.1 only; no test
touches the internet).  The server answers with the stored real response of the live PxWeb API
(table 12r5, 2026M06, tests/reference/statfin/) or with a json-stat2 rendering of the same
values built here, and misbehaves on cue: HTTP 429 then success, 500 forever, a truncated body.
"""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from evaluation.official import PANEL_FILE, load_panel
from evaluation.paths import ROOT, STATFIN
from evaluation.statfin import UpdateError, update

STORED = ROOT / "tests" / "reference" / "statfin" / "pxweb_v1_json_12r5_2026M06.json"


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(STORED.read_text(encoding="utf-8"))


def _metadata(stored: dict, months=("2026M04", "2026M05", "2026M06"), variables=None) -> dict:
    areas = [row["key"][0] for row in stored["data"]]
    return {
        "title": "12r5",
        "variables": [
            {"code": "Alue", "text": "Alue", "values": areas, "valueTexts": areas},
            {
                "code": "timeperiod_m",
                "text": "Kuukausi",
                "values": list(months),
                "valueTexts": list(months),
                "time": True,
            },
            {
                "code": "Tiedot",
                "text": "Tiedot",
                "values": variables or [c["code"] for c in stored["columns"] if c["type"] == "c"],
            },
        ],
    }


def _jsonstat2(stored: dict) -> dict:
    """The stored v1 values as json-stat2 (ids in the order Tiedot, Alue, timeperiod_m, unlike v1)."""
    variables = [c["code"] for c in stored["columns"] if c["type"] == "c"]
    areas = [row["key"][0] for row in stored["data"]]
    values = []
    for v in range(len(variables)):
        for row in stored["data"]:
            cell = row["values"][v]
            values.append(None if cell in ("...", "..") else float(cell))
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ["Tiedot", "Alue", "timeperiod_m"],
        "size": [len(variables), len(areas), 1],
        "dimension": {
            "Tiedot": {"category": {"index": {c: i for i, c in enumerate(variables)}}},
            "Alue": {"category": {"index": {a: i for i, a in enumerate(areas)}}},
            "timeperiod_m": {"category": {"index": {"2026M06": 0}}},
        },
        "value": values,
    }


class Server:
    """A loopback PxWeb stand-in: ``script`` is a list of (status, body bytes) answers to POSTs
    (the last repeats); GET answers the metadata."""

    def __init__(self, metadata: dict, script: list[tuple[int, bytes]]):
        self.metadata, self.script, self.posts, self.queries = metadata, list(script), 0, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: bytes, headers=None):
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._send(200, json.dumps(outer.metadata).encode())

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                outer.queries.append(json.loads(self.rfile.read(length)))
                status, body = outer.script[min(outer.posts, len(outer.script) - 1)]
                outer.posts += 1
                if status == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    return
                self._send(status, body, {"Retry-After": "0"} if status == 429 else None)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/PxWeb/api/v1/fi/StatFin/tyonv/statfin_tyonv_pxt_12r5.px"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def folder(tmp_path, stored) -> Path:
    """A panel folder whose panel holds 2026-04 and 2026-05 for the areas of the stored response
    that the committed area list knows (the values: the stored 2026-06 ones, a placeholder)."""
    target = tmp_path / "statfin"
    target.mkdir()
    for name in ("areas.csv", "variables.csv", "municipality_key_2022.csv"):
        shutil.copy(STATFIN / name, target / name)
    known = set(pd.read_csv(STATFIN / "areas.csv", dtype=str)["code"])
    variables = [c["code"] for c in stored["columns"] if c["type"] == "c"]
    lines = [",".join(f'"{c}"' for c in ["alue", "month", *variables])]
    for row in sorted(stored["data"], key=lambda r: r["key"][0]):
        if row["key"][0] not in known:
            continue
        cells = ["" if v in ("...", "..") else v for v in row["values"]]
        for month in ("2026-04", "2026-05"):
            lines.append(f'"{row["key"][0]}","{month}",' + ",".join(cells))
    with gzip.open(target / PANEL_FILE, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return target


def _no_sleep(seconds):
    pass


def test_stored_real_response_is_merged(folder, stored):
    before = load_panel(folder)
    with Server(_metadata(stored), [(200, STORED.read_bytes())]) as server:
        report = update(folder=folder, url=server.url, sleep=_no_sleep)
    assert report.new_months == ["2026-06"] and report.revised == [] and report.queries == 1
    # the query used the dimension codes of the metadata, never constants
    assert [q["code"] for q in server.queries[0]["query"]] == ["Alue", "timeperiod_m", "Tiedot"]
    assert server.queries[0]["query"][1]["selection"]["values"] == ["2026M06"]
    assert sorted(report.not_fetched_areas) == ["ELY80", "ELYJO", "KU199", "KUJOU", "MK91", "MKJO", "SK902", "SKJOU"]
    after = load_panel(folder)
    assert len(after.data) == len(before.data) + before.data["area"].nunique()
    june = after.data.loc[after.data["month"] == pd.Period("2026-06", "M")].set_index("area")
    # values as the stored response gives them: KU020 1,013 unemployed, 12.8 % rate in SSS,
    # KU020 KOKEILULOP "..." (suppressed): missing, never zero
    assert june.at["KU020", "TYOTTOMATLOPUSSA"] == 1013 and june.at["SSS", "TYOTOSUUS"] == 12.8
    assert pd.isna(june.at["KU020", "KOKEILULOP"])
    assert june.at["SSS", "TYOTTOMATLOPUSSA"] == 352_001
    # run again: the panel is current, nothing is written
    with Server(_metadata(stored), [(200, STORED.read_bytes())]) as server:
        again = update(folder=folder, url=server.url, sleep=_no_sleep)
    assert again.written is None and server.posts == 0


def test_json_stat2_gives_the_same_panel(folder, stored, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    with Server(_metadata(stored), [(200, STORED.read_bytes())]) as server:
        update(folder=folder, url=server.url, sleep=_no_sleep)
    with Server(_metadata(stored), [(200, json.dumps(_jsonstat2(stored)).encode())]) as server:
        update(folder=other, url=server.url, response_format="json-stat2", sleep=_no_sleep)
        assert server.queries[0]["response"] == {"format": "json-stat2"}
    assert (other / PANEL_FILE).read_bytes() == (folder / PANEL_FILE).read_bytes()


def test_revisions_are_reported(folder, stored):
    revised = json.loads(STORED.read_text(encoding="utf-8"))
    row = next(r for r in revised["data"] if r["key"][0] == "KU071")
    row["key"][1] = "2026M05"  # the server now gives May, with one value changed
    row["values"][1] = str(int(row["values"][1]) + 3)
    revised["data"] = [row]
    with Server(_metadata(stored, months=("2026M05",)), [(200, json.dumps(revised).encode())]) as server:
        report = update(start="2026-05", folder=folder, url=server.url, sleep=_no_sleep)
    original = int(next(r for r in stored["data"] if r["key"][0] == "KU071")["values"][1])
    assert report.revised == [("KU071", "2026-05", "TYOTTOMATLOPUSSA", original, original + 3)]
    assert report.new_months == []


def test_429_then_success_is_retried(folder, stored):
    with Server(_metadata(stored), [(429, b"busy"), (200, STORED.read_bytes())]) as server:
        report = update(folder=folder, url=server.url, sleep=_no_sleep)
    assert report.retries == 1 and server.posts == 2 and report.new_months == ["2026-06"]


@pytest.mark.parametrize(
    "script, words",
    [
        ([(500, b"oops")], "kept answering HTTP 500"),
        ([("truncated", STORED.read_bytes())], "was cut short"),
        ([(200, STORED.read_bytes()[:5000])], "is not valid JSON"),
        ([(200, b'{"columns": [], "data": [{"key": ["SSS"]}]}')], "malformed"),
    ],
)
def test_failures_leave_the_panel_untouched(folder, stored, script, words):
    before = (folder / PANEL_FILE).read_bytes()
    waits = []
    with Server(_metadata(stored), script) as server:
        with pytest.raises(UpdateError, match=words) as info:
            update(folder=folder, url=server.url, retries=3, backoff=0.5, sleep=waits.append)
    assert "the panel is untouched" in str(info.value)
    assert (folder / PANEL_FILE).read_bytes() == before
    assert not list(folder.glob(".*"))
    if script[0][0] == 500:
        assert server.posts == 4 and waits == [0.5, 1.0, 2.0]  # exponential backoff


def test_a_changed_variable_list_stops_the_update(folder, stored):
    before = (folder / PANEL_FILE).read_bytes()
    variables = [c["code"] for c in stored["columns"] if c["type"] == "c"][:-1] + ["UUSIMUUTTUJA"]
    with Server(_metadata(stored, variables=variables), [(200, STORED.read_bytes())]) as server:
        with pytest.raises(UpdateError, match="variable list has changed; added: UUSIMUUTTUJA; removed: UUDETAVP"):
            update(folder=folder, url=server.url, sleep=_no_sleep)
        assert server.posts == 0
    assert (folder / PANEL_FILE).read_bytes() == before


def test_no_network_gives_a_clear_message(folder):
    with pytest.raises(UpdateError, match="cannot reach http://127.0.0.1:9/"):
        update(folder=folder, url="http://127.0.0.1:9/x.px", sleep=_no_sleep, timeout=5)


def test_queries_are_split_under_the_cell_limit(folder, stored):
    with Server(_metadata(stored), [(200, STORED.read_bytes())]) as server:
        report = update(folder=folder, url=server.url, sleep=_no_sleep, max_cells=23 * 100)
    assert report.queries == 5  # 413 areas x 23 variables in blocks of 100 areas
    assert all(len(q["query"][0]["selection"]["values"]) * 23 <= 2300 for q in server.queries)
    assert report.new_months == ["2026-06"]

"""Consistent scans: while another client adds, changes and deletes records, a scan returns
every record that existed unchanged throughout exactly once, with each read strategy (README,
"How queries run"): the full scan read as concurrent id ranges, pages sought by $id after a
pushed condition, descending pages, pages under a pushed LIMIT (read one ahead), and a table
a statement scans repeatedly (read whole once)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

RECORDS = 1500

FIXTURE = {
    "users": [{"code": "u", "name": "U", "password": "pw"}],
    "apps": [
        {
            "id": 1,
            "name": "Ledger",
            "fields": {
                "n": {"type": "NUMBER", "label": "N"},
                "v": {"type": "NUMBER", "label": "V"},
            },
            "records": [{"n": {"value": str(i)}, "v": {"value": "0"}} for i in range(RECORDS)],
        }
    ],
}

#: The read strategies, each a query returning Id (and the first value column for joins).
SCANS = {
    "id ranges": "SELECT Id FROM Ledger",
    "pushed condition": "SELECT Id FROM Ledger WHERE N >= 0",
    "descending": "SELECT Id FROM Ledger ORDER BY Id DESC",
    "pushed LIMIT": "SELECT Id FROM Ledger WHERE Id > 0 ORDER BY Id LIMIT 100000",
    "read whole once": "SELECT a.Id FROM Ledger a WHERE a.Id IN (SELECT b.Id FROM Ledger b)",
}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    # Latency spreads a scan over many requests' time, so that the writes land in between.
    with Simulator(FIXTURE, latency=0.01) as s:
        yield s


@pytest.mark.parametrize("strategy", list(SCANS))
def test_scan_while_others_write(sim: Simulator, strategy: str) -> None:
    props = {"Url": sim.url, "User": "u", "Password": "pw"}
    # The page sizes tell the reader's requests from the writer's in the simulator's log.
    # Two id ranges at a time: the scan's requests spread over the consumer's pace.
    reader = mod.connect(**props, Pagesize=50, ScanParallelism=2)
    writer = mod.connect(**props, Pagesize=100)
    touched: set[int] = set()  # ids the writer changed or deleted (new ones are not in ids)
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        rng = random.Random(strategy)
        cur = writer.cursor()
        try:
            while not stop.is_set():
                victim = rng.randrange(1, RECORDS + 1)
                touched.add(victim)
                if rng.random() < 0.5:
                    cur.execute("UPDATE Ledger SET V = V + 1 WHERE Id = ?", [victim])
                else:
                    cur.execute("DELETE FROM Ledger WHERE Id = ?", [victim])
                cur.execute("INSERT INTO Ledger (N, V) VALUES (?, 0)", [rng.randrange(RECORDS)])
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        time.sleep(0.05)
        cur = reader.cursor().execute(SCANS[strategy])
        got: Counter[int] = Counter()
        while batch := cur.fetchmany(20):
            got.update(r[0] for r in batch)
            time.sleep(0.005)  # a slow consumer: the scan's requests spread over the writes
    finally:
        stop.set()
        thread.join()
        reader.close()
        writer.close()
    assert errors == []
    log = sim.requests()
    reads = [i for i, r in enumerate(log) if "limit 50" in r.get("query", "")]
    writes = [r for r in log[reads[0] : reads[-1]] if r["method"] == "POST"]
    assert len(writes) >= 5, f"{len(writes)} writes between the scan's first and last request"
    stable = set(range(1, RECORDS + 1)) - touched
    assert [i for i in stable if got[i] != 1] == []
    assert [i for i, n in got.items() if n > 1] == []

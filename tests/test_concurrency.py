"""Concurrency as declared: ``threadsafety = 2`` (threads share connections, not cursors),
several simulators and connections in one process sharing nothing, and worker processes
started with ``spawn`` (multiprocessing and concurrent.futures) using the driver. Forked
children get a clear error instead (tests/test_integration.py, tests/test_import.py)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

THREADS = 16
ROUNDS = 6


@pytest.fixture
def sims() -> Iterator[list[Simulator]]:
    with Simulator(order_records=10) as a, Simulator(order_records=10) as b:
        yield [a, b]


def test_many_threads_share_connections(sims: list[Simulator]) -> None:
    """16 threads on 4 connections to 2 simulators: each reads, writes its own rows, updates
    and deletes some, and cancels a statement of its own from a timer thread now and then
    (cancelled or finished: either is fine); every read is consistent with
    what the thread itself wrote, and afterwards each simulator holds exactly the rows the
    threads that used it left."""
    conns = [mod.connect(s.connection_string) for s in sims for _ in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(k: int) -> None:
        conn = conns[k % len(conns)]
        tag = f"thread-{k}"
        try:
            start.wait()
            cur = conn.cursor()
            cur.fetch_batch_size = 7
            for i in range(ROUNDS):
                cur.execute("INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", [tag, i])
                mine = cur.execute(
                    "SELECT Amount FROM Deals WHERE [Deal name] = ? ORDER BY Id", [tag]
                ).fetchall()
                assert [r[0] for r in mine] == list(range(i + 1)), mine
                ids = cur.execute("SELECT Id FROM Deals WHERE Id <= 300").fetchall()
                assert [r[0] for r in ids] == list(range(1, 301))
                if i % 3 == 2:
                    other = conn.cursor()
                    timer = threading.Timer(0.01, other.cancel)
                    timer.start()
                    with contextlib.suppress(mod.StatementCancelled):
                        other.execute("SELECT count(*) FROM Deals a, Deals b WHERE a.Id <= 50")
                    timer.join()
            cur.execute("UPDATE Deals SET Amount = Amount + 100 WHERE [Deal name] = ?", [tag])
            cur.execute("DELETE FROM Deals WHERE [Deal name] = ? AND Amount >= 103", [tag])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    for i, sim in enumerate(sims):
        with mod.connect(sim.connection_string) as check:
            rows = check.execute(
                "SELECT [Deal name], Amount FROM Deals WHERE [Deal name] LIKE 'thread-%'"
            ).fetchall()
        used = [k for k in range(THREADS) if (k % len(conns)) // 2 == i]
        assert Counter(map(tuple, rows)) == Counter(
            (f"thread-{k}", 100 + a) for k in used for a in range(3)
        )
    for c in conns:
        c.close()


def count_deals(connection_string: str) -> int:
    """A worker process's job: connect and count (it must be importable by spawned workers)."""
    with mod.connect(connection_string) as conn:
        [(count,)] = conn.execute("SELECT count(*) FROM Deals").fetchall()
        return int(count)


def test_spawn_workers_use_the_driver(sims: list[Simulator]) -> None:
    # The parent has loaded the core (the simulators run in it); spawned workers load their own.
    ctx = multiprocessing.get_context("spawn")
    strings = [s.connection_string for s in sims]
    with ctx.Pool(2) as pool:
        assert pool.map(count_deals, strings) == [2000, 2000]
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        assert list(ex.map(count_deals, strings * 2)) == [2000] * 4

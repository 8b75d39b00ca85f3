"""The native surface as a user meets it: the built module exports what pybind.go declares,
long calls return in bounded slices (Ctrl-C and cancel() stop them, the connection stays
usable), executemany is one call, and the core's HTTP log reaches :mod:`logging`.

All against the installed package and a real simulator over loopback; slowness comes from the
simulator's fault rules (a delayed reply).
"""

from __future__ import annotations

import inspect
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone import _native
from cdata_kintone._surface import FUNCTIONS, NativeCore
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture
def conn(sim: Simulator) -> Iterator[mod.Connection]:
    sim.clear_faults()
    c = mod.connect(sim.connection_string)
    yield c
    c.close()
    sim.clear_faults()


def test_module_exports_exactly_the_declared_functions() -> None:
    core = _native.load()
    exported = {n for n in dir(core) if n[:1].isupper() and callable(getattr(core, n))}
    assert exported == set(FUNCTIONS)
    declared = {
        n for n, _ in inspect.getmembers(NativeCore, inspect.isfunction) if not n.startswith("_")
    }
    assert declared == set(FUNCTIONS)


def test_ctrl_c_stops_a_slow_fetch_and_the_connection_stays_usable(
    sim: Simulator, conn: mod.Connection
) -> None:
    cur = conn.cursor()
    [(count,)] = cur.execute("SELECT COUNT(*) FROM Deals").fetchall()
    sim.add_fault(path="/k/v1/records.json", times=1, delay=30)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            cur.execute("SELECT * FROM Deals").fetchall()
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 2.0  # the kintone reply would take 30 s
    sim.clear_faults()
    assert cur.execute("SELECT COUNT(*) FROM Deals").fetchone() == (count,)


def test_cursor_cancel_from_another_thread(sim: Simulator, conn: mod.Connection) -> None:
    sim.add_fault(path="/k/v1/records.json", times=1, delay=30)
    cur = conn.cursor()
    threading.Timer(0.3, cur.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(mod.StatementCancelled) as info:
        cur.execute("SELECT * FROM Deals")
    assert isinstance(info.value, mod.OperationalError)
    assert info.value.kind == "cancelled"
    assert time.monotonic() - t0 < 2.0
    assert cur.execute("SELECT 1").fetchall() == [(1,)]


def test_connection_cancel_stops_what_runs_on_it(sim: Simulator, conn: mod.Connection) -> None:
    sim.add_fault(path="/k/v1/records.json", times=1, delay=30)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            conn.cursor().execute("SELECT * FROM Deals").fetchall()
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=read)
    worker.start()
    time.sleep(0.3)
    conn.cancel()
    worker.join(5)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], mod.StatementCancelled)
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_executemany_runs_every_row_and_stops_at_the_first_error(conn: mod.Connection) -> None:
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
    cur.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"v{i}") for i in range(1000)])
    assert cur.rowcount == 1000
    with pytest.raises(mod.IntegrityError):
        cur.executemany("INSERT INTO t VALUES (?, 'x')", [(1000,), (5,), (1001,)])
    assert cur.execute("SELECT COUNT(*), MAX(a) FROM t").fetchone() == (1001, 1000)
    with pytest.raises(mod.ProgrammingError, match="return no rows"):
        cur.executemany("SELECT ?", [(1,)])
    cur.executemany("DELETE FROM t WHERE a = ?", iter(()))
    assert cur.rowcount == 0


def test_http_requests_are_logged_at_debug(
    conn: mod.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    conn.execute("SELECT Id FROM Deals").fetchall()
    assert not [r for r in caplog.records if r.name == "cdata_kintone.http"]
    with caplog.at_level(logging.DEBUG, logger="cdata_kintone"):
        conn.execute("SELECT Id FROM Deals").fetchall()
    http = [r for r in caplog.records if r.name == "cdata_kintone.http"]
    assert http and all(r.levelno == logging.DEBUG for r in http)
    assert any("GET /k/v1/records.json (app 2) -> HTTP 200 in " in r.getMessage() for r in http)
    assert all(abs(r.created - time.time()) < 60 for r in http)


def test_cancel_right_after_execute_starts(sim: Simulator, conn: mod.Connection) -> None:
    """A cancel() before the core has answered with the statement's handle is not lost."""
    sim.add_fault(path="/k/v1/records.json", times=1, delay=30)
    cur = conn.cursor()
    threading.Timer(0.01, cur.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(mod.StatementCancelled):
        cur.execute("SELECT * FROM Deals")
    assert time.monotonic() - t0 < 2.0


def test_cancel_stops_work_in_memory(conn: mod.Connection) -> None:
    """A statement busy with rows already in memory (a table scanned once per outer row)
    stops on cancel too."""
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM Deals").fetchall()
    threading.Timer(0.5, cur.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(mod.StatementCancelled):
        cur.execute(
            "SELECT COUNT(*) FROM Deals a, Deals b, Deals c WHERE a.Amount + b.Amount > c.Amount"
        ).fetchall()
    assert time.monotonic() - t0 < 3.0
    assert cur.execute("SELECT 1").fetchone() == (1,)

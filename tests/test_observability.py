"""What the driver tells about itself: log records (Python's logging and the Logfile property),
the requests each statement sent, EXPLAIN KINTONE and progress, as a user sees them."""

from __future__ import annotations

import base64
import io
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import cdata_kintone as mod
from cdata_kintone import _activity
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG, logger="cdata_kintone"):
        yield caplog


def _workload(conn: mod.Connection) -> None:
    """Reads with conditions, a join, and writes: every kind of record the driver logs."""
    cur = conn.cursor()
    cur.execute("SELECT Id FROM Deals WHERE Stage = ? AND [Deal name] <> 'x' LIMIT 3", ["Won"])
    cur.fetchall()
    cur.execute(
        "SELECT d.Id FROM Deals d JOIN [顧客リスト] c ON c.[会社名] = d.Customer WHERE d.Id < 5"
    ).fetchall()
    cur.execute("INSERT INTO Deals ([Deal name], Stage) VALUES ('secret-deal', 'Lead')")
    new_id = cur.lastrowid
    cur.execute("UPDATE Deals SET [Deal name] = 'renamed' WHERE Id = ?", [new_id])
    cur.execute("DELETE FROM Deals WHERE Id = ?", [new_id])


def _secrets(sim: Simulator, conn_str: str) -> list[str]:
    """What must never be logged: the password, its Base64 login header, the API tokens."""
    out = [sim.password, base64.b64encode(f"{sim.user}:{sim.password}".encode()).decode()]
    for part in conn_str.split(";"):
        name, _, value = part.partition("=")
        if name == "APIToken":
            out.extend(value.split(","))
    return [s for s in out if s]


@pytest.mark.parametrize("auth", ["password", "token"])
def test_a_verbose_log_holds_no_secret(
    sim: Simulator, tmp_path: Path, debug_logs: pytest.LogCaptureFixture, auth: str
) -> None:
    conn_str = sim.connection_string if auth == "password" else sim.token_connection_string()
    logfile = tmp_path / "kintone.log"
    with mod.connect(conn_str, Logfile=str(logfile), Verbosity=5) as conn:
        _workload(conn)
    text = logfile.read_text(encoding="utf-8")
    captured = "\n".join(r.getMessage() for r in debug_logs.records)
    for kind in ("connection", "http", "pushdown"):
        assert f" cdata_kintone.{kind}: " in text, kind
    # Verbosity 5 holds the kintone queries (record data), never a credential.
    assert 'stage in ("Won")' in text
    for secret in _secrets(sim, conn_str):
        assert secret not in text
        assert secret not in captured


def test_below_verbosity_3_records_hold_no_record_data(
    conn: mod.Connection, debug_logs: pytest.LogCaptureFixture
) -> None:
    conn.execute("SELECT Id FROM Deals WHERE [Deal name] = 'needle-value'").fetchall()
    messages = [(r.name, r.getMessage()) for r in debug_logs.records]
    assert ("cdata_kintone.pushdown", 'Deals: sends "Deal name" =') in messages
    http = [m for name, m in messages if name == "cdata_kintone.http"]
    assert any(m.startswith("GET /k/v1/records.json (app 2) -> HTTP 200 in ") for m in http)
    assert not any("needle-value" in m for _, m in messages)


def test_connection_records_say_where_and_as_whom(
    sim: Simulator, debug_logs: pytest.LogCaptureFixture
) -> None:
    with mod.connect(sim.connection_string) as conn:
        conn.execute("SELECT 1").fetchall()
    opened, closed = [r.getMessage() for r in debug_logs.records if r.name.endswith("connection")]
    assert opened.startswith(f"connected to {sim.url} as {sim.user} in ")
    assert opened.endswith("; 3 apps")  # the fourth is in a guest space
    assert closed.startswith("closed the connection after 1 requests (")
    assert sim.password not in closed


def test_the_logfile_is_private_rotated_and_filtered(sim: Simulator, tmp_path: Path) -> None:
    logfile = tmp_path / "k.log"
    props = {"Logfile": str(logfile), "Verbosity": 2, "MaxLogFileSize": "1KB"}
    with mod.connect(sim.connection_string, LogModules="HTTP", **props) as conn:
        for _ in range(8):
            conn.execute("SELECT Id FROM Deals WHERE Id = 1").fetchall()
    assert stat.S_IMODE(os.stat(logfile).st_mode) == 0o600
    rotated = tmp_path / "k.log.1"
    assert rotated.exists() and stat.S_IMODE(os.stat(rotated).st_mode) == 0o600
    assert logfile.stat().st_size <= 1024
    lines = (rotated.read_text() + logfile.read_text()).splitlines()
    assert lines and all(" DEBUG cdata_kintone.http: GET /k/v1/" in line for line in lines)
    assert not (tmp_path / "k.log.5").exists()


def test_at_verbosity_1_the_logfile_gets_connections_only(sim: Simulator, tmp_path: Path) -> None:
    logfile = tmp_path / "k.log"
    with mod.connect(sim.connection_string, Logfile=str(logfile)) as conn:
        conn.execute("SELECT Id FROM Deals LIMIT 1").fetchall()
    lines = logfile.read_text().splitlines()
    assert len(lines) == 2
    assert " INFO cdata_kintone.connection: connected to " in lines[0]
    assert " INFO cdata_kintone.connection: closed the connection after " in lines[1]


def test_a_logfile_that_cannot_be_opened_is_an_interface_error(
    sim: Simulator, tmp_path: Path
) -> None:
    path = tmp_path / "missing" / "k.log"
    with pytest.raises(mod.InterfaceError, match=f"cannot open the Logfile {path}"):
        mod.connect(sim.connection_string, Logfile=str(path))


def test_bad_logging_properties_are_refused(sim: Simulator) -> None:
    with pytest.raises(mod.InterfaceError, match="unknown module"):
        mod.connect(sim.connection_string, LogModules="HTTP;SSL")
    with pytest.raises(mod.InterfaceError, match="MaxLogFileSize"):
        mod.connect(sim.connection_string, MaxLogFileSize="tiny")


def test_the_cursor_tells_what_each_statement_sent(conn: mod.Connection) -> None:
    cur = conn.cursor()
    before = conn.requests_by_app
    cur.execute("SELECT Id, [Deal name] FROM Deals WHERE Id <= ?", [3]).fetchall()
    reqs = cur.kintone_requests
    assert [(r.method, r.path, r.app) for r in reqs] == [
        ("GET", "/k/v1/app/form/fields.json", 2),
        ("GET", "/k/v1/records.json", 2),
    ]
    read = reqs[1]
    assert read.query == "$id <= 3 order by $id asc limit 500"
    # Only the fields the statement reads are asked for.
    assert (read.records, read.status, read.error) == (3, 200, None)
    assert read.fields is not None and sorted(read.fields) == ["$id", "deal_name"]
    assert read.ms > 0
    assert isinstance(read, mod.KintoneRequest)

    cur.executemany(
        "INSERT INTO Deals ([Deal name], Stage) VALUES (?, 'Lead')", [(f"d{i}",) for i in range(3)]
    )
    (write,) = cur.kintone_requests
    assert (write.method, write.path, write.app, write.records) == (
        "POST", "/k/v1/bulkRequest.json", 2, 3,
    )
    cur.execute("SELECT 1")
    assert cur.kintone_requests == []

    after = conn.requests_by_app
    assert after[2] == before.get(2, 0) + 3
    assert after[None] == before[None]  # listing the apps, at connect


def test_explain_shows_what_goes_to_kintone_without_reading(
    sim: Simulator, conn: mod.Connection
) -> None:
    cur = conn.cursor()
    cur.execute("SELECT 1 FROM Deals LIMIT 1").fetchall()  # the table is known
    sim.reset_requests()
    rows = cur.explain(
        "SELECT Id FROM Deals WHERE Stage = ? AND Probability > 50 ORDER BY Amount LIMIT 5", ["Won"]
    ).fetchall()
    assert [d[0] for d in cur.description or ()] == [
        "id", "parent", "step", "table_name", "kintone_query", "sent", "local",
    ]
    scan, sort = rows
    assert scan[2:] == (
        "SCAN Deals",
        "Deals",
        'stage in ("Won") and probability > 50 order by $id asc limit 500',
        "\"Stage\" = 'Won' AND \"Probability\" > 50",
        None,
    )
    assert sort[2] == "USE TEMP B-TREE FOR ORDER BY" and sort[3] is None
    assert sim.requests() == []
    assert cur.execute("EXPLAIN KINTONE SELECT Id FROM Deals WHERE Id = 1").fetchall()
    with pytest.raises(mod.NotSupportedError, match="explains queries"):
        cur.explain("DELETE FROM Deals")


def test_progress_callable_hears_every_request(conn: mod.Connection) -> None:
    heard: list[mod.KintoneRequest] = []
    conn.progress = heard.append
    cur = conn.execute("SELECT Id FROM Deals")
    rows = cur.fetchall()
    assert heard == cur.kintone_requests
    assert sum(r.records for r in heard if r.path == "/k/v1/records.json") >= len(rows)


def test_progress_bar_shows_in_a_terminal_only(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    bars = io.StringIO()
    monkeypatch.setattr(sys, "stderr", bars)
    with mod.connect(sim.connection_string, progress=True) as conn:
        conn.execute("SELECT Id FROM Deals").fetchall()
        assert bars.getvalue() == ""  # not a terminal
        monkeypatch.setattr(_activity, "_interactive", lambda: True)
        monkeypatch.setattr(_activity.Progress, "BAR_DELAY", 0)
        n = len(conn.execute("SELECT Id FROM Deals").fetchall())
    # The records received: the rows, and the one that tells where the table's ids end.
    assert f"reading from kintone: {n + 1} records [" in bars.getvalue()


def test_progress_true_needs_tqdm(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    with pytest.raises(ImportError, match=r"cdata-kintone\[progress\]"):
        mod.connect(sim.connection_string, progress=True)
    with pytest.raises(TypeError, match="progress must be"):
        mod.connect(sim.connection_string, progress="yes")

"""End-to-end tests: the installed package, the Go core and the simulator over loopback."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

import cdata.kintone as mod
import cdata_kintone
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

SIM_PASSWORD_HINT = "kintone"


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture()
def conn(sim: Simulator) -> Iterator[Any]:
    with mod.connect(sim.connection_string) as c:
        yield c


def records_queries(sim: Simulator, app_id: int) -> list[str]:
    """The kintone queries sent to records.json for one app since the last reset."""
    return [
        r.get("query", "")
        for r in sim.requests()
        if r["path"].endswith("/records.json") and str(r.get("app")) == str(app_id)
    ]


def app_id(sim: Simulator, name: str) -> int:
    return int(next(a["id"] for a in sim.apps if a["name"] == name))


# --- the module -------------------------------------------------------------------------------


def test_alias_is_the_same_module() -> None:
    assert mod is cdata_kintone
    assert mod.apilevel == "2.0"
    assert mod.paramstyle == "qmark"
    assert mod.threadsafety


def test_connect_and_query(conn: Any) -> None:
    cur = conn.cursor()
    cur.execute("SELECT [Id], [Deal name] FROM [Deals] WHERE [Id] = ?", [3])
    assert cur.fetchall() == [
        (3, cur.connection.execute("SELECT [Deal name] FROM Deals WHERE Id = 3").fetchone()[0])
    ]
    assert [d[0] for d in cur.description] == ["Id", "Deal name"]
    assert cur.description[0][1] == mod.NUMBER
    assert cur.description[1][1] == mod.STRING


# --- results equal SQLite's over the same rows --------------------------------------------------


def _raw(v: Any) -> Any:
    """The SQLite storage value behind a converted Python value."""
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    return v


@pytest.fixture(scope="module")
def reference(sim: Simulator) -> Iterator[sqlite3.Connection]:
    """Python's own sqlite3 holding a copy of the Deals and Orders rows, with the same column
    affinities as the driver declares."""
    ref = sqlite3.connect(":memory:")
    with mod.connect(sim.connection_string) as c:
        for table, local in (("Deals", "d"), ("受注明細 Orders_明細", "i")):
            cur = c.execute(f"SELECT * FROM [{table}]")
            rows = cur.fetchall()
            types: dict[str, str] = dict(
                c.execute(
                    "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = ?",
                    [table],
                ).fetchall()
            )
            affinity = {"VARCHAR": "TEXT", "INTEGER": "INTEGER"}
            assert cur.description is not None
            names = [d[0] for d in cur.description]
            cols = ", ".join(f'"{n}" {affinity.get(types[n], "NUMERIC")}' for n in names)
            ref.execute(f"CREATE TABLE {local} ({cols})")
            marks = ", ".join("?" for _ in names)
            ref.executemany(
                f"INSERT INTO {local} VALUES ({marks})", [[_raw(v) for v in r] for r in rows]
            )
    yield ref
    ref.close()


QUERIES: list[tuple[str, list[Any]]] = [
    ("SELECT Id, Amount FROM %D WHERE Amount > ? AND Amount <= 3000000 ORDER BY Id", [2500000]),
    ("SELECT Id, Stage FROM %D WHERE Stage = ? AND Id < 300 ORDER BY Id DESC", ["Won"]),
    ("SELECT Id FROM %D WHERE Stage IN ('Won', 'Lost') AND Amount >= 1000000 ORDER BY Id", []),
    (
        "SELECT Id, [Close date] FROM %D WHERE [Close date] BETWEEN ? AND ? "
        "ORDER BY [Close date], Id",
        ["2026-01-01", "2026-03-31"],
    ),
    ("SELECT Id FROM %D WHERE [Last contact] IS NULL ORDER BY Id", []),
    ("SELECT Id, [Deal name] FROM %D WHERE [Deal name] LIKE '%Rollout%' ORDER BY Id LIMIT 20", []),
    ("SELECT Id FROM %D ORDER BY Id DESC LIMIT 7 OFFSET 3", []),
    ("SELECT Id, Amount FROM %D ORDER BY Amount DESC, Id LIMIT 10", []),
    (
        "SELECT Stage, COUNT(*), SUM(Amount), AVG(Probability) FROM %D "
        "GROUP BY Stage ORDER BY Stage",
        [],
    ),
    (
        "SELECT RecordId, SUM(小計) FROM %I WHERE RecordId <= 50 "
        "GROUP BY RecordId ORDER BY RecordId",
        [],
    ),
    ("SELECT 商品, COUNT(*) FROM %I GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5", []),
]


@pytest.mark.parametrize("sql,params", QUERIES)
def test_results_equal_sqlite(
    conn: Any, reference: sqlite3.Connection, sql: str, params: list[Any]
) -> None:
    live = sql.replace("%D", "[Deals]").replace("%I", "[受注明細 Orders_明細]")
    local = sql.replace("%D", "d").replace("%I", "i")
    got = [tuple(_raw(v) for v in row) for row in conn.execute(live, params).fetchall()]
    want = [tuple(row) for row in reference.execute(local, params).fetchall()]
    assert got == want


# --- what is sent to kintone ---------------------------------------------------------------------


def test_filter_order_and_limit_are_pushed(sim: Simulator, conn: Any) -> None:
    deals = app_id(sim, "Deals")
    conn.execute("SELECT 1 FROM Deals LIMIT 1").fetchall()  # declares the table
    sim.reset_requests()
    rows = conn.execute(
        "SELECT Id FROM Deals WHERE Id > ? ORDER BY Id DESC LIMIT 3 OFFSET 2", [1000]
    ).fetchall()
    assert rows == [(1998,), (1997,), (1996,)]
    assert records_queries(sim, deals) == ["$id > 1000 order by $id desc limit 3 offset 2"]

    sim.reset_requests()
    rows = conn.execute("SELECT Id FROM Deals WHERE Amount >= 4900000 AND Stage = 'Won'").fetchall()
    assert rows and all(isinstance(r[0], int) for r in rows)
    # >= is widened to the double below 4900000: kintone compares exact decimals, the driver
    # doubles (4899999.9999999999 is the double 4900000).
    assert records_queries(sim, deals) == [
        'amount >= 4899999.999999999 and stage in ("Won") order by $id asc limit 500'
    ]
    sim.reset_requests()
    conn.execute("SELECT Id FROM Deals WHERE Amount > 4900000 AND Stage = 'Won'").fetchall()
    assert records_queries(sim, deals) == [
        'amount > 4900000 and stage in ("Won") order by $id asc limit 500'
    ]


def test_values_are_escaped(sim: Simulator, conn: Any) -> None:
    deals = app_id(sim, "Deals")
    conn.execute("SELECT 1 FROM Deals LIMIT 1").fetchall()
    sim.reset_requests()
    hostile = '") or $id > "0'
    assert conn.execute("SELECT Id FROM Deals WHERE [Deal name] = ?", [hostile]).fetchall() == []
    assert records_queries(sim, deals) == [
        'deal_name = "\\") or $id > \\"0" order by $id asc limit 500'
    ]


def test_paging_past_10000_records(sim: Simulator, conn: Any) -> None:
    orders = app_id(sim, "受注明細 Orders")
    conn.execute("SELECT 1 FROM [受注明細 Orders] LIMIT 1").fetchall()
    sim.reset_requests()
    ids = [r[0] for r in conn.execute("SELECT Id FROM [受注明細 Orders]")]
    assert ids == list(range(1, 12001))
    queries = records_queries(sim, orders)
    # The first page, a probe for the largest id, then id ranges read four at a time.
    assert len(queries) == 25
    assert queries[0] == "order by $id asc limit 500"
    assert queries[1] == "order by $id desc limit 1"
    last = sorted(q for q in queries[2:] if q.endswith("$id <= 12000 order by $id asc limit 500"))
    assert last[0] == "$id > 10500 and $id <= 12000 order by $id asc limit 500"
    assert all("offset" not in q for q in queries)


# --- values --------------------------------------------------------------------------------------


def test_python_types(conn: Any) -> None:
    cur = conn.execute(
        "SELECT Amount, [Close date], [Last contact], [Call time], Channels, Owner "
        "FROM Deals WHERE [Last contact] IS NOT NULL AND [Call time] IS NOT NULL "
        "AND Channels IS NOT NULL ORDER BY Id LIMIT 1"
    )
    amount, close, last, call, channels, owner = cur.fetchone()
    assert isinstance(amount, decimal.Decimal)
    assert isinstance(close, dt.date) and not isinstance(close, dt.datetime)
    assert isinstance(last, dt.datetime) and last.utcoffset() == dt.timedelta(0)
    assert isinstance(call, dt.time)
    assert channels.startswith('["')
    assert owner.startswith('[{"code":')
    assert [d[1] for d in cur.description] == [
        mod.NUMBER, mod.DATETIME, mod.DATETIME, mod.DATETIME, mod.STRING, mod.STRING
    ]
    # expressions keep SQLite's value types
    row = conn.execute("SELECT 1, 2.5, 'x', NULL, x'00ff'").fetchone()
    assert row == (1, 2.5, "x", None, b"\x00\xff")


def test_parameters_of_every_type(conn: Any) -> None:
    row = conn.execute(
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?",
        [None, 7, 1.5, "日本語\x00", b"\x01", decimal.Decimal("12"), dt.date(2024, 1, 31), True],
    ).fetchone()
    assert row == (None, 7, 1.5, "日本語\x00", b"\x01", 12, "2024-01-31", 1)
    with pytest.raises(mod.DataError):
        conn.execute("SELECT ?", [2**70])
    with pytest.raises(mod.ProgrammingError):
        conn.execute("SELECT ?", [object()])
    with pytest.raises(mod.ProgrammingError, match="parameter"):
        conn.execute("SELECT ?, ?", [1])


def test_list_parameter_is_the_text_multi_valued_fields_are_read_as(conn: Any) -> None:
    assert conn.execute("SELECT ?", [("a", "日本")]).fetchone() == ('["a","日本"]',)
    sql = "SELECT count(*) FROM Deals WHERE Channels = ?"
    (by_list,) = conn.execute(sql, [["Email"]]).fetchone()
    assert by_list > 0 and conn.execute(sql, ['["Email"]']).fetchone() == (by_list,)


# --- the DB-API surface ---------------------------------------------------------------------------


def test_cursor_protocol(conn: Any) -> None:
    cur = conn.cursor()
    assert cur.arraysize == 1
    cur.execute("SELECT Id FROM Deals WHERE Id <= 10 ORDER BY Id")
    assert cur.rowcount == -1
    assert cur.fetchone() == (1,)
    assert cur.fetchmany() == [(2,)]
    cur.arraysize = 3
    assert cur.fetchmany() == [(3,), (4,), (5,)]
    assert list(cur) == [(i,) for i in range(6, 11)]
    assert cur.fetchone() is None
    assert cur.fetchall() == []
    cur.close()
    with pytest.raises(mod.ProgrammingError):
        cur.execute("SELECT 1")


def test_several_open_cursors(conn: Any) -> None:
    a = conn.execute("SELECT Id FROM Deals ORDER BY Id")
    b = conn.execute("SELECT Id FROM [受注明細 Orders] ORDER BY Id DESC")
    got = []
    for _ in range(600):  # beyond one page of each
        got.append((a.fetchone()[0], b.fetchone()[0]))
    assert got[0] == (1, 12000) and got[-1] == (600, 11401)


def test_commit_rollback_and_close(sim: Simulator) -> None:
    c = mod.connect(sim.connection_string)
    c.commit()
    c.rollback()
    cur = c.cursor()
    c.close()
    c.close()
    with pytest.raises(mod.ProgrammingError):
        c.cursor()
    with pytest.raises(mod.Error):
        cur.execute("SELECT 1")


def test_connect_with_keywords(sim: Simulator) -> None:
    with mod.connect(Url=sim.url, User=sim.user, Password=sim.password) as c:
        assert c.execute("SELECT count(*) FROM Deals").fetchone() == (2000,)


def test_api_tokens(sim: Simulator) -> None:
    deals = app_id(sim, "Deals")
    with mod.connect(sim.token_connection_string(deals)) as c:
        assert c.execute("SELECT count(*) FROM Deals").fetchone() == (2000,)
        with pytest.raises(mod.ProgrammingError, match="no such table"):
            c.execute("SELECT * FROM [受注明細 Orders]")
    sim.reset_requests()


def test_guest_space(sim: Simulator) -> None:
    guest = next(a for a in sim.apps if a.get("guestSpaceId"))
    with mod.connect(f"{sim.connection_string};GuestSpaceId={guest['guestSpaceId']}") as c:
        [(n,)] = c.execute(f"SELECT count(*) FROM [{guest['name']}]").fetchall()
        assert n > 0
    assert any(f"/k/guest/{guest['guestSpaceId']}/v1/" in r["path"] for r in sim.requests())


def test_sys_connection_props(sim: Simulator, conn: Any) -> None:
    rows = {
        name: value
        for name, value in conn.execute("SELECT Name, Value FROM sys_connection_props").fetchall()
    }
    assert rows["User"] == sim.user
    assert rows["Password"] == "********"
    assert "ProxyServer" in rows
    support = {
        r[0]: (r[1], r[2])
        for r in conn.execute("SELECT Name, IsSupported, Support FROM sys_connection_props")
    }
    assert support["Pagesize"] == (1, "yes")
    assert support["UseCursor"] == (1, "yes")
    assert support["AllowSpecialCharacters"] == (0, "accepted, no effect yet")  # set, it connects
    assert support["Offline"] == (0, "not yet")  # set, it is refused
    with mod.connect(f"{sim.connection_string};AllowSpecialCharacters=true") as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


# --- errors ---------------------------------------------------------------------------------------


def test_bad_connection_strings(sim: Simulator) -> None:
    with pytest.raises(mod.InterfaceError, match='did you mean "Password"'):
        mod.connect(f"Url={sim.url};User=a;Pasword=secret-value-1")
    with pytest.raises(mod.NotSupportedError, match="AutoCache"):
        mod.connect(f"{sim.connection_string};AutoCache=true")
    with pytest.raises(mod.InterfaceError, match="Url"):
        mod.connect("User=a;Password=b")
    with pytest.raises(mod.Error) as info:
        mod.connect(f"Url={sim.url};User=a;Password='unterminated-secret-2")
    assert "unterminated-secret-2" not in str(info.value)


def test_query_text_refused_is_a_query_syntax_error(sim: Simulator, conn: Any) -> None:
    body = (
        '{"code": "CB_VA01", "id": "1", "message": "Missing or invalid input.",'
        ' "errors": {"query": {"messages": ["The query is invalid."]}}}'
    )
    sim.add_fault(path="/k/v1/records.json", times=1, status=400, body=body)
    try:
        with pytest.raises(mod.QuerySyntaxError) as info:
            conn.execute("SELECT Id FROM Deals").fetchall()
    finally:
        sim.clear_faults()
    assert isinstance(info.value, mod.ProgrammingError) and info.value.code == "CB_VA01"
    assert "query: The query is invalid." in str(info.value)


def test_wrong_password(sim: Simulator) -> None:
    with pytest.raises(mod.OperationalError) as info:
        mod.connect(f"Url={sim.url};User={sim.user};Password=not-the-password-3")
    assert info.value.code == "CB_WA01"
    assert "not-the-password-3" not in str(info.value)
    assert "not-the-password-3" not in repr(info.value)


def test_refused_token(sim: Simulator) -> None:
    deals = app_id(sim, "Deals")
    with pytest.raises(mod.OperationalError) as info:
        mod.connect(f"Url={sim.url};APIToken=refused-token-4;AppId={deals}")
    assert info.value.code == "GAIA_IA02"
    assert "refused-token-4" not in str(info.value)


def test_unknown_table_and_bad_sql(conn: Any) -> None:
    with pytest.raises(mod.ProgrammingError, match="no such table: Nope"):
        conn.execute("SELECT * FROM Nope")
    with pytest.raises(mod.ProgrammingError, match="syntax error"):
        conn.execute("SELEC 1")
    with pytest.raises(mod.ProgrammingError, match="no such column"):
        conn.execute("SELECT nope FROM Deals")
    with pytest.raises(mod.NotSupportedError):
        conn.execute("ATTACH 'x.db' AS x")


def test_secrets_stay_out_of_repr(sim: Simulator, conn: Any) -> None:
    assert sim.password not in repr(conn)
    assert sim.password not in conn.connection_string


# --- the process model ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_fork_after_load_fails_clearly(sim: Simulator) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        import cdata_kintone as mod
        conn = mod.connect({sim.connection_string!r})
        pid = os.fork()
        if pid == 0:
            try:
                mod.connect({sim.connection_string!r})
            except mod.InterfaceError as e:
                os._exit(0 if "spawn" in str(e) else 3)
            os._exit(4)
        _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert done.returncode == 0


def test_demo_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cdata_kintone", "demo"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "受注明細 Orders_明細" in done.stdout
    assert "failed" not in done.stdout

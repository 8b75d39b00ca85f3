"""Connection and Cursor behaviour (PEP 249) through the installed package, the real core and
the simulator over loopback.

Whether the core still holds a statement open is seen the way a user would: an open
statement reading a TEMP table keeps that table locked, so ``DROP TABLE`` fails with
"database table is locked" until the statement is released.
"""

from __future__ import annotations

import datetime as dt
import decimal
import gc
import pickle
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

DEALS = 2


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=50) as s:
        yield s


@pytest.fixture
def conn(sim: Simulator) -> Iterator[mod.Connection]:
    c = mod.connect(sim.connection_string)
    yield c
    c.close()


def numbers(n: int) -> str:
    """A query returning the integers 1..n in one column (no kintone table involved)."""
    return (
        f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n}) "
        "SELECT x FROM c"
    )


def make_table(conn: mod.Connection, name: str, n: int) -> None:
    """A TEMP table ``name(a INTEGER, b TEXT)`` holding (1, 'x1') .. (n, 'xn')."""
    conn.execute(f"CREATE TEMP TABLE {name}(a INTEGER, b TEXT)")
    conn.execute(f"INSERT INTO {name} SELECT x, 'x' || x FROM ({numbers(n)})")


def drop_error(conn: mod.Connection, name: str) -> str | None:
    """Drop TEMP table ``name``; the error text when that fails, None when it worked."""
    try:
        conn.execute(f"DROP TABLE {name}")
    except mod.Error as exc:
        return str(exc)
    return None


def records_requests(sim: Simulator) -> list[dict[str, Any]]:
    return [r for r in sim.requests() if r["path"].endswith("/records.json")]


# --- connect -------------------------------------------------------------------------------


def test_connect_joins_string_and_keywords() -> None:
    # a password with ';' and '"' must be quoted to reach the server intact
    fixture = {
        "users": [{"code": "u", "name": "U", "password": 'p;w"d'}],
        "apps": [
            {
                "id": 12,
                "name": "Lines",
                "fields": {
                    "t": {"type": "SINGLE_LINE_TEXT"},
                    "rows": {"type": "SUBTABLE", "fields": {"n": {"type": "NUMBER"}}},
                },
                "records": [
                    {"t": {"value": "a"}, "rows": {"value": [{"value": {"n": {"value": "2"}}}]}}
                ],
            }
        ],
    }
    with (
        Simulator(fixture) as sim,
        mod.connect(
            f"Url={sim.url} ; ",
            User="u",
            Password='p;w"d',
            AppId=[12, 13],
            NumberMapToDouble=True,
            Timeout=30,
            Schema=None,
            SubtableSeparatorCharacter=" x=y ",
        ) as c,
    ):
        props: dict[str, str] = dict(
            c.execute("SELECT Name, Value FROM sys_connection_props").fetchall()
        )
        assert props["User"] == "u"
        assert props["Password"] == "********"
        assert props["AppId"] == "12,13"  # a list is joined with commas
        assert props["NumberMapToDouble"] == "true"  # a bool is true/false
        assert props["Timeout"] == "30"
        assert props["Schema"] == "REST"  # None: left out, so the default holds
        assert props["SubtableSeparatorCharacter"] == " x=y "  # quoted: blanks and '=' kept
        sql = "SELECT TableName FROM sys_tables WHERE TableType = 'TABLE'"
        tables = [r[0] for r in c.execute(sql).fetchall()]
        assert tables == ["Comments", "Lines", "Lines x=y rows"]
        assert c.execute("SELECT n FROM [Lines x=y rows]").fetchall() == [(2.0,)]
        assert 'p;w"d' not in c.connection_string


def test_connect_keywords_only(sim: Simulator) -> None:
    tokens = (sim.app(DEALS)["tokens"]["full"], sim.app(1)["tokens"]["view"])
    with mod.connect(Url=sim.url, APIToken=tokens, AppId=(DEALS, 1)) as c:
        sql = "SELECT TableName FROM sys_tables WHERE TableType = 'TABLE'"
        tables = {r[0] for r in c.execute(sql).fetchall()}
        assert tables == {"Comments", "Deals", "顧客リスト"}
        assert c.execute("SELECT count(*) FROM Deals").fetchone() == (2000,)
        assert tokens[0] not in c.connection_string


def test_repeated_property_is_reported_by_the_core(sim: Simulator) -> None:
    with pytest.raises(mod.InterfaceError, match="twice"):
        mod.connect(sim.connection_string, user="b")


@pytest.mark.parametrize("bad", [b"Url=x", None, 3])
def test_connection_string_must_be_str(bad: Any) -> None:
    with pytest.raises(mod.ProgrammingError, match="str"):
        mod.connect(bad)


def test_bad_property_value_type() -> None:
    with pytest.raises(mod.ProgrammingError, match="Timeout"):
        mod.connect(Timeout=object())


def test_authentication_error(sim: Simulator) -> None:
    with pytest.raises(mod.AuthenticationError) as info:
        mod.connect(Url=sim.url, User=sim.user, Password="bad")
    assert isinstance(info.value, mod.OperationalError)
    assert info.value.code == "CB_WA01"


def test_repr_and_connection_string_are_masked(sim: Simulator, conn: mod.Connection) -> None:
    assert sim.password not in repr(conn)
    assert sim.password not in conn.connection_string
    assert "********" in repr(conn)
    assert sim.password not in str(vars(conn))
    assert conn.request_count >= 1
    assert conn.info()["requests"] == conn.request_count


def test_connection_close_is_idempotent_and_final(sim: Simulator) -> None:
    c = mod.connect(sim.connection_string)
    cur = c.cursor()
    cur.execute(numbers(3))
    c.close()
    c.close()
    assert c.closed and cur.closed
    for op in (c.cursor, c.commit, c.rollback, lambda: c.execute(numbers(1)), c.info):
        with pytest.raises(mod.ProgrammingError, match="closed"):
            op()
    with pytest.raises(mod.ProgrammingError, match="closed"):
        cur.fetchone()
    with pytest.raises(mod.ProgrammingError, match="closed"):
        cur.execute(numbers(1))
    cur.close()  # still fine
    assert "closed" in repr(c)


def test_context_manager_closes_connection(sim: Simulator) -> None:
    with mod.connect(sim.connection_string) as c:
        assert c.execute(numbers(2)).fetchall() == [(1,), (2,)]
    assert c.closed
    with pytest.raises(mod.ProgrammingError), c:
        pass


def test_commit_and_rollback_do_nothing(sim: Simulator, conn: mod.Connection) -> None:
    make_table(conn, "t", 2)
    before = conn.request_count
    sim.reset_requests()
    conn.commit()
    conn.execute("INSERT INTO t VALUES (3, 'x3')")
    conn.rollback()  # cannot undo anything
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (3,)
    assert sim.requests() == []
    assert conn.request_count == before


def test_connection_is_not_picklable(conn: mod.Connection) -> None:
    with pytest.raises(TypeError):
        pickle.dumps(conn)


def test_garbage_collected_connection_is_closed(sim: Simulator) -> None:
    c = mod.connect(sim.connection_string)
    # The real core, to ask it about its handle afterwards.
    core, handle = c._session.core, c._session.handle
    assert '"requests"' in core.ConnInfo(handle)
    del c
    gc.collect()
    with pytest.raises(RuntimeError, match="the connection is closed"):
        core.ConnInfo(handle)


# --- cursor --------------------------------------------------------------------------------


def test_description_and_type_objects(conn: mod.Connection) -> None:
    cur = conn.cursor()
    assert (cur.description, cur.rowcount, cur.rownumber) == (None, -1, None)
    sql = "SELECT Id, Amount, [Close date], [Deal name], x'01' FROM Deals LIMIT 1"
    assert cur.execute(sql) is cur
    desc = cur.description
    assert desc == (
        ("Id", "ROWID", None, None, None, None, None),
        ("Amount", "NUMBER", None, None, None, None, None),
        ("Close date", "DATETIME", None, None, None, None, None),
        ("Deal name", "STRING", None, None, None, None, None),
        ("x'01'", "BINARY", None, None, None, None, None),
    )
    codes = [d[1] for d in desc]
    assert codes == [mod.ROWID, mod.NUMBER, mod.DATETIME, mod.STRING, mod.BINARY]
    assert codes == [mod.NUMBER, mod.NUMBER, mod.DATETIME, mod.STRING, mod.BINARY]
    assert desc[0][1] != mod.STRING and desc[1][1] != mod.ROWID
    assert desc[1][1] != mod.STRING
    assert cur.rowcount == -1


def test_values_are_converted(conn: mod.Connection) -> None:
    conn.execute(
        "CREATE TEMP TABLE v(Id INTEGER, Amount DECIMAL, Closed DATETIME, Name TEXT, File BLOB)"
    )
    conn.execute("INSERT INTO v VALUES (1, 1.5, '2024-01-02T00:00:00Z', '名前1', x'01')")
    cur = conn.execute("SELECT * FROM v")
    assert [d[1] for d in cur.description] == ["NUMBER", "NUMBER", "DATETIME", "STRING", "BINARY"]  # type: ignore[union-attr]
    assert cur.fetchone() == (
        1,
        decimal.Decimal("1.5"),
        dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc),
        "名前1",
        b"\x01",
    )


def test_parameters_reach_the_core_encoded(conn: mod.Connection) -> None:
    params = [None, True, 2**62, 0.25, "x\x00y", b"\x00", dt.date(2024, 1, 2)]
    marks = ", ".join("?" for _ in params)
    assert conn.execute(f"SELECT {marks}", params).fetchone() == (
        None, 1, 2**62, 0.25, "x\x00y", b"\x00", "2024-01-02"
    )
    types = ", ".join("typeof(?)" for _ in params)
    assert conn.execute(f"SELECT {types}", params).fetchone() == (
        "null", "integer", "integer", "real", "text", "blob", "text"
    )


@pytest.mark.parametrize("batch", [1, 2, 3, 500])
def test_fetch_methods_across_batches(conn: mod.Connection, batch: int) -> None:
    cur = conn.cursor()
    cur.fetch_batch_size = batch
    cur.execute("SELECT Id FROM Deals WHERE Id <= 10 ORDER BY Id")
    assert cur.arraysize == 1
    assert cur.fetchone()[0] == 1  # type: ignore[index]
    assert cur.rownumber == 1
    assert [r[0] for r in cur.fetchmany()] == [2]
    assert [r[0] for r in cur.fetchmany(3)] == [3, 4, 5]
    cur.arraysize = 2
    assert [r[0] for r in cur.fetchmany()] == [6, 7]
    assert cur.rownumber == 7
    assert [r[0] for r in cur.fetchall()] == [8, 9, 10]
    assert cur.rownumber == 10
    assert cur.fetchone() is None
    assert cur.fetchmany(5) == []
    assert cur.fetchall() == []


def test_iteration(conn: mod.Connection) -> None:
    cur = conn.cursor()
    cur.fetch_batch_size = 4
    assert [r[0] for r in cur.execute(numbers(9))] == list(range(1, 10))
    assert iter(cur) is cur


def test_fetchall_of_empty_result(conn: mod.Connection) -> None:
    cur = conn.execute("SELECT Id FROM Deals WHERE Id < 0")
    assert cur.description is not None
    assert cur.fetchall() == []
    assert cur.fetchone() is None


def test_statement_closed_when_exhausted(conn: mod.Connection) -> None:
    make_table(conn, "t", 7)
    cur = conn.cursor()
    cur.fetch_batch_size = 5
    cur.execute("SELECT a FROM t ORDER BY a")
    assert cur.fetchone() == (1,)
    assert "database table is locked" in (drop_error(conn, "t") or "")  # still open
    assert [r[0] for r in cur.fetchall()] == [2, 3, 4, 5, 6, 7]
    assert drop_error(conn, "t") is None  # released once the rows ran out
    assert cur.description is not None  # the result set's description stays


def test_dml_rowcount_and_no_result_set(conn: mod.Connection) -> None:
    make_table(conn, "t", 5)
    cur = conn.execute("UPDATE t SET b = 'changed' WHERE a <= 3")
    assert cur.rowcount == 3
    assert cur.description is None
    assert conn.execute("DELETE FROM t WHERE a > 100").rowcount == 0
    assert conn.execute("INSERT INTO t VALUES (?, ?)", [6, "x6"]).rowcount == 1
    for op in (cur.fetchone, cur.fetchall, lambda: cur.fetchmany(2)):
        with pytest.raises(mod.ProgrammingError, match="no result set"):
            op()
    with pytest.raises(mod.ProgrammingError, match="no result set"):
        next(iter(cur))
    assert drop_error(conn, "t") is None  # nothing is left open
    assert cur.rowcount == 3  # another cursor's statements do not change this one


def test_ddl_rowcount_is_not_a_stale_dml_count(conn: mod.Connection) -> None:
    make_table(conn, "t", 3)  # ends with an INSERT of 3 rows
    assert conn.execute("CREATE TEMP TABLE u(a)").rowcount in (-1, 0)
    assert conn.execute("DROP TABLE u").rowcount in (-1, 0)


def test_fetch_before_execute_is_programming_error(conn: mod.Connection) -> None:
    with pytest.raises(mod.ProgrammingError):
        conn.cursor().fetchone()


def test_execute_again_closes_previous_statement(conn: mod.Connection) -> None:
    make_table(conn, "t", 5)
    cur = conn.cursor()
    cur.fetch_batch_size = 2
    cur.execute("SELECT a FROM t ORDER BY a")
    cur.fetchone()
    cur.execute(numbers(2))
    assert drop_error(conn, "t") is None  # the first statement was released
    assert cur.rownumber == 0
    assert [r[0] for r in cur.fetchall()] == [1, 2]


def test_failed_execute_resets_the_cursor(conn: mod.Connection) -> None:
    cur = conn.execute("SELECT Id FROM Deals ORDER BY Id")
    assert cur.description is not None
    with pytest.raises(mod.ProgrammingError, match="no such column: nope") as info:
        cur.execute("SELECT nope FROM Deals")
    assert info.value.code is None
    assert cur.description is None and cur.rowcount == -1
    with pytest.raises(mod.ProgrammingError):
        cur.fetchone()
    assert cur.execute(numbers(1)).fetchall() == [(1,)]


def test_sql_must_be_str(conn: mod.Connection) -> None:
    cur = conn.cursor()
    for bad in (b"SELECT 1", None, 1):
        with pytest.raises(mod.ProgrammingError, match="str"):
            cur.execute(bad)  # type: ignore[arg-type]
        with pytest.raises(mod.ProgrammingError, match="str"):
            cur.executemany(bad, [])  # type: ignore[arg-type]


def test_bad_parameters_raise_before_the_core_is_called(
    sim: Simulator, conn: mod.Connection
) -> None:
    sql = "SELECT Id FROM Deals WHERE Id = ?"
    conn.execute(sql, [1]).fetchall()  # declares Deals
    sim.reset_requests()
    before = conn.request_count
    with pytest.raises(mod.ProgrammingError, match="qmark"):
        conn.execute(sql, {"a": 1})  # type: ignore[arg-type]
    with pytest.raises(mod.DataError, match="parameter 1"):
        conn.execute(sql, [2**64])
    assert sim.requests() == [] and conn.request_count == before
    assert conn.execute(sql, [1]).fetchall() == [(1,)]  # while a good one reaches kintone
    assert len(records_requests(sim)) == 1


def test_executemany(conn: mod.Connection) -> None:
    conn.execute("CREATE TEMP TABLE t(a INTEGER, b TEXT)")
    cur = conn.cursor()
    assert cur.executemany("INSERT INTO t VALUES (?, 'x')", [[1], [2], (3,)]) is cur
    assert cur.rowcount == 3
    assert conn.execute("SELECT a FROM t ORDER BY a").fetchall() == [(1,), (2,), (3,)]
    assert cur.executemany("UPDATE t SET b = ? WHERE a <= 2", [["y"], ["z"]]).rowcount == 4
    cur.executemany("INSERT INTO t VALUES (?, 'x')", iter([]))
    assert cur.rowcount == 0
    cur.fetch_batch_size = 1
    with pytest.raises(mod.ProgrammingError, match="return no rows"):
        cur.executemany("SELECT * FROM t WHERE a = ?", [[1], [2]])
    assert cur.description is None
    assert drop_error(conn, "t") is None  # the SELECT was not left open
    with pytest.raises(mod.ProgrammingError):
        cur.executemany("INSERT INTO t VALUES (?, 'x')", "ab")


def test_executemany_rowcount_unknown(conn: mod.Connection) -> None:
    make_table(conn, "t", 3)
    cur = conn.executemany("CREATE TEMP TABLE IF NOT EXISTS u(a)", [[], []])
    assert cur.rowcount == -1


def test_connection_executemany_shortcut(conn: mod.Connection) -> None:
    conn.execute("CREATE TEMP TABLE t(a INTEGER)")
    assert conn.executemany("INSERT INTO t VALUES (1)", [[], []]).rowcount == 2
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)


def test_several_cursors_at_once(conn: mod.Connection) -> None:
    make_table(conn, "t", 5)
    a, b = conn.cursor(), conn.cursor()
    a.fetch_batch_size = b.fetch_batch_size = 2
    a.execute("SELECT a FROM t ORDER BY a")
    b.execute("SELECT Id FROM Deals WHERE Id <= 3 ORDER BY Id")
    out = []
    for _ in range(3):
        out.append((a.fetchone()[0], b.fetchone()[0]))  # type: ignore[index]
    assert out == [(1, 1), (2, 2), (3, 3)]
    assert b.fetchone() is None
    assert [r[0] for r in a.fetchall()] == [4, 5]


def test_cursor_close(conn: mod.Connection) -> None:
    make_table(conn, "t", 5)
    with conn.cursor() as cur:
        cur.fetch_batch_size = 2
        cur.execute("SELECT a FROM t")
        cur.fetchone()
    assert cur.closed
    assert drop_error(conn, "t") is None  # its statement was released
    cur.close()
    with pytest.raises(mod.ProgrammingError, match="closed cursor"):
        cur.execute(numbers(1))
    with pytest.raises(mod.ProgrammingError, match="closed cursor"):
        cur.fetchall()
    assert cur.connection is conn
    assert not conn.closed


def test_garbage_collected_cursor_statement_is_closed_later(conn: mod.Connection) -> None:
    make_table(conn, "t", 5)
    cur = conn.execute("SELECT a FROM t")
    assert "database table is locked" in (drop_error(conn, "t") or "")
    del cur
    gc.collect()
    # released at the connection's next call (here: the DROP itself), not leaked
    assert drop_error(conn, "t") is None


def test_optional_methods(conn: mod.Connection) -> None:
    cur = conn.cursor()
    cur.setinputsizes([None])
    cur.setoutputsize(10)
    cur.setoutputsize(10, 0)
    assert cur.lastrowid is None
    cur.nextset()
    assert cur.connection is conn
    # the OAuth stored procedures need an OAuth connection
    with pytest.raises(mod.ProgrammingError, match="AuthScheme=OAuth"):
        cur.callproc("GetOAuthAuthorizationURL")
    assert "open" in repr(cur)


def test_threads_share_a_connection(conn: mod.Connection) -> None:
    assert mod.threadsafety == 2
    errors: list[BaseException] = []
    results: dict[int, list[int]] = {}

    def work(k: int) -> None:
        try:
            cur = conn.cursor()
            cur.fetch_batch_size = 3
            for i in range(5):
                if i % 2:
                    sql = f"SELECT Id FROM Deals WHERE Id <= {10 + k} ORDER BY Id"
                else:
                    sql = numbers(10 + k)
                results[k] = [r[0] for r in cur.execute(sql)]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == {k: list(range(1, 11 + k)) for k in range(8)}

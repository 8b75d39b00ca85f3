"""Connection and Cursor behaviour against a fake of the pybind contract.

``ContractFake`` implements the functions of ``pybind/README.md`` in Python, with the
documented JSON encodings and error text, and checks that the Python layer uses handles
correctly (no call on a closed statement, no concurrent calls on one connection). It exists so
that the DB-API layer is tested without the Go build; the integration tests against the real
core and simulator are separate (marked ``native``).
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gc
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone import _native


def wire(cls: str, code: str, message: str) -> RuntimeError:
    return RuntimeError(f"[cdata_kintone:{cls}:{code}] {message}")


class ContractFake:
    """The pybind functions over in-memory state."""

    def __init__(self) -> None:
        self.next_handle = 100
        self.conns: dict[int, dict[str, Any]] = {}
        self.stmts: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.busy: set[int] = set()
        self.guard = threading.Lock()

    def _new_handle(self) -> int:
        self.next_handle += 1
        return self.next_handle

    def _enter(self, name: str, conn: int, *args: Any) -> None:
        with self.guard:
            self.calls.append((name, args))
            if conn in self.busy:
                raise AssertionError(f"concurrent calls on connection {conn}")
            self.busy.add(conn)

    def _leave(self, conn: int) -> None:
        with self.guard:
            self.busy.discard(conn)

    def _stmt(self, s: int) -> dict[str, Any]:
        if s not in self.stmts:
            raise wire("InternalError", "", f"no statement {s}")
        return self.stmts[s]

    # --- connections ---

    def Connect(self, conn_str: str) -> int:
        self.calls.append(("Connect", (conn_str,)))
        if "Password=bad" in conn_str:
            raise wire("OperationalError", "CB_WA01", "Password authentication failed.")
        names = [p.split("=", 1)[0].lower() for p in conn_str.split(";") if "=" in p]
        if len(names) != len(set(names)):
            raise wire("ProgrammingError", "", "a connection property is given twice")
        h = self._new_handle()
        masked = re.sub(r"(?i)(Password=)[^;]*", r"\1********", conn_str)
        self.conns[h] = {"conn_str": conn_str, "masked": masked, "requests": 1}
        return h

    def ConnInfo(self, h: int) -> str:
        c = self.conns[h]
        return json.dumps({"connection_string": c["masked"], "requests": c["requests"]})

    def ConnClose(self, h: int) -> bool:
        self.calls.append(("ConnClose", (h,)))
        if h not in self.conns:
            raise wire("InternalError", "", f"no connection {h}")
        del self.conns[h]
        for s in [s for s, st in self.stmts.items() if st["conn"] == h]:
            del self.stmts[s]
        return True

    # --- statements ---

    def Execute(self, h: int, sql: str, params: str) -> int:
        self._enter("Execute", h, sql, params)
        try:
            time.sleep(0)  # let other threads run, as the real core releases the GIL
            if h not in self.conns:
                raise wire("InternalError", "", f"no connection {h}")
            self.conns[h]["requests"] += 1
            decoded = json.loads(params)
            words = sql.split()
            st: dict[str, Any] = {"conn": h, "pos": 0, "columns": None, "rows": [], "rowcount": -1}
            if words[0] == "ROWS":  # ROWS n: n rows of typed columns
                n = int(words[1])
                st["columns"] = [
                    {"name": "Id", "decltype": "INTEGER", "type_code": "ROWID"},
                    {"name": "Amount", "decltype": "DECIMAL", "type_code": "NUMBER"},
                    {"name": "Closed", "decltype": "DATETIME", "type_code": "DATETIME"},
                    {"name": "Name", "decltype": "TEXT", "type_code": "STRING"},
                    {"name": "File", "decltype": "BLOB", "type_code": "BINARY"},
                ]
                st["rows"] = [
                    [
                        i,
                        i + 0.5,
                        f"2024-01-{i % 28 + 1:02d}T00:00:00Z",
                        f"名前{i}",
                        {"b64": base64.b64encode(bytes([i % 256])).decode()},
                    ]
                    for i in range(1, n + 1)
                ]
            elif words[0] == "ECHO":  # one row: the parameters as the core received them
                st["columns"] = [
                    {"name": f"p{i}", "decltype": "", "type_code": "STRING"}
                    for i in range(len(decoded))
                ]
                st["rows"] = [[json.dumps(p, ensure_ascii=False) for p in decoded]]
            elif words[0] == "CHANGE":  # CHANGE n: DML changing n rows
                st["rowcount"] = int(words[1])
            elif words[0] == "FAIL":  # FAIL Class Code message
                raise wire(words[1], words[2] if words[2] != "-" else "", " ".join(words[3:]))
            else:
                raise wire("ProgrammingError", "", f'near "{words[0]}": syntax error')
            s = self._new_handle()
            self.stmts[s] = st
            return s
        finally:
            self._leave(h)

    def StmtDescription(self, s: int) -> str:
        return json.dumps(self._stmt(s)["columns"])

    def StmtRowcount(self, s: int) -> int:
        return int(self._stmt(s)["rowcount"])

    def StmtFetch(self, s: int, n: int) -> str:
        st = self._stmt(s)
        self._enter("StmtFetch", st["conn"], s, n)
        try:
            time.sleep(0)
            batch = st["rows"][st["pos"] : st["pos"] + n]
            st["pos"] += len(batch)
            return json.dumps({"rows": batch, "done": st["pos"] >= len(st["rows"])})
        finally:
            self._leave(st["conn"])

    def StmtClose(self, s: int) -> bool:
        self.calls.append(("StmtClose", (s,)))
        self._stmt(s)
        del self.stmts[s]
        return True

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[ContractFake]:
    core = ContractFake()
    monkeypatch.setattr(_native, "_core", core)
    yield core


@pytest.fixture
def conn(fake: ContractFake) -> Iterator[mod.Connection]:
    c = mod.connect("Url=http://localhost:1;User=u;Password=secret")
    yield c
    c.close()


# --- connect -------------------------------------------------------------------------------


def test_connect_joins_string_and_keywords(fake: ContractFake) -> None:
    mod.connect(
        "Url=http://localhost:1 ; ",
        User="u",
        Password='p;w"d',
        AppId=[12, 13],
        UseCursor=False,
        Timeout=30,
        Schema=None,
    ).close()
    (_, (conn_str,)), *_ = fake.calls
    assert conn_str == (
        'Url=http://localhost:1;User=u;Password="p;w""d";AppId=12,13;UseCursor=false;Timeout=30;'
    )


def test_connect_keywords_only(fake: ContractFake) -> None:
    mod.connect(Url="http://localhost:1", APIToken=("t1", "t2"), Other=" x=y ").close()
    assert fake.calls[0][1][0] == 'Url=http://localhost:1;APIToken=t1,t2;Other=" x=y ";'


def test_repeated_property_is_reported_by_the_core(fake: ContractFake) -> None:
    with pytest.raises(mod.ProgrammingError, match="twice"):
        mod.connect("User=a", user="b")


@pytest.mark.parametrize("bad", [b"Url=x", None, 3])
def test_connection_string_must_be_str(fake: ContractFake, bad: Any) -> None:
    with pytest.raises(mod.ProgrammingError, match="str"):
        mod.connect(bad)


def test_bad_property_value_type(fake: ContractFake) -> None:
    with pytest.raises(mod.ProgrammingError, match="Timeout"):
        mod.connect(Timeout=object())


def test_authentication_error(fake: ContractFake) -> None:
    with pytest.raises(mod.AuthenticationError) as info:
        mod.connect("Url=http://localhost:1;User=u;Password=bad")
    assert isinstance(info.value, mod.OperationalError)
    assert info.value.code == "CB_WA01"


def test_repr_and_connection_string_are_masked(conn: mod.Connection) -> None:
    assert "secret" not in repr(conn)
    assert "secret" not in conn.connection_string
    assert "********" in repr(conn)
    assert "secret" not in str(vars(conn))
    assert conn.request_count >= 1


def test_connection_close_is_idempotent_and_final(fake: ContractFake) -> None:
    c = mod.connect("Url=http://localhost:1")
    cur = c.cursor()
    cur.execute("ROWS 3")
    c.close()
    c.close()
    assert fake.names().count("ConnClose") == 1
    assert c.closed and cur.closed
    for op in (c.cursor, c.commit, c.rollback, lambda: c.execute("ROWS 1")):
        with pytest.raises(mod.ProgrammingError, match="closed"):
            op()
    with pytest.raises(mod.ProgrammingError, match="closed"):
        cur.fetchone()
    with pytest.raises(mod.ProgrammingError, match="closed"):
        cur.execute("ROWS 1")
    cur.close()  # still fine
    assert "closed" in repr(c)


def test_context_manager_closes_connection(fake: ContractFake) -> None:
    with mod.connect("Url=http://localhost:1") as c:
        assert c.execute("ROWS 2").fetchall()
    assert c.closed
    with pytest.raises(mod.ProgrammingError):
        with c:
            pass


def test_commit_and_rollback_do_nothing(conn: mod.Connection, fake: ContractFake) -> None:
    before = len(fake.calls)
    conn.commit()
    conn.rollback()
    assert len(fake.calls) == before


def test_connection_is_not_picklable(conn: mod.Connection) -> None:
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(conn)


def test_garbage_collected_connection_is_closed(fake: ContractFake) -> None:
    c = mod.connect("Url=http://localhost:1")
    del c
    gc.collect()
    assert fake.conns == {}


# --- cursor --------------------------------------------------------------------------------


def test_description_and_type_objects(conn: mod.Connection) -> None:
    cur = conn.cursor()
    assert cur.description is None and cur.rowcount == -1 and cur.rownumber is None
    assert cur.execute("ROWS 1") is cur
    desc = cur.description
    assert desc == (
        ("Id", "ROWID", None, None, None, None, None),
        ("Amount", "NUMBER", None, None, None, None, None),
        ("Closed", "DATETIME", None, None, None, None, None),
        ("Name", "STRING", None, None, None, None, None),
        ("File", "BINARY", None, None, None, None, None),
    )
    assert desc is not None
    codes = [d[1] for d in desc]
    assert codes == [mod.ROWID, mod.NUMBER, mod.DATETIME, mod.STRING, mod.BINARY]
    assert desc[1][1] == mod.NUMBER
    assert desc[1][1] != mod.STRING
    assert cur.rowcount == -1


def test_values_are_converted(conn: mod.Connection) -> None:
    row = conn.execute("ROWS 1").fetchone()
    assert row == (
        1,
        decimal.Decimal("1.5"),
        dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc),
        "名前1",
        b"\x01",
    )


def test_parameters_reach_the_core_encoded(conn: mod.Connection) -> None:
    row = conn.execute(
        "ECHO", [None, True, 2**62, 0.25, "x\x00y", b"\x00", dt.date(2024, 1, 2)]
    ).fetchone()
    assert row is not None
    assert [json.loads(v) for v in row] == [
        ["null", None],
        ["int", "1"],
        ["int", str(2**62)],
        ["float", "0.25"],
        ["text", "x\x00y"],
        ["blob", "AA=="],
        ["text", "2024-01-02"],
    ]


@pytest.mark.parametrize("batch", [1, 2, 3, 500])
def test_fetch_methods_across_batches(conn: mod.Connection, batch: int) -> None:
    cur = conn.cursor()
    cur.fetch_batch_size = batch
    cur.execute("ROWS 10")
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
    assert [r[0] for r in cur.execute("ROWS 9")] == list(range(1, 10))
    assert iter(cur) is cur


def test_fetchall_of_empty_result(conn: mod.Connection) -> None:
    cur = conn.execute("ROWS 0")
    assert cur.description is not None
    assert cur.fetchall() == []
    assert cur.fetchone() is None


def test_statement_closed_when_exhausted(conn: mod.Connection, fake: ContractFake) -> None:
    cur = conn.cursor()
    cur.fetch_batch_size = 5
    cur.execute("ROWS 7")
    cur.fetchone()
    assert len(fake.stmts) == 1
    cur.fetchall()
    assert fake.stmts == {}
    assert cur.description is not None  # the result set's description stays


def test_dml_rowcount_and_no_result_set(conn: mod.Connection, fake: ContractFake) -> None:
    cur = conn.execute("CHANGE 3")
    assert cur.rowcount == 3
    assert cur.description is None
    assert fake.stmts == {}
    for op in (cur.fetchone, cur.fetchall, lambda: cur.fetchmany(2)):
        with pytest.raises(mod.ProgrammingError, match="no result set"):
            op()
    with pytest.raises(mod.ProgrammingError, match="no result set"):
        next(iter(cur))


def test_fetch_before_execute_is_programming_error(conn: mod.Connection) -> None:
    with pytest.raises(mod.ProgrammingError):
        conn.cursor().fetchone()


def test_execute_again_closes_previous_statement(conn: mod.Connection, fake: ContractFake) -> None:
    cur = conn.execute("ROWS 5")
    cur.fetchone()
    cur.execute("ROWS 2")
    assert len(fake.stmts) == 1
    assert cur.rownumber == 0
    assert [r[0] for r in cur.fetchall()] == [1, 2]


def test_failed_execute_resets_the_cursor(conn: mod.Connection) -> None:
    cur = conn.execute("ROWS 5")
    with pytest.raises(mod.FieldNotFound) as info:
        cur.execute("FAIL ProgrammingError GAIA_IQ11 field (X) not found")
    assert info.value.code == "GAIA_IQ11"
    assert cur.description is None and cur.rowcount == -1
    with pytest.raises(mod.ProgrammingError):
        cur.fetchone()
    assert cur.execute("ROWS 1").fetchall()


def test_sql_must_be_str(conn: mod.Connection) -> None:
    cur = conn.cursor()
    for bad in (b"SELECT 1", None, 1):
        with pytest.raises(mod.ProgrammingError, match="str"):
            cur.execute(bad)  # type: ignore[arg-type]
        with pytest.raises(mod.ProgrammingError, match="str"):
            cur.executemany(bad, [])  # type: ignore[arg-type]


def test_bad_parameters_raise_before_the_core_is_called(
    conn: mod.Connection, fake: ContractFake
) -> None:
    before = fake.names().count("Execute")
    with pytest.raises(mod.ProgrammingError, match="qmark"):
        conn.execute("ECHO", {"a": 1})  # type: ignore[arg-type]
    with pytest.raises(mod.DataError, match="parameter 1"):
        conn.execute("ECHO", [2**64])
    assert fake.names().count("Execute") == before


def test_executemany(conn: mod.Connection, fake: ContractFake) -> None:
    cur = conn.cursor()
    assert cur.executemany("CHANGE 2", [[1], [2], (3,)]) is cur
    assert cur.rowcount == 6
    assert fake.names().count("Execute") == 3
    cur.executemany("CHANGE 2", iter([]))
    assert cur.rowcount == 0
    cur.executemany("CHANGE -1", [[1], [2]])
    assert cur.rowcount == -1
    with pytest.raises(mod.ProgrammingError, match="return no rows"):
        cur.executemany("ROWS 1", [[1]])
    assert fake.stmts == {}
    with pytest.raises(mod.ProgrammingError):
        cur.executemany("CHANGE 1", "ab")


def test_connection_executemany_shortcut(conn: mod.Connection) -> None:
    assert conn.executemany("CHANGE 1", [[], []]).rowcount == 2


def test_several_cursors_at_once(conn: mod.Connection) -> None:
    a, b = conn.cursor(), conn.cursor()
    a.fetch_batch_size = b.fetch_batch_size = 2
    a.execute("ROWS 5")
    b.execute("ROWS 3")
    out = []
    for _ in range(3):
        out.append((a.fetchone()[0], b.fetchone()[0]))  # type: ignore[index]
    assert out == [(1, 1), (2, 2), (3, 3)]
    assert b.fetchone() is None
    assert [r[0] for r in a.fetchall()] == [4, 5]


def test_cursor_close(conn: mod.Connection, fake: ContractFake) -> None:
    with conn.cursor() as cur:
        cur.execute("ROWS 5")
        cur.fetchone()
    assert cur.closed
    assert fake.stmts == {}
    cur.close()
    with pytest.raises(mod.ProgrammingError, match="closed cursor"):
        cur.execute("ROWS 1")
    with pytest.raises(mod.ProgrammingError, match="closed cursor"):
        cur.fetchall()
    assert cur.connection is conn
    assert not conn.closed


def test_garbage_collected_cursor_statement_is_closed_later(
    conn: mod.Connection, fake: ContractFake
) -> None:
    cur = conn.execute("ROWS 5")
    assert len(fake.stmts) == 1
    del cur
    gc.collect()
    assert len(fake.stmts) == 1  # not from the finalizer...
    conn.execute("CHANGE 1")
    assert fake.stmts == {}  # ...but at the connection's next call


def test_optional_methods(conn: mod.Connection) -> None:
    cur = conn.cursor()
    cur.setinputsizes([None])
    cur.setoutputsize(10)
    cur.setoutputsize(10, 0)
    assert cur.lastrowid is None
    cur.nextset()
    assert cur.connection is conn
    with pytest.raises(mod.NotSupportedError):
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
            for _ in range(5):
                results[k] = [r[0] for r in cur.execute(f"ROWS {10 + k}")]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == {k: list(range(1, 11 + k)) for k in range(8)}

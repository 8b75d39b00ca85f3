"""Bad input gets a clear error and leaves the connection usable: malformed connection
strings, SQL errors, wrong parameter counts and types, values out of kintone's ranges, NUL
characters, invalid Unicode, 1 MB values, IN lists of 10,000 values, queries longer than
kintone's URL limit, and truncated or malformed replies from the server. Each case states the
exception class and what its message says (or the result when the input is valid after all),
then the same connection runs a query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

INSERT = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
MB = 1 << 20


@dataclass
class Case:
    name: str
    run: Callable[[mod.Connection, Simulator], Any]
    #: The exception class expected, or None when the input is valid and ``result`` holds.
    error: type[BaseException] | None
    #: A regular expression the message matches; with no error, the result's repr.
    says: str
    #: Fault rule armed on records.json reads before ``run`` (cleared after).
    fault: dict[str, Any] | None = None


def one(conn: mod.Connection, sql: str, params: Any = None) -> Any:
    return conn.execute(sql, params).fetchall()


def insert_and_read(conn: mod.Connection, name: Any) -> Any:
    cur = conn.execute(INSERT, [name, 1])
    return one(conn, "SELECT [Deal name] = ? FROM Deals WHERE Id = ?", [name, cur.lastrowid])


TRUNCATED = '{"records": [{"$id": {"type": "__ID__", "value": "1"}'
REPLY = {"path": "/k/v1/records.json", "status": 200, "content_type": "application/json"}

CASES = [
    # Connection strings.
    Case("unterminated quote", lambda c, s: mod.connect(f"Url={s.url};Password='x"),
         mod.InterfaceError, r"opens a ' quote at character \d+ that is never closed"),
    Case("unknown property", lambda c, s: mod.connect(f"Url={s.url};Nope=1"),
         mod.InterfaceError, "unknown connection property"),
    Case("value out of range", lambda c, s: mod.connect(f"Url={s.url};Pagesize=0"),
         mod.InterfaceError, "Pagesize.* must be a whole number from 1 to 500"),
    Case("NUL in connection string", lambda c, s: mod.connect(f"Url={s.url};User=a\0b"),
         mod.InterfaceError, "NUL character at character"),
    Case("invalid Unicode in connection string",
         lambda c, s: mod.connect(f"Url={s.url};User=\udcff"),
         mod.InterfaceError, "not valid Unicode"),
    Case("wrong password", lambda c, s: mod.connect(f"Url={s.url};User=admin;Password=nope"),
         mod.LoginFailed, "Password authentication failed"),
    # SQL and parameters.
    Case("syntax error", lambda c, s: one(c, "SELEC 1"), mod.ProgrammingError, "syntax error"),
    Case("no statement", lambda c, s: one(c, " -- only a comment\n;"),
         mod.ProgrammingError, "holds no statement"),
    Case("two statements", lambda c, s: one(c, "SELECT 1; SELECT 2"),
         mod.ProgrammingError, "only one SQL statement"),
    Case("too few parameters", lambda c, s: one(c, "SELECT ?, ?", [1]),
         mod.ProgrammingError, r"2 parameter marker\(s\) but 1"),
    Case("too many parameters", lambda c, s: one(c, "SELECT ?", [1, 2]),
         mod.ProgrammingError, r"1 parameter marker\(s\) but 2"),
    Case("parameter of no SQL type", lambda c, s: one(c, "SELECT ?", [object()]),
         mod.ProgrammingError, "type builtins.object is not supported"),
    Case("integer beyond 64 bits", lambda c, s: one(c, "SELECT ?", [10**30]),
         mod.DataError, "outside the signed 64-bit range"),
    Case("NUL in SQL text", lambda c, s: one(c, "SELECT 'a\0b'"),
         mod.ProgrammingError, "NUL character at position 9; pass text that holds one as a param"),
    Case("invalid Unicode in SQL text", lambda c, s: one(c, "SELECT '\udcff'"),
         mod.ProgrammingError, "not valid Unicode"),
    Case("invalid Unicode parameter", lambda c, s: one(c, "SELECT ?", ["\udcff"]),
         mod.DataError, "text is not valid Unicode"),
    Case("expression too deep", lambda c, s: one(c, "SELECT " + "+".join(["1"] * 5000)),
         mod.ProgrammingError, "Expression tree is too large"),
    # Values kintone cannot take.
    Case("below the field's minimum", lambda c, s: c.execute(INSERT, ["x", -1]),
         mod.InvalidInput, r"amount.value: The value must be 0 or more"),
    Case("not finite", lambda c, s: c.execute(INSERT, ["x", float("inf")]),
         mod.DataError, "is not a finite number"),
    Case("not a date", lambda c, s: c.execute(
        "INSERT INTO Deals ([Deal name], [Close date]) VALUES ('x', '2024-02-30')"),
         mod.DataError, "'2024-02-30' is not a date"),
    Case("not an option", lambda c, s: c.execute(
        "INSERT INTO Deals ([Deal name], Stage) VALUES ('x', 'Nope')"),
         mod.DataError, "'Nope' is not an option of the field"),
    Case("bytes for text", lambda c, s: c.execute(INSERT, [b"\xff\xfe", 1]),
         mod.DataError, "is a BLOB; write text"),
    # Valid after all: NUL characters, 1 MB values, 10,000-value IN lists, long queries.
    Case("NUL in a value", lambda c, s: insert_and_read(c, "a\0b"), None, "[(1,)]"),
    Case("1 MB text value", lambda c, s: insert_and_read(c, "x" * MB), None, "[(1,)]"),
    Case("1 MB condition (method override)", lambda c, s: one(
        c, "SELECT count(*) FROM Deals WHERE [Deal name] = ?", ["y" * MB]), None, "[(0,)]"),
    Case("query beyond the URL limit", lambda c, s: one(
        c, "SELECT count(*) FROM Deals WHERE [Deal name] = ? AND Id > 0", ["q" * 6000]),
         None, "[(0,)]"),
    Case("IN list of 10,000 ids", lambda c, s: len(one(
        c, f"SELECT Id FROM Deals WHERE Id IN ({','.join(map(str, range(1, 10001)))})"))
         == one(c, "SELECT count(*) FROM Deals")[0][0], None, "True"),
    Case("IN list of 10,000 parameters", lambda c, s: one(
        c, f"SELECT count(*) FROM Deals WHERE [Deal name] IN ({','.join('?' * 10000)})",
        [f"none {i}" for i in range(10000)]), None, "[(0,)]"),
    # Replies: a bad one once is retried away; one that stays bad is a clear error.
    Case("truncated reply once", lambda c, s: one(c, "SELECT count(*) FROM Deals WHERE Id < 5"),
         None, "[(4,)]", {**REPLY, "body": TRUNCATED}),
    Case("truncated reply", lambda c, s: one(c, "SELECT count(*) FROM Deals WHERE Id < 5"),
         mod.OperationalError, r"malformed JSON.*\(gave up after 4 attempts\)",
         {**REPLY, "body": TRUNCATED, "times": -1}),
    Case("reply of the wrong shape", lambda c, s: one(c, "SELECT count(*) FROM Deals"),
         mod.OperationalError, r"records.json: the reply \(HTTP 200\) has malformed JSON",
         {**REPLY, "body": '{"records": "x"}', "times": -1}),
    Case("record without $id", lambda c, s: one(c, "SELECT count(Id) FROM Deals"),
         mod.OperationalError, r"a record without a valid \$id",
         {**REPLY, "body": '{"records": [{"x": {"type": "NUMBER", "value": "1"}}]}', "times": -1}),
    Case("no totalCount for count(*)", lambda c, s: one(c, "SELECT count(*) FROM Deals"),
         mod.OperationalError, r"kintone's reply has no totalCount for app 2",
         {**REPLY, "body": '{"records": []}', "times": -1}),
    Case("empty reply", lambda c, s: one(c, "SELECT count(*) FROM Deals"),
         mod.OperationalError, "the reply .HTTP 200. has malformed JSON",
         {**REPLY, "body": "", "times": -1}),
    Case("gateway page", lambda c, s: one(c, "SELECT count(*) FROM Deals"),
         mod.OperationalError, r"HTTP 502 Bad Gateway: bad gateway \(gave up after 4 attempts\)",
         {**REPLY, "status": 502, "body": "<h1>bad gateway</h1>", "times": -1}),
    Case("binary garbage", lambda c, s: one(c, "SELECT count(*) FROM Deals"),
         mod.OperationalError, "HTTP 500 Internal Server Error",
         {"path": "/k/v1/records.json", "status": 500, "body": "\0\x01\xff", "times": -1}),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=10) as s:
        yield s


@pytest.fixture(scope="module")
def conn(sim: Simulator) -> Iterator[mod.Connection]:
    with mod.connect(sim.connection_string) as c:
        yield c


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, sim: Simulator, conn: mod.Connection) -> None:
    if case.fault:
        sim.add_fault(**case.fault)
    try:
        if case.error is None:
            assert repr(case.run(conn, sim)) == case.says
        else:
            with pytest.raises(case.error, match=case.says) as info:
                case.run(conn, sim)
            # The class says what happened: no bare Error, no Python built-in exception.
            assert type(info.value) is not mod.Error
    finally:
        sim.clear_faults()
    # The connection is usable afterwards.
    assert one(conn, "SELECT count(*) FROM Deals WHERE Id <= 3") == [(3,)]

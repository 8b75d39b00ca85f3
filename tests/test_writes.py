"""Writes to kintone tables as a user meets them: every statement form, batching into
bulkRequests, the ids kintone gives, what is refused, and the partial-failure contract of a
write that stops half-way (re-running from ``first_uncommitted_index`` writes every row exactly
once). Against the installed package and a real simulator over loopback.
"""

from __future__ import annotations

from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native


def writes(sim: Simulator) -> dict[str, int]:
    """The write requests the simulator served since the log was reset, by endpoint."""
    by: dict[str, int] = sim.stats()["byEndpoint"]
    return {k: v for k, v in by.items() if not k.startswith("GET ")}


def count(conn: mod.Connection, where: str = "1", *params: Any) -> int:
    [(n,)] = conn.execute(f"SELECT COUNT(*) FROM Deals WHERE {where}", list(params)).fetchall()
    return int(n)


def test_insert_forms_and_ids(sim: Simulator, conn: mod.Connection) -> None:
    cur = conn.cursor()
    sim.reset_requests()
    cur.execute("INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", ["one", 1])
    assert cur.rowcount == 1 and cur.lastrowid is not None and cur.inserted_ids == [cur.lastrowid]
    first = cur.lastrowid
    cur.execute("INSERT INTO Deals ([Deal name], Amount) VALUES ('two', 2), ('three', 3)")
    assert cur.rowcount == 2 and cur.lastrowid is None and len(cur.inserted_ids) == 2
    assert writes(sim) == {"POST /k/v1/bulkRequest.json": 2}
    rows = conn.execute(
        "SELECT Id, [Deal name], Amount FROM Deals WHERE Id >= ? ORDER BY Id", [first]
    ).fetchall()
    assert [(r[1], r[2]) for r in rows] == [("one", 1), ("two", 2), ("three", 3)]
    assert [r[0] for r in rows] == [first, *cur.inserted_ids]
    # INSERT ... SELECT from a TEMP table, and from a kintone table.
    cur.execute("CREATE TEMP TABLE staged (name TEXT, amount INTEGER)")
    cur.executemany("INSERT INTO staged VALUES (?, ?)", [("s1", 10), ("s2", 20)])
    cur.execute("INSERT INTO Deals ([Deal name], Amount) SELECT name, amount FROM staged")
    assert cur.rowcount == 2
    before = count(conn)
    cur.execute(
        "INSERT INTO Deals ([Deal name], Amount) "
        "SELECT [Deal name] || ' copy', Amount FROM Deals WHERE Id = ?",
        [first],
    )
    assert cur.rowcount == 1 and count(conn) == before + 1
    assert count(conn, "[Deal name] = 'one copy' AND Amount = 1") == 1


def test_update_reads_one_record_and_sends_only_changes(
    sim: Simulator, conn: mod.Connection
) -> None:
    cur = conn.cursor()
    cur.execute("INSERT INTO Deals ([Deal name], Amount) VALUES ('u', 5)")
    rid = cur.lastrowid
    sim.reset_requests()
    cur.execute("UPDATE Deals SET Amount = Amount + 1 WHERE Id = ?", [rid])
    assert cur.rowcount == 1
    reads = [r for r in sim.requests() if r["path"] == "/k/v1/records.json"]
    assert len(reads) == 1 and reads[0]["records"] == 1  # the WHERE was sent to kintone
    [(amount, name, revision)] = conn.execute(
        "SELECT Amount, [Deal name], Revision FROM Deals WHERE Id = ?", [rid]
    ).fetchall()
    assert (amount, name, revision) == (6, "u", 2)
    sim.reset_requests()
    cur.execute("UPDATE Deals SET Amount = 6 WHERE Id = ?", [rid])  # no change
    assert cur.rowcount == 1 and writes(sim) == {}


def test_delete(conn: mod.Connection) -> None:
    cur = conn.cursor()
    cur.executemany("INSERT INTO Deals ([Deal name]) VALUES (?)", [("del",)] * 3)
    ids = cur.inserted_ids
    cur.execute("DELETE FROM Deals WHERE [Deal name] = 'del' AND Id <> ?", [ids[0]])
    assert cur.rowcount == 2
    assert count(conn, "[Deal name] = 'del'") == 1


def test_executemany_is_batched(sim: Simulator, conn: mod.Connection) -> None:
    cur = conn.cursor()
    sim.reset_requests()
    cur.executemany(
        "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", [("bulk", i) for i in range(10000)]
    )
    assert cur.rowcount == 10000 and len(cur.inserted_ids) == 10000
    assert writes(sim) == {"POST /k/v1/bulkRequest.json": 5}  # 10,000 rows, 5 requests
    assert count(conn, "[Deal name] = 'bulk'") == 10000


def test_refused_with_the_fix_named(sim: Simulator, conn: mod.Connection) -> None:
    cases = [
        ("INSERT INTO Deals ([Deal name]) VALUES ('x') RETURNING Id", "inserted_ids"),
        ("INSERT OR REPLACE INTO Deals ([Deal name]) VALUES ('x')", "UPSERT"),
        ("INSERT OR IGNORE INTO Deals ([Deal name]) VALUES ('x')", "UPSERT"),
        ("UPDATE Deals SET Id = Id + 100000 WHERE Id = 1", "Id"),
        ("UPDATE Deals SET [Expected revenue] = 1 WHERE Id = 1", "Expected revenue"),
        ("UPDATE Deals SET Revision = 7 WHERE Id = 1", "Revision"),
    ]
    sim.reset_requests()
    for sql, fix in cases:
        with pytest.raises(mod.DatabaseError, match=fix):
            conn.execute(sql)
    assert writes(sim) == {}


def test_partial_failure_and_resume(sim: Simulator, conn: mod.Connection) -> None:
    rows = [(f"p{i}", i) for i in range(5000)]
    sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
    sim.add_fault(path="/k/v1/bulkRequest.json", nth=2, status=500, code="GAIA_DA02")
    cur = conn.cursor()
    with pytest.raises(mod.OperationalError) as info:
        cur.executemany(sql, rows)
    e = info.value
    assert e.committed_ids is not None and len(e.committed_ids) == 2000
    assert e.first_uncommitted_index == 2000 and e.outcome_unknown is False
    assert count(conn, "[Deal name] LIKE 'p%'") == 2000
    # The records in kintone are exactly the committed ones.
    sql_ids = "SELECT Id FROM Deals WHERE [Deal name] LIKE 'p%' ORDER BY Id"
    ids = [r[0] for r in conn.execute(sql_ids)]
    assert ids == e.committed_ids
    sim.clear_faults()
    cur.executemany(sql, rows[e.first_uncommitted_index :])
    [(n, distinct)] = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT Amount) FROM Deals WHERE [Deal name] LIKE 'p%'"
    ).fetchall()
    assert (n, distinct) == (5000, 5000)  # every row exactly once


def test_error_after_rows_were_sent_ahead(sim: Simulator, conn: mod.Connection) -> None:
    # executemany sends each full bulkRequest (2,000 records) while its next rows run, in row
    # order: an error at row 4,500 finds rows 0 to 3,999 written, and says so.
    sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
    rows: list[tuple[Any, ...]] = [("ahead", i) for i in range(5000)]
    rows[4500] = ("ahead", "not a number")
    with pytest.raises(mod.DataError) as info:
        conn.executemany(sql, rows)
    e = info.value
    assert (e.row_index, e.field) == (4500, "Amount") and "4000 rows were written" in str(e)
    assert e.first_uncommitted_index == 4000 and e.committed_ids is not None
    ids = [r[0] for r in conn.execute(
        "SELECT Id FROM Deals WHERE [Deal name] = 'ahead' ORDER BY Id")]
    assert ids == e.committed_ids and len(ids) == 4000  # in row order
    rows[4500] = ("ahead", 4500)
    conn.executemany(sql, rows[e.first_uncommitted_index :])
    [(n, distinct)] = conn.execute(
        "SELECT COUNT(*), COUNT(DISTINCT Amount) FROM Deals WHERE [Deal name] = 'ahead'"
    ).fetchall()
    assert (n, distinct) == (5000, 5000)  # every row exactly once


def test_validation_error_names_row_and_field(sim: Simulator, conn: mod.Connection) -> None:
    sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
    rows: list[tuple[Any, ...]] = [("v", i) for i in range(300)]
    rows[217] = ("v", "not a number")
    with pytest.raises(mod.DataError) as info:  # refused by the driver: nothing sent
        conn.executemany(sql, rows)
    e = info.value
    assert (e.row_index, e.field) == (217, "Amount") and "not a number" in str(e)
    assert e.committed_ids == [] and e.first_uncommitted_index == 0
    # kintone's own validation error, in the third request of the bulkRequest.
    rows[217] = ("v", 217)
    body = (
        '{"results": [{}, {}, {"code": "CB_VA01", "id": "x", "message": "Missing or invalid '
        'input.", "errors": {"records[17].amount.value": {"messages": ["Too large."]}}}]}'
    )
    sim.add_fault(
        path="/k/v1/bulkRequest.json", status=400, body=body, content_type="application/json"
    )
    with pytest.raises(mod.DataError) as info:
        conn.executemany(sql, rows)
    e = info.value
    assert (e.row_index, e.field, e.code) == (217, "Amount", "CB_VA01")
    assert e.committed_ids == [] and e.first_uncommitted_index == 0
    sim.clear_faults()
    assert count(conn, "[Deal name] = 'v'") == 0  # one bulkRequest: none applied


def test_outcome_unknown_is_reported_not_guessed(sim: Simulator, conn: mod.Connection) -> None:
    rows = [("unk", i) for i in range(2500)]
    sim.add_fault(path="/k/v1/bulkRequest.json", nth=2, reset_after_serve=True)
    with pytest.raises(mod.OperationalError) as info:
        conn.executemany("INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)", rows)
    e = info.value
    assert e.outcome_unknown is True and "not known" in str(e)
    assert e.committed_ids is not None and len(e.committed_ids) == 2000
    assert e.first_uncommitted_index == 2000
    sim.clear_faults()
    # The simulator did apply the lost request: the caller must check before re-running.
    assert count(conn, "[Deal name] = 'unk'") == 2500


def test_subtable_rows(conn: mod.Connection) -> None:
    child = "[受注明細 Orders_明細]"
    [(rid, n)] = conn.execute(
        f"SELECT RecordId, COUNT(*) FROM {child} GROUP BY RecordId ORDER BY RecordId LIMIT 1"
    ).fetchall()
    untouched = conn.execute(
        f"SELECT Id, 商品, 数量 FROM {child} WHERE RecordId = ? ORDER BY Id", [rid]
    ).fetchall()
    cur = conn.cursor()
    cur.execute(
        f"INSERT INTO {child} (RecordId, 商品, 数量, 単価) VALUES (?, 'added', 2, 10)", [rid]
    )
    assert cur.rowcount == 1
    rows = conn.execute(
        f"SELECT Id, 商品, 数量, 小計 FROM {child} WHERE RecordId = ? ORDER BY Id", [rid]
    ).fetchall()
    assert len(rows) == n + 1
    assert [r[:3] for r in rows[:-1]] == untouched  # the other rows, ids included
    new_id = rows[-1][0]
    assert rows[-1][1:] == ("added", 2, 20)  # 小計 computed by kintone
    cur.execute(f"UPDATE {child} SET 数量 = 5 WHERE Id = ?", [new_id])
    cur.execute(f"DELETE FROM {child} WHERE Id = ?", [untouched[0][0]])
    rows = conn.execute(
        f"SELECT Id, 数量 FROM {child} WHERE RecordId = ? ORDER BY Id", [rid]
    ).fetchall()
    assert rows == [*[(r[0], r[2]) for r in untouched[1:]], (new_id, 5)]


#: The columns each sample app lets a write set (what kintone computes, assigns or copies is
#: left out; unique fields get a new value).
WRITABLE = {
    "顧客リスト": ["Webサイト", "タグ", "備考", "従業員数", "担当者", "業種", "設立日", "電話番号"],
    "Deals": [
        "Amount", "Call time", "Channels", "Close date", "Customer", "Deal name", "Last contact",
        "Notes", "Owner", "Priority", "Probability", "Stage",
    ],
    "受注明細 Orders": [
        "添付ファイル", "顧客名", "メモ", "受注日",
        "担当地域", "出荷日時", "ステータス", "担当チーム",
    ],
}
UNIQUE = {"顧客リスト": "会社名", "受注明細 Orders": "受注番号"}


@pytest.mark.parametrize("table", sorted(WRITABLE))
def test_every_writable_type_round_trips(conn: mod.Connection, table: str) -> None:
    """Every value of every writable column, as read, written into a new record reads back
    the same (times to the minute, which is what kintone keeps)."""
    cols = WRITABLE[table]
    quoted = ", ".join(f"[{c}]" for c in cols)
    sources = conn.execute(f"SELECT Id, {quoted} FROM [{table}] ORDER BY Id LIMIT 20").fetchall()
    cur = conn.cursor()
    for src in sources:
        names = quoted
        values = list(src[1:])
        if table in UNIQUE:
            names += f", [{UNIQUE[table]}]"
            values.append(f"copy of {src[0]}")
        marks = ", ".join("?" for _ in values)
        cur.execute(f"INSERT INTO [{table}] ({names}) VALUES ({marks})", values)
        [copy] = conn.execute(
            f"SELECT {quoted} FROM [{table}] WHERE Id = ?", [cur.lastrowid]
        ).fetchall()
        assert copy == src[1:], f"{table} record {src[0]}"


def sent_records(sim: Simulator) -> list[dict[str, Any]]:
    """The records of the insert requests the simulator served since the log was reset."""
    return [
        record
        for r in sim.requests()
        if r["method"] == "POST" and r["path"].endswith("/bulkRequest.json")
        for item in r["params"]["requests"]
        for record in item["payload"]["records"]
    ]


PLAIN_ROWS = [  # str, int and float columns with NULLs, and text kintone keeps as it is
    ("plain 1", 100, 0.5, "Lead", "a note"),
    ("日本語の案件", None, 12.25, "Won", None),
    ("tab\tand, comma", 7, None, "Lost", "line\nbreak"),
    ("big", 2**53 + 1, 1e-7, "Lead", ""),
]


@pytest.mark.parametrize("table", [*sorted(WRITABLE), "plain"])
def test_executemany_sends_what_execute_sends(
    sim: Simulator, conn: mod.Connection, table: str
) -> None:
    """executemany sends its parameter rows to the core column by column when it can: kintone
    gets the very records one execute per row sends."""
    if table == "plain":
        table, names = "Deals", "[Deal name], Amount, Probability, Stage, Notes"
        rows = [list(r) for r in PLAIN_ROWS]
    else:
        names = ", ".join(f"[{c}]" for c in WRITABLE[table])
        rows = [list(r) for r in conn.execute(f"SELECT {names} FROM [{table}] LIMIT 20")]
    unique = UNIQUE.get(table)
    if unique:
        names += f", [{unique}]"
    sql = f"INSERT INTO [{table}] ({names}) VALUES ({', '.join('?' for _ in names.split(', '))})"
    if unique:
        code = {"会社名": "会社名", "受注番号": "order_no"}[unique]

        def keyed(tag: str) -> list[list[Any]]:
            return [[*r, f"{tag} {i}"] for i, r in enumerate(rows)]

    else:
        code = None

        def keyed(tag: str) -> list[list[Any]]:
            return rows

    sim.reset_requests()
    conn.executemany(sql, keyed("many"))
    many = sent_records(sim)
    sim.reset_requests()
    for r in keyed("one"):
        conn.execute(sql, r)
    one = sent_records(sim)
    if code:
        for record in many + one:
            record.pop(code)
    assert len(many) == len(rows) and many == one


def test_python_values_reach_kintone(sim: Simulator, conn: mod.Connection) -> None:
    import datetime as dt
    from decimal import Decimal

    cur = conn.cursor()
    sim.reset_requests()
    jst = dt.timezone(dt.timedelta(hours=9))
    cur.execute(
        "INSERT INTO Deals ([Deal name], Amount, Probability, [Close date], [Call time], "
        "[Last contact], Channels) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            "typed",
            Decimal("123456789.123456789"),  # more digits than a float holds
            0.25,
            dt.date(2026, 2, 28),
            dt.time(9, 30),
            dt.datetime(2026, 3, 1, 9, 15, 59, tzinfo=jst),  # kintone keeps minutes
            ["Web", "Email"],
        ],
    )
    [row] = conn.execute(
        "SELECT Amount, Probability, [Close date], [Call time], [Last contact], Channels "
        "FROM Deals WHERE Id = ?",
        [cur.lastrowid],
    ).fetchall()
    # kintone got every digit (reading gives the nearest double: see the README's Types).
    [sent] = [r for r in sim.requests() if r["method"] == "POST"]
    record = sent["params"]["requests"][0]["payload"]["records"][0]
    assert record["amount"] == {"value": "123456789.123456789"}
    assert record["last_contact"] == {"value": "2026-03-01T00:15:00Z"}
    assert row[0] == Decimal("123456789.12345679")
    assert row[1:5] == (
        Decimal("0.25"),
        dt.date(2026, 2, 28),
        dt.time(9, 30),
        dt.datetime(2026, 3, 1, 0, 15, tzinfo=dt.timezone.utc),
    )
    assert row[5] in ('["Web","Email"]', '["Email","Web"]')


def test_oauth_writes_go_as_plain_requests() -> None:
    """kintone does not document bulkRequest for OAuth tokens: under OAuth each request of up
    to 100 records goes on its own (not atomic across requests), with the same contract."""
    client = {"clientId": "w", "clientSecret": "s", "redirectUris": ["http://localhost:9/cb"]}
    with Simulator(order_records=10, oauth_clients=[client]) as sim:
        token = sim.issue_oauth_tokens("w", "admin")["access_token"]
        with mod.connect(Url=sim.url, InitiateOAuth="OFF", OAuthAccessToken=token) as conn:
            sim.reset_requests()
            sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
            cur = conn.executemany(sql, [("o", i) for i in range(250)])
            assert cur.rowcount == 250 and len(cur.inserted_ids) == 250
            assert writes(sim) == {"POST /k/v1/records.json": 3}
            sim.add_fault(
                path="/k/v1/records.json", method="POST", nth=2, status=500, code="GAIA_DA02"
            )
            with pytest.raises(mod.OperationalError) as info:
                conn.executemany(sql, [("o2", i) for i in range(250)])
            e = info.value
            assert e.committed_ids is not None and len(e.committed_ids) == 100
            assert e.first_uncommitted_index == 100
            sim.clear_faults()
            assert count(conn, "[Deal name] = 'o2'") == 100


def test_oauth_parallel_inserts_keep_the_contract() -> None:
    """Under OAuth, with InsertParallelism, the requests of 100 records go side by side; when
    one fails, what those after it added is deleted again (DELETE records.json), as with
    bulkRequests."""
    client = {"clientId": "w", "clientSecret": "s", "redirectUris": ["http://localhost:9/cb"]}
    with Simulator(order_records=10, oauth_clients=[client]) as sim:
        token = sim.issue_oauth_tokens("w", "admin")["access_token"]
        props = {"InitiateOAuth": "OFF", "OAuthAccessToken": token, "InsertParallelism": "3"}
        with mod.connect(Url=sim.url, **props) as conn:
            sql = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
            rows: list[tuple[Any, int]] = [("p", i) for i in range(250)]
            rows[10] = (None, 10)  # kintone requires a Deal name: the first request fails
            sim.add_fault(path="/k/v1/records.json", method="POST", nth=1, delay=1.0)
            sim.reset_requests()
            with pytest.raises(mod.Error) as info:
                conn.executemany(sql, rows)
            sim.clear_faults()
            e = info.value
            assert (e.committed_ids, e.first_uncommitted_index, e.row_index) == ([], 0, 10)
            assert writes(sim) == {"POST /k/v1/records.json": 3, "DELETE /k/v1/records.json": 2}
            assert count(conn, "[Deal name] = 'p'") == 0
            rows[10] = ("p", 10)
            cur = conn.executemany(sql, rows)
            assert cur.rowcount == 250 and count(conn, "[Deal name] = 'p'") == 250


def test_guest_space_writes(sim: Simulator) -> None:
    guest = sim.app(4)
    with mod.connect(f"{sim.connection_string};GuestSpaceId={guest['guestSpaceId']}") as conn:
        table = guest["name"]
        sim.reset_requests()
        column = guest_text_column(conn, table)
        cur = conn.execute(f"INSERT INTO [{table}] ([{column}]) VALUES ('g')")
        assert cur.rowcount == 1 and cur.lastrowid is not None
        [sent] = [r for r in sim.requests() if r["method"] == "POST"]
        assert sent["path"] == f"/k/guest/{guest['guestSpaceId']}/v1/bulkRequest.json"
        api = sent["params"]["requests"][0]["api"]
        assert api == f"/k/guest/{guest['guestSpaceId']}/v1/records.json"


def guest_text_column(conn: mod.Connection, table: str) -> str:
    [(name,)] = conn.execute(
        "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = ? "
        "AND FieldType = 'SINGLE_LINE_TEXT' LIMIT 1",
        [table],
    ).fetchall()
    return str(name)


def test_upsert_and_temp_companions(sim: Simulator, conn: mod.Connection) -> None:
    cur = conn.cursor()
    [(rid,)] = conn.execute("SELECT Id FROM Deals ORDER BY Id LIMIT 1").fetchall()
    before = count(conn)
    sim.reset_requests()
    cur.execute(
        "UPSERT INTO Deals (Id, [Deal name]) VALUES (?, 'upserted'), (987654321, 'new one')", [rid]
    )
    assert cur.rowcount == 2 and len(cur.inserted_ids) == 1
    assert writes(sim) == {"POST /k/v1/bulkRequest.json": 1}
    assert count(conn) == before + 1
    assert count(conn, "[Deal name] = 'upserted' AND Id = ?", rid) == 1
    # Through the companion table, as tools that only write INSERT do.
    new = cur.inserted_ids[0]
    cur.executemany("INSERT INTO [Deals#UPSERT] (Id, Amount) VALUES (?, ?)", [(rid, 7), (new, 8)])
    assert count(conn, "Amount IN (7, 8)") == 2 and count(conn) == before + 1
    # #TEMP: gather locally, then one bulk copy.
    stage = conn.execute("SELECT Stage FROM Deals LIMIT 1").fetchone()
    assert stage is not None
    cur.executemany(
        "INSERT INTO [Deals#TEMP] ([Deal name], Amount, Stage) VALUES (?, ?, ?)",
        [(f"tmp{i}", i, stage[0]) for i in range(150)],
    )
    sim.reset_requests()
    cur.execute("INSERT INTO Deals SELECT * FROM [Deals#TEMP]")
    assert cur.rowcount == 150 and writes(sim) == {"POST /k/v1/bulkRequest.json": 1}
    assert count(conn, "[Deal name] LIKE 'tmp%'") == 150

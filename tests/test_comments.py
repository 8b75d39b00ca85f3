"""The Comments table as a user meets it: reading a record's comments (paged by kintone 10 at a
time), posting them one request per row with the partial-failure contract of other writes,
deleting them, and what is refused. Against the installed package and a real simulator over
loopback.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator
from test_type_table import readme_types

pytestmark = pytest.mark.native

DEALS = 2
SELECT = "SELECT * FROM Comments WHERE AppId = ? AND RecordId = ?"
INSERT = "INSERT INTO Comments (AppId, RecordId, Text, MentionsAggregate) VALUES (?, ?, ?, ?)"


@pytest.fixture
def deal(conn: mod.Connection) -> int:
    [(rid,)] = conn.execute("SELECT Id FROM Deals ORDER BY Id LIMIT 1").fetchall()
    return int(rid)


def comment_requests(sim: Simulator) -> dict[str, int]:
    """The comment requests the simulator served since the log was reset, by endpoint."""
    by: dict[str, int] = sim.stats()["byEndpoint"]
    return {k: v for k, v in by.items() if "/record/comment" in k}


def test_post_many_and_read_them_back(sim: Simulator, conn: mod.Connection, deal: int) -> None:
    cur = conn.cursor()
    sim.reset_requests()
    cur.executemany(INSERT, [(DEALS, deal, f"note {i}", None) for i in range(12)])
    assert cur.rowcount == 12 and cur.inserted_ids == list(range(1, 13))
    assert comment_requests(sim) == {"POST /k/v1/record/comment.json": 12}  # no bulk API
    sim.reset_requests()
    cur.execute(SELECT, [DEALS, deal])
    rows = cur.fetchall()
    assert comment_requests(sim) == {"GET /k/v1/record/comments.json": 2}  # 10 + 2
    assert cur.description is not None
    names = [d[0] for d in cur.description]
    assert names == ["Id", "AppId", "RecordId", "Text", "CreatorCode", "CreatorName",
                     "CreatedAt", "MentionsAggregate"]
    assert [r[0] for r in rows] == list(range(1, 13))  # oldest first
    assert {(r[1], r[2], r[4], r[7]) for r in rows} == {(DEALS, deal, sim.user, None)}
    assert [r[3] for r in rows] == [f"note {i}" for i in range(12)]
    now = dt.datetime.now(dt.timezone.utc)
    assert all(abs(now - r[6]) < dt.timedelta(minutes=5) for r in rows)
    # Every column is typed as the README's Types table promises.
    promised = readme_types()
    types: dict[str, str] = dict(conn.execute(
        "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = 'Comments'"
    ).fetchall())
    for i, d in enumerate(cur.description):
        key = (types[d[0]], d[1])
        assert key in promised, f"Comments.{d[0]} {key}"
        assert all(promised[key].check(r[i]) for r in rows if r[i] is not None), d[0]
    # A single INSERT reports the new comment's id as lastrowid.
    cur.execute(INSERT, [DEALS, deal, "one more", None])
    assert cur.lastrowid == 13 and cur.inserted_ids == [13]


def test_mentions_join_and_delete(sim: Simulator, conn: mod.Connection, deal: int) -> None:
    mentions = [{"code": "sato", "type": "USER"}, {"code": "managers", "type": "GROUP"}]
    conn.execute(INSERT, [DEALS, deal, "please look", json.dumps(mentions)])
    conn.execute(INSERT, [DEALS, deal, "thanks", None])
    rows = conn.execute(
        "SELECT Id, Text, MentionsAggregate FROM Comments WHERE AppId = ? AND RecordId IN (?, ?)",
        [DEALS, deal, deal + 1],
    ).fetchall()
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1].endswith("please look") and "佐藤" in rows[0][1]  # kintone adds the names
    assert json.loads(rows[0][2]) == mentions and rows[1][2] is None
    joined = conn.execute(
        "SELECT d.Id, c.Text FROM Deals d JOIN Comments c ON c.AppId = ? AND c.RecordId = d.Id "
        "WHERE d.Id = ? ORDER BY c.Id DESC",
        [DEALS, deal],
    ).fetchall()
    assert joined == [(deal, "thanks"), (deal, rows[0][1])]
    sim.reset_requests()
    cur = conn.execute(
        "DELETE FROM Comments WHERE AppId = ? AND RecordId = ? AND Id = ?", [DEALS, deal, 1]
    )
    assert cur.rowcount == 1
    assert comment_requests(sim) == {
        "GET /k/v1/record/comments.json": 1, "DELETE /k/v1/record/comment.json": 1
    }
    assert conn.execute(SELECT, [DEALS, deal]).fetchall()[0][3] == "thanks"


def test_partial_failure_and_resume(conn: mod.Connection, deal: int) -> None:
    rows: list[tuple[int, int, str, str | None]] = [(DEALS, deal, t, None) for t in "abc"]
    rows[1] = (DEALS, deal, "b", '[{"code": "nobody", "type": "USER"}]')
    cur = conn.cursor()
    with pytest.raises(mod.DatabaseError) as info:
        cur.executemany(INSERT, rows)
    e = info.value
    assert e.code == "CB_VA01" and (e.row_index, e.field) == (1, "MentionsAggregate")
    assert e.committed_ids == [1] and e.first_uncommitted_index == 1
    assert e.outcome_unknown is False
    rows[1] = (DEALS, deal, "b", None)
    cur.executemany(INSERT, rows[e.first_uncommitted_index :])
    texts = [r[3] for r in conn.execute(SELECT, [DEALS, deal])]
    assert texts == ["a", "b", "c"]  # every row exactly once


def test_refusals(sim: Simulator, conn: mod.Connection, deal: int) -> None:
    sim.reset_requests()
    for sql in (
        "SELECT * FROM Comments",
        f"SELECT * FROM Comments WHERE AppId = {DEALS}",
        f"DELETE FROM Comments WHERE RecordId = {deal} AND Id = 1",
    ):
        with pytest.raises(mod.ProgrammingError, match="needs both AppId = … and RecordId"):
            conn.execute(sql)
    with pytest.raises(mod.NotSupportedError, match="cannot change a comment"):
        conn.execute(
            "UPDATE Comments SET Text = 'x' WHERE AppId = ? AND RecordId = ?", [DEALS, deal]
        )
    with pytest.raises(mod.DataError, match="Text must be") as info:
        conn.executemany(INSERT, [(DEALS, deal, "fine", None), (DEALS, deal, "", None)])
    assert (info.value.row_index, info.value.field) == (1, "Text")
    with pytest.raises(mod.ProgrammingError, match="CreatedAt"):
        conn.execute(
            "INSERT INTO Comments (AppId, RecordId, Text, CreatedAt) VALUES (?, ?, 'x', ?)",
            [DEALS, deal, dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)],
        )
    assert comment_requests(sim) == {}


def test_listed_in_the_system_tables(conn: mod.Connection) -> None:
    [(kind, app)] = conn.execute(
        "SELECT TableType, AppId FROM sys_tables WHERE TableName = 'Comments'"
    ).fetchall()
    assert (kind, app) == ("TABLE", None)
    keys = conn.execute(
        "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = 'Comments' AND IsKey = 1 "
        "ORDER BY Ordinal"
    ).fetchall()
    assert keys == [("Id",), ("AppId",), ("RecordId",)]

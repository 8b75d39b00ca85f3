"""UseCursor=true: scans read through kintone's records cursor API, with the same answers as the
default id paging, and never leave a cursor open in the domain."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

CURSOR = "/k/v1/records/cursor.json"
RECORDS = "/k/v1/records.json"

STATEMENTS = [
    "SELECT * FROM Deals",
    "SELECT Id, Amount FROM Deals WHERE Amount > 2500000 AND Stage = 'Won' ORDER BY Id DESC",
    "SELECT Id FROM Deals WHERE [Deal name] LIKE 'ERP%' LIMIT 7 OFFSET 3",
    "SELECT Id FROM Deals ORDER BY Id DESC LIMIT 600 OFFSET 450",
    "SELECT Id, Stage FROM Deals WHERE Id = 1234",
    "SELECT Stage, count(*), sum(Amount) FROM Deals WHERE Id <= 1500 GROUP BY Stage ORDER BY Stage",
    'SELECT * FROM "受注明細 Orders_明細" WHERE RecordId < 8',
    "SELECT d.Id, c.[業種] FROM Deals d JOIN [顧客リスト] c ON c.[会社名] = d.Customer"
    " WHERE d.Id < 300",
]


@pytest.fixture
def cursors(sim: Simulator) -> Iterator[mod.Connection]:
    """A connection to ``sim`` that reads through cursors."""
    with mod.connect(sim.connection_string, UseCursor=True) as c:
        yield c


def _sent(cur: mod.Cursor) -> Counter[tuple[str, str]]:
    return Counter((r.method, r.path) for r in cur.kintone_requests)


@pytest.mark.parametrize("sql", STATEMENTS)
def test_same_answers_as_id_paging(conn: mod.Connection, cursors: mod.Connection, sql: str) -> None:
    assert cursors.execute(sql).fetchall() == conn.execute(sql).fetchall()


def test_default_reads_by_id_and_use_cursor_true_through_a_cursor(
    sim: Simulator, conn: mod.Connection, cursors: mod.Connection
) -> None:
    props = "SELECT Value FROM sys_connection_props WHERE Name = 'UseCursor'"
    assert conn.execute(props).fetchone() == ("false",)
    assert cursors.execute(props).fetchone() == ("true",)
    conn.execute("SELECT 1 FROM Deals WHERE Id = 1").fetchall()  # the table is known
    cursors.execute("SELECT 1 FROM Deals WHERE Id = 1").fetchall()

    by_id = conn.execute("SELECT Id FROM Deals")
    assert len(by_id.fetchall()) == 2000
    assert all(path == RECORDS for _, path in _sent(by_id))

    cur = cursors.execute("SELECT Id FROM Deals WHERE Id > 100")
    assert len(cur.fetchall()) == 1900
    # One cursor created, four pages of 500 read; kintone deletes it with the last page.
    assert _sent(cur) == Counter({("POST", CURSOR): 1, ("GET", CURSOR): 4})
    created = next(r for r in cur.kintone_requests if r.method == "POST")
    assert created.query == "$id > 100 order by $id asc"  # the pushed query, without limit
    assert created.fields == ("$id",)
    assert sim.stats()["openCursors"] == 0

    # One request answers these: one records.json request, no cursor.
    for sql in ("SELECT * FROM Deals LIMIT 10", "SELECT * FROM Deals WHERE Id = 7"):
        assert _sent(cursors.execute(sql)) == Counter({("GET", RECORDS): 1}), sql


def test_cursor_deleted_when_a_read_stops_early(sim: Simulator, cursors: mod.Connection) -> None:
    cur = cursors.execute("SELECT Id FROM Deals LIMIT 700")
    assert len(cur.fetchall()) == 700
    assert _sent(cur)[("DELETE", CURSOR)] == 1
    assert sim.stats()["openCursors"] == 0

    cur = cursors.execute("SELECT * FROM Deals")
    assert len(cur.fetchmany(10)) == 10
    assert sim.stats()["openCursors"] == 1
    cur.close()
    assert sim.stats()["openCursors"] == 0

    other = mod.connect(sim.connection_string, UseCursor=True)
    other.execute("SELECT * FROM Deals").fetchone()
    assert sim.stats()["openCursors"] == 1
    other.close()
    assert sim.stats()["openCursors"] == 0


def test_cursor_deleted_after_an_error(sim: Simulator, cursors: mod.Connection) -> None:
    cursors.execute("SELECT 1 FROM Deals WHERE Id = 1").fetchall()
    sim.add_fault(method="GET", path=CURSOR, nth=2, status=503, code="GAIA_TO04")
    cur = cursors.cursor()
    with pytest.raises(mod.OperationalError, match="never sent again"):
        cur.execute("SELECT * FROM Deals").fetchall()
    assert sim.stats()["openCursors"] == 0


def test_ten_cursors_in_use_read_by_id_with_a_warning(
    sim: Simulator, cursors: mod.Connection
) -> None:
    other = mod.connect(sim.connection_string, UseCursor=True)
    held = [other.execute("SELECT Id FROM Deals") for _ in range(10)]  # each holds a cursor
    assert sim.stats()["openCursors"] == 10
    with pytest.warns(mod.KintoneWarning, match="GAIA_TM12"):
        cur = cursors.execute("SELECT Id FROM Deals WHERE Id > 10")
        rows = cur.fetchall()
    assert len(rows) == 1990
    sent = _sent(cur)  # the cursor refused, then pages by id
    assert (sent[("POST", CURSOR)], sent[("GET", CURSOR)]) == (1, 0) and sent[("GET", RECORDS)] > 0
    held[0].close()
    cur = cursors.execute("SELECT Id FROM Deals WHERE Id > 10")
    assert len(cur.fetchall()) == 1990
    assert _sent(cur)[("GET", CURSOR)] == 4
    other.close()
    assert sim.stats()["openCursors"] == 0

"""The partial-failure contract under faults, as the issue states it: faults in the middle of a
5,000-row ``executemany``. Afterwards the records in the simulator are exactly those in
``committed_ids`` (plus, for an unknown outcome, exactly the rows the exception says may
exist), and re-running from ``first_uncommitted_index`` leaves every row written exactly once.
A record changed by someone else between an UPDATE's scan and its write is refused."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

SQL = "INSERT INTO Deals ([Deal name], Amount) VALUES (?, ?)"
ROWS = [("fault", i) for i in range(5000)]


def written(conn: mod.Connection) -> list[tuple[int, int]]:
    """(Id, Amount) of the rows of ROWS in kintone, in Id order."""
    return [
        (int(r[0]), int(r[1]))
        for r in conn.execute(
            "SELECT Id, Amount FROM Deals WHERE [Deal name] = 'fault' ORDER BY Id"
        ).fetchall()
    ]


def assert_exactly_once(conn: mod.Connection) -> None:
    amounts = sorted(a for _, a in written(conn))
    assert amounts == list(range(5000))


@pytest.mark.parametrize(
    "fault",
    [
        {"nth": 2, "status": 500, "code": "GAIA_DA02"},  # a 500 on the second bulkRequest
        {"nth": 2, "status": 400, "body": "row 3217"},  # kintone refuses row 3,217
        {"nth": 2, "reset_after_serve": True},  # served, then the connection reset
    ],
    ids=["500", "validation", "served-then-reset"],
)
def test_fault_in_a_5000_row_executemany(
    sim: Simulator, conn: mod.Connection, fault: dict[str, Any]
) -> None:
    if fault.get("body") == "row 3217":
        # records[1217] of the second bulkRequest (rows 2,000 to 3,999) is row 3,217.
        fault["body"] = (
            '{"results": [{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {"code": "CB_VA01", '
            '"id": "x", "message": "Missing or invalid input.", "errors": '
            '{"records[17].amount.value": {"messages": ["Too large."]}}}]}'
        )
        fault["content_type"] = "application/json"
    sim.add_fault(path="/k/v1/bulkRequest.json", **fault)
    with pytest.raises(mod.Error) as info:
        conn.executemany(SQL, ROWS)
    sim.clear_faults()
    e = info.value
    assert e.committed_ids is not None and e.first_uncommitted_index == 2000
    rows = written(conn)
    if e.outcome_unknown:
        # The simulator applied the lost request: the records are the committed ones plus
        # exactly the rows the exception said may exist.
        assert e.unknown_rows == range(2000, 4000)
        assert [i for i, _ in rows[:2000]] == e.committed_ids
        assert sorted(a for _, a in rows[2000:]) == list(e.unknown_rows)
        resume = e.unknown_rows.stop
    else:
        assert [i for i, _ in rows] == e.committed_ids
        resume = e.first_uncommitted_index
    if fault.get("status") == 400:
        assert (e.row_index, e.field, e.code) == (3217, "Amount", "CB_VA01")
    conn.executemany(SQL, ROWS[resume:])
    assert_exactly_once(conn)


def test_concurrent_change_is_refused_not_overwritten(sim: Simulator, conn: mod.Connection) -> None:
    [(rid,)] = conn.execute("SELECT Id FROM Deals ORDER BY Id LIMIT 1").fetchall()
    # Our UPDATE's write waits in the simulator; meanwhile another client changes the record.
    sim.add_fault(path="/k/v1/bulkRequest.json", delay=0.5)
    other = mod.connect(sim.connection_string)

    def change() -> None:
        other.execute("UPDATE Deals SET [Deal name] = 'theirs' WHERE Id = ?", [rid])

    timer = threading.Timer(0.2, change)
    timer.start()
    with pytest.raises(mod.IntegrityError) as info:
        conn.execute("UPDATE Deals SET [Deal name] = 'ours' WHERE Id = ?", [rid])
    timer.join()
    other.close()
    assert info.value.code == "GAIA_CO02"
    [(name,)] = conn.execute("SELECT [Deal name] FROM Deals WHERE Id = ?", [rid]).fetchall()
    assert name == "theirs"


def parallel_failure(sim: Simulator) -> list[tuple[Any, int]]:
    """Rows whose first bulkRequest kintone refuses (row 10 has no Deal name, which the app
    requires) after a delay, so that the two after it, sent beside it, are applied first."""
    sim.add_fault(path="/k/v1/bulkRequest.json", nth=1, delay=2.0)
    rows: list[tuple[Any, int]] = list(ROWS)
    rows[10] = (None, 10)
    return rows


def test_parallel_inserts_keep_the_contract(sim: Simulator) -> None:
    """With InsertParallelism, a failed bulkRequest still leaves exactly the rows before it:
    the records that bulkRequests sent beside it added are deleted again, and re-running from
    first_uncommitted_index writes every row exactly once."""
    rows = parallel_failure(sim)
    with mod.connect(sim.connection_string + ";InsertParallelism=3") as conn:
        with pytest.raises(mod.Error) as info:
            conn.executemany(SQL, rows)
        sim.clear_faults()
        e = info.value
        assert (e.committed_ids, e.first_uncommitted_index, e.row_index, e.field) == (
            [], 0, 10, "Deal name"
        )
        assert e.later_committed_ids == [] and not e.outcome_unknown
        assert "were deleted again" in str(e)
        assert written(conn) == []
        conn.executemany(SQL, ROWS[e.first_uncommitted_index :])
        assert_exactly_once(conn)


def test_parallel_inserts_that_cannot_be_undone_are_listed(sim: Simulator) -> None:
    """When the records of the bulkRequests sent beside the failed one cannot be deleted again,
    the error lists them (later_committed_ids) and names no row to resume from."""
    rows = parallel_failure(sim)
    # The 4th bulkRequest is the first of the two that delete the 3,000 records.
    sim.add_fault(path="/k/v1/bulkRequest.json", nth=4, status=500, code="GAIA_DA02")
    with mod.connect(sim.connection_string + ";InsertParallelism=3") as conn:
        with pytest.raises(mod.Error) as info:
            conn.executemany(SQL, rows)
        sim.clear_faults()
        e = info.value
        assert e.first_uncommitted_index is None and e.committed_ids == []
        assert len(e.later_committed_ids or []) == 2000
        assert "could not be deleted again, or their deletion was not confirmed" in str(e)
        assert [i for i, _ in written(conn)] == e.later_committed_ids

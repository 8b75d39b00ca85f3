"""UserDefinedViews as a user meets it: a JSON file of named SQL queries that become views of the
connection, listed with their columns, and a bad file that stops connect() with an error naming
the file and the view. Against the installed package and a real simulator over loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

VIEWS = {
    "WonDeals": {
        "query": "SELECT Id, \"Deal name\" AS Deal, Amount FROM Deals WHERE Stage = 'Won'"
    },
    "DealsByStage": {"query": "SELECT Stage, count(*) AS N FROM Deals GROUP BY Stage"},
    "Big won deals": {"query": "SELECT Deal FROM WonDeals WHERE Amount >= 4000000"},
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=1) as s:
        yield s


def views_file(folder: Path, views: object, name: str = "views.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(views), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def conn(sim: Simulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[mod.Connection]:
    path = views_file(tmp_path_factory.mktemp("views"), VIEWS)
    with mod.connect(f"{sim.connection_string};UserDefinedViews='{path}'") as c:
        yield c


def rows(conn: mod.Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_views_answer_their_queries(sim: Simulator, conn: mod.Connection) -> None:
    assert rows(conn, "SELECT Stage, N FROM DealsByStage ORDER BY Stage") == [
        ("Lead", 377),
        ("Lost", 448),
        ("Proposal", 376),
        ("Qualified", 400),
        ("Won", 399),
    ]
    assert rows(conn, "SELECT count(*) FROM WonDeals") == [(399,)]
    # The view's condition goes to kintone, as the query's own would.
    sim.reset_requests()
    big = rows(conn, 'SELECT Deal FROM "Big won deals"')
    [request] = [r for r in sim.requests() if r["path"] == "/k/v1/records.json"]
    assert 'stage in ("Won")' in request["query"] and "amount >= " in request["query"]
    assert big == rows(
        conn, "SELECT \"Deal name\" FROM Deals WHERE Stage = 'Won' AND Amount >= 4000000"
    )
    assert big
    with pytest.raises(mod.ProgrammingError, match="cannot modify WonDeals because it is a view"):
        conn.execute("DELETE FROM WonDeals")


def test_views_are_listed_with_their_columns(conn: mod.Connection) -> None:
    listed = rows(
        conn,
        "SELECT TableName, TableType FROM sys_tables WHERE Description LIKE '%UserDefinedViews%'",
    )
    assert listed == [("WonDeals", "VIEW"), ("DealsByStage", "VIEW"), ("Big won deals", "VIEW")]
    assert rows(
        conn,
        "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = 'WonDeals' "
        "ORDER BY Ordinal",
    ) == [("Id", "INTEGER"), ("Deal", "VARCHAR"), ("Amount", "DECIMAL")]
    description = conn.execute("SELECT * FROM WonDeals LIMIT 1").description
    assert description is not None
    assert [d[0] for d in description] == ["Id", "Deal", "Amount"]


def test_views_over_the_user_api(sim: Simulator, tmp_path: Path) -> None:
    managers = {
        "Managers": {"query": "SELECT UserCode FROM UserDepartments WHERE TitleCode = 'manager'"}
    }
    path = views_file(tmp_path, managers)
    with mod.connect(f"{sim.connection_string};Schema=USER;UserDefinedViews={path}") as c:
        assert rows(c, "SELECT UserCode FROM Managers ORDER BY 1") == [
            ("admin",),
            ("john.smith",),
            ("sato",),
            ("suzuki",),
        ]
        assert ("Managers", "VIEW") in rows(c, "SELECT TableName, TableType FROM sys_tables")


#: Bad files: the content (None: no file), the error's class and what it says after the file's
#: name.
BAD_FILES = [
    (None, mod.InterfaceError, "cannot read it"),
    ("{not json", mod.InterfaceError, r"it is not valid JSON \(at byte 1\)"),
    ("[1]", mod.InterfaceError, "it is not a JSON object"),
    ('{"V": {"sql": "SELECT 1"}}', mod.InterfaceError, 'view "V" has no query'),
    ('{"V": {"query": "UPDATE Deals SET Stage = 1"}}', mod.InterfaceError, "one SELECT"),
    ('{"V": {"query": "SELECT * FROM Nowhere"}}', mod.ProgrammingError, "no such table: Nowhere"),
    ('{"V": {"query": "SELECT Missing FROM Deals"}}', mod.ProgrammingError, "no such column"),
    ('{"Deals": {"query": "SELECT 1"}}', mod.InterfaceError, "taken by a kintone app"),
]


@pytest.mark.parametrize(("content", "error", "message"), BAD_FILES)
def test_a_bad_file_is_an_error_naming_it(
    sim: Simulator, tmp_path: Path, content: str | None, error: type[Exception], message: str
) -> None:
    path = tmp_path / "views.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=message) as info:
        mod.connect(f"{sim.connection_string};UserDefinedViews={path}")
    assert f'UserDefinedViews file "{path}"' in str(info.value)
    if content is not None and content.startswith('{"V"'):
        assert 'view "V"' in str(info.value)

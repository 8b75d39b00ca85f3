"""The access-rights views as a user meets them through DB-API: AppPermissions, FieldPermissions,
FieldPermissionsEntities, RecordPermissions and RecordPermissionsEntities read kintone's
app/acl.json, field/acl.json and record/acl.json, one request per app asked for. Against the
installed package and a real simulator over loopback, whose sample gives 顧客リスト (1) and
Deals (2) rights of their own and the other apps a new app's rights.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

CUSTOMERS, DEALS, ORDERS = 1, 2, 3

VIEWS = {
    "AppPermissions": [
        "AppId",
        "Priority",
        "EntityType",
        "EntityCode",
        "IncludeSubs",
        "AppEditable",
        "RecordViewable",
        "RecordAddable",
        "RecordEditable",
        "RecordDeletable",
        "RecordImportable",
        "RecordExportable",
    ],
    "FieldPermissions": ["AppId", "FieldCode", "Entities"],
    "FieldPermissionsEntities": [
        "AppId",
        "FieldCode",
        "EntityPriority",
        "EntityType",
        "EntityCode",
        "Accessibility",
        "IncludeSubs",
    ],
    "RecordPermissions": ["AppId", "Priority", "FilterCond", "Entities"],
    "RecordPermissionsEntities": [
        "AppId",
        "Priority",
        "FilterCond",
        "EntityPriority",
        "EntityType",
        "EntityCode",
        "Viewable",
        "Editable",
        "Deletable",
        "IncludeSubs",
    ],
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """One simulator for the module (the shared ``conn`` connects to it): these tests only read
    settings."""
    with Simulator(order_records=10) as s:
        yield s


def rows(conn: mod.Connection, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql, list(params)).fetchall()]


def apps_read(sim: Simulator, endpoint: str) -> list[str]:
    """The app parameters of the requests to an endpoint since the last reset."""
    path = f"/k/v1/{endpoint}.json"
    return [r.get("app", "") for r in sim.requests() if r["path"] == path]


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_views_are_listed_with_their_columns(conn: mod.Connection, view: str) -> None:
    assert rows(conn, "SELECT TableType FROM sys_tables WHERE TableName = ?", view) == [("VIEW",)]
    columns = rows(
        conn,
        "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = ? ORDER BY Ordinal",
        view,
    )
    assert [c for (c,) in columns] == VIEWS[view]
    cur = conn.execute(f"SELECT * FROM {view} WHERE AppId = ?", [DEALS])
    assert cur.description is not None
    assert [d[0] for d in cur.description] == VIEWS[view]


def test_app_permissions(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    got = rows(
        conn,
        "SELECT Priority, EntityType, EntityCode, IncludeSubs, AppEditable, RecordViewable, "
        "RecordDeletable, RecordExportable FROM AppPermissions WHERE AppId = ?",
        DEALS,
    )
    assert got == [
        (1, "USER", "john.smith", 0, 1, 1, 1, 1),
        (2, "ORGANIZATION", "intl", 0, 0, 1, 0, 0),
        (3, "ORGANIZATION", "sales", 1, 0, 1, 1, 1),
        (4, "CREATOR", None, 0, 1, 1, 1, 1),
        (5, "GROUP", "everyone", 0, 0, 1, 0, 0),
    ]
    assert apps_read(sim, "app/acl") == [str(DEALS)]
    # An app without rights of its own has a new app's.
    assert rows(
        conn,
        "SELECT EntityType, EntityCode, AppEditable, RecordAddable, RecordImportable "
        "FROM AppPermissions WHERE AppId = ?",
        ORDERS,
    ) == [("CREATOR", None, 1, 1, 1), ("GROUP", "everyone", 0, 1, 0)]


def test_field_permissions(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    got = rows(conn, "SELECT FieldCode, Entities FROM FieldPermissions WHERE AppId = ?", CUSTOMERS)
    assert [code for code, _ in got] == ["電話番号", "備考"]
    entities = json.loads(str(got[1][1]))
    assert entities[0] == {
        "accessibility": "WRITE",
        "entity": {"type": "FIELD_ENTITY", "code": "担当者"},
        "includeSubs": False,
    }
    assert rows(
        conn,
        "SELECT FieldCode, EntityPriority, EntityType, EntityCode, Accessibility, IncludeSubs "
        "FROM FieldPermissionsEntities WHERE AppId = ? AND FieldCode = 'amount'",
        DEALS,
    ) == [
        ("amount", 1, "GROUP", "managers", "WRITE", 0),
        ("amount", 2, "ORGANIZATION", "sales", "READ", 1),
        ("amount", 3, "GROUP", "everyone", "NONE", 0),
    ]
    assert apps_read(sim, "field/acl") == [str(CUSTOMERS), str(DEALS)]
    assert rows(conn, "SELECT count(*) FROM FieldPermissions WHERE AppId = ?", ORDERS) == [(0,)]


def test_record_permissions(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(
        conn,
        "SELECT AppId, Priority, FilterCond, json_array_length(Entities) FROM RecordPermissions "
        "WHERE AppId IN (?, ?) ORDER BY AppId, Priority",
        CUSTOMERS,
        DEALS,
    ) == [
        (CUSTOMERS, 1, 'タグ in ("重要顧客")', 3),
        (DEALS, 1, 'stage in ("Lost")', 2),
        (DEALS, 2, "amount >= 1000000", 3),
    ]
    assert sorted(apps_read(sim, "record/acl")) == [str(CUSTOMERS), str(DEALS)]
    assert rows(
        conn,
        "SELECT Priority, EntityPriority, EntityType, EntityCode, Viewable, Editable, Deletable "
        "FROM RecordPermissionsEntities WHERE AppId = ? AND FilterCond LIKE 'タグ%'",
        CUSTOMERS,
    ) == [
        (1, 1, "GROUP", "managers", 1, 1, 1),
        (1, 2, "FIELD_ENTITY", "担当者", 1, 1, 0),
        (1, 3, "GROUP", "everyone", 1, 0, 0),
    ]


def test_without_app_id_every_app_is_read_once(sim: Simulator, conn: mod.Connection) -> None:
    [(apps,)] = rows(conn, "SELECT count(*) FROM Apps")
    sim.reset_requests()
    [(n,)] = rows(conn, "SELECT count(*) FROM RecordPermissionsEntities")
    assert n == 3 + 2 + 3
    assert len(apps_read(sim, "record/acl")) == apps
    assert sim.stats()["byEndpoint"] == {"GET /k/v1/record/acl.json": apps}


def test_views_are_read_only(conn: mod.Connection) -> None:
    with pytest.raises(mod.NotSupportedError, match="cannot be written"):
        conn.execute("DELETE FROM AppPermissions WHERE AppId = 2")
    with pytest.raises(mod.NotSupportedError, match="cannot be written"):
        conn.execute("UPDATE FieldPermissionsEntities SET Accessibility = 'READ' WHERE AppId = 2")

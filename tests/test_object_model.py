"""The driver's own objects as a user meets them through DB-API: the system tables generic tools
reflect on (keys, catalog, capabilities), the views of kintone's app settings (Apps,
FormFields, Views, ProcessManagement, GeneralSettings), and the schema properties of the
reference product. Against the installed package and a real simulator over loopback.
"""

from __future__ import annotations

import json

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

DEALS, ORDERS = 2, 3


def rows(conn: mod.Connection, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql, list(params)).fetchall()]


def test_keys_for_reflection(conn: mod.Connection) -> None:
    assert rows(conn, "SELECT ColumnName FROM sys_primarykeys WHERE TableName = 'Deals'") == [
        ("Id",)
    ]
    assert rows(
        conn,
        "SELECT ColumnName, ReferencedTableName, ReferencedColumnName FROM sys_foreignkeys "
        "WHERE TableName = ?",
        "受注明細 Orders_明細",
    ) == [("RecordId", "受注明細 Orders", "Id")]
    assert rows(conn, "SELECT * FROM sys_schemas") == [("CData", "Kintone")]
    assert rows(conn, "SELECT VALUE FROM sys_sqlinfo WHERE NAME = 'DIALECT'") == [("SQLite",)]


def test_apps_view(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(conn, "SELECT AppId, Name, SpaceId FROM Apps WHERE Code = 'DEALS'") == [
        (DEALS, "Deals", 1)
    ]
    assert sim.stats()["byEndpoint"] == {"GET /k/v1/apps.json": 1}
    kinds = {name: kind for name, kind in rows(conn, "SELECT TableName, TableType FROM sys_tables")}
    views = ("Apps", "FormFields", "FormLayout", "Views", "ProcessManagement", "GeneralSettings")
    for view in (*views, "Space", "SpaceMembers"):
        assert kinds[view] == "VIEW"
    with pytest.raises(mod.NotSupportedError, match="cannot be written"):
        conn.execute("DELETE FROM Apps WHERE AppId = 2")


def test_settings_views_read_the_app_asked_for(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    [(options,)] = rows(
        conn, "SELECT Options FROM FormFields WHERE AppId = ? AND Code = 'stage'", DEALS
    )
    assert json.loads(str(options)) == ["Lead", "Qualified", "Proposal", "Won", "Lost"]
    assert rows(conn, "SELECT Name, Type FROM Views WHERE AppId = ?", ORDERS) == [("All", "LIST")]
    assert rows(conn, "SELECT Name FROM GeneralSettings WHERE AppId = ?", DEALS) == [("Deals",)]
    [(enable,)] = rows(conn, "SELECT Enable FROM ProcessManagement WHERE AppId = 1")
    assert enable == 1
    by = sim.stats()["byEndpoint"]
    assert by == {
        "GET /k/v1/app/form/fields.json": 1,
        "GET /k/v1/app/views.json": 1,
        "GET /k/v1/app/settings.json": 1,
        "GET /k/v1/app/status.json": 1,
    }


def test_schema_properties(sim: Simulator) -> None:
    conn_str = (
        sim.connection_string + ";Schema=REST;AllowSpecialCharacters=true;"
        "UseUnitForNumericField=true;Other='a=1;b=2';BrowsableSchemas=Kintone;Location=/nowhere;"
        "UseSimpleNames=true;CheckForSubtablesIn=Deals;Tables='Deals,_____Orders';Views=Apps"
    )
    with mod.connect(conn_str) as conn:
        assert rows(conn, "SELECT TableName FROM sys_tables ORDER BY TableName") == [
            ("Apps",),
            ("Deals",),
            ("_____Orders",),
        ]
        assert conn.execute("SELECT Close_date FROM Deals LIMIT 1").fetchall()

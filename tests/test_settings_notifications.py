"""The views of kintone apps' notifications, graphs and actions as a user meets them through
DB-API: GeneralNotifications, PerRecordNotifications(+Targets), ReminderNotifications(+Targets),
GraphSettings, ActionSettings(+Entities, +Mappings). Their columns, known answers from the
sample's Deals and Orders, and what they cost: one request per app and endpoint, a table and
its detail view in one statement included. Against the installed package and a real simulator
over loopback.
"""

from __future__ import annotations

import json

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

CUSTOMERS, DEALS, ORDERS = 1, 2, 3

#: The documented columns of each view, in order.
COLUMNS = {
    "GeneralNotifications": "AppId EntityType EntityCode IncludeSubs RecordAdded RecordEdited "
    "CommentAdded StatusChanged FileImported NotifyToCommenter",
    "PerRecordNotifications": "AppId Index FilterCond Title Targets",
    "PerRecordNotificationsTargets": "AppId NotificationIndex EntityType EntityCode IncludeSubs",
    "ReminderNotifications": "AppId Index TimingCode DaysLater HoursLater Time FilterCond Title "
    "Targets Timezone",
    "ReminderNotificationsTargets": "AppId NotificationIndex EntityType EntityCode IncludeSubs",
    "GraphSettings": "AppId Id Name Index ChartType ChartMode Groups Aggregations FilterCond Sorts "
    "PeriodicReport",
    "ActionSettings": "AppId Id Name Index DestAppId DestAppCode FilterCond Mappings Entities",
    "ActionSettingsEntities": "AppId ActionId ActionName EntityType EntityCode",
    "ActionSettingsMappings": "AppId ActionId ActionName SrcType SrcField DestField",
}


def rows(conn: mod.Connection, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql, list(params)).fetchall()]


def requests_of(sim: Simulator) -> dict[str, int]:
    """The requests since the last reset, by endpoint."""
    return dict(sim.stats()["byEndpoint"])


@pytest.mark.parametrize("view", list(COLUMNS))
def test_views_and_their_columns(conn: mod.Connection, view: str) -> None:
    assert rows(conn, "SELECT TableType FROM sys_tables WHERE TableName = ?", view) == [("VIEW",)]
    columns = rows(
        conn,
        "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = ? ORDER BY Ordinal",
        view,
    )
    assert [c for (c,) in columns] == COLUMNS[view].split()
    cursor = conn.execute(f"SELECT * FROM {view} WHERE AppId = ?", [ORDERS])
    assert cursor.description is not None
    assert [d[0] for d in cursor.description] == COLUMNS[view].split()
    with pytest.raises(mod.NotSupportedError, match="cannot be written"):
        conn.execute(f"DELETE FROM {view} WHERE AppId = ?", [ORDERS])


def test_general_notifications(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(
        conn,
        "SELECT EntityType, EntityCode, RecordAdded, RecordEdited, CommentAdded, StatusChanged, "
        "NotifyToCommenter FROM GeneralNotifications WHERE AppId = ? ORDER BY EntityType",
        ORDERS,
    ) == [("FIELD_ENTITY", "作成者", 0, 1, 1, 1, 1), ("GROUP", "managers", 1, 0, 1, 0, 1)]
    assert requests_of(sim) == {"GET /k/v1/app/notifications/general.json": 1}
    assert rows(conn, "SELECT count(*) FROM GeneralNotifications WHERE AppId = ?", CUSTOMERS) == [
        (0,)
    ]


def test_per_record_notifications_with_their_targets(sim: Simulator, conn: mod.Connection) -> None:
    [(title, cond, targets)] = rows(
        conn,
        "SELECT Title, FilterCond, Targets FROM PerRecordNotifications WHERE AppId = ?",
        DEALS,
    )
    assert (title, cond) == ("Deal won", 'stage in ("Won")')
    assert [t["entity"]["code"] for t in json.loads(str(targets))] == ["managers", "owner"]
    sim.reset_requests()
    assert rows(
        conn,
        "SELECT n.Title, t.EntityType, t.EntityCode, t.IncludeSubs "
        "FROM PerRecordNotifications n JOIN PerRecordNotificationsTargets t "
        "ON t.AppId = n.AppId AND t.NotificationIndex = n.[Index] WHERE n.AppId = ?",
        ORDERS,
    ) == [
        ("キャンセルされた受注", "ORGANIZATION", "sales", 1),
        ("キャンセルされた受注", "FIELD_ENTITY", "作成者", 0),
    ]
    assert requests_of(sim) == {"GET /k/v1/app/notifications/perRecord.json": 1}


def test_reminders_with_their_targets(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(
        conn,
        "SELECT r.[Index], r.TimingCode, r.DaysLater, r.HoursLater, r.Time, r.Timezone, "
        "t.EntityCode FROM ReminderNotifications r JOIN ReminderNotificationsTargets t "
        "ON t.AppId = r.AppId AND t.NotificationIndex = r.[Index] WHERE r.AppId IN (?, ?) "
        "ORDER BY r.AppId, r.[Index]",
        DEALS,
        ORDERS,
    ) == [
        (0, "close_date", "-3", None, "10:00", "Asia/Tokyo", "owner"),
        (1, "last_contact", "30", "0", None, "Asia/Tokyo", "john.smith"),
        (0, "order_date", "7", None, "09:00", "Asia/Tokyo", "oncall"),
    ]
    assert requests_of(sim) == {"GET /k/v1/app/notifications/reminder.json": 2}


def test_graph_settings(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    graphs = rows(
        conn,
        "SELECT Name, ChartType, ChartMode, Groups, Aggregations, Sorts, PeriodicReport "
        "FROM GraphSettings WHERE AppId = ?",
        ORDERS,
    )
    assert [g[:3] for g in graphs] == [
        ("月別売上", "COLUMN", "STACKED"),
        ("ステータス別件数", "PIE", None),
    ]
    groups, aggregations, sorts, periodic = (json.loads(str(v)) for v in graphs[0][3:])
    assert groups == [{"code": "order_date", "per": "MONTH"}, {"code": "status"}]
    assert aggregations == [{"type": "SUM", "code": "total"}]
    assert sorts == [{"by": "GROUP1", "order": "ASC"}]
    assert periodic == {
        "active": True,
        "period": {"every": "MONTH", "dayOfMonth": "1", "time": "09:00"},
    }
    assert graphs[1][6] is None  # no periodic report
    assert requests_of(sim) == {"GET /k/v1/app/reports.json": 1}


def test_action_settings_with_entities_and_mappings(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(
        conn,
        "SELECT a.Name, d.Name, m.SrcType, m.SrcField, m.DestField FROM ActionSettings a "
        "JOIN ActionSettingsMappings m ON m.AppId = a.AppId AND m.ActionId = a.Id "
        "JOIN Apps d ON d.AppId = a.DestAppId WHERE a.AppId = ?",
        ORDERS,
    ) == [
        ("商談を作成", "Deals", "FIELD", "customer", "customer"),
        ("商談を作成", "Deals", "FIELD", "total", "amount"),
        ("商談を作成", "Deals", "RECORD_URL", None, "notes"),
    ]
    assert requests_of(sim)["GET /k/v1/app/actions.json"] == 1
    assert rows(
        conn,
        "SELECT ActionName, EntityType, EntityCode FROM ActionSettingsEntities WHERE AppId = ?",
        ORDERS,
    ) == [("商談を作成", "ORGANIZATION", "sales"), ("商談を作成", "USER", "admin")]
    assert rows(
        conn, "SELECT DestAppCode, FilterCond FROM ActionSettings WHERE AppId = ?", ORDERS
    ) == [("DEALS", 'status in ("受付")')]
    assert rows(conn, "SELECT count(*) FROM ActionSettings WHERE AppId = ?", DEALS) == [(0,)]

"""Schema=USER as a user meets it: the cybozu User API's users, their groups and their
departments as the views Users, UserGroups and UserDepartments, instead of the apps. Against the
installed package and a real simulator over loopback, with the sample's twelve users.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=1) as s:
        yield s


@pytest.fixture(scope="module")
def conn(sim: Simulator) -> Iterator[mod.Connection]:
    with mod.connect(sim.connection_string + ";Schema=USER") as c:
        yield c


def rows(conn: mod.Connection, sql: str, *params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(sql, list(params)).fetchall()]


def test_users(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(conn, "SELECT count(*) FROM Users") == [(12,)]
    assert rows(conn, "SELECT Id, Code, Name, Valid FROM Users WHERE Id <= 3 ORDER BY Id") == [
        (1, "admin", "管理者", 1),
        (2, "sato", "佐藤 太郎", 1),
        (3, "suzuki", "鈴木 花子", 1),
    ]
    # Each statement reads the users once: one page of 100 holds the sample's twelve.
    assert sim.stats()["byEndpoint"] == {"GET /v1/users.json": 2}
    sim.reset_requests()
    assert rows(
        conn, "SELECT Id, Email, PrimaryOrganization, Timezone FROM Users WHERE Code = ?", "ito"
    ) == [(7, None, 6, "Asia/Tokyo")]
    # The code is sent to the User API: one request for one user.
    assert sim.stats()["byEndpoint"] == {"GET /v1/users.json": 1}
    with pytest.raises(mod.NotSupportedError, match="Users is a view of the cybozu User API"):
        conn.execute("UPDATE Users SET Name = 'x' WHERE Id = 1")


def test_user_groups(sim: Simulator, conn: mod.Connection) -> None:
    sim.reset_requests()
    assert rows(
        conn, "SELECT GroupCode, GroupName FROM UserGroups WHERE UserCode = 'watanabe' ORDER BY 1"
    ) == [("oncall", "On-call"), ("sysadmins", "システム管理者")]
    assert sim.stats()["byEndpoint"] == {"GET /v1/user/groups.json": 1}
    # Without UserCode every user is asked: the members of a group.
    assert rows(
        conn, "SELECT UserCode FROM UserGroups WHERE GroupCode = 'project-a' ORDER BY UserCode"
    ) == [("emily.chen",), ("sato",), ("takahashi",), ("yamamoto",)]


def test_user_departments(conn: mod.Connection) -> None:
    assert rows(
        conn,
        "SELECT UserCode, OrganizationCode, OrganizationName, TitleCode, TitleName "
        "FROM UserDepartments WHERE UserCode IN ('john.smith', 'nakamura') ORDER BY UserCode",
    ) == [
        ("john.smith", "intl", "International Sales", "manager", "課長"),
        ("nakamura", "support", "サポート部", "staff", "担当"),
    ]
    # The managers, by a join of the three views.
    assert rows(
        conn,
        "SELECT u.Name FROM Users u JOIN UserDepartments d ON d.UserCode = u.Code "
        "WHERE d.TitleCode = 'manager' ORDER BY u.Id",
    ) == [("管理者",), ("佐藤 太郎",), ("鈴木 花子",), ("John Smith",)]


def test_the_tables_are_the_user_apis(conn: mod.Connection) -> None:
    assert rows(conn, "SELECT TableName, TableType FROM sys_tables") == [
        ("Users", "VIEW"),
        ("UserGroups", "VIEW"),
        ("UserDepartments", "VIEW"),
    ]
    columns = [
        r[0]
        for r in rows(
            conn,
            "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = 'Users' ORDER BY Ordinal",
        )
    ]
    assert columns[:7] == ["Id", "Code", "Name", "Email", "Valid", "CreatedTime", "UpdatedTime"]
    assert rows(conn, "SELECT ColumnName FROM sys_primarykeys WHERE TableName = 'Users'") == [
        ("Id",)
    ]
    with pytest.raises(mod.ProgrammingError, match="Schema=USER"):
        conn.execute("SELECT * FROM Deals")


def test_password_authentication_only(sim: Simulator) -> None:
    with pytest.raises(mod.InterfaceError, match="password authentication only"):
        mod.connect(sim.token_connection_string("Deals") + ";Schema=USER")
    with pytest.raises(mod.OperationalError, match="CB_WA01"):
        mod.connect(f"Url={sim.url};User={sim.user};Password=wrong-pass;Schema=USER")

"""The stored procedures that write through kintone's APIs (files, process management, space
threads), through ``EXECUTE`` and ``cursor.callproc``, against the simulator; and the
simulator's "served, then connection reset" fault, the case that leaves a write's outcome
unknown."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

#: App 1 has one attachment field and process management (Open -> Doing -> Done); space 1 and
#: guest space 5 (with app 2) have one thread each, whose id is the space's.
FIXTURE: dict[str, Any] = {
    "users": [
        {"code": "admin", "name": "Admin", "password": "pw"},
        {"code": "sato", "name": "Sato", "password": "pw"},
    ],
    "spaces": [
        {
            "id": 1,
            "name": "Team",
            "members": [{"entity": {"type": "USER", "code": "admin"}, "isAdmin": True}],
        },
        {"id": 5, "name": "Partners", "isGuest": True, "members": ["admin"]},
    ],
    "apps": [
        {
            "id": 1,
            "name": "Docs",
            "fields": {"title": {"type": "SINGLE_LINE_TEXT"}, "doc": {"type": "FILE"}},
            "processManagement": {
                "enable": True,
                "states": {
                    "Open": {"index": "0"},
                    "Doing": {
                        "index": "1",
                        "assignee": {
                            "type": "ANY",
                            "entities": [
                                {"entity": {"type": "USER", "code": "admin"}},
                                {"entity": {"type": "USER", "code": "sato"}},
                            ],
                        },
                    },
                    "Done": {"index": "2"},
                },
                "actions": [
                    {"name": "Start", "from": "Open", "to": "Doing"},
                    {"name": "Finish", "from": "Doing", "to": "Done"},
                ],
            },
            "records": [{"title": {"value": t}} for t in ("a", "b", "c")],
        },
        {
            "id": 2,
            "name": "Guest docs",
            "guestSpaceId": 5,
            "fields": {"title": {"type": "SINGLE_LINE_TEXT"}},
            "processManagement": {
                "enable": True,
                "states": {"Open": {"index": "0"}, "Done": {"index": "1"}},
                "actions": [{"name": "Finish", "from": "Open", "to": "Done"}],
            },
            "records": [{"title": {"value": "g"}}],
        },
    ],
}

DATA = b"binary \x00\xff\x10 content \xe6\x97\xa5"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(FIXTURE) as s:
        yield s


@pytest.fixture
def conn(sim: Simulator) -> Iterator[mod.Connection]:
    with mod.connect(sim.connection_string) as c:
        yield c


def one(conn: mod.Connection, sql: str, params: Any = ()) -> tuple[Any, ...]:
    """The single row sql answers."""
    rows = conn.execute(sql, params).fetchall()
    assert len(rows) == 1, rows
    return tuple(rows[0])


def columns(cur: mod.Cursor) -> list[str]:
    assert cur.description is not None
    return [d[0] for d in cur.description]


def status(conn: mod.Connection, record: int) -> tuple[str, list[str]]:
    """The status of a record of Docs and its assignees' login names, read with SELECT."""
    state, assignees = one(conn, "SELECT ステータス, 作業者 FROM Docs WHERE Id = ?", [record])
    return state, [a["code"] for a in json.loads(assignees or "[]")]


def download(conn: mod.Connection, file_key: str) -> bytes:
    success, data, _ = one(conn, "EXECUTE DownloadFile FileKey = ?", [file_key])
    assert success == "true"
    return base64.b64decode(data)


def test_procedures_are_listed(conn: mod.Connection) -> None:
    names = [r[0] for r in conn.execute("SELECT ProcedureName FROM sys_procedures").fetchall()]
    assert names[3:] == [  # after the OAuth ones (test_oauth.py)
        "UploadFile",
        "DownloadFile",
        "UpdateStatus",
        "UpdateAssignees",
        "AddThreadComment",
        "UpdateThread",
        "CreateApp",
        "DeployApps",
        "AppsDeployStatus",
        "AddGuests",
        "DeleteGuests",
        "AddGuestsToSpace",
    ]
    rows = conn.execute(
        "SELECT ColumnName, DataTypeName, IsInput, IsOutput FROM sys_procedureparameters "
        "WHERE ProcedureName = 'UploadFile' ORDER BY Ordinal"
    ).fetchall()
    assert [r[0] for r in rows if r[2]] == [
        "FullPath",
        "FileData",
        "FileName",
        "GuestSpaceId",
        "AttachToApp",
        "UploadedFileKey",
        "AppId",
    ]
    assert [(r[0], r[1]) for r in rows if r[3]] == [
        ("FileKey", "VARCHAR"),
        ("Success", "VARCHAR"),
        ("Id", "VARCHAR"),
        ("Revision", "VARCHAR"),
    ]


def test_upload_attach_and_download(conn: mod.Connection, tmp_path: Path) -> None:
    cur = conn.cursor()
    # Bytes go as they are; AttachToApp adds a record holding the file.
    params = {"FileData": DATA, "FileName": "報告.bin", "AttachToApp": "true", "AppId": 1}
    assert cur.callproc("UploadFile", params) is params
    assert columns(cur) == ["FileKey", "Success", "Id", "Revision"]
    ((upload_key, success, record, revision),) = cur.fetchall()
    assert (success, record, revision) == ("true", "4", "1") and upload_key
    (doc,) = one(conn, "SELECT doc FROM Docs WHERE Id = ?", [int(record)])
    (attachment,) = json.loads(doc)
    assert attachment["name"] == "報告.bin" and attachment["size"] == str(len(DATA))
    # The attachment's key reads the same bytes back: as FileData, and into a file.
    assert download(conn, attachment["fileKey"]) == DATA
    target = tmp_path / "out.bin"
    row = one(
        conn,
        "EXECUTE DownloadFile FileKey = ?, DownloadLocation = ?",
        [attachment["fileKey"], str(target)],
    )
    assert row[:2] == ("true", None)
    assert target.read_bytes() == DATA

    # From a path, base64 text, and an earlier upload attached later.
    source = tmp_path / "source.txt"
    source.write_bytes(b"from a path")
    sql = "EXECUTE UploadFile FullPath = ?, AttachToApp = 'true', AppId = '1'"
    _, _, record, _ = one(conn, sql, [str(source)])
    (doc,) = one(conn, "SELECT doc FROM Docs WHERE Id = ?", [int(record)])
    (attachment,) = json.loads(doc)
    assert attachment["name"] == "source.txt"
    assert download(conn, attachment["fileKey"]) == b"from a path"
    encoded = base64.b64encode(b"later").decode()
    key = one(conn, "EXECUTE UploadFile FileData = ?, FileName = 'later.txt'", [encoded])[0]
    sql = "EXECUTE UploadFile UploadedFileKey = ?, AttachToApp = 'true', AppId = 1"
    assert one(conn, sql, [key]) == (key, "true", "6", "1")


def test_file_errors(conn: mod.Connection, tmp_path: Path) -> None:
    # An upload key is not an attachment's key: kintone does not serve it.
    key = one(conn, "EXECUTE UploadFile FileData = 'aGk=', FileName = 'hi.txt'")[0]
    with pytest.raises(mod.FileNotFound):
        download(conn, key)
    with pytest.raises(mod.ProgrammingError, match="DownloadFile needs parameter FileKey"):
        conn.execute("EXECUTE DownloadFile")
    with pytest.raises(mod.ProgrammingError, match="FileData is not base64") as info:
        conn.execute("EXECUTE UploadFile FileData = ?, FileName = 'x'", ["secret-bytes!!"])
    assert "secret-bytes" not in str(info.value)
    with pytest.raises(mod.OperationalError, match="cannot read FullPath"):
        conn.execute("EXECUTE UploadFile FullPath = ?", [str(tmp_path / "missing.txt")])
    with pytest.raises(mod.ProgrammingError, match="is a folder"):
        conn.execute("EXECUTE DownloadFile FileKey = 'k', DownloadLocation = ?", [str(tmp_path)])


def test_update_status(sim: Simulator, conn: mod.Connection) -> None:
    cur = conn.cursor()
    # Only an assignee may finish a record later: the caller (admin) takes it.
    cur.execute(
        "EXECUTE UpdateStatus AppId = 1, RecordId = 1, Action = 'Start', Assignee = 'admin'"
    )
    assert columns(cur) == ["Success", "Id", "Revision"]
    assert cur.fetchall() == [("true", "1", "3")]
    assert status(conn, 1) == ("Doing", ["admin"])
    # Several records in one all-or-nothing request: one row each.
    cur.callproc(
        "UpdateStatus", {"AppId": 1, "RecordId": "2,3", "Action": "Start", "Revision": "1,-1"}
    )
    assert cur.fetchall() == [("true", "2", "3"), ("true", "3", "3")]
    assert [status(conn, r)[0] for r in (2, 3)] == ["Doing", "Doing"]
    with pytest.raises(mod.DatabaseError) as info:
        cur.callproc("UpdateStatus", {"AppId": 1, "RecordId": "1,2", "Action": "Finish,Start"})
    assert info.value.code == "GAIA_IL03"
    assert [status(conn, r)[0] for r in (1, 2)] == ["Doing", "Doing"]
    with pytest.raises(mod.RevisionConflict):
        cur.execute("EXECUTE UpdateStatus AppId = 1, RecordId = 1, Action = 'Finish', Revision = 1")
    with pytest.raises(mod.ProgrammingError, match="2 values of Assignee for 3 records"):
        cur.callproc("UpdateStatus", ["1", "1,2,3", "Finish", "admin,sato"])
    puts = [r for r in sim.requests() if r["method"] == "PUT"]
    assert [r["path"] for r in puts] == [
        "/k/v1/record/status.json",
        "/k/v1/records/status.json",
        "/k/v1/records/status.json",
        "/k/v1/record/status.json",
    ]


def test_update_assignees(conn: mod.Connection) -> None:
    conn.execute("EXECUTE UpdateStatus AppId = 1, RecordId = 1, Action = 'Start'")
    cur = conn.cursor()
    cur.callproc("UpdateAssignees", [1, 1, "admin, sato", 3])
    assert cur.fetchall() == [("true", "1", "4")]
    assert status(conn, 1) == ("Doing", ["admin", "sato"])
    cur.execute("EXECUTE UpdateAssignees AppId = 1, RecordId = 1, Assignees = '[\"sato\"]'")
    assert status(conn, 1) == ("Doing", ["sato"])
    cur.execute("EXECUTE UpdateAssignees AppId = 1, RecordId = 1")
    assert status(conn, 1) == ("Doing", [])


def test_threads(sim: Simulator, conn: mod.Connection) -> None:
    cur = conn.cursor()
    cur.execute(
        "EXECUTE AddThreadComment SpaceId = 1, ThreadId = 1, Text = 'hello', Mentions = 'sato'"
    )
    assert columns(cur) == ["Success", "Id"]
    assert cur.fetchall() == [("true", "1")]
    key = one(conn, "EXECUTE UploadFile FileData = 'aGk=', FileName = 'hi.txt'")[0]
    cur.callproc("AddThreadComment", {"SpaceId": 1, "ThreadId": 1, "Files": key})
    assert cur.fetchall() == [("true", "2")]
    posted = [r for r in sim.requests() if r["path"] == "/k/v1/space/thread/comment.json"]
    assert [r["status"] for r in posted] == [200, 200]
    assert posted[0]["params"]["comment"] == {
        "text": "hello",
        "mentions": [{"code": "sato", "type": "USER"}],
    }
    assert posted[1]["params"]["comment"] == {"files": [{"fileKey": key}]}

    cur.execute("EXECUTE UpdateThread ThreadId = 1, Body = '<b>news</b>'")
    assert cur.fetchall() == [("true",)]
    assert sim.requests()[-1]["params"] == {"id": 1, "body": "<b>news</b>"}
    with pytest.raises(mod.DatabaseError) as info:
        cur.execute("EXECUTE UpdateThread ThreadId = 1, Name = 'Renamed'")
    assert info.value.code == "CB_VA01"
    with pytest.raises(mod.ProgrammingError, match="needs Text, Files or both"):
        cur.callproc("AddThreadComment", {"SpaceId": 1, "ThreadId": 1})


def test_guest_space(sim: Simulator) -> None:
    with mod.connect(sim.connection_string + ";GuestSpaceId=5") as conn:
        sim.reset_requests()
        sql = "EXECUTE UpdateStatus AppId = 2, RecordId = 1, Action = 'Finish', GuestSpaceId = 5"
        assert one(conn, sql) == ("true", "1", "3")
        conn.execute("EXECUTE AddThreadComment SpaceId = 5, ThreadId = 5, Text = 'guest'")
        conn.execute("EXECUTE UpdateThread ThreadId = 5, Body = 'guest body'")
        assert one(conn, "EXECUTE UploadFile FileData = 'aGk=', FileName = 'g.txt'")[0]
        paths = [r["path"] for r in sim.requests()]
        assert paths and all(p.startswith("/k/guest/5/v1/") for p in paths), paths
        with pytest.raises(mod.ProgrammingError, match="differs from the connection's"):
            conn.execute("EXECUTE UpdateThread ThreadId = 5, Body = 'x', GuestSpaceId = 1")


def test_a_lost_reply_leaves_the_write_applied(sim: Simulator, conn: mod.Connection) -> None:
    # The simulator serves the request, then resets the connection instead of replying: the
    # client sees a broken connection, yet the status has changed, and nothing was resent.
    sim.add_fault(method="PUT", path="/k/v1/record/status.json", reset_after_serve=True)
    sim.reset_requests()
    with pytest.raises(mod.OperationalError, match=r"record/status\.json"):
        conn.execute("EXECUTE UpdateStatus AppId = 1, RecordId = 1, Action = 'Start'")
    puts = [r for r in sim.requests() if r["method"] == "PUT"]
    assert len(puts) == 1 and puts[0]["fault"] and puts[0]["status"] == 200
    assert status(conn, 1)[0] == "Doing"
    # The plain reset fault refuses before serving: nothing changes.
    sim.clear_faults()
    sim.add_fault(method="PUT", path="/k/v1/record/status.json", reset=True)
    with pytest.raises(mod.OperationalError):
        conn.execute("EXECUTE UpdateStatus AppId = 1, RecordId = 1, Action = 'Finish'")
    assert status(conn, 1)[0] == "Doing"

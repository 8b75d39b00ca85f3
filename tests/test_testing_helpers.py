"""cdata_kintone.testing.Simulator: the real simulator in the installed core, over loopback."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import socket
import subprocess
import sys
import textwrap
import time
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

#: The sample apps: id → (code, name, guest space).
SAMPLE_APPS = {
    1: ("CUSTOMERS", "顧客リスト", None),
    2: ("DEALS", "Deals", None),
    3: ("ORDERS", "受注明細 Orders", None),
    4: ("GUEST_TASKS", "Guest Tasks", 2),
}

#: A small fixture of our own: a password that needs quoting, one app with a DATE field that
#: defaults to today (in the simulator's time zone) and two API tokens.
FIXTURE: dict[str, Any] = {
    "users": [{"code": "u", "name": "U", "password": 'pa;ss"word'}],
    "apps": [
        {
            "id": 7,
            "code": "NOTES",
            "name": "メモ",
            "fields": {
                "title": {"type": "SINGLE_LINE_TEXT", "label": "Title"},
                "day": {"type": "DATE", "label": "Day", "defaultNowValue": True},
            },
            "apiTokens": [
                {"token": "notes-full", "view": True, "add": True, "edit": True, "delete": True},
                {"token": "notes-view", "view": True},
            ],
            "records": [{"title": {"value": "first"}}, {"title": {"value": "second"}}],
        }
    ],
}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=50) as s:
        yield s


def titles(connection_string: str) -> list[str]:
    with mod.connect(connection_string) as c:
        return [r[0] for r in c.execute("SELECT Title FROM [メモ] ORDER BY Title").fetchall()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_defaults() -> None:
    with Simulator() as sim:
        assert sim.running
        assert sim.url.startswith("http://localhost:")
        assert sim.user == "admin"
        assert sim.connection_string == f"Url={sim.url};User=admin;Password={sim.password};"
        assert {
            a["id"]: (a["code"], a["name"], a["guestSpaceId"]) for a in sim.apps
        } == SAMPLE_APPS
        assert sim.info["apps"] == sim.apps
        assert sim.info["url"] == sim.url
        assert repr(sim) == f"<cdata_kintone.testing.Simulator running at {sim.url}>"
        assert sim.requests() == []
        with mod.connect(sim.connection_string) as conn:
            # the full sample: 12,000 orders unless told otherwise
            assert conn.execute("SELECT count(*) FROM [受注明細 Orders]").fetchone() == (12000,)
        log = sim.requests()
        assert log[0]["method"] == "GET" and log[0]["path"] == "/k/v1/apps.json"
        assert all(r["user"] == "admin" and r["status"] == 200 for r in log)
        sim.reset_requests()
        assert sim.requests() == []
        sim.collect_garbage()  # (the benchmarks' step between runs) the data stays
        with mod.connect(sim.connection_string) as conn:
            assert conn.execute("SELECT count(*) FROM [受注明細 Orders]").fetchone() == (12000,)
        sim.reset_requests()
        url, conn_str = sim.url, sim.connection_string
    assert not sim.running
    assert repr(sim) == "<cdata_kintone.testing.Simulator stopped>"
    sim.close()
    sim.stop()
    with pytest.raises(mod.ProgrammingError, match="stopped"):
        sim.requests()
    with pytest.raises(mod.ProgrammingError, match="stopped"):
        sim.reset_requests()
    with pytest.raises(mod.ProgrammingError, match="stopped"):
        sim.collect_garbage()
    # the server is really gone
    with pytest.raises(mod.OperationalError, match="connection refused"):
        mod.connect(conn_str)
    assert url.startswith("http://localhost:")


def test_options() -> None:
    port = free_port()
    with Simulator(latency=0.0255, port=port, order_records=100) as sim:
        assert sim.url == f"http://localhost:{port}"
        start = time.perf_counter()
        with mod.connect(sim.connection_string) as conn:
            assert conn.execute("SELECT count(*) FROM [受注明細 Orders]").fetchone() == (100,)
        elapsed = time.perf_counter() - start
        n = len(sim.requests())
        assert n >= 3
        assert elapsed >= n * 0.0255  # every request waited the latency (26 ms)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])  # UTC+14, UTC-12
def test_time_zone_option(zone: str) -> None:
    before = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    with (
        Simulator(FIXTURE, time_zone=zone) as sim,
        mod.connect(sim.connection_string) as conn,
    ):
        days = {r[0] for r in conn.execute("SELECT Day FROM [メモ]").fetchall()}
    after = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
    # "today" for a record created without a Day is today in the simulator's time zone; the
    # two zones are 26 hours apart, so the dates always differ.
    assert len(days) == 1 and days.pop() in {before, after}


def test_bad_options_and_fixtures() -> None:
    with pytest.raises(mod.ProgrammingError, match="time zone"):
        Simulator(time_zone="Not/AZone")
    with pytest.raises(mod.OperationalError, match='unknown field "nope"'):
        Simulator({"apps": [{"id": 1, "name": "x", "records": [{"nope": {"value": "1"}}]}]})
    with pytest.raises(mod.OperationalError, match="Only numbers"):
        Simulator(
            {
                "apps": [
                    {
                        "id": 1,
                        "name": "x",
                        "fields": {"n": {"type": "NUMBER"}},
                        "records": [{"n": {"value": "abc"}}],
                    }
                ]
            }
        )


def test_fixture_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(mod.Error, match="nonsense"):
        Simulator({"apps": [{"id": 1, "name": "x", "nonsense": True}]}).close()


def test_fixture_forms(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(FIXTURE, ensure_ascii=False), encoding="utf-8")
    for form in (FIXTURE, path, str(path)):
        with Simulator(form) as sim:
            assert sim.user == "u" and sim.password == 'pa;ss"word'
            assert [(a["id"], a["name"]) for a in sim.apps] == [(7, "メモ")]
            # the password is quoted in the connection string, and it works
            assert sim.connection_string == (
                f'Url={sim.url};User=u;Password="pa;ss""word";'
            )
            assert titles(sim.connection_string) == ["first", "second"]
    with pytest.raises(TypeError):
        Simulator(42)  # type: ignore[arg-type]


def test_fixture_formula_warnings() -> None:
    """A formula kintone would refuse still loads; the simulator says which, and its field keeps
    the value the fixture gives while the others are computed."""
    fixture = {
        "users": [{"code": "u", "password": "p"}],
        "apps": [
            {
                "id": 1,
                "name": "Sums",
                "fields": {
                    "n": {"type": "NUMBER"},
                    "double": {"type": "CALC", "expression": "n * 2", "format": "NUMBER"},
                    "odd": {"type": "CALC", "expression": "MEDIAN(n)", "format": "NUMBER"},
                },
                "records": [{"n": {"value": "21"}, "odd": {"value": "7"}}],
            }
        ],
    }
    with pytest.warns(UserWarning, match=r'field "odd": the formula "MEDIAN\(n\)" is not computed'):
        sim = Simulator(fixture)
    with sim, mod.connect(sim.connection_string) as c:
        assert c.execute("SELECT double, odd FROM Sums").fetchall() == [(42, 7)]


def test_token_connection_strings(sim: Simulator) -> None:
    url = sim.url
    default = sim.token_connection_string()
    assert default == (
        f"AuthScheme=APIToken;Url={url};"
        "APIToken=sim-customers-full,sim-deals-full,sim-orders-full;AppId=1,2,3;"
    )
    with mod.connect(default) as conn:
        sql = "SELECT TableName FROM sys_tables WHERE TableType = 'TABLE'"
        tables = {r[0] for r in conn.execute(sql).fetchall()}
        apps = {"顧客リスト", "Deals", "受注明細 Orders", "受注明細 Orders_明細"}
        assert tables == {"Comments", *apps}

    view = sim.token_connection_string("顧客リスト", token="view")
    assert view == f"AuthScheme=APIToken;Url={url};APIToken=sim-customers-view;AppId=1;"
    with mod.connect(view) as conn:
        assert conn.execute("SELECT count(*) FROM [顧客リスト]").fetchone()[0] > 0  # type: ignore[index]

    guest = sim.token_connection_string(4)
    assert guest.endswith("AppId=4;GuestSpaceId=2;")
    with mod.connect(guest) as conn:
        assert conn.execute("SELECT count(*) FROM [Guest Tasks]").fetchone() == (5,)

    # ids, codes, names and digit strings all name apps
    assert sim.token_connection_string("CUSTOMERS", "2", "受注明細 Orders") == default
    assert sim.app("DEALS") == sim.app(2) == sim.app("2") == sim.app("Deals")
    with pytest.raises(ValueError, match="spaces"):
        sim.token_connection_string(1, 4)
    with pytest.raises(KeyError):
        sim.token_connection_string("nope")


def test_token_connection_string_of_a_fixture() -> None:
    with Simulator(FIXTURE) as sim:
        assert titles(sim.token_connection_string()) == ["first", "second"]
        assert titles(sim.token_connection_string("NOTES", token="view")) == ["first", "second"]
        assert {r["auth"] for r in sim.requests()} == {"token"}


def test_pytest_fixture(kintone_simulator: Simulator) -> None:
    # Nothing imports the fixture here: the installed package's pytest11 entry point provides it.
    assert kintone_simulator.running
    with mod.connect(kintone_simulator.connection_string) as conn:
        assert conn.execute("SELECT count(*) FROM Deals").fetchone() == (2000,)


def test_faults_clock_and_stats() -> None:
    with Simulator(order_records=20, clock="2026-03-01T00:00:00+00:00") as sim:
        conn = mod.connect(sim.connection_string)
        conn.execute("SELECT 1 FROM Deals LIMIT 1").fetchall()
        sim.add_fault(path="/k/v1/records.json", app="2", status=503, body="maintenance", times=-1)
        with pytest.raises(mod.OperationalError, match="503"):
            conn.execute("SELECT * FROM Deals").fetchall()
        sim.clear_faults()
        assert len(conn.execute("SELECT Id FROM Deals LIMIT 3").fetchall()) == 3
        sim.reset_requests()
        conn.execute("SELECT Id FROM Deals WHERE Id = 1").fetchall()
        stats = sim.stats()
        assert stats["requests"] == 1 and stats["byEndpoint"] == {"GET /k/v1/records.json": 1}
        assert sim.info["clock"].startswith("2026-03-01T00:00:00")
        sim.advance(3600)
        assert sim.info["clock"].startswith("2026-03-01T01:00:00")
        conn.close()
    with (
        Simulator(order_records=20) as sim,
        pytest.raises(mod.ProgrammingError, match="real clock"),
    ):
        sim.advance(1)


def test_tls_mode() -> None:
    with Simulator(order_records=20, tls="server") as sim:
        assert sim.url.startswith("https://localhost:")
        assert sim.pki is not None and pathlib.Path(sim.pki["caFile"]).is_file()
        # Certificates are verified by default: the test CA is not trusted.
        with pytest.raises(mod.OperationalError):
            mod.connect(sim.connection_string)


def test_tls_keys_are_deleted_when_the_simulator_stops() -> None:
    with Simulator(order_records=20, tls="server") as sim:
        assert sim.pki is not None
        folder = pathlib.Path(sim.pki["dir"])
        key = pathlib.Path(sim.pki["clientKeyFile"])
        assert key.stat().st_mode & 0o077 == 0 and folder.stat().st_mode & 0o077 == 0
    assert not folder.exists()


def test_tls_keys_are_deleted_at_exit_without_close() -> None:
    script = textwrap.dedent(
        """
        from cdata_kintone.testing import Simulator
        sim = Simulator(order_records=5, tls="client-cert")
        print(sim.pki["dir"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    folder = pathlib.Path(done.stdout.strip())
    assert folder.name.startswith("kintonesim-pki-") and not folder.exists()

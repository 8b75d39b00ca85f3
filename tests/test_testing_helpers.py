"""cdata_kintone.testing.Simulator against a fake of the pybind Sim* functions."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone import _native
from cdata_kintone.testing import Simulator

APPS = [
    {"id": 1, "code": "deals", "name": "Deals", "tokens": {"full": "F1", "view": "V1"},
     "guestSpaceId": None},
    {"id": 2, "code": "", "name": "顧客リスト", "tokens": {"full": "F2", "view": "V2"},
     "guestSpaceId": None},
    {"id": 9, "code": "guest", "name": "Guest", "tokens": {"full": "F9", "view": "V9"},
     "guestSpaceId": 5},
]


class SimFake:
    def __init__(self) -> None:
        self.started: list[tuple[str, str]] = []
        self.running: set[int] = set()
        self.log: list[dict[str, Any]] = [{"method": "GET", "path": "/k/v1/app.json"}]

    def SimStart(self, fixture: str, options: str) -> int:
        self.started.append((fixture, options))
        h = 40 + len(self.started)
        self.running.add(h)
        return h

    def SimInfo(self, h: int) -> str:
        assert h in self.running
        return json.dumps(
            {"url": "http://localhost:4321", "user": "admin", "password": "pa;ss", "apps": APPS}
        )

    def SimRequests(self, h: int) -> str:
        return json.dumps(self.log)

    def SimResetRequests(self, h: int) -> bool:
        self.log = []
        return True

    def SimStop(self, h: int) -> bool:
        if h not in self.running:
            raise RuntimeError("[cdata_kintone:ProgrammingError:] no such simulator")
        self.running.remove(h)
        return True


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimFake]:
    core = SimFake()
    monkeypatch.setattr(_native, "_core", core)
    yield core


def test_defaults(fake: SimFake) -> None:
    with Simulator() as sim:
        assert fake.started == [("", "")]
        assert sim.running
        assert sim.url == "http://localhost:4321"
        assert sim.connection_string == 'Url=http://localhost:4321;User=admin;Password="pa;ss";'
        assert sim.info["apps"] == APPS
        assert sim.requests() == [{"method": "GET", "path": "/k/v1/app.json"}]
        sim.reset_requests()
        assert sim.requests() == []
    assert not sim.running and fake.running == set()
    sim.close()
    sim.stop()
    with pytest.raises(mod.ProgrammingError, match="stopped"):
        sim.requests()


def test_options(fake: SimFake) -> None:
    Simulator(latency=0.0255, port=8080, order_records=100, time_zone="Asia/Tokyo").close()
    assert json.loads(fake.started[0][1]) == {
        "latencyMs": 26,
        "port": 8080,
        "orderRecords": 100,
        "timeZone": "Asia/Tokyo",
    }


def test_fixture_forms(fake: SimFake, tmp_path: pathlib.Path) -> None:
    data = {"apps": [{"name": "顧客"}]}
    Simulator(data).close()
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    Simulator(path).close()
    Simulator(str(path)).close()
    assert [json.loads(f) for f, _ in fake.started] == [data, data, data]
    with pytest.raises(TypeError):
        Simulator(42)  # type: ignore[arg-type]


def test_token_connection_strings(fake: SimFake) -> None:
    with Simulator() as sim:
        assert sim.token_connection_string() == (
            "AuthScheme=APIToken;Url=http://localhost:4321;APIToken=F1,F2;AppId=1,2;"
        )
        assert sim.token_connection_string("顧客リスト", token="view") == (
            "AuthScheme=APIToken;Url=http://localhost:4321;APIToken=V2;AppId=2;"
        )
        assert sim.token_connection_string(9).endswith("AppId=9;GuestSpaceId=5;")
        assert sim.token_connection_string("deals", "2") == sim.token_connection_string()
        with pytest.raises(ValueError, match="spaces"):
            sim.token_connection_string(1, 9)
        with pytest.raises(KeyError):
            sim.token_connection_string("nope")

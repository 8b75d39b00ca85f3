"""PEP 249 type objects, constructors and module globals."""

from __future__ import annotations

import datetime as dt
import time

import pytest

import cdata_kintone as mod


def test_module_globals() -> None:
    assert mod.apilevel == "2.0"
    assert mod.threadsafety in (1, 2)
    assert mod.paramstyle == "qmark"
    assert callable(mod.connect)
    assert isinstance(mod.__version__, str)
    for name in mod.__all__:
        assert hasattr(mod, name), name


@pytest.mark.parametrize(
    "type_object,type_codes",
    [
        (mod.STRING, {"STRING"}),
        (mod.NUMBER, {"NUMBER", "ROWID"}),  # a row id is a number: `== NUMBER` holds for Id
        (mod.DATETIME, {"DATETIME"}),
        (mod.BINARY, {"BINARY"}),
        (mod.ROWID, {"ROWID"}),
    ],
)
def test_type_objects_equal_their_type_codes(type_object: object, type_codes: set[str]) -> None:
    for type_code in type_codes:
        assert type_code == type_object
        assert type_object == type_code
        assert not (type_code != type_object)  # noqa: SIM202 (!= from the str side, on purpose)
    for other in {"STRING", "NUMBER", "DATETIME", "BINARY", "ROWID"} - type_codes:
        assert other != type_object
        assert type_object != other
    assert type_object != 1
    assert type_object != None  # noqa: E711
    assert type(type_object).__module__ == "cdata_kintone"


def test_type_objects_are_hashable_and_distinct() -> None:
    objs = {mod.STRING, mod.NUMBER, mod.DATETIME, mod.BINARY, mod.ROWID}
    assert len(objs) == 5
    assert repr(mod.NUMBER) == "cdata_kintone.NUMBER"


def test_constructors() -> None:
    assert mod.Date(2024, 2, 29) == dt.date(2024, 2, 29)
    assert mod.Time(13, 5, 7) == dt.time(13, 5, 7)
    assert mod.Timestamp(2024, 2, 29, 13, 5, 7) == dt.datetime(2024, 2, 29, 13, 5, 7)
    assert mod.Binary(b"\x00\x01") == b"\x00\x01"
    assert isinstance(mod.Binary(b"x"), bytes)


def test_from_ticks() -> None:
    ticks = 1_700_000_000.25
    local = time.localtime(ticks)
    assert mod.DateFromTicks(ticks) == dt.date(*local[:3])
    assert mod.TimeFromTicks(ticks) == dt.time(*local[3:6])
    ts = mod.TimestampFromTicks(ticks)
    assert ts.tzinfo is dt.timezone.utc
    assert ts == dt.datetime(2023, 11, 14, 22, 13, 20, 250000, tzinfo=dt.timezone.utc)
    assert ts.timestamp() == ticks

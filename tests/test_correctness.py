"""Reproducers of answers that once differed from SQLite's: each must now agree with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s


@pytest.fixture()
def conn(sim: Simulator) -> Iterator[Any]:
    with cdata_kintone.connect(sim.connection_string) as c:
        yield c


def one(conn: Any, sql: str, params: Any = ()) -> Any:
    return conn.execute(sql, params).fetchone()[0]


def test_datetime_parameter_with_fraction_compares_chronologically(conn: Any) -> None:
    stamps = [
        r[0]
        for r in conn.execute('SELECT "Last contact" FROM "Deals" WHERE "Last contact" IS NOT NULL')
    ]
    t = stamps[len(stamps) // 2]
    half = t + dt.timedelta(microseconds=500000)
    later = sum(1 for s in stamps if s > half)
    assert later == sum(1 for s in stamps if s > t)  # whole-second values: none lies in between
    assert one(conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" > ?', [half]) == later
    assert one(conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" >= ?', [half]) == later
    assert (
        one(conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" < ?', [half])
        == len(stamps) - later
    )
    assert one(conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" = ?', [half]) == 0
    # Also where SQLite compares by itself (an OR is not sent to kintone).
    assert (
        one(conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" > ? OR Id < 0', [half])
        == later
    )
    # The bound value reads back as the same instant.
    assert conn.execute("SELECT ?", [half]).fetchone()[0] == half.strftime("%Y-%m-%dT%H:%M:%SZ.%f")


def test_the_issue_example_datetime(conn: Any) -> None:
    half = dt.datetime(2025, 3, 26, 14, 52, 0, 500000, tzinfo=UTC)
    whole = dt.datetime(2025, 3, 26, 14, 52, 1, tzinfo=UTC)
    assert one(conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" > ?', [half]) == one(
        conn, 'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" >= ?', [whole]
    )


@pytest.mark.parametrize(
    "where,params",
    [
        ("\"Call time\" != '12:60:00'", []),
        ('"Call time" IN (?)', ["25:00:00"]),
        ('"Call time" BETWEEN ? AND ?', ["09:00:00", "12:60:00"]),
        ('"Call time" < ?', ["24:00:00"]),
        ("\"Close date\" = '2026-02-30'", []),
        ('"Last contact" > ?', ["2025-13-01T00:00:00Z"]),
    ],
)
def test_values_kintone_would_refuse_are_evaluated_locally(
    conn: Any, where: str, params: list[Any]
) -> None:
    rows = conn.execute(
        'SELECT Id, "Call time", "Close date", "Last contact" FROM "Deals"'
    ).fetchall()
    conn.execute(
        'CREATE TEMP TABLE IF NOT EXISTS d AS '
        'SELECT Id, "Call time", "Close date", "Last contact" FROM "Deals"'
    )
    want = one(conn, f"SELECT COUNT(*) FROM d WHERE {where}", params)
    assert one(conn, f'SELECT COUNT(*) FROM "Deals" WHERE {where}', params) == want
    assert len(rows) == 2000


def test_temp_date_columns_return_what_was_stored(conn: Any) -> None:
    conn.execute("CREATE TEMP TABLE td(a DATE, b DATETIME, c TIME)")
    conn.execute(
        "INSERT INTO td VALUES ('not a date', 'abc', '12'), (20240229, 1709211907, 930), "
        "('2024-02-29', '2024-02-29T13:05:07Z', '09:30:00')"
    )
    assert conn.execute("SELECT a, b, c FROM td").fetchall() == [
        ("not a date", "abc", 12),  # TIME has NUMERIC affinity in SQLite: '12' is stored as 12
        (20240229, 1709211907, 930),
        (dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 13, 5, 7, tzinfo=UTC), dt.time(9, 30)),
    ]

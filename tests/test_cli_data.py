"""The command line's data commands against the simulator: query, export (read back), tables,
columns; where the connection string comes from; exit codes and errors on stderr."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cdata_kintone as mod
from cdata_kintone.__main__ import main
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

ENV = "CDATA_KINTONE_CONNECTION"


@pytest.fixture(scope="module")
def shared() -> Iterator[Simulator]:
    with Simulator(order_records=10) as s:
        yield s


@pytest.fixture
def env(shared: Simulator, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV, shared.connection_string)
    return shared.connection_string


def rows_of(sim: Simulator, sql: str) -> list[tuple[object, ...]]:
    with mod.connect(sim.connection_string) as conn:
        return conn.execute(sql).fetchall()


def csv_text(value: object) -> str:
    """A value as the README says CSV shows it."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return str(value)


def test_query_formats(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT Id, Amount, [Close date], [Last contact] FROM Deals ORDER BY Id LIMIT 3"
    assert main(["query", sql]) == 0
    table = capsys.readouterr().out
    assert "| Id |" in table and table.rstrip().endswith("(3 rows)")
    assert main(["query", sql, "--format", "csv"]) == 0
    lines = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert lines[0] == ["Id", "Amount", "Close date", "Last contact"]
    assert lines[1] == ["1", "3160000", "2026-02-13", "2025-03-26T14:52:00+00:00"]
    assert lines[3][3] == ""  # NULL
    assert main(["query", sql, "-f", "jsonl"]) == 0
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert objects[0] == {
        "Id": 1, "Amount": 3160000, "Close date": "2026-02-13",
        "Last contact": "2025-03-26T14:52:00+00:00",
    }
    assert objects[2]["Last contact"] is None


def test_query_reports_changed_rows_and_reads_stdin(
    sim: Simulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, sim.connection_string)
    update = "UPDATE Deals SET Stage = 'Won' WHERE Id IN (1, 2)"
    monkeypatch.setattr(sys, "stdin", io.StringIO(update))
    assert main(["query", "-"]) == 0
    assert capsys.readouterr().out.strip() == "(2 rows changed)"
    assert rows_of(sim, "SELECT Stage FROM Deals WHERE Id IN (1, 2)") == [("Won",), ("Won",)]


def test_tables_and_columns(
    env: str, shared: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tables", "--format", "csv"]) == 0
    lines = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert lines[0] == ["TableName", "AppId", "AppCode", "ParentTable", "Description"]
    assert sorted(r[0] for r in lines[1:]) == sorted(
        str(r[0]) for r in rows_of(shared, "SELECT TableName FROM sys_tables")
    )
    assert ["受注明細 Orders_明細", "3", "ORDERS", "受注明細 Orders", ""] in lines
    assert main(["columns", "Deals", "-f", "jsonl"]) == 0
    columns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert columns[0] == {
        "ColumnName": "Id", "DataTypeName": "INTEGER", "IsKey": 1, "FieldCode": "$id",
        "FieldType": "__ID__", "Label": None,
    }
    assert {"ColumnName": "Amount", "DataTypeName": "DECIMAL"}.items() <= columns[7].items()
    assert main(["columns", "NoSuchTable"]) == 1
    assert "no table named 'NoSuchTable'" in capsys.readouterr().err


def test_export_csv_jsonl_and_parquet_read_back(
    env: str, shared: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = rows_of(shared, "SELECT * FROM [受注明細 Orders]")
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"orders.{fmt}"
        assert main(["export", "受注明細 Orders", "--format", fmt, "--output", str(out)]) == 0
        assert capsys.readouterr().err.strip() == f"{len(expected)} rows written to {out}"
    with open(tmp_path / "orders.csv", encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    assert len(lines) == len(expected) + 1
    assert lines[1] == [csv_text(v) for v in expected[0]]
    objects = [json.loads(s) for s in (tmp_path / "orders.jsonl").read_text("utf-8").splitlines()]
    assert [o["Id"] for o in objects] == [r[0] for r in expected]
    table = pq.read_table(tmp_path / "orders.parquet")
    with mod.connect(shared.connection_string) as conn:
        arrow = conn.execute("SELECT * FROM [受注明細 Orders]").fetch_arrow_table()
    assert table.schema == arrow.schema
    assert table.schema.field("合計").type == pa.decimal128(38, 10)
    assert table.equals(arrow)
    assert sorted(os.listdir(tmp_path)) == ["orders.csv", "orders.jsonl", "orders.parquet"]


def test_a_failed_export_leaves_no_file(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    assert main(["export", "NoSuchTable", "-f", "csv", "-o", str(out)]) == 1
    assert "no such table: NoSuchTable" in capsys.readouterr().err
    assert main(["export", "Deals", "-f", "csv", "-o", str(tmp_path / "no" / "x.csv")]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_where_the_connection_string_comes_from(
    shared: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert main(["tables"]) == 2
    assert "no connection string" in capsys.readouterr().err
    assert main(["tables", "--connection", shared.connection_string]) == 0
    capsys.readouterr()
    path = tmp_path / "conn.txt"
    path.write_text(shared.connection_string + "\n", encoding="utf-8")
    assert main(["tables", "--connection-file", str(path)]) == 0
    capsys.readouterr()
    assert main(["tables", "--connection-file", str(tmp_path / "missing")]) == 2
    assert "cannot read the connection file" in capsys.readouterr().err


def test_secrets_are_never_printed(shared: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "Sup3r-secret-pw"
    conn_str = f"Url={shared.url};User=admin;Password={secret}"
    assert main(["query", "SELECT 1", "-c", conn_str]) == 2
    captured = capsys.readouterr()
    assert "cannot connect: LoginFailed" in captured.err
    assert secret not in captured.err + captured.out


def test_console_script_help_and_exit_codes(shared: Simulator) -> None:
    script = Path(sysconfig.get_path("scripts")) / "cdata-kintone"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env[ENV] = shared.connection_string
    for command in ("query", "export", "tables", "columns"):
        proc = subprocess.run([script, command, "--help"], capture_output=True, text=True,
                              env=env, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"usage: cdata-kintone {command}")
        assert ENV in proc.stdout
    proc = subprocess.run([script, "query", "SELECT nope FROM Deals"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == "cdata-kintone: error: ProgrammingError: no such column: nope\n"
    proc = subprocess.run([script, "export", "Deals", "-f", "parquet", "-o", "-"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "Parquet is written to a file" in proc.stderr

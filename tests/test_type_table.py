"""The README's Types table, generated from the Go type table, holds for what Python receives.

For every column of the sample apps (and with ``NumberMapToDouble=true``), the declared type
``sys_tablecolumns`` reports and the ``type_code`` of ``cursor.description`` must be a row of
the table, and the values must be the Python type that row promises. Every row of the table
must be met.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pathlib
import re
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BEGIN = "<!-- generated from gokintone/schema: go test ./gokintone/schema checks it -->"
END = "<!-- end of the generated table -->"


class Promise:
    """What one row of the Types table promises for the values of its columns."""

    def __init__(self, python: str) -> None:
        self.text = python  # "`decimal.Decimal`", "`datetime.datetime` in UTC (aware)"
        m = re.match(r"`([\w.]+)`", python)
        assert m, python
        module, _, name = m.group(1).rpartition(".")
        self.type: type = getattr(importlib.import_module(module or "builtins"), name)
        self.aware = "aware" in python

    def check(self, value: object) -> bool:
        if type(value) is not self.type:
            return False
        if self.aware:
            return isinstance(value, dt.datetime) and value.utcoffset() == dt.timedelta(0)
        return True


def readme_types() -> dict[tuple[str, str], Promise]:
    """(SQL type, type_code) -> the row's Python value, from the README."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    rows = [line.strip("| ").split(" | ") for line in table.strip().splitlines()[2:]]
    return {(sql_type, code): Promise(python) for _, sql_type, code, _, python in rows}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=10) as s:
        yield s


def test_values_are_what_the_readme_types_table_promises(sim: Simulator) -> None:
    promised = readme_types()
    met: set[tuple[str, str]] = set()
    for options in ({}, {"NumberMapToDouble": True}):
        with mod.connect(sim.connection_string, **options) as conn:
            # The apps' tables; Comments is read a record at a time (test_comments.py).
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT TableName FROM sys_tables WHERE AppId IS NOT NULL"
                ).fetchall()
            ]
            for table in tables:
                decltypes = conn.execute(
                    "SELECT DataTypeName FROM sys_tablecolumns WHERE TableName = ? "
                    "ORDER BY Ordinal",
                    [table],
                ).fetchall()
                cur = conn.execute(f'SELECT * FROM "{table}" LIMIT 20')
                assert cur.description is not None
                rows = cur.fetchall()
                for i, ((decltype,), column) in enumerate(
                    zip(decltypes, cur.description, strict=True)
                ):
                    key = (str(decltype), column[1])
                    where = f"{table}.{column[0]} {key}"
                    assert key in promised, f"{where} is not in the README's Types table"
                    values = [row[i] for row in rows if row[i] is not None]
                    wrong = [v for v in values if not promised[key].check(v)]
                    assert not wrong, f"{where}: {wrong[:3]}, want {promised[key].text}"
                    if values:
                        met.add(key)
    assert met == set(promised), f"no column with values for {set(promised) - met}"

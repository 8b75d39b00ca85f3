"""Columnar results against the simulator: Arrow schemas and values, pandas dtypes, batches,
values that do not fit (an error, never rounded), and the error when an extra is missing."""

from __future__ import annotations

import datetime as dt
import decimal
import sys
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def shared() -> Iterator[mod.Connection]:
    """A connection to a simulator the tests here only read (and fill TEMP tables of)."""
    with Simulator(order_records=10) as sim, mod.connect(sim.connection_string) as c:
        yield c


def test_the_arrow_schema_of_a_kintone_table(shared: mod.Connection) -> None:
    table = shared.execute("SELECT * FROM Deals ORDER BY Id").fetch_arrow_table()
    schema = {f.name: f.type for f in table.schema}
    assert schema["Id"] == pa.int64() and schema["Revision"] == pa.int64()
    assert schema["Amount"] == pa.decimal128(38, 10)
    assert schema["Expected revenue"] == pa.decimal128(38, 10)  # CALC
    assert schema["Close date"] == pa.date32()
    assert schema["Call time"] == pa.time64("us")
    assert schema["Last contact"] == pa.timestamp("us", tz="UTC")
    assert schema["Deal name"] == pa.string() and schema["Channels"] == pa.string()
    # Every value is the one the row API returns.
    assert table.to_pylist() == [
        dict(zip(table.column_names, row, strict=True))
        for row in shared.execute("SELECT * FROM Deals ORDER BY Id").fetchall()
    ]


def test_types_are_fixed_before_the_first_batch(shared: mod.Connection) -> None:
    cur = shared.execute("SELECT Id, Amount, [Last contact], Notes FROM Deals ORDER BY Id")
    batches = list(cur.fetch_arrow_batches(300))
    assert [b.num_rows for b in batches[:2]] == [300, 300]
    assert len({b.schema for b in batches}) == 1  # also for columns all NULL in a batch
    empty = shared.execute("SELECT Id, Amount FROM Deals WHERE Id < 0").fetch_arrow_table()
    assert empty.num_rows == 0
    assert empty.schema == pa.schema([("Id", pa.int64()), ("Amount", pa.decimal128(38, 10))])


def test_fetching_continues_where_the_row_api_stopped(shared: mod.Connection) -> None:
    cur = shared.execute("SELECT Id FROM [受注明細 Orders_明細] ORDER BY Id")
    first = cur.fetchmany(3)
    rest = cur.fetch_arrow_table()
    assert [r[0] for r in first] + rest.column("Id").to_pylist() == [
        r[0] for r in shared.execute("SELECT Id FROM [受注明細 Orders_明細] ORDER BY Id")
    ]
    assert cur.fetch_arrow_table().num_rows == 0


def test_pandas_dtypes(shared: mod.Connection) -> None:
    df = shared.execute(
        "SELECT Id, Revision, Amount, [Close date], [Call time], [Last contact], [Deal name] "
        "FROM Deals ORDER BY Id"
    ).fetch_pandas_all()
    assert df["Id"].dtype == pd.Int64Dtype() and df["Revision"].dtype == pd.Int64Dtype()
    assert df["Amount"].dtype == pd.ArrowDtype(pa.decimal128(38, 10))
    assert df["Close date"].dtype == pd.ArrowDtype(pa.date32())
    assert df["Call time"].dtype == pd.ArrowDtype(pa.time64("us"))
    assert str(df["Last contact"].dtype) == "datetime64[us, UTC]"
    assert pd.api.types.is_string_dtype(df["Deal name"].dtype)
    first = shared.execute("SELECT Amount, [Last contact] FROM Deals WHERE Id = 1").fetchone()
    assert first is not None
    assert df["Amount"][0] == first[0] and isinstance(df["Amount"][0], decimal.Decimal)
    assert df["Last contact"][0].to_pydatetime() == first[1]
    batches = list(
        shared.execute("SELECT Id, Amount FROM Deals ORDER BY Id").fetch_pandas_batches(700)
    )
    assert [len(b) for b in batches] == [700, 700, 600]
    joined = pd.concat(batches, ignore_index=True)
    pd.testing.assert_frame_equal(joined, df[["Id", "Amount"]])


def test_nullable_integers_keep_their_nulls(shared: mod.Connection) -> None:
    df = shared.execute(
        "SELECT d.Id, o.Id AS OrderId FROM Deals d LEFT JOIN [受注明細 Orders] o ON o.Id = d.Id "
        "WHERE d.Id IN (1, 2000) ORDER BY d.Id"
    ).fetch_pandas_all()
    assert df["OrderId"].dtype == pd.Int64Dtype()
    assert df["OrderId"][0] == 1 and df["OrderId"][1] is pd.NA


def test_expressions_take_the_type_of_their_values(shared: mod.Connection) -> None:
    shared.execute("CREATE TEMP TABLE mixed (k INTEGER, v)")
    shared.executemany("INSERT INTO mixed VALUES (?, ?)", [[i, i] for i in range(5)] + [[5, 0.5]])
    # The integers come in one batch and the float in another: the table is float64.
    cur = shared.execute("SELECT k, v + 0 AS v FROM mixed ORDER BY k")
    batches = list(cur.fetch_arrow_batches(5))
    assert [b.schema.field("v").type for b in batches] == [pa.int64(), pa.float64()]
    cur = shared.execute("SELECT k, v + 0 AS v FROM mixed ORDER BY k")
    cur.fetch_batch_size = 5
    assert cur.fetch_arrow_table().column("v").type == pa.float64()
    shared.execute("INSERT INTO mixed VALUES (6, 'text')")
    cur = shared.execute("SELECT v FROM mixed ORDER BY k")
    cur.fetch_batch_size = 3  # [0, 1, 2], [3, 4, 0.5], ['text']
    with pytest.raises(mod.DataError, match=r"different types.*CAST"):
        cur.fetch_arrow_table()


@pytest.mark.parametrize(
    ("decl", "value", "message"),
    [
        ("DECIMAL", "0.00000000001", "Rescaling"),  # an 11th place after the point
        ("DECIMAL", "1" + "0" * 28, "precision"),  # 29 digits before the point
        ("DECIMAL(5,2)", "1.234", "Rescaling"),
        ("INTEGER", 1.5, "truncated"),  # never cut to 1
        ("DATE", "2026-02-30", "date32"),  # text the driver left as it is
    ],
)
def test_a_value_that_does_not_fit_is_an_error(
    shared: mod.Connection, decl: str, value: object, message: str
) -> None:
    shared.execute("DROP TABLE IF EXISTS temp.misfit")
    shared.execute(f"CREATE TEMP TABLE misfit (k INTEGER, x {decl})")
    shared.executemany("INSERT INTO misfit VALUES (?, ?)", [[1, None], [2, value]])
    expected = rf"column 'x', row 1: value .* does not fit.*{message}"
    with pytest.raises(mod.DataError, match=expected):
        shared.execute("SELECT k, x FROM misfit ORDER BY k").fetch_arrow_table()


def test_kintone_numbers_fit_the_default_decimal(shared: mod.Connection) -> None:
    shared.execute("CREATE TEMP TABLE big (x DECIMAL)")
    # kintone's default limits (12 digits before the point, 4 after), its 10 places at most,
    # a 64-bit integer, and a number with 28 digits before the point.
    values = ["999999999999.9999", "-0.0000000001", "9223372036854775807", "1E+27"]
    shared.executemany("INSERT INTO big VALUES (?)", [[decimal.Decimal(v)] for v in values])
    column = shared.execute("SELECT x FROM big").fetch_arrow_table().column("x")
    assert column.to_pylist() == [decimal.Decimal(v) for v in values]


def test_a_missing_extra_is_named(
    shared: mod.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    cur = shared.execute("SELECT Id FROM Deals")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'cdata-kintone\[arrow\]'"):
        cur.fetch_arrow_table()
    assert cur.fetchone() == (1,)  # nothing was read
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'cdata-kintone\[pandas\]'"):
        cur.fetch_pandas_all()


def test_no_result_set_is_a_programming_error(shared: mod.Connection) -> None:
    cur = shared.cursor()
    with pytest.raises(mod.ProgrammingError, match="no result set"):
        cur.fetch_arrow_table()
    with pytest.raises(mod.ProgrammingError, match="batch_size"):
        shared.execute("SELECT 1").fetch_pandas_batches(0)


def _tables(conn: mod.Connection) -> list[str]:
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT TableName FROM sys_tables WHERE TableType = 'TABLE' AND TableName <> 'Comments'"
        ).fetchall()
    ]


def _via_rows(cur: mod.Cursor) -> pa.Table:
    """The Arrow table of the rows the row API returns (the values converted one by one)."""
    from cdata_kintone import _columnar

    rows = cur.fetchall()
    names = [d[0] for d in cur.description or ()]
    decltypes = cur._decltypes
    columns = _columnar.Columns([list(c) for c in zip(*rows, strict=True)], None)
    return _columnar.arrow_table(
        names, decltypes, _columnar.record_batches(names, decltypes, [columns])
    )


@pytest.mark.parametrize("data", ["sample", "edge"])
def test_columns_built_by_arrow_are_the_converted_values(data: str) -> None:
    """fetch_arrow_table builds DATETIME, DATE, TIME and integer columns from the core's text
    and integers with Arrow's own functions: over every table of the sample data and of the
    differential test's edge values, the result equals the table built from the row API's
    converted values."""
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from difftest import edge

    fixture = None if data == "sample" else edge.fixture()
    with Simulator(fixture, order_records=300) as sim, mod.connect(sim.connection_string) as c:
        tables = _tables(c)
        assert len(tables) >= 3
        compared = 0
        for table in tables:
            names = [d[0] for d in c.execute(f"SELECT * FROM [{table}] LIMIT 0").description or ()]
            for column in names:  # one column at a time: a misfit hides no other column
                sql = f"SELECT [{column}] FROM [{table}] ORDER BY Id"
                compared += _same_either_way(c, sql)
        assert compared > 20


def _same_either_way(c: mod.Connection, sql: str) -> int:
    """Compare fetch_arrow_table with the row API's values for sql; 1 when values were
    compared, 0 when both gave the same error."""
    try:
        expected = _via_rows(c.execute(sql))
    except mod.DataError as exc:  # a value that does not fit: the same error
        with pytest.raises(mod.DataError) as info:
            c.execute(sql).fetch_arrow_table()
        assert str(info.value) == str(exc)
        return 0
    direct = c.execute(sql).fetch_arrow_table()
    assert direct.schema == expected.schema, sql
    assert direct.equals(expected), sql
    return 1

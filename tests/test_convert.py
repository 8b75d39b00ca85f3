"""Parameter encoding and row decoding (pybind/README.md, "Value encoding")."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
from collections import OrderedDict
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone import _convert
from cdata_kintone._convert import (
    Batch,
    batch_rows,
    converters_for,
    decode_fetch,
    encode_parameter_rows,
    encode_parameters,
)

UTC = dt.timezone.utc
JST = dt.timezone(dt.timedelta(hours=9))


def enc(*values: Any) -> list[list[Any]]:
    result: list[list[Any]] = json.loads(encode_parameters(list(values)))
    return result


class Color(enum.IntEnum):
    RED = 7


class MyFloat(float):
    def __repr__(self) -> str:
        return "MyFloat!"


class MyStr(str):
    pass


@pytest.mark.parametrize(
    "value,expected",
    [
        (None, ["null", None]),
        (True, ["int", "1"]),
        (False, ["int", "0"]),
        (0, ["int", "0"]),
        (-42, ["int", "-42"]),
        (2**63 - 1, ["int", "9223372036854775807"]),
        (-(2**63), ["int", "-9223372036854775808"]),
        (Color.RED, ["int", "7"]),
        (1.5, ["float", "1.5"]),
        (3.0, ["float", "3.0"]),
        (-0.0, ["float", "-0.0"]),
        (1e300, ["float", "1e+300"]),
        (float("nan"), ["float", "nan"]),
        (float("inf"), ["float", "inf"]),
        (float("-inf"), ["float", "-inf"]),
        (MyFloat(2.5), ["float", "2.5"]),
        ("", ["text", ""]),
        ("a\x00b", ["text", "a\x00b"]),
        ("顧客リスト", ["text", "顧客リスト"]),
        ("emoji 🍣", ["text", "emoji 🍣"]),
        (MyStr("sub"), ["text", "sub"]),
        (b"", ["blob", ""]),
        (b"\x00\xff", ["blob", "AP8="]),
        (bytearray(b"abc"), ["blob", "YWJj"]),
        (memoryview(b"abcd")[1:3], ["blob", "YmM="]),
        (decimal.Decimal("12"), ["int", "12"]),
        (decimal.Decimal("12.000"), ["int", "12"]),
        (decimal.Decimal("-0"), ["int", "0"]),
        (decimal.Decimal("1E+3"), ["int", "1000"]),
        (decimal.Decimal("1.25"), ["float", "1.25"]),
        # Beyond int64, and more digits than a float holds: the exact text.
        (decimal.Decimal("9223372036854775808"), ["text", "9223372036854775808"]),
        (decimal.Decimal("0.1"), ["float", "0.1"]),
        (decimal.Decimal("123.4567890123456789"), ["text", "123.4567890123456789"]),
        (decimal.Decimal("1E+30"), ["float", "1e+30"]),  # the shortest float text is exact
        (decimal.Decimal("Infinity"), ["float", "inf"]),
        (decimal.Decimal("-Infinity"), ["float", "-inf"]),
        (dt.date(2024, 2, 29), ["text", "2024-02-29"]),
        (dt.date(1, 1, 1), ["text", "0001-01-01"]),
        (dt.datetime(2024, 2, 29, 13, 5, 7), ["text", "2024-02-29T13:05:07Z"]),
        (dt.datetime(2024, 2, 29, 13, 5, 7, 120), ["text", "2024-02-29T13:05:07Z.000120"]),
        (dt.datetime(2024, 3, 1, 8, 0, tzinfo=JST), ["text", "2024-02-29T23:00:00Z"]),
        (dt.datetime(2024, 3, 1, 8, 0, tzinfo=UTC), ["text", "2024-03-01T08:00:00Z"]),
        (dt.time(9, 30), ["text", "09:30:00"]),
        (dt.time(9, 30, 1, 5), ["text", "09:30:01.000005"]),
        (["Email", "Web"], ["text", '["Email","Web"]']),
        (("佐藤", 'a"b', MyStr("s")), ["text", '["佐藤","a\\"b","s"]']),
        ([], ["text", "[]"]),
    ],
)
def test_encode_each_type(value: Any, expected: list[Any]) -> None:
    assert enc(value) == [expected]


def test_encode_is_ascii_json_and_keeps_order() -> None:
    text = encode_parameters(("é", 1, None))
    assert text.isascii()
    assert json.loads(text) == [["text", "é"], ["int", "1"], ["null", None]]


def test_parameter_rows_are_one_json_list_of_rows() -> None:
    rows = [("é", 1), None, (), [2.5, b"\x00"]]
    text, count = encode_parameter_rows(iter(rows))
    assert count == 4 and text.isascii()
    assert text == "[" + ",".join(encode_parameters(r) for r in rows) + "]"
    assert encode_parameter_rows([]) == ("[]", 0)


def _rows_of(text: str) -> list[list[list[Any]]]:
    """The row-by-row form of executemany's parameter rows, whichever form ``text`` has (the
    core's reading of the column-by-column form, written again in Python)."""
    doc = json.loads(text)
    if isinstance(doc, list):
        return doc
    rows: list[list[list[Any]]] = [[] for _ in range(doc["n"])]
    for kind, data, *rest in doc["columns"]:
        if kind == "tagged":
            values = data
        else:
            nulls = set(rest[0])
            parts = data.split("\x00" if kind == "text" else ",")
            values = [["null", None] if i in nulls else [kind, v] for i, v in enumerate(parts)]
        assert len(values) == doc["n"]
        for row, value in zip(rows, values, strict=True):
            row.append(value)
    return rows


@pytest.mark.parametrize(
    "rows",
    [
        [("a", 1, 0.5), ("日本", None, float("nan")), (None, -(2**63), float("-inf"))],
        [["x", True, decimal.Decimal("1.5")], ["y", False, None]],  # bool, Decimal: tagged
        [(dt.date(2025, 1, 2), b"\x00\xff", ["a", "b"])] * 3,
        [(None, None)] * 2,
        [("",), ("",)],
    ],
    ids=["plain", "tagged", "dates-blobs-lists", "all-null", "empty-text"],
)
def test_rows_of_one_length_go_column_by_column(rows: list[Any]) -> None:
    text, count = encode_parameter_rows(rows)
    assert count == len(rows) and text.isascii() and text.startswith("{")
    assert _rows_of(text) == [json.loads(encode_parameters(r)) for r in rows]


@pytest.mark.parametrize(
    "rows",
    [
        [("a\x00b", 1), ("c", 2)],  # a NUL inside a text value
        [(1, 2), (3,)],  # rows of two lengths
        [(1,), None],
        [(1,), {"a": 1}],
    ],
    ids=["nul-in-text", "ragged", "none-row", "mapping-row"],
)
def test_other_rows_go_row_by_row(rows: list[Any]) -> None:
    try:
        expected = "[" + ",".join(encode_parameters(r) for r in rows) + "]"
    except mod.Error as exc:
        with pytest.raises(type(exc), match="named parameters"):
            encode_parameter_rows(rows)
        return
    assert encode_parameter_rows(rows) == (expected, len(rows))


@pytest.mark.parametrize(
    "rows, error, match",
    [
        ([(1, "a"), (2**63, "b")], mod.DataError, r"parameter 1 \(index 0\): integer 92233\d+ is"),
        ([("ok", 1), ("\ud800", 2)], mod.DataError, r"parameter 1 \(index 0\): text is not valid"),
        ([(1, decimal.Decimal("NaN"))], mod.DataError, "parameter 2"),
        ([(1, object())], mod.ProgrammingError, "parameter 2"),
    ],
)
def test_a_value_refused_column_by_column_has_the_row_by_row_error(
    rows: list[Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        encode_parameter_rows(rows)


@pytest.mark.parametrize("params", [None, [], ()])
def test_no_parameters(params: Any) -> None:
    assert encode_parameters(params) == "[]"


def test_other_sequences_are_accepted() -> None:
    import collections

    assert json.loads(encode_parameters(collections.UserList([1]))) == [["int", "1"]]
    assert json.loads(encode_parameters(range(2))) == [["int", "0"], ["int", "1"]]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_int_out_of_range_is_data_error(value: int) -> None:
    with pytest.raises(mod.DataError, match=r"parameter 2 \(index 1\)"):
        encode_parameters([1, value])


@pytest.mark.parametrize("value", [decimal.Decimal("NaN"), decimal.Decimal("sNaN")])
def test_decimal_nan_is_data_error(value: decimal.Decimal) -> None:
    with pytest.raises(mod.DataError, match=r"parameter 1 \(index 0\).*NaN"):
        encode_parameters([value])


def test_aware_time_is_data_error() -> None:
    with pytest.raises(mod.DataError, match=r"parameter 1 .*time zone"):
        encode_parameters([dt.time(9, 0, tzinfo=JST)])


def test_lone_surrogate_is_data_error() -> None:
    with pytest.raises(mod.DataError, match=r"parameter 3 \(index 2\)"):
        encode_parameters(["ok", "日本", "bad \ud800"])


def test_aware_datetime_overflowing_utc_is_data_error() -> None:
    with pytest.raises(mod.DataError, match="UTC"):
        encode_parameters([dt.datetime(1, 1, 1, tzinfo=JST)])


@pytest.mark.parametrize(
    "value,type_name",
    [
        (object(), "builtins.object"),
        ({"a": 1}, "builtins.dict"),
        (1 + 2j, "builtins.complex"),
        (dt.timedelta(1), "datetime.timedelta"),
    ],
)
def test_unsupported_type_is_programming_error(value: Any, type_name: str) -> None:
    with pytest.raises(mod.ProgrammingError, match=rf"parameter 2 \(index 1\): type {type_name}"):
        encode_parameters([None, value])


@pytest.mark.parametrize(
    "value,item",
    [
        (["a", 1], "list parameter may hold only str .*; item 1 is builtins.int"),
        ((["a"],), "tuple parameter may hold only str .*; item 0 is builtins.list"),
        ([None], "item 0 is builtins.NoneType"),
        ([{"code": "sato"}], "item 0 is builtins.dict"),
    ],
)
def test_list_of_other_than_str_is_programming_error(value: Any, item: str) -> None:
    with pytest.raises(mod.ProgrammingError, match=rf"parameter 2 \(index 1\): a .*{item}$"):
        encode_parameters([None, value])


def test_list_with_lone_surrogate_is_data_error() -> None:
    with pytest.raises(mod.DataError, match=r"parameter 1 \(index 0\)"):
        encode_parameters([["ok", "bad \ud800"]])


@pytest.mark.parametrize("params", ["abc", b"abc", bytearray(b"x")])
def test_string_as_parameters_object_is_programming_error(params: Any) -> None:
    with pytest.raises(mod.ProgrammingError, match=r"\[value\]"):
        encode_parameters(params)


@pytest.mark.parametrize("params", [{"a": 1}, OrderedDict(a=1)])
def test_mapping_is_programming_error(params: Any) -> None:
    with pytest.raises(mod.ProgrammingError, match="qmark"):
        encode_parameters(params)


@pytest.mark.parametrize("params", [1, {1, 2}, iter([1])])
def test_non_sequence_is_programming_error(params: Any) -> None:
    with pytest.raises(mod.ProgrammingError, match="sequence"):
        encode_parameters(params)


# --- rows ----------------------------------------------------------------------------------


def test_decode_fetch_keeps_storage_classes_and_blobs() -> None:
    payload = (
        '{"rows": 1, "columns": [[1], [1.0], ["t"], [{"b64": "AP8="}], [null], [NaN], [Infinity],'
        ' [-Infinity], [-0.0]], "shapes": ["int", "number", "text", "", "null", "number",'
        ' "number", "number", "number"], "done": true, "ready": true, "events": 2}'
    )
    batch = decode_fetch(payload)
    assert batch.done is True and batch.ready is True and batch.events == 2
    (row,) = batch_rows(batch, [])
    assert row[:5] == (1, 1.0, "t", b"\x00\xff", None)
    assert type(row[0]) is int and type(row[1]) is float
    assert math.isnan(row[5]) and row[6] == math.inf and row[7] == -math.inf
    assert math.copysign(1, row[8]) == -1


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "[]",
        '{"rows": 0}',
        "{",
        '{"done": true}',
        '{"rows": 0, "columns": {}, "shapes": [], "done": true, "ready": true}',
        '{"rows": 2, "columns": [[1]], "shapes": ["int"], "done": true, "ready": true}',
        '{"rows": 1, "columns": [[1]], "shapes": [], "done": true, "ready": true}',
    ],
)
def test_decode_fetch_malformed_is_interface_error(payload: str) -> None:
    with pytest.raises(mod.InterfaceError, match="malformed"):
        decode_fetch(payload)


def convert_rows(rows: list[list[Any]], decltypes: list[str], shape: str = "") -> list[Any]:
    """Rows converted as the cursor converts a batch of them whose columns all have shape
    (by default "": value by value)."""
    columns = [list(c) for c in zip(*rows, strict=True)] or [[] for _ in decltypes]
    batch = Batch(columns, [shape] * len(decltypes), False, True, 0)
    return batch_rows(batch, converters_for(decltypes))


def decode(decltypes: list[str], *rows: list[Any]) -> list[Any]:
    return convert_rows([list(r) for r in rows], decltypes)


def test_decimal_column() -> None:
    rows = decode(["DECIMAL"], [12], [0.1], [1e20], ["text"], [None], [b"\x01"])
    assert rows == [
        (decimal.Decimal(12),),
        (decimal.Decimal("0.1"),),
        (decimal.Decimal("1e+20"),),
        ("text",),
        (None,),
        (b"\x01",),
    ]
    assert type(rows[0][0]) is decimal.Decimal


def test_date_time_datetime_boolean_columns() -> None:
    rows = decode(
        ["DATE", "TIME", "DATETIME", "BOOLEAN"],
        ["2024-02-29", "09:30", "2024-02-29T13:05:07Z", 1],
        ["2024-02-29", "09:30:01.5", "2024-02-29T13:05:07.123456Z", 0],
        [None, None, None, None],
        ["not a date", "25:99", "soon", "yes"],
        [20240229, 930, 1709211907, 1.0],
    )
    assert rows[0] == (
        dt.date(2024, 2, 29),
        dt.time(9, 30),
        dt.datetime(2024, 2, 29, 13, 5, 7, tzinfo=UTC),
        True,
    )
    assert rows[1][1] == dt.time(9, 30, 1, 500000)
    assert rows[1][2] == dt.datetime(2024, 2, 29, 13, 5, 7, 123456, tzinfo=UTC)
    assert rows[1][3] is False
    assert rows[2] == (None, None, None, None)
    # SQLite is dynamically typed: values that do not fit are returned unchanged
    assert rows[3] == ("not a date", "25:99", "soon", "yes")
    assert rows[4] == (20240229, 930, 1709211907, True)


def test_datetime_values_are_aware_utc() -> None:
    (row,) = decode(["DATETIME"], ["2024-03-01T08:00:00+09:00"])
    value = row[0]
    assert value.tzinfo is UTC
    assert value == dt.datetime(2024, 2, 29, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024-02-29T13:05:07Z", dt.datetime(2024, 2, 29, 13, 5, 7, tzinfo=UTC)),
        ("2024-02-29T13:05Z", dt.datetime(2024, 2, 29, 13, 5, tzinfo=UTC)),
        ("2024-02-29 13:05:07", dt.datetime(2024, 2, 29, 13, 5, 7, tzinfo=UTC)),
        ("2024-02-29T13:05:07.1Z", dt.datetime(2024, 2, 29, 13, 5, 7, 100000, tzinfo=UTC)),
        ("2024-02-29T13:05:07Z.000120", dt.datetime(2024, 2, 29, 13, 5, 7, 120, tzinfo=UTC)),
        ("2024-02-29T13:05:07Z.", None),
        ("2024-02-29T13:05:07.5Z.000120", None),
        (
            "2024-02-29T13:05:07.123456789Z",
            dt.datetime(2024, 2, 29, 13, 5, 7, 123456, tzinfo=UTC),
        ),
        ("2024-02-29T13:05:07-0130", dt.datetime(2024, 2, 29, 14, 35, 7, tzinfo=UTC)),
        ("2024-02-30T13:05:07Z", None),
        ("2024-02-29", None),
        ("", None),
    ],
)
def test_parse_datetime(text: str, expected: dt.datetime | None) -> None:
    assert _convert.parse_datetime(text) == expected


def test_decltype_matching_is_case_insensitive_and_ignores_size() -> None:
    decltypes = ["decimal(10,2)", " Date ", "TEXT", "", None, "INTEGER"]
    assert [i for i, _ in converters_for(decltypes)] == [0, 1]


def test_blob_is_bytes_in_every_column() -> None:
    payload = (
        '{"rows": 1, "columns": [[{"b64": "YQ=="}], [{"b64": ""}]], "shapes": ["", ""],'
        ' "done": false, "ready": true}'
    )
    batch = decode_fetch(payload)
    assert batch_rows(batch, converters_for(["DATE", ""])) == [(b"a", b"")]


def test_rows_are_tuples_without_converters() -> None:
    assert convert_rows([[1, "a"], [2, "b"]], ["", ""]) == [(1, "a"), (2, "b")]


def test_roundtrip_of_parameter_forms_through_row_converters() -> None:
    """What encode_parameters sends for dates and times is what the converters read back."""
    values = [
        dt.date(2024, 2, 29),
        dt.time(9, 30, 1, 5),
        dt.datetime(2024, 3, 1, 8, 0, 0, 7, tzinfo=JST),
    ]
    row = [v for _, v in enc(*values)]
    (back,) = convert_rows([row], ["DATE", "TIME", "DATETIME"])
    assert back == tuple(values)


@pytest.mark.parametrize(
    "decltype,text",
    [
        ("TIME", "12"),
        ("TIME", "1000000000000000"),
        ("TIME", "24:00:00"),
        ("TIME", "12:30:00.1234567"),
        ("DATE", "20260101"),
        ("DATE", "2026-W01-1"),
        ("DATE", "2026-02-30"),
        ("DATETIME", "20240229T130507Z"),
        ("DATETIME", "2024-02-30T13:05:07Z"),
        ("DATETIME", "2024-02-29T13:05:07.123456789Z"),
        ("DATETIME", "2024-02-29"),
    ],
)
def test_text_that_only_resembles_a_date_is_returned_unchanged(decltype: str, text: str) -> None:
    assert convert_rows([[text]], [decltype]) == [(text,)]


@pytest.mark.parametrize(
    "decltype,text,value",
    [
        ("TIME", "12:30:00", dt.time(12, 30)),
        ("TIME", "12:30:00.5", dt.time(12, 30, 0, 500000)),
        ("TIME", "12:30", dt.time(12, 30)),
        ("DATE", "2024-02-29", dt.date(2024, 2, 29)),
        ("DATETIME", "2024-02-29T13:05:07Z", dt.datetime(2024, 2, 29, 13, 5, 7, tzinfo=UTC)),
        (
            "DATETIME",
            "2024-02-29T13:05:07.5Z",
            dt.datetime(2024, 2, 29, 13, 5, 7, 500000, tzinfo=UTC),
        ),
        (
            "DATETIME",
            "2024-02-29T13:05:07Z.000120",
            dt.datetime(2024, 2, 29, 13, 5, 7, 120, tzinfo=UTC),
        ),
    ],
)
def test_the_forms_the_driver_writes_are_converted(decltype: str, text: str, value: Any) -> None:
    assert convert_rows([[text]], [decltype]) == [(value,)]


# Values of each shape the core reports (gokintone/bridge/rowwire.go), with edge values.
SHAPED_VALUES: dict[str, list[Any]] = {
    "int": [0, 1, -5, 2**63 - 1, -(2**63)],
    "number": [0, 3, 1.5, -0.0, 0.1, 1e20, 1e-7, 123456789.125, math.nan, math.inf, -math.inf],
    "text": ["x", "", "2024-1-01", "\uff12\uff10\uff12\uff14-01-01", "12:30", "1:02:03"],
    "date": ["2024-02-29", "0001-01-01", "9999-12-31"],
    "time": ["00:00:00", "23:59:59", "12:30:00"],
    "datetime": ["2024-02-29T13:05:07Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
}


def exactly(values: list[Any]) -> list[tuple[type, str, Any]]:
    """What tells values apart beyond ==: the type, the repr (Decimal('1E+20') is not
    Decimal('100000000000000000000'), NaN is not equal to itself) and a datetime's tzinfo."""
    return [(type(v), repr(v), getattr(v, "tzinfo", None)) for v in values]


@pytest.mark.parametrize("shape", sorted(SHAPED_VALUES))
@pytest.mark.parametrize("decltype", ["DECIMAL", "DATE", "TIME", "DATETIME", "BOOLEAN", "VARCHAR"])
@pytest.mark.parametrize("with_nulls", [False, True])
def test_a_shaped_column_converts_as_value_by_value(
    shape: str, decltype: str, with_nulls: bool
) -> None:
    """A column converted as a whole by its shape gives exactly what converting each value
    gives."""
    values = SHAPED_VALUES[shape]
    if with_nulls:
        values = [None, *values, None]
    rows = [[v] for v in values]
    by_shape = [r[0] for r in convert_rows(rows, [decltype], shape)]
    one_by_one = [r[0] for r in convert_rows(rows, [decltype], "")]
    assert exactly(by_shape) == exactly(one_by_one)


def test_datetimes_of_the_stored_form_are_utc() -> None:
    (value,) = convert_rows([["2024-02-29T13:05:07Z"]], ["DATETIME"], "datetime")[0]
    assert value == dt.datetime(2024, 2, 29, 13, 5, 7, tzinfo=UTC) and value.tzinfo is UTC
    assert _convert._utc_from_z("2024-02-29T13:05:07Z") == value


def test_rows_through_the_core_convert_as_value_by_value(
    conn: mod.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shapes the core reports hold: every batch the cursor converts by shape gives what
    converting each value gives, over values of every form in columns of every declared type."""
    groups = {shape: list(values) for shape, values in SHAPED_VALUES.items()}
    groups["number"].remove(math.nan)  # SQLite stores NaN as NULL
    groups["lookalikes"] = ["2024-02-30", "0000-01-01", "24:00:00", "2023-02-29T00:00:00Z",
                            "2024-02-29T13:05:07+09:00", "2024-02-29 13:05:07"]
    groups["mixed"] = ["2024-02-29", "12:30:00", 7, 0.5, None, b"\x00"]
    decltypes = ["DECIMAL", "DATE", "TIME", "DATETIME", "BOOLEAN"]
    batches: list[Batch] = []
    decode = _convert.decode_fetch

    def keep(payload: str) -> Batch:
        batches.append(decode(payload))  # a copy: the cursor converts its batch in place
        return decode(payload)

    monkeypatch.setattr(_convert, "decode_fetch", keep)
    cur = conn.cursor()
    columns = ", ".join(f"c{i}" for i in range(len(decltypes)))
    declared = ", ".join(f"c{i} {d}" for i, d in enumerate(decltypes))
    cur.execute(f"CREATE TEMP TABLE shaped (k INTEGER, {declared})")
    for k, values in enumerate(groups.values()):
        cur.executemany(
            f"INSERT INTO shaped (k, {columns}) VALUES ({k}, {', '.join('?' * len(decltypes))})",
            [[v] * len(decltypes) for v in values],
        )
    shapes: set[str] = set()
    for k in range(len(groups)):
        batches.clear()
        cur.execute(f"SELECT {columns} FROM shaped WHERE k = ? ORDER BY rowid", [k])
        got = cur.fetchall()
        plain = [b._replace(shapes=[""] * len(decltypes)) for b in batches]
        want = [row for b in plain for row in batch_rows(b, cur._converters)]
        assert len(got) == len(want) > 0
        for i in range(len(decltypes)):
            assert exactly([r[i] for r in got]) == exactly([r[i] for r in want])
        shapes.update(s for b in batches for s in b.shapes)
    assert shapes == {"int", "number", "text", "date", "time", "datetime", ""}

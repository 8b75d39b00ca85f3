"""Columnar results: Arrow record batches and pandas DataFrames from a cursor's rows.

The cursor's methods (``fetch_arrow_batches``, ``fetch_arrow_table``, ``fetch_pandas_batches``,
``fetch_pandas_all``) call this module. A result is turned into Arrow one batch of rows at a
time, never all its Python rows at once: each batch of rows (as ``fetchmany`` returns them)
becomes one ``pyarrow.RecordBatch``. The Arrow type of a column is fixed before the first batch
by its declared type (every column of a kintone table has one):

=================  ==============================================================
declared type      Arrow type
=================  ==============================================================
INTEGER            ``int64`` (pandas: ``Int64``, nullable)
DECIMAL            ``decimal128(38, 10)``; ``DECIMAL(p, s)`` declared in a TEMP table:
                   ``decimal128(p, s)`` (pandas: ``ArrowDtype`` of it)
DOUBLE             ``float64``
DATE               ``date32`` (pandas: ``ArrowDtype``)
TIME               ``time64[us]`` (pandas: ``ArrowDtype``)
DATETIME           ``timestamp[us, tz=UTC]`` (pandas: ``datetime64[us, UTC]``)
VARCHAR            ``string``
BOOLEAN            ``bool`` (pandas: ``boolean``, nullable)
=================  ==============================================================

The default decimal type, ``decimal128(38, 10)`` (the widest ``decimal128``, which Parquet readers
such as Spark and DuckDB read as a decimal), holds 28 digits before the point and 10 after it.
kintone rounds a NUMBER to at most 10 places (an app's "Number of Decimal Places to Round" is 0
to 10) and keeps at most 30 digits in all, 12 before the point and 4 after it unless the app
says otherwise; this driver reads NUMBER values as 64-bit integers or doubles. ``displayScale``
is not used: it only says how many places kintone *shows*, and the stored value may have more.
A value that does not fit its column's type (more than 28 digits before the point, which only
an app set to more than 28 digits gives; more places than the scale; text in a numeric column)
is a :class:`~cdata_kintone.DataError` naming the column and row: nothing is rounded or
truncated. ``CAST(column AS REAL)`` in the SQL, or ``NumberMapToDouble=true``, gives
``float64`` instead.

Columns without a declared type (expressions such as ``SUM(x)``) take the type pyarrow infers
from each batch's values; :func:`arrow_table` unifies the batches (integers and floats become
``float64`` when no integer loses precision).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _convert
from .exceptions import DataError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "DEFAULT_DECIMAL_PRECISION",
    "DEFAULT_DECIMAL_SCALE",
    "require",
    "arrow_type",
    "record_batches",
    "arrow_table",
    "to_pandas",
]

#: The Arrow decimal type of a DECIMAL column: 28 digits before the point, 10 after it.
DEFAULT_DECIMAL_PRECISION = 38
DEFAULT_DECIMAL_SCALE = 10

#: The optional dependency of each module, as ``pip install 'cdata-kintone[<extra>]'`` names it.
_EXTRAS = {"pyarrow": "arrow", "pandas": "pandas"}


def require(module: str, feature: str) -> Any:
    """Import an optional dependency, or raise :class:`ImportError` naming the extra that
    installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        extra = _EXTRAS.get(module, module)
        raise ImportError(
            f"{feature} needs {module}, which is not installed: "
            f"pip install 'cdata-kintone[{extra}]'"
        ) from exc


_DECIMAL_ARGS = re.compile(r"\A\s*(\d+)\s*(?:,\s*(\d+)\s*)?\Z")


def arrow_type(decltype: str | None) -> pa.DataType | None:
    """The Arrow type of a column declared ``decltype``; None when the type is inferred from
    the values (no declared type, or one the driver does not convert)."""
    if not decltype:
        return None
    pa = require("pyarrow", "Arrow results")
    base, _, args = decltype.partition("(")
    base = base.strip().upper()
    if base == "DECIMAL":
        precision, scale = DEFAULT_DECIMAL_PRECISION, DEFAULT_DECIMAL_SCALE
        m = _DECIMAL_ARGS.match(args.rstrip(") "))
        if m is not None:
            precision, scale = int(m.group(1)), int(m.group(2) or 0)
        if not 0 < precision <= 38 or scale > precision:
            return None  # not an Arrow decimal128: inferred from the values
        return pa.decimal128(precision, scale)
    simple: dict[str, Callable[[], Any]] = {
        "INTEGER": pa.int64,
        "DOUBLE": pa.float64,
        "DATE": pa.date32,
        "TIME": lambda: pa.time64("us"),
        "DATETIME": lambda: pa.timestamp("us", tz="UTC"),
        "VARCHAR": pa.string,
        "BOOLEAN": pa.bool_,
    }
    make = simple.get(base)
    return None if make is None else make()


def _column(pa: Any, name: str, values: list[Any], typ: Any, first_row: int) -> Any:
    """One column of a batch as an Arrow array of type ``typ`` (inferred when None).

    The values are read as pyarrow infers them, then cast *safely* to the column's type: a
    cast that would lose digits or truncate fails, where building the array with the type
    directly would truncate a float into an integer column."""
    try:
        array = pa.array(values, from_pandas=False)
        if typ is not None and array.type != typ:
            array = array.cast(typ, safe=True)
        return array
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        row, value = _first_misfit(pa, values, typ)
        where = f"row {first_row + row}" if row is not None else f"rows from {first_row}"
        wanted = str(typ) if typ is not None else "one Arrow type"
        shown = f" value {value!r}" if row is not None else ""
        raise DataError(
            f"column {name!r}, {where}:{shown} does not fit {wanted} ({exc}); nothing is "
            f"rounded: CAST the column in SQL (e.g. CAST({name} AS REAL) or AS TEXT) to "
            f"choose its type"
        ) from None


def _first_misfit(pa: Any, values: list[Any], typ: Any) -> tuple[int | None, Any]:
    """The first value that does not fit ``typ`` on its own, to name it in the error."""
    if typ is None:
        return None, None
    for i, v in enumerate(values):
        try:
            pa.array([v], from_pandas=False).cast(typ, safe=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return i, v
    return None, None


class Columns(NamedTuple):
    """One batch of a result, column by column: converted to Python values (``shapes`` None),
    or as the core sends them, with each column's shape (``_convert.Batch``)."""

    columns: list[list[Any]]
    shapes: list[str] | None


def record_batches(
    names: Sequence[str], decltypes: Sequence[str | None], batches: Iterable[Columns]
) -> Iterator[pa.RecordBatch]:
    """Turn batches of a result into Arrow record batches, one per batch (empty batches are
    skipped). The types of declared columns are the same in every batch; an undeclared
    column's type is inferred per batch.

    A column as the core sends it goes to Arrow without Python objects where its shape makes
    that give what converting its values first gives (:func:`_direct`); any other is converted
    value by value as ``fetchmany`` converts it, then built as a column of Python values."""
    pa = require("pyarrow", "Arrow results")
    types = [arrow_type(d) for d in decltypes]
    conversions = dict(_convert.converters_for(decltypes))
    bases = [_convert.normalize_decltype(d) if d else "" for d in decltypes]
    pc: Any = None
    seen = 0
    for batch in batches:
        rows = len(batch.columns[0]) if batch.columns else 0
        if not rows:
            continue
        arrays = []
        for i, (name, typ) in enumerate(zip(names, types, strict=True)):
            values = batch.columns[i]
            if batch.shapes is not None:
                if pc is None:
                    pc = require("pyarrow.compute", "Arrow results")
                try:
                    direct = _direct(pa, pc, bases[i], batch.shapes[i], values, typ)
                except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                    direct = None  # a value that does not fit: the error names it below
                if direct is not None:
                    arrays.append(direct)
                    continue
                conv = conversions.get(i)
                if conv is not None:
                    values = _convert.convert_column(values, batch.shapes[i], conv)
            arrays.append(_column(pa, name, values, typ, seen))
        seen += rows
        yield pa.RecordBatch.from_arrays(arrays, names=list(names))


def _direct(pa: Any, pc: Any, base: str, shape: str, values: list[Any], typ: Any) -> Any:
    """The Arrow array of a column as the core sends it, built by Arrow from the values as they
    are, for the declared types and shapes where that gives exactly the array of the
    converted values; None for the others. The shapes guarantee the form of every non-NULL
    value (``"datetime"``: ``YYYY-MM-DDTHH:MM:SSZ`` naming a real instant, ``"int"``: 64-bit
    integers, …), so these casts cannot fail or round."""
    if typ is None:
        return None
    if shape == "datetime" and base == "DATETIME":
        parsed = pc.strptime(pa.array(values, pa.string()), format="%Y-%m-%dT%H:%M:%SZ", unit="us")
        return parsed.cast(typ)
    if shape == "date" and base == "DATE":
        return pa.array(values, pa.string()).cast(typ)
    if shape == "time" and base == "TIME":
        day = pc.binary_join_element_wise("1970-01-01T", pa.array(values, pa.string()), "")
        return pc.strptime(day, format="%Y-%m-%dT%H:%M:%S", unit="us").cast(typ)
    if shape == "int" and base in ("DECIMAL", "BOOLEAN", "INTEGER"):
        return pa.array(values, pa.int64()).cast(typ, safe=True)
    return None


def empty_schema(names: Sequence[str], decltypes: Sequence[str | None]) -> pa.Schema:
    """The schema of a result without rows: undeclared columns are of Arrow's null type."""
    pa = require("pyarrow", "Arrow results")
    return pa.schema(
        [(n, arrow_type(d) or pa.null()) for n, d in zip(names, decltypes, strict=True)]
    )


def arrow_table(
    names: Sequence[str], decltypes: Sequence[str | None], batches: Iterable[pa.RecordBatch]
) -> pa.Table:
    """Join record batches into one table; undeclared columns whose inferred types differ
    between batches are unified (null with anything, int64 with float64 as float64 when no
    integer loses precision); other differences are a :class:`DataError`."""
    pa = require("pyarrow", "Arrow results")
    tables = [pa.Table.from_batches([b]) for b in batches]
    if not tables:
        return empty_schema(names, decltypes).empty_table()
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise DataError(
            f"a column holds values of different types in different rows ({exc}): CAST it "
            "in SQL to choose one"
        ) from None


def _pandas_types(pd: Any, pa: Any) -> Callable[[pa.DataType], Any]:
    """The pandas dtype of each Arrow type: nullable integers and booleans, decimals, dates and
    times as Arrow-backed dtypes (pandas has none of its own); None keeps pyarrow's choice."""

    def mapper(typ: pa.DataType) -> Any:
        if pa.types.is_integer(typ):
            return pd.Int64Dtype()
        if pa.types.is_boolean(typ):
            return pd.BooleanDtype()
        if pa.types.is_decimal(typ) or pa.types.is_date(typ) or pa.types.is_time(typ):
            return pd.ArrowDtype(typ)
        return None

    return mapper


def to_pandas(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    """A DataFrame of an Arrow table or batch with the dtypes listed in this module's doc."""
    pd = require("pandas", "pandas results")
    pa = require("pyarrow", "pandas results")
    return table.to_pandas(types_mapper=_pandas_types(pd, pa))

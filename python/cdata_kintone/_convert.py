"""Value conversion between Python and the core's JSON encodings (``pybind/README.md``).

Parameters (Python -> core): a JSON list of ``[tag, value]`` pairs.

=============================  ==========================================================
Python value                   sent as
=============================  ==========================================================
``None``                       ``["null", null]``
``bool``                       ``["int", "1"]`` / ``["int", "0"]``
``int``                        ``["int", "<decimal>"]``; outside the signed 64-bit range:
                               :class:`DataError`
``float``                      ``["float", repr]``, also ``"nan"``, ``"inf"``, ``"-inf"``
``str``                        ``["text", ...]`` (NUL characters are kept; lone surrogates:
                               :class:`DataError`)
``bytes``/``bytearray``/       ``["blob", "<base64>"]``
``memoryview``
``decimal.Decimal``            integral and within 64 bits: ``int``; otherwise ``float``
                               (SQLite has no decimal type: about 15-17 significant digits
                               are kept); NaN: :class:`DataError`
``datetime.datetime``          ``["text", "YYYY-MM-DDTHH:MM:SSZ"]`` in UTC; an aware
                               value is converted to UTC, a **naive value is taken as UTC**.
                               With microseconds: ``"YYYY-MM-DDTHH:MM:SSZ.ffffff"``, the
                               fraction after the ``Z``, so that as text it sorts after its
                               whole second and before the next one, as it does in time
                               (``"…:00.5Z"`` would sort before ``"…:00Z"``)
``datetime.date``              ``["text", "YYYY-MM-DD"]``
``datetime.time``              ``["text", "HH:MM:SS[.ffffff]"]``; an aware time:
                               :class:`DataError` (kintone TIME has no time zone)
``list``/``tuple`` of ``str``  ``["text", '["a","b"]']``: the JSON array text multi-valued
                               fields (check boxes, multi-selects, users, organizations,
                               groups by code, files by fileKey) are read as; an item that
                               is not ``str``: :class:`ProgrammingError`
=============================  ==========================================================

Anything else raises :class:`ProgrammingError` naming the parameter and its type.

Rows (core -> Python): the JSON of ``StmtFetch``, a batch column by column; blobs
``{"b64": ...}`` become ``bytes`` while parsing, then a conversion per column chosen by the
column's declared type turns values into ``Decimal``, ``date``, ``time``, aware ``datetime`` or
``bool``, and the rows are the columns zipped into tuples. SQLite is dynamically typed: a value
whose storage class does not fit the declared type (text in a DECIMAL column, text that is not a
date in a DATE column) is returned unchanged. The core says per column what every value of the
batch is (its *shape*: all integers, all ``YYYY-MM-DDTHH:MM:SSZ`` text, ...); a column whose
shape a conversion knows is converted by one function mapped over it (``datetime.fromisoformat``
for that text), which gives what the value-by-value converter gives for such values, only
faster; any other column goes value by value.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from .exceptions import DataError, InterfaceError, ProgrammingError

__all__ = [
    "Batch",
    "encode_parameter_rows",
    "encode_parameters",
    "decode_fetch",
    "converters_for",
    "batch_rows",
    "parse_datetime",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_UTC = _dt.timezone.utc
_b64encode = base64.b64encode
_b64decode = base64.b64decode
_dumps = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode


# --- parameters ----------------------------------------------------------------------------


def _where(index: int) -> str:
    return f"parameter {index + 1} (index {index})"


def _check_int(v: int, index: int) -> list[str]:
    if INT64_MIN <= v <= INT64_MAX:
        return ["int", int.__repr__(v)]
    raise DataError(
        f"{_where(index)}: integer {v} is outside the signed 64-bit range SQLite can store"
    )


def _enc_none(v: Any, index: int) -> list[Any]:
    return ["null", None]


def _enc_bool(v: bool, index: int) -> list[str]:
    return ["int", "1" if v else "0"]


def _enc_float(v: float, index: int) -> list[str]:
    # float.__repr__, not repr(): subclasses (numpy.float64) may print differently.
    return ["float", float.__repr__(v)]


def _enc_str(v: str, index: int) -> list[str]:
    if not v.isascii():
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DataError(
                f"{_where(index)}: text is not valid Unicode ({exc.reason} at position "
                f"{exc.start})"
            ) from None
    return ["text", v]


def _enc_bytes(v: Any, index: int) -> list[str]:
    return ["blob", _b64encode(v).decode("ascii")]


def _enc_memoryview(v: memoryview, index: int) -> list[str]:
    return ["blob", _b64encode(v.tobytes()).decode("ascii")]


def _enc_decimal(v: decimal.Decimal, index: int) -> list[str]:
    if v.is_nan():
        raise DataError(f"{_where(index)}: Decimal NaN cannot be stored")
    if v.is_infinite():
        return ["float", "inf" if v > 0 else "-inf"]
    if v == v.to_integral_value():
        i = int(v)
        if INT64_MIN <= i <= INT64_MAX:
            return ["int", str(i)]
    f = float(v)
    if decimal.Decimal(float.__repr__(f)) == v:
        return ["float", float.__repr__(f)]
    # A float cannot hold it exactly: its exact decimal text, which a NUMBER field stores as
    # is and SQLite compares with numeric columns as the number it is.
    return ["text", format(v, "f")]


def _fmt_time(h: int, m: int, s: int, us: int) -> str:
    if us:
        return f"{h:02d}:{m:02d}:{s:02d}.{us:06d}"
    return f"{h:02d}:{m:02d}:{s:02d}"


def _enc_datetime(v: _dt.datetime, index: int) -> list[str]:
    if v.utcoffset() is not None:
        try:
            v = v.astimezone(_UTC)
        except (OverflowError, ValueError) as exc:
            raise DataError(f"{_where(index)}: {v!r} cannot be converted to UTC: {exc}") from None
    text = (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T"
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"
    )
    if v.microsecond:
        # DATETIME columns hold "…SSZ" and SQLite compares them as text: the fraction goes
        # after the Z so that comparisons stay chronological.
        text += f".{v.microsecond:06d}"
    return ["text", text]


def _enc_date(v: _dt.date, index: int) -> list[str]:
    return ["text", f"{v.year:04d}-{v.month:02d}-{v.day:02d}"]


def _enc_time(v: _dt.time, index: int) -> list[str]:
    if v.utcoffset() is not None:
        raise DataError(
            f"{_where(index)}: a time with a time zone ({v.isoformat()}) cannot be stored: "
            "kintone TIME values are wall-clock times; pass a naive datetime.time"
        )
    return ["text", _fmt_time(v.hour, v.minute, v.second, v.microsecond)]


_dumps_text_list = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _enc_str_list(v: list[Any] | tuple[Any, ...], index: int) -> list[str]:
    # The form multi-valued columns are read as (compact, non-ASCII kept as it is), so that
    # a list also compares equal to a column's text.
    for position, item in enumerate(v):
        if not isinstance(item, str):
            raise ProgrammingError(
                f"{_where(index)}: a {type(v).__name__} parameter may hold only str (the "
                f"options, codes or fileKeys of a multi-valued field); item {position} is "
                f"{type(item).__module__}.{type(item).__qualname__}"
            )
        _enc_str(item, index)  # a lone surrogate: DataError
    return ["text", _dumps_text_list(list(v))]


_Encoder = Callable[[Any, int], list[Any]]

# Exact types first (one dict lookup); subclasses go through _encoder_for_subclass.
_ENCODERS: dict[type, _Encoder] = {
    type(None): _enc_none,
    bool: _enc_bool,
    int: _check_int,
    float: _enc_float,
    str: _enc_str,
    bytes: _enc_bytes,
    bytearray: _enc_bytes,
    memoryview: _enc_memoryview,
    decimal.Decimal: _enc_decimal,
    _dt.datetime: _enc_datetime,
    _dt.date: _enc_date,
    _dt.time: _enc_time,
    list: _enc_str_list,
    tuple: _enc_str_list,
}

# Order matters: bool before int, datetime before date.
_SUBCLASS_ORDER: tuple[type, ...] = (
    bool,
    int,
    float,
    str,
    bytes,
    bytearray,
    memoryview,
    decimal.Decimal,
    _dt.datetime,
    _dt.date,
    _dt.time,
    list,
    tuple,
)


def _encoder_for_subclass(t: type) -> _Encoder | None:
    for base in _SUBCLASS_ORDER:
        if issubclass(t, base):
            return _ENCODERS[base]
    return None


def _check_parameters_object(parameters: Any) -> Sequence[Any]:
    if isinstance(parameters, (list, tuple)):
        return parameters
    if isinstance(parameters, (str, bytes, bytearray, memoryview)):
        raise ProgrammingError(
            f"parameters must be a sequence such as a list or tuple, not "
            f"{type(parameters).__name__}; to pass one value write [value] or (value,)"
        )
    if isinstance(parameters, Mapping):
        raise ProgrammingError(
            "named parameters are not supported: paramstyle is 'qmark', pass a sequence of "
            "values for the ? placeholders"
        )
    if isinstance(parameters, Sequence):
        return parameters
    raise ProgrammingError(
        f"parameters must be a sequence such as a list or tuple, not {type(parameters).__name__}"
    )


def encode_parameters(parameters: Any) -> str:
    """Encode a parameters object for ``core.Execute``: the JSON list of ``[tag, value]``.

    ``None`` and an empty sequence give ``"[]"``.
    """
    return _dumps(_tagged(parameters))


def encode_parameter_rows(seq_of_parameters: Iterable[Any]) -> tuple[str, int]:
    """Encode ``executemany``'s parameter rows for ``core.ExecuteMany``, and count them.

    Rows of one length go column by column (:func:`_columnar`): a column whose values are all
    of one plain type (str, int or float, with or without None) is one string that C code
    builds and the core splits, so that 10,000 rows cost milliseconds, not tens of them. Other
    rows, and the rows of any column that fails a check, are the JSON list of each row's list
    of ``[tag, value]`` (as :func:`encode_parameters`), which also gives every error its usual
    message."""
    rows = list(seq_of_parameters)
    try:
        encoded = _columnar(rows)
    except (DataError, ProgrammingError):
        encoded = None
    if encoded is not None:
        return encoded, len(rows)
    return _dumps([_tagged(p) for p in rows]), len(rows)


#: The separator of a text column's values: NUL, which a value holding one sends the column
#: the slow way.
_SEP = "\x00"


def _columnar(rows: list[Any]) -> str | None:
    """The parameter rows as ``{"n": rows, "columns": [column, ...]}``, a column being
    ``["text", values joined by NUL, nulls]``, ``["int" | "float", values joined by ",",
    nulls]`` (nulls: the rows where the value is None, whose place holds "") or
    ``["tagged", [[tag, value], ...]]``; None when the rows are not all lists or tuples of one
    length, or a value needs checking one by one (the row-by-row encoding then reports it)."""
    if not rows or not all(type(p) is list or type(p) is tuple for p in rows):
        return None
    width = len(rows[0])
    if width == 0 or any(len(p) != width for p in rows):
        return None
    columns: list[list[Any]] = []
    for index, values in enumerate(zip(*rows, strict=True)):
        column = _column(values, index)
        if column is None:
            return None
        columns.append(column)
    return _dumps({"n": len(rows), "columns": columns})


def _column(values: tuple[Any, ...], index: int) -> list[Any] | None:
    types = set(map(type, values))
    nulls: list[int] = []
    if type(None) in types:
        types.discard(type(None))
        nulls = [i for i, v in enumerate(values) if v is None]
        plain = [v for v in values if v is not None]
    else:
        plain = list(values)
    if len(types) == 1:
        kind = next(iter(types))
        if kind is str:
            text = _SEP.join(values if not nulls else ["" if v is None else v for v in values])
            if text.count(_SEP) != len(values) - 1 or (not text.isascii() and not _utf8(text)):
                return None
            return ["text", text, nulls]
        if kind is int:
            if min(plain) < INT64_MIN or max(plain) > INT64_MAX:
                return None
            return ["int", _join_numbers(values, int.__repr__, nulls), nulls]
        if kind is float:
            return ["float", _join_numbers(values, float.__repr__, nulls), nulls]
    encoders = _ENCODERS
    return ["tagged", [(encoders.get(type(v)) or _encoder_of(v, index))(v, index) for v in values]]


def _join_numbers(values: tuple[Any, ...], text: Callable[[Any], str], nulls: list[int]) -> str:
    if not nulls:
        return ",".join(map(text, values))
    return ",".join(["" if v is None else text(v) for v in values])


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _tagged(parameters: Any) -> list[list[Any]]:
    """The ``[tag, value]`` pair of each parameter of a parameters object."""
    if parameters is None:
        return []
    seq = _check_parameters_object(parameters)
    if not seq:
        return []
    out: list[list[Any]] = []
    append = out.append
    encoders = _ENCODERS
    for index, v in enumerate(seq):
        enc = encoders.get(type(v)) or _encoder_of(v, index)
        append(enc(v, index))
    return out


def _encoder_of(v: Any, index: int) -> _Encoder:
    """The encoder of a value whose exact type has none: that of a supported base class."""
    enc = _encoder_for_subclass(type(v))
    if enc is None:
        raise ProgrammingError(
            f"{_where(index)}: type {type(v).__module__}.{type(v).__qualname__} is not "
            "supported; use None, bool, int, float, str, bytes, Decimal, date, time, "
            "datetime, or a list of str"
        )
    return enc


# --- rows ----------------------------------------------------------------------------------


def _blob_hook(obj: dict[str, Any]) -> Any:
    # In a fetch payload the only objects are the envelope and blobs.
    if len(obj) == 1 and "b64" in obj:
        return _b64decode(obj["b64"])
    return obj


_decode_payload = json.JSONDecoder(object_hook=_blob_hook).decode


class Batch(NamedTuple):
    """A ``StmtFetch`` reply."""

    columns: list[list[Any]]  #: one list of values per result column, as the core encodes them
    shapes: list[str]  #: per column, what every non-NULL value of the batch is (pybind/README.md)
    done: bool  #: no rows remain (the core has released the statement)
    ready: bool  #: False: the fetch goes on in the core and ``columns`` is empty; ask again
    events: int  #: events waiting in the core (see ``ConnDrain``)
    requests: Any = None  #: the HTTP requests the statement sent since the last reply


def decode_fetch(payload: str) -> Batch:
    """Parse a ``StmtFetch`` payload."""
    try:
        doc = _decode_payload(payload)
        columns, shapes, count = doc["columns"], doc["shapes"], doc["rows"]
        if not isinstance(columns, list) or not isinstance(shapes, list):
            raise TypeError("columns or shapes is not a list")
        if len(shapes) != len(columns) or any(len(c) != count for c in columns):
            raise ValueError(f"columns of other lengths than {count} rows")
        return Batch(
            columns,
            shapes,
            bool(doc["done"]),
            bool(doc["ready"]),
            int(doc.get("events", 0)),
            doc.get("requests"),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InterfaceError(f"malformed row batch from the kintone native core: {exc}") from None


_Decimal = decimal.Decimal


def _to_decimal(v: Any) -> Any:
    t = type(v)
    if t is int:
        return _Decimal(v)
    if t is float:
        # repr is the shortest text that round-trips: 0.1 -> Decimal("0.1"), not the binary
        # expansion.
        return _Decimal(repr(v))
    return v


# Converters turn text into date/time objects only when the text is in a form the driver
# itself writes, so that nothing that merely resembles a date (Python's fromisoformat also
# reads "20260101" and "12") is turned into another value; other text is returned unchanged.
_DATE_TEXT = re.compile(r"\A\d{4}-\d\d-\d\d\Z")
_TIME_TEXT = re.compile(r"\A(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,6}))?)?\Z")


def _to_date(v: Any) -> Any:
    if type(v) is str and _DATE_TEXT.match(v):
        try:
            return _dt.date.fromisoformat(v)
        except ValueError:
            return v
    return v


def _to_time(v: Any) -> Any:
    if type(v) is str:
        m = _TIME_TEXT.match(v)
        if m is None:
            return v
        hour, minute, second, frac = m.groups()
        try:
            micro = int((frac or "0").ljust(6, "0"))
            return _dt.time(int(hour), int(minute), int(second or 0), micro)
        except ValueError:
            return v
    return v


_DATETIME = re.compile(
    r"\A(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d\d:?\d\d)?\Z"
)
# ISO-8601 date-times as parse_datetime reads them, with a fraction of at most six digits
# (more would be cut), or the form of a bound parameter with a fraction (…SSZ.ffffff).
_DATETIME_TEXT = re.compile(
    r"\A\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,6}|Z\.\d{1,6}\Z)?)?(?:Z|[+-]\d\d:?\d\d)?\Z"
)


def parse_datetime(text: str) -> _dt.datetime | None:
    """Parse ISO-8601 date-time text into an aware UTC datetime; None when it is not one.

    ``Z`` and numeric offsets are honoured; text without an offset is taken as UTC (that is how
    the core stores kintone DATETIME values). Fractions beyond microseconds are truncated.
    """
    m = _DATETIME.match(text)
    if m is None:
        # The form datetime parameters with a fraction are bound in: "…SSZ.ffffff".
        base, dot, frac = text.partition("Z.")
        if not dot or not frac.isdigit() or not frac.isascii() or "." in base:
            return None
        m = _DATETIME.match(f"{base}.{frac}Z")
        if m is None:
            return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        us = int(frac[:6].ljust(6, "0")) if frac else 0
        value = _dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), us, _UTC
        )
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            value = (value - sign * offset).replace(tzinfo=_UTC)
    except (ValueError, OverflowError):
        return None
    return value


_datetime_fromisoformat = _dt.datetime.fromisoformat


def _utc_from_z(text: str) -> _dt.datetime:
    """``YYYY-MM-DDTHH:MM:SSZ`` as an aware datetime in UTC (Python 3.10 does not read Z)."""
    return _datetime_fromisoformat(text[:-1]).replace(tzinfo=_UTC)


def _z_parser() -> Callable[[str], _dt.datetime]:
    """The fastest function that reads ``YYYY-MM-DDTHH:MM:SSZ`` into the aware datetime
    ``_utc_from_z`` makes: ``datetime.fromisoformat`` itself where it reads the Z into
    ``timezone.utc`` (Python 3.11 and later)."""
    try:
        if _datetime_fromisoformat("2000-01-01T00:00:00Z").tzinfo is _UTC:
            return _datetime_fromisoformat
    except ValueError:
        pass
    return _utc_from_z


_from_z = _z_parser()


def _to_datetime(v: Any) -> Any:
    if type(v) is str and _DATETIME_TEXT.match(v):
        if v[-1:] == "Z":  # the usual form: fast path through the C parser
            try:
                return _datetime_fromisoformat(v[:-1]).replace(tzinfo=_UTC)
            except ValueError:  # Python 3.10 reads only 3- or 6-digit fractions
                pass
        parsed = parse_datetime(v)
        return v if parsed is None else parsed
    return v


def _to_bool(v: Any) -> Any:
    t = type(v)
    if t is int or t is float:
        return bool(v)
    return v


_Converter = Callable[[Any], Any]


class Conversion(NamedTuple):
    """How the values of a column of one declared type are converted."""

    value: _Converter  #: any non-NULL value
    #: shape -> a converter that gives what ``value`` gives for every non-NULL value of a
    #: column of that shape, mapped over the column in C (no converter: the values stay).
    by_shape: Mapping[str, _Converter | None]


#: declared type (upper case, without "(...)"), as the core reports it -> conversion. What each
#: type of the driver's columns gives is the README's Types table, generated from the Go type
#: table; tests/test_type_table.py checks the values against it. The other types are those a
#: user may declare in TEMP tables.
DECLTYPE_CONVERSIONS: dict[str, Conversion] = {
    "DECIMAL": Conversion(_to_decimal, {"int": _Decimal, "text": None}),
    "DATE": Conversion(_to_date, {"date": _dt.date.fromisoformat, "int": None, "number": None}),
    "TIME": Conversion(_to_time, {"time": _dt.time.fromisoformat, "int": None, "number": None}),
    "DATETIME": Conversion(_to_datetime, {"datetime": _from_z, "int": None, "number": None}),
    "BOOLEAN": Conversion(_to_bool, {"int": bool, "number": bool, "text": None}),
}


def normalize_decltype(decltype: str) -> str:
    return decltype.split("(", 1)[0].strip().upper()


def converters_for(decltypes: Iterable[str | None]) -> list[tuple[int, Conversion]]:
    """Return ``(column index, conversion)`` for each column whose declared type converts."""
    out: list[tuple[int, Conversion]] = []
    for i, decltype in enumerate(decltypes):
        if decltype:
            conv = DECLTYPE_CONVERSIONS.get(normalize_decltype(decltype))
            if conv is not None:
                out.append((i, conv))
    return out


def batch_rows(batch: Batch, conversions: list[tuple[int, Conversion]]) -> list[tuple[Any, ...]]:
    """Convert a batch's columns (in place) and return its rows as tuples."""
    columns, shapes = batch.columns, batch.shapes
    for i, conv in conversions:
        columns[i] = convert_column(columns[i], shapes[i], conv)
    return list(zip(*columns, strict=True))


def convert_column(col: list[Any], shape: str, conv: Conversion) -> list[Any]:
    """The values of a column of ``shape`` converted by ``conv`` (``col`` itself when none
    change)."""
    if shape == "null":
        return col
    f = conv.by_shape.get(shape, conv.value)
    if f is None:
        return col
    if None in col:
        return [None if v is None else f(v) for v in col]
    return list(map(f, col))

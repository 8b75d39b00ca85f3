"""Parameters and literals on the reference side.

:func:`bind` is what the driver documents for a Python parameter (the table at the top of
``python/cdata_kintone/_convert.py`` and the README's "Parameters" paragraph), written again here
so that the reference never calls the driver's encoder:

- ``None`` → NULL; ``bool`` → 1 / 0; ``int`` → integer (outside 64 bits: an error);
  ``float`` → real; ``str`` → text; ``bytes`` → blob;
- ``Decimal``: integral and within 64 bits → integer, infinite → ±inf, NaN → error, a value
  whose nearest double's shortest text is the same number → that double, otherwise its exact
  decimal text (so that no digit is lost on the way to a NUMBER field);
- ``date`` → ``'YYYY-MM-DD'``; ``time`` → ``'HH:MM:SS'`` (``'HH:MM:SS.ffffff'`` with
  microseconds; an aware time is an error);
- ``datetime`` → UTC text ``'YYYY-MM-DDTHH:MM:SSZ'`` (a naive value is taken as UTC); with
  microseconds ``'YYYY-MM-DDTHH:MM:SSZ.ffffff'`` (the rule being introduced: the fraction goes
  after the ``Z`` so that text comparison with kintone's whole-second values is chronological).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Unbindable(Exception):
    """The driver documents an error for this parameter value."""


def bind(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, int):
        if not INT64_MIN <= v <= INT64_MAX:
            raise Unbindable(f"integer {v} outside 64 bits")
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, decimal.Decimal):
        if v.is_nan():
            raise Unbindable("Decimal NaN")
        if v.is_infinite():
            return math.inf if v > 0 else -math.inf
        if v == v.to_integral_value() and INT64_MIN <= int(v) <= INT64_MAX:
            return int(v)
        if decimal.Decimal(repr(float(v))) == v:
            return float(v)
        return format(v, "f")
    if isinstance(v, dt.datetime):
        if v.utcoffset() is not None:
            v = v.astimezone(dt.timezone.utc)
        text = f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"
        if v.microsecond:
            text += f".{v.microsecond:06d}"
        return text
    if isinstance(v, dt.date):
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
    if isinstance(v, dt.time):
        if v.utcoffset() is not None:
            raise Unbindable("aware time")
        text = f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
        if v.microsecond:
            text += f".{v.microsecond:06d}"
        return text
    raise Unbindable(f"unsupported type {type(v).__name__}")


def literal(v: Any) -> str:
    """SQL literal text for a value (temporal values as the text they are bound as)."""
    if isinstance(v, (dt.date, dt.time, decimal.Decimal)):
        if isinstance(v, decimal.Decimal):
            if v.is_finite():
                return str(v)
            return literal(bind(v))
        return literal(bind(v))
    if v is None:
        return "NULL"
    if v is True:
        return "TRUE"
    if v is False:
        return "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "NULL"
        if math.isinf(v):
            return "1e999" if v > 0 else "-1e999"
        return repr(v)
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, (bytes, bytearray)):
        return "X'" + bytes(v).hex().upper() + "'"
    raise TypeError(type(v))


def show(v: Any) -> str:
    """A Python expression for a parameter value, for reproducers."""
    if isinstance(v, dt.datetime):
        tz = v.tzinfo
        if tz is None:
            z = ""
        elif v.utcoffset() == dt.timedelta(0):
            z = ", tzinfo=datetime.timezone.utc"
        else:
            off = v.utcoffset()
            assert off is not None
            seconds = int(off.total_seconds())
            z = f", tzinfo=datetime.timezone(datetime.timedelta(seconds={seconds}))"
        return (f"datetime.datetime({v.year}, {v.month}, {v.day}, {v.hour}, {v.minute}, "
                f"{v.second}, {v.microsecond}{z})")
    if isinstance(v, dt.date):
        return f"datetime.date({v.year}, {v.month}, {v.day})"
    if isinstance(v, dt.time):
        return f"datetime.time({v.hour}, {v.minute}, {v.second}, {v.microsecond})"
    if isinstance(v, decimal.Decimal):
        return f"decimal.Decimal({str(v)!r})"
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return f"float({repr(v)!r})"
    return repr(v)

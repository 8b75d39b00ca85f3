"""PEP 249 type objects and constructors.

The ``type_code`` in ``Cursor.description`` is one of the strings ``"STRING"``, ``"NUMBER"``,
``"DATETIME"``, ``"BINARY"``, ``"ROWID"`` (the README's Types table says which columns report
which); the type objects compare equal to them, as PEP 249 asks ("Type Objects may be equal to
more than one type code"). ``Id`` reports ``"ROWID"``, which ``NUMBER`` also equals, since a
row id is a number:

>>> cur.execute("SELECT Id FROM Deals").description[0][1] == ROWID
True
>>> cur.description[0][1] == NUMBER
True
"""

from __future__ import annotations

import datetime as _dt
import time as _time

__all__ = [
    "DBAPITypeObject",
    "Date",
    "Time",
    "Timestamp",
    "DateFromTicks",
    "TimeFromTicks",
    "TimestampFromTicks",
    "Binary",
    "STRING",
    "BINARY",
    "NUMBER",
    "DATETIME",
    "ROWID",
]


class DBAPITypeObject:
    """A PEP 249 type object: equal to each of the ``type_code`` values it stands for."""

    __slots__ = ("name", "values")

    def __init__(self, name: str, *values: str) -> None:
        self.name = name
        self.values: frozenset[str] = frozenset(values or (name,))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self.values == other.values
        if isinstance(other, str):
            return other in self.values
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self.values)

    def __repr__(self) -> str:
        return f"cdata_kintone.{self.name}"


DBAPITypeObject.__module__ = "cdata_kintone"

#: PEP 249: "describe columns in a database that are string-based (e.g. CHAR)."
STRING = DBAPITypeObject("STRING")
#: PEP 249: "describe (long) binary columns in a database (e.g. LONG, RAW, BLOBs)."
BINARY = DBAPITypeObject("BINARY")
#: PEP 249: "describe numeric columns in a database." Also equal to ``"ROWID"``.
NUMBER = DBAPITypeObject("NUMBER", "NUMBER", "ROWID")
#: PEP 249: "describe date/time columns in a database."
DATETIME = DBAPITypeObject("DATETIME")
#: PEP 249: "describe the "Row ID" column in a database.": ``Id``, the record's ``$id`` (in a
#: child table, the subtable row's id).
ROWID = DBAPITypeObject("ROWID")

#: PEP 249: "This function constructs an object holding a date value."
Date = _dt.date
#: PEP 249: "This function constructs an object holding a time value."
Time = _dt.time
#: PEP 249: "This function constructs an object holding a time stamp value." Pass
#: ``tzinfo=datetime.timezone.utc`` (or any zone): a naive datetime parameter is taken as UTC.
Timestamp = _dt.datetime
#: PEP 249: "This function constructs an object capable of holding a binary (long) string
#: value."
Binary = bytes


def DateFromTicks(ticks: float) -> _dt.date:
    """PEP 249: "construct an object holding a date value from the given ticks value (number
    of seconds since the epoch)". The date is the local date, as PEP 249 says; kintone DATE
    fields are calendar dates without a time zone."""
    return _dt.date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:
    """PEP 249: "construct an object holding a time value from the given ticks value". The
    result is the naive local wall-clock time, as PEP 249 says (kintone TIME fields are
    wall-clock times without a time zone); fractions of a second are dropped, as in the
    ``time`` module."""
    return _dt.time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:
    """PEP 249: "construct an object holding a time stamp value from the given ticks value".

    Unlike ``sqlite3`` (naive local time), this returns a timezone-aware datetime in UTC:
    ``datetime.fromtimestamp(ticks, timezone.utc)``. It denotes the same instant PEP 249's
    "local time" does, and it round-trips: kintone DATETIME values are instants, this module
    returns them as aware UTC datetimes, and a *naive* datetime parameter is taken as UTC, so
    a naive local time would be shifted by the local UTC offset. Microseconds are kept.
    """
    return _dt.datetime.fromtimestamp(ticks, _dt.timezone.utc)

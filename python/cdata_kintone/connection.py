"""``connect()`` and the PEP 249 connection."""

from __future__ import annotations

import os
import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from . import _native, exceptions
from ._activity import ProgressSetting, check_progress
from ._session import Session
from .cursor import Cursor

__all__ = ["connect", "Connection", "build_connection_string", "quote_property_value"]

#: Environment variables the core reads (see the README's OAuth section).
_FORWARDED_ENV = ("CDATA_KINTONE_BROWSER",)

_PROPERTY_NAME = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")
_NEEDS_QUOTES = re.compile(r"""[;'"=]|\A\s|\s\Z""")


def quote_property_value(value: str) -> str:
    """Quote a connection-string value when it needs it.

    Values containing ``;``, ``=``, a quote, or leading/trailing blanks are wrapped in double
    quotes with inner double quotes doubled; others are returned unchanged.
    """
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _format_property_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    if isinstance(value, (list, tuple)):
        # APIToken=t1,t2 / AppId=12,13
        return ",".join(_format_property_value(name, v) for v in value)
    raise exceptions.ProgrammingError(
        f"connection property {name}: unsupported value type {type(value).__name__}"
    )


def build_connection_string(connection_string: str, properties: Mapping[str, Any]) -> str:
    """Join a connection string and keyword properties into one connection string.

    ``None`` values are left out; booleans become ``true``/``false``; lists and tuples are
    joined with commas (``APIToken=["t1", "t2"]``). A name given twice, in either part, is
    reported by the core as an error; text holding a NUL character or lone surrogates is an
    :class:`InterfaceError` here.
    """
    if not isinstance(connection_string, str):
        raise exceptions.ProgrammingError(
            f"the connection string must be a str, not {type(connection_string).__name__}"
        )
    parts: list[str] = []
    base = connection_string.strip().rstrip("; \t")
    if base:
        parts.append(base + ";")
    for name, value in properties.items():
        if not _PROPERTY_NAME.match(name):
            raise exceptions.ProgrammingError(f"invalid connection property name {name!r}")
        if value is None:
            continue
        parts.append(f"{name}={quote_property_value(_format_property_value(name, value))};")
    text = "".join(parts)
    # Where, never what: the text may hold secrets.
    nul = text.find("\0")
    if nul >= 0:
        raise exceptions.InterfaceError(
            f"malformed connection string: a NUL character at character {nul + 1}"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise exceptions.InterfaceError(
            f"malformed connection string: it is not valid Unicode ({exc.reason} at character "
            f"{exc.start + 1})"
        ) from None
    return text


def connect(
    connection_string: str = "", *, progress: object = False, **properties: Any
) -> Connection:
    """PEP 249: "Constructor for creating a connection to the database. Returns a Connection
    Object."

    ``connection_string`` is ``Name=Value;...`` as in the reference product, for example
    ``"User=me;Password=secret;Url=https://example.cybozu.com"``; keyword arguments add
    properties (``connect(Url=..., User=..., Password=...)``) and may be combined with the
    string. ``progress`` sets :attr:`Connection.progress` (True, False or a callable; typed
    ``object`` so that ``connect(**properties)`` with a dict of strings still type-checks). The
    first call loads the native core; see ``cdata_kintone._native`` about fork(). Ctrl-C
    interrupts it (an OAuth browser authorization waits for the user).
    """
    conn_str = build_connection_string(connection_string, properties)
    setting = check_progress(progress)
    core = _native.load()
    # Go does not see changes to os.environ after it started: forward what the core reads.
    for name in _FORWARDED_ENV:
        _native.call(core.SetEnv, name, os.environ.get(name, ""))
    conn = Connection(Session.open(core, conn_str))
    conn.progress = setting
    return conn


class Connection:
    """A PEP 249 connection to kintone. Create it with :func:`connect`.

    kintone has no transactions: every statement takes effect when it runs, so
    :meth:`commit` and :meth:`rollback` do nothing.

    ``with connect(...) as conn:`` **closes** the connection when the block ends (as psycopg 3
    does; unlike ``sqlite3``, whose context manager ends a transaction and leaves the
    connection open, which would do nothing here).

    One connection may be used from several threads (threadsafety 2): every call into the
    core holds the connection's lock, so calls are serialized per connection. Cursors must not
    be shared between threads; :meth:`cancel` may be called from any thread.
    """

    # PEP 249 optional extension: "All exception classes defined by the DB API standard should
    # be exposed on the Connection objects as attributes".
    Warning = exceptions.Warning
    Error = exceptions.Error
    InterfaceError = exceptions.InterfaceError
    DatabaseError = exceptions.DatabaseError
    DataError = exceptions.DataError
    OperationalError = exceptions.OperationalError
    IntegrityError = exceptions.IntegrityError
    InternalError = exceptions.InternalError
    ProgrammingError = exceptions.ProgrammingError
    NotSupportedError = exceptions.NotSupportedError

    def __init__(self, session: Session) -> None:
        """Wrap an open core connection. Use :func:`connect` instead."""
        self._session = session
        self._closed = False
        self._cursors: weakref.WeakSet[Cursor] = weakref.WeakSet()
        self._masked = self._read_masked_connection_string()
        self._progress: ProgressSetting = False

    # --- attributes ------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def connection_string(self) -> str:
        """The connection string with every secret masked (safe to log)."""
        return self._masked

    def info(self) -> dict[str, Any]:
        """Facts about the connection from the core, e.g. ``{"connection_string": <masked>,
        "requests": <HTTP requests sent so far>}``."""
        self._check_open()
        return self._session.info()

    @property
    def request_count(self) -> int:
        """The number of HTTP requests this connection has sent to kintone."""
        return int(self.info().get("requests", 0))

    @property
    def requests_by_app(self) -> dict[int | None, int]:
        """The HTTP requests this connection has sent to kintone since it was opened, per app
        id (kintone limits requests per app per day); the key None counts those about no one
        app, such as listing the apps. Each statement's own are in
        :attr:`Cursor.kintone_requests`."""
        self._check_open()
        return self._session.requests_by_app()

    @property
    def progress(self) -> ProgressSetting:
        """Whether statements show their progress: False (the default); True, a ``tqdm`` bar
        of the records received or sent when the output is a terminal or a notebook (the
        ``progress`` extra; nothing otherwise), shown once a statement has run for half a
        second; or a callable told of every request a statement sends (a
        :class:`KintoneRequest`). Set it with ``connect(progress=...)`` or here."""
        return self._progress

    @progress.setter
    def progress(self, setting: object) -> None:
        self._progress = check_progress(setting)

    # --- PEP 249 methods -------------------------------------------------------------------

    def cursor(self) -> Cursor:
        """PEP 249: "Return a new Cursor Object using the connection." """
        self._check_open()
        cur = Cursor(self)
        self._cursors.add(cur)
        return cur

    def commit(self) -> None:
        """PEP 249: "Commit any pending transaction to the database." kintone has no
        transactions (and its tables are read-only in this version; TEMP tables change at
        once), so this does nothing (it raises :class:`ProgrammingError` on a closed
        connection)."""
        self._check_open()

    def rollback(self) -> None:
        """PEP 249: "In case a database does provide transactions this method causes the
        database to roll back to the start of any pending transaction." kintone has none:
        this does nothing and undoes nothing (it raises :class:`ProgrammingError` on a closed
        connection)."""
        self._check_open()

    def close(self) -> None:
        """PEP 249: "Close the connection now (rather than whenever .__del__() is called)."
        Closes every cursor and statement of the connection. Idempotent."""
        if self._closed:
            return
        with self._session.lock:
            if self._closed:
                return
            self._closed = True
            for cur in list(self._cursors):
                cur._detach()
            self._cursors = weakref.WeakSet()
            self._session.close()

    def cancel(self) -> None:
        """Cancel every statement running on this connection, from any thread: the
        ``execute()`` or fetch waiting for kintone raises :class:`OperationalError` (a
        :class:`StatementCancelled`) soon after. The connection stays usable."""
        self._check_open()
        self._session.cancel()

    # --- shortcuts -------------------------------------------------------------------------

    def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> Cursor:
        """Create a cursor, execute ``operation`` on it and return it (as ``sqlite3`` and the
        reference product do)."""
        return self.cursor().execute(operation, parameters)

    def executemany(self, operation: str, seq_of_parameters: Any) -> Cursor:
        """Create a cursor, call :meth:`Cursor.executemany` on it and return it."""
        return self.cursor().executemany(operation, seq_of_parameters)

    # --- Python protocols ------------------------------------------------------------------

    def __enter__(self) -> Connection:
        self._check_open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_closed", True):
            return
        try:  # noqa: SIM105 (not contextlib.suppress: at exit the module may be gone)
            self.close()
        except BaseException:  # finalizers must not raise; at exit anything may be gone
            pass

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<cdata_kintone.Connection {self._masked!r} {state}>"

    def __reduce__(self) -> Any:
        raise TypeError("cdata_kintone.Connection cannot be pickled; connect in each process")

    # --- internals -------------------------------------------------------------------------

    def _read_masked_connection_string(self) -> str:
        try:
            return str(self._session.info()["connection_string"])
        except (exceptions.Error, KeyError):
            return "<connection string unavailable>"

    def _check_open(self) -> None:
        if self._closed:
            raise exceptions.ProgrammingError("Cannot operate on a closed connection.")

    def _forget_cursor(self, cursor: Cursor) -> None:
        self._cursors.discard(cursor)


Connection.__module__ = "cdata_kintone"

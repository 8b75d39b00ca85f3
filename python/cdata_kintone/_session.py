"""One connection of the native core, as the connection and its cursors use it.

A :class:`Session` owns the core's connection handle and the lock that serializes calls on it,
and offers typed methods for the calls a connection and a cursor make. It is where the native
surface's two rules are followed:

- **Bounded calls.** Work that may take long (connecting, executing, fetching) is awaited in
  slices of :data:`SLICE_MS`: the core answers "not ready" when a slice ends and this module
  asks again. Python runs signal handlers only between native calls, so Ctrl-C raises
  ``KeyboardInterrupt`` within a slice; the statement (or the connection being opened) is then
  cancelled and released, and the connection stays usable. :meth:`Session.cancel` and
  :meth:`Session.cancel_statement` stop work from another thread.
- **Events are pulled.** Go never calls Python. Replies say how many events (warnings, log
  records) wait in the core; they are drained once the call is done and reported after the
  lock is released: warnings as :class:`~cdata_kintone.KintoneWarning`, log records to
  :mod:`logging` (the ``cdata_kintone`` logger and its children; the core records HTTP requests
  at DEBUG only when that level is enabled) and to the connection's ``Logfile``
  (:mod:`._logfile`). The replies about a statement also carry the HTTP requests it sent, handed
  to the caller's ``on_requests`` as they arrive (:mod:`._activity`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from . import _convert, _native
from ._activity import KintoneRequest, requests_from
from ._logfile import LogTarget, make_record
from ._surface import NativeCore
from ._warn import emit_warnings, logger
from .exceptions import InterfaceError

__all__ = ["SLICE_MS", "Executed", "Session"]

T = TypeVar("T")

#: Told of the requests a statement sent, from each reply that reports some.
OnRequests = Callable[[list[KintoneRequest]], None]


def _ignore_requests(requests: list[KintoneRequest]) -> None:
    """The default ``on_requests``: the caller does not keep them."""

#: How long one native call may wait for work before it returns to Python (milliseconds).
SLICE_MS = 200


class Executed(NamedTuple):
    """What an execution reports when it is done."""

    stmt: int | None  #: the statement handle, None when there is no result set (released)
    columns: list[dict[str, Any]] | None  #: the core's column descriptions
    rowcount: int
    inserted_ids: list[int]  #: the ids of the records inserted into kintone, in row order


def _load(text: str, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InterfaceError(
            f"malformed {what} reply from the kintone native core: {exc}"
        ) from None
    if not isinstance(doc, dict):
        raise InterfaceError(f"malformed {what} reply from the kintone native core: {text[:80]!r}")
    return doc


class Session:
    """A connection handle of the core, with its lock. Create it with :meth:`open`."""

    def __init__(self, core: NativeCore, handle: int) -> None:
        self.core = core
        self.handle = handle
        #: Serializes the calls on this connection (threads may share a connection).
        self.lock = threading.RLock()
        self.closed = False
        # Statements of cursors the garbage collector took; closed at the next call, since
        # finalizers must not call the core.
        self._orphans: list[int] = []
        self._log_level = logging.WARNING  # the level last asked of the core
        self._logfile: LogTarget | None = None  # the connection's Logfile, if it has one

    # --- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(cls, core: NativeCore, conn_str: str) -> Session:
        """Open a connection, in bounded slices (Ctrl-C stops an OAuth browser wait). The core
        records the log records Python's loggers want from the first request on."""
        level = logger.getEffectiveLevel()
        wanted = json.dumps({"log_level": level})
        reply = _load(_native.call(core.Connect, conn_str, wanted, SLICE_MS), "Connect")
        handle = int(reply["conn"])
        try:
            while not reply.get("ready"):
                reply = _load(_native.call(core.ConnWait, handle, SLICE_MS), "ConnWait")
        except KeyboardInterrupt:
            _native.call(core.ConnClose, handle)
            raise
        session = cls(core, handle)
        session._log_level = level
        try:
            session._logfile = LogTarget.open(session.info().get("logging"))
        except BaseException:
            session.close()
            raise
        session.report(session.drain())  # e.g. app list entries in an unexpected shape
        return session

    def close(self) -> None:
        """Close the connection and every statement on it. Idempotent."""
        with self.lock:
            if self.closed:
                return
            closing = self._closing_record()
            self.closed = True
            self._orphans.clear()
            if _native.usable():  # in a forked child the parent owns the core connection
                _native.call(self.core.ConnClose, self.handle)
            logfile, self._logfile = self._logfile, None
        if closing is not None:
            self._dispatch(closing, logfile)
        if logfile is not None:
            logfile.close()

    def _closing_record(self) -> logging.LogRecord | None:
        """The record of the connection being closed, when a logger or the Logfile wants it."""
        name = "cdata_kintone.connection"
        if not (logging.getLogger(name).isEnabledFor(logging.INFO) or self._logfile):
            return None
        if not _native.usable():
            return None
        info = _load(_native.call(self.core.ConnInfo, self.handle), "ConnInfo")
        url = str(info.get("connection_string", ""))
        return make_record(
            logging.INFO,
            name,
            f"closed the connection after {int(info.get('requests', 0))} requests ({url})",
            time.time(),
        )

    def check_open(self) -> None:
        if self.closed:
            raise InterfaceError("the connection is closed")

    # --- calls -----------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The core's facts about the connection (``ConnInfo``)."""
        with self.lock:
            self.check_open()
            return _load(self._call(self.core.ConnInfo, self.handle), "ConnInfo")

    def execute(
        self,
        sql: str,
        params: str,
        started: Callable[[int], None],
        on_requests: OnRequests = _ignore_requests,
    ) -> Executed:
        """Run one statement with JSON-encoded parameters. ``started`` is given the statement
        handle as soon as the core has it (so that another thread can cancel it);
        ``on_requests`` the HTTP requests it sends, as each reply reports them."""
        return self._execute(
            lambda: self.core.Execute(self.handle, sql, params, SLICE_MS), started, on_requests
        )

    def execute_many(
        self,
        sql: str,
        rows: str,
        started: Callable[[int], None],
        on_requests: OnRequests = _ignore_requests,
    ) -> Executed:
        """Run one statement once per parameter row (a JSON list of parameter lists)."""
        return self._execute(
            lambda: self.core.ExecuteMany(self.handle, sql, rows, SLICE_MS), started, on_requests
        )

    def _execute(
        self, start: Callable[[], str], started: Callable[[int], None], on_requests: OnRequests
    ) -> Executed:
        events: list[Any] = []
        try:
            with self.lock:
                self.check_open()
                events = self._follow_log_level()
                reply: dict[str, Any] | None = None
                try:
                    reply = _load(self._call(start), "Execute")
                    stmt = int(reply["stmt"])
                    started(stmt)
                    _report_requests(reply.get("requests"), on_requests)
                    reply = self._until_ready(
                        reply, stmt, self.core.StmtWait, "StmtWait", on_requests
                    )
                except BaseException:
                    reply = None
                    raise
                finally:
                    events += self.drain_if(reply)
            columns = reply.get("description")
            if columns is not None and not isinstance(columns, list):
                raise InterfaceError("malformed column description from the kintone native core")
            ids = reply.get("inserted_ids") or []
            return Executed(
                None if columns is None else stmt,
                columns,
                int(reply.get("rowcount", -1)),
                [int(i) for i in ids],
            )
        finally:
            self.report(events)

    def fetch(
        self, stmt: int, n: int, on_requests: OnRequests = _ignore_requests
    ) -> _convert.Batch:
        """Up to ``n`` rows of a statement (decoded, not yet converted); once ``done`` the
        core has released the statement. ``on_requests`` is given the HTTP requests the
        statement sent meanwhile."""
        events: list[Any] = []
        try:
            with self.lock:
                self.check_open()
                events = self._follow_log_level()
                batch: _convert.Batch | None = None
                try:
                    first = self._call(self.core.StmtFetch, stmt, n, SLICE_MS)
                    batch = _convert.decode_fetch(first)
                    _report_requests(batch.requests, on_requests)
                    try:
                        while not batch.ready:
                            batch = _convert.decode_fetch(
                                _native.call(self.core.StmtFetch, stmt, n, SLICE_MS)
                            )
                            _report_requests(batch.requests, on_requests)
                    except KeyboardInterrupt:
                        self._release(stmt)
                        raise
                except BaseException:
                    batch = None
                    raise
                finally:
                    events += self.drain_if(batch)
                return batch
        finally:
            self.report(events)

    def _until_ready(
        self,
        reply: dict[str, Any],
        stmt: int,
        again: Callable[[int, int], str],
        what: str,
        on_requests: OnRequests,
    ) -> dict[str, Any]:
        try:
            while not reply.get("ready"):
                reply = _load(_native.call(again, stmt, SLICE_MS), what)
                _report_requests(reply.get("requests"), on_requests)
        except KeyboardInterrupt:
            self._release(stmt)
            raise
        return reply

    def _release(self, stmt: int) -> None:
        """Cancel and release a statement after Ctrl-C (the core does not wait for it)."""
        with contextlib.suppress(Exception):
            _native.call(self.core.StmtClose, stmt)

    def close_statement(self, stmt: int) -> None:
        """Release a statement (the caller may hold the lock)."""
        with self.lock:
            if not self.closed:
                self._call(self.core.StmtClose, stmt)

    def orphan(self, stmt: int) -> None:
        """Hand over the statement of a collected cursor, closed at the next call. Safe in a
        finalizer: it does not call the core."""
        if not self.closed:
            self._orphans.append(stmt)

    def cancel_statement(self, stmt: int) -> None:
        """Cancel a running statement; any thread may call this (it takes no lock)."""
        if not self.closed and _native.usable():
            _native.call(self.core.StmtCancel, stmt)

    def cancel(self) -> None:
        """Cancel every statement running on the connection; any thread may call this."""
        if not self.closed and _native.usable():
            _native.call(self.core.ConnCancel, self.handle)

    # --- events ----------------------------------------------------------------------------

    def _follow_log_level(self) -> list[Any]:
        """Before a call: when the level Python's loggers want changed since the core was last
        told, tell it (draining what waits), so that the call is recorded at the new level."""
        if logger.getEffectiveLevel() != self._log_level:
            return self.drain()
        return []

    def drain_if(self, reply: dict[str, Any] | _convert.Batch | None) -> list[Any]:
        """Drain the events when the reply says some wait, when the wanted log level changed,
        or after an error (reply None: what the core recorded before it failed)."""
        if reply is None:
            waiting = 1
        elif isinstance(reply, _convert.Batch):
            waiting = reply.events
        else:
            waiting = int(reply.get("events", 0) or 0)
        if waiting or logger.getEffectiveLevel() != self._log_level:
            return self.drain()
        return []

    def drain(self) -> list[Any]:
        """Take the waiting events from the core (the caller holds the lock or owns the
        session), telling it which log level is wanted from now on (the core adds what the
        Logfile gets)."""
        if self.closed:
            return []
        level = logger.getEffectiveLevel()
        wanted = ""
        if level != self._log_level:
            wanted = json.dumps({"log_level": level})
        doc = _load(_native.call(self.core.ConnDrain, self.handle, wanted), "ConnDrain")
        self._log_level = level
        out: list[Any] = [str(w) for w in doc.get("warnings") or []]
        out.extend(r for r in doc.get("logs") or [] if isinstance(r, dict))
        return out

    def report(self, events: list[Any]) -> None:
        """Report drained events: log records to :mod:`logging` and the Logfile, then the
        warnings (to the Logfile too)."""
        texts = []
        logfile = self._logfile
        for ev in events:
            if isinstance(ev, str):
                texts.append(ev)
                if logfile is not None:
                    logfile.handle(make_record(logging.WARNING, logger.name, ev, None))
                continue
            level = logging.getLevelName(str(ev.get("level", "INFO")))
            if not isinstance(level, int):
                level = logging.INFO
            created = ev.get("time")
            record = make_record(
                level,
                str(ev.get("logger") or logger.name),
                str(ev.get("message", "")),
                float(created) if isinstance(created, (int, float)) else None,
            )
            self._dispatch(record, logfile)
        emit_warnings(texts)

    @staticmethod
    def _dispatch(record: logging.LogRecord, logfile: LogTarget | None) -> None:
        """Hand a record to its logger, when it is enabled for it, and to the Logfile."""
        target = logging.getLogger(record.name)
        if target.isEnabledFor(record.levelno):
            target.handle(record)
        if logfile is not None:
            logfile.handle(record)

    def requests_by_app(self) -> dict[int | None, int]:
        """The HTTP requests sent since the connection was opened, per app (None: requests
        about no one app, such as listing the apps)."""
        counts = self.info().get("requests_by_app") or {}
        return {(int(app) or None): int(n) for app, n in counts.items()}

    # --- internals -------------------------------------------------------------------------

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Call the core; the caller holds the lock."""
        while self._orphans:
            try:
                _native.call(self.core.StmtClose, self._orphans.pop())
            except IndexError:  # another thread's finalizer raced us to it
                break
            except Exception:  # a statement that cannot be closed is gone already
                pass
        return _native.call(fn, *args)


def _report_requests(items: Any, on_requests: OnRequests) -> None:
    """Hand the requests a reply carries (if any) to ``on_requests``."""
    if items:
        on_requests(requests_from(items))

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
  records, progress) wait in the core; they are drained once the call is done and reported
  after the lock is released: warnings as :class:`~cdata_kintone.KintoneWarning`, log records
  to :mod:`logging` (the ``cdata_kintone`` logger and its children; the core records HTTP
  requests at DEBUG only when that level is enabled).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from . import _convert, _native
from ._surface import NativeCore
from ._warn import emit_warnings, logger
from .exceptions import InterfaceError

__all__ = ["SLICE_MS", "Executed", "Session"]

T = TypeVar("T")

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
        self._log_level = logging.WARNING  # what the core records (its default)

    # --- opening and closing ---------------------------------------------------------------

    @classmethod
    def open(cls, core: NativeCore, conn_str: str) -> Session:
        """Open a connection, in bounded slices (Ctrl-C stops an OAuth browser wait)."""
        reply = _load(_native.call(core.Connect, conn_str, SLICE_MS), "Connect")
        handle = int(reply["conn"])
        try:
            while not reply.get("ready"):
                reply = _load(_native.call(core.ConnWait, handle, SLICE_MS), "ConnWait")
        except KeyboardInterrupt:
            _native.call(core.ConnClose, handle)
            raise
        session = cls(core, handle)
        session.report(session.drain())  # e.g. app list entries in an unexpected shape
        return session

    def close(self) -> None:
        """Close the connection and every statement on it. Idempotent."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            self._orphans.clear()
            if _native.usable():  # in a forked child the parent owns the core connection
                _native.call(self.core.ConnClose, self.handle)

    def check_open(self) -> None:
        if self.closed:
            raise InterfaceError("the connection is closed")

    # --- calls -----------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """The core's facts about the connection (``ConnInfo``)."""
        with self.lock:
            self.check_open()
            return _load(self._call(self.core.ConnInfo, self.handle), "ConnInfo")

    def execute(self, sql: str, params: str, started: Callable[[int], None]) -> Executed:
        """Run one statement with JSON-encoded parameters. ``started`` is given the statement
        handle as soon as the core has it (so that another thread can cancel it)."""
        return self._execute(lambda: self.core.Execute(self.handle, sql, params, SLICE_MS), started)

    def execute_many(self, sql: str, rows: str, started: Callable[[int], None]) -> Executed:
        """Run one statement once per parameter row (a JSON list of parameter lists)."""
        return self._execute(
            lambda: self.core.ExecuteMany(self.handle, sql, rows, SLICE_MS), started
        )

    def _execute(self, start: Callable[[], str], started: Callable[[int], None]) -> Executed:
        events: list[Any] = []
        try:
            with self.lock:
                self.check_open()
                events = self.level_changed()
                reply: dict[str, Any] | None = None
                try:
                    reply = _load(self._call(start), "Execute")
                    stmt = int(reply["stmt"])
                    started(stmt)
                    reply = self._until_ready(reply, stmt, self.core.StmtWait, "StmtWait")
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

    def fetch(self, stmt: int, n: int) -> _convert.Batch:
        """Up to ``n`` rows of a statement (decoded, not yet converted); once ``done`` the
        core has released the statement."""
        events: list[Any] = []
        try:
            with self.lock:
                self.check_open()
                events = self.level_changed()
                batch: _convert.Batch | None = None
                try:
                    first = self._call(self.core.StmtFetch, stmt, n, SLICE_MS)
                    batch = _convert.decode_fetch(first)
                    try:
                        while not batch.ready:
                            batch = _convert.decode_fetch(
                                _native.call(self.core.StmtFetch, stmt, n, SLICE_MS)
                            )
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
        self, reply: dict[str, Any], stmt: int, again: Callable[[int, int], str], what: str
    ) -> dict[str, Any]:
        try:
            while not reply.get("ready"):
                reply = _load(_native.call(again, stmt, SLICE_MS), what)
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

    def level_changed(self) -> list[Any]:
        """Before a call: when the wanted log level changed, tell the core (and take what
        waits), so that the call's own HTTP requests are recorded at the new level."""
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
        session), telling it which log level is wanted from now on."""
        if self.closed:
            return []
        level = logger.getEffectiveLevel()
        wanted = ""
        if level != self._log_level:
            wanted = json.dumps({"log_level": level, "progress": False})
        doc = _load(_native.call(self.core.ConnDrain, self.handle, wanted), "ConnDrain")
        self._log_level = level
        out: list[Any] = [str(w) for w in doc.get("warnings") or []]
        out.extend(r for r in doc.get("logs") or [] if isinstance(r, dict))
        return out

    @staticmethod
    def report(events: list[Any]) -> None:
        """Report drained events: log records to :mod:`logging`, then the warnings."""
        texts = []
        for ev in events:
            if isinstance(ev, str):
                texts.append(ev)
                continue
            level = logging.getLevelName(str(ev.get("level", "INFO")))
            if not isinstance(level, int):
                level = logging.INFO
            target = logging.getLogger(str(ev.get("logger") or "cdata_kintone"))
            if target.isEnabledFor(level):
                record = target.makeRecord(
                    target.name, level, "(kintone core)", 0, str(ev.get("message", "")), (), None
                )
                created = ev.get("time")
                if isinstance(created, (int, float)):
                    record.created = float(created)
                    record.msecs = (record.created - int(record.created)) * 1000
                target.handle(record)
        emit_warnings(texts)

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

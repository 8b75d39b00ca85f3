"""The log records of the core as :mod:`logging` records, and the ``Logfile`` property.

The core makes the records (what they may hold is set by the connection's ``Verbosity``);
:class:`~cdata_kintone._session.Session` drains them and hands each to its logger (a child of
``cdata_kintone``) and, when the connection has a ``Logfile``, to that file: a
:class:`logging.handlers.RotatingFileHandler` shared by the connections that name the same
file, created readable by its owner only, rotated at ``MaxLogFileSize``. The file gets the
records of its connection whatever the levels of Python's loggers, filtered by its own level
(INFO at Verbosity 1, DEBUG from 2 on) and ``LogModules``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import threading
from typing import Any

from .exceptions import InterfaceError

__all__ = ["LogTarget", "make_record"]

#: Rotated files kept beside the Logfile: Logfile.1 (newest) to Logfile.4.
BACKUP_COUNT = 4

_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)s %(name)s: %(message)s"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def make_record(level: int, name: str, message: str, created: float | None) -> logging.LogRecord:
    """A record of the logger ``name``, made at ``created`` (seconds since the epoch, the
    core's clock) or now."""
    record = logging.getLogger(name).makeRecord(
        name, level, "(kintone core)", 0, message, (), None
    )
    if created is not None:
        record.created = created
        record.msecs = (created - int(created)) * 1000
    return record


class _OwnerOnlyRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created with mode 0600 (the records may hold
    record data from Verbosity 3 on)."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


class _SharedHandlers:
    """The open Logfile handlers by absolute path, with the number of connections using each:
    two handlers rotating one file would lose records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, tuple[logging.Handler, int]] = {}

    def acquire(self, path: str, max_bytes: int) -> logging.Handler:
        with self._lock:
            handler, users = self._open.get(path, (None, 0))
            if handler is None:
                try:
                    handler = _OwnerOnlyRotatingFileHandler(
                        path, maxBytes=max_bytes, backupCount=BACKUP_COUNT, encoding="utf-8"
                    )
                except OSError as exc:
                    raise InterfaceError(
                        f"cannot open the Logfile {path}: {exc.strerror or exc}"
                    ) from None
                handler.setFormatter(logging.Formatter(_FORMAT, _DATE_FORMAT))
            self._open[path] = (handler, users + 1)
            return handler

    def release(self, path: str) -> None:
        with self._lock:
            handler, users = self._open.pop(path, (None, 0))
            if handler is None:
                return
            if users > 1:
                self._open[path] = (handler, users - 1)
            else:
                handler.close()


_handlers = _SharedHandlers()


class LogTarget:
    """The Logfile of one connection: which of its records go there, and the file's handler.
    Create it with :meth:`open` from the ``logging`` part of ``ConnInfo``."""

    def __init__(self, path: str, handler: logging.Handler, level: int, loggers: set[str] | None):
        self.path = path
        self._handler = handler
        self.level = level
        self._loggers = loggers  # None: every logger

    @classmethod
    def open(cls, settings: Any) -> LogTarget | None:
        """The target the settings describe, None without a Logfile."""
        if not isinstance(settings, dict) or not settings.get("file"):
            return None
        path = os.path.abspath(os.path.expanduser(str(settings["file"])))
        handler = _handlers.acquire(path, int(settings.get("max_file_size") or 0))
        modules = settings.get("modules")
        loggers = None if not modules else {f"cdata_kintone.{m}" for m in modules}
        return cls(path, handler, int(settings.get("level") or logging.INFO), loggers)

    def accepts(self, record: logging.LogRecord) -> bool:
        """Whether the record goes to the file: of its level or above, and of one of the
        LogModules unless it is a WARNING or worse."""
        if record.levelno < self.level:
            return False
        return (
            self._loggers is None
            or record.levelno >= logging.WARNING
            or record.name in self._loggers
        )

    def handle(self, record: logging.LogRecord) -> None:
        if self.accepts(record):
            self._handler.handle(record)

    def close(self) -> None:
        """Stop writing; the file is closed when no connection uses it any more."""
        _handlers.release(self.path)

"""The functions of the native core (the module gopy generates from pybind/pybind.go), typed.

Generated from pybind/pybind.go by `go test ./pybind -run TestSurface -update`: do not edit.
Each docstring is the contract stated in pybind.go; JSON results are described there.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["FUNCTIONS", "NativeCore"]

#: The names of the native functions.
FUNCTIONS = (
    "Version",
    "Connect",
    "ConnWait",
    "ConnClose",
    "ConnCancel",
    "ConnInfo",
    "ConnDrain",
    "Execute",
    "ExecuteMany",
    "StmtWait",
    "StmtFetch",
    "StmtCancel",
    "StmtClose",
    "SimStart",
    "SimInfo",
    "SimRequests",
    "SimCollectGarbage",
    "SimResetRequests",
    "SimStop",
    "SimAdvance",
    "SimAddFault",
    "SimClearFaults",
    "SimStats",
    "SimOAuth",
    "SetEnv",
    "ErrorKinds",
)


class NativeCore(Protocol):
    """The native core module (cdata_kintone._core.core) as the Python side calls it."""

    def Version(self) -> str:
        """Version returns the version of the Go core."""
        ...

    def Connect(self, conn_str: str, wanted: str, wait_ms: int, /) -> str:
        """Connect starts opening a connection described by a connection string (parse,
        validate, check the credentials with one request; with OAuth, possibly the browser
        authorization) and waits at most waitMs for it. wanted selects the events recorded
        from the first request on, as ConnDrain's does ("" = the default). Returns JSON
        ``{"conn": handle, "ready": bool}``; the handle can be used once ready (see
        ConnWait)."""
        ...

    def ConnWait(self, h: int, wait_ms: int, /) -> str:
        """ConnWait waits at most waitMs for a connection Connect started. Returns JSON
        ``{"conn": handle, "ready": bool}``, or the error that stopped the opening (the
        handle is then gone)."""
        ...

    def ConnClose(self, h: int, /) -> bool:
        """ConnClose closes a connection and every statement open on it (or stops opening it).
        Work still running is cancelled and released when it stops; ConnClose does not wait
        for it."""
        ...

    def ConnCancel(self, h: int, /) -> bool:
        """ConnCancel cancels every statement running on a connection, from any thread (see
        StmtCancel), or the opening of a connection Connect started."""
        ...

    def ConnInfo(self, h: int, /) -> str:
        """ConnInfo returns JSON ``{"connection_string": masked, "requests": HTTP requests so
        far, "requests_by_app": {"app id": requests, ...} ("0": those that concern no one
        app), "auth_scheme": name, "logging": {"file", "verbosity", "max_file_size",
        "modules", "level"}}`` (the Logfile, Verbosity, MaxLogFileSize in bytes, LogModules
        as logger names or null for all, and the lowest level the Logfile gets: with a
        Logfile the core records from that level on, whatever Connect and ConnDrain asked)."""
        ...

    def ConnDrain(self, h: int, wanted: str, /) -> str:
        """ConnDrain sets which events the connection records from now on (wanted: JSON
        ``{"log_level": Python level number}``, "" = keep the current choice; the default
        records WARNING and above) and returns, and forgets, those waiting: JSON
        ``{"warnings": [text], "logs": [{"level", "logger", "message", "time"}]}``. Warnings
        are metadata kintone sent in a shape the driver went past (Python raises them as
        KintoneWarning); logs go to Python's logging module, what they hold set by the
        connection's Verbosity. Replies of Execute, StmtWait and StmtFetch carry "events":
        how many are waiting, so Python drains only when there are some."""
        ...

    def Execute(self, h: int, sql: str, params: str, wait_ms: int, /) -> str:
        """Execute starts one SQL statement, a stored procedure call ``EXECUTE Name Param =
        value, ...``, or ``EXPLAIN KINTONE query`` (what the query would send to kintone,
        without sending it), with params (a JSON list, see Value encoding) and waits at most
        waitMs for it. Returns JSON ``{"stmt": handle, "ready": bool, "events": n}``, and
        once ready also ``"description"`` (null for a statement without a result set, which
        is then already released; else a list of ``{"name", "decltype", "type_code"}``),
        ``"rowcount"`` (rows changed by DML, -1 when not known) and, after INSERTs into
        kintone tables, ``"inserted_ids"`` (the new record ids, in row order). A reply (of
        StmtWait and StmtFetch too) carries ``"requests"`` when the statement sent HTTP
        requests since its last reply: a list of ``{"method", "path", "app", "query",
        "fields", "records", "status", "ms"}`` (and ``"error"`` for a failed attempt). An
        error of the execution releases the statement; a failed write's error carries details
        (see Errors in README.md)."""
        ...

    def ExecuteMany(self, h: int, sql: str, rows: str, wait_ms: int, /) -> str:
        """ExecuteMany starts one statement once per parameter row (rows: a JSON list of
        parameter lists) in order, stopping at the first error, and waits at most waitMs. The
        writes of all rows to kintone are sent together at the end, as bulkRequests. The
        reply is Execute's, with the rows changed summed (-1 if any count is unknown). A
        statement that returns rows is refused (ProgrammingError)."""
        ...

    def StmtWait(self, s: int, wait_ms: int, /) -> str:
        """StmtWait waits at most waitMs for the execution Execute or ExecuteMany started; the
        reply is Execute's."""
        ...

    def StmtFetch(self, s: int, n: int, wait_ms: int, /) -> str:
        """StmtFetch reads up to n rows, waiting at most waitMs. Returns JSON ``{"rows": count,
        "columns": [[values of column 1], ...], "shapes": [shape of column 1, ...], "done":
        bool, "ready": bool, "events": n}``: the batch column by column, with what every
        non-NULL value of each column is (see Value encoding); when not ready, there are no
        columns and the same fetch goes on (call again). Once done the statement is released.
        While Python converts a batch of a query of kintone tables the next one is read, with
        this call's n, and handed over by the next call."""
        ...

    def StmtCancel(self, s: int, /) -> bool:
        """StmtCancel cancels a statement from any thread: its execution or fetch stops with an
        OperationalError of kind "cancelled" as soon as it next waits for kintone."""
        ...

    def StmtClose(self, s: int, /) -> bool:
        """StmtClose releases a statement (a running one is cancelled first)."""
        ...

    def SimStart(self, fixture: str, options: str, /) -> int:
        """SimStart starts the kintone simulator on a free loopback port and returns its handle.
        Both arguments are JSON, "" for defaults: the fixture (or "@path" of a JSON file) and
        the options."""
        ...

    def SimInfo(self, h: int, /) -> str:
        """SimInfo returns JSON ``{"url", "user", "password", "apps": [...], ...}`` of a
        simulator."""
        ...

    def SimRequests(self, h: int, /) -> str:
        """SimRequests returns a simulator's request log as JSON, oldest first."""
        ...

    def SimCollectGarbage(self, h: int, /) -> bool:
        """SimCollectGarbage runs a full collection of the process's Go heap (the simulator's
        and the connections': one Go runtime); benchmarks call it between measured runs."""
        ...

    def SimResetRequests(self, h: int, /) -> bool:
        """SimResetRequests clears a simulator's request log."""
        ...

    def SimStop(self, h: int, /) -> bool:
        """SimStop stops a simulator and deletes the test certificates, private keys included,
        that it generated for TLS."""
        ...

    def SimAdvance(self, h: int, seconds: float, /) -> bool:
        """SimAdvance moves the clock of a simulator started with the "clock" option forward by
        seconds."""
        ...

    def SimAddFault(self, h: int, rule: str, /) -> bool:
        """SimAddFault adds a fault rule (JSON, see the simulator's fault documentation) to a
        simulator."""
        ...

    def SimClearFaults(self, h: int, /) -> bool:
        """SimClearFaults removes a simulator's fault rules."""
        ...

    def SimStats(self, h: int, /) -> str:
        """SimStats returns a simulator's counters as JSON."""
        ...

    def SimOAuth(self, h: int, request: str, /) -> str:
        """SimOAuth runs an OAuth test helper of a simulator (JSON request and answer): ``{"op":
        "issue", "clientId", "user", "scopes"}`` returns the token answer; ``{"op": "revoke",
        "token"}`` returns ``{"known"}``; ``{"op": "revokeGrants", "clientId", "user"}``
        returns ``{"revoked"}``."""
        ...

    def SetEnv(self, name: str, value: str, /) -> bool:
        """SetEnv sets ("" unsets) a CDATA_KINTONE_* environment variable for the core, which
        does not see later changes to Python's os.environ; connect() forwards
        CDATA_KINTONE_BROWSER this way."""
        ...

    def ErrorKinds(self) -> str:
        """ErrorKinds returns, as JSON, every way an error reaches Python (each kind, each
        kintone code) with the class, code and kind sent and a sample wire text, to test
        exceptions.py against."""
        ...

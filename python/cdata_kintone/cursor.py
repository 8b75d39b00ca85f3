"""The PEP 249 cursor."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import _columnar, _convert
from ._activity import KintoneRequest, Progress
from ._session import Executed
from .exceptions import InterfaceError, ProgrammingError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .connection import Connection

__all__ = ["Cursor", "Row", "Description"]

_IDENTIFIER = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")

Row = tuple[Any, ...]
#: PEP 249: "a sequence of 7-item sequences": name, type_code, display_size, internal_size,
#: precision, scale, null_ok.
Description = tuple[tuple[str, str, None, None, None, None, None], ...]



def _check_operation(operation: object) -> None:
    """Refuses SQL text the core cannot be given: not a str, holding a NUL character (which
    ends text on the way to the core), or not valid Unicode (lone surrogates)."""
    if not isinstance(operation, str):
        raise ProgrammingError(f"the SQL statement must be a str, not {type(operation).__name__}")
    nul = operation.find("\0")
    if nul >= 0:
        raise ProgrammingError(
            f"the SQL text holds a NUL character at position {nul}; pass text that holds one "
            "as a parameter"
        )
    try:
        operation.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ProgrammingError(
            f"the SQL text is not valid Unicode ({exc.reason} at position {exc.start})"
        ) from None

class Cursor:
    """A PEP 249 cursor: "These objects represent a database cursor, which is used to manage
    the context of a fetch operation."

    Create it with :meth:`Connection.cursor`. Several cursors may be open on one connection at
    once, each with its own result set. Rows are fetched from the core in batches of
    :attr:`fetch_batch_size` (independent of :attr:`arraysize`) and buffered here.

    Cursors are not safe to share between threads (PEP 249 threadsafety 2: threads may share
    the connection, each using its own cursors).
    """

    #: Rows requested from the core per call.
    fetch_batch_size: int = 500

    def __init__(self, connection: Connection) -> None:
        self._connection: Connection | None = connection
        self._session = connection._session
        self._closed = False
        self._stmt: int | None = None  # open statement handle in the core
        self._running: int | None = None  # the statement being executed, for cancel()
        self._executing = False  # an execute() is under way (cancel() may come before _running)
        self._cancel_pending = False  # cancel() came before the statement's handle
        self._cancel_lock = threading.Lock()
        self._inserted: list[int] = []  # ids of the records the last execution inserted
        self._requests: list[KintoneRequest] = []  # what the last statement sent to kintone
        self._progress: Progress | None = None  # the progress shown of the statement, if any
        self._description: Description | None = None
        self._converters: list[tuple[int, _convert.Conversion]] = []
        self._decltypes: tuple[str | None, ...] = ()  # the result columns' declared types
        self._rowcount = -1
        self._rows: list[Row] = []  # buffered rows
        self._pos = 0  # next row to return from self._rows
        self._rownumber: int | None = None
        self._done = True  # no more rows to fetch from the core
        #: PEP 249: "This read/write attribute specifies the number of rows to fetch at a time
        #: with .fetchmany(). It defaults to 1 meaning to fetch a single row at a time."
        self.arraysize: int = 1

    # --- attributes ------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """PEP 249 extension: "the database connection object that created the cursor"."""
        if self._connection is None:
            raise ProgrammingError("Cannot operate on a closed cursor.")
        return self._connection

    @property
    def description(self) -> Description | None:
        """PEP 249: a sequence of 7-item sequences describing the result columns: ``name``,
        ``type_code`` (``"STRING"``, ``"NUMBER"``, ``"DATETIME"``, ``"BINARY"`` or ``"ROWID"``,
        equal to the module's type objects), then ``display_size``, ``internal_size``,
        ``precision``, ``scale``, ``null_ok``, which are all None. None when the last
        operation returned no rows or nothing was executed yet."""
        return self._description

    @property
    def rowcount(self) -> int:
        """PEP 249: "the number of rows that the last .execute*() produced (for DQL statements
        like SELECT) or affected (for DML statements like UPDATE or INSERT)". -1 for SELECT
        (rows are streamed, so the count is not known in advance) and when not known."""
        return self._rowcount

    @property
    def rownumber(self) -> int | None:
        """PEP 249 extension: "the current 0-based index of the cursor in the result set or
        None if the index cannot be determined"."""
        return self._rownumber

    @property
    def lastrowid(self) -> int | None:
        """PEP 249 extension: the ``Id`` kintone gave the record after an INSERT of one row
        into a kintone table; None otherwise (several rows: see :attr:`inserted_ids`; TEMP
        tables do not report SQLite's row id)."""
        return self._inserted[0] if len(self._inserted) == 1 else None

    @property
    def inserted_ids(self) -> list[int]:
        """The ``Id`` of every record the last ``execute()`` or ``executemany()`` inserted
        into a kintone table, in row (or parameter) order; empty when it inserted none."""
        return list(self._inserted)

    @property
    def kintone_requests(self) -> list[KintoneRequest]:
        """The HTTP requests the last ``execute()`` or ``executemany()`` sent to kintone so far,
        oldest first: reading app definitions, the pages of records read (with the kintone query
        and the records received), the writes (with the records sent). Reading the rows of a
        SELECT may send more, added as they are sent. kintone counts requests per app per day;
        see also :attr:`Connection.requests_by_app`."""
        return list(self._requests)

    @property
    def closed(self) -> bool:
        """True once the cursor or its connection is closed."""
        return self._closed or self._connection is None or self._connection.closed

    # --- PEP 249 methods -------------------------------------------------------------------

    def execute(self, operation: str, parameters: Sequence[Any] | None = None) -> Cursor:
        """PEP 249: "Prepare and execute a database operation (query or command)."

        ``parameters`` is a sequence of values for the ``?`` placeholders (paramstyle
        ``qmark``). Executing again discards the previous result set. kintone tables are
        read-only in this version (statements that change them are refused); TEMP tables of
        the connection may be changed. Returns the cursor itself, so
        ``cur.execute(...).fetchall()`` works. Ctrl-C, :meth:`cancel` and
        :meth:`Connection.cancel` stop it.
        """
        self._check_open()
        self._reset()
        _check_operation(operation)
        params = _convert.encode_parameters(parameters)
        self._progress = Progress.start(self.connection.progress)
        self._run(
            lambda: self._session.execute(operation, params, self._started, self._took_requests)
        )
        return self

    def explain(self, operation: str, parameters: Sequence[Any] | None = None) -> Cursor:
        """Execute ``EXPLAIN KINTONE`` of a query without running it: a row per step of
        SQLite's plan and, for each scan of a kintone table, the kintone query its first request
        would send (``kintone_query``), the conditions, LIMIT and OFFSET sent (``sent``) and
        the conditions only the driver checks (``local``). No record is read (the tables'
        definitions may be). Returns the cursor: ``cur.explain(sql).fetchall()``."""
        if not isinstance(operation, str):
            raise ProgrammingError(
                f"the SQL statement must be a str, not {type(operation).__name__}"
            )
        return self.execute("EXPLAIN KINTONE " + operation, parameters)

    def executemany(
        self, operation: str, seq_of_parameters: Iterable[Sequence[Any]]
    ) -> Cursor:
        """PEP 249: "Prepare a database operation (query or command) and then execute it
        against all parameter sequences or mappings found in the sequence seq_of_parameters."

        All parameter sequences go to the core in one call, which executes the statement once
        per sequence, in order, stopping at the first error; the executions before it have
        taken effect. :attr:`rowcount` is the sum of the rows changed (-1 if any count is
        unknown). A statement that returns rows raises :class:`ProgrammingError`.
        """
        self._check_open()
        _check_operation(operation)
        if isinstance(seq_of_parameters, (str, bytes)):
            raise ProgrammingError("seq_of_parameters must be a sequence of parameter sequences")
        self._reset()
        rows, count = _convert.encode_parameter_rows(seq_of_parameters)
        self._progress = Progress.start(self.connection.progress, total=count)
        self._run(
            lambda: self._session.execute_many(
                operation, rows, self._started, self._took_requests
            )
        )
        return self

    def _run(self, execution: Callable[[], Executed]) -> None:
        """Run an execution of the core and take over what it reports; cancel() may stop it
        from another thread meanwhile."""
        self._begin()
        try:
            self._take(execution())
        except BaseException:
            self._end_progress()
            raise
        finally:
            self._end()

    def cancel(self) -> None:
        """Cancel the statement this cursor is running or reading, from any thread: the call
        waiting for kintone raises :class:`OperationalError` (a :class:`StatementCancelled`)
        soon after. Does nothing when no statement is open."""
        with self._cancel_lock:
            stmt = self._running or self._stmt
            if stmt is None and self._executing:
                # The core has not answered with the statement's handle yet: cancel it as
                # soon as it does.
                self._cancel_pending = True
                return
        if stmt is not None and not self.closed:
            self._session.cancel_statement(stmt)

    def _begin(self) -> None:
        with self._cancel_lock:
            self._executing, self._cancel_pending = True, False

    def _end(self) -> None:
        with self._cancel_lock:
            self._executing, self._running, self._cancel_pending = False, None, False

    def _started(self, stmt: int) -> None:
        with self._cancel_lock:  # cancel() reads these on another thread
            self._running = stmt
            pending = self._cancel_pending
        if pending:
            self._session.cancel_statement(stmt)

    def _took_requests(self, requests: list[KintoneRequest]) -> None:
        """Keep the requests a reply reported, and show them as progress."""
        self._requests.extend(requests)
        if self._progress is not None:
            self._progress.update(requests)

    def _end_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress = None

    def fetchone(self) -> Row | None:
        """PEP 249: "Fetch the next row of a query result set, returning a single sequence, or
        None when no more data is available." Rows are tuples."""
        if self._pos >= len(self._rows):
            self._check_result()
            while True:
                if self._done:
                    return None
                if self._fill(self.fetch_batch_size):
                    break
        row = self._rows[self._pos]
        self._pos += 1
        self._rownumber += 1  # type: ignore[operator]
        return row

    def fetchmany(self, size: int | None = None) -> list[Row]:
        """PEP 249: "Fetch the next set of rows of a query result, returning a sequence of
        sequences (e.g. a list of tuples). An empty sequence is returned when no more rows are
        available." ``size`` defaults to :attr:`arraysize`."""
        self._check_result()
        n = self.arraysize if size is None else size
        out: list[Row] = []
        while len(out) < n:
            available = len(self._rows) - self._pos
            if available <= 0:
                if self._done:
                    break
                self._fill(self.fetch_batch_size)
                continue
            take = min(available, n - len(out))
            out.extend(self._rows[self._pos : self._pos + take])
            self._pos += take
        self._rownumber += len(out)  # type: ignore[operator]
        return out

    def fetchall(self) -> list[Row]:
        """PEP 249: "Fetch all (remaining) rows of a query result, returning them as a sequence
        of sequences (e.g. a list of tuples)." """
        self._check_result()
        out = self._rows[self._pos :] if self._pos else self._rows
        self._rows = []
        self._pos = 0
        while not self._done:
            self._fill(self.fetch_batch_size)
            out.extend(self._rows)
            self._rows = []
        self._rownumber += len(out)  # type: ignore[operator]
        return out

    def close(self) -> None:
        """PEP 249: "Close the cursor now (rather than whenever __del__ is called)." Idempotent;
        afterwards every operation raises :class:`ProgrammingError`."""
        if self._closed:
            return
        conn = self._connection
        if conn is not None and self._stmt is not None and not conn.closed:
            self._close_stmt(quiet=True)
        self._stmt = None
        self._closed = True
        self._end_progress()
        self._description = None
        self._rows = []
        self._pos = 0
        self._rownumber = None
        self._done = True
        if conn is not None:
            conn._forget_cursor(self)

    def callproc(
        self, procname: str, parameters: Mapping[str, Any] | Sequence[Any] | None = None
    ) -> Any:
        """PEP 249: "Call a stored database procedure with the given name."

        ``parameters`` is a mapping of parameter names (case-insensitive) to values, or a
        sequence of values in the procedure's declared order; ``None`` values count as not
        given. This runs ``EXECUTE procname Name = ?, ...`` (values are always sent as
        parameters, never pasted into the text). As PEP 249 says, it returns the input
        parameters unchanged (there are no output parameters); the procedure's result set is
        read with the fetch methods, e.g. ``cur.callproc("GetOAuthAuthorizationURL",
        {"CallbackURL": url}); cur.fetchone()[0]``.
        """
        if not isinstance(procname, str) or not _IDENTIFIER.match(procname):
            raise ProgrammingError(
                f"callproc(): the procedure name must be an identifier such as "
                f"GetOAuthAuthorizationURL, not {procname!r}"
            )
        values: list[Any] = []
        if parameters is None:
            sql = f"EXECUTE {procname}"
        elif isinstance(parameters, Mapping):
            parts = []
            for name, value in parameters.items():
                if not isinstance(name, str) or not _IDENTIFIER.match(name):
                    raise ProgrammingError(
                        f"callproc(): parameter names must be identifiers, not {name!r}"
                    )
                parts.append(f"{name} = ?")
                values.append(value)
            sql = f"EXECUTE {procname} " + ", ".join(parts) if parts else f"EXECUTE {procname}"
        elif isinstance(parameters, (str, bytes)):
            raise ProgrammingError(
                "callproc(): parameters must be a mapping of names to values or a sequence of "
                "values, not a string"
            )
        else:
            values = list(parameters)
            sql = f"EXECUTE {procname} " + ", ".join("?" for _ in values)
        self.execute(sql.rstrip(), values)
        return parameters

    def nextset(self) -> None:
        """PEP 249 optional: there is never more than one result set, so this returns None."""
        self._check_open()
        return None

    def setinputsizes(self, sizes: Any) -> None:
        """PEP 249: "Implementations are free to have this method do nothing". It does."""

    def setoutputsize(self, size: Any, column: int | None = None) -> None:
        """PEP 249: "Implementations are free to have this method do nothing". It does."""

    # --- Python protocols ------------------------------------------------------------------

    def __iter__(self) -> Iterator[Row]:
        """PEP 249 extension: the cursor is its own iterator."""
        return self

    def __next__(self) -> Row:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Never call the core from a finalizer: hand the statement to the connection, which
        # closes it at its next call.
        stmt = getattr(self, "_stmt", None)
        session = getattr(self, "_session", None)
        if stmt is not None and session is not None:
            session.orphan(stmt)

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<cdata_kintone.Cursor {state} at {id(self):#x}>"

    # --- internals -------------------------------------------------------------------------

    def _check_open(self) -> Connection:
        conn = self._connection
        if self._closed or conn is None:
            raise ProgrammingError("Cannot operate on a closed cursor.")
        if conn.closed:
            raise ProgrammingError("Cannot operate on a closed connection.")
        return conn

    def _check_result(self) -> None:
        self._check_open()
        if self._description is None:
            raise ProgrammingError(
                "no result set: the last execute() did not return rows, or nothing was executed"
            )

    def _reset(self) -> None:
        if self._stmt is not None:
            conn = self._connection
            if conn is not None and not conn.closed:
                self._close_stmt(quiet=True)
            self._stmt = None
        self._description = None
        self._converters = []
        self._decltypes = ()
        self._rowcount = -1
        self._inserted = []
        self._requests = []
        self._end_progress()
        self._rows = []
        self._pos = 0
        self._rownumber = None
        self._done = True

    def _detach(self) -> None:
        """The connection was closed (and with it every statement in the core)."""
        self._stmt = None
        self._end_progress()
        self._description = None
        self._converters = []
        self._decltypes = ()
        self._rows = []
        self._pos = 0
        self._rownumber = None
        self._done = True

    def _take(self, done: Executed) -> None:
        """Take over what an execution reported."""
        self._rowcount = done.rowcount
        self._inserted = done.inserted_ids
        if done.columns is not None:
            self._stmt = done.stmt
            self._set_columns(done.columns)
        else:
            self._end_progress()

    def _set_columns(self, columns: Any) -> None:
        try:
            self._description = tuple(
                (str(c["name"]), str(c["type_code"]), None, None, None, None, None)
                for c in columns
            )
            self._decltypes = tuple(c.get("decltype") or None for c in columns)
            self._converters = _convert.converters_for(self._decltypes)
        except (TypeError, KeyError, AttributeError) as exc:
            self._reset()
            raise InterfaceError(
                f"malformed column description from the kintone native core: {exc}"
            ) from None
        self._rownumber = 0
        self._done = False

    def _fill(self, n: int) -> bool:
        """Fetch up to n rows from the core into the buffer; False when there are none."""
        batch = self._fetch_batch(n)
        if batch is None:
            return False
        self._rows = _convert.batch_rows(batch, self._converters)
        self._pos = 0
        return bool(self._rows)

    def _fetch_batch(self, n: int) -> _convert.Batch | None:
        """Fetch up to n rows from the core as the core sends them (not converted); None when
        the statement is done."""
        self._check_open()
        stmt = self._stmt
        if stmt is None:
            self._done = True
            return None
        try:
            batch = self._session.fetch(stmt, n, self._took_requests)
        except BaseException:
            # The core released the statement after its error; make sure of it otherwise.
            self._close_stmt(quiet=True)
            self._done = True
            self._end_progress()
            raise
        if batch.done:
            self._stmt = None  # the core released it
            self._done = True
            self._end_progress()
        return batch

    def _close_stmt(self, quiet: bool = False) -> None:
        stmt = self._stmt
        if stmt is None:
            return
        self._stmt = None
        try:
            self._session.close_statement(stmt)
        except Exception:
            if not quiet:
                raise

    # --- columnar results (pyarrow and pandas, optional) -----------------------------------

    def fetch_arrow_batches(self, batch_size: int | None = None) -> Iterator[pa.RecordBatch]:
        """The remaining rows as ``pyarrow.RecordBatch`` objects of up to ``batch_size`` rows
        (default :attr:`fetch_batch_size`), read from kintone as they are consumed.

        Columns of kintone tables have the same Arrow type in every batch (``Id`` ``int64``,
        NUMBER ``decimal128(38, 10)``, DATETIME ``timestamp[us, tz=UTC]``, …; the README's
        "pandas and Arrow" section has the table); a value that does not fit is a
        :class:`DataError`, never rounded. Needs the ``arrow`` extra (pyarrow)."""
        names, decltypes = self._columnar_result()
        return _columnar.record_batches(names, decltypes, self._column_batches(batch_size))

    def fetch_arrow_table(self) -> pa.Table:
        """The remaining rows as one ``pyarrow.Table`` (see :meth:`fetch_arrow_batches`; an
        expression's column type is unified over all batches). Needs the ``arrow`` extra."""
        names, decltypes = self._columnar_result()
        batches = _columnar.record_batches(names, decltypes, self._column_batches(None))
        return _columnar.arrow_table(names, decltypes, batches)

    def fetch_pandas_batches(self, batch_size: int | None = None) -> Iterator[pd.DataFrame]:
        """The remaining rows as ``pandas.DataFrame`` objects of up to ``batch_size`` rows,
        with the dtypes of :meth:`fetch_pandas_all`. Needs the ``pandas`` extra."""
        _columnar.require("pandas", "fetch_pandas_batches()")
        return (_columnar.to_pandas(b) for b in self.fetch_arrow_batches(batch_size))

    def fetch_pandas_all(self) -> pd.DataFrame:
        """The remaining rows as one ``pandas.DataFrame``: ``Id``, ``Revision`` and other
        integers ``Int64`` (nullable), NUMBER columns exact decimals (``ArrowDtype`` of
        ``decimal128(38, 10)``), DATETIME ``datetime64[us, UTC]``, DATE and TIME Arrow-backed
        dates and times, text pandas' string dtype. Needs the ``pandas`` extra (pandas and
        pyarrow)."""
        _columnar.require("pandas", "fetch_pandas_all()")
        return _columnar.to_pandas(self.fetch_arrow_table())

    def _columnar_result(self) -> tuple[list[str], tuple[str | None, ...]]:
        """The result's column names and declared types, once pyarrow is known to be there
        (so that a missing extra is reported before any row is read)."""
        _columnar.require("pyarrow", "Arrow and pandas results")
        self._check_result()
        assert self._description is not None
        return [d[0] for d in self._description], self._decltypes

    def _column_batches(self, batch_size: int | None) -> Iterator[_columnar.Columns]:
        """The remaining rows in batches of up to ``batch_size`` (checked at once, not at the
        first batch), column by column: the rows fetched already, converted, then the
        batches as the core sends them, with their shapes, for :mod:`_columnar` to convert."""
        size = self.fetch_batch_size if batch_size is None else batch_size
        if size < 1:
            raise ProgrammingError(f"batch_size must be at least 1, not {size}")
        self._check_result()
        return self._column_batches_of(size)

    def _column_batches_of(self, size: int) -> Iterator[_columnar.Columns]:
        while self._pos < len(self._rows):
            rows = self.fetchmany(size)
            yield _columnar.Columns([list(c) for c in zip(*rows, strict=True)], None)
        self._rows, self._pos = [], 0
        while not self._done:
            batch = self._fetch_batch(size)
            if batch is None or not batch.columns or not batch.columns[0]:
                continue
            self._rownumber += len(batch.columns[0])  # type: ignore[operator]
            yield _columnar.Columns(batch.columns, batch.shapes)


Cursor.__module__ = "cdata_kintone"

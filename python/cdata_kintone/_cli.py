"""The command line's data commands (``query``, ``export``, ``tables``, ``columns``) and its
output formats; ``__main__`` parses the arguments.

Exit codes, as users of psql and the duckdb CLI expect: 0 success; 1 the statement failed or
the output could not be written; 2 a usage error, no connection string, or the connection
failed; 130 interrupted (Ctrl-C). Errors go to stderr as ``cdata-kintone: error: <class>:
<message>``; the connection string is never printed (the driver's messages mask secrets).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import datetime as _dt
import decimal
import json
import math
import os
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import _columnar
from .connection import Connection, connect
from .cursor import Cursor
from .exceptions import Error, ProgrammingError

__all__ = [
    "CONNECTION_ENV",
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
    "UsageError",
    "display_width",
    "truncate",
    "format_cell",
    "format_table",
    "add_connection_options",
    "run_data_command",
]

#: The environment variable the data commands read the connection string from.
CONNECTION_ENV = "CDATA_KINTONE_CONNECTION"

EXIT_OK = 0
EXIT_FAILED = 1  #: the statement failed, or the output could not be written
EXIT_USAGE = 2  #: bad arguments, no connection string, or the connection failed
EXIT_INTERRUPTED = 130  #: Ctrl-C (128 + SIGINT), as shells report it

MAX_CELL_WIDTH = 40
#: Rows read per batch when writing CSV, JSON lines or Parquet.
EXPORT_BATCH_ROWS = 2000


class UsageError(Exception):
    """A command line the commands cannot run (exit code 2)."""


# --- text tables ---------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and fullwidth characters take
    two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` display columns, ending with an ellipsis if cut."""
    if display_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = display_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def format_cell(value: Any) -> str:
    """A value as one line of text in a table: ``NULL``, ``<n bytes>``, ISO dates."""
    if value is None:
        return "NULL"
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    text = str(value)
    return " ".join(text.split()) if ("\n" in text or "\t" in text or "\r" in text) else text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render rows as an aligned text table; numbers are right-aligned."""
    cells = [[truncate(format_cell(v), MAX_CELL_WIDTH) for v in row] for row in rows]
    heads = [truncate(str(h), MAX_CELL_WIDTH) for h in headers]
    widths = [display_width(h) for h in heads]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    right = [
        bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows)
        for i in range(len(heads))
    ]

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - display_width(v))
            parts.append(pad + v if right[i] else v + pad)
        return "| " + " | ".join(parts) + " |"

    rule = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    out = [rule, line(heads), rule]
    out.extend(line(row) for row in cells)
    out.append(rule)
    return "\n".join(out)


# --- CSV and JSON lines --------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as CSV text: exact decimals, ISO-8601 dates and times, bytes in base64; NULL is
    the empty field."""
    if value is None:
        return ""
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _json_value(value: Any) -> str:
    """A value as JSON: a Decimal as the number it is (every digit), dates and times as ISO-8601
    strings, bytes as base64."""
    if isinstance(value, decimal.Decimal):
        return format(value, "f") if value.is_finite() else "null"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"  # JSON has no NaN or infinity
    if isinstance(value, (_dt.date, _dt.time, bytes, bytearray)):
        return json.dumps(_text(value))
    return json.dumps(value, ensure_ascii=False)


def _write_csv(out: TextIO, headers: Sequence[str], batches: Iterator[list[Any]]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    n = 0
    for rows in batches:
        writer.writerows([_text(v) for v in row] for row in rows)
        n += len(rows)
    return n


def _write_jsonl(out: TextIO, headers: Sequence[str], batches: Iterator[list[Any]]) -> int:
    keys = [json.dumps(h, ensure_ascii=False) + ":" for h in headers]
    n = 0
    for rows in batches:
        out.writelines(
            "{" + ",".join(k + _json_value(v) for k, v in zip(keys, row, strict=True)) + "}\n"
            for row in rows
        )
        n += len(rows)
    return n


_TEXT_WRITERS: dict[str, Callable[[TextIO, Sequence[str], Iterator[list[Any]]], int]] = {
    "csv": _write_csv,
    "jsonl": _write_jsonl,
}


def _row_batches(cur: Cursor) -> Iterator[list[Any]]:
    while rows := cur.fetchmany(EXPORT_BATCH_ROWS):
        yield rows


# --- connection ----------------------------------------------------------------------------


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    """The options that say where the connection string comes from."""
    group = parser.add_argument_group(
        "connection",
        f"The connection string (User=…;Password=…;Url=…) comes from --connection, "
        f"--connection-file or the environment variable {CONNECTION_ENV}, in that order. "
        f"It is never printed; prefer the file or the variable: other users of the machine "
        f"can see a command line.",
    )
    source = group.add_mutually_exclusive_group()
    source.add_argument("--connection", "-c", metavar="STRING", help="the connection string")
    source.add_argument(
        "--connection-file", metavar="FILE", help="a file holding the connection string"
    )


def connection_string(args: argparse.Namespace) -> str:
    """The connection string the options or the environment give."""
    if args.connection:
        return str(args.connection)
    if args.connection_file:
        try:
            text = Path(args.connection_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read the connection file {args.connection_file}: {exc.strerror}"
            ) from None
        return " ".join(line.strip() for line in text.splitlines() if line.strip())
    env = os.environ.get(CONNECTION_ENV, "").strip()
    if env:
        return env
    raise UsageError(
        f"no connection string: give --connection or --connection-file, or set {CONNECTION_ENV}"
    )


# --- commands ------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rows(n: int) -> str:
    return f"{n} row{'' if n == 1 else 's'}"


def _print_result(cur: Cursor, fmt: str, out: TextIO) -> None:
    """Print a result set (or, in a table, how many rows a statement changed)."""
    if cur.description is None:
        if fmt == "table":
            print(f"({_rows(cur.rowcount)} changed)" if cur.rowcount >= 0 else "(done)", file=out)
        return
    headers = [d[0] for d in cur.description]
    if fmt == "table":
        _print_rows(headers, cur.fetchall(), fmt, out)
    else:
        _TEXT_WRITERS[fmt](out, headers, _row_batches(cur))


def _print_rows(headers: Sequence[str], rows: list[Any], fmt: str, out: TextIO) -> None:
    if fmt == "table":
        print(format_table(headers, rows), file=out)
        print(f"({_rows(len(rows))})", file=out)
    else:
        _TEXT_WRITERS[fmt](out, headers, iter([rows]))


def _run_query(conn: Connection, args: argparse.Namespace, out: TextIO) -> int:
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    _print_result(conn.execute(sql), args.format, out)
    return EXIT_OK


def _run_tables(conn: Connection, args: argparse.Namespace, out: TextIO) -> int:
    cur = conn.execute(
        "SELECT TableName, AppId, AppCode, ParentTable, Description FROM sys_tables "
        "ORDER BY AppId, TableName"
    )
    _print_result(cur, args.format, out)
    return EXIT_OK


def _run_columns(conn: Connection, args: argparse.Namespace, out: TextIO) -> int:
    cur = conn.execute(
        "SELECT ColumnName, DataTypeName, IsKey, FieldCode, FieldType, Label "
        "FROM sys_tablecolumns WHERE TableName = ? ORDER BY Ordinal",
        [args.table],
    )
    rows = cur.fetchall()
    if not rows:
        raise ProgrammingError(
            f"no table named {args.table!r} (the tables command lists them; names are matched "
            "exactly here)"
        )
    _print_rows([d[0] for d in cur.description or ()], rows, args.format, out)
    return EXIT_OK


def _run_export(conn: Connection, args: argparse.Namespace, out: TextIO) -> int:
    cur = conn.execute(f"SELECT * FROM {_quote(args.table)}")
    headers = [d[0] for d in cur.description or ()]
    if args.output == "-":
        n = _TEXT_WRITERS[args.format](out, headers, _row_batches(cur))
    else:
        n = _write_file(Path(args.output), args.format, cur, headers)
    print(f"{_rows(n)} written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _write_file(path: Path, fmt: str, cur: Cursor, headers: Sequence[str]) -> int:
    """Write the rows to ``path`` whole or not at all: into a temporary file beside it, renamed
    over it at the end (an error or Ctrl-C leaves no partial file)."""
    if fmt == "parquet":
        _columnar.require("pyarrow", "export --format parquet")
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OSError(f"cannot write {path}: {exc.strerror}") from None
    try:
        if fmt == "parquet":
            os.close(fd)
            n = _write_parquet(tmp, cur)
        else:
            with open(fd, "w", encoding="utf-8", newline="") as f:
                n = _TEXT_WRITERS[fmt](f, headers, _row_batches(cur))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return n


def _write_parquet(path: str, cur: Cursor) -> int:
    """Write the rows as Parquet, one row group per batch, the Arrow types of
    :meth:`Cursor.fetch_arrow_batches`."""
    pa = _columnar.require("pyarrow", "export --format parquet")
    pq = _columnar.require("pyarrow.parquet", "export --format parquet")
    writer = None
    n = 0
    try:
        for batch in cur.fetch_arrow_batches(EXPORT_BATCH_ROWS):
            if writer is None:
                writer = pq.ParquetWriter(path, batch.schema)
            writer.write_batch(batch)
            n += batch.num_rows
        if writer is None:  # no rows: the columns with their types
            pq.write_table(cur.fetch_arrow_table(), path)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise Error(f"cannot write Parquet: {exc}") from None
    finally:
        if writer is not None:
            writer.close()
    return n


_COMMANDS: dict[str, Callable[[Connection, argparse.Namespace, TextIO], int]] = {
    "query": _run_query,
    "tables": _run_tables,
    "columns": _run_columns,
    "export": _run_export,
}


def _error(message: str) -> None:
    print(f"cdata-kintone: error: {message}", file=sys.stderr)


def run_data_command(args: argparse.Namespace, out: TextIO) -> int:
    """Connect and run one data command; returns the exit code (errors go to stderr)."""
    try:
        try:
            conn = connect(connection_string(args))
        except Error as exc:
            _error(f"cannot connect: {type(exc).__name__}: {exc}")
            return EXIT_USAGE
        with conn:
            return _COMMANDS[args.command](conn, args, out)
    except UsageError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except Error as exc:
        _error(f"{type(exc).__name__}: {exc}")
        return EXIT_FAILED
    except (ImportError, OSError) as exc:
        _error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED

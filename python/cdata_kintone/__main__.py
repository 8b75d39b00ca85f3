"""The command line: ``python -m cdata_kintone`` or ``cdata-kintone``.

``query``, ``export``, ``tables`` and ``columns`` work on kintone (``_cli``); ``demo`` runs sample
queries against the simulator and ``simulator`` serves one. ``COMMAND --help`` describes each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from . import connect
from ._cli import (
    CONNECTION_ENV,
    EXIT_FAILED,
    EXIT_USAGE,
    add_connection_options,
    display_width,
    format_table,
    run_data_command,
    truncate,
)
from .exceptions import Error

__all__ = ["main", "display_width", "format_table", "truncate"]

#: (title, SQL, parameters) run by the demo, in order.
DEMO_QUERIES: list[tuple[str, str, list[Any]]] = [
    (
        "Tables: every app is a table, every subtable a child table",
        "SELECT TableName, AppId, ParentTable FROM sys_tables ORDER BY AppId, TableName",
        [],
    ),
    (
        "Deals won, biggest first (the filter runs in kintone, the order in SQL)",
        "SELECT [Id], [Deal name], [Customer], [Amount], [Close date] FROM [Deals] "
        "WHERE [Stage] = ? ORDER BY [Amount] DESC LIMIT 8",
        ["Won"],
    ),
    (
        "Best-selling products over every order line (12,000 orders, read past kintone's "
        "10,000-offset limit)",
        "SELECT [商品] AS Product, COUNT(*) AS Lines, SUM([数量]) AS Quantity, "
        "SUM([小計]) AS Revenue FROM [受注明細 Orders_明細] "
        "GROUP BY 1 ORDER BY Revenue DESC LIMIT 8",
        [],
    ),
    (
        "Customers by industry (a Japanese app, joined with Deals)",
        "SELECT c.[業種] AS Industry, COUNT(DISTINCT c.[Id]) AS Customers, COUNT(d.[Id]) AS Deals, "
        "SUM(d.[Amount]) AS Pipeline FROM [顧客リスト] c LEFT JOIN [Deals] d "
        "ON d.[Customer] = c.[会社名] GROUP BY 1 ORDER BY Pipeline DESC",
        [],
    ),
    (
        "The latest orders (ORDER BY Id DESC LIMIT is sent to kintone as is)",
        "SELECT [Id], [受注番号], [顧客名], [受注日], [ステータス], [合計] "
        "FROM [受注明細 Orders] ORDER BY [Id] DESC LIMIT 5",
        [],
    ),
]


# --- commands ------------------------------------------------------------------------------


def run_demo(out: TextIO, order_records: int | None = None) -> int:
    from .testing import Simulator

    print("Starting the kintone simulator with the sample data...", file=out)
    with Simulator(order_records=order_records) as sim:
        print(f"Simulator at {sim.url}", file=out)
        with connect(sim.connection_string) as conn:
            failures = 0
            for title, sql, params in DEMO_QUERIES:
                print(f"\n-- {title}\n{sql}", file=out)
                if params:
                    print(f"-- parameters: {params!r}", file=out)
                started = time.perf_counter()
                try:
                    cur = conn.execute(sql, params)
                    rows = cur.fetchall()
                except Error as exc:
                    failures += 1
                    print(f"(failed: {type(exc).__name__}: {exc})", file=out)
                    if sql.startswith("SELECT * FROM sys_tables"):
                        apps = sim.apps
                        print(
                            format_table(
                                ["id", "code", "name"],
                                [(a.get("id"), a.get("code"), a.get("name")) for a in apps],
                            ),
                            file=out,
                        )
                    continue
                elapsed = time.perf_counter() - started
                headers = [d[0] for d in cur.description or ()]
                print(format_table(headers, rows), file=out)
                print(f"({len(rows)} rows, {elapsed * 1000:.0f} ms)", file=out)
        print(f"\nThe simulator received {len(sim.requests())} HTTP requests.", file=out)
    return 1 if failures == len(DEMO_QUERIES) else 0


def run_simulator(args: argparse.Namespace, out: TextIO) -> int:
    from .testing import Simulator

    with Simulator(
        args.fixture,
        port=args.port,
        latency=args.latency,
        order_records=args.order_records,
        time_zone=args.time_zone,
    ) as sim:
        # SIGTERM stops it from before the launcher can know it runs (it reads what is printed).
        previous = _stop_on_sigterm()
        try:
            if args.print_json:
                # One line of JSON for launchers: url, user, password, apps with their API tokens.
                info = json.dumps(sim.info, ensure_ascii=False, sort_keys=True)
                print(info, file=out, flush=True)
            else:
                print(f"kintone simulator running at {sim.url}", file=out)
                print(f"connection string:   {sim.connection_string}", file=out)
                with contextlib.suppress(ValueError, KeyError):
                    print(f"API-token string:    {sim.token_connection_string()}", file=out)
                print("Press Ctrl-C to stop.", file=out, flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            if not args.print_json:
                print("\nstopping", file=out)
        finally:
            _restore_sigterm(previous)
    return 0


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> Any:
    """Make SIGTERM stop the simulator as Ctrl-C does (launchers send SIGTERM: a background job
    of a non-interactive shell ignores SIGINT). Returns the previous handler, or None off the
    main thread, where no handler can be set."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_interrupt)


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _program_name() -> str:
    """``cdata-kintone`` as the console script, ``python -m cdata_kintone`` otherwise."""
    argv0 = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "cdata-kintone" if argv0.startswith("cdata-kintone") else "python -m cdata_kintone"


_FORMATS = ("table", "csv", "jsonl")


def _add_data_commands(sub: Any) -> None:
    epilog = (
        f"Exit status: 0 success, 1 the statement failed or the output could not be written, "
        f"2 a usage error or no connection, 130 interrupted. The connection string comes from "
        f"--connection, --connection-file or {CONNECTION_ENV}."
    )

    def command(
        name: str, help: str, description: str, *, output: bool = True
    ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, help=help, description=description, epilog=epilog
        )
        add_connection_options(parser)
        if output:
            parser.add_argument(
                "--format", "-f", choices=_FORMATS, default="table",
                help="table (default), csv (a header line, NULL as an empty field) or jsonl "
                     "(one JSON object per row)",
            )
        return parser

    query = command(
        "query",
        "run one SQL statement and print its result",
        "Run one SQL statement (SQLite's SQL over the kintone tables) and print the rows it "
        "returns, or how many rows it changed.",
    )
    query.add_argument("sql", metavar="SQL", help="the statement; - reads it from stdin")
    export = command(
        "export",
        "write a whole table to a CSV, JSON lines or Parquet file",
        "Write every row of a table to a file, streaming (constant memory). The file is "
        "written whole or not at all: an error leaves no partial file.",
        output=False,
    )
    export.add_argument("table", metavar="TABLE", help="the table (tables lists them)")
    export.add_argument("--format", "-f", choices=("csv", "jsonl", "parquet"), required=True,
                        help="csv, jsonl, or parquet (needs pyarrow: the arrow extra)")
    export.add_argument("--output", "-o", required=True, metavar="FILE",
                        help="the file to write; - writes CSV or JSON lines to stdout")
    command("tables", "list the tables", "List the tables: kintone apps, their child tables "
            "(one per SUBTABLE field) and the driver's own tables.")
    columns = command("columns", "list the columns of a table",
                      "List the columns of a table with their SQL types and kintone fields.")
    columns.add_argument("table", metavar="TABLE", help="the table (tables lists them)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="SQL over kintone: query and export kintone apps, list tables and "
                    "columns, run a demo or a local kintone simulator.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_data_commands(sub)
    demo = sub.add_parser("demo", help="run sample queries against the simulator and print them")
    demo.add_argument("--order-records", type=int, default=None, metavar="N",
                      help="number of records in the sample Orders app")
    sim = sub.add_parser("simulator", help="run a kintone simulator until Ctrl-C")
    sim.add_argument("--fixture", metavar="FILE", default=None,
                     help="JSON file with apps and records (default: the sample data)")
    sim.add_argument("--port", type=int, default=None, metavar="N",
                     help="loopback port to listen on (default: a free one)")
    sim.add_argument("--latency", type=float, default=None, metavar="SECONDS",
                     help="extra delay per HTTP request")
    sim.add_argument("--order-records", type=int, default=None, metavar="N",
                     help="number of records in the sample Orders app")
    sim.add_argument("--time-zone", default=None, metavar="ZONE",
                     help="time zone of the simulated domain, e.g. Asia/Tokyo")
    sim.add_argument("--print-json", action="store_true",
                     help="print one line of JSON (url, user, password, apps and their API "
                          "tokens) instead of the banner, for scripts; with --port 0 the port "
                          "is a free one")
    args = parser.parse_args(argv)
    if args.command == "export" and args.format == "parquet" and args.output == "-":
        parser.error("export: Parquet is written to a file, not stdout: give --output FILE")
    out = sys.stdout
    try:
        if args.command == "demo":
            return run_demo(out, args.order_records)
        if args.command == "simulator":
            return run_simulator(args, out)
        if args.command is not None:
            return run_data_command(args, out)
    except Error as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python from complaining when
        # it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    parser.print_help()
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())

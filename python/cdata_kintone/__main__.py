"""Command line: ``python -m cdata_kintone demo`` and ``python -m cdata_kintone simulator``."""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import decimal
import json
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from . import connect
from .exceptions import Error

MAX_CELL_WIDTH = 40

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
        if args.print_json:
            # One line of JSON for launchers: url, user, password, apps with their API tokens.
            print(json.dumps(sim.info, ensure_ascii=False, sort_keys=True), file=out, flush=True)
        else:
            print(f"kintone simulator running at {sim.url}", file=out)
            print(f"connection string:   {sim.connection_string}", file=out)
            with contextlib.suppress(ValueError, KeyError):
                print(f"API-token string:    {sim.token_connection_string()}", file=out)
            print("Press Ctrl-C to stop.", file=out, flush=True)
        previous = _stop_on_sigterm()
        try:
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cdata_kintone",
        description="kintone SQL connector: a demo and a local kintone simulator.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    out = sys.stdout
    try:
        if args.command == "demo":
            return run_demo(out, args.order_records)
        if args.command == "simulator":
            return run_simulator(args, out)
    except Error as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""Read throughput against the built-in simulator: prints a table.

    python benchmarks/scan.py [--orders N] [--latency SECONDS]

Each row is one query run on a fresh connection (so nothing is cached), timed from execute()
to the last row, with the number of HTTP requests the simulator saw.
"""

from __future__ import annotations

import argparse
import resource
import time

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

QUERIES = [
    ("full scan, 1 column", "SELECT Id FROM [受注明細 Orders]"),
    ("full scan, all columns", "SELECT * FROM [受注明細 Orders]"),
    ("child table scan", "SELECT * FROM [受注明細 Orders_明細]"),
    ("aggregate", "SELECT [ステータス], COUNT(*), SUM([合計]) FROM [受注明細 Orders] GROUP BY 1"),
    ("pushed Id range", "SELECT * FROM [受注明細 Orders] WHERE Id BETWEEN 5000 AND 5999"),
    ("ORDER BY Id DESC LIMIT 10", "SELECT * FROM [受注明細 Orders] ORDER BY Id DESC LIMIT 10"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--orders", type=int, default=12000)
    ap.add_argument(
        "--latency", type=float, default=0.0, help="simulated latency per request, seconds"
    )
    args = ap.parse_args()
    with Simulator(order_records=args.orders, latency=args.latency) as sim:
        latency_ms = args.latency * 1000
        print(f"orders app: {args.orders} records; latency {latency_ms:.0f} ms per request\n")
        print(f"| {'query':<28} | {'rows':>7} | {'seconds':>8} | {'rows/s':>9} | {'requests':>8} |")
        print(f"|{'-' * 30}|{'-' * 9}|{'-' * 10}|{'-' * 11}|{'-' * 10}|")
        for name, sql in QUERIES:
            with mod.connect(sim.connection_string) as conn:
                # Both apps' schemas are read first: the time and requests below are the query's.
                conn.execute(
                    "SELECT 1 FROM [受注明細 Orders], [受注明細 Orders_明細] LIMIT 1"
                ).fetchall()
                sim.reset_requests()
                start = time.perf_counter()
                n = len(conn.execute(sql).fetchall())
                took = time.perf_counter() - start
                reqs = len(sim.requests())
            print(f"| {name:<28} | {n:>7} | {took:>8.3f} | {n / took:>9.0f} | {reqs:>8} |")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak RSS of this process (simulator included): {rss:.0f} MiB")


if __name__ == "__main__":
    main()

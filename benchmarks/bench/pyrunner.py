"""The Python contenders, one run per process (``bench.contenders`` starts them)::

    python -m bench.pyrunner MODE --url URL --user U --password P --app ID [--props P] [--rows FILE]

Modes, on the sample data:

- ``select-all``: this driver, ``SELECT *``, ``fetchall()`` into tuples;
- ``select-id``: this driver, ``SELECT Id``, ``fetchall()``;
- ``fetchmany``: this driver, ``SELECT *`` streamed with ``fetchmany(10_000)``, rows dropped;
- ``arrow`` / ``pandas``: this driver, ``SELECT *`` with ``cursor.fetch_arrow_table()`` /
  ``cursor.fetch_pandas_all()`` (reported unavailable while the cursor has no such method);
- ``count``: this driver, ``SELECT COUNT(*)``;
- ``insert``: this driver, ``executemany`` of one INSERT into the Deals app per row of the JSON
  file ``--rows`` (written by the harness: ``[{field code: value}]``, read before the clock
  starts); with ``--warm`` the connection is opened, and the table's definition read (by a
  ``SELECT`` of one record: the app list, the form and one page), before the clock starts, as in
  a program that has used its connection before;
- ``pyntone``: pyntone's ``record.get_all_records(app)`` (it pages by record id, one request
  after the other, and calls itself once per page: the recursion limit is raised for it).

Prints one line of JSON: ``{"seconds": from connecting (or creating the client) to the last
row, "rows": rows read, inserted or counted}``, or ``{"unavailable": why}``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from typing import Any

#: The apps as the driver names them: the Orders app is read, the Deals app written; the
#: columns the write contenders set (kintone field code → the driver's column, the field's label).
ORDERS_TABLE = "[受注明細 Orders]"
DEALS_TABLE = "[Deals]"
WRITE_COLUMNS = {
    "deal_name": "Deal name",
    "stage": "Stage",
    "amount": "Amount",
    "probability": "Probability",
    "close_date": "Close date",
}

#: fetchmany's batch in the streaming mode.
STREAM_BATCH = 10_000


class Unavailable(Exception):
    """The contender cannot run here (a method or package is missing)."""


def _connect(args: argparse.Namespace) -> Any:
    import cdata_kintone

    conn_str = f"Url={args.url};User={args.user};Password={args.password}"
    if args.props:
        conn_str += ";" + args.props
    return cdata_kintone.connect(conn_str)


def _driver_fetch(sql: str, fetch: Callable[[Any], int]) -> Callable[[argparse.Namespace], int]:
    """A mode that runs ``sql`` on this driver and reads its rows with ``fetch``."""

    def run(args: argparse.Namespace) -> int:
        with _connect(args) as conn:
            cur = conn.cursor()
            cur.execute(sql)
            return fetch(cur)

    return run


def _fetchall(cur: Any) -> int:
    return len(cur.fetchall())


def _stream(cur: Any) -> int:
    n = 0
    while batch := cur.fetchmany(STREAM_BATCH):
        n += len(batch)
    return n


def _fetch_method(name: str, package: str, size: Callable[[Any], int]) -> Callable[[Any], int]:
    """Fetch with the cursor's method ``name``, which needs ``package``."""

    def fetch(cur: Any) -> int:
        method = getattr(cur, name, None)
        if method is None:
            raise Unavailable(f"the cursor has no {name}()")
        if importlib.util.find_spec(package) is None:
            raise Unavailable(f"{package} is not installed")
        return size(method())

    return fetch


def _count(cur: Any) -> int:
    return int(cur.fetchone()[0])


def _insert(args: argparse.Namespace, rows: list[dict[str, Any]]) -> tuple[float, int]:
    """Insert ``rows``; the seconds from connecting (with ``--warm``: from after reading the
    table's definition) to the end of the executemany, and the rows inserted."""
    codes = list(rows[0])
    columns = ", ".join(f"[{WRITE_COLUMNS[c]}]" for c in codes)
    sql = f"INSERT INTO {DEALS_TABLE} ({columns}) VALUES ({', '.join('?' * len(codes))})"
    params = [[row[c] for c in codes] for row in rows]
    started = time.perf_counter()
    with _connect(args) as conn:
        cur = conn.cursor()
        if args.warm:
            cur.execute(f"SELECT * FROM {DEALS_TABLE} LIMIT 1")
            cur.fetchall()
            started = time.perf_counter()
        cur.executemany(sql, params)
        return time.perf_counter() - started, int(cur.rowcount)


def _pyntone(args: argparse.Namespace) -> int:
    try:
        pyntone = importlib.import_module("pyntone")
    except ImportError:
        raise Unavailable("pyntone is not installed (pip install -r "
                          "benchmarks/requirements.txt)") from None
    client = pyntone.KintoneRestAPIClient(
        base_url=args.url, auth=pyntone.PasswordAuth(user_name=args.user, password=args.password)
    )
    return len(client.record.get_all_records(args.app))


SELECT_ALL = f"SELECT * FROM {ORDERS_TABLE}"

MODES: dict[str, Callable[[argparse.Namespace], int]] = {
    "select-all": _driver_fetch(SELECT_ALL, _fetchall),
    "select-id": _driver_fetch(f"SELECT Id FROM {ORDERS_TABLE}", _fetchall),
    "fetchmany": _driver_fetch(SELECT_ALL, _stream),
    "arrow": _driver_fetch(
        SELECT_ALL, _fetch_method("fetch_arrow_table", "pyarrow", lambda t: t.num_rows)),
    "pandas": _driver_fetch(SELECT_ALL, _fetch_method("fetch_pandas_all", "pandas", len)),
    "count": _driver_fetch(f"SELECT COUNT(*) FROM {ORDERS_TABLE}", _count),
    "pyntone": _pyntone,
}


#: The packages each mode imports, imported before the clock starts (as the JavaScript contender
#: imports its client before it starts its clock): imports are not what is measured.
IMPORTS: dict[str, tuple[str, ...]] = {
    **{mode: ("cdata_kintone",) for mode in MODES},
    "insert": ("cdata_kintone",),
    "arrow": ("cdata_kintone", "pyarrow", "pyarrow.compute"),
    "pandas": ("cdata_kintone", "pyarrow", "pyarrow.compute", "pandas"),
    "pyntone": ("pyntone",),
}


def _import_ahead(mode: str) -> None:
    """Import the packages of mode that are installed (a missing one is reported by the mode)."""
    for name in IMPORTS[mode]:
        if importlib.util.find_spec(name.partition(".")[0]) is not None:
            importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="one run of one Python contender")
    ap.add_argument("mode", choices=[*MODES, "insert"])
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--app", type=int, required=True)
    ap.add_argument("--props", default="", help="more connection properties for this driver")
    ap.add_argument("--rows", help="the JSON file of rows to insert (mode insert)")
    ap.add_argument("--warm", action="store_true",
                    help="mode insert: read the table's definition before the clock starts")
    args = ap.parse_args(argv)
    sys.setrecursionlimit(100_000)  # pyntone recurses once per page of 500 records
    _import_ahead(args.mode)
    try:
        if args.mode == "insert":
            with open(args.rows, encoding="utf-8") as f:
                rows = json.load(f)
            seconds, n = _insert(args, rows)
        else:
            started = time.perf_counter()
            n = MODES[args.mode](args)
            seconds = time.perf_counter() - started
    except Unavailable as exc:
        print(json.dumps({"unavailable": str(exc)}))
        return 0
    print(json.dumps({"seconds": seconds, "rows": n}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

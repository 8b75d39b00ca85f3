"""Seeded random differential test: the driver against Python's own sqlite3 over the same rows.

The reference rows are read from the simulator's REST API with urllib and decoded by this test's
own implementation of the README's type mapping (``difftest/reference.py``), never by the
driver. Random statements (``difftest/gen.py``: filters on every column type with every
comparison, literals and ``?`` parameters of every Python type, subqueries, EXISTS, joins,
compound queries, CTEs, aggregates, window functions, LIMIT/OFFSET, …) run on both; results are
compared exactly (ordered when the statement's ORDER BY is total, as multisets otherwise). Any
mismatch is minimised and reported as a paste-ready reproducer.

Environment:

- ``DIFFTEST_SEED``: the seed (default: fixed, so CI is deterministic);
- ``DIFFTEST_STATEMENTS``: statements over the sample data (default 1500); the edge-value mode
  runs 1.5 times as many (``DIFFTEST_EDGE_STATEMENTS`` to set it), the NumberMapToDouble edge
  mode a fifth of that;
- ``DIFFTEST_ONLY``: run only this statement number (to look at one statement again);
- ``DIFFTEST_SHOW``: print every statement as it runs.

``test_random_counts`` runs a fifth of ``DIFFTEST_STATEMENTS`` of ``SELECT COUNT(*) … WHERE``
statements over the sample data and over the edge values (those kintone's totalCount answers in
one request and those near them).

Three modes: the sample dataset (``order_records=3000``), a fixture of edge values in every field
type (``difftest/edge.py``), and the same with ``NumberMapToDouble=true;Pagesize=13``.
``test_reproducer`` runs the minimised reproducers of the mismatch classes found so far.

Python's sqlite3 is an older SQLite (3.40 here) than the driver's (3.54.1), and some answers
changed between them: REAL rendered as text (15 or 17 digits), sums of doubles (3.43+ sums with
Kahan-Babuska-Neumaier compensation), the parsing of long number literals, errors for an integer
SUM that overflows. A difference from Python's sqlite3 is therefore checked once more against
the driver's own SQLite over plain TEMP tables holding the same reference rows (the "oracle", the
same SQLite version): when the oracle gives exactly the driver's answer, the virtual tables
changed nothing and the difference is reported as excused, with the reason, not as a mismatch.
"integer overflow" from abs(-9223372036854775808) or SUM depends on which rows a plan evaluates:
such statements are not compared. quote() of a REAL and json_valid(NULL) are not generated.
"""

from __future__ import annotations

import datetime
import decimal
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

import cdata_kintone
from cdata_kintone.testing import Simulator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from difftest import edge, reference
from difftest.binding import Unbindable, bind, show
from difftest.gen import GLOBAL_EDGES, KIND_EDGES, Gen
from difftest.runner import Differ, Driver, Reference, describe, rows_key
from difftest.sqlast import Node, Raw, render, valid

pytestmark = pytest.mark.native

UTC = datetime.timezone.utc

SEED = int(os.environ.get("DIFFTEST_SEED", "20260101"))
N_SAMPLE = int(os.environ.get("DIFFTEST_STATEMENTS", "1500"))
N_EDGE = int(os.environ.get("DIFFTEST_EDGE_STATEMENTS", str(max(N_SAMPLE * 3 // 2, 50))))
N_COUNT = max(N_SAMPLE // 5, 25)  # SELECT COUNT(*) … WHERE statements per dataset
ONLY = os.environ.get("DIFFTEST_ONLY")
SHOW = bool(os.environ.get("DIFFTEST_SHOW"))

# Safety nets for CI time (2 cores, the whole file well under 4 minutes). With the default
# counts the statements finish long before; a larger DIFFTEST_STATEMENTS scales the budgets.
SCALE = max(1.0, N_SAMPLE / 1500)
RUN_BUDGET = {"sample": 140.0 * SCALE, "edge": 25.0 * SCALE, "edge-double": 20.0 * SCALE}
MINIMISE_BUDGET = {"sample": 30.0, "edge": 15.0, "edge-double": 10.0}
MAX_MINIMISED = {"sample": 12, "edge": 60, "edge-double": 30}


class Mode:
    def __init__(
        self, name: str, sim: Simulator, setup: list[str], *, double: bool = False
    ) -> None:
        self.name = name
        self.sim = sim
        self.setup = setup
        # the NumberMapToDouble mode also reads 13 records per request, so that the paging code
        # (page boundaries, LIMIT/OFFSET sent to kintone, prefetching) runs on the edge data
        self.suffix = ";NumberMapToDouble=true;Pagesize=13" if double else ""
        self.connect_src = "sim.connection_string" + (f" + {self.suffix!r}" if double else "")
        self.cat = reference.load(sim.url, sim.user, sim.password, number_map_to_double=double)
        self.db = reference.create_sqlite(self.cat)
        self.driver = Driver(lambda: cdata_kintone.connect(sim.connection_string + self.suffix))
        self.differ = Differ(self.cat, self.driver, Reference(self.db))

    def close(self) -> None:
        for conn in (self.driver.conn, self.driver.oracle):
            if conn is not None:
                conn.close()
        self.db.close()


@pytest.fixture(scope="module")
def sample() -> Iterator[Mode]:
    with Simulator(order_records=3000) as sim:
        mode = Mode("sample", sim, ["from cdata_kintone.testing import Simulator",
                                    "sim = Simulator(order_records=3000)"])
        yield mode
        mode.close()


@pytest.fixture(scope="module")
def edge_sim() -> Iterator[Simulator]:
    with Simulator(edge.fixture()) as sim:
        yield sim


EDGE_SETUP = ["import sys; sys.path.insert(0, 'tests')  # from the repository root",
              "from difftest.edge import fixture",
              "from cdata_kintone.testing import Simulator",
              "sim = Simulator(fixture())"]


@pytest.fixture(scope="module")
def edge_mode(edge_sim: Simulator) -> Iterator[Mode]:
    mode = Mode("edge", edge_sim, EDGE_SETUP)
    yield mode
    mode.close()


@pytest.fixture(scope="module")
def edge_double(edge_sim: Simulator) -> Iterator[Mode]:
    mode = Mode("edge-double", edge_sim, EDGE_SETUP, double=True)
    yield mode
    mode.close()


# --- the catalog agrees with the README's naming and typing ---------------------------------


def _check_columns(mode: Mode) -> list[str]:
    problems = []
    public = {"ISODATE": "DATE", "ISOTIME": "TIME", "ISODATETIME": "DATETIME"}
    with cdata_kintone.connect(mode.sim.connection_string + mode.suffix) as conn:
        tables = {r[0] for r in conn.execute("SELECT TableName FROM sys_tables").fetchall()}
        want_tables = {t.name for t in mode.cat.tables}
        if not want_tables <= tables:
            problems.append(f"tables missing from sys_tables: {sorted(want_tables - tables)}")
        for t in mode.cat.tables:
            got = conn.execute(
                "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = ? "
                "ORDER BY Ordinal", [t.name]).fetchall()
            want = [(c.name, public.get(c.decl, c.decl)) for c in t.cols]
            if [tuple(r) for r in got] != want:
                problems.append(f"{t.name}: sys_tablecolumns {got} != README mapping {want}")
    return problems


@pytest.mark.parametrize("which", ["sample", "edge_mode", "edge_double"])
def test_columns_follow_the_readme(which: str, request: pytest.FixtureRequest) -> None:
    mode: Mode = request.getfixturevalue(which)
    assert _check_columns(mode) == []


# --- parameters are bound as documented ------------------------------------------------------


def test_parameters_are_bound_as_documented(edge_mode: Mode) -> None:
    """``SELECT ?, typeof(?)`` for every parameter value the generator uses: the driver's
    binding against the documented one."""
    values: list[Any] = list(GLOBAL_EDGES)
    for vs in KIND_EDGES.values():
        values += vs
    # documented errors, and values at the edges of the documented forms
    values += [datetime.time(12, 0, tzinfo=UTC), decimal.Decimal("NaN"), 2**63, -(2**63) - 1,
               decimal.Decimal("-Infinity"), decimal.Decimal("1E+400"), decimal.Decimal("0.10"),
               datetime.datetime(1, 1, 1, 0, 0, 0, 1),
               datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
               datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone(
                   -datetime.timedelta(hours=23, minutes=59))),
               datetime.time(0, 0, 0, 999999), datetime.date(1, 1, 1), float("nan"),
               bytearray(b"x"), memoryview(b"yz"), "nul\x00inside", True, False]
    problems = []
    seen = set()
    for v in values:
        key = (type(v).__name__, repr(v))
        if key in seen:
            continue
        seen.add(key)
        try:
            want = bind(v)
        except Unbindable:
            want = None
            ok_error = True
        else:
            ok_error = False
        r = edge_mode.driver.run("SELECT ?, typeof(?)", [v, v])
        if ok_error:
            if r.kind != "error":
                problems.append(
                    f"{show(v)}: driver accepted it ({r.rows}), the documentation says error"
                )
            continue
        ref = edge_mode.differ.ref.run("SELECT ?, typeof(?)", [v, v])
        if r.kind != "ok" or rows_key(r.rows) != rows_key(ref.rows):
            problems.append(
                f"{show(v)}: driver binds {r.brief()}, documented {want!r} -> {ref.brief()}"
            )
    assert not problems, "parameters not bound as documented:\n  " + "\n  ".join(problems)


# --- the random differential runs ------------------------------------------------------------


def _run(mode: Mode, n: int, seed: int, capsys: pytest.CaptureFixture[str],
         kinds: list[tuple[float, str]] | None = None) -> None:
    if kinds is None and mode.name.startswith("edge"):
        kinds = Gen.EDGE_SHAPES
    gen = Gen(mode.cat, seed, shapes=kinds)
    stats: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    found: list[tuple[int, str, Node, Any]] = []
    excused: list[tuple[int, Node, Any]] = []
    t0 = time.perf_counter()
    indexes = [int(ONLY)] if ONLY else range(n)
    for i in indexes:
        if time.perf_counter() - t0 > RUN_BUDGET[mode.name]:
            stats["not run (time budget)"] += 1
            continue
        shape, node = gen.statement(i)
        assert valid(node), f"generator made an undefined-order statement #{i}: {render(node)}"
        if SHOW:
            with capsys.disabled():
                print(f"#{i} {shape}: {render(node)}")
        v = mode.differ.check(node)
        if v.status == "skipped":
            why = v.note or (v.ref.error if v.ref else "")
            stats[f"not compared ({why})"] += 1
        else:
            stats[v.status] += 1
        shapes[shape] += 1
        if v.status == "mismatch":
            found.append((i, shape, node, v))
        elif v.status == "excused":
            excused.append((i, node, v))
    t_run = time.perf_counter() - t0

    # minimise: one mismatch per (kind, signature, shape) first, then the rest, within budget
    order = []
    seen_sig: set[tuple[str, str]] = set()
    for item in found:
        sig = (item[3].signature, item[1])
        if sig not in seen_sig:
            seen_sig.add(sig)
            order.append(item)
    order += [x for x in found if x not in order]
    reports: list[str] = []
    skeletons: set[str] = set()
    t1 = time.perf_counter()
    minimised = 0
    for i, shape, node, v in order:
        out_of_budget = time.perf_counter() - t1 > MINIMISE_BUDGET[mode.name]
        if minimised >= MAX_MINIMISED[mode.name] or out_of_budget:
            break
        minimised += 1
        if v.kind == "timeout":
            small, sv = node, v
        else:
            left = MINIMISE_BUDGET[mode.name] - (time.perf_counter() - t1)
            small, sv, _ = mode.differ.minimise(node, v, max_seconds=max(3.0, min(25.0, left)))
        sql, params = render(small)
        skeleton = _skeleton(sql) + "|" + sv.signature
        if skeleton in skeletons:
            continue
        skeletons.add(skeleton)
        oracle = mode.differ.oracle(small) if sv.kind != "timeout" else None
        reports.append(describe(
            small, sv, title=f"[{mode.name} seed={seed} #{i} {shape}] {sv.kind}",
            setup=mode.setup, connect=mode.connect_src, original=node, oracle=oracle))
    t_min = time.perf_counter() - t1
    unminimised = [x for x in found if x not in order[:minimised]]

    summary = (f"difftest[{mode.name}] seed={seed}: {sum(stats.values())} statements "
               f"({', '.join(f'{k} {v}' for k, v in sorted(stats.items()))}) in {t_run:.1f} s; "
               f"{len(found)} mismatch(es), {len(reports)} distinct after minimising "
               f"({t_min:.1f} s)")
    with capsys.disabled():
        print("\n" + summary)
        print("  shapes: " + ", ".join(f"{k} {v}" for k, v in sorted(shapes.items())))
        for i, node, v in excused[:3]:
            sql, params = render(node)
            print(f"  excused #{i}: {v.note}\n    {sql[:300]} {params}")
    if found:
        msg = [summary, "", *reports]
        if unminimised:
            msg.append(f"\n{len(unminimised)} more mismatch(es), not minimised:")
            for i, shape, node, v in unminimised[:25]:
                sql, params = render(node)
                shown = [show(p) for p in params]
                msg.append(f"  #{i} {shape} {v.signature}: {sql}  params={shown}")
        pytest.fail("\n".join(msg), pytrace=False)


def _skeleton(sql: str) -> str:
    s = re.sub(r"'(?:[^']|'')*'", "'…'", sql)
    s = re.sub(r"\b\d+(\.\d+)?(e[+-]?\d+)?\b", "N", s)
    return re.sub(r"\bt\d+\b", "t", s)


@pytest.mark.parametrize("which", ["edge_mode", "edge_double"])
def test_plain_reads_give_what_sqlite_gives(which: str, request: pytest.FixtureRequest) -> None:
    """``SELECT *`` and a list of columns of one table are read from the table's scan without
    SQLite after the first row (gokintone/engine/plainread.go): over every table of edge
    values, each row is exactly what the same statement gives through SQLite (WHERE 1)."""
    mode: Mode = request.getfixturevalue(which)
    with cdata_kintone.connect(mode.sim.connection_string + mode.suffix) as conn:
        cur = conn.cursor()
        for t in mode.cat.tables:
            name = '"' + t.name.replace('"', '""') + '"'
            listed = ", ".join('"' + c.name.replace('"', '""') + '"' for c in reversed(t.cols))
            for columns in ("*", listed):
                plain = cur.execute(f"SELECT {columns} FROM {name}").fetchall()
                through_sqlite = cur.execute(f"SELECT {columns} FROM {name} WHERE 1").fetchall()
                assert len(plain) == len(through_sqlite) > 0, t.name
                for a, b in zip(plain, through_sqlite, strict=True):
                    assert [(type(v), repr(v)) for v in a] == [(type(v), repr(v)) for v in b]


def test_random_statements_over_sample_data(
    sample: Mode, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(sample, N_SAMPLE, SEED, capsys)


def test_random_statements_over_edge_values(
    edge_mode: Mode, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(edge_mode, N_EDGE, SEED + 1, capsys)


def test_random_statements_over_edge_values_number_as_double(
    edge_double: Mode, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(edge_double, max(N_EDGE // 5, 25), SEED + 2, capsys)


def test_random_counts(
    sample: Mode, edge_mode: Mode, capsys: pytest.CaptureFixture[str]
) -> None:
    """SELECT COUNT(*) … WHERE over the sample data and the edge values: the statements that
    kintone's totalCount answers in one request (a conjunction of comparisons of an id with a
    value) agree with the full scans of sqlite3, and so do those near them that are scans."""
    for mode, seed in ((sample, SEED + 3), (edge_mode, SEED + 4)):
        _run(mode, N_COUNT, seed, capsys, kinds=[(1.0, "count")])


# --- minimised reproducers of the mismatch classes found so far, run every time -------------

REPRODUCERS: list[tuple[str, str, str, list[Any]]] = [
    # (id, mode, SQL, parameters)
    # NUMBER values with more digits than a double: kintone compares exact decimals, SQLite
    # compares the doubles, so a pushed-down comparison loses rows SQLite keeps
    ("number-precision-literal", "edge_mode",
     'SELECT "Id" FROM "Edge" WHERE "Num" <= 0.1 ORDER BY "Id"', []),
    ("number-precision-self-join", "edge_mode",
     'SELECT COUNT(*) FROM "Edge" AS a JOIN "Edge" AS b ON b."Num" = a."Num"', []),
    ("number-precision-in-subquery", "edge_mode",
     'SELECT "Id" FROM "Edge2" WHERE "X" IN (SELECT "LNum" FROM "Edge_Lines") ORDER BY "Id"', []),
    ("number-precision-double", "edge_double",
     'SELECT COUNT(*) FROM "Edge" AS a JOIN "Edge2" AS b ON b."X" = a."num_n2"', []),
    # an integral double made from a non-integral NUMBER/CALC value is REAL in the virtual
    # table but INTEGER in a DECIMAL (NUMERIC affinity) column
    ("integral-double-storage-class", "edge_mode",
     'SELECT "Id", typeof("Third"), "Third" FROM "Edge" WHERE abs("Third") BETWEEN 3e18 AND 4e18 '
     'ORDER BY "Id"', []),
    # the same through a TEXT column compared with a NUMBER column: '1e20' becomes the double
    # 1e20, which kintone compares exactly with 100000000000000000001
    ("number-precision-vs-text-column", "edge_mode",
     'SELECT a."Id", a."Txt" FROM "Edge" AS a WHERE EXISTS '
     '(SELECT 1 FROM "Edge2" AS b WHERE b."X" = a."Txt") ORDER BY a."Id"', []),
    # an invalid date compared with a DATETIME column is sent to kintone, which refuses it
    ("invalid-date-vs-datetime", "edge_mode",
     'SELECT "Id" FROM "Edge" WHERE "Stamp" < \'2024-13-01\' ORDER BY "Id"', []),
    ("invalid-date-vs-updated-time", "sample",
     'SELECT COUNT(*) FROM "Deals" WHERE "Updated datetime" >= \'2024-02-30\'', []),
    # result conversion by declared type rewrites text that only looks like a time or a date
    ("time-conversion-of-text", "sample",
     'SELECT "Call time" FROM "Deals" WHERE "Id" = 1 UNION ALL SELECT \'12\'', []),
    ("date-conversion-of-text", "sample",
     'SELECT "Close date" FROM "Deals" WHERE "Id" = 1 UNION ALL SELECT \'20260101\'', []),
    # the classes being fixed when this test was written, as regression guards
    ("repeated-scan-limit-offset", "sample",
     'SELECT (SELECT COUNT(*) FROM "Deals"), '
     '(SELECT "Id" FROM "Deals" ORDER BY "Id" LIMIT 1 OFFSET 3)', []),
    ("exists-limit-offset", "sample",
     'SELECT COUNT(*) FROM "受注明細 Orders" AS o WHERE o."Id" <= 300 AND EXISTS '
     '(SELECT 1 FROM "受注明細 Orders_明細" AS i WHERE i."RecordId" = o."Id" LIMIT 1 OFFSET 1)',
     []),
    ("time-literal-12-60", "sample",
     'SELECT COUNT(*) FROM "Deals" WHERE "Call time" < \'12:60:00\'', []),
    ("real-as-text", "edge_mode", 'SELECT "Id" FROM "Edge" WHERE "Txt" = 1e15 ORDER BY "Id"', []),
    ("datetime-microseconds", "sample",
     'SELECT COUNT(*) FROM "Deals" WHERE "Last contact" > ?',
     [datetime.datetime(2025, 2, 12, 1, 30, 0, 1, tzinfo=UTC)]),
    # an app against its child table, both ways (their cost grows with the product of the sizes)
    ("child-to-parent-anti-join", "sample",
     'SELECT COUNT(*) FROM "受注明細 Orders_明細" AS i WHERE NOT EXISTS '
     '(SELECT 1 FROM "受注明細 Orders" AS o WHERE o."Id" = i."RecordId" AND o."合計" > 100000)',
     []),
    ("parent-child-join", "sample",
     'SELECT COUNT(*), SUM(i."小計") FROM "受注明細 Orders" AS o JOIN "受注明細 Orders_明細" AS i '
     'ON i."RecordId" = o."Id"', []),
]


@pytest.mark.parametrize("name,which,sql,params", REPRODUCERS, ids=[r[0] for r in REPRODUCERS])
def test_reproducer(name: str, which: str, sql: str, params: list[Any],
                    request: pytest.FixtureRequest) -> None:
    mode: Mode = request.getfixturevalue(which)
    node = Raw(sql, "q")
    v = mode.differ.check(node)
    if v.status == "mismatch":
        pytest.fail(describe(node, v, title=f"[{name}] {v.kind}", setup=mode.setup,
                             connect=mode.connect_src), pytrace=False)

"""Running statements on the driver and on the reference, comparing, minimising, reporting."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .binding import Unbindable, bind, show
from .reference import Catalog, load_oracle, qi
from .sqlast import Node, render, replace, total_order, valid, walk

DRIVER_TIMEOUT = 10.0  # seconds: slower is a problem in itself
LINGER = 60.0  # seconds granted to a statement that timed out to finish before the retry
REFERENCE_TIMEOUT = 10.0  # seconds: the reference gave up; the statement is not compared
ORACLE_PREFIX = "oracle "
MAX_ROWS = 200_000  # larger results are not compared (the generator keeps clear of them)


# --- values ----------------------------------------------------------------------------------


def storage(v: Any) -> Any:
    """The SQLite storage value behind a value the driver returned (``_raw`` of
    test_integration, keeping integer vs real: a Decimal made from a double always shows a
    fraction or an exponent)."""
    if isinstance(v, decimal.Decimal):
        if v.is_finite() and v.as_tuple().exponent == 0:
            return int(v)
        return float(v)
    if isinstance(v, dt.datetime):
        v = v.astimezone(dt.timezone.utc)
        if v.microsecond:
            return v.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    return v


def vkey(v: Any) -> tuple[Any, ...]:
    if v is None:
        return ("null",)
    if isinstance(v, int):
        return ("int", v)
    if isinstance(v, float):
        return ("real", repr(v))
    if isinstance(v, str):
        return ("text", v)
    if isinstance(v, (bytes, bytearray)):
        return ("blob", bytes(v))
    return ("other", repr(v))


def row_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(vkey(v) for v in row)


def rows_key(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [row_key(r) for r in rows]


def approx_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], ordered: bool) -> bool:
    """Equal except for the last bits of doubles (used only together with the oracle)."""
    def norm(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        out = []
        for r in rows:
            out.append(tuple(
                ("real~", float(f"{v:.9g}")) if isinstance(v, float) and math.isfinite(v)
                else vkey(v)
                for v in r
            ))
        return out if ordered else sorted(out, key=repr)
    return norm(a) == norm(b)


def row_difference(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]], ordered: bool) -> str:
    """What kind of difference two results show, so that the minimiser keeps to one kind."""
    if len(a) != len(b):
        return "row-count"

    def numeric(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        out = [tuple(("num", float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool)
                     else vkey(v) for v in r) for r in rows]
        return out if ordered else sorted(out, key=repr)

    if numeric(a) == numeric(b):
        return "integer-vs-real"
    if approx_rows(a, b, ordered):
        return "last-bits-of-doubles"
    if not ordered or Counter(rows_key(a)) != Counter(rows_key(b)):
        return "values"
    return "order"


def ties_only(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    """Same rows whose order differs only between rows that SQLite sorts as equal (1 and 1.0)."""
    def cell_eq(x: Any, y: Any) -> bool:
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            return x == y
        return vkey(x) == vkey(y)
    return len(a) == len(b) and all(
        len(r) == len(s) and all(cell_eq(x, y) for x, y in zip(r, s, strict=True))
        for r, s in zip(a, b, strict=True)
    )


SUMS = re.compile(r"\b(SUM|TOTAL|AVG)\s*\(", re.I)


def masked_rows(rows: list[tuple[Any, ...]], ordered: bool) -> list[tuple[Any, ...]]:
    """Rows with every double replaced by a placeholder."""
    out = [tuple(("real",) if isinstance(v, float) else vkey(v) for v in r) for r in rows]
    return out if ordered else sorted(out, key=repr)


@dataclass
class Result:
    kind: str  # ok, error, timeout, skip
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    error: str = ""
    etype: str = ""
    seconds: float = 0.0

    def brief(self, limit: int = 12) -> str:
        if self.kind == "ok":
            shown = ", ".join(repr(r) for r in self.rows[:limit])
            more = f", … ({len(self.rows)} rows)" if len(self.rows) > limit else ""
            return f"{len(self.rows)} row(s): [{shown}{more}]"
        if self.kind == "error":
            return f"{self.etype}: {self.error}"
        return f"{self.kind} after {self.seconds:.1f} s {self.error}"


# --- the two sides ---------------------------------------------------------------------------


class Driver:
    """A driver connection whose statements run in a worker thread with a deadline; a
    connection left behind by a statement that timed out is replaced."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self.connect = connect
        self.conn = connect()
        self.oracle: Any = None
        self.oracle_loaded = False

    def run(self, sql: str, params: list[Any], timeout: float = DRIVER_TIMEOUT,
            conn: Any = None) -> Result:
        target = conn if conn is not None else self.conn
        box: dict[str, Result] = {}

        def work() -> None:
            t0 = time.perf_counter()
            try:
                cur = target.cursor()
                try:
                    cur.execute(sql, params)
                    rows = cur.fetchall()
                finally:
                    cur.close()
                box["r"] = Result("ok", [tuple(storage(v) for v in r) for r in rows],
                                  seconds=time.perf_counter() - t0)
            except Exception as exc:  # every driver error is a result
                box["r"] = Result("error", error=str(exc).splitlines()[0][:300] if str(exc) else "",
                                  etype=type(exc).__name__, seconds=time.perf_counter() - t0)

        t0 = time.perf_counter()
        th = threading.Thread(target=work, daemon=True)
        th.start()
        th.join(timeout)
        if th.is_alive():
            # let the statement finish (so that a retry does not compete with it for the CPU);
            # a connection still busy after that is replaced
            th.join(LINGER)
            if th.is_alive():
                if conn is None:
                    self.conn = self.connect()
                else:
                    self.oracle, self.oracle_loaded = None, False
            late = "" if "r" not in box else f"(finished after {box['r'].seconds:.1f} s)"
            return Result("timeout", seconds=time.perf_counter() - t0, error=late)
        r = box["r"]
        if r.kind == "ok" and r.seconds > timeout:
            return Result("timeout", seconds=r.seconds, error="(finished late)")
        return r

    def run_oracle(self, cat: Catalog, sql: str, params: list[Any]) -> Result:
        if not self.oracle_loaded:
            self.oracle = self.connect()
            load_oracle(self.oracle, cat, ORACLE_PREFIX)
            self.oracle_loaded = True
        return self.run(sql, params, conn=self.oracle)


SQLITE_VERSIONS = (f"an answer that changed between Python's SQLite {sqlite3.sqlite_version} "
                   "and the driver's")


class Reference:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.deadline = 0.0
        db.set_progress_handler(self._progress, 20000)

    def _progress(self) -> int:
        return 1 if time.perf_counter() > self.deadline else 0

    def run(self, sql: str, params: list[Any]) -> Result:
        try:
            bound = [bind(p) for p in params]
        except Unbindable as exc:
            return Result("error", error=str(exc), etype="Unbindable")
        t0 = time.perf_counter()
        self.deadline = t0 + REFERENCE_TIMEOUT
        try:
            cur = self.db.execute(sql, bound)
            rows = cur.fetchmany(MAX_ROWS + 1)
            if len(rows) > MAX_ROWS:
                return Result("skip", error=f"more than {MAX_ROWS} rows",
                              seconds=time.perf_counter() - t0)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return Result("skip", error="reference too slow", seconds=time.perf_counter() - t0)
            return Result("error", error=str(exc), etype=type(exc).__name__)
        except (sqlite3.Error, OverflowError, ValueError) as exc:
            return Result("error", error=str(exc), etype=type(exc).__name__)
        return Result("ok", [tuple(r) for r in rows], seconds=time.perf_counter() - t0)


# --- comparing -------------------------------------------------------------------------------


@dataclass
class Verdict:
    status: str  # same, mismatch, excused, skipped, both_failed
    kind: str = ""  # rows, driver_error, reference_error, timeout
    signature: str = ""
    drv: Result | None = None
    ref: Result | None = None
    note: str = ""


class Differ:
    def __init__(self, cat: Catalog, driver: Driver, ref: Reference) -> None:
        self.cat = cat
        self.driver = driver
        self.ref = ref

    def oracle_map(self, name: str) -> str:
        return qi(ORACLE_PREFIX + name)

    def check(self, node: Node) -> Verdict:
        sql, params = render(node)
        ordered = total_order(node)
        ref = self.ref.run(sql, params)
        if ref.kind == "skip":
            return Verdict("skipped", ref=ref)
        drv = self.driver.run(sql, params)
        if drv.kind == "timeout":
            drv = self.driver.run(sql, params)  # once more: a busy machine is not a finding
        if drv.kind == "timeout":
            return Verdict("mismatch", "timeout", "timeout", drv, ref)
        if drv.kind == "error" and ref.kind == "error":
            return Verdict("both_failed", drv=drv, ref=ref)
        if "integer overflow" in drv.error + ref.error:
            # abs(-9223372036854775808) or an integer SUM that overflows raise an error only when
            # the row is evaluated, and which rows a plan evaluates (a virtual table delivering
            # rows already filtered, a sort instead of an index walk before LIMIT) is not defined
            return Verdict("skipped", drv=drv, ref=ref, note="plan-dependent integer overflow")
        if drv.kind == "error":
            orc = self.oracle(node)
            if orc.kind == "error" and orc.error == drv.error:
                return Verdict("excused", "driver_error", "", drv, ref,
                               note="the driver's SQLite refuses this over plain tables too: "
                                    + SQLITE_VERSIONS)
            return Verdict("mismatch", "driver_error", f"driver_error:{drv.etype}", drv, ref)
        if ref.kind == "error":
            if ref.etype == "Unbindable":  # the documentation says the driver refuses this value
                return Verdict("mismatch", "reference_error", "reference_error:Unbindable",
                               drv, ref, note="the driver accepted a parameter its documentation "
                                              "says it refuses")
            orc = self.oracle(node)
            if orc.kind == "ok" and rows_key(orc.rows) == rows_key(drv.rows):
                return Verdict("excused", "reference_error", "", drv, ref,
                               note="the driver's SQLite accepts what Python's SQLite 3.40 refuses")
            return Verdict("mismatch", "reference_error", f"reference_error:{ref.etype}", drv, ref)
        a, b = rows_key(drv.rows), rows_key(ref.rows)
        if ordered:
            same = a == b or (Counter(a) == Counter(b) and ties_only(drv.rows, ref.rows))
        else:
            same = Counter(a) == Counter(b)
        if same:
            return Verdict("same", drv=drv, ref=ref)
        # A sum that differs in its last bits may also move a row when the statement orders by
        # it: then compare unordered, with doubles masked (the oracle must still agree exactly).
        if approx_rows(drv.rows, ref.rows, ordered) or (
                SUMS.search(sql)
                and (masked_rows(drv.rows, ordered) == masked_rows(ref.rows, ordered)
                     or masked_rows(drv.rows, False) == masked_rows(ref.rows, False))):
            orc = self.oracle(node)
            if orc.kind == "ok" and rows_key(orc.rows) == a:
                return Verdict("excused", "rows", "", drv, ref,
                               note="only doubles differ, the statement sums doubles, and the "
                                    "driver's SQLite over plain tables gives exactly the driver's "
                                    "values: SQLite 3.43+ sums doubles with Kahan-Babuska-Neumaier "
                                    "compensation, Python's 3.40 does not")
            if SUMS.search(sql):
                # SQL leaves the order of summation to the plan, and a sum of doubles of very
                # different magnitudes (9.2e18 and 0.3) depends on it even when compensated.
                return Verdict("excused", "rows", "", drv, ref,
                               note="only sums of doubles differ, and they depend on the order the "
                                    "plan adds the rows in")
        # Python's sqlite3 is an older SQLite than the driver's, and some answers changed
        # between them (REAL to text, sums of doubles, number parsing). The driver's own SQLite
        # over plain TEMP tables holding the same reference rows is the same version: when it
        # gives exactly the driver's rows, the virtual tables changed nothing.
        orc = self.oracle(node)
        if orc.kind == "ok":
            o = rows_key(orc.rows)
            if (o == a) if ordered else (Counter(o) == Counter(a)):
                return Verdict("excused", "rows", "", drv, ref,
                               note="the driver's SQLite gives the same rows over plain tables "
                                    "holding the reference rows: " + SQLITE_VERSIONS)
        difference = row_difference(drv.rows, ref.rows, ordered)
        return Verdict("mismatch", "rows", "rows/" + difference, drv, ref)

    def oracle(self, node: Node) -> Result:
        sql, params = render(node, self.oracle_map)
        return self.driver.run_oracle(self.cat, sql, params)

    # --- minimising --------------------------------------------------------------------------

    def minimise(self, node: Node, verdict: Verdict, max_runs: int = 250,
                 max_seconds: float = 30.0) -> tuple[Node, Verdict, int]:
        """Greedy top-down shrinking while the same kind of mismatch persists."""
        best, best_v = node, verdict
        runs = 0
        t_end = time.perf_counter() + max_seconds
        seen: set[tuple[str, str]] = set()
        improved = True
        while improved and runs < max_runs and time.perf_counter() < t_end:
            improved = False
            for path, n in list(walk(best)):
                cands = list(n.shrinks())
                kids = n.kids()
                cands += [k for k in kids if k.sort == n.sort and k not in cands]
                for alt in cands:
                    cand = replace(best, path, alt)
                    if not valid(cand):
                        continue
                    sql, params = render(cand)
                    key = (sql, repr(params))
                    if key in seen:
                        continue
                    seen.add(key)
                    runs += 1
                    v = self.check(cand)
                    if v.status == "mismatch" and v.signature == best_v.signature:
                        best, best_v = cand, v
                        improved = True
                        break
                    if runs >= max_runs or time.perf_counter() >= t_end:
                        break
                if improved or runs >= max_runs or time.perf_counter() >= t_end:
                    break
        return best, best_v, runs


# --- reporting ---------------------------------------------------------------------------------


def describe(node: Node, v: Verdict, *, title: str, setup: list[str], connect: str,
             original: Node | None = None, oracle: Result | None = None) -> str:
    sql, params = render(node)
    lines = [title]
    lines.append(f"  SQL:    {sql}")
    lines.append(f"  params: [{', '.join(show(p) for p in params)}]")
    if params:
        with contextlib.suppress(Unbindable):
            lines.append(f"  (bound on the reference side as {[bind(p) for p in params]!r})")
    ordered = total_order(node)
    assert v.drv is not None and v.ref is not None
    lines.append(f"  driver: {v.drv.brief()}")
    lines.append(f"  sqlite: {v.ref.brief()}")
    if v.kind == "rows" and v.drv.kind == "ok" and v.ref.kind == "ok":
        a, b = Counter(rows_key(v.drv.rows)), Counter(rows_key(v.ref.rows))
        only_d = [r for r in v.drv.rows if a[row_key(r)] > b[row_key(r)]]
        only_s = [r for r in v.ref.rows if b[row_key(r)] > a[row_key(r)]]
        if only_d or only_s:
            lines.append(f"  only in driver: {only_d[:8]}{' …' if len(only_d) > 8 else ''}")
            lines.append(f"  only in sqlite: {only_s[:8]}{' …' if len(only_s) > 8 else ''}")
        elif ordered:
            lines.append("  same rows, different order (the statement's ORDER BY is total)")
    if v.note:
        lines.append(f"  note: {v.note}")
    if oracle is not None:
        if oracle.kind == v.drv.kind == "ok" and rows_key(oracle.rows) == rows_key(v.drv.rows):
            verdict = ("same as the driver (suspect the SQLite version, or parameter/result "
                       "conversion)")
        elif (oracle.kind == v.ref.kind == "ok"
              and Counter(rows_key(oracle.rows)) == Counter(rows_key(v.ref.rows))):
            verdict = "same as Python's sqlite3 (so the virtual tables are at fault)"
        else:
            verdict = oracle.brief(6)
        lines.append(
            f"  driver's own SQLite over plain TEMP tables of the reference rows: {verdict}")
    if original is not None and original is not node:
        osql, oparams = render(original)
        lines.append(f"  before minimising: {osql}")
        if oparams:
            lines.append(f"                     params [{', '.join(show(p) for p in oparams)}]")
    lines.append("  reproduce:")
    lines.append("    import datetime, decimal, cdata_kintone")
    lines += [f"    {x}" for x in setup]
    lines.append(f"    conn = cdata_kintone.connect({connect})")
    shown = ", ".join(show(p) for p in params)
    lines.append(f"    print(conn.execute({sql!r}, [{shown}]).fetchall())")
    return "\n".join(lines)

"""The seeded statement generator.

Statements are built as :mod:`.sqlast` trees over the catalog read by :mod:`.reference`. Values
come from the data itself (so that filters select something), in other representations of the
same value (a number as text, a date as a ``datetime``, …) and from fixed lists of edge values;
each is written either as a literal or as a ``?`` parameter of some Python type.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar, overload

from .reference import Catalog, Col, Table
from .sqlast import (
    Compound,
    ListN,
    Lit,
    Node,
    OrderItem,
    Param,
    Raw,
    Select,
    Seq,
    TableRef,
    With,
    qi,
)

T = TypeVar("T")

D = decimal.Decimal
UTC = dt.timezone.utc
JST = dt.timezone(dt.timedelta(hours=9))
WEST = dt.timezone(dt.timedelta(hours=-5, minutes=-30))

CMP = ["=", "==", "<>", "!=", "<", "<=", ">", ">=", "IS", "IS NOT"]

GLOBAL_EDGES: list[Any] = [
    None, True, False, 0, 1, -1, 2**63 - 1, -(2**63), 2**63, 10**15, 1e15, 1e20, -1e20, -0.0, 0.1,
    0.5, 2.5, float("inf"), float("-inf"), 9.223372036854776e18, 1.5e-7,
    " 12", "12 ", "12", "1.0e+15", "1e20", "0x10", "-0", "12:60:00", "25:00:00", "2024-02-30",
    "", " ", "NULL", "日本語", "%", "_",
    D("12"), D("12.50"), D("0.1"), D("1E+20"), D("-0"), D("9223372036854775808"), D("Infinity"),
    dt.date(2024, 2, 29), dt.date(2026, 1, 1), dt.time(12, 0), dt.time(23, 59, 59),
    dt.time(0, 0, 0, 1), dt.time(12, 30, 0, 500000),
    dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2025, 1, 1, 9, 0, 0, 123456, tzinfo=JST),
    dt.datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=UTC), dt.datetime(2025, 3, 1, 12, 0),
    b"\x00", b"12", b"abc",
]

KIND_EDGES: dict[str, list[Any]] = {
    "id": [0, 1, 2, 3, -1, 2**63 - 1, -(2**63), 1.5, 2.0, "1", " 2", "3.0", "2e0", 1e20, -1e20,
           D("4"), D("4.5"), True, "abc", 9.223372036854776e18, 299, 300, 301, 1999, 2000, 2001,
           2999, 3000, 3001],
    "int": [0, 1, 2, -1, 1.5, "1", " 2", "3.0", 2**63 - 1, 1e20, D("2"), True],
    "num": [0, -0.0, 0.1, 0.3, 0.30000000000000004, 1e15, 1e20, -1e20, 2**63 - 1, -(2**63),
            9.223372036854776e18, 9223372036854775807.0, 1.5e-7, 2.5, -2.5, 12, 12.5, 1e300,
            " 12", "12 ", "1.0e+15", "1e20", "0x10", "-0", "abc", "", D("0.1"), D("1E+20"),
            D("12.50"), D("9223372036854775809"), 9007199254740993, float(9007199254740993),
            1000000, 1000000.0, "1000000", "1e6", 3000000, "3000000.0", b"\x01"],
    "text": ["", " ", " 12", "12 ", "12", 12, 12.0, "1.0e+15", 1e15, "1e20", 1e20, "0x10", -0.0,
             "日本語", "ABC", "abc", "%", "_", "a%b_c", b"12", "NULL", "true", "1", 1, 1.0, "1.0",
             "Won", "won", "WON", "sato", "SATO", "admin", "Admin", "1000000000000000",
             10**15, "-1", -1, "0", 0, "0.1", 0.1],
    "json": ["[]", '["Web"]', "Web", '[{"code":"sato"}]', '["p"]', '["R&D"]', '["R\\u0026D"]',
             "[\"p\",\"q\"]", "", "null"],
    "date": ["2024-02-30", "2024-02-29", "2026-01-01", "2025-12-31", "9999-12-31", "1000-01-01",
             "0000-00-00", "2026-1-1", "2026-01-1", 20260101, 2026, dt.date(2026, 1, 1),
             "2025-12-31T15:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01 00:00:00", "2026",
             "2026-01", "", "2026-01-01 ", " 2026-01-01", "2026/01/01"],
    "time": ["12:60:00", "25:00:00", "24:00:00", "00:00:00", "23:59:59", "23:59", "12:00",
             "9:05", "09:05", "9:05:00", dt.time(12, 0), dt.time(12, 0, 0, 1), dt.time(9, 5),
             1200, 12, "12:00:00.000", "12:00:00.5", "12:00:59", "12:00:00Z", "", "noon",
             dt.time(23, 59, 59, 999999)],
    "datetime": ["2025-01-01T00:00:00Z", "2025-01-01", dt.date(2025, 1, 1),
                 "2025-01-01 00:00:00", "2025-13-01T00:00:00Z", "2025-01-01T00:00:00+09:00",
                 "2025-01-01T00:00:00", "2025-01-01T00:00Z", "2025-01-01t00:00:00z",
                 "2024-12-31T15:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                 dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2025, 1, 1, 9, tzinfo=JST),
                 dt.datetime(2025, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
                 dt.datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                 dt.datetime(2025, 1, 1, 0, 0, 30), "", "2025", 2025],
}

def _is_numeric_text(s: str) -> bool:
    return bool(re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", s))


class Scope:
    """Tables visible to an expression: the query's own FROM items, then outer ones."""

    def __init__(self, items: list[tuple[str, Table]], outer: Scope | None = None) -> None:
        self.items = items
        self.outer = outer

    def all(self) -> list[tuple[str, Table]]:
        return self.items + (self.outer.all() if self.outer else [])


class Gen:
    def __init__(self, cat: Catalog, seed: int, *,
                 shapes: list[tuple[float, str]] | None = None) -> None:
        self.cat = cat
        self.shapes = shapes or self.SHAPES
        self.seed = seed
        self.rng = random.Random(seed)
        self.pools: dict[tuple[str, str], list[Any]] = {}
        self.counts: dict[tuple[str, str], Counter[Any]] = {}
        for t in cat.tables:
            for i, c in enumerate(t.cols):
                cnt: Counter[Any] = Counter(r[i] for r in t.rows if r[i] is not None)
                self.counts[t.name, c.name] = cnt
                vals = sorted(cnt, key=repr)
                rng = random.Random(f"{seed}:{t.name}:{c.name}")
                self.pools[t.name, c.name] = rng.sample(vals, min(len(vals), 60))
        self.children: dict[str, list[Table]] = {}
        for t in cat.tables:
            if t.parent:
                self.children.setdefault(t.parent, []).append(t)
        self.links = self._links()
        self.n_alias = 0
        self.n_cte = 0

    # --- helpers ------------------------------------------------------------------------

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, table: Sequence[tuple[float, T]]) -> T:
        total = sum(w for w, _ in table)
        r = self.rng.random() * total
        for w, v in table:
            r -= w
            if r < 0:
                return v
        return table[-1][1]

    def alias(self) -> str:
        self.n_alias += 1
        return f"t{self.n_alias}"

    def src(self, t: Table) -> Table:
        return getattr(t, "source", t)

    def pool(self, t: Table, c: Col) -> list[Any]:
        src = self.src(t)
        return self.pools.get((src.name, getattr(c, "orig", c.name)), [])

    def table(self) -> Table:
        ts = self.cat.tables
        weights = [(3.0 if t.parent is None else 2.0) / (1 + len(t.rows) / 1500) for t in ts]
        return self.weighted(list(zip(weights, ts, strict=True)))

    def _links(self) -> list[tuple[Table, Col, Table, Col, int]]:
        """Pairs of columns of different tables whose values meet (equality joins), with the
        estimated join size."""
        out = []
        ts = self.cat.tables
        for a in ts:
            for b in ts:
                if a.name >= b.name:
                    continue
                for ca in a.cols:
                    for cb in b.cols:
                        if ca.kind != cb.kind or (ca.kind in ("id",) and cb.kind in ("id",)):
                            continue
                        x, y = self.counts[a.name, ca.name], self.counts[b.name, cb.name]
                        n = sum(v * y.get(k, 0) for k, v in x.items())
                        if 0 < n <= 60000:
                            out.append((a, ca, b, cb, n))
        return out

    # --- values ---------------------------------------------------------------------------

    def value(self, t: Table | None, c: Col | None) -> Any:
        r = self.rng.random()
        pool = self.pool(t, c) if t is not None and c is not None else []
        if pool and r < 0.55:
            v = self.pick(pool)
            return self.variant(c.kind, v) if self.chance(0.45) else v  # type: ignore[union-attr]
        if c is not None and r < 0.85:
            return self.pick(KIND_EDGES[c.kind])
        return self.pick(GLOBAL_EDGES)

    def variant(self, kind: str, v: Any) -> Any:
        try:
            return self._variant(kind, v)
        except (OverflowError, ValueError):  # date arithmetic at 9999-12-31 and such
            return v

    def _variant(self, kind: str, v: Any) -> Any:
        rng = self.rng
        if kind in ("id", "int", "num") and isinstance(v, (int, float)):
            opts: list[Any] = [str(v), f" {v}", float(v),
                               D(repr(v)) if isinstance(v, float) else D(v),
                               v + 1, v - 1, -v, v * 10, f"{float(v):e}", True]
            if isinstance(v, int):
                opts += [f"{v}.0", D(f"{v}.00"), v + 0.5, float(v) + 1e-9]
            else:
                opts += [int(v), repr(v), v * (1 + 2**-52), D(repr(v)) + D("1e-20")]
            return self.pick(opts)
        if kind == "text" and isinstance(v, str):
            opts = [v.upper(), v.lower(), v[:3], v + " ", " " + v, v[:-1], v + "x", v.casefold()]
            if _is_numeric_text(v):
                try:
                    f = float(v)
                    opts += [f, D(v.strip()), int(f) if f == int(f) and abs(f) < 2**63 else f]
                except (ValueError, OverflowError, decimal.InvalidOperation):
                    pass
            return self.pick(opts)
        if kind == "json" and isinstance(v, str):
            try:
                items = json.loads(v)
            except ValueError:
                return v
            first = items[0] if items else ""
            opts = [json.dumps(items, ensure_ascii=False), json.dumps(items), v.replace(",", ", "),
                    first if isinstance(first, str) else json.dumps(first, ensure_ascii=False,
                                                                    separators=(",", ":")),
                    json.dumps(items[:1], ensure_ascii=False, separators=(",", ":"))]
            return self.pick(opts)
        if kind == "date" and isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v):
            d = dt.date.fromisoformat(v)
            opts = [d, d + dt.timedelta(days=1), d - dt.timedelta(days=1), v + "T00:00:00Z",
                    v[:7], f"{d.year}-{d.month}-{d.day}", v + " 00:00:00",
                    dt.datetime(d.year, d.month, d.day, tzinfo=UTC),
                    dt.datetime(d.year, d.month, d.day, tzinfo=JST), v.replace("-", "/"),
                    int(v[:4]), str(d + dt.timedelta(days=1)), v + "Z", v + " "]
            return self.pick(opts)
        if kind == "time" and isinstance(v, str) and re.fullmatch(r"\d\d:\d\d:\d\d", v):
            h, m, s = (int(x) for x in v.split(":"))
            opts = [v[:5], dt.time(h, m, s), dt.time(h, m, s, rng.choice([1, 500000, 999999])),
                    dt.time(h, m, 30), f"{h}:{m:02d}", v + ".5", v + ".000", f"{h:02d}:{m:02d}:60",
                    f"{h + 1:02d}:{m:02d}:00", v.replace(":", ""), h * 100 + m,
                    dt.time(h, max(m - 1, 0), 59, 999999)]
            return self.pick(opts)
        if kind == "datetime" and isinstance(v, str) and v.endswith("Z"):
            try:
                t = dt.datetime.fromisoformat(v[:-1]).replace(tzinfo=UTC)
            except ValueError:
                return v
            us = rng.choice([0, 1, 123456, 999999])
            opts = [t, t.astimezone(JST), t.astimezone(WEST), t.replace(microsecond=us),
                    (t - dt.timedelta(microseconds=1)), t + dt.timedelta(seconds=30),
                    v[:10], t.date(), v.replace("T", " "), v[:-1], v[:-1] + "+09:00",
                    v[:-1] + "+00:00", v.lower(), v[:16], v[:16] + "Z", t.replace(tzinfo=None),
                    v[:-1] + ".000Z", v + ".5", v[:-1] + ".5Z", (t + dt.timedelta(minutes=1)),
                    t.astimezone(JST).replace(microsecond=500000)]
            return self.pick(opts)
        return v

    def operand(self, v: Any, param: float = 0.5) -> Node:
        if self.chance(param):
            return Param(v)
        if isinstance(v, float) and (v != v or (v != 0 and math.isfinite(v)
                                                  and not 1e-200 < abs(v) < 1e200)):
            # NaN has no literal; the driver's SQLite (3.51) does not round decimal text with
            # exponents beyond about ±200 correctly (2e300 becomes 1.9999999999999998e300)
            # while Python's does: an engine difference, so such doubles go in as parameters
            return Param(v)
        return Lit(v)

    # --- expressions --------------------------------------------------------------------

    def colref(self, alias: str, c: Col) -> Node:
        return Raw(f"{alias}.{qi(c.name)}")

    def expr(self, alias: str, c: Col, p: float = 0.3) -> tuple[Node, str]:
        """A value expression over a column: the column itself or a function of it; returns the
        expression and the kind of its values (for choosing values to compare with)."""
        ref = self.colref(alias, c)
        if not self.chance(p):
            return ref, c.kind
        k = c.kind
        pick = self.pick

        def f(fmt: str, kind: str) -> tuple[Node, str]:
            before, after = fmt.split("{}")
            return Seq("v", [before, ref, after], hoist=(0,)), kind

        common = [("CAST({} AS TEXT)", "text"), ("CAST({} AS INTEGER)", "num"),
                  ("CAST({} AS REAL)", "num"), ("CAST({} AS NUMERIC)", "num"),
                  ("coalesce({}, 0)", k), ("+{}", k), ("typeof({})", "text"),
                  ("hex({})", "text"), ("{} COLLATE NOCASE", k), ("ifnull({}, '')", k)]
        by_kind = {
            "id": [("{} + 0", "num"), ("{} % 10", "num"), ("-{}", "num"), ("{} / 2", "num"),
                   ("{} * 1.0", "num")],
            "int": [("{} + 0", "num"), ("{} % 10", "num"), ("-{}", "num")],
            "num": [("{} + 1", "num"), ("{} * 2", "num"), ("-{}", "num"), ("abs({})", "num"),
                    ("round({}, 1)", "num"), ("{} / 3", "num"), ("{} % 7", "num"),
                    ("{} + 0.5", "num"), ("max({}, 0)", "num"), ("{} / 1000000", "num")],
            "text": [("length({})", "num"), ("lower({})", "text"), ("upper({})", "text"),
                     ("substr({}, 1, 3)", "text"), ("trim({})", "text"), ("{} || 'x'", "text"),
                     ("instr({}, 'a')", "num"), ("replace({}, ' ', '')", "text"),
                     ("{} + 0", "num"), ("unicode({})", "num")],
            "json": [("json_array_length({})", "num"), ("json_extract({}, '$[0]')", "text"),
                     ("{} ->> '$[0]'", "text"), ("json_extract({}, '$[0].code')", "text"),
                     ("json_type({}, '$[0]')", "text"), ("length({})", "num")],
            "date": [("date({})", "date"), ("date({}, '+1 day')", "date"),
                     ("strftime('%Y-%m', {})", "text"), ("julianday({})", "num"),
                     ("substr({}, 1, 7)", "text"), ("{} || 'T00:00:00Z'", "datetime"),
                     ("unixepoch({})", "num"), ("strftime('%w', {})", "text")],
            "time": [("time({})", "time"), ("substr({}, 1, 5)", "text"),
                     ("time({}, '+30 minutes')", "time"), ("strftime('%H', {})", "text"),
                     ("{} || '.5'", "time")],
            "datetime": [("datetime({})", "text"), ("date({})", "date"),
                         ("strftime('%Y-%m-%dT%H:%M:%SZ', {})", "datetime"),
                         ("unixepoch({})", "num"), ("substr({}, 1, 10)", "date"),
                         ("julianday({})", "num"), ("time({})", "time"),
                         ("datetime({}, '+9 hours')", "text")],
        }
        fmt, kind = pick(by_kind[k] + common)
        return f(fmt, kind)

    # --- conditions -----------------------------------------------------------------------

    def pick_col(self, scope: Scope, outer: float = 0.15) -> tuple[str, Table, Col]:
        items = scope.items
        if scope.outer is not None and self.chance(outer):
            items = scope.outer.all()
        alias, t = self.pick(items)
        return alias, t, self.pick(t.cols)

    def pred(self, scope: Scope, depth: int = 2, sub: bool = True) -> Node:
        if depth > 0:
            r = self.rng.random()
            if r < 0.22:
                op = self.pick(["AND", "AND", "OR"])
                a, b = self.pred(scope, depth - 1, sub), self.pred(scope, depth - 1, sub)
                return Seq("b", ["(", a, f" {op} ", b, ")"], hoist=(0, 1))
            if r < 0.28:
                return Seq("b", ["NOT (", self.pred(scope, depth - 1, sub), ")"], hoist=(0,))
            if sub and r < 0.36:
                return self.sub_pred(scope)
        return self.atom(scope)

    def atom(self, scope: Scope) -> Node:
        alias, t, c = self.pick_col(scope)
        lhs, kind = self.expr(alias, c)
        r = self.rng.random()
        pseudo = Col("x", "", kind, "", "")

        def val() -> Any:
            return self.value(t, c) if kind == c.kind else self.value(None, pseudo)

        if r < 0.38:
            op = self.pick(CMP)
            rhs = self.operand(val())
            if self.chance(0.12):
                return Seq("b", [rhs, f" {op} ", lhs])
            return Seq("b", [lhs, f" {op} ", rhs])
        if r < 0.48:
            return Seq("b", [lhs, " " + self.pick(["IS NULL", "IS NOT NULL", "ISNULL", "NOTNULL"])])
        if r < 0.56:
            a, b = val(), val()
            if self.chance(0.7):
                try:
                    if b < a:
                        a, b = b, a
                except TypeError:
                    pass
            neg = "NOT " if self.chance(0.25) else ""
            return Seq("b", [lhs, f" {neg}BETWEEN ", self.operand(a), " AND ", self.operand(b)])
        if r < 0.66:
            items: list[Node | str] = []
            for i in range(self.rng.randint(1, 5)):
                if i:
                    items.append(", ")
                items.append(self.operand(val()))
            neg = "NOT " if self.chance(0.3) else ""
            return Seq("b", [lhs, f" {neg}IN (", *items, ")"])
        if r < 0.78:
            return self.like(lhs, t, c)
        # column against another column of the scope (same or another table; any kind)
        a2, _, c2 = self.pick_col(scope, outer=0.3)
        rhs2, _ = self.expr(a2, c2, p=0.2)
        op = self.pick(CMP)
        return Seq("b", [lhs, f" {op} ", rhs2])

    def like(self, lhs: Node, t: Table, c: Col) -> Node:
        pool = [v for v in self.pool(t, c) if isinstance(v, str)] or ["abc", "2026-01-01", "12"]
        v = self.pick(pool)
        i = self.rng.randrange(len(v) + 1)
        j = self.rng.randrange(i, len(v) + 1)
        glob = self.chance(0.3)
        neg = "NOT " if self.chance(0.2) else ""
        if glob:
            pat = self.pick([v[:i] + "*", "*" + v[i:j] + "*", "[0-9]*", "?" * len(v), v, "*",
                             v[:i] + "?" + v[i + 1:], "[a-z]*", "*[^0-9]*"])
            return Seq("b", [lhs, f" {neg}GLOB ", self.operand(pat)])
        pat = self.pick([v[:i] + "%", "%" + v[i:j] + "%", v.upper(), v.lower(), "_" + v[1:], v,
                         "%", "", v[:i] + "_" + v[i + 1:], "%" + v[j:], "1%", "%.5%", "2026-01%"])
        if self.chance(0.1):
            pat = pat.replace("\\", "\\\\") + "\\%"
            return Seq("b", [lhs, f" {neg}LIKE ", self.operand(pat), " ESCAPE '\\'"])
        return Seq("b", [lhs, f" {neg}LIKE ", self.operand(pat)])

    def sub_pred(self, scope: Scope) -> Node:
        """EXISTS / IN subqueries, correlated or not, and comparisons with scalar subqueries."""
        alias, t = self.pick(scope.items)
        r = self.rng.random()
        if r < 0.45:
            inner = self.correlated(alias, t, scope, exists=True)
            neg = "NOT " if self.chance(0.4) else ""
            return Seq("b", [f"{neg}EXISTS (", inner, ")"])
        if r < 0.75:
            c = self.pick(t.cols)
            t2 = self.table()
            cands = [x for x in t2.cols if x.kind == c.kind] if self.chance(0.7) else t2.cols
            c2 = self.pick(cands or t2.cols)
            a2 = self.alias()
            inner_scope = Scope([(a2, t2)], scope)
            where = self.pred(inner_scope, 1, sub=False) if self.chance(0.7) else None
            sel = Select(ListN([self.colref(a2, c2)]), TableRef(t2.name, a2), where,
                         keys=[f"{a2}.{qi('Id')}"])
            sel = self.maybe_limit(sel, a2, t2)
            neg = "NOT " if self.chance(0.35) else ""
            return Seq("b", [self.colref(alias, c), f" {neg}IN (", sel, ")"])
        # comparison with a scalar subquery
        c = self.pick(t.cols)
        scalar = self.scalar_sub(scope, want=c.kind)
        return Seq("b", [self.colref(alias, c), f" {self.pick(CMP)} ", scalar])

    def correlated(self, alias: str, t: Table, scope: Scope, exists: bool) -> Select:
        """SELECT … FROM <related table> WHERE <correlation> [AND …]: the child table of an app,
        the app of a child table, or another table through a column with shared values, or a
        text-vs-number comparison."""
        a2 = self.alias()
        kids = self.children.get(t.name, [])
        corr: Node
        if kids and self.chance(0.7):
            t2 = self.pick(kids)
            corr = Raw(f"{a2}.{qi('RecordId')} = {alias}.{qi('Id')}", "b")
        elif t.parent and self.chance(0.6):
            t2 = self.cat.table(t.parent)
            corr = Raw(f"{a2}.{qi('Id')} = {alias}.{qi('RecordId')}", "b")
        else:
            links = [lk for lk in self.links
                     if lk[0].name == self.src(t).name or lk[2].name == self.src(t).name]
            if links and self.chance(0.7):
                a, ca, b, cb, _ = self.pick(links)
                if a.name == self.src(t).name:
                    t2, c_here, c_there = b, ca, cb
                else:
                    t2, c_here, c_there = a, cb, ca
                if not any(c.name == c_here.name for c in t.cols):
                    c_here = self.pick(t.cols)
            else:
                t2 = self.table()
                c_here = self.pick(t.cols)
                c_there = self.pick(t2.cols)
            op = self.pick(["=", "=", "=", "==", "IS", "<", ">="])
            corr = Raw(f"{a2}.{qi(c_there.name)} {op} {alias}.{qi(c_here.name)}", "b")
        inner_scope = Scope([(a2, t2)], scope)
        where: Node = corr
        if self.chance(0.6):
            where = Seq("b", [corr, " AND ", self.pred(inner_scope, 1, sub=False)], hoist=(0, 1))
        cols = ListN([Raw("1")]) if exists else ListN([self.colref(a2, self.pick(t2.cols))])
        sel = Select(cols, TableRef(t2.name, a2), where, keys=[f"{a2}.{qi('Id')}"],
                     order_free=exists)
        if exists and self.chance(0.25):
            sel = sel._copy(limit=self.operand(self.pick([1, 2, 0, 5])),
                            offset=self.operand(self.pick([1, 2, 3])) if self.chance(0.5) else None)
        return sel

    def scalar_sub(self, scope: Scope, want: str | None = None) -> Node:
        """(SELECT agg FROM …), correlated or not, or
        (SELECT col … ORDER BY Id LIMIT 1 OFFSET k)."""
        alias, t = self.pick(scope.items)
        r = self.rng.random()
        if r < 0.5:
            inner = self.correlated(alias, t, scope, exists=False)
            c_expr = inner.cols.items[0]
            agg = self.pick(["COUNT(*)", "COUNT({})", "MAX({})", "MIN({})", "SUM({})", "TOTAL({})",
                             "AVG({})", "COUNT(DISTINCT {})"])
            if self.chance(0.25):
                # one value through ORDER BY Id LIMIT 1 OFFSET k: a LIMIT per outer row
                a2 = inner.keys[0].split(".")[0]
                sel = inner._copy(
                    order=ListN([OrderItem(Raw(f"{a2}.{qi('Id')}"), self.chance(0.3))]),
                    limit=self.operand(1, 0.3),
                    offset=self.operand(self.pick([0, 1, 2]), 0.3) if self.chance(0.6) else None)
                return Seq("v", ["(", sel, ")"])
            before, _, after = agg.partition("{}")
            col = Seq("v", [before, c_expr, after]) if "{}" in agg else Raw(agg)
            sel = inner._copy(cols=ListN([col]))
            sel.agg = True
            return Seq("v", ["(", sel, ")"])
        t2 = self.table()
        a2 = self.alias()
        cands = [c for c in t2.cols if want is None or c.kind == want] or t2.cols
        c2 = self.pick(cands)
        inner_scope = Scope([(a2, t2)], scope)
        where = self.pred(inner_scope, 1, sub=False) if self.chance(0.5) else None
        if self.chance(0.5):
            agg = self.pick(["MAX", "MIN", "COUNT", "SUM", "AVG", "TOTAL"])
            sel = Select(ListN([Seq("v", [f"{agg}(", self.colref(a2, c2), ")"])]),
                         TableRef(t2.name, a2), where, agg=True, keys=[f"{a2}.{qi('Id')}"])
        else:
            sel = Select(ListN([self.colref(a2, c2)]), TableRef(t2.name, a2), where,
                         order=ListN([OrderItem(Raw(f"{a2}.{qi('Id')}"), self.chance(0.4))]),
                         limit=self.operand(1, 0.3),
                         offset=self.operand(
                             self.pick([0, 1, 2, 3, 10, 499, 500, 1500, 10000]), 0.4),
                         keys=[f"{a2}.{qi('Id')}"])
        return Seq("v", ["(", sel, ")"])

    # --- queries ---------------------------------------------------------------------------

    def narrow(self, scope: Scope, where: Node | None, p: float = 0.93) -> Node | None:
        """AND a range on the record id of each large table (pushed down to kintone), so that
        statements over the big apps stay cheap enough for a few thousand per run; the driver's
        joins of an app with its child table cost time in proportion to both sizes."""
        for alias, t in scope.items:
            t = self.src(t)
            if (len(t.rows) <= 1500 or not self.chance(p)
                    or t.name not in [x.name for x in self.cat.tables]):
                continue
            col = "RecordId" if t.parent else "Id"
            ids = len(t.rows) if not t.parent else len(self.cat.table(t.parent).rows)
            lo = self.rng.randrange(0, max(1, ids))
            span = self.pick([50, 200, 400, 700])
            rng = Raw(f"{alias}.{qi(col)} BETWEEN {lo} AND {lo + span}", "b")
            where = rng if where is None else Seq("b", [where, " AND ", rng], hoist=(0, 1))
        return where

    def maybe_limit(self, sel: Select, alias: str, t: Table, p: float = 0.3) -> Select:
        if not self.chance(p):
            return sel
        if sel.order is None:
            sel = sel._copy(order=ListN([OrderItem(Raw(f"{alias}.{qi('Id')}"), self.chance(0.3))]))
        return self.limit_on(sel)

    @overload
    def limit_on(self, sel: Select) -> Select: ...
    @overload
    def limit_on(self, sel: Compound) -> Compound: ...

    def limit_on(self, sel: Select | Compound) -> Select | Compound:
        n = self.pick([0, 1, 2, 3, 5, 10, 100, 499, 500, 501, 1000, 1999, 2000, 2001, 5000, -1])
        off = self.pick([0, 1, 2, 3, 10, 499, 500, 1000, 1999, 2999, 10000, 10001, -1])
        sel_limit = self.operand(n, 0.3)
        sel_off = self.operand(off, 0.3) if self.chance(0.4) else None
        if isinstance(sel, Select):
            return sel._copy(limit=sel_limit, offset=sel_off,
                             comma_limit=sel_off is not None and self.chance(0.2))
        sel.limit, sel.offset = sel_limit, sel_off
        return sel

    def select_items(self, scope: Scope, n: int | None = None) -> list[Node]:
        items: list[Node] = []
        for _ in range(n or self.rng.randint(1, 4)):
            alias, t = self.pick(scope.items)
            c = self.pick(t.cols)
            r = self.rng.random()
            if r < 0.62:
                items.append(self.colref(alias, c))
            elif r < 0.86:
                items.append(self.expr(alias, c, p=1.0)[0])
            elif r < 0.93:
                items.append(Seq("v", ["typeof(", self.colref(alias, c), ")"], hoist=(0,)))
            else:
                items.append(self.scalar_sub(scope))
        return items

    def order_for(self, scope: Scope, items: list[Node], total: float = 0.85) -> ListN:
        order: list[Node] = []
        for _ in range(self.rng.randint(0, 2)):
            if self.chance(0.5) and items:
                position = Raw(str(self.rng.randrange(len(items)) + 1))
                order.append(OrderItem(position, self.chance(0.3)))
            else:
                alias, t = self.pick(scope.items)
                order.append(OrderItem(self.colref(alias, self.pick(t.cols)), self.chance(0.3),
                                       self.pick(["", "", "", "FIRST", "LAST"])))
        if self.chance(total) or not order:
            for alias, _ in scope.items:
                order.append(OrderItem(Raw(f"{alias}.{qi('Id')}"), self.chance(0.3)))
        return ListN(order)

    def simple(self) -> Node:
        t = self.table()
        a = self.alias()
        scope = Scope([(a, t)])
        star = Seq("v", ["*"], alts=[self.colref(a, c) for c in t.cols])
        cols = ListN([star]) if self.chance(0.08) else ListN(self.select_items(scope))
        where = self.pred(scope, self.rng.randint(0, 3)) if self.chance(0.9) else None
        sel = Select(cols, TableRef(t.name, a), self.narrow(scope, where), keys=[f"{a}.{qi('Id')}"],
                     distinct=self.chance(0.05))
        if self.chance(0.6):
            sel = sel._copy(order=self.order_for(scope, cols.items))
            if self.chance(0.4) and sel.total_order():
                sel = self.limit_on(sel)
        return sel

    def group_expr(self, alias: str, t: Table) -> Node:
        small = [c for c in t.cols
                 if 0 < len(self.counts.get((self.src(t).name, c.name), ())) <= 40]
        if small and self.chance(0.6):
            return self.colref(alias, self.pick(small))
        c = self.pick(t.cols)
        ref = self.colref(alias, c)
        fmt = {"date": "substr({}, 1, 7)", "datetime": "strftime('%Y', {})",
               "json": "json_array_length({})", "num": "CAST({} / 1000000 AS INTEGER)",
               "id": "{} % 7", "int": "{} % 3", "text": "substr({}, 1, 1)",
               "time": "substr({}, 1, 2)"}[c.kind]
        before, after = fmt.split("{}")
        return Seq("v", [before, ref, after])

    def aggregate(self) -> Node:
        t = self.table()
        a = self.alias()
        scope = Scope([(a, t)])
        frm: Node = TableRef(t.name, a)
        kids = self.children.get(t.name)
        if kids and self.chance(0.3):
            t2 = self.pick(kids)
            a2 = self.alias()
            scope = Scope([(a, t), (a2, t2)])
            jt = self.pick(["JOIN", "LEFT JOIN"])
            frm = Seq("src", [frm, f" {jt} ", TableRef(t2.name, a2),
                              f" ON {a2}.{qi('RecordId')} = {a}.{qi('Id')}"])
        groups = [self.group_expr(*self.pick(scope.items)) for _ in range(self.rng.randint(0, 2))]
        aggs: list[Node] = []
        for _ in range(self.rng.randint(1, 4)):
            alias, tt = self.pick(scope.items)
            c = self.pick(tt.cols)
            fn = self.pick(["COUNT(*)", "COUNT({})", "COUNT(DISTINCT {})", "SUM({})", "TOTAL({})",
                            "AVG({})", "MIN({})", "MAX({})", "SUM({})", "MAX({})"])
            if "{}" in fn:
                before, after = fn.split("{}")
                inner, _ = self.expr(alias, c, p=0.15)
                aggs.append(Seq("v", [before, inner, after]))
            else:
                aggs.append(Raw(fn))
        where = self.narrow(
            scope, self.pred(scope, self.rng.randint(0, 2)) if self.chance(0.7) else None)
        items = groups + aggs
        having = None
        if groups and self.chance(0.3):
            op = self.pick([">", ">=", "<", "=", "<>"])
            having = Seq("b", [self.pick(aggs), f" {op} ",
                               self.operand(self.pick([0, 1, 2, 5, 10, 1000000, 0.5, "1"]))])
        sel = Select(ListN(items), frm, where, ListN(groups) if groups else None, having,
                     agg=True, keys=[f"{x}.{qi('Id')}" for x, _ in scope.items])
        if groups and self.chance(0.8):
            order = [OrderItem(Raw(str(i + 1)), self.chance(0.3)) for i in range(len(groups))]
            self.rng.shuffle(order)
            sel = sel._copy(order=ListN(order))
            if self.chance(0.3):
                sel = self.limit_on(sel)
        return sel

    def count(self) -> Node:
        """SELECT COUNT(*) FROM one table WHERE a conjunction of comparisons, mostly of an id
        column with a value (the statements kintone's totalCount may answer in one request),
        sometimes of any column in any way."""
        t = self.table()
        a = self.alias()
        ids = [c for c in t.cols if c.kind == "id"]
        terms: list[Node] = []
        for _ in range(self.rng.randint(1, 3)):
            if not ids or self.chance(0.2):
                terms.append(self.atom(Scope([(a, t)])))
                continue
            c = self.pick(ids)
            lhs = self.colref(a, c)
            r = self.rng.random()
            if r < 0.6:
                op = self.pick(CMP)
                rhs = self.operand(self.value(t, c))
                terms.append(Seq("b", [rhs, f" {op} ", lhs] if self.chance(0.15)
                                 else [lhs, f" {op} ", rhs]))
            elif r < 0.8:
                lo, hi = self.value(t, c), self.value(t, c)
                try:
                    if hi < lo:
                        lo, hi = hi, lo
                except TypeError:
                    pass
                terms.append(Seq("b", [lhs, " BETWEEN ", self.operand(lo), " AND ",
                                       self.operand(hi)]))
            else:
                terms.append(Seq("b", [lhs, " " + self.pick(
                    ["IS NULL", "IS NOT NULL", "ISNULL", "NOTNULL"])]))
        where = terms[0]
        for term in terms[1:]:
            where = Seq("b", [where, " AND ", term], hoist=(0, 1))
        return Select(ListN([Raw("COUNT(*)")]), TableRef(t.name, a), where, agg=True)

    def join(self) -> Node:
        r = self.rng.random()
        parents = [t for t in self.cat.tables if t.name in self.children]
        if r < 0.3 and parents:
            p = self.pick(parents)
            c = self.pick(self.children[p.name])
            ap, ac = self.alias(), self.alias()
            if self.chance(0.5):
                left, right = (p, ap), (c, ac)
            else:
                left, right = (c, ac), (p, ap)
            cond = f"{ac}.{qi('RecordId')} = {ap}.{qi('Id')}"
            if self.chance(0.2):
                cond = f"{ap}.{qi('Id')} = {ac}.{qi('RecordId')}"
        elif self.links and r < 0.8:
            a, ca, b, cb, _ = self.pick(self.links)
            ap, ac = self.alias(), self.alias()
            left, right = (a, ap), (b, ac)
            cond = f"{ac}.{qi(cb.name)} = {ap}.{qi(ca.name)}"
        else:
            # a text or number column of one table against a column of another kind
            a = self.table()
            b = self.pick([t for t in self.cat.tables if len(t.rows) * len(a.rows) <= 2_500_000]
                          or [a])
            ca = self.pick([c for c in a.cols if c.kind in ("text", "num", "date")] or a.cols)
            cb = self.pick([c for c in b.cols if c.kind != ca.kind] or b.cols)
            ap, ac = self.alias(), self.alias()
            left, right = (a, ap), (b, ac)
            cond = f"{ac}.{qi(cb.name)} {self.pick(['=', '=', '<', '>='])} {ap}.{qi(ca.name)}"
            if cond.split()[1] != "=" and len(a.rows) * len(b.rows) > 400_000:
                cond = cond.replace(" < ", " = ").replace(" >= ", " = ")
        jt = self.pick(["JOIN", "JOIN", "LEFT JOIN", "INNER JOIN", "CROSS JOIN"])
        (lt_, la), (rt_, ra) = left, right
        scope = Scope([(la, lt_), (ra, rt_)])
        if jt == "CROSS JOIN":
            frm = Seq("src", [TableRef(lt_.name, la), ", ", TableRef(rt_.name, ra)])
            extra = Raw(cond, "b")
        else:
            frm = Seq("src", [TableRef(lt_.name, la), f" {jt} ", TableRef(rt_.name, ra),
                              f" ON {cond}"])
            extra = None
        where = self.narrow(
            scope, self.pred(scope, self.rng.randint(0, 2)) if self.chance(0.75) else None)
        if extra is not None:
            where = extra if where is None else Seq("b", [extra, " AND ", where], hoist=(1,))
        keys = [f"{la}.{qi('Id')}", f"{ra}.{qi('Id')}"]
        if self.chance(0.35):
            cols = ListN([Raw("COUNT(*)")]
                         + ([Seq("v", ["SUM(", self.colref(ra, self.pick(rt_.cols)), ")"])]
                            if self.chance(0.5) else []))
            return Select(cols, frm, where, agg=True, keys=keys)
        items = self.select_items(scope)
        sel = Select(ListN(items), frm, where, keys=keys)
        if self.chance(0.7):
            sel = sel._copy(order=self.order_for(scope, items, 0.9))
            if self.chance(0.4) and sel.total_order():
                sel = self.limit_on(sel)
        return sel

    def with_subquery(self) -> Node:
        """A query whose WHERE holds EXISTS / IN / scalar subqueries, or whose select list holds
        correlated scalar subqueries."""
        t = self.table()
        a = self.alias()
        scope = Scope([(a, t)])
        if self.chance(0.4):
            items = [self.colref(a, self.pick(t.cols)) for _ in range(self.rng.randint(0, 2))]
            items += [self.scalar_sub(scope) for _ in range(self.rng.randint(1, 2))]
            where = self.pred(scope, 1, sub=False) if self.chance(0.6) else None
        else:
            items = self.select_items(scope)
            where = self.sub_pred(scope)
            if self.chance(0.5):
                where = Seq("b", [where, f" {self.pick(['AND', 'OR'])} ", self.pred(scope, 1)],
                            hoist=(0, 1))
        sel = Select(ListN(items), TableRef(t.name, a), self.narrow(scope, where, 0.95),
                     keys=[f"{a}.{qi('Id')}"])
        if self.chance(0.6):
            sel = sel._copy(order=self.order_for(scope, items, 0.95))
            if self.chance(0.3) and sel.total_order():
                sel = self.limit_on(sel)
        return sel

    def multi_scan(self) -> Node:
        """One table read several times in one statement with different LIMIT/OFFSET."""
        t = self.table()
        parts: list[Node] = []
        for _ in range(self.rng.randint(2, 4)):
            a = self.alias()
            r = self.rng.random()
            if r < 0.3:
                where = self.pred(Scope([(a, t)]), 1, sub=False) if self.chance(0.5) else None
                sel: Node = Select(ListN([Raw("COUNT(*)")]), TableRef(t.name, a), where, agg=True)
            elif r < 0.8:
                c = self.pick(t.cols)
                where = self.pred(Scope([(a, t)]), 1, sub=False) if self.chance(0.3) else None
                sel = Select(ListN([self.colref(a, c)]), TableRef(t.name, a), where,
                             order=ListN([OrderItem(Raw(f"{a}.{qi('Id')}"), self.chance(0.4))]),
                             limit=self.operand(self.pick([1, 1, 1, 2]), 0.3),
                             offset=self.operand(
                                 self.pick([0, 1, 3, 7, 499, 500, 501, 1000, 10000]), 0.4),
                             keys=[f"{a}.{qi('Id')}"])
                if self.chance(0.3):  # a subquery returning several rows: one value of it
                    several = sel._copy(cols=ListN([Seq("v", [self.colref(a, c), " AS x"])]),
                                        limit=self.operand(self.pick([2, 3, 10])))
                    sel = Select(ListN([Raw("MAX(x)")]), Seq("src", ["(", several, ") AS s"]),
                                 agg=True)
            else:
                agg = self.pick(["MAX", "MIN", "SUM", "COUNT"])
                c = self.pick(t.cols)
                where = self.pred(Scope([(a, t)]), 1, sub=False)
                sel = Select(ListN([Seq("v", [f"{agg}(", self.colref(a, c), ")"])]),
                             TableRef(t.name, a), where, agg=True)
            parts.append(Seq("v", ["(", sel, ")"]))
        if self.chance(0.3):
            # the same table in FROM too, with a LIMIT of its own
            a = self.alias()
            base = Select(ListN([Raw(f"{a}.{qi('Id')}"), *parts]), TableRef(t.name, a),
                          self.pred(Scope([(a, t)]), 1, sub=False) if self.chance(0.5) else None,
                          order=ListN([OrderItem(Raw(f"{a}.{qi('Id')}"))]),
                          keys=[f"{a}.{qi('Id')}"])
            return self.limit_on(base)
        return Select(ListN(parts))

    def derived_pair(self) -> Node:
        """Two limited scans of one table joined or compounded."""
        t = self.table()
        scans = []
        for _ in range(2):
            a = self.alias()
            where = self.pred(Scope([(a, t)]), 1, sub=False) if self.chance(0.4) else None
            sel = Select(ListN([Raw(f"{a}.{qi('Id')}"), self.colref(a, self.pick(t.cols))]),
                         TableRef(t.name, a), where,
                         order=ListN([OrderItem(Raw(f"{a}.{qi('Id')}"), self.chance(0.5))]),
                         keys=[f"{a}.{qi('Id')}"])
            scans.append(self.limit_on(sel))
        cross = self.chance(0.3)
        if cross:  # a cross product: keep both sides small
            scans = [s._copy(limit=self.operand(self.pick([0, 1, 2, 3, 5, 10, 40]), 0.3))
                     for s in scans]
        if self.chance(0.5):
            op = self.pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])
            left = Select(ListN([Raw("*")]), Seq("src", ["(", scans[0], ")"]))
            right = Select(ListN([Raw("*")]), Seq("src", ["(", scans[1], ")"]))
            return Compound(left, op, right, ListN([OrderItem(Raw("1")), OrderItem(Raw("2"))]),
                            ncols=2)
        x, y = self.alias(), self.alias()
        cols = ListN([Raw(f"{x}.*"), Raw(f"{y}.*")])
        cond = "1" if cross else self.pick([f"{x}.{qi('Id')} = {y}.{qi('Id')}",
                                            f"{x}.{qi('Id')} < {y}.{qi('Id')}"])
        if cond.endswith("< " + f"{y}.{qi('Id')}") and len(t.rows) > 400:
            cond = f"{x}.{qi('Id')} = {y}.{qi('Id')}"
        frm = Seq("src", ["(", scans[0], f") AS {x} JOIN (", scans[1], f") AS {y} ON {cond}"])
        return Select(cols, frm,
                      order=ListN([OrderItem(Raw(f"{x}.{qi('Id')}")),
                                   OrderItem(Raw(f"{y}.{qi('Id')}"))]),
                      keys=[f"{x}.{qi('Id')}", f"{y}.{qi('Id')}"])

    def compound(self) -> Node:
        kind = self.pick(["num", "text", "date", "id", "datetime", "time"])
        n = self.rng.randint(1, 2)
        members = []
        for _ in range(2):
            t = self.table()
            a = self.alias()
            cols = [c for c in t.cols if c.kind == kind] or t.cols
            items = [self.colref(a, self.pick(cols)) for _ in range(n)]
            where = self.pred(Scope([(a, t)]), self.rng.randint(0, 2)) if self.chance(0.8) else None
            members.append(Select(ListN(items, min_len=n), TableRef(t.name, a), where))
        op = self.pick(["UNION", "UNION ALL", "INTERSECT", "EXCEPT", "UNION"])
        comp = Compound(members[0], op, members[1], ncols=n)
        if self.chance(0.6):
            order = [OrderItem(Raw(str(i + 1)), self.chance(0.3)) for i in range(n)]
            comp.order = ListN(order, min_len=n)
            if self.chance(0.4):
                comp = self.limit_on(comp)
        if self.chance(0.25):
            return Select(ListN([Raw("COUNT(*)")]), Seq("src", ["(", comp, ")"]), agg=True)
        return comp

    def cte(self) -> Node:
        t = self.table()
        a = self.alias()
        self.n_cte += 1
        name = f"c{self.n_cte}"
        chosen: list[Col] = []
        for c in self.rng.sample(t.cols, min(len(t.cols), self.rng.randint(1, 4))):
            if c.name not in [x.name for x in chosen]:
                chosen.append(c)
        if not any(c.name == "Id" for c in chosen):
            chosen.insert(0, t.cols[0])
        inner = Select(ListN([self.colref(a, c) for c in chosen]), TableRef(t.name, a),
                       (self.pred(Scope([(a, t)]), self.rng.randint(0, 2)) if self.chance(0.7)
                        else None),
                       keys=[f"{a}.{qi('Id')}"])
        inner = self.maybe_limit(inner, a, t, 0.3)
        pseudo = Table(name, t.app_id, list(chosen), parent=None)
        pseudo.source = self.src(t)  # type: ignore[attr-defined]
        b = self.alias()
        scope = Scope([(b, pseudo)])
        frm: Node = TableRef(name, b, local=True)
        kids = self.children.get(self.src(t).name)
        if kids and self.chance(0.3):
            k = self.pick(kids)
            ka = self.alias()
            frm = Seq("src", [frm, " JOIN ", TableRef(k.name, ka),
                              f" ON {ka}.{qi('RecordId')} = {b}.{qi('Id')}"])
            scope = Scope([(b, pseudo), (ka, k)])
        items = self.select_items(scope)
        body = Select(ListN(items), frm, self.pred(scope, 1) if self.chance(0.7) else None,
                      keys=[f"{x}.{qi('Id')}" for x, _ in scope.items])
        if self.chance(0.6):
            body = body._copy(order=self.order_for(scope, items, 0.9))
        ctes: list[Node] = [Seq("cte", [f"{name} AS (", inner, ")"])]
        if self.chance(0.25):
            # the same table through a second CTE
            a3 = self.alias()
            self.n_cte += 1
            name2 = f"c{self.n_cte}"
            inner2 = Select(ListN([Raw("COUNT(*) AS n")]), TableRef(t.name, a3),
                            self.pred(Scope([(a3, t)]), 1, sub=False), agg=True)
            ctes.append(Seq("cte", [f"{name2} AS (", inner2, ")"]))
            body = body._copy(cols=ListN([*body.cols.items, Raw(f"(SELECT n FROM {name2})")]))
        return With(ListN(ctes), body)

    def recursive_offsets(self) -> Node:
        """Correlated scalar subqueries evaluated once per row of a small recursive CTE, each
        with its own LIMIT/OFFSET or bound taken from the outer row."""
        t = self.table()
        a = self.alias()
        k = self.rng.randint(2, 6)
        c = self.pick(t.cols)
        step = self.pick([1, 7, 100, 500])
        if self.chance(0.6):
            inner = Select(ListN([self.colref(a, c)]), TableRef(t.name, a),
                           Raw(f"{a}.{qi('Id')} > r.n * {step}", "b"),
                           order=ListN([OrderItem(Raw(f"{a}.{qi('Id')}"), self.chance(0.3))]),
                           limit=self.operand(1, 0.3),
                           offset=self.operand(self.pick([0, 1, 2, 5]), 0.3),
                           keys=[f"{a}.{qi('Id')}"])
        else:
            inner = Select(ListN([Raw("COUNT(*)")]), TableRef(t.name, a),
                           Raw(f"{a}.{qi('Id')} <= r.n * {step}", "b"), agg=True)
        body = Select(ListN([Raw("r.n"), Seq("v", ["(", inner, ")"])]), Raw("r", "src"),
                      order=ListN([OrderItem(Raw("r.n"))]), keys=["r.n"])
        cte = Raw(f"r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < {k})", "cte")
        return With(ListN([cte]), body, recursive=True)

    def window(self) -> Node:
        t = self.table()
        a = self.alias()
        scope = Scope([(a, t)])
        c = self.pick(t.cols)
        g = self.group_expr(a, t)
        idr = Raw(f"{a}.{qi('Id')}")
        fn: list[str | Node] = self.pick([
            ["ROW_NUMBER() OVER (ORDER BY ", self.colref(a, c), f", {a}.{qi('Id')})"],
            ["COUNT(*) OVER (PARTITION BY ", g, ")"],
            ["SUM(", self.colref(a, c), f") OVER (ORDER BY {a}.{qi('Id')})"],
            ["LAG(", self.colref(a, c), f") OVER (ORDER BY {a}.{qi('Id')})"],
            ["MAX(", self.colref(a, c), ") OVER (PARTITION BY ", g, ")"],
            ["RANK() OVER (ORDER BY ", self.colref(a, c), ")"],
        ])
        items = [idr, self.colref(a, c), Seq("v", fn)]
        sel = Select(ListN(items), TableRef(t.name, a),
                     self.pred(scope, 1) if self.chance(0.7) else None,
                     order=ListN([OrderItem(Raw(f"{a}.{qi('Id')}"))]), keys=[f"{a}.{qi('Id')}"])
        return self.limit_on(sel) if self.chance(0.3) else sel

    def app_alias(self) -> Node:
        """The App_<id> name of an app."""
        aliases = list(self.cat.aliases.items())
        alias_name, target = self.pick(aliases)
        t = self.cat.table(target)
        a = self.alias()
        scope = Scope([(a, t)])
        items = self.select_items(scope)
        sel = Select(ListN(items), TableRef(alias_name, a), self.pred(scope, 1),
                     order=self.order_for(scope, items, 1.0), keys=[f"{a}.{qi('Id')}"])
        return sel

    def cross(self) -> Node:
        """A column of one table compared with a column of another (or the same) table whose
        affinity differs (text against number, number against date, …), as a join condition,
        in a correlated EXISTS, in IN (subquery) or in a correlated count; the outer value is
        sometimes wrapped so that it carries another affinity (CAST, unary +, || '')."""
        a, b = self.table(), self.table()
        if len(a.rows) * len(b.rows) > 1_000_000 and self.chance(0.7):
            b = min(self.cat.tables, key=lambda t: len(t.rows))
        ca = self.pick(a.cols)
        others = [c for c in b.cols if c.kind != ca.kind]
        cb = self.pick(others if others and self.chance(0.7) else b.cols)
        x, y = self.alias(), self.alias()
        outer: Node = self.colref(x, ca)
        wrap = self.pick(["", "", "", "CAST({} AS INTEGER)", "CAST({} AS REAL)", "CAST({} AS TEXT)",
                          "CAST({} AS NUMERIC)", "+{}", "{} || ''", "{} + 0"])
        if wrap:
            before, after = wrap.split("{}")
            outer = Seq("v", [before, outer, after], hoist=(0,))
        op = self.pick(["=", "=", "=", "==", "IS", "<", "<=", ">", ">=", "!="])
        if len(a.rows) * len(b.rows) > 300_000 and op not in ("=", "==", "IS"):
            op = "="
        form = self.rng.random()
        keys = [f"{x}.{qi('Id')}"]
        where_extra = self.narrow(Scope([(x, a)]), self.pred(Scope([(x, a)]), 1, sub=False)
                                  if self.chance(0.3) else None, 0.95)
        if form < 0.35:
            cols = ListN([Raw(f"{x}.{qi('Id')}"), Raw(f"{y}.{qi('Id')}")])
            frm = Seq("src", [TableRef(a.name, x), f" {self.pick(['JOIN', 'LEFT JOIN'])} ",
                              TableRef(b.name, y), f" ON {y}.{qi(cb.name)} {op} ", outer])
            return Select(cols, frm, where_extra,
                          order=ListN([OrderItem(Raw(f"{x}.{qi('Id')}")),
                                       OrderItem(Raw(f"{y}.{qi('Id')}"))]),
                          keys=[*keys, f"{y}.{qi('Id')}"])
        inner_where = Seq("b", [f"{y}.{qi(cb.name)} {op} ", outer])
        if form < 0.65:
            neg = "NOT " if self.chance(0.3) else ""
            cond: Node = Seq("b", [f"{neg}EXISTS (", Select(ListN([Raw("1")]), TableRef(b.name, y),
                                                            inner_where, order_free=True), ")"])
        elif form < 0.85:
            neg = "NOT " if self.chance(0.3) else ""
            cond = Seq("b", [outer, f" {neg}IN (", Select(ListN([self.colref(y, cb)]),
                                                          TableRef(b.name, y)), ")"])
        else:
            cnt = Select(ListN([Raw("COUNT(*)")]), TableRef(b.name, y), inner_where, agg=True)
            return Select(ListN([Raw(f"{x}.{qi('Id')}"), Seq("v", ["(", cnt, ")"])]),
                          TableRef(a.name, x), where_extra,
                          order=ListN([OrderItem(Raw(f"{x}.{qi('Id')}"))]), keys=keys)
        where = (cond if where_extra is None
                 else Seq("b", [cond, " AND ", where_extra], hoist=(0, 1)))
        return Select(ListN([Raw(f"{x}.{qi('Id')}"), self.colref(x, ca)]), TableRef(a.name, x),
                      where, order=ListN([OrderItem(Raw(f"{x}.{qi('Id')}"))]), keys=keys)

    SHAPES: ClassVar[list[tuple[float, str]]] = [
        (30, "simple"), (12, "aggregate"), (14, "join"), (14, "with_subquery"), (6, "multi_scan"),
        (4, "derived_pair"), (6, "compound"), (5, "cte"), (2, "recursive_offsets"), (3, "window"),
        (2, "app_alias"), (8, "cross"),
    ]

    #: edge values: more of the statements that compare values across types and tables
    EDGE_SHAPES: ClassVar[list[tuple[float, str]]] = [
        (30, "simple"), (8, "aggregate"), (12, "join"), (12, "with_subquery"), (3, "multi_scan"),
        (2, "derived_pair"), (5, "compound"), (4, "cte"), (1, "recursive_offsets"), (2, "window"),
        (1, "app_alias"), (25, "cross"),
    ]

    def statement(self, index: int) -> tuple[str, Node]:
        """Statement number ``index`` of this seed (each drawn from its own random stream, so
        that one can be regenerated alone)."""
        self.rng = random.Random(f"{self.seed}:{index}")
        self.n_alias = 0
        self.n_cte = 0
        shape = self.weighted(self.shapes)
        return shape, getattr(self, shape)()

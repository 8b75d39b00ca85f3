"""A small SQL syntax tree: enough structure to render SQL with ``?`` parameters, to know
whether a statement's row order is defined, and to make a statement smaller for the minimiser.

Every node has a *sort*: ``v`` (a value expression), ``b`` (a condition), ``q`` (a query), ``src``
(a FROM item), ``l`` (a list), ``o`` (an ORDER BY item). A node offers :meth:`Node.shrinks`,
simpler nodes of its own sort that may replace it; the minimiser also tries each child in place
of its parent when their sorts agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .binding import Unbindable, bind, literal


class Out:
    def __init__(self, tmap: Callable[[str], str]) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []
        self.tmap = tmap

    def w(self, s: str) -> None:
        self.parts.append(s)


def qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Node:
    sort = "v"

    def kids(self) -> Sequence[Node]:
        return ()

    def rebuild(self, kids: Sequence[Node]) -> Node:
        return self

    def render(self, o: Out) -> None:
        raise NotImplementedError

    def shrinks(self) -> list[Node]:
        return []

    def ok(self) -> bool:
        return True

    def text(self) -> str:
        """SQL text with the real table names and parameters shown as ``?``."""
        o = Out(qi)
        self.render(o)
        return "".join(o.parts)


class Raw(Node):
    def __init__(self, sql: str, sort: str = "v") -> None:
        self.sql = sql
        self.sort = sort

    def render(self, o: Out) -> None:
        o.w(self.sql)


class Lit(Node):
    def __init__(self, value: Any) -> None:
        self.value = value

    def render(self, o: Out) -> None:
        o.w(literal(self.value))


class Param(Node):
    def __init__(self, value: Any) -> None:
        self.value = value

    def render(self, o: Out) -> None:
        o.w("?")
        o.params.append(self.value)

    def shrinks(self) -> list[Node]:
        try:
            b = bind(self.value)
        except Unbindable:
            return []
        return [Lit(b)]


class TableRef(Node):
    sort = "src"

    def __init__(self, table: str, alias: str | None, local: bool = False) -> None:
        self.table = table
        self.alias = alias
        self.local = local  # a CTE name: never mapped

    def render(self, o: Out) -> None:
        o.w(qi(self.table) if self.local else o.tmap(self.table))
        if self.alias:
            o.w(" AS " + self.alias)


class TableName(Node):
    """A bare table name (in a subquery's FROM, where no alias is wanted)."""

    sort = "tn"

    def __init__(self, table: str) -> None:
        self.table = table

    def render(self, o: Out) -> None:
        o.w(o.tmap(self.table))


class Seq(Node):
    """Concatenated SQL pieces and child nodes; ``hoist`` names children (by their index among
    the children) that may replace this node, ``alts`` are other replacements."""

    def __init__(self, sort: str, parts: Sequence[str | Node], hoist: Sequence[int] = (),
                 alts: Sequence[Node] = ()) -> None:
        self.sort = sort
        self.parts = list(parts)
        self.hoist = tuple(hoist)
        self.alts = tuple(alts)

    def kids(self) -> Sequence[Node]:
        return [p for p in self.parts if isinstance(p, Node)]

    def rebuild(self, kids: Sequence[Node]) -> Node:
        it = iter(kids)
        parts = [next(it) if isinstance(p, Node) else p for p in self.parts]
        return Seq(self.sort, parts, self.hoist, self.alts)

    def render(self, o: Out) -> None:
        for p in self.parts:
            if isinstance(p, str):
                o.w(p)
            else:
                p.render(o)

    def shrinks(self) -> list[Node]:
        kids = self.kids()
        out: list[Node] = [
            kids[i] for i in self.hoist if i < len(kids) and kids[i].sort == self.sort
        ]
        return out + list(self.alts)


class ListN(Node):
    sort = "l"

    def __init__(self, items: Sequence[Node], sep: str = ", ", min_len: int = 1) -> None:
        self.items = list(items)
        self.sep = sep
        self.min_len = min_len

    def kids(self) -> Sequence[Node]:
        return self.items

    def rebuild(self, kids: Sequence[Node]) -> Node:
        return ListN(kids, self.sep, self.min_len)

    def render(self, o: Out) -> None:
        for i, it in enumerate(self.items):
            if i:
                o.w(self.sep)
            it.render(o)

    def shrinks(self) -> list[Node]:
        if len(self.items) <= self.min_len:
            return []
        return [ListN(self.items[:i] + self.items[i + 1:], self.sep, self.min_len)
                for i in range(len(self.items))]


class OrderItem(Node):
    sort = "o"

    def __init__(self, expr: Node, desc: bool = False, nulls: str = "") -> None:
        self.expr = expr
        self.desc = desc
        self.nulls = nulls

    def kids(self) -> Sequence[Node]:
        return (self.expr,)

    def rebuild(self, kids: Sequence[Node]) -> Node:
        return OrderItem(kids[0], self.desc, self.nulls)

    def render(self, o: Out) -> None:
        self.expr.render(o)
        if self.desc:
            o.w(" DESC")
        if self.nulls:
            o.w(" NULLS " + self.nulls)

    def key(self) -> str:
        return self.expr.text()

    def shrinks(self) -> list[Node]:
        out: list[Node] = []
        if self.desc or self.nulls:
            out.append(OrderItem(self.expr))
        return out


_SLOTS = ("cols", "frm", "where", "group", "having", "order", "limit", "offset")


class Select(Node):
    """SELECT [DISTINCT] cols [FROM frm] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT [OFFSET]].

    ``keys``: for each FROM source, the text of a column that is unique in it (its Id); ordering
    by all of them (or by every output column) defines the row order. ``order_free``: the
    context ignores which rows a LIMIT keeps (EXISTS, COUNT(*) over it).
    """

    sort = "q"

    def __init__(self, cols: ListN, frm: Node | None = None, where: Node | None = None,
                 group: ListN | None = None, having: Node | None = None,
                 order: ListN | None = None, limit: Node | None = None,
                 offset: Node | None = None, *, distinct: bool = False,
                 keys: Sequence[str] = (), agg: bool = False, order_free: bool = False,
                 comma_limit: bool = False) -> None:
        self.cols, self.frm, self.where, self.group = cols, frm, where, group
        self.having, self.order, self.limit, self.offset = having, order, limit, offset
        self.distinct = distinct
        self.keys = tuple(keys)
        self.agg = agg
        self.order_free = order_free
        self.comma_limit = comma_limit

    def _copy(self, **kw: Any) -> Select:
        args = {s: getattr(self, s) for s in _SLOTS}
        args.update({k: v for k, v in kw.items() if k in _SLOTS})
        return Select(**args, distinct=kw.get("distinct", self.distinct), keys=self.keys,
                      agg=self.agg, order_free=self.order_free,
                      comma_limit=kw.get("comma_limit", self.comma_limit))

    def kids(self) -> Sequence[Node]:
        return [getattr(self, s) for s in _SLOTS if getattr(self, s) is not None]

    def rebuild(self, kids: Sequence[Node]) -> Node:
        it = iter(kids)
        args = {s: (next(it) if getattr(self, s) is not None else None) for s in _SLOTS}
        return self._copy(**args)

    def render(self, o: Out) -> None:
        o.w("SELECT ")
        if self.distinct:
            o.w("DISTINCT ")
        self.cols.render(o)
        if self.frm is not None:
            o.w(" FROM ")
            self.frm.render(o)
        if self.where is not None:
            o.w(" WHERE ")
            self.where.render(o)
        if self.group is not None:
            o.w(" GROUP BY ")
            self.group.render(o)
        if self.having is not None:
            o.w(" HAVING ")
            self.having.render(o)
        if self.order is not None:
            o.w(" ORDER BY ")
            self.order.render(o)
        if self.limit is not None:
            if self.comma_limit and self.offset is not None:
                o.w(" LIMIT ")
                self.offset.render(o)
                o.w(", ")
                self.limit.render(o)
                return
            o.w(" LIMIT ")
            self.limit.render(o)
            if self.offset is not None:
                o.w(" OFFSET ")
                self.offset.render(o)

    def shrinks(self) -> list[Node]:
        out: list[Node] = []
        if self.where is not None:
            out.append(self._copy(where=None))
        if self.having is not None:
            out.append(self._copy(having=None))
        if self.group is not None:
            out.append(self._copy(group=None, having=None))
        if self.limit is not None:
            out.append(self._copy(limit=None, offset=None))
        if self.offset is not None:
            out.append(self._copy(offset=None))
        if self.order is not None:
            out.append(self._copy(order=None))
        if self.distinct:
            out.append(self._copy(distinct=False))
        if self.comma_limit:
            out.append(self._copy(comma_limit=False))
        return out

    def ncols(self) -> int:
        return len(self.cols.items)

    def total_order(self) -> bool:
        """Whether ORDER BY fixes the order of the rows (up to identical rows)."""
        if self.agg and self.group is None:
            return True  # one row
        if self.order is None:
            return False
        okeys = {it.key() for it in self.order.items if isinstance(it, OrderItem)}
        outs = [c.text() for c in self.cols.items]
        okeys |= {outs[int(k) - 1] for k in list(okeys) if k.isdigit() and 0 < int(k) <= len(outs)}
        if "*" not in outs and all(c in okeys or str(i + 1) in okeys for i, c in enumerate(outs)):
            return True
        if self.group is not None:
            return all(g.text() in okeys for g in self.group.items)
        if self.distinct or self.agg:
            return False
        return bool(self.keys) and all(k in okeys for k in self.keys)

    def ok(self) -> bool:
        if (self.limit is not None or self.offset is not None) and not self.order_free:
            return self.total_order()
        return True


class Compound(Node):
    """left op right [ORDER BY positions] [LIMIT n [OFFSET m]]."""

    sort = "q"

    def __init__(self, left: Node, op: str, right: Node, order: ListN | None = None,
                 limit: Node | None = None, offset: Node | None = None, ncols: int = 1) -> None:
        self.left, self.op, self.right = left, op, right
        self.order, self.limit, self.offset = order, limit, offset
        self.n = ncols

    def kids(self) -> Sequence[Node]:
        parts = (self.left, self.right, self.order, self.limit, self.offset)
        return [k for k in parts if k is not None]

    def rebuild(self, kids: Sequence[Node]) -> Node:
        it = iter(kids)
        vals = [next(it) if k is not None else None
                for k in (self.left, self.right, self.order, self.limit, self.offset)]
        return Compound(vals[0], self.op, vals[1], vals[2], vals[3], vals[4], self.n)  # type: ignore[arg-type]

    def render(self, o: Out) -> None:
        self.left.render(o)
        o.w(f" {self.op} ")
        self.right.render(o)
        if self.order is not None:
            o.w(" ORDER BY ")
            self.order.render(o)
        if self.limit is not None:
            o.w(" LIMIT ")
            self.limit.render(o)
            if self.offset is not None:
                o.w(" OFFSET ")
                self.offset.render(o)

    def shrinks(self) -> list[Node]:
        out: list[Node] = []
        if self.order is None and self.limit is None:
            out += [self.left, self.right]
        if self.limit is not None:
            out.append(Compound(self.left, self.op, self.right, self.order, None, None, self.n))
        if self.order is not None and self.limit is None:
            out.append(Compound(self.left, self.op, self.right, None, None, None, self.n))
        if self.op != "UNION ALL":
            out.append(Compound(self.left, "UNION ALL", self.right, self.order, self.limit,
                                self.offset, self.n))
        return out

    def ncols(self) -> int:
        return self.n

    def total_order(self) -> bool:
        if self.order is None:
            return False
        keys = {it.key() for it in self.order.items if isinstance(it, OrderItem)}
        return all(str(i + 1) in keys for i in range(self.n))

    def ok(self) -> bool:
        if self.limit is not None:
            return self.total_order()
        return True


class With(Node):
    sort = "q"

    def __init__(self, ctes: ListN, body: Node, recursive: bool = False) -> None:
        self.ctes, self.body, self.recursive = ctes, body, recursive

    def kids(self) -> Sequence[Node]:
        return (self.ctes, self.body)

    def rebuild(self, kids: Sequence[Node]) -> Node:
        return With(kids[0], kids[1], self.recursive)  # type: ignore[arg-type]

    def render(self, o: Out) -> None:
        o.w("WITH RECURSIVE " if self.recursive else "WITH ")
        self.ctes.render(o)
        o.w(" ")
        self.body.render(o)

    def shrinks(self) -> list[Node]:
        return [self.body]

    def total_order(self) -> bool:
        return bool(getattr(self.body, "total_order", lambda: False)())


def walk(node: Node, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Node]]:
    yield path, node
    for i, k in enumerate(node.kids()):
        yield from walk(k, (*path, i))


def replace(node: Node, path: tuple[int, ...], new: Node) -> Node:
    if not path:
        return new
    kids = list(node.kids())
    kids[path[0]] = replace(kids[path[0]], path[1:], new)
    return node.rebuild(kids)


def valid(node: Node) -> bool:
    return all(n.ok() for _, n in walk(node))


def size(node: Node) -> int:
    return sum(1 for _ in walk(node))


def render(node: Node, tmap: Callable[[str], str] = qi) -> tuple[str, list[Any]]:
    o = Out(tmap)
    node.render(o)
    return "".join(o.parts), o.params


def total_order(node: Node) -> bool:
    f = getattr(node, "total_order", None)
    return bool(f()) if f else False

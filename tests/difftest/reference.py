"""The reference side: kintone records read over REST and decoded independently of the driver.

Nothing here imports the driver's decoder. Records come from ``GET /k/v1/records.json`` (paged by
``$id``) and field definitions from ``GET /k/v1/app/form/fields.json``, with urllib and the
``X-Cybozu-Authorization`` header. Values are converted following the README's "Types" table:

- every empty kintone value (``null``, ``""``, ``[]``) is NULL;
- ``$id``, ``$revision``, RECORD_NUMBER of an app without code: INTEGER;
- NUMBER and number-format CALC: DECIMAL (NUMERIC affinity), stored as a 64-bit integer when the
  value is integral and fits, else as an IEEE double (``NumberMapToDouble``: DOUBLE, a double);
- DATE: ``YYYY-MM-DD``; TIME: ``HH:MM:SS``; DATETIME, CREATED_TIME, UPDATED_TIME:
  ``YYYY-MM-DDTHH:MM:SSZ`` in UTC; declared ISODATE / ISOTIME / ISODATETIME as the driver does;
- text-like fields: the text; CREATOR / MODIFIER: the login name;
- CHECK_BOX, MULTI_SELECT, CATEGORY: JSON array of the options, ``["a","b"]``; USER_SELECT,
  ORGANIZATION_SELECT, GROUP_SELECT, STATUS_ASSIGNEE: ``[{"code":…,"name":…}]``; FILE:
  ``[{"contentType","fileKey","name","size"}]`` (compact JSON, UTF-8 kept as is);
- a SUBTABLE is a child table ``<app>_<label>`` with ``Id`` (the row id), ``RecordId`` and its
  fields.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import re
import sqlite3
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

SYSTEM_TABLES = {
    "sys_catalogs", "sys_schemas", "sys_tables", "sys_tablecolumns", "sys_views",
    "sys_procedures", "sys_procedureparameters", "sys_keycolumns", "sys_foreignkeys",
    "sys_indexes", "sys_connection_props", "sys_sqlinfo", "sys_identity", "sys_information",
}

TEXT_TYPES = {
    "SINGLE_LINE_TEXT", "MULTI_LINE_TEXT", "RICH_TEXT", "LINK", "RADIO_BUTTON", "DROP_DOWN",
    "STATUS",
}
LIST_TYPES = {"CHECK_BOX", "MULTI_SELECT", "CATEGORY"}
ENTITY_TYPES = {"USER_SELECT", "ORGANIZATION_SELECT", "GROUP_SELECT", "STATUS_ASSIGNEE"}


@dataclass
class Col:
    name: str
    decl: str  # INTEGER, DECIMAL, DOUBLE, VARCHAR, ISODATE, ISOTIME, ISODATETIME
    kind: str  # id, int, num, text, json, date, time, datetime
    ftype: str  # kintone field type ("__ID__" ...)
    code: str
    options: list[str] = field(default_factory=list)


@dataclass
class Table:
    name: str
    app_id: int
    cols: list[Col]
    parent: str | None = None  # child tables: the app's table
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def col(self, name: str) -> Col:
        return next(c for c in self.cols if c.name == name)


@dataclass
class Catalog:
    tables: list[Table]
    aliases: dict[str, str]  # App_<id> -> table name

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


class Rest:
    """A tiny kintone REST client on urllib (password authentication)."""

    def __init__(self, url: str, user: str, password: str) -> None:
        self.url = url.rstrip("/")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"X-Cybozu-Authorization": token}
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, path: str, **params: Any) -> Any:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        req = urllib.request.Request(url, headers=self.headers)
        with self.opener.open(req, timeout=60) as resp:
            return json.load(resp)

    def records(self, app: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        last = 0
        while True:
            page = self.get(
                "/k/v1/records.json", app=app,
                query=f"$id > {last} order by $id asc limit 500",
            )["records"]
            out.extend(page)
            if len(page) < 500:
                return out
            last = int(page[-1]["$id"]["value"])


# --- values --------------------------------------------------------------------------------


def _number(text: str, double: bool) -> Any:
    t = text.strip()
    if double:
        return float(t)
    d = decimal.Decimal(t)
    if d == d.to_integral_value() and INT64_MIN <= d <= INT64_MAX:
        return int(d)
    return float(t)


_RFC3339 = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)$"
)


def _datetime(text: str) -> str:
    m = _RFC3339.match(text)
    assert m, f"kintone sent a DATETIME that is not RFC 3339: {text!r}"
    y, mo, d, h, mi, s, zone = m.groups()
    value = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        value -= sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value:%H:%M:%S}Z"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sql_value(col: Col, raw: Any) -> Any:
    """One kintone ``value`` as the SQL value the README documents."""
    if raw is None or raw == "" or raw == []:
        return None
    ft = col.ftype
    if ft in LIST_TYPES:
        return _json([str(v) for v in raw])
    if ft in ENTITY_TYPES:
        return _json([{"code": e.get("code"), "name": e.get("name")} for e in raw])
    if ft == "FILE":
        return _json([
            {"contentType": f.get("contentType"), "fileKey": f.get("fileKey"),
             "name": f.get("name"), "size": f.get("size")}
            for f in raw
        ])
    if ft in ("CREATOR", "MODIFIER"):
        return raw.get("code") or None
    assert isinstance(raw, str), (col, raw)
    if col.decl == "INTEGER":
        try:
            n = int(raw)
        except ValueError:
            return raw
        return n if INT64_MIN <= n <= INT64_MAX else raw
    if col.decl in ("DECIMAL", "DOUBLE"):
        return _number(raw, col.decl == "DOUBLE")
    if col.decl == "ISODATE":
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", raw), raw
        return raw
    if col.decl == "ISOTIME":
        if re.fullmatch(r"\d\d:\d\d", raw):
            return raw + ":00"
        assert re.fullmatch(r"\d\d:\d\d:\d\d", raw), raw
        return raw
    if col.decl == "ISODATETIME":
        return _datetime(raw)
    return raw


# --- tables and columns --------------------------------------------------------------------


def _column(prop: dict[str, Any], app_code: str, double: bool) -> Col | None:
    ft = prop["type"]
    code = prop["code"]
    label = prop.get("label") or code
    options = sorted(prop["options"]) if isinstance(prop.get("options"), dict) else []
    number = ("DOUBLE" if double else "DECIMAL", "num")
    if ft in ("STATUS", "STATUS_ASSIGNEE", "CATEGORY") and prop.get("enabled") is False:
        return None
    if ft == "NUMBER":
        decl, kind = number
    elif ft == "CALC":
        fmt = prop.get("format") or "NUMBER"
        decl, kind = {
            "DATE": ("ISODATE", "date"), "TIME": ("ISOTIME", "time"),
            "DATETIME": ("ISODATETIME", "datetime"), "HOUR_MINUTE": ("VARCHAR", "text"),
            "DAY_HOUR_MINUTE": ("VARCHAR", "text"),
        }.get(fmt, number)
    elif ft == "RECORD_NUMBER":
        decl, kind = ("VARCHAR", "text") if app_code else ("INTEGER", "int")
    elif ft == "DATE":
        decl, kind = "ISODATE", "date"
    elif ft == "TIME":
        decl, kind = "ISOTIME", "time"
    elif ft in ("DATETIME", "CREATED_TIME", "UPDATED_TIME"):
        decl, kind = "ISODATETIME", "datetime"
    elif ft in TEXT_TYPES or ft in ("CREATOR", "MODIFIER"):
        decl, kind = "VARCHAR", "text"
    elif ft in LIST_TYPES or ft in ENTITY_TYPES or ft == "FILE":
        decl, kind = "VARCHAR", "json"
    else:
        return None
    return Col(label, decl, kind, ft, code, options)


def _name_columns(cols: list[Col], taken: list[str]) -> None:
    """README: a label clashing with a system column or an earlier label is ``<label>_<code>``."""
    used = {t.lower() for t in taken}
    for c in cols:
        name = c.name
        if name.lower() in used:
            name = f"{c.name}_{c.code}"
        base, i = name, 2
        while name.lower() in used:
            name, i = f"{base}_{i}", i + 1
        used.add(name.lower())
        c.name = name


def load(url: str, user: str, password: str, *, number_map_to_double: bool = False) -> Catalog:
    """Every app the user sees (``apps.json``; guest-space apps are not there, as they are not
    tables of a connection without GuestSpaceId), its fields and all its records."""
    rest = Rest(url, user, password)
    tables: list[Table] = []
    names: dict[str, int] = {}
    aliases: dict[str, str] = {}
    apps: list[dict[str, Any]] = []
    while True:
        page = rest.get("/k/v1/apps.json", offset=len(apps), limit=100)["apps"]
        apps += page
        if len(page) < 100:
            break
    for app in sorted(apps, key=lambda a: int(a["appId"])):
        app_id = int(app["appId"])
        name = app["name"]
        if name in names or name.lower() in SYSTEM_TABLES:
            name = f"{name}_{app_id}"
        names[name] = app_id
        aliases[f"App_{app_id}"] = name
        props = rest.get("/k/v1/app/form/fields.json", app=app_id)["properties"]
        cols = [Col("Id", "INTEGER", "id", "__ID__", "$id"),
                Col("Revision", "INTEGER", "int", "__REVISION__", "$revision")]
        fields = []
        subtables = []
        for code in sorted(props):
            prop = dict(props[code])
            prop.setdefault("code", code)
            if prop["type"] == "SUBTABLE":
                subtables.append(prop)
                continue
            col = _column(prop, app.get("code") or "", number_map_to_double)
            if col is not None:
                fields.append(col)
        _name_columns(fields, ["Id", "Revision"])
        main = Table(name, app_id, cols + fields)
        children = []
        for sub in subtables:
            inner = []
            for code in sorted(sub["fields"]):
                prop = dict(sub["fields"][code])
                prop.setdefault("code", code)
                col = _column(prop, "", number_map_to_double)
                if col is not None:
                    inner.append(col)
            _name_columns(inner, ["Id", "RecordId"])
            child = Table(
                f"{name}_{sub.get('label') or sub['code']}", app_id,
                [
                    Col("Id", "INTEGER", "id", "__ID__", "id"),
                    Col("RecordId", "INTEGER", "int", "__ID__", "$id"),
                    *inner,
                ],
                parent=name,
            )
            child.sub_code = sub["code"]  # type: ignore[attr-defined]
            children.append(child)
        for rec in rest.records(app_id):
            rid = int(rec["$id"]["value"])
            row = [rid, int(rec["$revision"]["value"])]
            row += [sql_value(c, rec[c.code]["value"]) for c in fields]
            main.rows.append(tuple(row))
            for child in children:
                for line in rec[child.sub_code]["value"]:  # type: ignore[attr-defined]
                    crow = [int(line["id"]), rid]
                    crow += [sql_value(c, line["value"][c.code]["value"]) for c in child.cols[2:]]
                    child.rows.append(tuple(crow))
        for child in children:
            child.rows.sort(key=lambda r: r[0])
        tables.append(main)
        tables.extend(children)
    return Catalog(tables, aliases)


def qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_sqlite(cat: Catalog) -> sqlite3.Connection:
    """Python's stdlib sqlite3 with one real table per kintone table (same declared types, so
    the same affinities; rowid = Id so that plain scans come in Id order as the driver's do),
    and the ``App_<id>`` names as views."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    for t in cat.tables:
        cols = ", ".join(f"{qi(c.name)} {c.decl}" for c in t.cols)
        db.execute(f"CREATE TABLE {qi(t.name)} ({cols})")
        names = ", ".join(["rowid"] + [qi(c.name) for c in t.cols])
        marks = ", ".join("?" for _ in range(len(t.cols) + 1))
        db.executemany(
            f"INSERT INTO {qi(t.name)} ({names}) VALUES ({marks})",
            [(r[0], *r) for r in t.rows],
        )
        # Indexes change no result (only the order of rows whose order is undefined) and keep
        # correlated subqueries on the reference side from being quadratic.
        db.execute(f"CREATE INDEX {qi('ix ' + t.name + ' Id')} ON {qi(t.name)} (\"Id\")")
        if t.parent:
            index = qi("ix " + t.name + " RecordId")
            db.execute(f"CREATE INDEX {index} ON {qi(t.name)} (\"RecordId\")")
    for alias, name in cat.aliases.items():
        db.execute(f"CREATE VIEW {qi(alias)} AS SELECT * FROM {qi(name)}")
    db.commit()
    return db


def load_oracle(conn: Any, cat: Catalog, prefix: str) -> None:
    """The same rows in TEMP tables of a driver connection (named ``prefix + name``): the
    driver's own SQLite over plain tables, used only to tell SQLite-version differences
    (3.40 in Python vs the driver's) from driver bugs. Rows go in as parameters (ints, doubles,
    text: the driver binds them exactly; SQL or JSON text would go through SQLite's
    decimal-to-double conversion, which is not correctly rounded for large exponents)."""
    for t in cat.tables:
        cols = ", ".join(f"{qi(c.name)} {c.decl}" for c in t.cols)
        name = qi(prefix + t.name)
        conn.execute(f"CREATE TEMP TABLE {name} ({cols})")
        names = ", ".join(["rowid"] + [qi(c.name) for c in t.cols])
        width = len(t.cols) + 1
        per = max(1, 30000 // width)
        for i in range(0, len(t.rows), per):
            chunk = t.rows[i:i + per]
            marks = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
            params = [v for r in chunk for v in (r[0], *r)]
            conn.execute(f"INSERT INTO {name} ({names}) VALUES {marks}", params)
    for alias, target in cat.aliases.items():
        view, table = qi(prefix + alias), qi(prefix + target)
        conn.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM {table}")

"""The SQLAlchemy 2 dialect: ``create_engine("kintone://…")``.

Installing the package registers the dialect with SQLAlchemy (the ``sqlalchemy.dialects`` entry
points ``kintone`` and ``kintone.cdata``), so both ``kintone://`` and ``kintone+cdata://`` URLs
work without importing this module. It needs the ``sqlalchemy`` extra.

URLs (see the README's SQLAlchemy section):

- ``kintone://USER:PASSWORD@example.cybozu.com/?Name=value&Name=value``: the host is the kintone
  domain (``Url=https://<host>[:port]``), user and password the password login, and every query
  parameter a connection property, URL-encoded (``urllib.parse.quote_plus``).
- ``kintone:///?User=…;Password=…;Url=…``: the reference product's form, the connection string
  after the ``?``. SQLAlchemy decodes the query before the dialect sees it, so a ``+`` in it
  becomes a space and ``%XX`` the character it stands for (``&`` is kept).
- Lossless for any value: ``create_engine("kintone://", connect_args={"Password": …})`` (the
  arguments of :func:`cdata_kintone.connect`) or ``creator=lambda: cdata_kintone.connect(…)``.

kintone has no transactions: every statement takes effect when it runs (the isolation level is
``AUTOCOMMIT``); ``commit()`` and ``rollback()`` change nothing. There is no ``RETURNING``: the ids
kintone gave inserted records are :attr:`cdata_kintone.Cursor.inserted_ids`. SQL is SQLite's, with
``"double"`` quoting (``[brackets]`` are accepted too in text SQL). Tables are kintone apps:
``CREATE TABLE`` and ``DROP TABLE`` (``df.to_sql`` to a new table or with
``if_exists="replace"``) raise :class:`cdata_kintone.NotSupportedError`, except for ``TEMPORARY``
tables, which live as long as the connection.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.sqlite.base import (
    SQLiteCompiler,
    SQLiteIdentifierPreparer,
    SQLiteTypeCompiler,
)
from sqlalchemy.engine import URL, Connection, default, reflection
from sqlalchemy.engine.interfaces import (
    IsolationLevel,
    ReflectedColumn,
    ReflectedForeignKeyConstraint,
    ReflectedPrimaryKeyConstraint,
    ReflectedTableComment,
)
from sqlalchemy.exc import CompileError, NoSuchTableError
from sqlalchemy.sql import compiler
from sqlalchemy.sql.ddl import CreateTable, DropTable

from .connection import quote_property_value
from .exceptions import NotSupportedError, ProgrammingError

__all__ = ["KintoneDialect", "connection_string_from_url"]

#: SQLAlchemy's type of each declared type the driver reports (``sys_tablecolumns``).
_TYPES: dict[str, sqltypes.TypeEngine[Any]] = {
    "INTEGER": sqltypes.INTEGER(),
    "DECIMAL": sqltypes.DECIMAL(asdecimal=True),
    "DOUBLE": sqltypes.DOUBLE(),
    "DATE": sqltypes.DATE(),
    "TIME": sqltypes.TIME(),
    "DATETIME": sqltypes.DATETIME(timezone=True),
    "VARCHAR": sqltypes.VARCHAR(),
    "BOOLEAN": sqltypes.BOOLEAN(),
}

#: The suffixes of the companion tables of an app table (``Deals#UPSERT``, ``Deals#TEMP``).
_COMPANIONS = ("#UPSERT", "#TEMP")

# A query parameter holding ";Name=": the reference's form, the connection string after "?".
_REFERENCE_FORM = re.compile(r";\s*[A-Za-z_]\w*\s*=")


def connection_string_from_url(url: URL) -> str:
    """The connection string a ``kintone://`` URL stands for (see the module's doc)."""
    query = list(_query_pairs(url.query))
    if any(";" in k or _REFERENCE_FORM.search(v) for k, v in query):
        # SQLAlchemy split the connection string at each "&": join it back.
        parts = ["&".join(f"{k}={v}" for k, v in query)]
    else:
        parts = [f"{k}={quote_property_value(v)}" for k, v in query]
    given = {k.strip().lower() for k, _ in query}
    if url.database:
        raise ProgrammingError(
            f"kintone URL: the path /{url.database} has no meaning; connection properties go in "
            "the query: kintone://example.cybozu.com/?User=…&Password=…"
        )
    if url.host:
        if "url" in given:
            raise ProgrammingError("kintone URL: give the domain either as the host or as Url=")
        port = f":{url.port}" if url.port else ""
        parts.append(f"Url={quote_property_value(f'https://{url.host}{port}')}")
    if url.username is not None:
        parts.append(f"User={quote_property_value(url.username)}")
    if url.password is not None:
        parts.append(f"Password={quote_property_value(str(url.password))}")
    return ";".join(parts)


def _query_pairs(query: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    pairs = []
    for key, value in query.items():
        if not isinstance(value, str):
            raise ProgrammingError(f"kintone URL: the property {key} is given more than once")
        pairs.append((key, value))
    return pairs


def _is_temporary(table: Any) -> bool:
    return any(str(p).upper() in ("TEMP", "TEMPORARY") for p in table._prefixes)


def _refuse_ddl(verb: str, name: str) -> NotSupportedError:
    return NotSupportedError(
        f"cannot {verb} table {name!r}: tables are kintone apps, created and removed in kintone "
        "(an app's fields are its columns). To add rows to an app, append to it "
        "(df.to_sql(name, engine, if_exists='append', index=False)); a TEMPORARY table "
        "(Table(..., prefixes=['TEMPORARY'])) lives as long as the connection"
    )


class KintoneCompiler(SQLiteCompiler):
    """SQLite's SQL, which the driver runs (``LIMIT -1 OFFSET n`` for an offset alone)."""

    def returning_clause(self, stmt: Any, returning_cols: Any, **kw: Any) -> str:
        raise CompileError(
            "kintone has no RETURNING: the ids kintone gave inserted records are the DB-API "
            "cursor's inserted_ids (result.context.cursor.inserted_ids)"
        )


class KintoneDDLCompiler(compiler.DDLCompiler):
    """DDL for TEMPORARY tables only: kintone's tables are apps."""

    def visit_create_table(self, create: CreateTable, **kw: Any) -> str:
        if not _is_temporary(create.element):
            raise _refuse_ddl("create", create.element.name)
        return str(super().visit_create_table(create, **kw))  # type: ignore[no-untyped-call]

    def visit_drop_table(self, drop: DropTable, **kw: Any) -> str:
        if not _is_temporary(drop.element):
            raise _refuse_ddl("drop", drop.element.name)
        return str(super().visit_drop_table(drop, **kw))  # type: ignore[no-untyped-call]


class KintoneDialect(default.DefaultDialect):
    """SQLAlchemy's dialect for kintone through :mod:`cdata_kintone`."""

    name = "kintone"
    driver = "cdata"
    supports_statement_cache = True
    default_paramstyle = "qmark"

    statement_compiler = KintoneCompiler
    ddl_compiler = KintoneDDLCompiler
    type_compiler_cls = SQLiteTypeCompiler
    preparer = SQLiteIdentifierPreparer

    # No RETURNING (ids: cursor.inserted_ids); executemany sends its rows to the core at once.
    insert_returning = False
    update_returning = False
    delete_returning = False
    postfetch_lastrowid = False
    use_insertmanyvalues = False
    supports_multivalues_insert = True
    supports_default_values = False
    supports_default_metavalue = False
    supports_empty_insert = False
    supports_sane_rowcount = True
    supports_sane_multi_rowcount = True
    # The driver returns Decimal, date, time and aware datetime values itself.
    supports_native_decimal = True
    supports_native_boolean = False
    supports_cast = True
    supports_alter = False
    supports_sequences = False
    supports_comments = False
    supports_simple_order_by_label = True
    tuple_in_values = True
    # Names of kintone apps and fields may be long and non-ASCII.
    max_identifier_length = 1024

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        import cdata_kintone

        return cdata_kintone

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        return [connection_string_from_url(url)], {}

    # --- no transactions -------------------------------------------------------------------

    def get_isolation_level_values(self, dbapi_conn: Any) -> list[IsolationLevel]:
        return ["AUTOCOMMIT"]

    def get_isolation_level(self, dbapi_connection: Any) -> IsolationLevel:
        return "AUTOCOMMIT"

    def set_isolation_level(self, dbapi_connection: Any, level: IsolationLevel) -> None:
        """Every statement takes effect when it runs: AUTOCOMMIT is the only level."""

    def _get_server_version_info(self, connection: Connection) -> tuple[int, ...]:
        from importlib.metadata import version

        return tuple(int(p) for p in re.findall(r"\d+", version("cdata-kintone"))[:3])

    # --- reflection (sys_tables and sys_tablecolumns) --------------------------------------
    # One schema, unnamed (the default schema name is None): every table is reflected with
    # schema=None, and a schema name finds no table.

    def get_schema_names(self, connection: Connection, **kw: Any) -> list[str]:
        return []

    @reflection.cache
    def _tables(
        self, connection: Connection, **kw: Any
    ) -> dict[str, tuple[str, str | None, str | None, str]]:
        """Every table and view by lower-cased name: (name, parent table, description, kind
        ``TABLE`` or ``VIEW``)."""
        rows = connection.exec_driver_sql(
            "SELECT TableName, ParentTable, Description, TableType FROM sys_tables "
            "ORDER BY TableName"
        )
        return {str(r[0]).lower(): (str(r[0]), r[1], r[2], str(r[3])) for r in rows}

    def _table(
        self, connection: Connection, table_name: str, schema: str | None, **kw: Any
    ) -> tuple[str, str | None, str | None, str]:
        tables = self._tables(connection, **kw) if schema is None else {}
        found = tables.get(table_name.lower())
        if found is None:
            raise NoSuchTableError(table_name)
        return found

    def get_table_names(
        self, connection: Connection, schema: str | None = None, **kw: Any
    ) -> list[str]:
        return self._names(connection, schema, "TABLE", **kw)

    def get_view_names(
        self, connection: Connection, schema: str | None = None, **kw: Any
    ) -> list[str]:
        return self._names(connection, schema, "VIEW", **kw)

    def _names(
        self, connection: Connection, schema: str | None, kind: str, **kw: Any
    ) -> list[str]:
        """The names of the tables (kind ``TABLE``) or views (``VIEW``)."""
        if schema is not None:
            return []
        tables = self._tables(connection, **kw).values()
        return [name for name, _, _, table_kind in tables if table_kind == kind]

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        """True for a table of ``sys_tables`` and for the ``#UPSERT`` and ``#TEMP`` companion
        tables of an app table (``df.to_sql("Deals#UPSERT", …)`` appends to it)."""
        if schema is not None:
            return False
        tables = self._tables(connection, **kw)
        name = table_name.lower()
        for suffix in _COMPANIONS:
            if name.endswith(suffix.lower()):
                base = tables.get(name[: -len(suffix)])
                return base is not None and base[1] is None and base[3] == "TABLE"
        return name in tables

    @reflection.cache
    def get_columns(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedColumn]:
        name, _, _, _ = self._table(connection, table_name, schema, **kw)
        rows = connection.exec_driver_sql(
            "SELECT ColumnName, DataTypeName, IsKey FROM sys_tablecolumns WHERE TableName = ? "
            "ORDER BY Ordinal",
            (name,),
        )
        columns: list[ReflectedColumn] = []
        for column, type_name, is_key in rows:
            typ = _TYPES.get(str(type_name).upper(), sqltypes.NULLTYPE)
            columns.append(
                {
                    "name": str(column),
                    "type": typ,
                    "nullable": not is_key,
                    "default": None,
                    "autoincrement": bool(is_key) and column == "Id",
                }
            )
        return columns

    @reflection.cache
    def get_pk_constraint(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> ReflectedPrimaryKeyConstraint:
        name, _, _, _ = self._table(connection, table_name, schema, **kw)
        rows = connection.exec_driver_sql(
            "SELECT ColumnName FROM sys_tablecolumns WHERE TableName = ? AND IsKey = 1 "
            "ORDER BY Ordinal",
            (name,),
        )
        return {"constrained_columns": [str(r[0]) for r in rows], "name": None}

    def get_foreign_keys(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[ReflectedForeignKeyConstraint]:
        """A child table's ``RecordId`` refers to its app table's ``Id``."""
        _, parent, _, _ = self._table(connection, table_name, schema, **kw)
        if not parent:
            return []
        return [
            {
                "name": None,
                "constrained_columns": ["RecordId"],
                "referred_schema": None,
                "referred_table": str(parent),
                "referred_columns": ["Id"],
                "options": {},
            }
        ]

    def get_table_comment(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> ReflectedTableComment:
        _, _, description, _ = self._table(connection, table_name, schema, **kw)
        return {"text": description}

    def get_indexes(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        self._table(connection, table_name, schema, **kw)
        return []

    def get_unique_constraints(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        self._table(connection, table_name, schema, **kw)
        return []

    def get_check_constraints(
        self, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        self._table(connection, table_name, schema, **kw)
        return []

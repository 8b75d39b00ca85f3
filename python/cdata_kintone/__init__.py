"""A PEP 249 (DB-API 2.0) driver for kintone, Cybozu's low-code database service.

>>> import cdata_kintone                      # or: import cdata.kintone as mod
>>> conn = cdata_kintone.connect("User=me;Password=secret;Url=https://example.cybozu.com")
>>> cur = conn.execute("SELECT [Customer], [Amount] FROM [Deals] WHERE [Stage] = ?", ["Won"])
>>> cur.fetchall()

Every kintone app is a table, every SUBTABLE a child table, and SQL runs over them. Importing
this package does not load the native core: that happens at the first :func:`connect` (or
``cdata_kintone.testing.Simulator()``). A process forked after that cannot use the core; start
workers with the ``spawn`` or ``forkserver`` method of :mod:`multiprocessing`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._activity import KintoneRequest
from .connection import Connection, connect
from .cursor import Cursor
from .dbapi_types import (
    BINARY,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    DBAPITypeObject,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)
from .exceptions import (
    AccessTokenInvalid,
    AppNotFound,
    AuthenticationError,
    CertificateError,
    ClientCertificatePasswordError,
    ClientCertificateRejected,
    ClientCertificateRequired,
    CursorNotFound,
    DatabaseError,
    DataError,
    DuplicateRecordId,
    Error,
    FieldNotFound,
    FileNotFound,
    IntegrityError,
    InterfaceError,
    InternalError,
    InvalidClient,
    InvalidGrant,
    InvalidInput,
    KintoneAPIError,
    KintoneQueryError,
    KintoneWarning,
    LockFailed,
    LoginFailed,
    LookupKeyNotFound,
    NotSupportedError,
    OAuthAccessDenied,
    OAuthError,
    OAuthNotAuthorized,
    OperationalError,
    PermissionDenied,
    ProgrammingError,
    QuerySyntaxError,
    RecordNotFound,
    RefreshTokenExpired,
    RevisionConflict,
    StatementCancelled,
    TokenRevoked,
    TooManyRequests,
    UntrustedServerCertificate,
    Warning,
)

if TYPE_CHECKING:
    #: The version of the installed distribution, ``importlib.metadata.version("cdata-kintone")``;
    #: the native core reports the same one.
    __version__: str
else:

    def __getattr__(name: str) -> str:
        # __version__ is read from the distribution's metadata when first asked for: importing
        # importlib.metadata would double the time `import cdata_kintone` takes.
        if name == "__version__":
            from importlib.metadata import version

            globals()["__version__"] = value = version("cdata-kintone")
            return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: PEP 249: "String constant stating the supported DB API level."
apilevel = "2.0"
#: PEP 249: "2: Threads may share the module and connections." Calls into the core are
#: serialized per connection by a lock; cursors must not be shared between threads.
threadsafety = 2
#: PEP 249: "Question mark style, e.g. ...WHERE name=?"
paramstyle = "qmark"

# A literal list, so that type checkers see every public name (mypy does not follow `+=`
# of another module's list). It holds the whole of exceptions.__all__ and
# dbapi_types.__all__ (tests/test_import.py checks that).
__all__ = [
    "apilevel",
    "threadsafety",
    "paramstyle",
    "connect",
    "Connection",
    "Cursor",
    "KintoneRequest",
    "__version__",
    # The PEP 249 exceptions with the kintone, OAuth and TLS errors.
    "Warning",
    "KintoneWarning",
    "Error",
    "InterfaceError",
    "DatabaseError",
    "DataError",
    "OperationalError",
    "IntegrityError",
    "InternalError",
    "ProgrammingError",
    "NotSupportedError",
    "KintoneAPIError",
    "AuthenticationError",
    "PermissionDenied",
    "AppNotFound",
    "RecordNotFound",
    "FileNotFound",
    "KintoneQueryError",
    "QuerySyntaxError",
    "FieldNotFound",
    "InvalidInput",
    "LookupKeyNotFound",
    "RevisionConflict",
    "DuplicateRecordId",
    "TooManyRequests",
    "CursorNotFound",
    "LockFailed",
    "LoginFailed",
    "OAuthError",
    "OAuthNotAuthorized",
    "OAuthAccessDenied",
    "InvalidClient",
    "InvalidGrant",
    "TokenRevoked",
    "RefreshTokenExpired",
    "AccessTokenInvalid",
    "CertificateError",
    "ClientCertificateRequired",
    "ClientCertificateRejected",
    "ClientCertificatePasswordError",
    "UntrustedServerCertificate",
    "StatementCancelled",
    # The PEP 249 types and constructors.
    "DBAPITypeObject",
    "Date",
    "Time",
    "Timestamp",
    "DateFromTicks",
    "TimeFromTicks",
    "TimestampFromTicks",
    "Binary",
    "STRING",
    "BINARY",
    "NUMBER",
    "DATETIME",
    "ROWID",
]

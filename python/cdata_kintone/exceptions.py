"""The PEP 249 exception tree, and kintone error codes mapped onto it.

PEP 249 requires this hierarchy::

    Exception
    |__Warning
    |__Error
       |__InterfaceError
       |__DatabaseError
          |__DataError
          |__OperationalError
          |__IntegrityError
          |__InternalError
          |__ProgrammingError
          |__NotSupportedError

Every exception carries ``.message`` (the text, without the code) and ``.code``: the kintone
error code such as ``"GAIA_IQ11"`` when the error came from kintone, else ``None``.
``str(exc)`` is the message followed by `` [CODE]`` when there is a code.

kintone errors with a well-known code are raised as subclasses of :class:`KintoneAPIError` that
also inherit the PEP 249 class the Go core chose, for example :class:`AppNotFound` is both a
``KintoneAPIError`` and a ``ProgrammingError``; ``except ProgrammingError`` keeps working. The
core decides the PEP 249 class; Python picks the most specific subclass registered for the code
that is a subclass of that class, and the plain PEP 249 class (still carrying ``.code``) when
there is none. All exceptions pickle (they cross process boundaries in multiprocessing).

Failures of the driver's own (OAuth and TLS) come with a *kind* from the core that selects a
dedicated subclass whatever the code: :class:`OAuthError` and its subclasses (``.code`` is the
OAuth error string such as ``"invalid_grant"``, or kintone's ``CB_OA01``), and
:class:`CertificateError` and its subclasses. ``.kind`` holds that kind (None otherwise).
"""

from __future__ import annotations

from typing import Any

__all__ = [
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
]

_PUBLIC_MODULE = "cdata_kintone"


class _CodedMixin:
    """Shared behaviour of Warning and Error: ``message``, ``code``, ``str()``, pickling."""

    message: str
    code: str | None
    kind: str | None = None

    def _init_coded(self, message: str, code: str | None) -> None:
        self.message = message
        self.code = code or None

    def __str__(self) -> str:
        if self.code:
            return f"{self.message} [{self.code}]"
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # args are (message, code) so that __init__ rebuilds the same object; any attribute
        # added later travels in the state dict.
        return (type(self), (self.message, self.code), dict(vars(self)))


# PEP 249 names this class "Warning", shadowing the builtin inside this module on purpose.
class Warning(_CodedMixin, Exception):
    """PEP 249: "Exception raised for important warnings like data truncations while
    inserting, etc." """

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self._init_coded(message, code)


class KintoneWarning(Warning, UserWarning):
    """Something the driver went past without failing: metadata kintone sent in a shape it
    did not expect (an app list entry, a field property) or a field type this version does not
    know (its column is left out). Issued with :func:`warnings.warn` after ``execute()`` (and
    ``connect()``) and logged to the ``cdata_kintone`` logger; never raised by the driver.

    It is both the PEP 249 :class:`Warning` and a :class:`UserWarning`, so
    ``warnings.simplefilter("error", cdata_kintone.KintoneWarning)`` turns it into an
    exception that ``except cdata_kintone.Warning`` catches."""


class Error(_CodedMixin, Exception):
    """PEP 249: "Exception that is the base class of all other error exceptions. You can use
    this to catch all errors with one single except statement."

    A write to kintone that did not complete carries what it did (the attributes below are
    None on other errors): ``committed_ids``, the ids of the records kintone confirmed, in
    row order; ``first_uncommitted_index``, the statement row or ``executemany`` parameter row
    where re-running must resume; ``row_index`` and ``field``, the row and column kintone
    named, when it named one; ``outcome_unknown``, True when the failed request may or may not
    have been applied (the connection broke after sending it), with ``unknown_rows``, the
    ``range`` of rows whose writes may or may not be in kintone, and ``unknown_ids``, the ids of
    the records it would have changed or deleted; ``later_committed_ids``, with
    ``InsertParallelism`` above 1, the ids of records that requests sent beside the failed one
    added from later rows and that could not be deleted again (``first_uncommitted_index`` is
    then None: no single row to resume from exists)."""

    committed_ids: list[int] | None = None
    first_uncommitted_index: int | None = None
    row_index: int | None = None
    field: str | None = None
    outcome_unknown: bool | None = None
    unknown_ids: list[int] | None = None
    unknown_rows: range | None = None
    later_committed_ids: list[int] | None = None

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self._init_coded(message, code)


class InterfaceError(Error):
    """PEP 249: "Exception raised for errors that are related to the database interface
    rather than the database itself." (Here: the native core is missing, or was loaded before
    a ``fork()``.)"""


class DatabaseError(Error):
    """PEP 249: "Exception raised for errors that are related to the database." """


class DataError(DatabaseError):
    """PEP 249: "Exception raised for errors that are due to problems with the processed data
    like division by zero, numeric value out of range, etc." """


class OperationalError(DatabaseError):
    """PEP 249: "Exception raised for errors that are related to the database's operation and
    not necessarily under the control of the programmer, e.g. an unexpected disconnect occurs,
    the data source name is not found, a transaction could not be processed, a memory
    allocation error occurred during processing, etc." """


class IntegrityError(DatabaseError):
    """PEP 249: "Exception raised when the relational integrity of the database is affected,
    e.g. a foreign key check fails." (Here also: kintone's optimistic locking, GAIA_CO02.)"""


class InternalError(DatabaseError):
    """PEP 249: "Exception raised when the database encounters an internal error, e.g. the
    cursor is not valid anymore, the transaction is out of sync, etc." (Here: a bug in the
    connector; please report it with the message.)"""


class ProgrammingError(DatabaseError):
    """PEP 249: "Exception raised for programming errors, e.g. table not found or already
    exists, syntax error in the SQL statement, wrong number of parameters specified, etc." """


class NotSupportedError(DatabaseError):
    """PEP 249: "Exception raised in case a method or database API was used which is not
    supported by the database." """


# --- kintone errors -------------------------------------------------------------------------


class KintoneAPIError(DatabaseError):
    """Base of the errors kintone reported with a known error code (``.code``)."""


class AuthenticationError(KintoneAPIError, OperationalError):
    """kintone refused the credentials: no or wrong password (CB_AU01, CB_WA01), an invalid or
    duplicate API token (GAIA_IA02, GAIA_DA03)."""


class PermissionDenied(KintoneAPIError, OperationalError):
    """The user or API token may not do this (CB_NO02, GAIA_NO01)."""


class AppNotFound(KintoneAPIError, ProgrammingError):
    """The app does not exist or was deleted (GAIA_AP01)."""


class RecordNotFound(KintoneAPIError, ProgrammingError):
    """The record or comment does not exist (GAIA_RE01, GAIA_RE02)."""


class FileNotFound(KintoneAPIError, ProgrammingError):
    """The attached file does not exist (GAIA_BL01)."""


class KintoneQueryError(KintoneAPIError, ProgrammingError):
    """kintone refused the query built for it: operators, functions, limits (GAIA_QU01,
    GAIA_QU02, GAIA_IQ03, GAIA_IQ07, GAIA_IQ10, GAIA_IQ23, GAIA_IQ25, GAIA_IL08, GAIA_IR02),
    or a guest-space app reached without its GuestSpaceId (GAIA_IL23)."""


class QuerySyntaxError(KintoneQueryError):
    """kintone refused a query as malformed (CB_VA01 when the core reports it as a
    programming error)."""


class FieldNotFound(KintoneQueryError):
    """A field named in the query does not exist (GAIA_IQ11)."""


class InvalidInput(KintoneAPIError, DataError):
    """kintone refused a value: "Missing or invalid input." (CB_VA01 when the core reports it
    as a data error)."""


class LookupKeyNotFound(KintoneAPIError, DataError):
    """A lookup field's key value matches no record of the source app (GAIA_LO04)."""


class RevisionConflict(KintoneAPIError, IntegrityError):
    """The record changed since it was read; nothing of the bulk request was applied
    (GAIA_CO02, HTTP 409)."""


class DuplicateRecordId(KintoneAPIError, IntegrityError):
    """One bulk update named the same record twice (GAIA_RE09)."""


class TooManyRequests(KintoneAPIError, OperationalError):
    """A kintone limit was reached: concurrent requests (GAIA_TO04) or open cursors
    (GAIA_TM12). Try again later."""


class CursorNotFound(KintoneAPIError, OperationalError):
    """A kintone cursor expired or was deleted (GAIA_CN01)."""


class LockFailed(KintoneAPIError, OperationalError):
    """kintone could not lock its database (GAIA_RE18, GAIA_DA02). Try again later."""


class LoginFailed(AuthenticationError):
    """kintone refused the login name or password (CB_WA01)."""


# --- OAuth ----------------------------------------------------------------------------------


class OAuthError(OperationalError):
    """Base of OAuth failures. ``.code`` is the OAuth error string of the token or
    authorization endpoint (``"invalid_grant"``, ``"invalid_client"``, ``"access_denied"``,
    ...), kintone's code (``"CB_OA01"``) when kintone refused a token, or None."""


class OAuthNotAuthorized(OAuthError):
    """The connection has no OAuth access token yet (InitiateOAuth=OFF without
    OAuthAccessToken, REFRESH with nothing to start from, or the desktop flow timed out)."""


class OAuthAccessDenied(OAuthError):
    """The user denied the authorization, or may not use the client (``access_denied``)."""


class InvalidClient(OAuthError):
    """The token endpoint refused the client credentials: wrong OAuthClientId or
    OAuthClientSecret (``invalid_client``)."""


class InvalidGrant(OAuthError):
    """The token endpoint refused an authorization code or a refresh token: invalid, expired,
    used, revoked or rotated away (``invalid_grant``)."""


class TokenRevoked(InvalidGrant):
    """kintone refused the access token before its expiry and then the refresh token: the
    authorization was revoked (``invalid_grant``)."""


class RefreshTokenExpired(InvalidGrant):
    """The access token had expired and the refresh token was refused too: it has expired
    (``invalid_grant``)."""


class AccessTokenInvalid(OAuthError):
    """kintone refused the access token (expired or revoked, ``CB_OA01``) and the connection
    cannot refresh it (InitiateOAuth=OFF, or no refresh token)."""


# --- TLS ------------------------------------------------------------------------------------


class CertificateError(Error):
    """Base of TLS certificate problems; each subclass is also the PEP 249 class that fits."""


class ClientCertificateRequired(CertificateError, OperationalError):
    """The server requires a client certificate (kintone's Secure Access) and none was given:
    set SSLClientCert."""


class ClientCertificateRejected(CertificateError, OperationalError):
    """The server refused the client certificate given as SSLClientCert."""


class ClientCertificatePasswordError(CertificateError, InterfaceError):
    """SSLClientCertPassword is missing or does not unlock the certificate's key."""


class UntrustedServerCertificate(CertificateError, OperationalError):
    """The server's certificate is not trusted (a private CA, a TLS-inspecting proxy, or an
    attack): trust it with SSLServerCert if it is expected."""


class StatementCancelled(OperationalError):
    """The statement was cancelled: by :meth:`Cursor.cancel` or :meth:`Connection.cancel`
    from another thread, or by Ctrl-C. The connection stays usable."""


_PEP249_CLASSES: dict[str, type[Error]] = {
    c.__name__: c
    for c in (
        Error,
        InterfaceError,
        DatabaseError,
        DataError,
        OperationalError,
        IntegrityError,
        InternalError,
        ProgrammingError,
        NotSupportedError,
    )
}

#: kintone error code -> the subclasses registered for it. A code may have several (CB_VA01 is
#: a query syntax error or invalid data); the class the core chose selects one. The core's
#: list of codes and kinds (``ErrorKinds``) is checked against this table and KIND_CLASSES by
#: tests/test_error_kinds.py.
CODE_CLASSES: dict[str, list[type[KintoneAPIError]]] = {}


def _register(cls: type[KintoneAPIError], *codes: str) -> None:
    for code in codes:
        CODE_CLASSES.setdefault(code, []).append(cls)


_register(AuthenticationError, "CB_AU01", "CB_WA01", "GAIA_IA02", "GAIA_DA03")
_register(PermissionDenied, "CB_NO02", "GAIA_NO01")
_register(AppNotFound, "GAIA_AP01")
_register(RecordNotFound, "GAIA_RE01", "GAIA_RE02")
_register(FileNotFound, "GAIA_BL01")
_register(
    KintoneQueryError,
    "GAIA_QU01",
    "GAIA_QU02",
    "GAIA_IQ03",
    "GAIA_IQ07",
    "GAIA_IQ10",
    "GAIA_IQ23",
    "GAIA_IQ25",
    "GAIA_IL08",
    "GAIA_IR02",
    "GAIA_IL23",
)
_register(QuerySyntaxError, "CB_VA01")
_register(FieldNotFound, "GAIA_IQ11")
_register(InvalidInput, "CB_VA01")
_register(LookupKeyNotFound, "GAIA_LO04")
_register(RevisionConflict, "GAIA_CO02")
_register(DuplicateRecordId, "GAIA_RE09")
_register(TooManyRequests, "GAIA_TO04", "GAIA_TM12")
_register(CursorNotFound, "GAIA_CN01")
_register(LockFailed, "GAIA_RE18", "GAIA_DA02")
_register(LoginFailed, "CB_WA01")
_register(PermissionDenied, "CB_OA01")

#: error kind from the core (OAuth and TLS failures of the driver's own) -> its subclass. The
#: kind wins over the code.
KIND_CLASSES: dict[str, type[Error]] = {
    "oauth_not_authorized": OAuthNotAuthorized,
    "oauth_invalid_client": InvalidClient,
    "oauth_invalid_grant": InvalidGrant,
    "oauth_token_revoked": TokenRevoked,
    "oauth_refresh_expired": RefreshTokenExpired,
    "oauth_access_denied": OAuthAccessDenied,
    "oauth_token_invalid": AccessTokenInvalid,
    "oauth_error": OAuthError,
    "tls_client_cert_required": ClientCertificateRequired,
    "tls_client_cert_refused": ClientCertificateRejected,
    "tls_cert_password": ClientCertificatePasswordError,
    "tls_untrusted_server": UntrustedServerCertificate,
    "cancelled": StatementCancelled,
}


def pep249_class(name: str) -> type[Error] | None:
    """Return the PEP 249 exception class called ``name``, or None."""
    return _PEP249_CLASSES.get(name)


#: The members of an error's details the core may send (see ``Wire`` in bridge/errors.go).
DETAIL_ATTRIBUTES = (
    "committed_ids",
    "first_uncommitted_index",
    "row_index",
    "field",
    "outcome_unknown",
    "unknown_ids",
    "unknown_rows",
    "later_committed_ids",
)


def with_details(exc: Error, details: dict[str, Any]) -> Error:
    """Set the members of a core error's details as attributes of ``exc``."""
    for name in DETAIL_ATTRIBUTES:
        if name in details:
            value = details[name]
            if name in ("committed_ids", "unknown_ids", "later_committed_ids") and value is None:
                value = []
            if name == "unknown_rows" and isinstance(value, list) and len(value) == 2:
                value = range(int(value[0]), int(value[1]))
            setattr(exc, name, value)
    if "committed_ids" in details:
        for name in ("unknown_ids", "later_committed_ids"):
            if name not in details:
                setattr(exc, name, [])
    return exc


def error_for(
    class_name: str, code: str | None, message: str, kind: str | None = None
) -> Error:
    """Build the exception for an error the core reported as PEP 249 class ``class_name``
    with kintone code ``code`` (and, for the driver's own failures, ``kind``).

    An unknown class name gives :class:`DatabaseError` (the core is newer than this module).
    """
    base = _PEP249_CLASSES.get(class_name, DatabaseError)
    cls: type[Error] = base
    by_kind = KIND_CLASSES.get(kind or "")
    if by_kind is not None and issubclass(by_kind, base):
        exc = by_kind(message, code or None)
        exc.kind = kind
        return exc
    if code:
        for candidate in CODE_CLASSES.get(code, ()):
            # Most specific wins: a candidate below the current choice replaces it.
            if issubclass(candidate, base) and issubclass(candidate, cls):
                cls = candidate
    exc = cls(message, code or None)
    if kind:
        exc.kind = kind
    return exc


for _cls in list(_PEP249_CLASSES.values()) + [Warning, KintoneWarning] + [
    c for cs in CODE_CLASSES.values() for c in cs
] + [KintoneAPIError, CertificateError] + list(KIND_CLASSES.values()):
    _cls.__module__ = _PUBLIC_MODULE
del _cls

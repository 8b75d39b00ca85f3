"""The PEP 249 exception tree, kintone codes, and the core's error text."""

from __future__ import annotations

import pickle

import pytest

import cdata_kintone as mod
from cdata_kintone import _native
from cdata_kintone.exceptions import CODE_CLASSES, KIND_CLASSES, error_for

PEP249_TREE = {
    "Warning": Exception,
    "Error": Exception,
    "InterfaceError": "Error",
    "DatabaseError": "Error",
    "DataError": "DatabaseError",
    "OperationalError": "DatabaseError",
    "IntegrityError": "DatabaseError",
    "InternalError": "DatabaseError",
    "ProgrammingError": "DatabaseError",
    "NotSupportedError": "DatabaseError",
}


@pytest.mark.parametrize("name,parent", PEP249_TREE.items())
def test_pep249_hierarchy(name: str, parent: object) -> None:
    cls = getattr(mod, name)
    base: type = getattr(mod, parent) if isinstance(parent, str) else parent  # type: ignore[assignment]
    assert issubclass(cls, base)
    assert cls.__module__ == "cdata_kintone"
    assert cls.__name__ == name
    # exposed on Connection too (PEP 249 optional extension)
    assert getattr(mod.Connection, name) is cls


def test_warning_is_not_an_error() -> None:
    assert not issubclass(mod.Warning, mod.Error)
    assert not issubclass(mod.Error, mod.Warning)


@pytest.mark.parametrize(
    "cls", [getattr(mod, n) for n in PEP249_TREE] + [c for cs in CODE_CLASSES.values() for c in cs]
)
def test_exceptions_pickle_with_message_and_code(cls: type[mod.Error]) -> None:
    exc = cls("the app (ID: 9) was not found", "GAIA_AP01")
    setattr(exc, "extra", "kept")  # noqa: B010
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls
    assert back.message == "the app (ID: 9) was not found"
    assert back.code == "GAIA_AP01"
    assert getattr(back, "extra") == "kept"  # noqa: B009
    assert str(back) == "the app (ID: 9) was not found [GAIA_AP01]"
    assert cls.__module__ == "cdata_kintone"


def test_code_defaults_to_none() -> None:
    exc = mod.ProgrammingError("no such table: Foo")
    assert exc.code is None
    assert exc.message == "no such table: Foo"
    assert str(exc) == "no such table: Foo"
    assert exc.args == ("no such table: Foo",)
    assert mod.ProgrammingError("x", "").code is None


@pytest.mark.parametrize(
    "class_name,code,expected",
    [
        ("ProgrammingError", "GAIA_AP01", mod.AppNotFound),
        ("ProgrammingError", "GAIA_IQ11", mod.FieldNotFound),
        ("ProgrammingError", "CB_VA01", mod.QuerySyntaxError),
        ("DataError", "CB_VA01", mod.InvalidInput),
        ("OperationalError", "CB_WA01", mod.LoginFailed),
        ("OperationalError", "CB_AU01", mod.AuthenticationError),
        ("OperationalError", "GAIA_IA02", mod.AuthenticationError),
        ("OperationalError", "CB_NO02", mod.PermissionDenied),
        ("OperationalError", "GAIA_NO01", mod.PermissionDenied),
        ("IntegrityError", "GAIA_CO02", mod.RevisionConflict),
        ("OperationalError", "GAIA_TO04", mod.TooManyRequests),
        ("OperationalError", "GAIA_TM12", mod.TooManyRequests),
        # a registered code under a class its subclass does not belong to: the plain class
        ("OperationalError", "CB_VA01", mod.OperationalError),
        ("NotSupportedError", "GAIA_AP01", mod.NotSupportedError),
        # a code nobody registered: the plain class, code kept
        ("ProgrammingError", "GAIA_ZZ99", mod.ProgrammingError),
        ("InterfaceError", "", mod.InterfaceError),
        # an unknown class name (a newer core): DatabaseError
        ("FancyNewError", "", mod.DatabaseError),
        # DatabaseError with a known code: the most specific subclass below it
        ("DatabaseError", "GAIA_AP01", mod.AppNotFound),
    ],
)
def test_error_for_picks_most_specific_subclass(
    class_name: str, code: str, expected: type[mod.Error]
) -> None:
    exc = error_for(class_name, code, "message")
    assert type(exc) is expected
    assert exc.code == (code or None)
    assert exc.message == "message"


def test_kintone_errors_are_both_kintone_and_pep249() -> None:
    exc = error_for("ProgrammingError", "GAIA_AP01", "gone")
    assert isinstance(exc, mod.KintoneAPIError)
    assert isinstance(exc, mod.ProgrammingError)
    assert isinstance(exc, mod.DatabaseError)
    assert issubclass(mod.FieldNotFound, mod.KintoneQueryError)
    assert issubclass(mod.RevisionConflict, mod.IntegrityError)


@pytest.mark.parametrize(
    "text,cls,code,message",
    [
        (
            "[cdata_kintone:ProgrammingError:GAIA_IQ11] field (Foo) not found",
            mod.FieldNotFound,
            "GAIA_IQ11",
            "field (Foo) not found",
        ),
        ("[cdata_kintone:OperationalError:] timeout", mod.OperationalError, None, "timeout"),
        (
            "[cdata_kintone:InternalError:] panic: boom\ngoroutine 1 [running]:\nmain.go:1",
            mod.InternalError,
            None,
            "panic: boom\ngoroutine 1 [running]:\nmain.go:1",
        ),
        ("[cdata_kintone:DataError:] ", mod.DataError, None, ""),
        (
            "[cdata_kintone:OperationalError:invalid_grant:oauth_token_revoked] revoked",
            mod.TokenRevoked,
            "invalid_grant",
            "revoked",
        ),
        (
            "[cdata_kintone:OperationalError::tls_untrusted_server] untrusted",
            mod.UntrustedServerCertificate,
            None,
            "untrusted",
        ),
        # an unknown kind (a newer core): the class and code decide
        ("[cdata_kintone:OperationalError:CB_WA01:future_kind] x", mod.LoginFailed, "CB_WA01", "x"),
        # a kind whose class does not fit the core's class is ignored
        (
            "[cdata_kintone:ProgrammingError::oauth_invalid_grant] x",
            mod.ProgrammingError,
            None,
            "x",
        ),
    ],
)
def test_translate_wire_text(
    text: str, cls: type[mod.Error], code: str | None, message: str
) -> None:
    exc = _native.translate(text)
    assert type(exc) is cls
    assert exc.code == code
    assert exc.message == message


@pytest.mark.parametrize(
    "text", ["boom", "", "[cdata_kintone:Oops] x", "[other:ProgrammingError:] x"]
)
def test_translate_unknown_text_is_internal_error(text: str) -> None:
    exc = _native.translate(text)
    assert type(exc) is mod.InternalError
    assert text in exc.message


def test_call_maps_runtime_error() -> None:
    def failing() -> None:
        raise RuntimeError("[cdata_kintone:IntegrityError:GAIA_CO02] revision mismatch")

    with pytest.raises(mod.RevisionConflict) as info:
        _native.call(failing)
    assert info.value.code == "GAIA_CO02"
    assert info.value.__suppress_context__


def test_call_passes_values_and_other_exceptions() -> None:
    assert _native.call(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(KeyError):
        _native.call({}.__getitem__, "x")


@pytest.mark.parametrize("kind,cls", sorted(KIND_CLASSES.items()))
def test_kind_classes(kind: str, cls: type[mod.Error]) -> None:
    pep249 = next(c for c in cls.__mro__ if c.__name__ in PEP249_TREE)
    exc = error_for(pep249.__name__, "invalid_grant", "m", kind)
    assert type(exc) is cls and exc.kind == kind and exc.code == "invalid_grant"
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cls and back.kind == kind and back.code == "invalid_grant"
    assert cls.__module__ == "cdata_kintone" and getattr(mod, cls.__name__) is cls

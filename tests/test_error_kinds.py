"""Every error the core can report maps to exactly one Python exception class, and every class
a user can catch is raised for some error.

The core lists every way an error reaches Python (``ErrorKinds`` in ``pybind/README.md``): each
kind of error with the PEP 249 class it is given, and for kintone's error replies each known
code and the fallback by HTTP status, with the wire text of a sample error. A kind added in Go
without a class in ``cdata_kintone.exceptions`` fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdata_kintone import _native, exceptions
from cdata_kintone.exceptions import CODE_CLASSES, KIND_CLASSES, pep249_class

pytestmark = pytest.mark.native

#: Classes never raised as such: they are caught through their subclasses.
BASES = {exceptions.Error, exceptions.KintoneAPIError, exceptions.CertificateError}

#: Classes no error of the core reaches yet, and why. The test fails when one becomes
#: reachable, so that the entry is removed.
UNREACHABLE: dict[type[exceptions.Error], str] = {}


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = json.loads(_native.call(_native.load().ErrorKinds))
    return listed


def _expected(case: dict[str, Any]) -> type[exceptions.Error]:
    """The one class the case must raise, from the tables of ``exceptions``; fails when there
    is none or more than one."""
    base = pep249_class(case["class"])
    assert base is not None, f"the core's class {case['class']!r} is not a PEP 249 class"
    if case["wire_kind"]:
        cls = KIND_CLASSES.get(case["wire_kind"])
        assert cls is not None, f"kind {case['kind']!r} has no class in KIND_CLASSES"
        assert issubclass(cls, base), f"{cls.__name__} is not a {base.__name__}, as the core says"
        return cls
    candidates = [c for c in CODE_CLASSES.get(case["code"], ()) if issubclass(c, base)]
    most_specific = [
        c for c in candidates if not any(o is not c and issubclass(o, c) for o in candidates)
    ]
    assert len(most_specific) <= 1, f"code {case['code']} under {base.__name__}: {most_specific}"
    return most_specific[0] if most_specific else base


def test_each_case_raises_exactly_one_class(cases: list[dict[str, Any]]) -> None:
    assert any(c["wire_kind"] for c in cases) and any(c["code"] for c in cases)
    for case in cases:
        exc = _native.translate(case["wire"])
        assert type(exc) is _expected(case), case
        assert (exc.message, exc.code, exc.kind) == (
            "sample",
            case["code"] or None,
            case["wire_kind"] or None,
        ), case


def test_every_class_a_user_can_catch_is_raised(cases: list[dict[str, Any]]) -> None:
    raised = {type(_native.translate(c["wire"])) for c in cases}
    catchable = [
        c
        for c in (getattr(exceptions, name) for name in exceptions.__all__)
        if isinstance(c, type) and issubclass(c, exceptions.Error)
    ]
    assert len(catchable) > 30
    for cls in catchable:
        if cls in BASES:
            assert any(issubclass(r, cls) for r in raised), f"no error is a {cls.__name__}"
        elif cls in UNREACHABLE:
            assert cls not in raised, (
                f"{cls.__name__} is raised now ({UNREACHABLE[cls]}): remove it from UNREACHABLE"
            )
        else:
            assert cls in raised, f"no error of the core raises {cls.__name__}"


def test_python_keys_are_the_cores(cases: list[dict[str, Any]]) -> None:
    """Every kind and code exceptions.py registers a class for is one the core sends."""
    assert set(KIND_CLASSES) == {c["wire_kind"] for c in cases if c["wire_kind"]}
    assert set(CODE_CLASSES) <= {c["code"] for c in cases if c["kind"] == "api_error"}

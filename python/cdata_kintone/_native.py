"""Loading of, and calls into, the native Go core (``cdata_kintone._core``).

The core is loaded lazily, at the first ``connect()`` or ``Simulator()``, never when
``cdata_kintone`` is imported: the Go runtime starts when the shared object loads, and a process
forked after that hangs in the child at its first call into Go. A fork is detected with
``os.register_at_fork``; in a child forked after the core was loaded, every call raises
:class:`~cdata_kintone.InterfaceError` instead of hanging. Processes forked before the first
``connect()`` are fine.

Every core function returns its value or raises ``RuntimeError`` whose text is
``[cdata_kintone:<Class>:<Code>] <message>`` or ``[cdata_kintone:<Class>:<Code>:<kind>]
<message>`` (see ``pybind/README.md``); :func:`call` turns
that into the matching exception of :mod:`cdata_kintone.exceptions`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._surface import NativeCore
from .exceptions import Error, InterfaceError, InternalError, error_for, with_details

__all__ = ["load", "is_loaded", "call", "translate", "FORK_MESSAGE"]

T = TypeVar("T")

FORK_MESSAGE = (
    "the kintone native core cannot be used in a process forked after it was loaded "
    "(the Go runtime does not survive fork(); the call would hang). Start worker processes "
    "with the 'spawn' or 'forkserver' method, e.g. multiprocessing.set_start_method('spawn') "
    "or multiprocessing.get_context('forkserver'), and open connections in the child process"
)

_WIRE = re.compile(
    r"\A\[cdata_kintone:(\w*):([A-Za-z0-9_]*)(?::([a-z0-9_]+))?\](.*)\Z", re.DOTALL
)
_DETAILS = json.JSONDecoder()

_core: NativeCore | None = None
_load_lock = threading.Lock()
_forked_after_load = False


def _import_core() -> NativeCore:
    """Import the generated binding. The only place that names it: adjust here. Its functions
    are declared once, in pybind/pybind.go, from which ``_surface.NativeCore`` is generated."""
    from cdata_kintone._core import core

    return cast(NativeCore, core)


def _after_fork_in_child() -> None:
    global _forked_after_load
    if _core is not None:
        _forked_after_load = True


if hasattr(os, "register_at_fork"):  # POSIX only; there is no fork() elsewhere
    os.register_at_fork(after_in_child=_after_fork_in_child)


def is_loaded() -> bool:
    """True once the native core has been loaded in this process (or its parent)."""
    return _core is not None


def usable() -> bool:
    """True when the core is loaded and calls into it are safe (not in a forked child)."""
    return _core is not None and not _forked_after_load


def load() -> NativeCore:
    """Return the native core module, loading it on first use.

    Raises :class:`InterfaceError` when it is missing (the package was not built) or when
    this process was forked after the parent loaded it.
    """
    global _core
    if _forked_after_load:
        raise InterfaceError(FORK_MESSAGE)
    core = _core
    if core is not None:
        return core
    with _load_lock:
        if _core is None:
            try:
                _core = _import_core()
            except ImportError as exc:
                raise InterfaceError(
                    f"the kintone native core (cdata_kintone._core) cannot be loaded: {exc}. "
                    "Install a built wheel, or build from source with 'pip install .' "
                    "(needs Go and a C compiler)"
                ) from exc
        return _core


def translate(text: str) -> Error:
    """Turn the text of a core ``RuntimeError`` into the matching exception."""
    m = _WIRE.match(text)
    if m is None:
        # Every core error is put in the wire form, so this is a bug in the binding.
        return InternalError(f"unexpected error from the kintone native core: {text}")
    class_name, code, kind, rest = m.groups()
    details: Any = None
    if rest.startswith("{"):
        # A JSON object of facts a program may act on (a failed write's committed ids).
        try:
            details, end = _DETAILS.raw_decode(rest)
        except ValueError:
            return InternalError(f"unexpected error details from the kintone native core: {text}")
        rest = rest[end:]
    exc = error_for(class_name, code or None, rest.removeprefix(" "), kind)
    if isinstance(details, dict):
        with_details(exc, details)
    return exc


def call(fn: Callable[..., T], *args: Any) -> T:
    """Call core function ``fn`` with ``args``, raising PEP 249 exceptions for its errors."""
    if _forked_after_load:
        raise InterfaceError(FORK_MESSAGE)
    try:
        return fn(*args)
    except RuntimeError as exc:
        raise translate(str(exc)) from None

"""Reporting of the core's warnings (``ConnDrain`` in ``pybind/README.md``).

Go never calls Python: the core records what it went past without failing (metadata in an
unexpected shape, a field type this version does not know) and the session drains the list
after each call whose reply says events wait (``connect()``, ``execute()``, fetching). Each text is
logged to the ``cdata_kintone`` logger and issued as a :class:`~cdata_kintone.KintoneWarning`
whose location is the user's call, not a line of this package.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from .exceptions import KintoneWarning

__all__ = ["emit_warnings", "logger"]

#: The driver's logger; every warning of the core is logged here at WARNING level.
logger = logging.getLogger("cdata_kintone")


def _in_package(frame: Any) -> bool:
    name = frame.f_globals.get("__name__", "")
    return bool(name == "cdata_kintone" or name.startswith("cdata_kintone."))


def emit_warnings(texts: Sequence[str]) -> None:
    """Log each text and issue it as a :class:`KintoneWarning` at the first frame outside
    this package (the user's ``execute()``, ``fetchone()`` or ``connect()`` call)."""
    if not texts:
        return
    level = 2  # stacklevel 1 is this function, 2 its caller
    frame = sys._getframe(1)
    while frame is not None and _in_package(frame):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    for text in texts:  # all logged first: a warnings filter "error" raises at the first one
        logger.warning("%s", text)
    for text in texts:
        warnings.warn(text, KintoneWarning, stacklevel=level)

"""What a statement sends to kintone: its requests, and progress shown from them.

Every reply of the core about a statement carries the HTTP requests it sent since the last
reply (``"requests"`` in ``pybind/README.md``). The cursor keeps them as
:class:`KintoneRequest` values (``Cursor.kintone_requests``) and, when the connection asks for
progress, hands them to a :class:`Progress` as they arrive: the records received or sent so far,
shown by a ``tqdm`` bar in a terminal or a notebook, or told to a callable.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

__all__ = ["KintoneRequest", "Progress", "ProgressSetting", "check_progress", "requests_from"]


class KintoneRequest(NamedTuple):
    """One HTTP request a statement sent to kintone. A request sent again after a transient
    failure counts once per attempt, as kintone counts it against the app's daily limit."""

    method: str  #: GET, POST, PUT or DELETE
    path: str  #: such as ``/k/v1/records.json``
    app: int | None  #: the app it concerns; None for requests about no one app (the apps list)
    query: str | None  #: the kintone query sent (record reads), None when none
    fields: tuple[str, ...] | None  #: the fields asked for, None when all
    records: int  #: records received (a read) or sent (a write)
    status: int | None  #: the HTTP status; None when no reply arrived
    ms: float  #: milliseconds from sending to the end of the reply
    error: str | None  #: why it failed, None on success


def requests_from(items: Any) -> list[KintoneRequest]:
    """The requests of a reply's ``"requests"`` list (nothing for anything else)."""
    if not isinstance(items, list):
        return []
    out = []
    for r in items:
        if not isinstance(r, dict):
            continue
        fields = r.get("fields")
        out.append(
            KintoneRequest(
                method=str(r.get("method", "")),
                path=str(r.get("path", "")),
                app=int(r["app"]) if r.get("app") else None,
                query=str(r["query"]) if r.get("query") else None,
                fields=tuple(str(f) for f in fields) if isinstance(fields, list) else None,
                records=int(r.get("records") or 0),
                status=int(r["status"]) if r.get("status") else None,
                ms=float(r.get("ms") or 0.0),
                error=str(r["error"]) if r.get("error") else None,
            )
        )
    return out


#: What ``connect(progress=…)`` and :attr:`Connection.progress` take: False (no progress),
#: True (a ``tqdm`` bar when the output is a terminal or a notebook), or a callable told of
#: every request as it completes.
ProgressSetting = bool | Callable[[KintoneRequest], None]


def check_progress(setting: object) -> ProgressSetting:
    """Check a progress setting; True needs ``tqdm`` (the ``progress`` extra)."""
    if setting is True:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            raise ImportError(
                "progress=True shows a tqdm progress bar: install it with "
                "pip install 'cdata-kintone[progress]'"
            ) from None
        return True
    if setting is False or setting is None:
        return False
    if callable(setting):
        return setting
    raise TypeError(f"progress must be True, False or a callable, not {type(setting).__name__}")


def _interactive() -> bool:
    """Whether progress bars can be seen: standard error is a terminal, or this runs in a
    Jupyter kernel."""
    if "ipykernel" in sys.modules:
        return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """The progress of one statement: the records it received or sent."""

    #: Seconds a statement runs before its bar appears: quick ones show none.
    BAR_DELAY = 0.5

    def __init__(self, setting: ProgressSetting, total: int | None = None) -> None:
        self._setting = setting
        self._total = total  # records the statement will send, when known (executemany)
        self._bar: Any = None

    @classmethod
    def start(cls, setting: ProgressSetting, total: int | None = None) -> Progress | None:
        """A reporter for a new statement, None when nothing is to be shown."""
        if setting is False or (setting is True and not _interactive()):
            return None
        return cls(setting, total)

    def update(self, requests: Iterable[KintoneRequest]) -> None:
        """Take the requests a reply reported."""
        for r in requests:
            if self._setting is True:
                if r.records:
                    self._advance(r)
            elif callable(self._setting):
                self._setting(r)

    def _advance(self, r: KintoneRequest) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            writing = r.method != "GET"
            self._bar = tqdm(
                total=self._total if writing else None,
                desc="writing to kintone" if writing else "reading from kintone",
                unit=" records",
                delay=self.BAR_DELAY,
            )
        self._bar.update(r.records)

    def close(self) -> None:
        """The statement is done (or abandoned): close its bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


KintoneRequest.__module__ = "cdata_kintone"

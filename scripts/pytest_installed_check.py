"""pytest plugin used by scripts/test.sh: the tests must exercise the installed package.

Fails the session if `cdata_kintone` (or `cdata.kintone`) was imported from the repository's
python/ folder instead of site-packages, e.g. because a conftest put the source tree on sys.path.
"""

from __future__ import annotations

import os
import sys

import pytest


def _source_dir() -> str | None:
    root = os.environ.get("CDATA_KINTONE_SOURCE_ROOT")
    return os.path.join(os.path.realpath(root), "python") + os.sep if root else None


def _problem() -> str | None:
    src = _source_dir()
    if src is None:
        return None
    for name in ("cdata_kintone", "cdata.kintone"):
        mod = sys.modules.get(name)
        path = getattr(mod, "__file__", None) if mod is not None else None
        if path and os.path.realpath(path).startswith(src):
            return (
                f"{name} was imported from the source tree ({path}); the tests must run against "
                "the installed package (python -m pip install .)"
            )
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    problem = _problem()
    if problem:
        raise pytest.UsageError(problem)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int | pytest.ExitCode) -> None:
    problem = _problem()
    if problem:
        sys.stderr.write(f"\nERROR: {problem}\n")
        session.exitstatus = pytest.ExitCode.USAGE_ERROR

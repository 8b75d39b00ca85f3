"""Test configuration: warnings are errors; tests marked ``native`` need the built core.

Unit tests here need only the pure-Python package. A test that needs the native core
(``cdata_kintone._core``, built by ``pip install .``) must carry ``@pytest.mark.native``; it is
skipped, with a reason saying so, when the core is not installed, and nothing else is skipped.
"""

from __future__ import annotations

import importlib.util

import pytest

#: ``sim`` and ``conn``: a fresh simulator per test and a connection to it, for the modules that
#: change data (a module's own fixtures of the same names take precedence).
pytest_plugins = ["simfixtures"]


def _core_available() -> bool:
    try:
        return importlib.util.find_spec("cdata_kintone._core") is not None
    except ImportError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "error")
    config.addinivalue_line(
        "markers", "native: needs the native core (cdata_kintone._core); skipped when not built"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _core_available():
        return
    skip = pytest.mark.skip(
        reason="the native core cdata_kintone._core is not built (run 'pip install .')"
    )
    for item in items:
        if "native" in item.keywords:
            item.add_marker(skip)

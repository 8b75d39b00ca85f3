"""The pytest plugin of cdata-kintone: the ``kintone_simulator`` fixture.

Installing the package registers this module with pytest (the ``pytest11`` entry point named
``cdata_kintone``), so every test can ask for the fixture without a ``conftest.py``::

    import cdata_kintone

    def test_orders(kintone_simulator):
        with cdata_kintone.connect(kintone_simulator.connection_string) as conn:
            assert conn.execute("SELECT COUNT(*) FROM [Deals]").fetchone()[0] > 0

``pytest -p no:cdata_kintone`` leaves the plugin out; with ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set,
``-p cdata_kintone.pytest_plugin`` loads it. Loading it does not load the native core: the
first simulator does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import Simulator

__all__ = ["kintone_simulator"]


@pytest.fixture
def kintone_simulator() -> Iterator[Simulator]:
    """A fresh kintone simulator with the sample dataset, stopped after the test."""
    with Simulator() as sim:
        yield sim

"""Shared fixtures (loaded by conftest.py): a fresh simulator per test, with small sample data,
and a connection to it, for tests that change data. A module's own ``sim`` or ``conn`` fixture
takes precedence."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

__all__ = ["conn", "sim"]


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """A simulator of its own: the test may change its data."""
    with Simulator(order_records=10) as s:
        yield s


@pytest.fixture
def conn(sim: Simulator) -> Iterator[mod.Connection]:
    """A connection to ``sim``, closed after the test."""
    with mod.connect(sim.connection_string) as c:
        yield c

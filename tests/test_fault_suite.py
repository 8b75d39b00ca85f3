"""The fault-injection suite (tests/faultsuite.py) in a bounded size: every fault kind, one
trial of reads and 2,500-row writes. Nothing may be lost, duplicated or wrongly reported."""

from __future__ import annotations

import pytest

import faultsuite

pytestmark = pytest.mark.native


def test_no_fault_loses_duplicates_or_misreports(capsys: pytest.CaptureFixture[str]) -> None:
    tallies = faultsuite.run(list(faultsuite.KINDS), rows=2500, trials=1, seed=7)
    with capsys.disabled():
        print("\n" + faultsuite.table(tallies))
    for t in tallies:
        assert (t.lost, t.duplicated, t.wrong) == (0, 0, 0), (t.kind, t.notes)
        # The faults happened and reached the driver: each kind failed some writes.
        assert t.faults > 0 and t.errors > 0, t
        assert t.checked >= 3 * 2500, t  # the writes; the reads count when they succeed

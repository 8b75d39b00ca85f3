"""The benchmark of benchmarks/read_bench.py still runs: a small run of this driver and the raw
floor prints its tables and targets (the benchmark itself is not part of the test run)."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

READ_BENCH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "read_bench.py"


@pytest.mark.skipif(shutil.which("go") is None, reason="the raw floor is built with go")
def test_read_bench_prints_its_tables_and_targets() -> None:
    proc = subprocess.run(
        [sys.executable, str(READ_BENCH), "--records", "2000", "--latency", "0", "--repeat", "1",
         "--inserts", "300", "--contenders", "driver,floor"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| latency | contender | median s | \u00d7 official | \u00d7 floor | requests |" in out
    rows = {m[1]: m[2] for m in re.finditer(r"^\| 0 ms \| ([^|]+?) \| (.*) \|$", out, re.M)}
    # Every row read (or wrote) what it should: the harness reports a wrong count as "failed".
    assert "failed" not in out, proc.stderr
    driver = rows["this driver: `SELECT *` fetchall → tuples"]
    seconds, _, _, requests, mb, rss = driver.split(" | ")
    assert float(seconds) > 0 and int(requests) >= 5 and float(mb) > 0 and float(rss) > 0
    # The floor reads 2,000 records as 4 pages and one request for the largest id.
    floor = rows["raw HTTP floor: same pages, bodies discarded"].split(" | ")
    assert floor[3] == "5"
    assert "this driver: executemany INSERT" in rows
    assert re.search(r"^- (PASS|FAIL) requests: driver-all at most", out, re.M)
    assert "Machine: " in out

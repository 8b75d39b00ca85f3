"""What the benchmark measures, and one run of one contender in a process of its own.

Every contender is a command that does its work once against the simulator and prints one line
of JSON with the seconds it measured itself (from creating its client or connection to the last
row, so interpreter start-up and imports are not counted) and the rows it read or wrote. The
process is waited for with ``os.wait4``, whose resource usage is that child's own: its peak RSS
is the contender's, not the harness's nor another contender's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .simhost import BENCHMARKS_DIR

READ = "read"
WRITE = "write"


@dataclass(frozen=True)
class Contender:
    """One way of reading the Orders app (or of writing to the Deals app).

    ``runner`` is ``"py"`` (``bench.pyrunner``), ``"node"`` (``js/contender.mjs``) or
    ``"floor"`` (the ``rawfloor`` program); ``args`` are its mode arguments. ``floor`` names the
    raw-floor contender its time is compared with; ``ratios`` is false for a contender whose work
    is not the same as the official client's (a COUNT); ``props`` are connection properties of
    this contender (after ``--driver-props``)."""

    key: str
    label: str
    kind: str
    runner: str
    args: tuple[str, ...]
    floor: str | None = None
    ratios: bool = True
    props: tuple[str, ...] = ()


#: The write contenders that send bulkRequests side by side (opt-in: see the README's Writing
#: to kintone): 10,000 records are 5 bulkRequests, all in flight at once.
PARALLEL_INSERTS = "InsertParallelism=5"

#: Every contender, in the order of the table. ``--contenders driver,floor`` selects those whose
#: key is, or starts with, one of the names given (followed by "-").
CONTENDERS: tuple[Contender, ...] = (
    Contender("driver-all", "this driver: `SELECT *` fetchall → tuples", READ, "py",
              ("select-all",), floor="floor-all"),
    Contender("driver-id", "this driver: `SELECT Id` fetchall", READ, "py",
              ("select-id",), floor="floor-id"),
    Contender("driver-fetchmany", "this driver: `SELECT *` fetchmany(10_000)", READ, "py",
              ("fetchmany",), floor="floor-all"),
    Contender("driver-arrow", "this driver: `SELECT *` fetch_arrow_table()", READ, "py",
              ("arrow",), floor="floor-all"),
    Contender("driver-pandas", "this driver: `SELECT *` fetch_pandas_all()", READ, "py",
              ("pandas",), floor="floor-all"),
    Contender("driver-count", "this driver: `SELECT COUNT(*)`", READ, "py",
              ("count",), ratios=False),
    Contender("official", "@kintone/rest-api-client getAllRecords", READ, "node",
              ("read",), floor="floor-all"),
    Contender("pyntone", "pyntone get_all_records", READ, "py", ("pyntone",),
              floor="floor-all"),
    Contender("floor-all", "raw HTTP floor: same pages, bodies discarded", READ, "floor", ()),
    Contender("floor-id", "raw HTTP floor: same pages with fields=$id", READ, "floor",
              ("-fields", "$id")),
    Contender("driver-insert", "this driver: executemany INSERT", WRITE, "py", ("insert",)),
    Contender("driver-insert-warm", "this driver: executemany INSERT, table already read ¹",
              WRITE, "py", ("insert", "--warm")),
    Contender("driver-insert-p5", f"this driver: executemany INSERT, {PARALLEL_INSERTS}",
              WRITE, "py", ("insert",), props=(PARALLEL_INSERTS,)),
    Contender("driver-insert-p5-warm",
              f"this driver: executemany INSERT, {PARALLEL_INSERTS}, table already read ¹",
              WRITE, "py", ("insert", "--warm"), props=(PARALLEL_INSERTS,)),
    Contender("official-insert", "@kintone/rest-api-client addAllRecords", WRITE, "node",
              ("write",)),
)

#: The official client's heap limit (node --max-old-space-size), in MB.
NODE_HEAP_MB = 16_384

#: The contender the "× official" column divides by, per kind.
OFFICIAL = {READ: "official", WRITE: "official-insert"}


def select(names: Sequence[str]) -> list[Contender]:
    """The contenders named (keys or key prefixes), in table order."""
    unknown = [n for n in names if not any(_matches(c.key, n) for c in CONTENDERS)]
    if unknown:
        raise ValueError(f"no contender named {', '.join(unknown)} "
                         f"(known: {', '.join(c.key for c in CONTENDERS)})")
    return [c for c in CONTENDERS if any(_matches(c.key, n) for n in names)]


def _matches(key: str, name: str) -> bool:
    return key == name or key.startswith(name + "-")


DEAL_STAGES = ("Lead", "Qualified", "Proposal", "Won", "Lost")


def write_rows(count: int, tag: str) -> list[dict[str, str | int]]:
    """The Deals records a write run inserts, by field code. Writes go to the Deals app: it has
    no unique field, whose check would make the simulator scan the app once per record added
    (the Orders app's order number), and so measure the simulator rather than the clients."""
    return [
        {
            "deal_name": f"Benchmark {tag} #{i}",
            "stage": DEAL_STAGES[i % len(DEAL_STAGES)],
            "amount": 1000 * (i % 500),
            "probability": i % 101,
            "close_date": f"2025-01-{1 + i % 28:02d}",
        }
        for i in range(count)
    ]


@dataclass(frozen=True)
class Tools:
    """How to start each kind of contender."""

    node: str
    js_script: Path
    rawfloor: Path  # a built binary: `go run` would measure the go command, not the floor
    parallel: int  # the raw floor's concurrent id ranges: the driver's ScanParallelism
    driver_props: str  # more connection properties for this driver ("" for none)


@dataclass(frozen=True)
class Server:
    """Where one run goes: the simulator, directly or through the counting proxy."""

    url: str
    user: str
    password: str
    orders_app: int  # read
    deals_app: int  # written


def command(c: Contender, server: Server, tools: Tools, rows_file: Path | None) -> list[str]:
    """The command line of one run of ``c``."""
    app = str(server.orders_app if c.kind == READ else server.deals_app)
    auth = ["--url", server.url, "--user", server.user, "--password", server.password,
            "--app", app]
    if c.runner == "py":
        cmd = [sys.executable, "-m", "bench.pyrunner", *c.args, *auth]
        props = ";".join(p for p in (tools.driver_props, *c.props) if p)
        if props:
            cmd += ["--props", props]
    elif c.runner == "node":
        # A heap limit above node's default, which a million records would exceed: a limit,
        # not an allocation, so it costs nothing at smaller sizes.
        cmd = [tools.node, f"--max-old-space-size={NODE_HEAP_MB}", str(tools.js_script),
               "--mode", *c.args, *auth]
    else:
        return [str(tools.rawfloor), "-url", server.url, "-user", server.user,
                "-password", server.password, "-app", app,
                "-parallel", str(tools.parallel), *c.args]
    if rows_file is not None:
        cmd += ["--rows", str(rows_file)]
    return cmd


@dataclass(frozen=True)
class Run:
    """What one run printed, and its process's peak RSS."""

    seconds: float
    rows: int
    peak_rss_mb: float


class Unavailable(Exception):
    """The contender reported that it cannot run here."""


def run(cmd: list[str], timeout: float) -> Run:
    """Run one contender's command; raise :class:`Unavailable` if it says it cannot run,
    RuntimeError if it fails or outlives ``timeout`` seconds."""
    env = dict(os.environ, PYTHONPATH=str(BENCHMARKS_DIR))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: the contender does not outlive the harness
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        why = "timed out" if proc.returncode == -9 else f"exited with status {proc.returncode}"
        raise RuntimeError(f"{cmd[0]} {' '.join(cmd[1:3])} {why}: {stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    if "unavailable" in result:
        raise Unavailable(result["unavailable"])
    # ru_maxrss is in KiB on Linux.
    return Run(float(result["seconds"]), int(result["rows"]), usage.ru_maxrss / 1024)

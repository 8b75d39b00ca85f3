"""Read (and write) speed of this driver next to its peers and the network floor (issue 10).

    python benchmarks/read_bench.py --quick      # 20,000 records, 0 and 50 ms: a few minutes
    python benchmarks/read_bench.py              # 100,000 records, 0 and 50 ms
    python benchmarks/read_bench.py --full       # 100,000 and 1,000,000 records
    python benchmarks/read_bench.py --records 100000 --latency 0,50 --repeat 3 \\
        --contenders driver,official,floor

For each record count and latency, a simulator with the sample data is started in its own
process (``bench.simhost``), and every contender reads the whole Orders app from it, then the
write contenders insert ``--inserts`` records into the Deals app. Each contender runs in a
process of its own (``bench.contenders``): once through a byte-counting proxy (untimed: the
bytes it received or sent), then ``--repeat`` times directly, the contenders taking turns in
each round. The tables give the median time, the median peak RSS of the contender's process,
the requests the simulator counted (schema reads included), and the ratios to the official
JavaScript client and to the raw floor measured in the same run; then the issue's targets, PASS
or FAIL. Progress goes to stderr, the report to stdout. See benchmarks/README.md for what it
needs.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench import report
from bench.contenders import (
    CONTENDERS,
    READ,
    WRITE,
    Contender,
    Server,
    Tools,
    Unavailable,
    command,
    run,
    select,
    write_rows,
)
from bench.report import Measurement, Results
from bench.simhost import BENCHMARKS_DIR, SimHost

ROOT = BENCHMARKS_DIR.parent
JS_DIR = BENCHMARKS_DIR / "js"
JS_CLIENT = "@kintone/rest-api-client"

QUICK_RECORDS, DEFAULT_RECORDS, FULL_RECORDS = [20_000], [100_000], [100_000, 1_000_000]


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help=f"{QUICK_RECORDS[0]:,} records (unless --records is given)")
    mode.add_argument("--full", action="store_true",
                      help="100,000 and 1,000,000 records (unless --records is given)")
    ap.add_argument("--records", type=_ints, default=None, metavar="N[,N...]",
                    help="records in the Orders app, one simulator each (default 100000)")
    ap.add_argument("--latency", type=_ints, default=[0, 50], metavar="MS[,MS...]",
                    help="delay per request in ms, one simulator each (default 0,50)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per contender (default 3)")
    ap.add_argument("--contenders", default="", metavar="NAME[,NAME...]",
                    help="keys or key prefixes (driver, official, pyntone, floor, ...; "
                         "default: all)")
    ap.add_argument("--inserts", type=int, default=10_000,
                    help="records each write contender inserts (0: no writes; default 10000)")
    ap.add_argument("--parallel", type=int, default=8,
                    help="the raw floor's concurrent id ranges; keep it equal to the driver's "
                         "ScanParallelism (8 by default)")
    ap.add_argument("--driver-props", default="", metavar="K=V;...",
                    help="more connection properties for this driver")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per run at most")
    ap.add_argument("--json", type=Path, default=None, metavar="FILE",
                    help="also write every run's numbers to FILE")
    args = ap.parse_args(argv)
    if args.records is None:
        args.records = QUICK_RECORDS if args.quick else FULL_RECORDS if args.full else \
            DEFAULT_RECORDS
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- tools ---------------------------------------------------------------------------------


def go_env() -> dict[str, str]:
    """The environment of scripts/go.env (the project's one Go build environment)."""
    env = dict(os.environ)
    for line in (ROOT / "scripts" / "go.env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            env[key.strip()] = value.strip().strip('"')
    return env


def build_rawfloor(out_dir: Path) -> Path:
    """Compile benchmarks/rawfloor (a binary, so that its RSS is its own, not `go run`'s)."""
    binary = out_dir / "rawfloor"
    subprocess.run(["go", "build", "-o", str(binary), "./benchmarks/rawfloor"], cwd=ROOT,
                   env=go_env(), check=True)
    return binary


def js_client_version() -> str:
    """The version of the official client pinned in benchmarks/js/package.json."""
    return str(json.loads((JS_DIR / "package.json").read_text())["dependencies"][JS_CLIENT])


def ensure_js_client() -> None:
    """``npm ci`` in benchmarks/js unless the pinned client is already installed there."""
    installed = JS_DIR / "node_modules" / JS_CLIENT / "package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == js_client_version():
        return
    log(f"installing {JS_CLIENT} {js_client_version()} in {JS_DIR} (npm ci)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True,
                   stdout=sys.stderr)


def missing_tools(chosen: list[Contender]) -> dict[str, str]:
    """Why a runner cannot run here, by runner ("node", "floor")."""
    missing = {}
    if any(c.runner == "node" for c in chosen) and not (shutil.which("node") and
                                                       shutil.which("npm")):
        missing["node"] = "node and npm are needed"
    if any(c.runner == "floor" for c in chosen) and not shutil.which("go"):
        missing["floor"] = "go is needed to build benchmarks/rawfloor"
    return missing


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not found"


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_facts(parallel: int, driver_props: str) -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    go = _version(["go", "version"]).removeprefix("go version ").split(" ")[0]
    return (f"Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, Go {go.removeprefix('go')}, "
            f"Node {_version(['node', '--version']).removeprefix('v')}; "
            f"cdata-kintone {_package_version('cdata-kintone')}, {JS_CLIENT} "
            f"{js_client_version()}, pyntone {_package_version('pyntone')}; raw floor "
            f"{parallel} id ranges at a time; driver properties: {driver_props or 'defaults'}.")


# --- measuring -----------------------------------------------------------------------------


class Bench:
    """Runs the chosen contenders against one simulator after another."""

    def __init__(self, args: argparse.Namespace, chosen: list[Contender], tools: Tools,
                 unavailable: dict[str, str], scratch: Path) -> None:
        self.args = args
        self.chosen = chosen
        self.tools = tools
        self.unavailable = unavailable
        self.scratch = scratch
        self.measurements: list[Measurement] = []
        self._runs = 0

    def measure_all(self) -> None:
        for records in self.args.records:
            for latency in self.args.latency:
                log(f"\n== {records:,} records, {latency} ms: starting the simulator")
                with SimHost(records, latency) as host:
                    self._measure(host, records, latency)

    def _measure(self, host: SimHost, records: int, latency: int) -> None:
        direct = Server(host.url, host.user, host.password, host.orders_app, host.deals_app)
        counted = dataclasses.replace(direct, url=host.counted_url)
        kinds = [READ] + ([WRITE] if self.args.inserts > 0 else [])
        for kind in kinds:  # reads first: the writes add records
            group = [Measurement(c, records, latency) for c in self.chosen if c.kind == kind]
            self.measurements += group
            for m in group:
                m.unavailable = self.unavailable.get(m.contender.runner)
                self._run(host, m, counted, timed=False)
            for rep in range(self.args.repeat):
                for m in group:
                    self._run(host, m, direct, timed=True, rep=rep)

    def _run(self, host: SimHost, m: Measurement, server: Server, *, timed: bool,
             rep: int = 0) -> None:
        if m.unavailable is not None:
            return
        c = m.contender
        expected = m.records if c.kind == READ else self.args.inserts
        rows_file = self._rows_file() if c.kind == WRITE else None
        what = f"{c.key} run {rep + 1}/{self.args.repeat}" if timed else f"{c.key} counted run"
        host.reset()
        try:
            result = run(command(c, server, self.tools, rows_file), self.args.timeout)
            stats = host.stats()
            if result.rows != expected or stats.errors:
                raise RuntimeError(f"{result.rows:,} rows (expected {expected:,}), "
                                   f"{stats.errors} error responses")
        except Unavailable as exc:
            m.unavailable = str(exc)
            log(f"  {what}: n/a ({exc})")
            return
        except RuntimeError as exc:
            m.unavailable = "failed"
            log(f"  {what}: FAILED: {exc}")
            return
        finally:
            if rows_file is not None:
                rows_file.unlink()
        if timed:
            m.runs.append(result)
            m.requests.append(stats.requests)
            m.endpoints = stats.by_endpoint
        else:
            m.bytes_received, m.bytes_sent = stats.bytes_to_client, stats.bytes_to_server
        log(f"  {what}: {result.seconds:.3f} s, {stats.requests} requests, "
            f"{result.peak_rss_mb:.0f} MB RSS")

    def _rows_file(self) -> Path:
        self._runs += 1
        path = self.scratch / f"rows-{self._runs}.json"
        path.write_text(json.dumps(write_rows(self.args.inserts, f"w{os.getpid()}-{self._runs}"),
                                   ensure_ascii=False), encoding="utf-8")
        return path


def render(args: argparse.Namespace, results: Results) -> Iterator[str]:
    """The report: facts, tables, targets."""
    yield f"# Read benchmark (issue 10)\n\n{machine_facts(args.parallel, args.driver_props)}"
    yield ("Command: python benchmarks/read_bench.py --records "
           f"{','.join(map(str, args.records))} --latency {','.join(map(str, args.latency))} "
           f"--repeat {args.repeat} --inserts {args.inserts} --parallel {args.parallel}"
           + (f" --contenders {args.contenders}" if args.contenders else ""))
    yield from report.tables(results, args.repeat)
    for records in args.records:
        yield f"\n**Targets at {records:,} records** (the issue sets them at 100,000)\n"
        verdicts = report.targets(results, records, args.parallel, args.inserts)
        yield from ("- " + v.line() for v in verdicts)
        met = sum(v.met is True for v in verdicts)
        judged = sum(v.met is not None for v in verdicts)
        yield f"\n{met} of {judged} measured targets met."
    yield ("\nNot measured here: the request counts of typical statements (tests assert them) "
           "and the README's table.")


def dump_json(path: Path, results: Results) -> None:
    rows = [{"contender": m.contender.key, "records": m.records, "latencyMs": m.latency_ms,
             "seconds": [r.seconds for r in m.runs], "peakRssMb": [r.peak_rss_mb for r in m.runs],
             "requests": m.requests, "endpoints": m.endpoints, "bytesReceived": m.bytes_received,
             "bytesSent": m.bytes_sent, "unavailable": m.unavailable} for m in results.all]
    path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds as Ctrl-C does, so that the simulator and the running contender are
    # stopped on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    names = [n.strip() for n in args.contenders.split(",") if n.strip()]
    try:
        chosen = select(names) if names else list(CONTENDERS)
    except ValueError as exc:
        log(f"read_bench: {exc}")
        return 2
    unavailable = missing_tools(chosen)
    with tempfile.TemporaryDirectory(prefix="kintone-bench-") as tmp:
        scratch = Path(tmp)
        if "node" not in unavailable and any(c.runner == "node" for c in chosen):
            ensure_js_client()
        rawfloor = scratch / "rawfloor"
        if "floor" not in unavailable and any(c.runner == "floor" for c in chosen):
            rawfloor = build_rawfloor(scratch)
        tools = Tools(node="node", js_script=JS_DIR / "contender.mjs", rawfloor=rawfloor,
                      parallel=args.parallel, driver_props=args.driver_props)
        bench = Bench(args, chosen, tools, unavailable, scratch)
        bench.measure_all()
    results = Results(bench.measurements)
    print("\n".join(render(args, results)))
    if args.json is not None:
        dump_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

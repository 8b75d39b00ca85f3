"""Medians, the Markdown tables and the issue's targets, from the measurements of one run."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .contenders import OFFICIAL, PARALLEL_INSERTS, READ, WRITE, Contender, Run

MB = 1_000_000

#: Pages of records per request (kintone's maximum, the driver's default) and records per
#: bulkRequest of records.json POSTs (20 requests of 100 records).
PAGE = 500
BULK = 2000

#: The latencies the issue sets targets at, in ms.
FAST, SLOW = 0, 50

_NEEDS = "needs latency {} ms and contenders {}"


@dataclass
class Measurement:
    """The runs of one contender at one record count and latency."""

    contender: Contender
    records: int
    latency_ms: int
    runs: list[Run] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)  # per timed run
    endpoints: dict[str, int] = field(default_factory=dict)  # of the last timed run
    bytes_received: int | None = None  # from the counted run
    bytes_sent: int | None = None
    unavailable: str | None = None

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return statistics.median(r.peak_rss_mb for r in self.runs)

    @property
    def median_requests(self) -> int:
        return round(statistics.median(self.requests))


class Results:
    """All measurements of a run, found by contender key, record count and latency."""

    def __init__(self, measurements: Sequence[Measurement]) -> None:
        self.all = list(measurements)
        self._by = {(m.contender.key, m.records, m.latency_ms): m for m in measurements}

    def get(self, key: str, records: int, latency_ms: int) -> Measurement | None:
        m = self._by.get((key, records, latency_ms))
        return m if m is not None and m.runs else None

    def ratio(self, key: str, to: str, records: int, latency_ms: int) -> float | None:
        a, b = self.get(key, records, latency_ms), self.get(to, records, latency_ms)
        return a.seconds / b.seconds if a and b else None


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "–" if x is None else format(x, fmt)


def tables(results: Results, repeat: int) -> list[str]:
    """The Markdown tables: reads, then writes, one pair per record count."""
    lines: list[str] = []
    for records in sorted({m.records for m in results.all}):
        for kind in (READ, WRITE):
            rows = [m for m in results.all if m.records == records and m.contender.kind == kind]
            if not rows:
                continue
            what = "reading them" if kind == READ else "writing to the Deals app"
            lines += ["", f"**{records:,} records in the Orders app, {what}** "
                      f"(median of {repeat} run{'s' * (repeat != 1)})", ""]
            lines += _table(results, rows, kind)
            if any(m.contender.args[-1:] == ("--warm",) for m in rows):
                lines += ["", "¹ The connection read the table's definition (3 of the requests "
                          "counted) before the clock started, as a program that has used it "
                          "before has; the other rows of this driver count connecting and that "
                          "reading."]
    return lines


def _table(results: Results, rows: list[Measurement], kind: str) -> list[str]:
    bytes_head = "MB received" if kind == READ else "MB sent"
    head = ["latency", "contender", "median s", "× official"]
    head += ["× floor"] if kind == READ else []
    head += ["requests", bytes_head, "peak RSS MB"]
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join(["---", "---"] + ["---:"] * (len(head) - 2)) + "|"]
    for m in rows:
        c = m.contender
        cells = [f"{m.latency_ms} ms", c.label]
        if m.unavailable is not None or not m.runs:
            cells += [f"n/a ({m.unavailable})"] + ["–"] * (len(head) - 3)
        else:
            official = (results.ratio(c.key, OFFICIAL[kind], m.records, m.latency_ms)
                        if c.ratios else None)
            cells += [_num(m.seconds), _num(official)]
            if kind == READ:
                floor = (results.ratio(c.key, c.floor, m.records, m.latency_ms)
                         if c.floor and c.ratios else None)
                cells.append(_num(floor))
            traffic = m.bytes_received if kind == READ else m.bytes_sent
            mb = None if traffic is None else traffic / MB
            cells += [str(m.median_requests), _num(mb, ".1f"), _num(m.peak_rss_mb, ".0f")]
        out.append("| " + " | ".join(cells) + " |")
    return out


@dataclass(frozen=True)
class Verdict:
    """One target: met (True), missed (False) or not measured (None), and what was measured."""

    target: str
    met: bool | None
    measured: str

    def line(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[self.met]
        return f"{mark} {self.target}: {self.measured}"


def _check(target: str, value: float | None, ok: Callable[[float], bool], shown: str,
           missing: str) -> Verdict:
    if value is None:
        return Verdict(target, None, f"not measured ({missing})")
    return Verdict(target, ok(value), shown.format(value))


def targets(results: Results, records: int, parallel: int, inserts: int) -> list[Verdict]:
    """The issue's targets (set at 100,000 records) evaluated at ``records``."""
    r = results
    needs = _NEEDS
    return [
        _check("0 ms: SELECT * in at most 0.5× the official client's time",
               r.ratio("driver-all", "official", records, FAST), lambda x: x <= 0.5,
               "{:.2f}×", needs.format(FAST, "driver-all, official")),
        _check("0 ms: SELECT Id in at most 0.15× the official client's time",
               r.ratio("driver-id", "official", records, FAST), lambda x: x <= 0.15,
               "{:.2f}×", needs.format(FAST, "driver-id, official")),
        _check("0 ms: SELECT * at least 4× faster than pyntone",
               r.ratio("pyntone", "driver-all", records, FAST), lambda x: x >= 4,
               "{:.2f}× faster", needs.format(FAST, "driver-all, pyntone")),
        _check("50 ms: SELECT * in at most 0.25× the official client's time",
               r.ratio("driver-all", "official", records, SLOW), lambda x: x <= 0.25,
               "{:.2f}×", needs.format(SLOW, "driver-all, official")),
        _check(f"50 ms: SELECT * within 1.3× of the raw floor ({parallel} at a time)",
               r.ratio("driver-all", "floor-all", records, SLOW), lambda x: x <= 1.3,
               "{:.2f}×", needs.format(SLOW, "driver-all, floor-all")),
        _projection(r, records),
        _count_requests(r, records),
        *(_scan_requests(r, key, records, parallel) for key in ("driver-all", "driver-id")),
        *_streaming(r, records),
        *_writes(r, records, inserts),
    ]


def _any_latency(r: Results, key: str, records: int) -> Measurement | None:
    """The contender's measurement at the lowest latency measured (counts and bytes do not
    depend on latency)."""
    found = [m for m in r.all if m.contender.key == key and m.records == records and m.runs]
    return min(found, key=lambda m: m.latency_ms) if found else None


def _projection(r: Results, records: int) -> Verdict:
    target = "projection: SELECT Id downloads at most 1.25× the bytes of the fields=$id pages"
    mine, floor = _any_latency(r, "driver-id", records), _any_latency(r, "floor-id", records)
    if not (mine and floor and mine.bytes_received and floor.bytes_received):
        return Verdict(target, None, "not measured (needs driver-id, floor-id)")
    ratio = mine.bytes_received / floor.bytes_received
    return Verdict(target, ratio <= 1.25, f"{ratio:.2f}× ({mine.bytes_received / MB:.1f} MB "
                   f"vs {floor.bytes_received / MB:.1f} MB)")


def _count_requests(r: Results, records: int) -> Verdict:
    target = "aggregates: SELECT COUNT(*) is one records.json request"
    m = _any_latency(r, "driver-count", records)
    if m is None:
        return Verdict(target, None, "not measured (needs driver-count)")
    n = m.endpoints.get("GET /k/v1/records.json", 0)
    return Verdict(target, n == 1, f"{n} records.json requests ({m.median_requests} in all)")


def _scan_requests(r: Results, key: str, records: int, parallel: int) -> Verdict:
    bound = math.ceil(records / PAGE) + parallel + 2
    target = f"requests: {key} at most ceil(N/500) + P + 2 = {bound} (P = {parallel})"
    m = _any_latency(r, key, records)
    if m is None:
        return Verdict(target, None, f"not measured (needs {key})")
    return Verdict(target, m.median_requests <= bound, f"{m.median_requests} requests")


def _streaming(r: Results, records: int) -> list[Verdict]:
    m = _any_latency(r, "driver-fetchmany", records)
    if m is None:
        return [Verdict("streaming: fetchmany(10_000) peak RSS under 300 MB", None,
                        "not measured (needs driver-fetchmany)")]
    verdicts = [Verdict("streaming: fetchmany(10_000) peak RSS under 300 MB",
                        m.peak_rss_mb < 300, f"{m.peak_rss_mb:.0f} MB")]
    smaller = [s for s in r.all if s.contender.key == m.contender.key
               and s.records < records and s.runs]
    if smaller:
        base = max(smaller, key=lambda s: s.records)
        ratio = m.peak_rss_mb / base.peak_rss_mb
        verdicts.append(Verdict(
            f"streaming: peak RSS flat in N (at most 1.2× the {base.records:,}-record figure)",
            ratio <= 1.2, f"{ratio:.2f}× ({m.peak_rss_mb:.0f} MB vs {base.peak_rss_mb:.0f} MB)"))
    return verdicts


def _writes(r: Results, records: int, inserts: int) -> list[Verdict]:
    if inserts <= 0:
        return []
    bound = math.ceil(inserts / BULK)
    target = (f"writes: executemany of {inserts:,} INSERTs is {bound} HTTP "
              f"request{'s' * (bound != 1)} of records")
    m = _any_latency(r, "driver-insert", records)
    if m is None:
        count = Verdict(target, None, "not measured (needs driver-insert)")
    else:
        n = sum(v for k, v in m.endpoints.items()
                if k in ("POST /k/v1/bulkRequest.json", "POST /k/v1/records.json"))
        count = Verdict(target, n == bound, f"{n} ({m.median_requests} with the schema reads)")
    speed = _check(f"50 ms: executemany INSERT in at most 0.5× the official addAllRecords "
                   f"({PARALLEL_INSERTS}, table already read)",
                   r.ratio("driver-insert-p5-warm", "official-insert", records, SLOW),
                   lambda x: x <= 0.5, "{:.2f}×",
                   _NEEDS.format(SLOW, "driver-insert-p5-warm, official-insert"))
    others = [f"{key}: {ratio:.2f}×" for key in ("driver-insert", "driver-insert-warm",
                                                  "driver-insert-p5")
              if (ratio := r.ratio(key, "official-insert", records, SLOW)) is not None]
    if others and speed.met is not None:
        speed = Verdict(speed.target, speed.met, speed.measured + "; the others: "
                        + ", ".join(others))
    return [count, speed]

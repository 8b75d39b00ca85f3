"""The fault-injection suite: for each kind of fault the simulator injects, reads and
5,000-row writes with faults at random (seeded) points, then the simulator's data compared with
the expected data exactly. Prints a table; lost, duplicated and wrongly reported are zero where
the driver keeps its word.

    python tests/faultsuite.py [--rows 5000] [--trials 3] [--seed 1] [--kinds 429,reset,...]

(tests/test_fault_suite.py runs it small as part of the test run.)

Each trial, with its faults armed on the requests it is about to send:

- read: a full scan of the table (pages read concurrently by id range), which must return
  exactly the rows a scan without faults returns, or raise.
- insert: ``executemany`` of ``--rows`` new rows, resumed as the README says after a failure
  (from ``first_uncommitted_index``; after an unknown outcome, the ``unknown_rows`` found missing
  first), until every row is in: each must then be there exactly once.
- update: one ``UPDATE … FROM`` a TEMP table that sets a new value on each of those rows, run
  again after a failure; then each holds its new value and no other record changed.
- delete: one ``DELETE`` of those rows, run again after a failure; then none is left and no
  other record is gone.

After each failure the exception is checked against the data: the records it names as
committed are written, the rows after them outside ``unknown_rows`` are not; every row named
in ``unknown_rows`` counts as reported unknown. A row whose state contradicts what the
exception said, or an exception without the partial-failure facts, counts as wrongly reported.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

#: The fault kinds: the rule's fields (without where and when). The slow kinds run with the
#: connection's Timeout set to TIMEOUT.
KINDS: dict[str, dict[str, Any]] = {
    "429 GAIA_TO04": {"status": 429, "code": "GAIA_TO04"},
    "503 gateway page": {"status": 503, "body": "<html><h1>503 Service Unavailable</h1></html>"},
    "500 GAIA_RE18": {"status": 500, "code": "GAIA_RE18"},
    "200 non-JSON page": {"status": 200, "body": "<p>sign in</p>", "content_type": "text/html"},
    "reset": {"reset": True},
    "reply lost after serving": {"reset_after_serve": True},
    "slow reply (timeout)": {"delay": 1.5},
    "slow body (timeout)": {"slow_body": 3.0},
}
TIMEOUT = 1  # seconds, the connection's Timeout: the slow kinds exceed it

#: The suite's rows in kintone: row number → [(Id, V)], one pair per record holding it.
Mine = dict[int, list[tuple[int, int]]]

BASE_RECORDS = 3000  # records of the table before the trials

APP: dict[str, Any] = {
    "id": 1,
    "name": "Ledger",
    "fields": {
        "tag": {"type": "SINGLE_LINE_TEXT", "label": "Tag"},
        "n": {"type": "NUMBER", "label": "N"},
        "v": {"type": "NUMBER", "label": "V"},
    },
}


def fixture() -> dict[str, Any]:
    records = [
        {"tag": {"value": "base"}, "n": {"value": str(i)}, "v": {"value": "0"}}
        for i in range(BASE_RECORDS)
    ]
    return {
        "users": [{"code": "u", "name": "U", "password": "pw"}],
        "apps": [{**APP, "records": records}],
    }


@dataclass
class Tally:
    """One line of the table."""

    kind: str
    operations: int = 0
    faults: int = 0
    checked: int = 0
    lost: int = 0
    duplicated: int = 0
    unknown: int = 0
    wrong: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.notes) < 5:
            self.notes.append(text)


class Trial:
    """The trials of one fault kind, on a fresh simulator."""

    def __init__(self, kind: str, rows: int, rng: random.Random) -> None:
        self.kind, self.rule, self.rows, self.rng = kind, KINDS[kind], rows, rng
        self.tally = Tally(kind)
        self.sim = Simulator(fixture())
        props: dict[str, Any] = {"Url": self.sim.url, "User": "u", "Password": "pw"}
        self.check = mod.connect(**props)  # reads the truth, never faulted
        # The short Timeout only where the kind needs it: elsewhere it would only turn a slow
        # moment of a loaded machine into a failed trial.
        if "delay" in self.rule or "slow_body" in self.rule:
            props["Timeout"] = TIMEOUT
        self.conn = mod.connect(**props)

    def close(self) -> None:
        self.conn.close()
        self.check.close()
        self.sim.close()

    # --- faults --------------------------------------------------------------------------

    def arm(self, path: str, requests: int, **match: Any) -> None:
        """Fault one or two of the next ``requests`` requests to ``path``, at random."""
        self.sim.clear_faults()
        self.sim.reset_requests()
        for _ in range(self.rng.randint(1, 2)):
            nth = self.rng.randint(1, max(1, requests))
            self.sim.add_fault(path=path, nth=nth, **match, **self.rule)

    def disarm(self) -> None:
        self.tally.faults += sum(1 for r in self.sim.requests() if r.get("fault"))
        self.sim.clear_faults()

    # --- the truth -----------------------------------------------------------------------

    def table(self) -> list[tuple[int, str, int, int]]:
        return [
            (int(i), str(t), int(n), int(v))
            for i, t, n, v in self.check.execute(
                "SELECT Id, Tag, N, V FROM Ledger ORDER BY Id"
            ).fetchall()
        ]

    def mine(self) -> Mine:
        """The suite's rows in kintone: row number → [(Id, V)]."""
        out: Mine = {}
        for i, tag, n, v in self.table():
            if tag == "suite":
                out.setdefault(n, []).append((i, v))
        return out

    # --- reads ---------------------------------------------------------------------------

    def read(self) -> None:
        sql = "SELECT Id, Tag, N, V FROM Ledger"
        want = Counter(self.conn.execute(sql).fetchall())
        pages = sum(want.values()) // 500 + 2
        self.arm("/k/v1/records.json", pages)
        self.tally.operations += 1
        try:
            got = Counter(self.conn.execute(sql).fetchall())
        except mod.Error as exc:
            self.tally.errors += 1
            self.tally.note(f"read: {type(exc).__name__}: {str(exc)[:120]}")
            got = None
        self.disarm()
        if got is not None:
            self.tally.checked += sum(want.values())
            self.tally.lost += sum((want - got).values())
            self.tally.duplicated += sum((got - want).values())

    # --- writes --------------------------------------------------------------------------

    def insert(self) -> None:
        rows = [("suite", n, 0) for n in range(self.rows)]
        sql = "INSERT INTO Ledger (Tag, N, V) VALUES (?, ?, ?)"
        todo: Sequence[tuple[str, int, int]] = rows
        self.arm("/k/v1/bulkRequest.json", len(todo) // 2000 + 1)
        for _ in range(10):
            self.tally.operations += 1
            try:
                self.conn.executemany(sql, todo)
                break
            except mod.Error as exc:
                todo = self.after_failed_insert(exc, todo)
        else:
            self.tally.note("insert: not done after 10 attempts")
        self.disarm()
        present = self.mine()
        self.tally.checked += self.rows
        self.tally.lost += sum(1 for n in range(self.rows) if n not in present)
        self.tally.duplicated += sum(len(v) - 1 for v in present.values())

    def after_failed_insert(
        self, exc: mod.Error, todo: Sequence[tuple[str, int, int]]
    ) -> Sequence[tuple[str, int, int]]:
        """Checks what ``exc`` says against the data; returns the rows to send next."""
        self.tally.errors += 1
        first = exc.first_uncommitted_index
        if first is None or exc.committed_ids is None:
            self.tally.wrong += len(todo)
            self.tally.note(f"insert: no partial-failure facts: {exc}")
            return []
        present = self.mine()
        by_id = {i: n for n, found in present.items() for i, _ in found}
        unknown = exc.unknown_rows if exc.outcome_unknown else range(first, first)
        if exc.outcome_unknown and exc.unknown_rows is None:
            self.tally.wrong += 1
            self.tally.note("insert: outcome unknown without unknown_rows")
            unknown = range(first, len(todo))
        assert unknown is not None
        self.tally.unknown += len(unknown)
        committed = [todo[i][1] for i in range(first)]
        if sorted(by_id.get(i, -1) for i in exc.committed_ids) != sorted(committed):
            self.tally.wrong += 1
            self.tally.note("insert: committed_ids are not the rows before first_uncommitted_index")
        for i in range(first, len(todo)):
            if i not in unknown and todo[i][1] in present:
                self.tally.wrong += 1
                self.tally.note(f"insert: row {i} is in kintone, reported not written")
        missing_unknown = [todo[i] for i in unknown if todo[i][1] not in present]
        return missing_unknown + list(todo[unknown.stop if unknown else first :])

    def rewrite(self, what: str, sql: str, done: Callable[[Mine], bool]) -> None:
        """Runs one statement over the suite's rows, again after each failure, until ``done``
        holds for the data; checks each failure's facts against the data."""
        self.arm("/k/v1/bulkRequest.json", self.rows // 2000 + 1)
        try:
            for _ in range(10):
                before = self.mine()
                self.tally.operations += 1
                try:
                    self.conn.execute(sql)
                except mod.Error as exc:
                    self.tally.errors += 1
                    self.check_rewrite_failure(what, exc, before)
                    continue
                if not done(self.mine()):
                    self.tally.note(f"{what}: succeeded without doing it all")
                    self.tally.wrong += 1
                return
            self.tally.note(f"{what}: not done after 10 attempts")
        finally:
            self.disarm()

    def check_rewrite_failure(
        self, what: str, exc: mod.Error, before: Mine
    ) -> None:
        if exc.committed_ids is None:
            self.tally.wrong += 1
            self.tally.note(f"{what}: no partial-failure facts: {exc}")
            return
        after = {i: v for found in self.mine().values() for i, v in found}
        unknown = set(exc.unknown_ids or []) if exc.outcome_unknown else set()
        self.tally.unknown += len(unknown) if exc.outcome_unknown else 0
        if exc.outcome_unknown and exc.unknown_rows is None:
            self.tally.wrong += 1
        committed = set(exc.committed_ids)
        for found in before.values():
            for i, v in found:
                changed = (i not in after) if what == "delete" else after.get(i) != v
                if i in committed and not changed:
                    self.tally.wrong += 1
                    self.tally.note(f"{what}: record {i} reported committed, unchanged")
                elif i not in committed and i not in unknown and changed:
                    self.tally.wrong += 1
                    self.tally.note(f"{what}: record {i} changed, reported not written")

    def update(self) -> None:
        # The new values, in a TEMP table of the connection: V = N + 1 for every suite row.
        self.conn.execute("DELETE FROM [Ledger#TEMP]")
        rows = [(i, n + 1) for n, found in self.mine().items() for i, _ in found]
        self.conn.executemany("INSERT INTO [Ledger#TEMP] (Id, V) VALUES (?, ?)", rows)
        others = self.others()
        self.rewrite(
            "update",
            "UPDATE Ledger SET V = t.V FROM [Ledger#TEMP] AS t WHERE Ledger.Id = t.Id",
            lambda present: all(v == n + 1 for n, found in present.items() for _, v in found),
        )
        present = self.mine()
        self.tally.checked += self.rows
        self.tally.lost += sum(1 for n, found in present.items() for _, v in found if v != n + 1)
        self.tally.lost += self.changed(others)

    def delete(self) -> None:
        others = self.others()
        sql = "DELETE FROM Ledger WHERE Tag = 'suite'"
        self.rewrite("delete", sql, lambda present: not present)
        self.tally.checked += self.rows
        self.tally.duplicated += sum(len(found) for found in self.mine().values())
        self.tally.lost += self.changed(others)

    def others(self) -> dict[int, tuple[int, str, int, int]]:
        """The records that are not the suite's, by Id."""
        return {r[0]: r for r in self.table() if r[1] != "suite"}

    def changed(self, others: dict[int, tuple[int, str, int, int]]) -> int:
        """How many of ``others`` have changed or gone since."""
        now = self.others()
        return sum(1 for i, r in others.items() if now.get(i) != r)


def run(kinds: Sequence[str], rows: int, trials: int, seed: int) -> list[Tally]:
    """Runs the suite; returns a Tally per fault kind."""
    tallies = []
    for k, kind in enumerate(kinds):
        trial = Trial(kind, rows, random.Random(seed * 1000 + k))
        try:
            for _ in range(trials):
                trial.read()
                trial.insert()
                trial.update()
                trial.read()
                trial.delete()
        finally:
            trial.close()
        tallies.append(trial.tally)
    return tallies


COLUMNS = [
    ("fault kind", "kind", 24),
    ("operations", "operations", 10),
    ("faults injected", "faults", 15),
    ("records checked", "checked", 15),
    ("lost", "lost", 4),
    ("duplicated", "duplicated", 10),
    ("reported unknown", "unknown", 16),
    ("wrongly reported", "wrong", 16),
    ("errors raised", "errors", 13),
]


def table(tallies: Sequence[Tally]) -> str:
    widths = [w for _, _, w in COLUMNS]

    def line(cells: Sequence[object]) -> str:
        pairs = enumerate(zip(cells, widths, strict=True))
        texts = [f"{c!s:<{w}}" if i == 0 else f"{c!s:>{w}}" for i, (c, w) in pairs]
        return "| " + " | ".join(texts) + " |"

    out = [line([h for h, _, _ in COLUMNS]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for t in tallies:
        out.append(line([getattr(t, a) for _, a, _ in COLUMNS]))
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=5000, help="rows per write (default 5000)")
    ap.add_argument("--trials", type=int, default=3, help="trials per fault kind (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated fault kinds")
    args = ap.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        ap.error(f"unknown fault kinds {unknown}; known: {list(KINDS)}")
    start = time.monotonic()
    tallies = run(kinds, args.rows, args.trials, args.seed)
    print(f"{args.rows}-row writes, {args.trials} trials per kind, seed {args.seed}, "
          f"{time.monotonic() - start:.0f} s\n")
    print(table(tallies))
    for t in tallies:
        for n in t.notes:
            print(f"  {t.kind}: {n}")
    bad = [t.kind for t in tallies if t.lost or t.duplicated or t.wrong]
    if bad:
        print(f"\nFAILED: data lost, duplicated or wrongly reported under {bad}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

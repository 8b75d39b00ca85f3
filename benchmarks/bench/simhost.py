"""The simulator in its own process, with its counters reachable from the harness.

``python -m cdata_kintone simulator`` starts the simulator in a process of its own, but its
counters (:meth:`cdata_kintone.testing.Simulator.stats`) live in that process and kintone has
no endpoint for them. So the harness starts this module instead::

    python -m bench.simhost --records N --latency-ms L

which starts a :class:`~cdata_kintone.testing.Simulator` with the sample data (N records in the
Orders app, L ms slept before each reply) and a :class:`CountingProxy` in front of it, prints
one line of JSON (``url``: the simulator; ``countedUrl``: the proxy; ``user``, ``password``;
``orders`` and ``deals``: the ids of the apps read and written), then answers one line of JSON
per command line on stdin:

- ``reset``: zero the simulator's counters and the proxy's;
- ``stats``: ``{"requests", "errors", "byEndpoint", "bytesToClient", "bytesToServer"}`` since
  the last reset (the byte counts are of traffic through the proxy only).

It stops at the end of stdin. :class:`SimHost` is the harness's side of that pipe.

The proxy relays TCP without reading HTTP, so the bytes it counts are those on the wire; it is
in Python, so the harness sends only an untimed run through it (see ``read_bench.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: The folder holding the ``bench`` package: the child processes' PYTHONPATH.
BENCHMARKS_DIR = Path(__file__).resolve().parent.parent

_CHUNK = 256 * 1024


class CountingProxy:
    """A loopback TCP relay to ``target`` that counts the bytes in each direction."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._to_client = 0
        self._to_server = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def counts(self) -> tuple[int, int]:
        """Bytes sent to clients and to the server since the last :meth:`reset`."""
        with self._lock:
            return self._to_client, self._to_server

    def reset(self) -> None:
        with self._lock:
            self._to_client = self._to_server = 0

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client, socket.create_connection(self._target) as server:
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            upstream = threading.Thread(target=self._pump, args=(client, server, False))
            upstream.start()
            self._pump(server, client, True)
            upstream.join()

    def _pump(self, src: socket.socket, dst: socket.socket, to_client: bool) -> None:
        """Copy src to dst until src ends, then end dst's sending side."""
        try:
            while data := src.recv(_CHUNK):
                dst.sendall(data)
                with self._lock:
                    if to_client:
                        self._to_client += len(data)
                    else:
                        self._to_server += len(data)
        except OSError:
            pass  # a side closed the connection: the relay of this direction is over
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)


def serve(records: int, latency_ms: int, commands: IO[str], out: IO[str]) -> None:
    """Run the simulator and its proxy, answering ``commands`` until they end."""
    from cdata_kintone.testing import Simulator

    with Simulator(order_records=records, latency=latency_ms / 1000) as sim:
        port = urllib.parse.urlsplit(sim.url).port
        assert port is not None
        proxy = CountingProxy(("127.0.0.1", port))
        info = {
            # "localhost": the official client takes plain http for no other host name.
            "url": f"http://localhost:{port}",
            "countedUrl": f"http://localhost:{proxy.port}",
            "user": sim.user,
            "password": sim.password,
            "orders": sim.app("ORDERS")["id"],
            "deals": sim.app("DEALS")["id"],
        }
        print(json.dumps(info), file=out, flush=True)
        for line in commands:
            command = line.strip()
            reply: dict[str, Any]
            if command == "reset":
                sim.reset_requests()
                proxy.reset()
                sim.collect_garbage()  # before every run: no collection left due to fall in it
                reply = {}
            elif command == "stats":
                stats = sim.stats()
                to_client, to_server = proxy.counts()
                reply = {
                    "requests": stats["requests"],
                    "errors": stats["errors"],
                    "byEndpoint": stats["byEndpoint"],
                    "bytesToClient": to_client,
                    "bytesToServer": to_server,
                }
            else:
                reply = {"error": f"unknown command {command!r}"}
            print(json.dumps(reply), file=out, flush=True)


@dataclass(frozen=True)
class SimStats:
    """Counters since the last reset (bytes: through the counting proxy only)."""

    requests: int
    errors: int
    by_endpoint: dict[str, int]
    bytes_to_client: int
    bytes_to_server: int


class SimHost:
    """The harness's handle on a ``bench.simhost`` process (a context manager)."""

    def __init__(self, records: int, latency_ms: int) -> None:
        env = dict(os.environ, PYTHONPATH=str(BENCHMARKS_DIR))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.simhost", "--records", str(records),
             "--latency-ms", str(latency_ms)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        try:
            info = self._reply()
        except BaseException:
            self.close()
            raise
        self.url: str = info["url"]
        self.counted_url: str = info["countedUrl"]
        self.user: str = info["user"]
        self.password: str = info["password"]
        self.orders_app: int = info["orders"]
        self.deals_app: int = info["deals"]

    def _reply(self, command: str | None = None) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        if command is not None:
            self._proc.stdin.write(command + "\n")
            self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulator host exited (status {self._proc.wait()})")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"the simulator host: {reply['error']}")
        return reply

    def reset(self) -> None:
        self._reply("reset")

    def stats(self) -> SimStats:
        r = self._reply("stats")
        return SimStats(r["requests"], r["errors"], dict(r["byEndpoint"]),
                        r["bytesToClient"], r["bytesToServer"])

    def close(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()  # the end of the commands stops the host
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> SimHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    ap = argparse.ArgumentParser(description="the kintone simulator for the benchmark")
    ap.add_argument("--records", type=int, required=True, help="records in the Orders app")
    ap.add_argument("--latency-ms", type=int, default=0, help="delay before each reply")
    args = ap.parse_args()
    serve(args.records, args.latency_ms, sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()

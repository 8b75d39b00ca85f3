"""The Firewall* properties: connections to the simulator go through a loopback firewall written
here (a SOCKS5 server and an HTTP CONNECT tunnel, both optionally requiring credentials), so that
the core's clients meet an implementation other than the Go tests' own. Refusals are
OperationalErrors naming the firewall and what it answered, never the password."""

from __future__ import annotations

import base64
import contextlib
import socket
import socketserver
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

USER = "fw-user"
PASSWORD = "fw-9Kp3-never-shown"


def recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data


def relay(client: socket.socket, upstream: socket.socket) -> None:
    """Copies bytes both ways until both sides have finished sending."""

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join()
    upstream.close()


class Firewall(socketserver.ThreadingTCPServer):
    """A loopback firewall of ``kind`` SOCKS5 or TUNNEL; with ``user``, it requires that user
    name and :data:`PASSWORD`. ``targets`` lists the destinations it connected to."""

    daemon_threads = True

    def __init__(self, kind: str, user: str | None = None) -> None:
        handler = Socks5Handler if kind == "SOCKS5" else TunnelHandler
        super().__init__(("127.0.0.1", 0), handler)
        self.kind, self.user = kind, user
        self.targets: list[str] = []

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def properties(self, password: str = PASSWORD) -> str:
        props = f"FirewallType={self.kind};FirewallServer=127.0.0.1;FirewallPort={self.port}"
        if self.user:
            props += f";FirewallUser={self.user};FirewallPassword={password}"
        return props

    def __enter__(self) -> Firewall:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class Socks5Handler(socketserver.BaseRequestHandler):
    """SOCKS5 (RFC 1928) CONNECT, with username/password authentication (RFC 1929)."""

    def handle(self) -> None:
        fw, sock = cast(Firewall, self.server), cast(socket.socket, self.request)
        _version, count = recv_exact(sock, 2)
        methods = recv_exact(sock, count)
        method = 2 if fw.user else 0
        if method not in methods:
            sock.sendall(b"\x05\xff")
            return
        sock.sendall(bytes([5, method]))
        if method == 2:
            _version, length = recv_exact(sock, 2)
            user = recv_exact(sock, length).decode()
            password = recv_exact(sock, recv_exact(sock, 1)[0]).decode()
            accepted = user == fw.user and password == PASSWORD
            sock.sendall(b"\x01\x00" if accepted else b"\x01\x01")
            if not accepted:
                return
        _version, _command, _reserved, kind = recv_exact(sock, 4)
        if kind == 1:
            host = socket.inet_ntoa(recv_exact(sock, 4))
        elif kind == 3:
            host = recv_exact(sock, recv_exact(sock, 1)[0]).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET6, recv_exact(sock, 16))
        port = int.from_bytes(recv_exact(sock, 2), "big")
        try:
            upstream = socket.create_connection((host, port), timeout=10)
        except OSError:
            sock.sendall(b"\x05\x05\x00\x01" + bytes(6))  # connection refused
            return
        fw.targets.append(f"{host}:{port}")
        sock.sendall(b"\x05\x00\x00\x01" + bytes(6))
        relay(sock, upstream)


class TunnelHandler(socketserver.BaseRequestHandler):
    """HTTP CONNECT, with Basic Proxy-Authorization."""

    def handle(self) -> None:
        fw, sock = cast(Firewall, self.server), cast(socket.socket, self.request)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                return
            head += chunk
        request, *lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
        method, target, _version = request.split(" ")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines)}
        credentials = base64.b64encode(f"{fw.user}:{PASSWORD}".encode()).decode()
        if fw.user and headers.get("proxy-authorization") != f"Basic {credentials}":
            sock.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            return
        assert method == "CONNECT"
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)), timeout=10)
        fw.targets.append(target)
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        relay(sock, upstream)


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(order_records=5) as s:
        yield s


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shown(exc: BaseException) -> str:
    """Everything an exception shows."""
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc))])


@pytest.mark.parametrize("kind", ["SOCKS5", "TUNNEL"])
@pytest.mark.parametrize("user", [None, USER])
def test_queries_go_through_the_firewall(sim: Simulator, kind: str, user: str | None) -> None:
    with Firewall(kind, user) as fw:
        with mod.connect(f"{sim.connection_string};{fw.properties()}") as conn:
            deals = conn.execute("SELECT COUNT(*) FROM Deals").fetchone()
            assert deals is not None and deals[0] > 0
        # The host name goes to the firewall as it is in the Url.
        assert fw.targets and set(fw.targets) == {sim.url.removeprefix("http://")}


@pytest.mark.parametrize("kind", ["SOCKS5", "TUNNEL"])
def test_refused_credentials_name_the_firewall(sim: Simulator, kind: str) -> None:
    with Firewall(kind, USER) as fw:
        wrong = "wrong-" + PASSWORD
        with pytest.raises(mod.OperationalError) as info:
            mod.connect(f"{sim.connection_string};{fw.properties(wrong)}")
        text = str(info.value)
        assert f"the {kind} firewall 127.0.0.1:{fw.port} refused the credentials" in text
        assert "FirewallPassword" in text
        assert ("SOCKS5 authentication status 1" if kind == "SOCKS5" else "HTTP 407") in text
        assert wrong not in shown(info.value) and PASSWORD not in shown(info.value)
        assert not fw.targets


def test_unreachable_firewall(sim: Simulator) -> None:
    port = closed_port()
    props = f"FirewallType=SOCKS5;FirewallServer=127.0.0.1;FirewallPort={port}"
    with pytest.raises(mod.OperationalError) as info:
        mod.connect(f"{sim.connection_string};{props};FirewallUser=u;FirewallPassword={PASSWORD}")
    assert f"the SOCKS5 firewall 127.0.0.1:{port} cannot be reached" in str(info.value)
    assert PASSWORD not in shown(info.value)


def test_oauth_token_endpoint_goes_through_the_firewall(tmp_path: Path) -> None:
    callback = "http://localhost:1/callback"
    client = {"clientId": "app-1", "clientSecret": "secret-1", "redirectUris": [callback]}
    with Simulator(oauth_clients=[client]) as sim, Firewall("SOCKS5", USER) as fw:
        oauth: dict[str, Any] = {
            "Url": sim.url,
            "OAuthClientId": "app-1",
            "OAuthClientSecret": "secret-1",
            "CallbackURL": callback,
            "InitiateOAuth": "REFRESH",
            "OAuthRefreshToken": sim.issue_oauth_tokens("app-1", "sato")["refresh_token"],
            "OAuthSettingsLocation": str(tmp_path / "oauth.txt"),
            "UseCursor": False,
        }
        firewall: dict[str, Any] = {
            "FirewallType": "SOCKS5",
            "FirewallServer": "127.0.0.1",
            "FirewallPort": closed_port(),
            "FirewallUser": USER,
            "FirewallPassword": PASSWORD,
        }
        # The refresh at connect() is the first request: a firewall that is down stops it.
        with pytest.raises(mod.OperationalError) as info:
            mod.connect(**oauth, **firewall)
        text = str(info.value)
        assert "refreshing the OAuth access token" in text and "SOCKS5 firewall" in text
        with mod.connect(**oauth, **{**firewall, "FirewallPort": fw.port}) as conn:
            assert conn.execute("SELECT COUNT(*) FROM Deals").fetchone() is not None
        assert fw.targets


def test_firewall_needs_server_and_port(sim: Simulator) -> None:
    with pytest.raises(mod.InterfaceError, match="FirewallServer and FirewallPort"):
        mod.connect(f"{sim.connection_string};FirewallType=TUNNEL;FirewallServer=127.0.0.1")
    with pytest.raises(mod.InterfaceError, match="FirewallType is NONE") as info:
        mod.connect(f"{sim.connection_string};FirewallPassword={PASSWORD}")
    assert PASSWORD not in shown(info.value)

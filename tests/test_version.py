"""One version: the installed distribution's, which ``cdata_kintone.__version__``, the native
core and the User-Agent of every request report."""

from __future__ import annotations

import http.server
import importlib.metadata
import threading
from collections.abc import Iterator

import pytest

import cdata_kintone as mod
from cdata_kintone import _native


def test_version_is_the_distributions() -> None:
    assert mod.__version__ == importlib.metadata.version("cdata-kintone")
    assert "__version__" in mod.__all__


class _RefuseLogin(http.server.BaseHTTPRequestHandler):
    """Records the request's User-Agent and refuses the login as kintone does."""

    server: _RecordingServer

    def do_GET(self) -> None:
        self.server.agents.append(self.headers.get("User-Agent", ""))
        body = b'{"code":"CB_WA01","id":"1","message":"login failed"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _RecordingServer(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RefuseLogin)
        self.agents: list[str] = []


@pytest.fixture()
def recording_server() -> Iterator[_RecordingServer]:
    with _RecordingServer() as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.shutdown()
            thread.join()


@pytest.mark.native
def test_core_and_user_agent_carry_the_version(recording_server: _RecordingServer) -> None:
    assert _native.call(_native.load().Version) == mod.__version__
    with pytest.raises(mod.LoginFailed):
        mod.connect(Url=f"http://127.0.0.1:{recording_server.server_port}", User="u", Password="p")
    agents = recording_server.agents
    assert agents and set(agents) == {f"cdata-kintone/{mod.__version__}"}

"""No secret in anything a session shows. Sessions with every kind of credential (password,
API token, the Basic layer, OAuth tokens and client secret, an encrypted client-certificate key,
a proxy, a firewall) run with the ``cdata_kintone`` loggers at DEBUG, succeed, fail in the ways
a session fails (refused credentials, SQL errors, kintone's errors, server errors after retries,
a broken connection, procedures) and have their state shown; then every log record, every
exception's text, repr and traceback, every repr and ``sys_connection_props`` are searched for
the secrets, the wrong ones tried included."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator

pytestmark = pytest.mark.native

PASSWORD = "pw-7Hq2-never-shown"
TOKEN = "tok7Kd9neverShown"
BASIC_PASSWORD = "basic-5Rt1-never-shown"
CLIENT_SECRET = "client-8Wm4-never-shown"
CERT_PASSWORD = "cert-2Zx6-never-shown"
PROXY_PASSWORD = "proxy-4Nb8-never-shown"
FIREWALL_PASSWORD = "firewall-6Vc3-never-shown"
#: Wrong credentials tried: they must not be shown either.
WRONG = ["wrong-pw-3Fg5-never-shown", "wrongTok1Ab2neverShown", "wrong-basic-9Lp0-never-shown"]

APP = {
    "id": 1,
    "code": "NOTES",
    "name": "Notes",
    "fields": {
        "title": {"type": "SINGLE_LINE_TEXT", "label": "Title", "required": True},
        "amount": {"type": "NUMBER", "label": "Amount", "maxValue": "100"},
        "doc": {"type": "FILE", "label": "Doc"},
    },
    "apiTokens": [{"token": TOKEN, "view": True, "add": True, "edit": True, "delete": True}],
    "records": [{"title": {"value": "first"}, "amount": {"value": "1"}}],
}


def fixture(**extra: Any) -> dict[str, Any]:
    users = [{"code": "sato", "name": "Sato", "password": PASSWORD}]
    return {"users": users, "apps": [APP], **extra}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Shown:
    """Everything a session showed: texts, and the exceptions raised."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.more_secrets: list[str] = []  # secrets a test learns, such as issued tokens

    def add(self, *texts: object) -> None:
        self.texts.extend(str(t) for t in texts)

    def error(self, exc: BaseException) -> None:
        self.add(str(exc), repr(exc), exc.args, "".join(traceback.format_exception(exc)))
        self.add(*(f"{k}={v!r}" for k, v in vars(exc).items()))

    def expect_error(self, action: Callable[[], object]) -> None:
        with pytest.raises(mod.Error) as info:
            action()
        self.error(info.value)

    def refused(self, props: dict[str, Any]) -> None:
        self.expect_error(lambda: mod.connect(**props))


def session(shown: Shown, sim: Simulator, props: dict[str, Any], faults: bool = True) -> None:
    """A session's life on a connection: rows, failures of every kind (with server faults
    unless ``faults`` is false: they cost the retries' backoff), its state shown."""
    conn = mod.connect(**props)
    shown.add(repr(conn), conn.connection_string, conn.info())
    cur = conn.cursor()
    shown.add(repr(cur), cur.execute("SELECT * FROM sys_connection_props").fetchall())
    shown.add(cur.execute("SELECT Id, Title, Amount FROM Notes").fetchall(), cur.description)
    cur.execute("INSERT INTO Notes (Title, Amount) VALUES ('a', 2)")
    shown.expect_error(lambda: cur.execute("INSERT INTO Notes (Title, Amount) VALUES ('b', 500)"))
    shown.expect_error(lambda: cur.execute("INSERT INTO Notes (Amount) VALUES (3)"))
    shown.expect_error(lambda: cur.execute("SELECT * FROM NoSuchTable"))
    shown.expect_error(lambda: cur.execute("SELECT nope FROM Notes"))
    shown.expect_error(lambda: cur.execute("SELECT ?", [1, 2]))
    cur.execute("EXECUTE UploadFile FileData = 'aGVsbG8=', FileName = 'h.txt'")
    shown.add(cur.fetchall())
    shown.expect_error(lambda: cur.execute("EXECUTE DownloadFile FileKey = 'no-such-key'"))
    for fault in () if not faults else (
        {"status": 503, "body": "<html>maintenance</html>", "times": -1},
        {"status": 200, "body": "<html>sign in</html>", "content_type": "text/html", "times": -1},
        {"reset": True, "times": -1},
    ):
        sim.add_fault(path="/k/v1/records.json", **fault)
        shown.expect_error(lambda: cur.execute("SELECT Id FROM Notes").fetchall())
        sim.clear_faults()
    sim.add_fault(path="/k/v1/*", method="POST", reset_after_serve=True)  # the write
    shown.expect_error(lambda: cur.execute("INSERT INTO Notes (Title) VALUES ('c')"))
    sim.clear_faults()
    conn.close()
    shown.add(repr(conn), repr(cur))
    shown.expect_error(lambda: cur.execute("SELECT 1"))


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def shown() -> Iterator[Shown]:
    """What the test's sessions show, the log records at DEBUG included; checked afterwards."""
    s = Shown()
    logger = logging.getLogger("cdata_kintone")
    recorder, level = Recorder(), logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        yield s
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
    assert any(r.name == "cdata_kintone.http" for r in recorder.records), "no HTTP log records"
    for r in recorder.records:
        s.add(r.getMessage(), r.args, r.exc_text or "", r.stack_info or "")
        if r.exc_info and r.exc_info[1] is not None:
            s.error(r.exc_info[1])
    secrets = [PASSWORD, TOKEN, BASIC_PASSWORD, CLIENT_SECRET, CERT_PASSWORD]
    secrets += [PROXY_PASSWORD, FIREWALL_PASSWORD]
    for text in s.texts:
        for secret in secrets + WRONG + s.more_secrets:
            assert secret not in text, f"{secret[:6]}… shown in: {text[:500]}"


def test_password_token_and_basic_sessions(shown: Shown) -> None:
    basic: dict[str, Any] = {"BasicAuthUser": "gate", "BasicAuthPassword": BASIC_PASSWORD}
    with Simulator(fixture(basicAuth={"user": "gate", "password": BASIC_PASSWORD})) as sim:
        password = {"Url": sim.url, "User": "sato", "Password": PASSWORD, **basic}
        tokens = {"Url": sim.url, "AuthScheme": "APIToken", "APIToken": TOKEN, "AppId": 1, **basic}
        session(shown, sim, password)
        session(shown, sim, tokens, faults=False)
        for wrong in (
            {**password, "Password": WRONG[0]},
            {**tokens, "APIToken": WRONG[1]},
            {**password, "BasicAuthPassword": WRONG[2]},
            {**password, "Password": PASSWORD + "'; quoted"},
        ):
            shown.refused(wrong)
        # A proxy that is down.
        proxy = {"ProxyServer": "127.0.0.1", "ProxyPort": closed_port(), "ProxyUser": "p"}
        shown.refused({**password, **proxy, "ProxyPassword": PROXY_PASSWORD})
        # A firewall that is down, alone and with that proxy.
        firewall = {
            "FirewallType": "SOCKS5",
            "FirewallServer": "127.0.0.1",
            "FirewallPort": closed_port(),
            "FirewallUser": "f",
            "FirewallPassword": FIREWALL_PASSWORD,
        }
        shown.refused({**password, **firewall})
        shown.refused({**password, **proxy, "ProxyPassword": PROXY_PASSWORD, **firewall})


def test_text_after_a_secret_is_not_shown(shown: Shown) -> None:
    """A secret with an unquoted ";" splits into a value and a segment that does not parse: the
    error names the property and the likely causes, and shows neither part."""
    first, rest = "Xk5-first-half", "Rest-Of-Secret9"
    shown.more_secrets += [first, rest, "Timout"]
    with Simulator(fixture()) as sim:
        base = f"Url={sim.url};User=sato"
        mod.connect(f"{base};Password={PASSWORD}").close()  # the fixture wants HTTP log records
        for text, cause in (
            (f"Password={first};{rest}", 'the next property is written without "=" and a value'),
            (f"Password={first};{rest}=x;Timeout=5", "the next property's name is misspelt"),
            (f"Password={first};Timout={rest}", 'misspelt (did you mean "Timeout"?)'),
            (f"BasicAuthUser=gate;BasicAuthPassword={first};{rest};Password={PASSWORD}", '"="'),
        ):
            with pytest.raises(mod.InterfaceError) as info:
                mod.connect(f"{base};{text}")
            shown.error(info.value)
            message = str(info.value)
            secret = "BasicAuthPassword" if "Basic" in text else "Password"
            assert f"right after the value of {secret} and is not shown" in message
            assert f"""the value of {secret} contains ";" (enclose""" in message
            assert cause in message


def test_oauth_session(shown: Shown, tmp_path: Path) -> None:
    callback = f"http://localhost:{closed_port()}/callback"
    client = {"clientId": "app-1", "clientSecret": CLIENT_SECRET, "redirectUris": [callback]}
    with Simulator(fixture(oauthClients=[client])) as sim:
        tokens = sim.issue_oauth_tokens("app-1", "sato")
        shown.more_secrets += [tokens["access_token"], tokens["refresh_token"]]
        oauth: dict[str, Any] = {
            "Url": sim.url,
            "OAuthClientId": "app-1",
            "OAuthClientSecret": CLIENT_SECRET,
            "CallbackURL": callback,
            "UseCursor": False,
        }
        off = {**oauth, "InitiateOAuth": "OFF", "OAuthAccessToken": tokens["access_token"]}
        session(shown, sim, off)
        settings = tmp_path / "oauth.txt"
        refresh = {
            **oauth,
            "InitiateOAuth": "REFRESH",
            "OAuthRefreshToken": tokens["refresh_token"],
            "OAuthSettingsLocation": str(settings),
        }
        session(shown, sim, refresh, faults=False)
        sim.revoke_oauth_token(tokens["refresh_token"])
        shown.refused({**refresh, "OAuthSettingsLocation": str(tmp_path / "x.txt")})
        shown.refused({**off, "OAuthAccessToken": WRONG[1]})


def test_client_certificate_session(shown: Shown, tmp_path: Path) -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    with Simulator(fixture(), tls="client-cert") as sim:
        assert sim.pki is not None
        key = serialization.load_pem_private_key(Path(sim.pki["clientKeyFile"]).read_bytes(), None)
        encrypted = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(CERT_PASSWORD.encode()),
        )
        pem = tmp_path / "client.pem"
        pem.write_bytes(Path(sim.pki["clientCertFile"]).read_bytes() + encrypted)
        props = {
            "Url": sim.url,
            "User": "sato",
            "Password": PASSWORD,
            "SSLServerCert": sim.pki["caFile"],
            "SSLClientCert": str(pem),
            "SSLClientCertPassword": CERT_PASSWORD,
        }
        session(shown, sim, props)
        shown.refused({**props, "SSLClientCertPassword": WRONG[0]})

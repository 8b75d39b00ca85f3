"""OAuth end to end against the simulator: every flow of the reference product, the settings
file, transparent refresh, concurrent refresh by two processes, and the error classes.

The browser is played by :func:`cdata_kintone.testing.authorize_as_user` (urllib: it opens the
authorization URL, fills in the simulator's login form and approves, as a person would); for the
desktop flow the core starts it as the ``CDATA_KINTONE_BROWSER`` command.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator, authorize_as_user

pytestmark = pytest.mark.native

CLIENT_ID = "oauth-test-client"
CLIENT_SECRET = "s3cret-of-the-client"
CUSTOMERS = "顧客リスト"  # app 1 of the sample dataset, 300 records
START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def callback() -> str:
    return f"http://localhost:{free_port()}/callback"


def oauth_sim(callback: str, **options: Any) -> Simulator:
    client = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "redirectUris": [callback]}
    return Simulator(order_records=20, oauth_clients=[client], **options)


@pytest.fixture
def sim(callback: str):  # type: ignore[no-untyped-def]
    with oauth_sim(callback) as s:
        yield s


def props(sim: Simulator, callback: str, **extra: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "Url": sim.url,
        "OAuthClientId": CLIENT_ID,
        "OAuthClientSecret": CLIENT_SECRET,
        "CallbackURL": callback,
    }
    p.update(extra)
    return p


def code_of(location: str, state: str | None = None) -> str:
    q = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
    if state is not None:
        assert q["state"] == [state]
    return q["code"][0]


def token_requests(sim: Simulator) -> int:
    return sum(1 for r in sim.requests() if r["path"] == "/oauth2/token")


def count_customers(conn: mod.Connection) -> int:
    [(count,)] = conn.execute(f"SELECT COUNT(*) FROM [{CUSTOMERS}]").fetchall()
    return int(count)


def bearer_calls(sim: Simulator) -> list[dict[str, Any]]:
    return [r for r in sim.requests() if r["path"].startswith("/k/") and r["auth"] == "oauth"]


def assert_no_secret(exc: BaseException, *secrets: str) -> None:
    text = str(exc) + repr(exc.args)
    for s in secrets:
        assert s not in text, f"secret {s[:4]}… shown in: {text}"


# --- web flow ---------------------------------------------------------------------------------


def test_web_flow_with_execute(sim: Simulator, callback: str) -> None:
    # InitiateOAuth=OFF without a token: the connection opens, but only the procedures work.
    conn = mod.connect(**props(sim, callback))
    with pytest.raises(mod.OAuthNotAuthorized, match="no OAuth access token") as info:
        count_customers(conn)
    assert "GetOAuthAuthorizationURL" in str(info.value)
    assert isinstance(info.value, mod.OperationalError)

    cur = conn.cursor()
    cur.execute(
        "EXECUTE GetOAuthAuthorizationURL CallbackURL = ?, State = 'st''ate', AuthMode = 'WEB'",
        [callback],
    )
    assert cur.description is not None
    assert [d[0] for d in cur.description] == ["URL"]
    [(url,)] = cur.fetchall()
    parsed = urllib.parse.urlparse(url)
    q = urllib.parse.parse_qs(parsed.query)
    assert url.startswith(sim.url + "/oauth2/authorization?")
    assert q["client_id"] == [CLIENT_ID] and q["redirect_uri"] == [callback]
    assert q["state"] == ["st'ate"] and q["response_type"] == ["code"]
    assert q["scope"] == [
        "k:app_record:read k:app_record:write k:app_settings:read k:app_settings:write "
        "k:file:read k:file:write"
    ]
    assert CLIENT_SECRET not in url

    code = code_of(authorize_as_user(url, "admin", "kintone-sim"), "st'ate")
    cur.execute("exec getoauthaccesstoken authmode='WEB', verifier=?", [code])
    assert [d[0] for d in cur.description] == ["OAuthAccessToken", "OAuthRefreshToken", "ExpiresIn"]
    [(access, refresh, expires)] = cur.fetchall()
    assert access and refresh and expires == 3600

    # The connection adopted the token; requests carry it as a Bearer token.
    sim.reset_requests()
    assert count_customers(conn) == 300
    calls = bearer_calls(sim)
    assert calls and all(r["user"] == "admin" for r in calls)

    # Later connections: OFF with the token as given, or REFRESH with both tokens.
    with mod.connect(Url=sim.url, OAuthAccessToken=access) as c2:
        assert count_customers(c2) == 300
        assert c2.info()["auth_scheme"] == "OAuth"

    # RefreshOAuthAccessToken by hand: new tokens; kintone rotated the refresh token.
    cur.execute("EXECUTE RefreshOAuthAccessToken OAuthRefreshToken = ?", [refresh])
    [(access2, refresh2, _)] = cur.fetchall()
    assert access2 != access and refresh2 != refresh
    assert count_customers(conn) == 300
    with pytest.raises(mod.InvalidGrant) as refused:
        cur.execute("EXECUTE RefreshOAuthAccessToken OAuthRefreshToken = ?", [refresh])
    assert refused.value.code == "invalid_grant"
    assert_no_secret(refused.value, refresh, CLIENT_SECRET)
    conn.close()


def test_web_flow_with_callproc(sim: Simulator, callback: str) -> None:
    conn = mod.connect(**props(sim, callback))
    cur = conn.cursor()
    params = {"CallbackURL": callback, "State": "abc"}
    assert cur.callproc("GetOAuthAuthorizationURL", params) is params  # PEP 249: the inputs
    [(url,)] = cur.fetchall()
    code = code_of(authorize_as_user(url), "abc")

    # A sequence gives the values in the declared order: AuthMode, Verifier, CallbackURL.
    seq = ["WEB", code, callback]
    assert cur.callproc("GetOAuthAccessToken", seq) == seq
    row = cur.fetchall()
    assert len(row) == 1 and row[0][0] and row[0][2] == 3600
    assert count_customers(conn) == 300

    cur.callproc("RefreshOAuthAccessToken")  # no parameters: the connection's own refresh token
    [(access, _, _)] = cur.fetchall()
    assert access != row[0][0]
    assert cur.callproc("RefreshOAuthAccessToken", {"OAuthRefreshToken": None}) == {
        "OAuthRefreshToken": None
    }
    assert len(cur.fetchall()) == 1

    with pytest.raises(mod.ProgrammingError, match="did you mean GetOAuthAccessToken"):
        cur.callproc("GetOAuthAcessToken", {})
    with pytest.raises(mod.ProgrammingError, match="did you mean Verifier"):
        cur.callproc("GetOAuthAccessToken", {"Verifire": "x"})
    with pytest.raises(mod.ProgrammingError, match="identifier"):
        cur.callproc("GetOAuthAccessToken; DROP", {})
    with pytest.raises(mod.ProgrammingError, match="at most 4"):
        cur.callproc(
            "GetOAuthAuthorizationURL", ["APP", callback, "k:app_record:read", "s", "extra"]
        )
    with pytest.raises(mod.ProgrammingError, match="AuthMode=WEB needs Verifier"):
        cur.callproc("GetOAuthAccessToken", {"AuthMode": "web"})
    conn.close()


def test_procedure_errors_mask_secrets(sim: Simulator, callback: str) -> None:
    conn = mod.connect(**props(sim, callback))
    cur = conn.cursor()
    secret = "verifier-that-must-not-show"
    statements = [
        f"EXECUTE GetOAuthAccessToken AuthMode='WEB', Verifier='{secret}', Bogus=1",
        f"EXECUTE GetOAuthAccessToken Verifier='{secret}' oops",
        f"EXECUTE GetOAuthAccessToken Verifier='{secret}', Verifier='{secret}'",
        f"EXECUTE GetOAuthAccessToken Verifier='{secret}",
        f"EXECUTE NoSuchProcedure Verifier='{secret}'",
    ]
    for sql in statements:
        with pytest.raises(mod.ProgrammingError) as info:
            cur.execute(sql)
        assert_no_secret(info.value, secret)
    # A wrong code: the token endpoint refuses it; nothing of it in the message.
    for sql, args in [
        (f"EXECUTE GetOAuthAccessToken AuthMode='WEB', Verifier='{secret}'", None),
        ("EXECUTE GetOAuthAccessToken 'WEB', ?", [secret]),
    ]:
        with pytest.raises(mod.InvalidGrant) as refused:
            cur.execute(sql, args)
        assert refused.value.code == "invalid_grant" and refused.value.kind == "oauth_invalid_grant"
        assert_no_secret(refused.value, secret, CLIENT_SECRET)
    conn.close()


def test_procedures_are_listed(sim: Simulator, callback: str) -> None:
    with mod.connect(**props(sim, callback)) as conn:
        names = [r[0] for r in conn.execute("SELECT ProcedureName FROM sys_procedures").fetchall()]
        assert names[:3] == [  # the others: test_procedures_write.py
            "GetOAuthAuthorizationURL",
            "GetOAuthAccessToken",
            "RefreshOAuthAccessToken",
        ]
        params = conn.execute(
            "SELECT ColumnName, IsInput FROM sys_procedureparameters "
            "WHERE ProcedureName = 'GetOAuthAccessToken' ORDER BY Ordinal"
        ).fetchall()
        assert params[:2] == [("AuthMode", 1), ("Verifier", 1)]
        assert ("ExpiresIn", 0) in params
        use_cursor = conn.execute(
            "SELECT Value FROM sys_connection_props WHERE Name = 'UseCursor'"
        ).fetchone()
        assert use_cursor == ("false",)


# --- headless ---------------------------------------------------------------------------------


def web_code(sim: Simulator, callback: str) -> str:
    """Option 1's first half, on a machine with a browser: the URL, the login, the code."""
    with mod.connect(**props(sim, callback)) as conn:
        cur = conn.cursor()
        cur.callproc("GetOAuthAuthorizationURL", {"State": "h1"})
        [(url,)] = cur.fetchall()
        return code_of(authorize_as_user(url), "h1")


def test_headless_option1_verifier(sim: Simulator, callback: str, tmp_path: Path) -> None:
    code = web_code(sim, callback)
    settings = tmp_path / "headless" / "OAuthSettings.txt"
    p = props(
        sim, callback, InitiateOAuth="REFRESH", OAuthVerifier=code, OAuthSettingsLocation=settings
    )
    before = token_requests(sim)
    with mod.connect(**p) as conn:
        assert count_customers(conn) == 300
        assert code not in conn.connection_string
    assert token_requests(sim) == before + 1

    # The file: owner-only, encrypted (no token or JSON in clear), header line.
    mode = stat.S_IMODE(settings.stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert stat.S_IMODE(settings.parent.stat().st_mode) == 0o700
    raw = settings.read_bytes()
    assert raw.startswith(b"CDATA-KINTONE-OAUTH-SETTINGS 1\n")
    assert b"accessToken" not in raw and b"refresh" not in raw and CLIENT_ID.encode() not in raw
    assert not list(settings.parent.glob(".*.tmp-*"))  # the temporary file was renamed

    # The same connection string again: the stored tokens are used, the (used) code is not
    # exchanged a second time (that would fail, and revoke the tokens).
    with mod.connect(**p) as conn:
        assert count_customers(conn) == 300
    assert token_requests(sim) == before + 1


def test_headless_option2_copied_settings_file(
    sim: Simulator, callback: str, tmp_path: Path
) -> None:
    first = tmp_path / "desktop" / "OAuthSettings.txt"
    p = props(
        sim,
        callback,
        InitiateOAuth="REFRESH",
        OAuthVerifier=web_code(sim, callback),
        OAuthSettingsLocation=first,
    )
    mod.connect(**p).close()

    copied = tmp_path / "server" / "copied.txt"
    copied.parent.mkdir()
    shutil.copy(first, copied)
    before = token_requests(sim)
    # No token in the connection string: everything comes from the copied file.
    conn = mod.connect(
        **props(sim, callback, InitiateOAuth="REFRESH", OAuthSettingsLocation=copied)
    )
    assert count_customers(conn) == 300
    assert token_requests(sim) == before
    conn.close()

    # REFRESH without anything to start from is a clear error.
    with pytest.raises(mod.OAuthNotAuthorized, match="InitiateOAuth=REFRESH has no OAuth tokens"):
        mod.connect(
            **props(
                sim, callback, InitiateOAuth="REFRESH", OAuthSettingsLocation=tmp_path / "none.txt"
            )
        )
    # A file that is not ours is refused, not overwritten.
    bogus = tmp_path / "bogus.txt"
    bogus.write_text("hello")
    with pytest.raises(mod.OperationalError, match="not an OAuth settings file"):
        mod.connect(**props(sim, callback, InitiateOAuth="REFRESH", OAuthSettingsLocation=bogus))
    assert bogus.read_text() == "hello"


# --- desktop flow (GETANDREFRESH) -------------------------------------------------------------


BROWSER_SCRIPT = """
import sys
from cdata_kintone.testing import authorize_as_user
with open(sys.argv[1], "a") as log:
    log.write("opened\\n")
authorize_as_user(sys.argv[2], "admin", "kintone-sim", approve=sys.argv[3] == "approve",
                  follow_redirect=True)
"""


def browser_command(tmp_path: Path, approve: bool = True) -> tuple[str, Path]:
    script = tmp_path / "browser.py"
    script.write_text(BROWSER_SCRIPT)
    log = tmp_path / "browser.log"
    action = "approve" if approve else "deny"
    return f'"{sys.executable}" "{script}" "{log}" %s {action}', log


def test_getandrefresh_desktop_flow(
    sim: Simulator, callback: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, log = browser_command(tmp_path)
    monkeypatch.setenv("CDATA_KINTONE_BROWSER", command)
    settings = tmp_path / "OAuthSettings.txt"
    p = props(sim, callback, InitiateOAuth="GETANDREFRESH", OAuthSettingsLocation=settings)
    with mod.connect(**p) as conn:
        assert count_customers(conn) == 300
    assert log.read_text() == "opened\n"
    assert settings.exists()

    # Next time the stored tokens are used: no browser.
    with mod.connect(**p) as conn:
        assert count_customers(conn) == 300
    assert log.read_text() == "opened\n"

    # The grant is revoked: GETANDREFRESH authorizes again through the browser at connect.
    sim.revoke_oauth_grants(CLIENT_ID)
    with mod.connect(**p) as conn:
        assert count_customers(conn) == 300
    assert log.read_text() == "opened\nopened\n"

    # Option 2 with this desktop file: copy it and use REFRESH elsewhere.
    copied = tmp_path / "elsewhere.txt"
    shutil.copy(settings, copied)
    with mod.connect(
        **props(sim, callback, InitiateOAuth="REFRESH", OAuthSettingsLocation=copied)
    ) as conn:
        assert count_customers(conn) == 300
    assert log.read_text() == "opened\nopened\n"


PRINTED_URL_CHILD = """
import sys
import cdata_kintone
conn = cdata_kintone.connect(sys.argv[1])
print(conn.execute("SELECT COUNT(*) FROM [顧客リスト]").fetchone()[0], flush=True)
"""


def test_desktop_flow_without_browser_prints_the_url(
    sim: Simulator, callback: str, tmp_path: Path
) -> None:
    """No browser (CDATA_KINTONE_BROWSER=none, as on a server): the URL goes to stderr, a person
    opens it elsewhere, and connect() completes when the redirect reaches CallbackURL."""
    script = tmp_path / "child.py"
    script.write_text(PRINTED_URL_CHILD, encoding="utf-8")
    conn_str = mod.connection.build_connection_string(
        "",
        props(
            sim, callback, InitiateOAuth="GETANDREFRESH", OAuthSettingsLocation=tmp_path / "s.txt"
        ),
    )
    env = dict(os.environ, CDATA_KINTONE_BROWSER="none")
    child = subprocess.Popen(
        [sys.executable, str(script), conn_str],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stderr is not None
        lines = []
        for line in child.stderr:
            lines.append(line)
            if line.startswith("http"):
                break
        assert lines and "CDATA_KINTONE_BROWSER=none" in lines[0], lines
        url = lines[-1].strip()
        assert url.startswith(sim.url + "/oauth2/authorization?")
        authorize_as_user(url, "admin", "kintone-sim", follow_redirect=True)
        out, _ = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 0 and out.strip() == "300"


def test_desktop_flow_denied(
    sim: Simulator, callback: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, _ = browser_command(tmp_path, approve=False)
    monkeypatch.setenv("CDATA_KINTONE_BROWSER", command)
    with pytest.raises(mod.OAuthAccessDenied) as info:
        mod.connect(
            **props(
                sim,
                callback,
                InitiateOAuth="GETANDREFRESH",
                OAuthSettingsLocation=tmp_path / "s.txt",
            )
        )
    assert info.value.code == "access_denied"
    assert not (tmp_path / "s.txt").exists()


def test_getandrefresh_needs_a_loopback_callback(sim: Simulator) -> None:
    with pytest.raises(mod.InterfaceError, match="plain http URL on localhost"):
        mod.connect(**props(sim, "https://app.example.com/callback", InitiateOAuth="GETANDREFRESH"))


# --- OFF, refresh on expiry, concurrency ------------------------------------------------------


def test_off_with_a_token_and_property_rules(sim: Simulator, callback: str) -> None:
    tokens = sim.issue_oauth_tokens(CLIENT_ID, "sato")
    with mod.connect(
        Url=sim.url, InitiateOAuth="OFF", OAuthAccessToken=tokens["access_token"], UseCursor=False
    ) as conn:
        assert count_customers(conn) == 300
        assert tokens["access_token"] not in conn.connection_string
    with pytest.raises(mod.InterfaceError, match="UseCursor=true cannot be used with OAuth"):
        mod.connect(Url=sim.url, OAuthAccessToken=tokens["access_token"], UseCursor=True)
    with pytest.raises(mod.InterfaceError, match="Authorization header") as info:
        mod.connect(
            Url=sim.url,
            OAuthAccessToken=tokens["access_token"],
            BasicAuthUser="lb",
            BasicAuthPassword="lb-pass",
        )
    assert_no_secret(info.value, tokens["access_token"], "lb-pass")
    with pytest.raises(
        mod.InterfaceError, match="InitiateOAuth=OFF uses OAuthAccessToken as given"
    ):
        mod.connect(Url=sim.url, OAuthAccessToken="a", OAuthRefreshToken=tokens["refresh_token"])


def test_transparent_refresh_on_expiry(callback: str, tmp_path: Path) -> None:
    with oauth_sim(callback, clock=START) as sim:
        tokens = sim.issue_oauth_tokens(CLIENT_ID, "admin")
        settings = tmp_path / "OAuthSettings.txt"
        p = props(
            sim,
            callback,
            InitiateOAuth="REFRESH",
            OAuthAccessToken=tokens["access_token"],
            OAuthRefreshToken=tokens["refresh_token"],
            OAuthSettingsLocation=settings,
        )
        conn = mod.connect(**p)
        assert count_customers(conn) == 300
        stored = settings.read_bytes()
        before = token_requests(sim)

        sim.advance(3700)  # the access token has expired on kintone's clock
        sim.reset_requests()
        assert count_customers(conn) == 300  # refused once with 401, refreshed, sent again
        log = [(r["path"], r["status"]) for r in sim.requests()]
        assert ("/oauth2/token", 200) in log
        assert [s for path, s in log if path.startswith("/k/")].count(401) == 1
        assert token_requests(sim) == 1 and before >= 0
        assert settings.read_bytes() != stored  # the new tokens were written

        # The rotated refresh token is gone; a new connection with the same string uses the
        # stored tokens, not the stale ones in the string.
        with mod.connect(**p) as c2:
            assert count_customers(c2) == 300

        # OFF never refreshes: an expired token is a clear error carrying kintone's code.
        off = mod.connect(
            Url=sim.url, OAuthAccessToken=sim.issue_oauth_tokens(CLIENT_ID, "admin")["access_token"]
        )
        sim.advance(3700)
        with pytest.raises(
            mod.AccessTokenInvalid, match="InitiateOAuth=OFF never refreshes"
        ) as info:
            count_customers(off)
        assert info.value.code == "CB_OA01"
        off.close()
        conn.close()


CHILD = """
import json, os, sys, time
import cdata_kintone
from cdata_kintone import _native
_native.load()
conn_str, go = sys.argv[1], sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.002)
conn = cdata_kintone.connect(conn_str)
n = conn.execute("SELECT COUNT(*) FROM [顧客リスト]").fetchone()[0]
print(json.dumps({"n": n}))
"""


def test_concurrent_refresh_by_two_processes(callback: str, tmp_path: Path) -> None:
    """Two processes share one settings file and find the access token expired at the same
    moment: one refreshes, the other waits for the lock, reads the file again and uses the new
    token (refreshing again with the rotated refresh token would fail)."""
    with oauth_sim(callback, clock=START) as sim:
        tokens = sim.issue_oauth_tokens(CLIENT_ID, "admin")
        settings = tmp_path / "shared" / "OAuthSettings.txt"
        conn_str = mod.connection.build_connection_string(
            "",
            props(
                sim,
                callback,
                InitiateOAuth="REFRESH",
                OAuthAccessToken=tokens["access_token"],
                OAuthRefreshToken=tokens["refresh_token"],
                OAuthSettingsLocation=settings,
            ),
        )
        mod.connect(conn_str).close()  # stores the tokens
        sim.advance(3700)
        sim.reset_requests()
        script = tmp_path / "child.py"
        script.write_text(CHILD, encoding="utf-8")
        go = tmp_path / "go"
        children = [
            subprocess.Popen(
                [sys.executable, str(script), conn_str, str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        time.sleep(1.0)  # both have loaded the core and wait
        go.touch()
        outs = [c.communicate(timeout=60) for c in children]
        for c, (out, err) in zip(children, outs, strict=True):
            assert c.returncode == 0, err
            assert '"n": 300' in out
        refreshes = [r for r in sim.requests() if r["path"] == "/oauth2/token"]
        assert len(refreshes) == 1, refreshes
        assert all(r["status"] == 200 for r in refreshes)


# --- errors -----------------------------------------------------------------------------------


def test_wrong_password_is_login_failed(sim: Simulator) -> None:
    with pytest.raises(mod.LoginFailed) as info:
        mod.connect(Url=sim.url, User="admin", Password="not-the-password")
    assert info.value.code == "CB_WA01"
    assert isinstance(info.value, mod.AuthenticationError)
    assert_no_secret(info.value, "not-the-password")


def test_revoked_grant_is_token_revoked(callback: str, tmp_path: Path) -> None:
    with oauth_sim(callback, clock=START) as sim:
        conn = mod.connect(
            **props(
                sim,
                callback,
                InitiateOAuth="REFRESH",
                OAuthVerifier=web_code(sim, callback),
                OAuthSettingsLocation=tmp_path / "s.txt",
            )
        )
        assert count_customers(conn) == 300
        assert sim.revoke_oauth_grants(CLIENT_ID, "admin") == 1
        with pytest.raises(mod.TokenRevoked, match="revoked") as info:
            count_customers(conn)
        assert info.value.code == "invalid_grant"
        assert isinstance(info.value, mod.InvalidGrant)
        assert not isinstance(info.value, mod.RefreshTokenExpired)
        assert_no_secret(info.value, CLIENT_SECRET)
        conn.close()


def test_revoked_access_token_alone_is_renewed(callback: str, tmp_path: Path) -> None:
    with oauth_sim(callback, clock=START) as sim:
        tokens = sim.issue_oauth_tokens(CLIENT_ID, "admin")
        conn = mod.connect(
            **props(
                sim,
                callback,
                InitiateOAuth="REFRESH",
                OAuthAccessToken=tokens["access_token"],
                OAuthRefreshToken=tokens["refresh_token"],
                OAuthSettingsLocation=tmp_path / "s.txt",
            )
        )
        assert sim.revoke_oauth_token(tokens["access_token"])
        assert count_customers(conn) == 300
        conn.close()


def test_expired_refresh_token(callback: str, tmp_path: Path) -> None:
    with oauth_sim(callback, clock=START, refresh_token_ttl=7200) as sim:
        conn = mod.connect(
            **props(
                sim,
                callback,
                InitiateOAuth="REFRESH",
                OAuthVerifier=web_code(sim, callback),
                OAuthSettingsLocation=tmp_path / "s.txt",
            )
        )
        assert count_customers(conn) == 300
        sim.advance(7300)
        with pytest.raises(mod.RefreshTokenExpired, match="expired") as info:
            count_customers(conn)
        assert info.value.code == "invalid_grant"
        assert not isinstance(info.value, mod.TokenRevoked)
        conn.close()


def test_wrong_client_secret_is_invalid_client(
    sim: Simulator, callback: str, tmp_path: Path
) -> None:
    tokens = sim.issue_oauth_tokens(CLIENT_ID, "admin")
    p = props(
        sim,
        callback,
        InitiateOAuth="REFRESH",
        OAuthRefreshToken=tokens["refresh_token"],
        OAuthClientSecret="wrong-secret-value",
        OAuthSettingsLocation=tmp_path / "s.txt",
    )
    with pytest.raises(mod.InvalidClient, match="OAuthClientSecret") as info:
        mod.connect(**p)
    assert info.value.code == "invalid_client"
    assert isinstance(info.value, mod.OAuthError) and isinstance(info.value, mod.OperationalError)
    assert_no_secret(info.value, "wrong-secret-value", tokens["refresh_token"])


def test_tls_errors_have_their_own_classes(tmp_path: Path) -> None:
    with Simulator(order_records=20, tls="client-cert") as sim:
        pki = sim.pki
        assert pki is not None
        base = {"Url": sim.url, "User": sim.user, "Password": sim.password}
        with pytest.raises(mod.UntrustedServerCertificate) as untrusted:
            mod.connect(**base)
        assert isinstance(untrusted.value, mod.CertificateError)
        assert isinstance(untrusted.value, mod.OperationalError)
        with pytest.raises(mod.ClientCertificateRequired) as no_cert:
            mod.connect(**base, SSLServerCert=pki["caFile"])
        assert isinstance(no_cert.value, mod.CertificateError)

        serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
        key = serialization.load_pem_private_key(Path(pki["clientKeyFile"]).read_bytes(), None)
        encrypted = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"right-password"),
        )
        pem = tmp_path / "client-encrypted.pem"
        pem.write_bytes(Path(pki["clientCertFile"]).read_bytes() + encrypted)
        with pytest.raises(mod.ClientCertificatePasswordError) as wrong_password:
            mod.connect(
                **base,
                SSLServerCert=pki["caFile"],
                SSLClientCert=str(pem),
                SSLClientCertPassword="wrong-password",
            )
        assert isinstance(wrong_password.value, mod.InterfaceError)
        assert_no_secret(wrong_password.value, "wrong-password")
        with mod.connect(
            **base,
            SSLServerCert=pki["caFile"],
            SSLClientCert=str(pem),
            SSLClientCertPassword="right-password",
        ) as conn:
            assert conn.execute("SELECT COUNT(*) FROM sys_tables").fetchall()[0][0] > 0


def test_error_classes_are_distinct() -> None:
    classes = [
        mod.LoginFailed,
        mod.TokenRevoked,
        mod.RefreshTokenExpired,
        mod.InvalidClient,
        mod.ClientCertificateRequired,
        mod.ClientCertificatePasswordError,
        mod.UntrustedServerCertificate,
        mod.AccessTokenInvalid,
        mod.OAuthNotAuthorized,
    ]
    assert len(set(classes)) == len(classes)
    for a in classes:
        for b in classes:
            assert a is b or not issubclass(a, b), (a, b)
    assert all(c.__module__ == "cdata_kintone" for c in classes)


def test_core_environment_is_limited_to_its_own_variables() -> None:
    from cdata_kintone import _native

    core = _native.load()
    with pytest.raises(mod.ProgrammingError, match="CDATA_KINTONE_"):
        _native.call(core.SetEnv, "PATH", "/nowhere")


@pytest.mark.parametrize("encryption", ["legacy-3des", "modern-aes"])
def test_pfx_client_certificate(tmp_path: Path, encryption: str) -> None:
    """A PKCS#12 file as older tools (3DES) and current OpenSSL (PBES2/AES) write it, as a
    file and inline as base64, with the subject picked by SSLClientCertSubject."""
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        PrivateFormat,
        load_pem_private_key,
        pkcs12,
    )

    with Simulator(order_records=20, tls="client-cert") as sim:
        pki = sim.pki
        assert pki is not None
        key = load_pem_private_key(Path(pki["clientKeyFile"]).read_bytes(), None)
        cert = x509.load_pem_x509_certificate(Path(pki["clientCertFile"]).read_bytes())
        if encryption == "legacy-3des":
            algo = (
                PrivateFormat.PKCS12.encryption_builder()
                .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                .build(b"pfx-secret-5")
            )
        else:
            algo = BestAvailableEncryption(b"pfx-secret-5")
        data = pkcs12.serialize_key_and_certificates(b"client", key, cert, None, algo)  # type: ignore[arg-type]
        pfx = tmp_path / "client.pfx"
        pfx.write_bytes(data)
        base = {
            "Url": sim.url,
            "User": sim.user,
            "Password": sim.password,
            "SSLServerCert": pki["caFile"],
        }
        common_name = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
        assert isinstance(common_name, str)
        subject = "CN=" + common_name
        with mod.connect(
            **base,
            SSLClientCert=str(pfx),
            SSLClientCertType="PFXFILE",
            SSLClientCertPassword="pfx-secret-5",
            SSLClientCertSubject=subject,
        ) as conn:
            assert conn.execute("SELECT count(*) FROM Deals").fetchall()[0][0] > 0
        with mod.connect(
            **base,
            SSLClientCert=base64.b64encode(data).decode(),
            SSLClientCertType="PFXBLOB",
            SSLClientCertPassword="pfx-secret-5",
        ) as conn:
            assert "pfx-secret-5" not in conn.connection_string
            assert conn.execute("SELECT count(*) FROM Deals").fetchall()[0][0] > 0
        with pytest.raises(mod.ClientCertificatePasswordError) as info:
            mod.connect(
                **base,
                SSLClientCert=str(pfx),
                SSLClientCertType="PFXFILE",
                SSLClientCertPassword="nope-6",
            )
        assert "nope-6" not in str(info.value)
        with pytest.raises(mod.Error, match="CN=someone-else"):
            mod.connect(
                **base,
                SSLClientCert=str(pfx),
                SSLClientCertType="PFXFILE",
                SSLClientCertPassword="pfx-secret-5",
                SSLClientCertSubject="CN=someone-else",
            )

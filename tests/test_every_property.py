"""A connection string that sets every property the reference product documents (except the
caching ones) connects, and each caching property is refused by name.

The values are valid for a simulator that serves https and requires a client certificate: the
connection really goes through a loopback SOCKS5 firewall, with an HTTP proxy set whose
exceptions name the simulator's host, with a file of views of the user's own and a log file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cdata_kintone as mod
from cdata_kintone.testing import Simulator
from test_firewall import PASSWORD, USER, Firewall

pytestmark = pytest.mark.native

CACHING_PROPERTIES = {
    "AutoCache": "true",
    "CacheLocation": "/tmp/cache",
    "CacheConnection": "Data Source=cache.db",
    "CacheProvider": "sqlite",
    "CacheTolerance": "600",
    "CacheMetadata": "true",
    "Offline": "true",
}


def quoted(props: dict[str, str]) -> str:
    return ";".join(f"{name}='{value}'" for name, value in props.items())


def test_every_reference_property_connects(tmp_path: Path) -> None:
    views = tmp_path / "views.json"
    views.write_text(json.dumps({"BigDeals": {"query": "SELECT * FROM Deals WHERE Amount > 1000"}}))
    log = tmp_path / "driver.log"
    with Simulator(tls="client-cert", order_records=5) as sim, Firewall("SOCKS5", USER) as fw:
        assert sim.pki is not None
        host = sim.url.removeprefix("https://").split(":")[0]
        # Every name the reference product documents for its connection string, apart from
        # caching.
        props = {
            "Url": sim.url,
            "GuestSpaceId": "",
            "AuthScheme": "Password",
            "User": sim.user,
            "Password": sim.password,
            "APIToken": "sim-deals-full",
            "AppId": "2",
            "BasicAuthUser": "basic-user",
            "BasicAuthPassword": "basic-password-7",
            "SSLClientCert": sim.pki["clientPemFile"],
            "SSLClientCertType": "PEMKEY_FILE",
            "SSLClientCertSubject": "*",
            "SSLClientCertPassword": "",
            "SSLServerCert": sim.pki["caFile"],
            "OAuthClientId": "client-id",
            "OAuthClientSecret": "client-secret-7",
            "CallbackURL": "http://localhost:33333/callback",
            "InitiateOAuth": "OFF",
            "OAuthSettingsLocation": str(tmp_path / "oauth.txt"),
            "OAuthAccessToken": "",
            "OAuthRefreshToken": "",
            "OAuthVerifier": "",
            "UseCursor": "true",
            "Schema": "REST",
            "Pagesize": "500",
            "MaxRows": "-1",
            "Timeout": "60",
            "SubtableSeparatorCharacter": "_",
            "UseCodeForFieldName": "false",
            "CheckForSubtablesIn": "*",
            "AllowSpecialCharacters": "false",
            "NumberMapToDouble": "false",
            "UseUnitForNumericField": "false",
            "UseSimpleNames": "false",
            "UserDefinedViews": str(views),
            "Tables": "",
            "Views": "",
            "BrowsableSchemas": "Kintone",
            "Location": str(tmp_path),
            "ProxyAutoDetect": "false",
            "ProxyServer": "127.0.0.1",
            "ProxyPort": "9",
            "ProxyAuthScheme": "BASIC",
            "ProxyUser": "proxy-user",
            "ProxyPassword": "proxy-password-7",
            "ProxySSLType": "AUTO",
            "ProxyExceptions": host,
            "FirewallType": "SOCKS5",
            "FirewallServer": "127.0.0.1",
            "FirewallPort": str(fw.port),
            "FirewallUser": USER,
            "FirewallPassword": PASSWORD,
            "Logfile": str(log),
            "Verbosity": "2",
            "MaxLogFileSize": "1000000",
            "LogModules": "",
            "Other": "a=1",
        }
        with mod.connect(quoted(props)) as conn:
            known = {row[0] for row in conn.execute("SELECT Name FROM sys_connection_props")}
            assert set(props) <= known
            [(deals,)] = conn.execute("SELECT COUNT(*) FROM Deals").fetchall()
            [(big,)] = conn.execute("SELECT COUNT(*) FROM BigDeals").fetchall()
            [(by_scan,)] = conn.execute("SELECT COUNT(*) FROM Deals WHERE Amount > 1000").fetchall()
        assert deals > 0 and big == by_scan
        # The connection went through the firewall to the simulator (the proxy was skipped for
        # its host), and the log file has the HTTP requests Verbosity=2 asks for.
        assert fw.targets and set(fw.targets) == {sim.url.removeprefix("https://")}
        assert "records.json" in log.read_text()


@pytest.mark.parametrize("name", sorted(CACHING_PROPERTIES))
def test_caching_properties_are_refused_by_name(name: str) -> None:
    with pytest.raises(mod.NotSupportedError, match=name):
        mod.connect(
            f"Url=https://example.cybozu.com;User=u;Password=p;{name}={CACHING_PROPERTIES[name]}"
        )

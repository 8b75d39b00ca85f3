"""A kintone simulator for tests and demos, and a pytest fixture.

>>> from cdata_kintone.testing import Simulator
>>> import cdata_kintone
>>> with Simulator() as sim:
...     conn = cdata_kintone.connect(sim.connection_string)
...     conn.execute("SELECT COUNT(*) FROM [Orders]").fetchone()

The simulator is an in-memory kintone REST server inside the native core, listening on a free
loopback port (``http://localhost:<port>``), loaded with a sample dataset unless a fixture is
given. It runs until :meth:`Simulator.close` (or the end of the ``with`` block, or of the
process: simulators still running then are stopped, so that a TLS simulator's generated keys
are deleted).

pytest users get a fixture with the package: ``def test_x(kintone_simulator): ...`` receives a
fresh simulator with the sample data (see :mod:`cdata_kintone.pytest_plugin`). Importing this
module never imports pytest.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import warnings
import weakref
from html.parser import HTMLParser
from typing import Any, Union

from . import _native
from .connection import build_connection_string
from .exceptions import ProgrammingError

__all__ = ["Simulator", "authorize_as_user"]

Fixture = Union[None, str, "os.PathLike[str]", dict[str, Any], list[Any]]


#: The simulators not stopped yet, stopped at exit (a TLS simulator's private keys go with it).
_running: weakref.WeakSet[Simulator] = weakref.WeakSet()


@atexit.register
def _stop_running() -> None:
    for sim in list(_running):
        sim.close()


def _fixture_json(fixture: Fixture) -> str:
    if fixture is None or fixture == "":
        return ""
    if isinstance(fixture, (dict, list)):
        return json.dumps(fixture, ensure_ascii=False)
    if isinstance(fixture, (str, os.PathLike)):
        with open(fixture, encoding="utf-8") as f:
            return f.read()
    raise TypeError(
        f"fixture must be None, a dict, or the path of a JSON file, not {type(fixture).__name__}"
    )


class Simulator:
    """A running kintone simulator (starts when created).

    :param fixture: None for the built-in sample dataset, a dict, or the path of a JSON file.
        What it holds that kintone would refuse (a formula, a CALC format) still loads, with a
        ``UserWarning`` for each.
    :param latency: extra delay per HTTP request, in seconds.
    :param port: the loopback port to listen on (default: a free one).
    :param order_records: number of records in the sample Orders app.
    :param time_zone: the simulated kintone domain's time zone, e.g. ``"Asia/Tokyo"``.
    :param clock: start on a simulated clock at this instant (an aware ``datetime`` or an
        RFC 3339 string) that only :meth:`advance` moves: cursor and token expiry, record
        timestamps and ``TODAY()`` follow it. Default: the real clock.
    :param tls: ``"server"`` serves https with a freshly generated test CA (see :attr:`pki`);
        ``"client-cert"`` also requires a client certificate signed by that CA.
    :param oauth_clients: OAuth clients to register in addition to the fixture's (the sample
        dataset has none): dicts ``{"clientId", "clientSecret", "redirectUris", "scopes"?,
        "users"?}`` as in the fixture's ``oauthClients``.
    :param access_token_ttl: lifetime of OAuth access tokens in seconds (default 3600).
    :param refresh_token_ttl: lifetime of each OAuth refresh token in seconds (default: none).
    """

    def __init__(
        self,
        fixture: Fixture = None,
        *,
        latency: float | None = None,
        port: int | None = None,
        order_records: int | None = None,
        time_zone: str | None = None,
        clock: Any = None,
        tls: str | None = None,
        oauth_clients: list[dict[str, Any]] | None = None,
        access_token_ttl: float | None = None,
        refresh_token_ttl: float | None = None,
    ) -> None:
        options: dict[str, Any] = {}
        if oauth_clients:
            options["oauthClients"] = list(oauth_clients)
        if access_token_ttl is not None:
            options["accessTokenTtl"] = float(access_token_ttl)
        if refresh_token_ttl is not None:
            options["refreshTokenTtl"] = float(refresh_token_ttl)
        if latency is not None:
            options["latencyMs"] = round(latency * 1000)
        if port is not None:
            options["port"] = int(port)
        if order_records is not None:
            options["orderRecords"] = int(order_records)
        if time_zone is not None:
            options["timeZone"] = str(time_zone)
        if clock is not None:
            options["clock"] = clock if isinstance(clock, str) else clock.isoformat()
        if tls is not None:
            options["tls"] = str(tls)
        fixture_json = _fixture_json(fixture)
        self._core = _native.load()
        self._handle: int | None = _native.call(
            self._core.SimStart, fixture_json, json.dumps(options) if options else ""
        )
        self._info: dict[str, Any] = self._read_info()
        for warning in self._info.get("warnings") or []:
            # A fixture may hold what kintone would refuse (a formula, a CALC format): it loads,
            # and the user is told.
            warnings.warn(f"kintone simulator fixture: {warning}", UserWarning, stacklevel=2)
        _running.add(self)

    # --- facts -----------------------------------------------------------------------------

    def _read_info(self) -> dict[str, Any]:
        return dict(json.loads(_native.call(self._core.SimInfo, self._live_handle())))

    def _live_handle(self) -> int:
        if self._handle is None:
            raise ProgrammingError("the simulator is stopped")
        return self._handle

    @property
    def info(self) -> dict[str, Any]:
        """The simulator's facts (``url``, ``user``, ``password``, ``apps`` ...), read now."""
        self._info = self._read_info()
        return self._info

    @property
    def pki(self) -> dict[str, str] | None:
        """With ``tls``: the test certificate files (``caFile``, ``clientCertFile``,
        ``clientKeyFile``, ``clientPemFile``, ``untrustedClientCertFile``, ...). They are
        deleted, private keys included, when the simulator stops."""
        pki = self._info.get("pki")
        return dict(pki) if pki else None

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward (the simulator must have been started with
        ``clock=``)."""
        _native.call(self._core.SimAdvance, self._live_handle(), float(seconds))

    def add_fault(self, **rule: Any) -> None:
        """Make matching requests fail. Keys: ``method``, ``path`` (exact, or a prefix ending
        in ``*``), ``app``, ``nth`` (first matching request to fault, from 1), ``times`` (how
        many; negative = all), ``status``, ``code`` (a kintone error code; without it ``body``
        is sent as is, like a load balancer's page), ``message``, ``body``, ``content_type``,
        ``header`` (dict), ``reset`` (close the connection without a reply; nothing is
        applied), ``reset_after_serve`` (serve the request, then close the connection instead
        of replying: a write takes effect and the client cannot tell), ``delay`` and
        ``slow_body`` (seconds)."""
        names = {"content_type": "contentType", "reset_after_serve": "resetAfterServe"}
        wire: dict[str, Any] = {}
        for key, value in rule.items():
            if key in ("delay", "slow_body"):
                wire["delayMs" if key == "delay" else "slowBodyMs"] = round(float(value) * 1000)
            else:
                wire[names.get(key, key)] = value
        _native.call(self._core.SimAddFault, self._live_handle(), json.dumps(wire))

    def collect_garbage(self) -> None:
        """Run a full collection of the Go heap of this process (the simulator's and the
        connections'): benchmarks call it between measured runs, so that a collection left due
        by one run does not fall into the next."""
        _native.call(self._core.SimCollectGarbage, self._live_handle())

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        _native.call(self._core.SimClearFaults, self._live_handle())

    def stats(self) -> dict[str, Any]:
        """Counters since the start or the last :meth:`reset_requests`: ``requests``,
        ``errors``, ``recordsReturned``, ``byEndpoint``, ``byCode``; and ``openCursors``, the
        records cursors open now (created, and neither read to the end, deleted nor expired)."""
        return dict(json.loads(_native.call(self._core.SimStats, self._live_handle())))

    @property
    def url(self) -> str:
        """The base URL, ``http://localhost:<port>`` (``https://`` with ``tls``)."""
        return str(self._info["url"])

    @property
    def user(self) -> str:
        return str(self._info["user"])

    @property
    def password(self) -> str:
        return str(self._info["password"])

    @property
    def apps(self) -> list[dict[str, Any]]:
        """The apps: ``{"id", "code", "name", "tokens": {"full", "view"}, "guestSpaceId"}``."""
        return list(self._info.get("apps") or [])

    @property
    def connection_string(self) -> str:
        """A password-authentication connection string for :func:`cdata_kintone.connect`."""
        return build_connection_string(
            "", {"Url": self.url, "User": self.user, "Password": self.password}
        )

    def app(self, key: int | str) -> dict[str, Any]:
        """The app with this id, code or name."""
        for app in self.apps:
            if key in (app.get("id"), app.get("code"), app.get("name")) or (
                isinstance(key, str) and key.isdigit() and int(key) == app.get("id")
            ):
                return app
        raise KeyError(f"no app with id, code or name {key!r} in the simulator")

    def token_connection_string(self, *apps: int | str, token: str = "full") -> str:
        """An API-token connection string for the given apps (ids, codes or names; default:
        all apps outside guest spaces), using each app's ``token`` (``"full"`` or ``"view"``).
        """
        chosen = (
            [self.app(a) for a in apps]
            if apps
            else [a for a in self.apps if a.get("guestSpaceId") is None]
        )
        if not chosen:
            raise ValueError("no apps to make an API-token connection string for")
        spaces = {a.get("guestSpaceId") for a in chosen}
        if len(spaces) > 1:
            raise ValueError(
                "the apps are in different spaces (guest space ids "
                f"{sorted(map(str, spaces))}); one connection reaches one space"
            )
        props: dict[str, Any] = {
            "AuthScheme": "APIToken",
            "Url": self.url,
            "APIToken": [a["tokens"][token] for a in chosen],
            "AppId": [a["id"] for a in chosen],
            "GuestSpaceId": spaces.pop(),
        }
        return build_connection_string("", props)

    # --- OAuth ---------------------------------------------------------------------------

    def _oauth(self, request: dict[str, Any]) -> Any:
        return json.loads(
            _native.call(self._core.SimOAuth, self._live_handle(), json.dumps(request))
        )

    def issue_oauth_tokens(
        self, client_id: str, user: str, scopes: list[str] | None = None
    ) -> dict[str, Any]:
        """Authorize ``client_id`` for ``user`` without the browser step (as if the user had
        approved and the code had been exchanged) and return the token answer:
        ``access_token``, ``refresh_token``, ``expires_in``, ``scope``, ``token_type``."""
        return dict(
            self._oauth(
                {"op": "issue", "clientId": client_id, "user": user, "scopes": scopes or []}
            )
        )

    def revoke_oauth_token(self, token: str) -> bool:
        """Revoke an access token (that token only) or a refresh token (its whole grant, access
        tokens included). Returns whether the token was known."""
        return bool(self._oauth({"op": "revoke", "token": token})["known"])

    def revoke_oauth_grants(self, client_id: str = "", user: str = "") -> int:
        """Revoke every grant of ``client_id`` to ``user`` ("" = any); returns how many."""
        return int(
            self._oauth({"op": "revokeGrants", "clientId": client_id, "user": user})["revoked"]
        )

    # --- request log -----------------------------------------------------------------------

    def requests(self) -> list[dict[str, Any]]:
        """The HTTP requests the simulator received, oldest first."""
        return list(json.loads(_native.call(self._core.SimRequests, self._live_handle())) or [])

    def reset_requests(self) -> None:
        """Clear the request log."""
        _native.call(self._core.SimResetRequests, self._live_handle())

    # --- life cycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._handle is not None

    def close(self) -> None:
        """Stop the simulator. Idempotent."""
        handle, self._handle = self._handle, None
        _running.discard(self)
        if handle is not None and _native.usable():
            _native.call(self._core.SimStop, handle)

    stop = close

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_handle", None) is None:
            return
        try:  # noqa: SIM105 (not contextlib.suppress: at exit the module may be gone)
            self.close()
        except BaseException:  # finalizers must not raise
            pass

    def __repr__(self) -> str:
        state = f"running at {self._info.get('url')}" if self.running else "stopped"
        return f"<cdata_kintone.testing.Simulator {state}>"


class _FormReader(HTMLParser):
    """Collects the first form's action and its input fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
        elif tag == "input" and a.get("name") and a.get("type", "text") == "hidden":
            self.fields[a["name"]] = a.get("value", "")
        elif a.get("id") == "error":
            self._in_error = True

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error = (self.error or "") + data

    def handle_endtag(self, tag: str) -> None:
        self._in_error = False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def authorize_as_user(
    authorization_url: str,
    user: str = "admin",
    password: str = "kintone-sim",
    *,
    approve: bool = True,
    follow_redirect: bool = False,
    timeout: float = 30.0,
) -> str:
    """Play the user's part of an OAuth authorization against the simulator, as a person in a
    browser would: open ``authorization_url`` (from ``GetOAuthAuthorizationURL``, or the one the
    desktop flow opens), fill in the login form, press Allow (or Deny with ``approve=False``),
    and return the URL the simulator redirects to (``<CallbackURL>?code=...&state=...``, or
    ``?error=...``). With ``follow_redirect`` that URL is also requested, which hands the code
    to a listening application (the driver's ``InitiateOAuth=GETANDREFRESH`` listener).

    This only works with the simulator's login form; it is what the tests use as a browser and
    what ``CDATA_KINTONE_BROWSER`` can point at (see the README's OAuth section). It uses only the
    standard library and never loads the native core. Raises ``ValueError`` when the simulator
    refuses the request or the login.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(authorization_url, timeout=timeout) as resp:
            page = resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        if exc.code in (301, 302, 303, 307, 308):
            return _after_redirect(exc.headers.get("Location", ""), follow_redirect, timeout)
        raise ValueError(
            f"the authorization page answered HTTP {exc.code}: {_text(body)}"
        ) from None
    form = _FormReader()
    form.feed(page)
    if form.action is None:
        raise ValueError("the authorization page has no login form")
    fields = dict(form.fields)
    fields.update(
        {"username": user, "password": password, "action": "approve" if approve else "deny"}
    )
    data = urllib.parse.urlencode(fields).encode()
    target = urllib.parse.urljoin(authorization_url, form.action)
    try:
        with opener.open(target, data=data, timeout=timeout) as resp:
            body = resp.read().decode("utf-8", "replace")
            raise ValueError(f"the login form did not redirect (HTTP {resp.status}): {_text(body)}")
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            return _after_redirect(exc.headers.get("Location", ""), follow_redirect, timeout)
        page = exc.read().decode("utf-8", "replace")
        again = _FormReader()
        again.feed(page)
        raise ValueError(
            f"the login was refused (HTTP {exc.code}): {again.error or _text(page)}"
        ) from None


def _after_redirect(location: str, follow: bool, timeout: float) -> str:
    if follow and location:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(location, timeout=timeout) as resp:
                resp.read()
        except urllib.error.HTTPError:
            pass  # the application answered; the redirect was delivered
    return location


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())[:300]


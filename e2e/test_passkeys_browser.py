"""
Passkeys in Debian Chromium with the DevTools virtual authenticator (CTAP2, internal, resident keys,
user verification): a static test page on http://localhost:<port> calls two app instances (gunicorn,
production settings) on http://localhost:<port>, directly and behind nginx. The RP ID is `localhost`:
browsers refuse an IP address as one.
"""

import contextlib
import functools
import os
import threading
import time
import uuid
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.server import Gunicorn, manage
from e2e.browser import chromium_page
from e2e.live_server import LiveServer, free_port, fresh_database_url
from e2e.nginx import nginx_balancer, nginx_binary
from mfa import totp

DATABASE_URL = os.environ.get("DATABASE_URL", "")
PAGE_DIR = Path(__file__).parent / "webauthn"
PASSWORD = "a-long-and-unusual-passphrase-42"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(nginx_binary() is None, reason="needs nginx (apt-get install nginx-light)"),
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL in DATABASE_URL"),
]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextlib.contextmanager
def static_site(port: int):
    """The test page on 127.0.0.1:`port` (reached as http://localhost:`port`), stopped on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(QuietHandler, directory=str(PAGE_DIR)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()


def local(url: str) -> str:
    """The same server by name: the browser must see `localhost`, the RP ID."""
    return url.replace("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Instances `a` and `b` (one database) and nginx in front; the page on a listed and on an unlisted origin."""
    tmp = tmp_path_factory.mktemp("passkeys")
    page_port, stranger_port = free_port(), free_port()
    page, stranger = f"http://localhost:{page_port}", f"http://localhost:{stranger_port}"
    database_url = fresh_database_url(DATABASE_URL, "passkeys", tmp)
    manage(database_url, "migrate", "--noinput")
    shared = {
        "WEBAUTHN_RP_ID": "localhost",
        "WEBAUTHN_ORIGINS": page,
        # The browser may call the API from both pages; only `page` may use passkeys.
        "CORS_ALLOWED_ORIGINS": f"{page},{stranger}",
    }
    instances = {
        name: Gunicorn(database_url, free_port(), tmp / f"gunicorn-{name}.log", workers=1, threads=4, **shared).start()
        for name in "ab"
    }
    try:
        upstreams = [f"127.0.0.1:{instance.port}" for instance in instances.values()]
        with (
            nginx_balancer(free_port(), upstreams) as balancer,
            static_site(page_port) as page_url,
            static_site(stranger_port) as stranger_url,
        ):
            yield {
                "a": local(instances["a"].url),
                "b": local(instances["b"].url),
                "balancer": local(balancer.url),
                "api": LiveServer(url=balancer.url, database_url=database_url),
                "page": page_url,
                "stranger": stranger_url,
            }
    finally:
        for instance in instances.values():
            instance.stop()


def new_account(api: LiveServer) -> tuple[str, str]:
    """A new account; its username and a fresh access token."""
    username = f"pk{uuid.uuid4().hex[:10]}"
    account = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    status, body = api.request("POST", "/api/v1/auth/register/", account)
    assert status == HTTPStatus.CREATED, body
    return username, api.login(username, PASSWORD)


@contextlib.contextmanager
def browser_with_passkeys(url: str):
    """A page at `url` with a virtual platform authenticator (resident keys, user verification) attached."""
    with chromium_page() as (page, _log):
        session = page.context.new_cdp_session(page)
        session.send("WebAuthn.enable")
        added = session.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        page.goto(url)
        page.wait_for_function("window.ready === true")
        yield page, session, added["authenticatorId"]


def register(page, base: str, token: str, name: str = "Browser") -> dict:
    result = page.evaluate("([base, token, name]) => passkeyRegister(base, token, name)", [base, token, name])
    assert result["status"] == HTTPStatus.CREATED, result
    return result["body"]


def passwordless(page, options_base: str, answer_base: str | None = None, user_verification: str | None = None):
    return page.evaluate(
        "([o, a, uv]) => passkeyLogin(o, a, uv)", [options_base, answer_base or options_base, user_verification]
    )


def error_code(result: dict) -> str:
    return result["body"]["errors"][0]["code"]


def test_register_then_log_in_without_a_password(site):
    username, token = new_account(site["api"])
    with browser_with_passkeys(site["page"]) as (page, session, authenticator_id):
        passkey = register(page, site["balancer"], token, "Chromium")
        assert passkey["passwordless"] is True
        assert passkey["transports"] == ["internal"]
        credentials = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
        assert [c["isResidentCredential"] for c in credentials] == [True]

        result = passwordless(page, site["balancer"])

    assert result["status"] == HTTPStatus.OK, result
    assert result["body"]["user"]["username"] == username
    status, me = site["api"].request("GET", "/api/v1/auth/me/", token=result["body"]["access"])
    assert (status, me["username"]) == (HTTPStatus.OK, username)


def test_a_passkey_answers_the_second_step_after_a_password(site):
    api = site["api"]
    username, token = new_account(api)
    status, enrolled = api.request("POST", "/api/v1/auth/mfa/totp/", {"password": PASSWORD}, token)
    assert status == HTTPStatus.CREATED, enrolled
    code = totp.code_at_step(enrolled["secret"], totp.step_at(time.time()))
    status, body = api.request("POST", "/api/v1/auth/mfa/totp/confirm/", {"code": code}, token)
    assert status == HTTPStatus.OK, body

    with browser_with_passkeys(site["page"]) as (page, _, _):
        register(page, site["balancer"], token)
        status, first = api.request("POST", "/api/v1/auth/login/", {"username": username, "password": PASSWORD})
        assert status == HTTPStatus.ACCEPTED, first
        result = page.evaluate("([b, t]) => passkeySecondStep(b, t)", [site["balancer"], first["mfa_token"]])

    assert result["status"] == HTTPStatus.OK, result
    assert result["body"]["user"]["username"] == username


def test_without_user_verification_a_passkey_cannot_log_in_alone(site):
    _, token = new_account(site["api"])
    with browser_with_passkeys(site["page"]) as (page, session, authenticator_id):
        register(page, site["balancer"], token)
        session.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator_id, "isUserVerified": False})

        # A client that asks the authenticator for less than the server required.
        result = passwordless(page, site["balancer"], user_verification="discouraged")

    assert result["status"] == HTTPStatus.BAD_REQUEST, result
    assert error_code(result) == "user_verification_required"


def test_a_replayed_answer_is_refused(site):
    _, token = new_account(site["api"])
    with browser_with_passkeys(site["page"]) as (page, _, _):
        register(page, site["balancer"], token)
        first, second = page.evaluate("(base) => passkeyLoginTwice(base)", site["balancer"])

    assert first["status"] == HTTPStatus.OK, first
    assert second["status"] == HTTPStatus.BAD_REQUEST, second
    assert error_code(second) == "challenge_invalid"


def test_a_page_on_an_unlisted_origin_is_refused_by_the_server(site):
    _, token = new_account(site["api"])
    with browser_with_passkeys(site["stranger"]) as (page, _, _):
        refused = page.evaluate("([b, t]) => passkeyRegister(b, t, 'Stranger')", [site["balancer"], token])
    assert refused["status"] == HTTPStatus.BAD_REQUEST, refused
    assert error_code(refused) == "origin_not_allowed"

    with browser_with_passkeys(site["page"]) as (page, _, _):
        register(page, site["balancer"], token)
        # The same browser's passkey (RP ID localhost), used from the unlisted page.
        page.goto(site["stranger"])
        page.wait_for_function("window.ready === true")
        result = passwordless(page, site["balancer"])

    assert result["status"] == HTTPStatus.BAD_REQUEST, result
    assert error_code(result) == "origin_not_allowed"


def test_a_removed_passkey_cannot_log_in(site):
    _, token = new_account(site["api"])
    with browser_with_passkeys(site["page"]) as (page, _, _):
        passkey = register(page, site["balancer"], token)
        status, _ = site["api"].request("DELETE", f"/api/v1/auth/passkeys/{passkey['id']}/", token=token)
        assert status == HTTPStatus.NO_CONTENT

        result = passwordless(page, site["balancer"])

    assert result["status"] == HTTPStatus.UNAUTHORIZED, result


def test_a_ceremony_started_on_one_instance_is_finished_on_the_other(site):
    username, token = new_account(site["api"])
    with browser_with_passkeys(site["page"]) as (page, _, _):
        register(page, site["a"], token)
        across = passwordless(page, site["a"], site["b"])
        back = passwordless(page, site["b"], site["a"])
        # Behind nginx (round robin), whichever instance takes the options or the answer.
        balanced = [passwordless(page, site["balancer"]) for _ in range(3)]

    for result in (across, back, *balanced):
        assert result["status"] == HTTPStatus.OK, result
        assert result["body"]["user"]["username"] == username

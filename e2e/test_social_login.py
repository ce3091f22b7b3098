"""
Social login against a real OpenID Certified provider (oidc-provider on Node) and gunicorn with production
settings (two workers, the shared Redis cache), driven through the provider's login and consent pages by
Chromium. The client application (`FRONTEND_URL`) is a route of the browser that only records the ticket.
"""

import contextlib
import json
import os
import time
import uuid
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import requests
from playwright.sync_api import sync_playwright

from bench.server import Gunicorn, manage
from e2e.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from e2e.live_server import LiveServer, free_port, fresh_database_url, redis_reachable
from e2e.oidc_provider import OidcProvider, require_oidc_provider
from mfa import totp

DATABASE_URL = os.environ.get("DATABASE_URL", "")
FRONTEND = "http://frontend.test"
CLIENT_ID, CLIENT_SECRET = "api-e2e", "api-e2e-secret-" + uuid.uuid4().hex
ACCOUNTS = {
    "alice": {"email": "alice@example.com", "email_verified": True},
    "tess": {"email": "tess@example.com", "email_verified": True},
    # Claims the address of an existing account, unverified: must never get into it.
    "mallory": {"email": "victim@example.com", "email_verified": False},
    # The verified owner of an existing account's address at a trusted provider: links.
    "vera": {"email": "vera@example.com", "email_verified": True},
}
EXISTING_ACCOUNTS = """
from accounts.models import User
User.objects.create_user("victim", "victim@example.com", "victim-password-8472", email_verified=True)
User.objects.create_user("vera", "vera@example.com", "vera-password-8472", email_verified=True)
"""
TOTP_ON = """
from accounts.models import User
from mfa import services, totp
import time
user = User.objects.get(email="tess@example.com")
secret, _ = services.totp_enroll(user=user)
services.totp_confirm(user=user, code=totp.code_at_step(secret, totp.step_at(time.time())), keep_sid=None)
print(secret)
"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)"),
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL in DATABASE_URL"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_chromium()
    require_oidc_provider()
    tmp = tmp_path_factory.mktemp("social")
    database_url = fresh_database_url(DATABASE_URL, "social", tmp)
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "shell", "-c", EXISTING_ACCOUNTS)
    api_port = free_port()
    provider = OidcProvider(
        port=free_port(),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=f"http://127.0.0.1:{api_port}/api/v1/auth/social/oidc/callback/",
        accounts=ACCOUNTS,
        log=tmp / "oidc-provider.log",
    ).start()
    prefix = f"e2e-social-{uuid.uuid4().hex}:"
    cache = redis.Redis("127.0.0.1", 6379)
    web = Gunicorn(
        database_url,
        api_port,
        tmp / "gunicorn.log",
        workers=2,
        CACHE_URL=f"redis://127.0.0.1:6379/0?key_prefix={prefix}",
        FRONTEND_URL=FRONTEND,
        SOCIAL_OIDC_CLIENT_ID=CLIENT_ID,
        SOCIAL_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        SOCIAL_OIDC_DISCOVERY_URL=provider.discovery_url,
        SOCIAL_OIDC_TRUSTED="true",
        SOCIAL_HTTP_TIMEOUT="3",
    )
    try:
        web.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield {
                    "api": LiveServer(url=web.url, database_url=database_url),
                    "provider": provider,
                    "browser": browser,
                    "cache": cache,
                    "prefix": prefix,
                }
            finally:
                browser.close()
    finally:
        web.stop()
        provider.stop()
        for key in cache.scan_iter(f"{prefix}*"):
            cache.delete(key)
        cache.close()


@contextlib.contextmanager
def browser_context(stack):
    """A fresh browser (its own cookies) whose client application only records where it was sent."""
    context = stack["browser"].new_context()
    context.set_default_timeout(20_000)
    context.route(f"{FRONTEND}/**", lambda route: route.fulfill(status=200, content_type="text/html", body="app"))
    try:
        yield context
    finally:
        context.close()


def provider_pages(page, login: str) -> None:
    """The provider's login page (any password) and, the first time, its consent page."""
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")
    page.wait_for_selector("button:has-text('Continue')")
    page.click("button:has-text('Continue')")


def sign_in(stack, context, login: str) -> tuple[str, str]:
    """Start at the API, pass the provider's pages; (the ticket the client application got, the callback URL)."""
    page = context.new_page()
    callbacks = []
    page.on("request", lambda r: "/auth/social/oidc/callback/" in r.url and callbacks.append(r.url))
    page.goto(f"{stack['api'].url}/api/v1/auth/social/oidc/start/")
    provider_pages(page, login)
    page.wait_for_url(f"{FRONTEND}/social/callback?**")
    query = parse_qs(urlsplit(page.url).query)
    assert "ticket" in query, page.url
    page.close()
    return query["ticket"][0], callbacks[-1]


def started_elsewhere(stack, context, login: str) -> tuple[requests.Session, str]:
    """
    A sign-in started by another client (its cookie is not this browser's) and finished by this browser at
    the provider: (that client, the provider's redirect back, which this browser was refused).
    """
    elsewhere = requests.Session()
    started = elsewhere.get(f"{stack['api'].url}/api/v1/auth/social/oidc/start/", allow_redirects=False, timeout=10)
    assert started.status_code == HTTPStatus.FOUND, started.text
    page = context.new_page()
    answers = []
    page.on("response", lambda r: "/auth/social/oidc/callback/" in r.url and answers.append(r))
    page.goto(started.headers["Location"])
    provider_pages(page, login)
    deadline = time.monotonic() + 20
    while not answers and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert answers, "the provider never redirected back"
    refused = answers[0]
    assert refused.status == HTTPStatus.BAD_REQUEST, refused.text()
    assert json.loads(refused.text())["errors"][0]["code"] == "state_invalid"
    page.close()
    return elsewhere, refused.url


def visit(context, url: str) -> tuple[int, dict]:
    page = context.new_page()
    response = page.goto(url)
    status, text = response.status, response.text()
    page.close()
    return status, json.loads(text) if text.startswith("{") else {}


def exchange(stack, ticket: str) -> tuple[int, dict]:
    return stack["api"].request("POST", "/api/v1/auth/social/exchange/", {"ticket": ticket})


def test_first_login_creates_a_user_and_the_second_finds_it(stack):
    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "alice")
    status, first = exchange(stack, ticket)
    assert status == HTTPStatus.OK, first
    assert first["user_created"] is True
    assert (first["user"]["email"], first["user"]["email_verified"]) == ("alice@example.com", True)
    status, me = stack["api"].request("GET", "/api/v1/auth/me/", token=first["access"])
    assert (status, me["id"]) == (HTTPStatus.OK, first["user"]["id"])

    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "alice")
    status, second = exchange(stack, ticket)
    assert status == HTTPStatus.OK, second
    assert second["user_created"] is False
    assert second["user"]["id"] == first["user"]["id"]
    status, identities = stack["api"].request("GET", "/api/v1/auth/identities/", token=second["access"])
    assert status == HTTPStatus.OK
    assert [(i["provider"], i["issuer"]) for i in identities["results"]] == [("oidc", stack["provider"].issuer)]


def test_a_user_with_totp_must_pass_the_second_step(stack):
    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "tess")
    assert exchange(stack, ticket)[0] == HTTPStatus.OK
    secret = stack["api"].manage("shell", "-c", TOTP_ON).strip().splitlines()[-1]

    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "tess")
    status, challenge = exchange(stack, ticket)
    assert status == HTTPStatus.ACCEPTED, challenge
    assert challenge["mfa_required"] is True
    assert "access" not in challenge
    # The next step's code (within the allowed drift): turning two-factor on spent the current one.
    code = totp.code_at_step(secret, totp.step_at(time.time()) + 1)
    body = {"mfa_token": challenge["mfa_token"], "code": code}
    status, done = stack["api"].request("POST", "/api/v1/auth/login/mfa/", body)
    assert status == HTTPStatus.OK, done
    assert done["user"]["email"] == "tess@example.com"


def test_an_unverified_email_cannot_take_over_an_existing_account(stack):
    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "mallory")
    status, refused = exchange(stack, ticket)
    assert status == HTTPStatus.CONFLICT, refused
    assert refused["errors"][0]["code"] == "link_required"
    assert "access" not in refused
    victim = stack["api"].login("victim", "victim-password-8472")
    status, identities = stack["api"].request("GET", "/api/v1/auth/identities/", token=victim)
    assert (status, identities["count"]) == (HTTPStatus.OK, 0)


def test_a_verified_email_at_the_trusted_provider_links_the_existing_verified_account(stack):
    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "vera")
    status, body = exchange(stack, ticket)
    assert status == HTTPStatus.OK, body
    assert (body["user"]["username"], body["user_created"]) == ("vera", False)


def test_a_sign_in_started_in_one_browser_cannot_finish_in_another(stack):
    # The attacker starts a sign-in and has the victim's browser finish it (login CSRF): refused there.
    with browser_context(stack) as victim:
        _, callback = started_elsewhere(stack, victim, "alice")
    # Another browser with no sign-in of its own is refused too.
    with browser_context(stack) as other:
        status, body = visit(other, callback)
    assert status == HTTPStatus.BAD_REQUEST, body
    assert body["errors"][0]["code"] == "state_invalid"


def test_a_replayed_code_and_a_replayed_ticket_are_refused(stack):
    with browser_context(stack) as context:
        ticket, callback = sign_in(stack, context, "alice")
        # The same browser opens the provider's redirect again: the sign-in was used up.
        status, body = visit(context, callback)
        assert status == HTTPStatus.BAD_REQUEST, body
        assert body["errors"][0]["code"] == "state_invalid"
        # Another client's own sign-in (its own cookie) does not make the old code and state work either.
        other = requests.Session()
        other.get(f"{stack['api'].url}/api/v1/auth/social/oidc/start/", allow_redirects=False, timeout=10)
        assert other.cookies.get("social_login")
        replay = other.get(callback, allow_redirects=False, timeout=10)
        assert replay.status_code == HTTPStatus.BAD_REQUEST, replay.text
    assert exchange(stack, ticket)[0] == HTTPStatus.OK
    status, again = exchange(stack, ticket)
    assert status == HTTPStatus.BAD_REQUEST, again
    assert again["errors"][0]["attr"] == "ticket"


def test_a_provider_restarted_with_a_new_key_is_trusted_once_its_new_kid_is_fetched(stack):
    provider = stack["provider"]
    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "alice")  # the API has the current key cached now
    assert exchange(stack, ticket)[0] == HTTPStatus.OK
    old_kid = provider.kid
    provider.stop()
    provider.start()
    assert provider.kid != old_kid
    with browser_context(stack) as context:
        ticket, _ = sign_in(stack, context, "alice")
    status, body = exchange(stack, ticket)
    assert status == HTTPStatus.OK, body


def test_a_stopped_provider_is_a_clean_503(stack):
    provider = stack["provider"]
    try:
        with browser_context(stack) as context:
            starter, callback = started_elsewhere(stack, context, "alice")
            provider.stop()
            # The client that started it comes back with the code: the provider cannot exchange it now.
            answer = starter.get(callback, allow_redirects=False, timeout=30)
            assert answer.status_code == HTTPStatus.SERVICE_UNAVAILABLE, answer.text
            assert answer.json()["errors"][0]["code"] == "provider_unavailable"
            # With nothing cached, even the start cannot reach it.
            for key in stack["cache"].scan_iter(f"{stack['prefix']}*social:*"):
                stack["cache"].delete(key)
            status, body = visit(context, f"{stack['api'].url}/api/v1/auth/social/oidc/start/")
            assert status == HTTPStatus.SERVICE_UNAVAILABLE, body
            assert body == {
                "type": "server_error",
                "errors": [{"code": "provider_unavailable", "detail": body["errors"][0]["detail"], "attr": None}],
            }
    finally:
        provider.start()

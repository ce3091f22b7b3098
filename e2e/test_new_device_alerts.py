"""
New-device sign-in alerts with real parts: gunicorn with production settings behind a trusted proxy
hop, a real Celery worker on Redis and a real SMTP server. A login from a new browser and network is
mailed with a "this wasn't me" link; the link works once, signs the account out on every worker and
mails a password reset; a known device is mailed nothing.
"""

import json
import os
import re
import time
import urllib.request
import uuid
from http import HTTPStatus

import pytest
import redis

from bench.server import Gunicorn, manage
from e2e.celery_worker import CeleryWorker, wait_until_drained
from e2e.live_server import REDIS, free_port, fresh_database_url, redis_reachable
from e2e.smtp import plain_text, smtp_server

DATABASE_URL = os.environ.get("DATABASE_URL", "")
TOKEN = re.compile(r"token=([A-Za-z0-9_.:-]+)")
ADDRESS = "user@example.com"
DEMO_PASSWORD = "demo-pass-2024"
NEW_PASSWORD = "a-long-new-passphrase-after-a-stranger"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
HOME, STRANGER = "198.51.100.23", "203.0.113.9"


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)"),
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL in DATABASE_URL"),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("new-device")
    database_url = fresh_database_url(DATABASE_URL, "devices", tmp)
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "load_demo")
    prefix = f"e2e-devices-{uuid.uuid4().hex}:"
    with smtp_server() as (controller, handler):
        shared = {
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/0?key_prefix={prefix}",
            "CACHE_URL": f"redis://127.0.0.1:6379/0?key_prefix={prefix}cache",
            "FRONTEND_URL": "https://app.example.com",
            # The test is the proxy: its X-Forwarded-For is the client's address.
            "DJANGO_NUM_PROXIES": "1",
            "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
        }
        web = Gunicorn(database_url, free_port(), tmp / "gunicorn.log", **shared)
        worker = CeleryWorker(database_url, tmp / "worker.log", **shared)
        broker = redis.Redis(*REDIS)
        try:
            web.start()
            worker.start()
            yield {"url": web.url, "smtp": handler, "broker": broker, "prefix": prefix}
        finally:
            worker.stop()
            web.stop()
            for key in broker.scan_iter(f"{prefix}*"):
                broker.delete(key)
            broker.close()


def call(
    stack, path: str, body: dict | None = None, *, user_agent: str = CHROME_WINDOWS, ip: str = HOME, token: str = ""
):
    """One JSON request from a browser (`user_agent`) at `ip`; (status, parsed body)."""
    headers = {"Content-Type": "application/json", "User-Agent": user_agent, "X-Forwarded-For": ip}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{stack['url']}{path}", data=data, headers=headers, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else {}


def login(stack, password: str = DEMO_PASSWORD, **device) -> dict:
    status, body = call(stack, "/api/v1/auth/login/", {"username": "user", "password": password}, **device)
    assert status == HTTPStatus.OK, body
    return body


def quiet(stack) -> None:
    """Every job the requests so far enqueued has run, and a late mail had time to arrive."""
    wait_until_drained(stack["broker"], stack["prefix"])
    time.sleep(1)


def token_of(message) -> str:
    text = plain_text(message)
    token = TOKEN.search(text).group(1)
    assert token in text.splitlines()
    return token


def test_a_new_device_is_mailed_its_link_works_once_and_a_known_device_is_not(stack):
    smtp = stack["smtp"]
    home = login(stack)  # the account's first login: nothing to compare with, nothing mailed
    login(stack, ip="198.51.100.99")  # the same browser, the same /24
    quiet(stack)
    assert smtp.mails_to(ADDRESS) == []

    stranger = login(stack, user_agent=FIREFOX_LINUX, ip=STRANGER)
    [alert] = smtp.wait_for_mail(ADDRESS)
    text = plain_text(alert)
    assert alert["Subject"] == "New sign-in to your account from Firefox on Linux"
    assert STRANGER in text
    assert "Firefox on Linux" in text
    token = token_of(alert)
    assert f"https://app.example.com/disown-login?token={token}" in text

    login(stack, user_agent=FIREFOX_LINUX, ip="203.0.113.77")  # that device again: known now
    quiet(stack)
    assert len(smtp.mails_to(ADDRESS)) == 1

    status, body = call(stack, "/api/v1/auth/login/disown/", {"token": token}, ip="192.0.2.1")
    assert status == HTTPStatus.OK, body
    # Two gunicorn workers answer in turn: every one refuses every token of the account.
    for pair in (home, stranger):
        for _ in range(6):
            assert call(stack, "/api/v1/auth/me/", token=pair["access"])[0] == HTTPStatus.UNAUTHORIZED
        assert call(stack, "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]})[0] == HTTPStatus.UNAUTHORIZED

    status, body = call(stack, "/api/v1/auth/login/disown/", {"token": token})
    assert status == HTTPStatus.BAD_REQUEST
    assert (body["errors"][0]["attr"], body["errors"][0]["code"]) == ("token", "invalid")

    reset = smtp.wait_for_mail(ADDRESS, count=2)[1]
    assert "/reset-password?token=" in plain_text(reset)
    confirm = {"token": token_of(reset), "new_password": NEW_PASSWORD}
    assert call(stack, "/api/v1/auth/password/reset/confirm/", confirm)[0] == HTTPStatus.NO_CONTENT

    login(stack, password=NEW_PASSWORD)  # the user's own device is still known
    quiet(stack)
    assert len(smtp.mails_to(ADDRESS)) == 2

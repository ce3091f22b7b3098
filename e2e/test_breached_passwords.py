"""
The breached-password check with real parts: gunicorn with production settings (two workers), a Celery
worker on Redis, the shared Redis cache, a real SMTP server and a range API on 127.0.0.1 serving the
format of Have I Been Pwned's from passwords the test adds.
"""

import os
import uuid
from http import HTTPStatus

import pytest
import redis

from accounts.demo import DEMO_PASSWORD
from bench.server import Gunicorn, manage
from breaches.pwned import PasswordDigest
from breaches.tests.range_api import range_api_running
from e2e.celery_worker import CeleryWorker
from e2e.live_server import LiveServer, free_port, fresh_database_url, redis_reachable
from e2e.smtp import plain_text, smtp_server

DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)"),
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL in DATABASE_URL"),
]

LEAKED = "summer-breeze-4821"
SECOND_ACCOUNT = """
from accounts.models import User
User.objects.create_user("twin", "twin@example.com", {password!r}, email_verified=True)
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("breaches")
    database_url = fresh_database_url(DATABASE_URL, "breaches", tmp)
    manage(database_url, "migrate", "--noinput")
    manage(database_url, "load_demo")
    manage(database_url, "shell", "-c", SECOND_ACCOUNT.format(password=DEMO_PASSWORD))
    prefix = f"e2e-breaches-{uuid.uuid4().hex}:"
    broker = redis.Redis("127.0.0.1", 6379)
    with range_api_running() as range_api, smtp_server() as (controller, smtp):
        shared = {
            "PWNED_PASSWORDS_URL": range_api.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/0?key_prefix={prefix}",
            "CACHE_URL": f"redis://127.0.0.1:6379/0?key_prefix={prefix}cache",
            "FRONTEND_URL": "https://app.example.com",
        }
        web = Gunicorn(database_url, free_port(), tmp / "gunicorn.log", workers=2, **shared)
        worker = CeleryWorker(database_url, tmp / "worker.log", **shared)
        try:
            web.start()
            worker.start()
            yield {"api": LiveServer(url=web.url, database_url=database_url), "range": range_api, "smtp": smtp}
        finally:
            worker.stop()
            web.stop()
            for key in broker.scan_iter(f"{prefix}*"):
                broker.delete(key)
            broker.close()


def test_registration_refuses_a_breached_password_sending_only_a_prefix(stack):
    api, range_api = stack["api"], stack["range"]
    range_api.add(LEAKED, 99)
    body = {"username": "leaky", "email": "leaky@example.com", "password": LEAKED}
    status, refused = api.request("POST", "/api/v1/auth/register/", body)
    assert status == HTTPStatus.BAD_REQUEST
    assert [(e["attr"], e["code"]) for e in refused["errors"]] == [("password", "password_breached")]
    digest = PasswordDigest.of(LEAKED)
    assert range_api.requests[-1]["path"] == f"/range/{digest.prefix}"
    assert range_api.requests[-1]["headers"]["Add-Padding"] == "true"
    fresh = {"username": "careful", "email": "careful@example.com", "password": "quiet-lantern-7395"}
    assert api.request("POST", "/api/v1/auth/register/", fresh)[0] == HTTPStatus.CREATED


def test_a_login_with_a_breached_password_is_mailed_and_said_by_every_worker(stack):
    api, range_api, smtp = stack["api"], stack["range"], stack["smtp"]
    range_api.add(DEMO_PASSWORD, 5)
    login = {"username": "user", "password": DEMO_PASSWORD}
    status, first = api.request("POST", "/api/v1/auth/login/", login)
    assert (status, first["password_change_recommended"]) == (HTTPStatus.OK, False)  # looked up after the answer
    [mail] = smtp.wait_for_mail(first["user"]["email"], timeout=30)
    assert "appears in a known data breach" in mail["Subject"]
    assert "https://app.example.com" in plain_text(mail)
    # Every later login says it, on whichever worker answers.
    for _ in range(4):
        status, later = api.request("POST", "/api/v1/auth/login/", login)
        assert (status, later["password_change_recommended"]) == (HTTPStatus.OK, True)
    # The range is in the shared cache now: another account with that password hears it in its own answer.
    status, twin = api.request("POST", "/api/v1/auth/login/", {"username": "twin", "password": DEMO_PASSWORD})
    assert (status, twin["password_change_recommended"]) == (HTTPStatus.OK, True)
    prefix = PasswordDigest.of(DEMO_PASSWORD).prefix
    assert [r["path"] for r in range_api.requests].count(f"/range/{prefix}") == 1
    smtp.wait_for_mail("twin@example.com", timeout=30)
    assert len(smtp.mails_to(first["user"]["email"])) == 1

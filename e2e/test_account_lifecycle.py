"""
Account deletion and data export with real parts: two gunicorn instances (production settings), a real
Celery worker and `celery beat` on Redis, a real SMTP server and PostgreSQL.

Deleting an account through one instance refuses its tokens and API key on both at once; the cancel
link from the real mail restores it; a due deletion is purged by the job beat schedules; an export's
mail carries a link that downloads the archive once.
"""

import json
import os
import re
import time
import urllib.request
import uuid
from http import HTTPStatus

import psycopg
import pytest

from accounts.demo import DEMO_PASSWORD
from bench.server import Gunicorn, manage
from e2e.celery_beat import CeleryBeat
from e2e.celery_worker import CeleryWorker
from e2e.live_server import LiveServer, free_port, fresh_database_url, redis_reachable
from e2e.smtp import plain_text, smtp_server

DATABASE_URL = os.environ.get("DATABASE_URL", "")
TOKEN = re.compile(r"token=([A-Za-z0-9_.:-]+)")
HOUSEKEEPING_SECONDS = 2


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379 (redis-server)"),
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL in DATABASE_URL"),
]

CREATE_ACCOUNT = """
from accounts.models import User
from posts.models import Post
user = User.objects.create_user(username={username!r}, email={email!r}, password={password!r}, email_verified=True)
Post.objects.create(author=user, title="Soon gone", body="Written before the account was deleted.")
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Instances `a` and `b`, a worker and beat, sharing a database, a broker, a cache and an SMTP server."""
    tmp = tmp_path_factory.mktemp("account-lifecycle")
    database_url = fresh_database_url(DATABASE_URL, "lifecycle", tmp)
    manage(database_url, "migrate", "--noinput")
    prefix = f"e2e-lifecycle-{uuid.uuid4().hex}:"
    with smtp_server() as (controller, smtp):
        shared = {
            "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/0?key_prefix={prefix}",
            "CACHE_URL": f"redis://127.0.0.1:6379/0?key_prefix={prefix}cache",
            "FRONTEND_URL": "https://app.example.com",
            "PRIVACY_HOUSEKEEPING_SECONDS": str(HOUSEKEEPING_SECONDS),
            "DJANGO_LOG_LEVEL": "INFO",
        }
        instances = {name: Gunicorn(database_url, free_port(), tmp / f"gunicorn-{name}.log", **shared) for name in "ab"}
        worker = CeleryWorker(database_url, tmp / "worker.log", **shared)
        beat = CeleryBeat(database_url, tmp, **shared)
        try:
            for instance in instances.values():
                instance.start()
            worker.start()
            beat.start()
            yield {
                "a": LiveServer(url=instances["a"].url, database_url=database_url),
                "b": LiveServer(url=instances["b"].url, database_url=database_url),
                "smtp": smtp,
                "database_url": database_url,
                "beat": beat,
                "worker": worker,
            }
        finally:
            beat.stop()
            worker.stop()
            for instance in instances.values():
                instance.stop()


def account_create(stack, name: str) -> tuple[str, str]:
    username, email = f"{name}-{uuid.uuid4().hex[:8]}", f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    script = CREATE_ACCOUNT.format(username=username, email=email, password=DEMO_PASSWORD)
    manage(stack["database_url"], "shell", "-c", script)
    return username, email


def login(server: LiveServer, username: str) -> dict:
    status, body = server.request("POST", "/api/v1/auth/login/", {"username": username, "password": DEMO_PASSWORD})
    assert status == HTTPStatus.OK, body
    return body


def mailed_token(stack, email: str, subject_part: str) -> str:
    mails = [m for m in stack["smtp"].wait_for_mail(email) if subject_part in str(m["Subject"])]
    assert len(mails) == 1, [str(m["Subject"]) for m in stack["smtp"].mails_to(email)]
    match = TOKEN.search(plain_text(mails[0]))
    assert match, plain_text(mails[0])
    return match.group(1)


def sql(stack, query: str, *params) -> list[tuple]:
    with psycopg.connect(stack["database_url"], autocommit=True) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def test_a_deletion_refuses_the_tokens_on_both_instances_at_once_and_the_mailed_link_restores(stack):
    a, b = stack["a"], stack["b"]
    username, email = account_create(stack, "leaver")
    other_session = login(b, username)
    status, made = a.request(
        "POST", "/api/v1/auth/api-keys/", {"name": "cron", "scopes": ["read"]}, token=login(a, username)["access"]
    )
    assert status == HTTPStatus.CREATED
    tokens = login(a, username)
    for server in (a, b):
        assert server.request("GET", "/api/v1/auth/me/", token=other_session["access"])[0] == HTTPStatus.OK
        assert server.request("GET", "/api/v1/posts/", api_key=made["key"])[0] == HTTPStatus.OK

    status, body = a.request("DELETE", "/api/v1/auth/me/", token=tokens["access"])

    assert status == HTTPStatus.ACCEPTED, body
    assert "purge_after" in body
    for server in (a, b):
        for access in (tokens["access"], other_session["access"]):
            assert server.request("GET", "/api/v1/auth/me/", token=access)[0] == HTTPStatus.UNAUTHORIZED
        assert server.request("GET", "/api/v1/posts/", api_key=made["key"])[0] == HTTPStatus.UNAUTHORIZED
    assert b.request("POST", "/api/v1/auth/token/refresh/", {"refresh": other_session["refresh"]})[0] == 401
    login_status = b.request("POST", "/api/v1/auth/login/", {"username": username, "password": DEMO_PASSWORD})[0]
    assert login_status == HTTPStatus.UNAUTHORIZED

    token = mailed_token(stack, email, "will be deleted")
    assert b.request("POST", "/api/v1/auth/account/deletion/cancel/", {"token": token})[0] == HTTPStatus.NO_CONTENT
    assert a.request("POST", "/api/v1/auth/account/deletion/cancel/", {"token": token})[0] == HTTPStatus.BAD_REQUEST

    fresh = login(a, username)
    assert b.request("GET", "/api/v1/auth/me/", token=fresh["access"])[0] == HTTPStatus.OK
    assert b.request("GET", "/api/v1/auth/me/", token=tokens["access"])[0] == HTTPStatus.UNAUTHORIZED
    assert b.request("GET", "/api/v1/posts/", api_key=made["key"])[0] == HTTPStatus.UNAUTHORIZED


def test_a_due_deletion_is_purged_by_the_job_beat_schedules(stack):
    a = stack["a"]
    username, email = account_create(stack, "purged")
    (user_id,) = sql(stack, "SELECT id FROM accounts_user WHERE username = %s", username)[0]
    status, _ = a.request("DELETE", "/api/v1/auth/me/", token=login(a, username)["access"])
    assert status == HTTPStatus.ACCEPTED
    mailed_token(stack, email, "will be deleted")
    # The grace period, over: as if it had been asked for eight days ago.
    moved = sql(
        stack,
        "UPDATE privacy_deletionrequest SET requested_at = now() - interval '8 days', "
        "purge_after = now() - interval '1 second' WHERE user_id = %s AND cancelled_at IS NULL RETURNING id",
        user_id,
    )
    assert len(moved) == 1

    deadline = time.monotonic() + 60
    while sql(stack, "SELECT 1 FROM accounts_user WHERE id = %s", user_id):
        assert time.monotonic() < deadline, f"not purged: {stack['beat'].log()[-2000:]}"
        time.sleep(0.5)

    assert "privacy.tasks.privacy_housekeeping" in stack["beat"].log()
    assert sql(stack, "SELECT count(*) FROM posts_post WHERE author_id = %s", user_id) == [(0,)]
    deleted = sql(stack, "SELECT user_id, detail FROM audit_securityevent WHERE event = 'account_deleted'")
    assert len(deleted) == 1
    assert deleted[0][0] is None
    pseudonym = deleted[0][1]["user_pseudonym"]
    kept = sql(
        stack,
        "SELECT event FROM audit_securityevent WHERE detail->>'user_pseudonym' = %s AND event <> 'account_deleted'",
        pseudonym,
    )
    assert {"login_succeeded", "account_deletion_requested"} <= {event for (event,) in kept}
    assert sql(stack, "SELECT count(*) FROM audit_securityevent WHERE user_id = %s", user_id) == [(0,)]


def test_an_export_mail_arrives_with_a_link_that_downloads_the_archive_once(stack):
    a, b = stack["a"], stack["b"]
    username, email = account_create(stack, "exporter")
    access = login(a, username)["access"]

    status, body = a.request("POST", "/api/v1/auth/me/export/", token=access)
    assert status == HTTPStatus.ACCEPTED, body
    assert b.request("POST", "/api/v1/auth/me/export/", token=access)[0] == HTTPStatus.TOO_MANY_REQUESTS

    token = mailed_token(stack, email, "data export")
    request = urllib.request.Request(
        f"{b.url}/api/v1/auth/account/export/download/",
        data=json.dumps({"token": token}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == HTTPStatus.OK
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        archive = json.loads(response.read())
    assert archive["profile"]["username"] == username
    assert [post["title"] for post in archive["posts"]] == ["Soon gone"]
    assert b.request("POST", "/api/v1/auth/account/export/download/", {"token": token})[0] == HTTPStatus.BAD_REQUEST

"""Real concurrency and real processes: atomic rotation, and logout seen by every server worker."""

import json
import socket
import threading
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.sessions import session_start
from accounts.tests.conftest import REFRESH, me_status
from accounts.tests.factories import PASSWORD, UserFactory
from bench.server import gunicorn_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and a second process need PostgreSQL (SQLite has neither)")


def test_the_same_refresh_sent_by_ten_threads_at_once_succeeds_exactly_once():
    user = UserFactory()
    refresh = str(session_start(user=user).refresh)
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            statuses.append(client.post(REFRESH, {"refresh": refresh}).status_code)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [HTTPStatus.OK] + [HTTPStatus.UNAUTHORIZED] * 9


def _free_port() -> int:
    for port in range(8150, 8200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8150-8199")


def _call(base_url: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{base_url}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        return error.code, {}


def test_logout_is_seen_by_every_worker_of_another_server_process(settings):
    settings.PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher"]  # a hash the production server knows
    user = UserFactory()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    credentials = {"username": user.username, "password": PASSWORD}
    with gunicorn_server(database_url, port=_free_port(), workers=2, threads=2) as base_url:
        status, tokens = _call(base_url, "/api/v1/auth/login/", credentials)
        assert status == HTTPStatus.OK
        _, other = _call(base_url, "/api/v1/auth/login/", credentials)
        for _ in range(10):  # warm both workers with the valid token
            assert _call(base_url, "/api/v1/auth/me/", token=tokens["access"])[0] == HTTPStatus.OK

        status, _ = _call(base_url, "/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, token=tokens["access"])
        assert status == HTTPStatus.NO_CONTENT

        answers = {_call(base_url, "/api/v1/auth/me/", token=tokens["access"])[0] for _ in range(40)}
        assert answers == {HTTPStatus.UNAUTHORIZED}
        assert {_call(base_url, "/api/v1/auth/me/", token=other["access"])[0] for _ in range(10)} == {HTTPStatus.OK}
    # This process (another one again) agrees.
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED

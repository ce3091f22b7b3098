"""One answer sent twice at the same moment, on two connections: the challenge is taken once, one login gets in."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from rest_framework.test import APIClient

from audit.models import Event, SecurityEvent
from passkeys.services import registration_begin
from passkeys.tests.conftest import LOGIN, login_options, new_authenticator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")


def _racing(answer: dict) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            statuses.append(client.post(LOGIN, {"credential": answer}, format="json").status_code)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


@pytest.mark.parametrize("round_", range(3))
def test_one_answer_sent_twice_at_once_logs_in_once(make_user, client_for, round_):
    user = make_user()
    authenticator = new_authenticator()
    options = registration_begin(user=user)["publicKey"]
    registered = client_for(user).post(
        "/api/v1/auth/passkeys/registration/", {"name": "A", "credential": authenticator.create(options)}, format="json"
    )
    assert registered.status_code == HTTPStatus.CREATED, registered.content

    assert _racing(authenticator.get(login_options())) == [HTTPStatus.OK, HTTPStatus.BAD_REQUEST]
    assert SecurityEvent.objects.filter(event=Event.LOGIN_SUCCEEDED, user=user).count() == 1

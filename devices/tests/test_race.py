"""Two uses of one "this wasn't me" link at the same moment: one ends the sign-in, the other is refused."""

import threading
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from devices.tests.conftest import DISOWN, ELSEWHERE, LOGIN, SAFARI_IPHONE, mailed_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrent transactions need PostgreSQL")


def login(user, **headers) -> None:
    response = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}, **headers)
    assert response.status_code == HTTPStatus.OK


def disowns_racing(token: str) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def use() -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            statuses.append(client.post(DISOWN, {"token": token}).status_code)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


@pytest.mark.parametrize("round_", range(3))
def test_two_uses_at_once_disown_the_sign_in_once(make_user, round_):
    user = make_user()
    login(user)  # outside a test transaction: the hook and its mail run at each commit
    login(user, HTTP_USER_AGENT=SAFARI_IPHONE, REMOTE_ADDR=ELSEWHERE)
    [alert] = mail.outbox
    mail.outbox.clear()

    assert disowns_racing(mailed_token(alert)) == [HTTPStatus.OK, HTTPStatus.BAD_REQUEST]
    assert SecurityEvent.objects.filter(user=user, event=Event.LOGIN_DISOWNED).count() == 1
    assert [message.to for message in mail.outbox] == [[user.email]]  # one reset mail

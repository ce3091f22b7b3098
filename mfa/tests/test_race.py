"""Two logins racing with the same TOTP code, both past the password step: at most one gets in."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from rest_framework.test import APIClient

from audit.models import Event, SecurityEvent
from mfa.tests.conftest import LOGIN_MFA, login_first_step, mfa_turn_on, unused_code

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrent transactions need PostgreSQL")


def _second_steps_racing(user, code: str) -> list[int]:
    """Two logins of `user`, both past the password step, send `code` at the same moment; their statuses."""
    tokens = [login_first_step(user)["mfa_token"] for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def second_step(token: str) -> None:
        try:
            client = APIClient()
            barrier.wait(timeout=10)
            statuses.append(client.post(LOGIN_MFA, {"mfa_token": token, "code": code}).status_code)
        finally:
            connection.close()  # each thread has its own database connection

    threads = [threading.Thread(target=second_step, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(statuses)


@pytest.mark.parametrize("round_", range(5))
def test_two_logins_racing_with_the_same_code_let_at_most_one_in(make_user, round_):
    mfa = mfa_turn_on(make_user())

    assert _second_steps_racing(mfa.user, unused_code(mfa)) == [HTTPStatus.OK, HTTPStatus.BAD_REQUEST]
    assert SecurityEvent.objects.filter(event=Event.LOGIN_SUCCEEDED, user=mfa.user).count() == 1
    assert SecurityEvent.objects.filter(event=Event.MFA_FAILED, user=mfa.user).count() == 1


def test_two_logins_racing_with_the_same_recovery_code_let_at_most_one_in(make_user):
    mfa = mfa_turn_on(make_user())

    assert _second_steps_racing(mfa.user, mfa.recovery_codes[0]) == [HTTPStatus.OK, HTTPStatus.BAD_REQUEST]

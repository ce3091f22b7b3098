"""The second login step's per-account limit (`MFA_FAILURES_PER_ACCOUNT`), across challenges and addresses."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.lockout import ACCOUNT_LOCKED
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.tests.conftest import LOGIN, LOGIN_MFA, mfa_turn_on, unused_code, wrong_code

pytestmark = pytest.mark.django_db
LIMIT = 4


@pytest.fixture(autouse=True)
def tight_code_limit(settings):
    settings.MFA_FAILURES_PER_ACCOUNT = f"{LIMIT}/15m"
    cache.clear()
    yield
    cache.clear()


def new_challenge(user, address: str) -> str:
    response = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR=address)
    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    return response.json()["mfa_token"]


def second_step(token: str, code: str, address: str):
    return APIClient().post(LOGIN_MFA, {"mfa_token": token, "code": code}, REMOTE_ADDR=address)


def wrong_codes(mfa, count: int) -> None:
    """`count` wrong codes, two per challenge, each challenge from a new address."""
    for n in range(count):
        if n % 2 == 0:
            token = new_challenge(mfa.user, f"10.0.{n}.1")
        response = second_step(token, wrong_code(mfa.secret), f"10.0.{n}.2")
        assert response.status_code == HTTPStatus.BAD_REQUEST, response.content


def test_wrong_codes_across_challenges_and_addresses_lock_the_accounts_codes(mfa_user):
    wrong_codes(mfa_user, LIMIT)
    response = second_step(new_challenge(mfa_user.user, "10.9.0.1"), unused_code(mfa_user), "10.9.0.2")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    [error] = response.json()["errors"]
    assert error["code"] == "throttled"
    assert error["detail"].startswith(ACCOUNT_LOCKED)


def test_the_lock_is_recorded_and_mailed_once(mfa_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wrong_codes(mfa_user, LIMIT)
        token = new_challenge(mfa_user.user, "10.9.0.1")
        for _ in range(3):
            second_step(token, wrong_code(mfa_user.secret), "10.9.0.2")
    event = SecurityEvent.objects.get(event=Event.LOGIN_LOCKED)
    assert (event.user, event.detail["step"], event.detail["attempts"]) == (mfa_user.user, "mfa", LIMIT)
    [message] = mail.outbox
    assert message.to == [mfa_user.user.email]
    assert "wrong two-factor codes" in message.subject
    assert f"{LIMIT} wrong two-factor codes" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_a_right_code_clears_the_accounts_count(mfa_user):
    wrong_codes(mfa_user, LIMIT - 1)
    token = new_challenge(mfa_user.user, "10.9.0.1")
    assert second_step(token, unused_code(mfa_user), "10.9.0.2").status_code == HTTPStatus.OK
    wrong_codes(mfa_user, LIMIT - 1)
    assert not SecurityEvent.objects.filter(event=Event.LOGIN_LOCKED).exists()


def test_another_accounts_codes_are_not_locked(mfa_user, make_user):
    wrong_codes(mfa_user, LIMIT)
    other = mfa_turn_on(make_user())
    token = new_challenge(other.user, "10.0.0.1")
    assert second_step(token, unused_code(other), "10.0.0.1").status_code == HTTPStatus.OK


def test_the_password_step_is_not_what_the_code_lock_stops(mfa_user):
    wrong_codes(mfa_user, LIMIT)
    # The password is still checked (and counted) on its own; only the codes wait.
    assert new_challenge(mfa_user.user, "10.9.0.1")

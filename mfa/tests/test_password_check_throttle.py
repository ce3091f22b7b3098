"""Two-factor changes check a password or a code: they count in `THROTTLE_PASSWORD_CHECK`, per user and address."""

from collections.abc import Callable
from http import HTTPStatus

import pytest
from django.core.cache import cache

from accounts.tests.factories import PASSWORD
from accounts.tests.test_reauthentication import REAUTHENTICATE
from mfa import services
from mfa.tests.conftest import DISABLE, RECOVERY_CODES, TOTP, TOTP_CONFIRM, code_now, mfa_turn_on, unused_code

pytestmark = pytest.mark.django_db
RATE = 2


@pytest.fixture(autouse=True)
def tight_password_checks(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_check": f"{RATE}/min"},
    }
    cache.clear()
    yield
    cache.clear()


def _enrol(user) -> dict:
    return {"password": PASSWORD}


def _confirm(user) -> dict:
    secret, _ = services.totp_enroll(user=user)  # the service, not the endpoint: no check counted
    return {"code": code_now(secret)}


def _disable(user) -> dict:
    return {"code": unused_code(mfa_turn_on(user))}


# Each change, how to prepare `user` for it, and a right body for it afterwards; a wrong body is a 400.
CHANGES: dict[str, tuple[str, Callable, dict]] = {
    "enrol": (TOTP, _enrol, {"password": "not-the-password"}),
    "confirm": (TOTP_CONFIRM, _confirm, {"code": "not-a-code"}),
    "disable": (DISABLE, _disable, {"code": "not-a-code"}),
    "recovery codes": (RECOVERY_CODES, _disable, {"code": "not-a-code"}),
}


def _assert_throttled(response) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, response.content
    assert int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "throttled"


@pytest.mark.parametrize("change", CHANGES)
def test_a_two_factor_change_is_throttled_per_user_whatever_the_address(user, client_for, change):
    path, prepare, wrong = CHANGES[change]
    right = prepare(user)
    client = client_for(user)
    for n in range(RATE):
        assert client.post(path, wrong, REMOTE_ADDR=f"10.0.0.{n}").status_code == HTTPStatus.BAD_REQUEST
    _assert_throttled(client.post(path, right, REMOTE_ADDR="10.0.1.1"))
    cache.clear()  # the same right request, once the count is gone, goes through: the 429 was the throttle's
    response = client.post(path, right, REMOTE_ADDR="10.0.1.1")
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.NO_CONTENT), response.content


@pytest.mark.parametrize("change", CHANGES)
def test_a_two_factor_change_is_throttled_per_address_whatever_the_user(make_user, client_for, change):
    path, prepare, wrong = CHANGES[change]
    for _ in range(RATE):
        other = make_user()
        prepare(other)
        response = client_for(other).post(path, wrong, REMOTE_ADDR="10.0.2.1")
        assert response.status_code == HTTPStatus.BAD_REQUEST
    fresh = make_user()
    right = prepare(fresh)  # before signing in: turning two-factor on ends the user's sessions
    _assert_throttled(client_for(fresh).post(path, right, REMOTE_ADDR="10.0.2.1"))


@pytest.mark.parametrize("change", CHANGES)
def test_reauthentication_and_two_factor_changes_share_one_count(user, client_for, change):
    path, prepare, _ = CHANGES[change]
    right = prepare(user)
    client = client_for(user)
    for n in range(RATE):
        response = client.post(REAUTHENTICATE, {"password": "not-the-password"}, REMOTE_ADDR=f"10.0.3.{n}")
        assert response.status_code == HTTPStatus.BAD_REQUEST
    _assert_throttled(client.post(path, right, REMOTE_ADDR="10.0.4.1"))

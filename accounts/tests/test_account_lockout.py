"""Password login's per-account limit on failed attempts (`LOGIN_FAILURES_PER_ACCOUNT`), whatever the address."""

import time
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

from accounts.lockout import ACCOUNT_LOCKED
from accounts.tests.conftest import LOGIN
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from common.failure_limits import FailureLimit, failure_limit_parse
from common.tests.new_process import run_python

pytestmark = pytest.mark.django_db
LIMIT = 3


@pytest.fixture(autouse=True)
def tight_account_limit(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = f"{LIMIT}/5m"
    cache.clear()
    yield
    cache.clear()


def login(username: str, password: str, address: str = "10.0.0.1"):
    return APIClient().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(username: str, times: int = LIMIT) -> None:
    for n in range(times):
        assert login(username, "wrong", address=f"10.0.1.{n}").status_code == HTTPStatus.UNAUTHORIZED


def test_after_the_limit_even_the_right_password_is_429_with_retry_after(user):
    fail(user.username)
    response = login(user.username, PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 300
    body = response.json()
    assert body["type"] == "client_error"
    [error] = body["errors"]
    assert (error["code"], error["attr"]) == ("throttled", None)
    assert error["detail"].startswith(ACCOUNT_LOCKED)  # DRF adds "Expected available in N seconds."


def test_the_limit_counts_the_account_from_every_address_and_by_username_or_email(user):
    fail(user.username, LIMIT - 1)
    assert login(user.email.upper(), "wrong", address="10.9.9.9").status_code == HTTPStatus.UNAUTHORIZED
    assert login(user.email, PASSWORD, address="10.8.8.8").status_code == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.parametrize("password", ["wrong", PASSWORD])
def test_a_locked_account_and_an_unknown_name_answer_alike(user, password):
    fail(user.username)
    fail("nobody-at-all")
    known, unknown = login(user.username, password), login("Nobody-At-All", password)
    assert known.status_code == unknown.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert known.content == unknown.content
    assert known["Retry-After"] == unknown["Retry-After"]


def test_another_account_is_not_locked(user, make_user):
    fail(user.username)
    other = make_user()
    assert login(other.username, PASSWORD).status_code == HTTPStatus.OK


def test_the_right_password_clears_the_accounts_failures(user):
    fail(user.username, LIMIT - 1)
    assert login(user.username, PASSWORD).status_code == HTTPStatus.OK
    fail(user.username, LIMIT - 1)
    assert login(user.username, PASSWORD).status_code == HTTPStatus.OK


def test_login_locked_is_recorded_once_when_the_lock_starts(user):
    fail(user.username)
    for _ in range(3):
        login(user.username, PASSWORD)
    event = SecurityEvent.objects.get(event=Event.LOGIN_LOCKED)
    assert event.user == user
    assert event.detail["step"] == "password"
    assert event.detail["attempts"] == LIMIT


def test_the_lock_ends_with_its_window(user, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = "1/1s"
    fail(user.username, 1)
    assert login(user.username, PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    time.sleep(1.1)
    assert login(user.username, PASSWORD).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("value", "limit"),
    [
        ("5/5m", FailureLimit(5, 300)),
        ("10/15m", FailureLimit(10, 900)),
        ("3/30s", FailureLimit(3, 30)),
        ("1/2h", FailureLimit(1, 7200)),
    ],
)
def test_a_limit_reads_attempts_per_window(value, limit):
    assert failure_limit_parse(value) == limit


@pytest.mark.parametrize("value", ["5/min", "5", "0/5m", "5/0m", "5/5d", "-1/5m", "five/5m", ""])
def test_a_malformed_limit_is_refused_with_its_setting_named(value):
    with pytest.raises(ImproperlyConfigured, match="LOGIN_FAILURES_PER_ACCOUNT"):
        failure_limit_parse(value, setting="LOGIN_FAILURES_PER_ACCOUNT")


@pytest.mark.parametrize("setting", ["LOGIN_FAILURES_PER_ACCOUNT", "MFA_FAILURES_PER_ACCOUNT"])
def test_a_malformed_limit_refuses_to_start_with_one_line(setting):
    # Read only at the first sign-in, it would make every login a 500 instead.
    result = run_python(
        "manage.py", "check", DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="True", **{setting: "5/min"}
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert f"{setting}='5/min'" in result.stderr


def test_well_formed_limits_start():
    result = run_python(
        "manage.py",
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="True",
        LOGIN_FAILURES_PER_ACCOUNT="3/30s",
        MFA_FAILURES_PER_ACCOUNT="20/1h",
    )
    assert result.returncode == 0, result.stderr

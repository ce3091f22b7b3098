"""The Django admin site's login asks an account with two-factor on for a code beside the password."""

from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Role
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.tests.conftest import mfa_turn_on, unused_code, wrong_code

pytestmark = pytest.mark.django_db


def admin_login(user, code: str | None = None) -> tuple[Client, object]:
    client = Client()
    form = {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    if code is not None:
        form["otp_code"] = code
    return client, client.post("/admin/login/", form)


@pytest.fixture
def mfa_admin(make_user):
    return mfa_turn_on(make_user(role=Role.ADMIN))


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == HTTPStatus.OK


def test_the_login_page_shows_the_code_field(client):
    assert b'name="otp_code"' in client.get("/admin/login/").content


def test_an_admin_without_two_factor_logs_in_with_the_password_alone(admin):
    client, response = admin_login(admin)
    assert response.status_code == HTTPStatus.FOUND
    assert logged_in(client)


@pytest.mark.parametrize("code", [None, "", "wrong", "abcdef"])
def test_an_admin_with_two_factor_needs_a_right_code(mfa_admin, code):
    code = wrong_code(mfa_admin.secret) if code == "wrong" else code
    client, response = admin_login(mfa_admin.user, code)
    assert response.status_code == HTTPStatus.OK
    assert b"two-factor authentication on" in response.content
    assert not logged_in(client)
    assert SecurityEvent.objects.filter(event=Event.MFA_FAILED, user=mfa_admin.user).count() == 1


def test_a_current_code_logs_in_once(mfa_admin):
    code = unused_code(mfa_admin)
    client, response = admin_login(mfa_admin.user, f"{code[:3]} {code[3:]}")
    assert response.status_code == HTTPStatus.FOUND
    assert logged_in(client)
    replay, response = admin_login(mfa_admin.user, code)
    assert not logged_in(replay)


def test_a_recovery_code_logs_in_once(mfa_admin):
    code = mfa_admin.recovery_codes[0]
    client, _ = admin_login(mfa_admin.user, code)
    assert logged_in(client)
    assert SecurityEvent.objects.get(event=Event.RECOVERY_CODE_USED).detail == {"remaining": 9, "via": "django_admin"}
    again, _ = admin_login(mfa_admin.user, code)
    assert not logged_in(again)


def test_after_five_wrong_codes_even_a_right_one_waits(mfa_admin, settings):
    settings.MFA_FAILURES_PER_ACCOUNT = "5/5m"
    cache.clear()
    for _ in range(5):
        admin_login(mfa_admin.user, wrong_code(mfa_admin.secret))
    client, _ = admin_login(mfa_admin.user, unused_code(mfa_admin))
    assert not logged_in(client)

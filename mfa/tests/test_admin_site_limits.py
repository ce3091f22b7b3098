"""The Django admin site's login: one generic error until both factors pass, and the API login's limits."""

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.admin_login import TOO_MANY_ATTEMPTS
from accounts.models import Role
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.tests.conftest import LOGIN, mfa_turn_on, unused_code, wrong_code

pytestmark = pytest.mark.django_db
ERRORNOTE = re.compile(rb'<p class="errornote">\s*(.*?)\s*</p>', re.S)


@pytest.fixture(autouse=True)
def tight_limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = "3/5m"
    settings.MFA_FAILURES_PER_ACCOUNT = "3/15m"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mfa_admin(make_user):
    return mfa_turn_on(make_user(role=Role.ADMIN))


def admin_login(username: str, password: str = PASSWORD, code: str | None = None, address: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    form = {"username": username, "password": password, "next": "/admin/"}
    if code is not None:
        form["otp_code"] = code
    return client, client.post("/admin/login/", form)


def errors(response) -> list[bytes]:
    assert response.status_code == HTTPStatus.OK
    return ERRORNOTE.findall(response.content)


@pytest.mark.parametrize("code", [None, "", "wrong"])
def test_a_right_password_without_the_right_code_answers_like_a_wrong_password(mfa_admin, code):
    code = wrong_code(mfa_admin.secret) if code == "wrong" else code
    _, right_password = admin_login(mfa_admin.user.username, code=code, address="10.0.0.1")
    _, wrong_password = admin_login(mfa_admin.user.username, "wrong", code=code, address="10.0.0.2")
    _, unknown = admin_login("nobody-here", "wrong", code=code, address="10.0.0.3")
    assert errors(right_password) == errors(wrong_password) == errors(unknown)
    assert len(errors(right_password)) == 1


def test_both_factors_right_log_in(mfa_admin):
    client, response = admin_login(mfa_admin.user.username, code=unused_code(mfa_admin))
    assert response.status_code == HTTPStatus.FOUND
    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_over_the_address_limit_every_name_gets_too_many_attempts(admin, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "login": "2/min"}}
    for name in ("a", "b"):
        admin_login(name, "wrong")
    for name, password in ((admin.username, PASSWORD), ("nobody-here", "wrong")):
        client, response = admin_login(name, password)
        assert errors(response) == [TOO_MANY_ATTEMPTS.encode()]
        assert client.get("/admin/").status_code == HTTPStatus.FOUND  # to the login page


@pytest.mark.parametrize("name", ["known", "nobody-here"])
def test_over_the_account_limit_from_any_address_the_form_says_too_many_attempts(admin, name):
    name = admin.username if name == "known" else name
    for n in range(3):
        admin_login(name, "wrong", address=f"10.0.1.{n}")
    _, response = admin_login(name, PASSWORD, address="10.0.2.1")
    assert errors(response) == [TOO_MANY_ATTEMPTS.encode()]
    event = SecurityEvent.objects.get(event=Event.LOGIN_LOCKED)
    assert event.detail["step"] == "admin"


def test_wrong_passwords_at_the_api_and_the_admin_site_add_up(admin):
    for _ in range(2):
        APIClient().post(LOGIN, {"username": admin.username, "password": "wrong"})
    admin_login(admin.username, "wrong")
    assert APIClient().post(LOGIN, {"username": admin.username, "password": PASSWORD}).status_code == 429
    _, response = admin_login(admin.username, PASSWORD, address="10.0.3.1")
    assert errors(response) == [TOO_MANY_ATTEMPTS.encode()]


def test_wrong_codes_at_the_admin_site_lock_the_apis_second_step_too(mfa_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            admin_login(mfa_admin.user.username, code=wrong_code(mfa_admin.secret))
    assert SecurityEvent.objects.get(event=Event.LOGIN_LOCKED).detail["step"] == "admin"
    # Locked, a right code answers like a wrong one here (the owner hears of it by mail)...
    client, response = admin_login(mfa_admin.user.username, code=unused_code(mfa_admin))
    assert errors(response) == errors(admin_login(mfa_admin.user.username, "wrong")[1])
    assert client.get("/admin/").status_code == HTTPStatus.FOUND
    assert [m.to for m in mail.outbox] == [[mfa_admin.user.email]]
    # ...and the API's second step answers 429.
    token = APIClient().post(LOGIN, {"username": mfa_admin.user.username, "password": PASSWORD}).json()["mfa_token"]
    response = APIClient().post("/api/v1/auth/login/mfa/", {"mfa_token": token, "code": unused_code(mfa_admin)})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS

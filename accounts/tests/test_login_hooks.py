"""accounts.login_hooks: what later apps hear of logins, and that a failing hook never fails one."""

import uuid
from http import HTTPStatus

import pytest

from accounts import login_hooks
from accounts.models import LoginSession
from accounts.tests.conftest import LOGIN
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard(monkeypatch):
    """Register recording hooks for one test (the module's lists are restored after it)."""
    monkeypatch.setattr(login_hooks, "_password_accepted", [])
    monkeypatch.setattr(login_hooks, "_login_completed", [])
    calls = {"password": [], "login": []}
    login_hooks.password_accepted_register(lambda **kwargs: calls["password"].append(kwargs))
    login_hooks.login_completed_register(lambda **kwargs: calls["login"].append(kwargs))
    return calls


def test_a_login_is_heard_with_its_password_and_its_session(api_client, user, heard):
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == HTTPStatus.OK
    [accepted] = heard["password"]
    assert (accepted["user"].pk, accepted["password"], accepted["context"].ip) == (user.pk, PASSWORD, "10.0.0.7")
    [completed] = heard["login"]
    session = LoginSession.objects.get(user=user)
    assert completed["sid"] == session.sid
    assert isinstance(completed["sid"], uuid.UUID)
    assert completed["amr"] == ("pwd",)


def test_a_wrong_password_is_not_heard(api_client, user, heard):
    response = api_client.post(LOGIN, {"username": user.username, "password": "not-it"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert heard == {"password": [], "login": []}


def test_an_inactive_account_is_not_heard(api_client, make_user, heard):
    inactive = make_user(is_active=False)
    response = api_client.post(LOGIN, {"username": inactive.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert heard == {"password": [], "login": []}


def test_a_failing_hook_is_logged_and_the_login_goes_on(api_client, user, heard, caplog):
    def broken(**kwargs):
        raise RuntimeError("alert service down")

    login_hooks.password_accepted_register(broken)
    login_hooks.login_completed_register(broken)
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.OK
    assert len(heard["login"]) == 1
    assert [r.message for r in caplog.records if r.name == "accounts.login_hooks"] == [
        f"login hook {broken.__qualname__} failed"
    ] * 2


def test_registering_twice_calls_once(api_client, user, heard):
    hook = login_hooks._login_completed[0]
    login_hooks.login_completed_register(hook)
    api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert len(heard["login"]) == 1

"""Logout, logout-all, password change and deactivation reject earlier tokens at once."""

from http import HTTPStatus

import pytest

from accounts.models import LoginSession, Role
from accounts.sessions import LOGOUT_REFRESH_INVALID
from accounts.tests.conftest import (
    LOGIN,
    LOGOUT,
    LOGOUT_ALL,
    PASSWORD_CHANGE,
    USERS,
    assert_unauthorized,
    bearer,
    me_status,
    refresh_status,
)
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-42"


def _logout(tokens: dict, refresh: str | None = None):
    return bearer(tokens["access"]).post(LOGOUT, {"refresh": refresh or tokens["refresh"]})


def test_logout_rejects_the_access_token_of_the_call_and_the_refresh(user, login):
    tokens = login(user)
    assert _logout(tokens).status_code == HTTPStatus.NO_CONTENT
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert refresh_status(tokens["refresh"]) == HTTPStatus.UNAUTHORIZED


def test_logout_keeps_the_users_other_sessions(user, login):
    mine, other_device = login(user), login(user)
    _logout(mine)
    assert me_status(other_device["access"]) == HTTPStatus.OK
    assert refresh_status(other_device["refresh"]) == HTTPStatus.OK


def test_logout_with_a_refresh_of_another_session_of_mine_ends_both(user, login):
    a, b, c = login(user), login(user), login(user)
    assert bearer(a["access"]).post(LOGOUT, {"refresh": b["refresh"]}).status_code == HTTPStatus.NO_CONTENT
    assert me_status(a["access"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(b["access"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(c["access"]) == HTTPStatus.OK


def test_logout_requires_a_signed_in_caller(user, login, api_client):
    assert_unauthorized(api_client.post(LOGOUT, {"refresh": login(user)["refresh"]}))


def test_logout_with_someone_elses_refresh_is_400_and_revokes_nothing_of_theirs(user, login, make_user):
    mine, theirs = login(user), login(make_user())
    response = _logout(mine, refresh=theirs["refresh"])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == [{"code": "invalid", "detail": LOGOUT_REFRESH_INVALID, "attr": "refresh"}]
    assert me_status(theirs["access"]) == HTTPStatus.OK
    assert refresh_status(theirs["refresh"]) == HTTPStatus.OK
    assert me_status(mine["access"]) == HTTPStatus.OK
    assert not LoginSession.objects.filter(ended_at__isnull=False).exists()


@pytest.mark.parametrize("refresh", ["garbage", "use access token", "rotated", "logged out"])
def test_logout_with_an_invalid_or_revoked_refresh_is_400(user, login, refresh):
    tokens, old = login(user), login(user)
    if refresh == "use access token":
        refresh = tokens["access"]
    elif refresh == "rotated":
        bearer(old["access"]).post("/api/v1/auth/token/refresh/", {"refresh": old["refresh"]})
        refresh = old["refresh"]
    elif refresh == "logged out":
        _logout(old)
        refresh = old["refresh"]
    response = _logout(tokens, refresh=refresh)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "refresh"
    assert me_status(tokens["access"]) == HTTPStatus.OK


def test_logout_without_refresh_is_400(user, login):
    response = bearer(login(user)["access"]).post(LOGOUT, {})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "refresh"


def test_presenting_a_logged_out_refresh_revokes_every_token_of_the_user(user, login):
    old, other = login(user), login(user)
    _logout(old)
    assert refresh_status(old["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(other["access"]) == HTTPStatus.UNAUTHORIZED


def test_logout_all_rejects_every_earlier_token(user, login):
    first, second = login(user), login(user)
    assert bearer(first["access"]).post(LOGOUT_ALL).status_code == HTTPStatus.NO_CONTENT
    for tokens in (first, second):
        assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
        assert refresh_status(tokens["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(login(user)["access"]) == HTTPStatus.OK


def test_logout_all_requires_a_signed_in_caller(api_client):
    assert_unauthorized(api_client.post(LOGOUT_ALL))


def test_password_change_rejects_every_earlier_token_and_the_old_password(user, login, api_client):
    tokens = login(user)
    response = bearer(tokens["access"]).post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert refresh_status(tokens["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert api_client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 401
    assert me_status(login(user, NEW_PASSWORD)["access"]) == HTTPStatus.OK


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"old_password": "not-my-password", "new_password": NEW_PASSWORD}, "old_password"),
        ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"old_password": PASSWORD, "new_password": "password123"}, "new_password"),
        ({"old_password": PASSWORD, "new_password": "83749273649"}, "new_password"),
        ({"old_password": PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "old_password"),
    ],
)
def test_password_change_refuses_a_bad_request_and_keeps_the_tokens(user, login, body, attr):
    tokens = login(user)
    response = bearer(tokens["access"]).post(PASSWORD_CHANGE, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert {error["attr"] for error in response.json()["errors"]} == {attr}
    assert me_status(tokens["access"]) == HTTPStatus.OK


def test_password_similar_to_the_username_is_refused(make_user, login):
    user = make_user(username="marjoriesmith")
    response = bearer(login(user)["access"]).post(
        PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": "marjoriesmith1"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_deactivation_by_an_admin_rejects_the_users_tokens_at_once(user, login, client_for, make_user):
    tokens = login(user)
    admin_client = client_for(make_user(role=Role.ADMIN))
    response = admin_client.patch(f"{USERS}{user.pk}/", {"is_active": False})
    assert response.status_code == HTTPStatus.OK
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert refresh_status(tokens["refresh"]) == HTTPStatus.UNAUTHORIZED


def test_reactivation_does_not_revive_old_tokens(user, login, client_for, make_user):
    tokens = login(user)
    admin_client = client_for(make_user(role=Role.ADMIN))
    admin_client.patch(f"{USERS}{user.pk}/", {"is_active": False})
    admin_client.patch(f"{USERS}{user.pk}/", {"is_active": True})
    assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(login(user)["access"]) == HTTPStatus.OK

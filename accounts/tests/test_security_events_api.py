"""Every account flow of the API records its security event once, with who, from where and which request."""

from http import HTTPStatus

import jwt
import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.sessions import session_start
from accounts.tests.conftest import LOGIN, LOGOUT, LOGOUT_ALL, PASSWORD_CHANGE, REFRESH, USERS, bearer
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

CLIENT = {"REMOTE_ADDR": "198.51.100.23", "HTTP_USER_AGENT": "flow-test/1.0"}


def sid(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sid"]


def events() -> list[tuple]:
    """(event, user id, actor id, detail) of every event, oldest first."""
    return list(SecurityEvent.objects.order_by("at", "id").values_list("event", "user_id", "actor_id", "detail"))


def assert_request_recorded(response) -> None:
    """The newest event carries the request's client address, user agent and id."""
    event = SecurityEvent.objects.latest("at", "id")
    assert (event.ip, event.user_agent) == (CLIENT["REMOTE_ADDR"], CLIENT["HTTP_USER_AGENT"])
    assert event.request_id == response["X-Request-ID"]


def test_login_records_success_with_the_session(api_client, user):
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD}, **CLIENT)
    assert response.status_code == HTTPStatus.OK
    session = sid(response.json()["refresh"])
    assert events() == [(Event.LOGIN_SUCCEEDED, user.pk, user.pk, {"session": session})]
    assert_request_recorded(response)


@pytest.mark.parametrize(
    ("case", "reason"),
    [("wrong password", "wrong_password"), ("inactive", "inactive_account"), ("unknown", "unknown_account")],
)
def test_a_failed_login_is_recorded_without_actor_and_without_the_typed_name(api_client, make_user, case, reason):
    user = make_user(is_active=case != "inactive", username="carol")
    username = "nobody-of-that-name" if case == "unknown" else "carol"
    password = "not-the-password" if case == "wrong password" else PASSWORD
    response = api_client.post(LOGIN, {"username": username, "password": password}, **CLIENT)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert events() == [(Event.LOGIN_FAILED, None if case == "unknown" else user.pk, None, {"reason": reason})]
    assert_request_recorded(response)


def test_a_login_rejected_before_checking_credentials_records_nothing(api_client, user):
    assert api_client.post(LOGIN, {"username": user.username}).status_code == HTTPStatus.BAD_REQUEST
    assert events() == []


def test_a_normal_refresh_records_nothing_but_reuse_is_recorded(api_client, user):
    refresh = str(session_start(user=user).refresh)
    assert api_client.post(REFRESH, {"refresh": refresh}).status_code == HTTPStatus.OK
    assert events() == []
    response = api_client.post(REFRESH, {"refresh": refresh}, **CLIENT)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert events() == [(Event.REFRESH_REUSE_DETECTED, user.pk, None, {"session": sid(refresh)})]
    assert_request_recorded(response)


def test_logout_records_the_session_it_ended(user):
    pair = session_start(user=user)
    response = bearer(str(pair.access)).post(LOGOUT, {"refresh": str(pair.refresh)}, **CLIENT)
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert events() == [(Event.LOGOUT, user.pk, user.pk, {"session": sid(str(pair.refresh))})]
    assert_request_recorded(response)


def test_a_refused_logout_records_nothing(user):
    pair = session_start(user=user)
    assert bearer(str(pair.access)).post(LOGOUT, {"refresh": "junk"}).status_code == HTTPStatus.BAD_REQUEST
    assert events() == []


def test_logout_all_is_recorded(client_for, user):
    response = client_for(user).post(LOGOUT_ALL, **CLIENT)
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert events() == [(Event.LOGOUT_ALL, user.pk, user.pk, {})]
    assert_request_recorded(response)


def test_password_change_is_recorded_as_done_by_the_user(client_for, user):
    body = {"old_password": PASSWORD, "new_password": "a-fresh-passphrase-1913"}
    response = client_for(user).post(PASSWORD_CHANGE, body, **CLIENT)
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert events() == [(Event.PASSWORD_CHANGED, user.pk, user.pk, {"integrations_revoked": 0})]
    assert_request_recorded(response)


def test_a_refused_password_change_records_nothing(client_for, user):
    body = {"old_password": "not-it", "new_password": "a-fresh-passphrase-1913"}
    assert client_for(user).post(PASSWORD_CHANGE, body).status_code == HTTPStatus.BAD_REQUEST
    assert events() == []


@pytest.mark.parametrize(
    ("start", "change", "expected"),
    [
        ({}, {"role": "moderator"}, [(Event.USER_ROLE_CHANGED, {"old_role": "user", "new_role": "moderator"})]),
        ({}, {"is_active": False}, [(Event.USER_DEACTIVATED, {})]),
        ({"is_active": False}, {"is_active": True}, [(Event.USER_REACTIVATED, {})]),
        (
            {"role": Role.MODERATOR},
            {"role": "admin", "is_active": False},
            [(Event.USER_ROLE_CHANGED, {"old_role": "moderator", "new_role": "admin"}), (Event.USER_DEACTIVATED, {})],
        ),
        ({}, {"role": "user", "is_active": True}, []),  # nothing changed: nothing to record
    ],
)
def test_an_admins_change_to_a_user_is_recorded_as_done_by_the_admin(
    client_for, admin, make_user, start, change, expected
):
    target = make_user(**start)
    response = client_for(admin).patch(f"{USERS}{target.pk}/", change, **CLIENT)
    assert response.status_code == HTTPStatus.OK
    assert events() == [(event, target.pk, admin.pk, detail) for event, detail in expected]
    if expected:
        assert_request_recorded(response)


def test_a_refused_admin_change_records_nothing(client_for, admin):
    response = client_for(admin).patch(f"{USERS}{admin.pk}/", {"role": "user"})
    assert response.status_code == HTTPStatus.BAD_REQUEST  # the last active admin
    assert events() == []


def test_a_user_sees_the_events_of_their_account_through_the_api(user):
    tokens = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}).json()
    body = bearer(tokens["access"]).get("/api/v1/auth/events/").json()
    assert [row["event"] for row in body["results"]] == ["login_succeeded"]

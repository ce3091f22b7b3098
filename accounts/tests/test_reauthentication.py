"""Step-up reauthentication: logins and auth/reauthenticate/ stamp the session; credential changes need it recent."""

import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.models import LoginSession
from accounts.sessions import session_start
from accounts.tests.conftest import LOGIN, ME, PASSWORD_CHANGE, REFRESH, bearer
from accounts.tests.factories import PASSWORD
from accounts.tokens import token_pair_build
from apikeys.services import api_key_create
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/api/v1/auth/reauthenticate/"
API_KEYS = "/api/v1/auth/api-keys/"
NEW_PASSWORD = "another-horse-battery-staple"


def claims(access: str) -> dict:
    return UntypedToken(access).payload


def stale_access(user, *, seconds_ago: int = 301) -> tuple[str, uuid.UUID]:
    """A live session whose last authentication was `seconds_ago`, and an access token of it (as issued then)."""
    sid = uuid.UUID(hex=session_start(user=user).access["sid"])
    then = timezone.now() - timedelta(seconds=seconds_ago)
    LoginSession.objects.filter(sid=sid).update(auth_time=then)
    return str(token_pair_build(user=user, sid=sid, auth_time=then, amr=["pwd"]).access), sid


def assert_reauthentication_required(response, max_age: int = 300) -> None:
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    assert response.json()["errors"][0]["code"] == "reauthentication_required"
    assert response["WWW-Authenticate"] == f'Bearer error="insufficient_user_authentication", max_age={max_age}'


def test_a_password_login_stamps_the_session_and_its_tokens(user):
    body = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}).json()
    access = claims(body["access"])
    session = LoginSession.objects.get(sid=access["sid"])
    assert session.amr == ["pwd"]
    assert abs((timezone.now() - session.auth_time).total_seconds()) < 5
    assert access["auth_time"] == int(session.auth_time.timestamp())
    assert access["amr"] == ["pwd"]


def test_a_refresh_keeps_the_sessions_auth_time_and_does_not_make_it_recent(user):
    body = APIClient().post(LOGIN, {"username": user.username, "password": PASSWORD}).json()
    sid = claims(body["access"])["sid"]
    then = timezone.now() - timedelta(hours=1)
    LoginSession.objects.filter(sid=sid).update(auth_time=then)
    rotated = APIClient().post(REFRESH, {"refresh": body["refresh"]}).json()
    assert claims(rotated["access"])["auth_time"] == int(then.timestamp())
    assert claims(rotated["refresh"])["amr"] == ["pwd"]
    response = bearer(rotated["access"]).post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_reauthentication_required(response)


def test_reauthenticating_with_the_password_stamps_the_session_and_returns_a_fresh_access_token(user):
    access, sid = stale_access(user)
    response = bearer(access).post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.OK, response.content
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {"access", "token_type", "expires_in", "auth_time", "amr"}
    assert body["amr"] == ["pwd"]
    fresh = claims(body["access"])
    assert (fresh["sid"], fresh["auth_time"], fresh["amr"]) == (sid.hex, body["auth_time"], ["pwd"])
    session = LoginSession.objects.get(sid=sid)
    assert int(session.auth_time.timestamp()) == body["auth_time"]
    event = SecurityEvent.objects.get(event=Event.REAUTHENTICATED)
    assert (event.user, event.actor, event.detail["session"]) == (user, user, sid.hex)
    # The new token may now change the password; the stale one still may not.
    change = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_reauthentication_required(bearer(access).post(PASSWORD_CHANGE, change))
    assert bearer(body["access"]).post(PASSWORD_CHANGE, change).status_code == HTTPStatus.NO_CONTENT


def test_a_wrong_password_is_a_400_on_password_and_is_recorded(user):
    access, sid = stale_access(user)
    before = LoginSession.objects.get(sid=sid).auth_time
    response = bearer(access).post(REAUTHENTICATE, {"password": "not-the-password"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "password"
    assert response.json()["errors"][0]["code"] == "wrong_password"
    assert LoginSession.objects.get(sid=sid).auth_time == before
    event = SecurityEvent.objects.get(event=Event.REAUTHENTICATION_FAILED)
    assert (event.user, event.detail) == (user, {"factor": "password", "reason": "wrong"})


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "no_factor"), ({"password": ""}, "blank"), ({"password": PASSWORD, "code": "123456"}, "one_factor")],
)
def test_one_factor_must_be_sent(user, client_for, body, code):
    response = client_for(user).post(REAUTHENTICATE, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == code


def test_a_code_without_two_factor_on_is_a_400_on_code(user, client_for):
    response = client_for(user).post(REAUTHENTICATE, {"code": "123456"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0] == {
        "code": "unavailable",
        "detail": "This account has no such factor; use another one.",
        "attr": "code",
    }


def test_an_api_key_cannot_reauthenticate(user):
    _, key = api_key_create(owner=user, name="script", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.post(REAUTHENTICATE, {"password": PASSWORD}).status_code == HTTPStatus.FORBIDDEN
    assert not SecurityEvent.objects.filter(event=Event.REAUTHENTICATED).exists()


def test_signed_out_callers_get_the_usual_401(api_client):
    response = api_client.post(REAUTHENTICATE, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("patch", ME, {"email": "new-address@example.com"}),
        ("post", API_KEYS, {"name": "script", "scopes": ["read"]}),
        ("post", "/api/v1/auth/mfa/totp/", {"password": PASSWORD}),
        ("post", "/api/v1/auth/mfa/totp/confirm/", {"code": "123456"}),
        ("post", "/api/v1/auth/mfa/disable/", {"code": "123456"}),
        ("post", "/api/v1/auth/mfa/recovery-codes/", {"code": "123456"}),
    ],
)
def test_credential_changes_need_a_recent_authentication(user, method, path, body):
    access, _ = stale_access(user)
    response = getattr(bearer(access), method)(path, body, format="json")
    assert_reauthentication_required(response)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.pending_email is None


def test_the_window_is_reauth_seconds(user, settings):
    settings.REAUTH_SECONDS = 600
    access, _ = stale_access(user, seconds_ago=400)
    change = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert bearer(access).post(PASSWORD_CHANGE, change).status_code == HTTPStatus.NO_CONTENT
    user.refresh_from_db()  # the change revoked every token: a session of the new token version
    older, _ = stale_access(user, seconds_ago=700)
    assert_reauthentication_required(bearer(older).post(PASSWORD_CHANGE, change), max_age=600)


def test_a_token_without_auth_time_counts_as_never_recently_authenticated(user):
    sid = uuid.UUID(hex=session_start(user=user).access["sid"])
    access = str(token_pair_build(user=user, sid=sid).access)
    response = bearer(access).post(PASSWORD_CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_reauthentication_required(response)


def test_a_username_change_needs_no_recent_authentication_but_an_email_change_does(user):
    access, _ = stale_access(user)
    assert bearer(access).patch(ME, {"username": "renamed"}).status_code == HTTPStatus.OK
    assert bearer(access).patch(ME, {"email": user.email.upper()}).status_code == HTTPStatus.OK
    assert_reauthentication_required(bearer(access).patch(ME, {"email": "elsewhere@example.com"}))


@pytest.fixture
def tight_password_checks(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_check": "2/min"},
    }
    cache.clear()
    yield
    cache.clear()


def test_password_checks_are_throttled_per_user_whatever_the_address(user, client_for, tight_password_checks):
    client = client_for(user)
    for address in ("10.0.0.1", "10.0.0.2"):
        response = client.post(REAUTHENTICATE, {"password": "wrong"}, REMOTE_ADDR=address)
        assert response.status_code == HTTPStatus.BAD_REQUEST
    response = client.post(REAUTHENTICATE, {"password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    # The password change shares the scope and the count.
    change = {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post(PASSWORD_CHANGE, change, REMOTE_ADDR="10.0.0.4").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_password_checks_are_throttled_per_address_whatever_the_user(make_user, client_for, tight_password_checks):
    for _ in range(2):
        response = client_for(make_user()).post(REAUTHENTICATE, {"password": "wrong"}, REMOTE_ADDR="10.0.0.9")
        assert response.status_code == HTTPStatus.BAD_REQUEST
    response = client_for(make_user()).post(REAUTHENTICATE, {"password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    other_address = client_for(make_user()).post(REAUTHENTICATE, {"password": PASSWORD}, REMOTE_ADDR="10.0.0.10")
    assert other_address.status_code == HTTPStatus.OK

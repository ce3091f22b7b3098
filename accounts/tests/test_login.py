"""POST auth/login/: username or email, same 401 for every bad credential, hashing."""

import statistics
import time
from http import HTTPStatus

import jwt
import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.sessions import LOGIN_FAILED
from accounts.tests.conftest import LOGIN, ME, assert_unauthorized, bearer
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("identifier", ["alice", "ALICE", "alice@example.com", "Alice@Example.COM", " alice "])
def test_login_accepts_username_or_email_in_any_case(api_client, identifier):
    UserFactory(username="alice", email="alice@example.com")
    response = api_client.post(LOGIN, {"username": identifier, "password": PASSWORD})
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["user"]["username"] == "alice"


def test_login_returns_the_documented_body(api_client, user):
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type", "expires_in", "user", "password_change_recommended"}
    assert body["password_change_recommended"] is False
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == int(django_settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())
    assert body["user"] == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "role": "user",
        "is_active": True,
        "date_joined": body["user"]["date_joined"],
        "email_verified": False,
        "pending_email": None,
        "mfa_enabled": False,
    }
    assert bearer(body["access"]).get(ME).status_code == HTTPStatus.OK


def test_access_token_carries_user_id_and_role_claims(api_client, moderator):
    body = api_client.post(LOGIN, {"username": moderator.username, "password": PASSWORD}).json()
    claims = jwt.decode(body["access"], options={"verify_signature": False})
    assert claims["user_id"] == str(moderator.pk)
    assert claims["role"] == Role.MODERATOR
    assert claims["token_type"] == "access"


def test_login_accepts_a_form_body(user):
    response = APIClient().post(
        LOGIN,
        f"username={user.username}&password={PASSWORD}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["token_type"] == "Bearer"


def test_login_records_last_login(api_client, user):
    assert user.last_login is None
    api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "inactive user"])
def test_bad_credentials_all_get_the_same_401(api_client, case):
    user = UserFactory(is_active=case != "inactive user")
    username = "nobody-here" if case == "unknown user" else user.username
    password = "wrong-password-123" if case == "wrong password" else PASSWORD
    response = api_client.post(LOGIN, {"username": username, "password": password})
    assert_unauthorized(response)
    assert response.json()["errors"] == [{"code": "authentication_failed", "detail": LOGIN_FAILED, "attr": None}]


@pytest.mark.parametrize(
    ("body", "missing"), [({"password": PASSWORD}, "username"), ({"username": "a"}, "password"), ({}, "username")]
)
def test_missing_field_is_400(api_client, body, missing):
    response = api_client.post(LOGIN, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert {"code": "required", "detail": "This field is required.", "attr": missing} in errors


def test_a_username_that_looks_like_an_email_wins_over_the_email_of_another_user(api_client):
    owner = UserFactory(username="bob@example.com", email="x@example.com")
    UserFactory(username="bob", email="bob@example.com")
    response = api_client.post(LOGIN, {"username": "BOB@example.com", "password": PASSWORD})
    assert response.json()["user"]["id"] == owner.pk


def test_login_upgrades_an_older_password_hash(api_client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = UserFactory()
    assert user.password.startswith("pbkdf2_sha256$")
    settings.PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    response = api_client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert bearer(response.json()["access"]).get(ME).status_code == HTTPStatus.OK


def _median_login_seconds(client, username: str, password: str, rounds: int = 5) -> float:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        assert client.post(LOGIN, {"username": username, "password": password}).status_code == 401
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def test_unknown_user_and_wrong_password_take_about_the_same_time(api_client, settings):
    settings.PASSWORD_HASHERS = ["accounts.hashers.Argon2idHasher"]
    user = UserFactory()
    wrong_password = _median_login_seconds(api_client, user.username, "wrong-password-123")
    unknown_user = _median_login_seconds(api_client, "nobody-here", "wrong-password-123")
    # Both run one Argon2id hash; without the dummy hash the unknown user would be ~50x faster.
    assert 0.3 < unknown_user / wrong_password < 3, (unknown_user, wrong_password)

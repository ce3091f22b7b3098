"""POST auth/register/ and GET/PATCH auth/me/."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import EMAIL_TAKEN, USERNAME_TAKEN, user_register
from accounts.tests.conftest import ME, REGISTER, assert_unauthorized

pytestmark = pytest.mark.django_db

GOOD = {"username": "newbie", "email": "Newbie@Example.COM", "password": "a-long-unusual-passphrase"}


def _errors(response) -> set[tuple[str, str]]:
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


def test_register_creates_a_user_and_returns_it(api_client):
    response = api_client.post(REGISTER, GOOD)
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert set(body) == {
        "id",
        "username",
        "email",
        "role",
        "is_active",
        "date_joined",
        "email_verified",
        "pending_email",
        "mfa_enabled",
    }
    assert body["email"] == "newbie@example.com"
    assert body["role"] == Role.USER
    user = User.objects.get(pk=body["id"])
    assert user.email == "newbie@example.com"
    assert user.check_password(GOOD["password"])


def test_register_ignores_role_and_staff_flags(api_client):
    response = api_client.post(REGISTER, {**GOOD, "role": "admin", "is_staff": True, "is_superuser": True})
    user = User.objects.get(pk=response.json()["id"])
    assert (user.role, user.is_staff, user.is_superuser) == (Role.USER, False, False)


@pytest.mark.parametrize(
    ("existing", "attr", "message"),
    [({"username": "NEWBIE"}, "username", USERNAME_TAKEN), ({"email": "NEWBIE@example.com"}, "email", EMAIL_TAKEN)],
)
def test_register_refuses_a_taken_username_or_email_in_another_case(api_client, make_user, existing, attr, message):
    make_user(**existing)
    response = api_client.post(REGISTER, GOOD)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert {"code": "unique", "detail": message, "attr": attr} in response.json()["errors"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password_too_short"),
        ("password123", "password_too_common"),
        ("8374927364912", "password_entirely_numeric"),
        ("newbie123!", "password_too_similar"),
    ],
)
def test_register_refuses_a_weak_password(api_client, password, code):
    response = api_client.post(REGISTER, {**GOOD, "password": password})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert ("password", code) in _errors(response)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("change", "attr"),
    [
        ({"username": None}, "username"),
        ({"email": None}, "email"),
        ({"password": None}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 151}, "username"),
    ],
)
def test_register_refuses_missing_or_invalid_fields(api_client, change, attr):
    body = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    response = api_client.post(REGISTER, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert attr in {error["attr"] for error in response.json()["errors"]}


def test_a_lost_race_on_the_unique_index_is_a_validation_error_not_a_500(make_user):
    make_user(username="Racer", email="racer@example.com")
    with pytest.raises(ValidationError) as username_taken:
        user_register(username="racer", email="other@example.com", password="x")
    with pytest.raises(ValidationError) as email_taken:
        user_register(username="other", email="RACER@example.com", password="x")
    assert username_taken.value.message_dict == {"username": [USERNAME_TAKEN]}
    assert email_taken.value.message_dict == {"email": [EMAIL_TAKEN]}


def test_me_returns_the_caller(user, client_for):
    response = client_for(user).get(ME)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["id"] == user.pk
    assert "password" not in response.json()


def test_me_requires_a_signed_in_caller(api_client):
    assert_unauthorized(api_client.get(ME))
    assert_unauthorized(api_client.patch(ME, {"username": "x"}))


def test_me_changes_username_and_requests_the_lower_cased_email(user, client_for):
    old_email = user.email
    response = client_for(user).patch(ME, {"username": "renamed", "email": "Renamed@Example.com"})
    assert response.status_code == HTTPStatus.OK
    assert (response.json()["email"], response.json()["pending_email"]) == (old_email, "renamed@example.com")
    user.refresh_from_db()
    assert (user.username, user.email, user.pending_email) == ("renamed", old_email, "renamed@example.com")


def test_me_ignores_role_active_and_staff_flags(user, client_for):
    response = client_for(user).patch(ME, {"role": "admin", "is_active": False, "is_staff": True})
    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert (user.role, user.is_active, user.is_staff) == (Role.USER, True, False)


def test_me_refuses_a_username_taken_by_another_user_in_another_case(user, make_user, client_for):
    # Usernames are public (post authors); a taken email answers like a free one (test_email_change).
    other = make_user()
    response = client_for(user).patch(ME, {"username": other.username.upper()})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "username"


def test_me_accepts_own_username_in_another_case(user, client_for):
    response = client_for(user).patch(ME, {"username": user.username.upper()})
    assert response.status_code == HTTPStatus.OK


def test_me_put_is_not_allowed(user, client_for):
    assert client_for(user).put(ME, {"username": "x"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_a_password_with_surrounding_spaces_is_kept_as_sent(api_client):
    password = "  spaced out passphrase  "
    response = api_client.post(
        "/api/v1/auth/register/", {"username": "spacey", "email": "spacey@example.com", "password": password}
    )
    assert response.status_code == HTTPStatus.CREATED
    login = api_client.post("/api/v1/auth/login/", {"username": "spacey", "password": password})
    assert login.status_code == HTTPStatus.OK

"""POST auth/token/refresh/: rotation, and reuse of a rotated refresh revokes everything."""

import uuid
from datetime import timedelta
from http import HTTPStatus

import jwt
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import Role
from accounts.sessions import REFRESH_REUSED, session_start
from accounts.tests.conftest import REFRESH, assert_unauthorized, me_status, refresh_status
from accounts.tokens import token_pair_build

pytestmark = pytest.mark.django_db


def _refresh(refresh: str):
    return APIClient().post(REFRESH, {"refresh": refresh})


def test_refresh_returns_a_new_pair_in_the_same_session(user, login):
    tokens = login(user)
    response = _refresh(tokens["refresh"])
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != tokens["refresh"]
    assert me_status(body["access"]) == HTTPStatus.OK
    sid = jwt.decode(tokens["refresh"], options={"verify_signature": False})["sid"]
    assert jwt.decode(body["access"], options={"verify_signature": False})["sid"] == sid


def test_rotated_refresh_is_blacklisted_and_the_new_one_outstanding(user, login):
    tokens = login(user)
    _refresh(tokens["refresh"])
    assert BlacklistedToken.objects.filter(token__token=tokens["refresh"]).exists()
    assert OutstandingToken.objects.filter(user=user).count() == 2


def test_refresh_puts_the_current_role_in_the_new_access_token(user, login):
    tokens = login(user)
    user.role = Role.MODERATOR
    user.save()
    access = _refresh(tokens["refresh"]).json()["access"]
    assert jwt.decode(access, options={"verify_signature": False})["role"] == Role.MODERATOR


def test_reusing_a_rotated_refresh_is_401_and_revokes_every_token_of_the_user(user, login, make_user):
    first, second = login(user), login(user)
    rotated = _refresh(first["refresh"]).json()
    bystander = login(make_user())

    response = _refresh(first["refresh"])

    assert_unauthorized(response)
    assert response.json()["errors"][0]["detail"] == REFRESH_REUSED
    for tokens in (first, second, rotated):
        assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
    assert refresh_status(rotated["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert refresh_status(second["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert me_status(bystander["access"]) == HTTPStatus.OK
    assert refresh_status(bystander["refresh"]) == HTTPStatus.OK
    assert me_status(login(user)["access"]) == HTTPStatus.OK


def test_access_token_used_as_refresh_is_401(user, login):
    assert_unauthorized(_refresh(login(user)["access"]))


def test_expired_refresh_is_401(user):
    pair = token_pair_build(user=user, sid=uuid.uuid4())
    pair.refresh.set_exp(from_time=pair.refresh.current_time - timedelta(days=30))
    assert_unauthorized(_refresh(str(pair.refresh)))


def test_signed_refresh_never_issued_is_401(user):
    assert_unauthorized(_refresh(str(token_pair_build(user=user, sid=uuid.uuid4()).refresh)))


@pytest.mark.parametrize("value", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_malformed_refresh_is_401(value):
    assert_unauthorized(_refresh(value))


def test_blank_refresh_is_400():
    response = _refresh("")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0] == {
        "code": "blank",
        "detail": "This field may not be blank.",
        "attr": "refresh",
    }


def test_missing_refresh_is_400():
    response = APIClient().post(REFRESH, {})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "refresh"


def test_refresh_of_a_deactivated_user_is_401(user):
    refresh = str(session_start(user=user).refresh)
    user.is_active = False
    user.save()
    assert_unauthorized(_refresh(refresh))

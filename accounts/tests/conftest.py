"""Helpers for the accounts tests: log in through the API, call it with a token."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
LOGOUT_ALL = "/api/v1/auth/logout-all/"
ME = "/api/v1/auth/me/"
REGISTER = "/api/v1/auth/register/"
PASSWORD_CHANGE = "/api/v1/auth/password/change/"
USERS = "/api/v1/users/"


def bearer(access: str) -> APIClient:
    """A client sending `access` as its bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def login():
    """Factory fixture: log `user` in through the API; return the response body."""

    def do(user, password: str = PASSWORD) -> dict:
        response = APIClient().post(LOGIN, {"username": user.username, "password": password})
        assert response.status_code == HTTPStatus.OK, response.content
        return response.json()

    return do


def assert_unauthorized(response) -> None:
    """401 in the standard error shape, with a bearer challenge."""
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "client_error"


def me_status(access: str) -> int:
    return bearer(access).get(ME).status_code


def refresh_status(refresh: str) -> int:
    return APIClient().post(REFRESH, {"refresh": refresh}).status_code

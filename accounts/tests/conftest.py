"""Helpers for the accounts tests: log in through the API, call it with a token."""

import re
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
PASSWORD_RESET = "/api/v1/auth/password/reset/"
PASSWORD_RESET_CONFIRM = "/api/v1/auth/password/reset/confirm/"
EMAIL_VERIFY = "/api/v1/auth/email/verify/"
EMAIL_VERIFY_RESEND = "/api/v1/auth/email/verify/resend/"
USERS = "/api/v1/users/"
# A mailed token, as API.md allows it: only A-Z a-z 0-9 - _ . :
MAILED_TOKEN = re.compile(r"token=([A-Za-z0-9_.:-]+)")


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


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """
    `with run_jobs(): ...` runs the background jobs enqueued inside the block when it ends, as the
    web process does without a broker once the request's transaction commits (tests never commit).
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


def mailed_token(message, *, to: str | None = None) -> str:
    """The token of a mail: in its link, and on a line of its own in the plain text and the HTML."""
    if to is not None:
        assert message.to == [to]
    match = MAILED_TOKEN.search(message.body)
    assert match, message.body
    token = match.group(1)
    assert token in message.body.splitlines(), "the token is also on a line of its own"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert token in html
    return token

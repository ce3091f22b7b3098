"""Helpers for the devices tests: log in through the API from a given browser and address, read the mails."""

import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/auth/me/"
REFRESH = "/api/v1/auth/token/refresh/"
DISOWN = "/api/v1/auth/login/disown/"
MAILED_TOKEN = re.compile(r"token=([A-Za-z0-9_.:-]+)")

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
CHROME_WINDOWS_NEWER = CHROME_WINDOWS.replace("Chrome/120.0.0.0", "Chrome/131.0.6778.86")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
HOME = "198.51.100.23"
HOME_NEIGHBOUR = "198.51.100.200"
ELSEWHERE = "203.0.113.9"


@pytest.fixture(autouse=True)
def _fresh_mail_limits():
    # The reset-mail limit lives in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): ...` runs what the block left for its commit: the login hooks, then their mail jobs."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def login_from(run_jobs):
    """Factory fixture: log `user` in through the API from `user_agent` at `ip`, hooks and jobs run; the body."""

    def do(user, *, user_agent: str = CHROME_WINDOWS, ip: str = HOME) -> dict:
        with run_jobs():
            response = APIClient().post(
                LOGIN,
                {"username": user.username, "password": PASSWORD},
                HTTP_USER_AGENT=user_agent,
                REMOTE_ADDR=ip,
            )
        assert response.status_code == HTTPStatus.OK, response.content
        return response.json()

    return do


def mailed_token(message) -> str:
    """The token of a mail: in its link, on a line of its own in the text, and in the HTML."""
    match = MAILED_TOKEN.search(message.body)
    assert match, message.body
    token = match.group(1)
    assert token in message.body.splitlines()
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert token in html
    return token


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client

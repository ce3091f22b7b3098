"""Fixtures shared by every app's tests: API clients and users of each role."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.sessions import session_start
from accounts.tests.factories import UserFactory


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db):
    """Factory fixture: `make_user(role=Role.ADMIN, username=...)`."""
    return UserFactory


@pytest.fixture
def user(make_user):
    return make_user(role=Role.USER)


@pytest.fixture
def moderator(make_user):
    return make_user(role=Role.MODERATOR)


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.ADMIN)


@pytest.fixture
def client_for():
    """Factory fixture: an APIClient sending the bearer access token of a new login session of `user`."""

    def build(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_start(user=user).access}")
        return client

    return build

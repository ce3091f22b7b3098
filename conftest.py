"""Fixtures shared by every app's tests: API clients and users of each role."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Role
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
    """Factory fixture: an APIClient sending a fresh bearer access token for `user`."""

    def build(user) -> APIClient:
        client = APIClient()
        access = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return build

"""Helpers for the passkey tests: a software authenticator per test, and the ceremonies through the API."""

from http import HTTPStatus

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from passkeys.models import Passkey
from passkeys.tests.authenticator import SoftwareAuthenticator

PASSKEYS = "/api/v1/auth/passkeys/"
REGISTRATION_OPTIONS = "/api/v1/auth/passkeys/registration/options/"
REGISTRATION = "/api/v1/auth/passkeys/registration/"
LOGIN_OPTIONS = "/api/v1/auth/login/passkey/options/"
LOGIN = "/api/v1/auth/login/passkey/"
PASSWORD_LOGIN = "/api/v1/auth/login/"
LOGIN_MFA = "/api/v1/auth/login/mfa/"
SECOND_STEP_OPTIONS = "/api/v1/auth/login/mfa/passkey/options/"
REAUTHENTICATE = "/api/v1/auth/reauthenticate/"
REAUTHENTICATION_OPTIONS = "/api/v1/auth/reauthenticate/passkey/options/"
ME = "/api/v1/auth/me/"


def new_authenticator(**flags) -> SoftwareAuthenticator:
    """An authenticator for this server's origin and RP ID (the settings' first origin)."""
    return SoftwareAuthenticator(origin=settings.WEBAUTHN_ORIGINS[0], rp_id=settings.WEBAUTHN_RP_ID, **flags)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): ...` runs the jobs enqueued in the block when it ends, as the web process does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def authenticator() -> SoftwareAuthenticator:
    return new_authenticator()


def options_of(response) -> dict:
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()["publicKey"]


def register(client: APIClient, authenticator: SoftwareAuthenticator, name: str = "Laptop", **create) -> dict:
    """The whole registration through the API; returns the 201 body."""
    options = options_of(client.post(REGISTRATION_OPTIONS))
    response = client.post(REGISTRATION, {"name": name, "credential": authenticator.create(options, **create)})
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response.json()


@pytest.fixture
def passkey_of(client_for):
    """Factory fixture: register `authenticator` as a passkey of `user` through the API; returns the row."""

    def build(user: User, authenticator: SoftwareAuthenticator, name: str = "Laptop") -> Passkey:
        body = register(client_for(user), authenticator, name)
        return Passkey.objects.get(pk=body["id"])

    return build


def login_options(client: APIClient | None = None) -> dict:
    return options_of((client or APIClient()).post(LOGIN_OPTIONS))


def passwordless(authenticator: SoftwareAuthenticator, client: APIClient | None = None, **get):
    """A passwordless login with `authenticator`'s passkey; returns the response."""
    options = login_options(client)
    return (client or APIClient()).post(LOGIN, {"credential": authenticator.get(options, **get)})


def assert_error(response, status: HTTPStatus, code: str, attr: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["type"] in ("validation_error", "client_error")
    assert (body["errors"][0]["code"], body["errors"][0]["attr"]) == (code, attr), body

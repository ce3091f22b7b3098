"""Helpers for the two-factor tests: a user with two-factor on, current codes, the two login steps."""

import time
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD
from mfa import services, totp

LOGIN = "/api/v1/auth/login/"
LOGIN_MFA = "/api/v1/auth/login/mfa/"
TOTP = "/api/v1/auth/mfa/totp/"
TOTP_CONFIRM = "/api/v1/auth/mfa/totp/confirm/"
DISABLE = "/api/v1/auth/mfa/disable/"
RECOVERY_CODES = "/api/v1/auth/mfa/recovery-codes/"


def code_now(secret: str, *, offset_steps: int = 0) -> str:
    """The authenticator app's code now (or `offset_steps` away)."""
    return totp.code_at_step(secret, totp.step_at(time.time()) + offset_steps)


@dataclass
class MfaUser:
    user: User
    secret: str
    recovery_codes: list[str]


def mfa_turn_on(user: User) -> MfaUser:
    """Enrol and confirm an authenticator through the services, as the API does."""
    secret, _ = services.totp_enroll(user=user)
    codes = services.totp_confirm(user=user, code=code_now(secret), keep_sid=None)
    user.refresh_from_db()
    return MfaUser(user=user, secret=secret, recovery_codes=codes)


@pytest.fixture
def mfa_user(user) -> MfaUser:
    """The `user` fixture with two-factor on. Its confirming code was used: log in with another step's code."""
    return mfa_turn_on(user)


def login_first_step(user: User, client: APIClient | None = None, password: str = PASSWORD) -> dict:
    response = (client or APIClient()).post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    return response.json()


def unused_code(mfa: MfaUser) -> str:
    """A code of a step later than the last accepted one (the drift window allows the next step)."""
    return code_now(mfa.secret, offset_steps=1)


def wrong_code(secret: str) -> str:
    """A well-formed code that is none of the drift window's right ones."""
    rights = {code_now(secret, offset_steps=offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in rights)

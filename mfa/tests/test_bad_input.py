"""Malformed codes, tokens and passwords on every two-factor endpoint: 400 in the standard shape, never a 5xx."""

import json
from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from accounts.sessions import session_start
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.models import Authenticator, LoginChallenge
from mfa.tests.conftest import DISABLE, LOGIN_MFA, RECOVERY_CODES, TOTP, TOTP_CONFIRM, login_first_step, mfa_turn_on

pytestmark = pytest.mark.django_db

BAD_CODES = [
    "12345",  # too short
    "1234567",  # too long
    "abcdef",  # letters
    "12345a",
    "",  # blank
    "      ",  # only whitespace
    "12\t3456",  # whitespace other than a space inside
    "123\n456",
    "\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits (str.isdigit says yes)
    "1" * 33,  # over max_length
    "9" * 100_000,
    "abcde-fghi",  # a recovery code one character short
    "abcde-fghij1",
    "abcde-fghi8",  # 8 is not in the recovery alphabet
]
BAD_TYPES = [123456, 0, 1.5, True, None, ["123456"], {"code": "123456"}]
BAD_PASSWORDS = ["x" * 129, 12345678, None, True, ["pw"], {"pw": 1}]


def assert_400(response) -> dict:
    assert response.status_code == HTTPStatus.BAD_REQUEST, (response.status_code, response.content[:300])
    body = response.json()
    assert body["type"] in {"validation_error", "client_error"}  # client_error: malformed JSON
    assert all(set(error) == {"code", "detail", "attr"} for error in body["errors"])
    return body


@pytest.fixture
def pending(user):
    """A user with an unconfirmed authenticator and a signed-in client."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_start(user=user).access}")
    assert client.post(TOTP, {"password": PASSWORD}).status_code == HTTPStatus.CREATED
    return client


@pytest.mark.parametrize("code", BAD_CODES + BAD_TYPES, ids=repr)
def test_confirm_refuses_a_malformed_code(user, pending, code):
    body = assert_400(pending.post(TOTP_CONFIRM, json.dumps({"code": code}), content_type="application/json"))
    assert body["errors"][0]["attr"] == "code"
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert Authenticator.objects.get(user=user).last_used_step is None


@pytest.mark.parametrize("code", [c for c in BAD_CODES if c.strip() and len(c) < 33] + BAD_TYPES, ids=repr)
def test_the_second_login_step_refuses_a_malformed_code_without_counting_it(user, code):
    mfa = mfa_turn_on(user)
    token = login_first_step(mfa.user)["mfa_token"]
    body = {"mfa_token": token, "code": code}
    result = assert_400(APIClient().post(LOGIN_MFA, json.dumps(body), content_type="application/json"))
    assert result["errors"][0]["attr"] == "code"
    assert LoginChallenge.objects.get().failures == 0
    assert not SecurityEvent.objects.filter(event__in=[Event.LOGIN_SUCCEEDED, Event.MFA_FAILED]).exists()


@pytest.mark.parametrize("code", ["", "      ", "1" * 33, "9" * 100_000], ids=len)
def test_the_second_login_step_refuses_blank_and_huge_codes(user, code):
    mfa = mfa_turn_on(user)
    token = login_first_step(mfa.user)["mfa_token"]
    assert_400(APIClient().post(LOGIN_MFA, {"mfa_token": token, "code": code}, format="json"))


@pytest.mark.parametrize("token", [123, True, None, ["t"], {"t": 1}, "", "  "], ids=repr)
def test_the_second_login_step_refuses_a_malformed_token(user, token):
    body = assert_400(
        APIClient().post(LOGIN_MFA, json.dumps({"mfa_token": token, "code": "123456"}), content_type="application/json")
    )
    assert body["errors"][0]["attr"] == "mfa_token"


@pytest.mark.parametrize("missing", ["mfa_token", "code"])
def test_the_second_login_step_needs_both_fields(user, missing):
    body = {"mfa_token": "t" * 43, "code": "123456"}
    del body[missing]
    result = assert_400(APIClient().post(LOGIN_MFA, body, format="json"))
    assert result["errors"][0] == {"code": "required", "detail": "This field is required.", "attr": missing}


@pytest.mark.parametrize("path", [DISABLE, RECOVERY_CODES])
@pytest.mark.parametrize("code", BAD_CODES, ids=repr)
def test_code_checked_changes_refuse_a_malformed_code(user, client_for, path, code):
    mfa_turn_on(user)
    client = client_for(user)
    body = assert_400(client.post(path, json.dumps({"code": code}), content_type="application/json"))
    assert body["errors"][0]["attr"] == "code"
    user.refresh_from_db()
    assert user.mfa_enabled


@pytest.mark.parametrize("path", [TOTP])
@pytest.mark.parametrize("password", BAD_PASSWORDS, ids=repr)
def test_password_endpoints_refuse_a_malformed_password(user, client_for, path, password):
    mfa_turn_on(user)
    client = client_for(user)
    body = assert_400(client.post(path, json.dumps({"password": password}), content_type="application/json"))
    assert body["errors"][0]["attr"] == "password"
    user.refresh_from_db()
    assert user.mfa_enabled


@pytest.mark.parametrize("path", [TOTP, TOTP_CONFIRM, DISABLE, RECOVERY_CODES, LOGIN_MFA])
@pytest.mark.parametrize("raw", ["{}", "[]", '"text"', "123", "null", "{not json"], ids=repr)
def test_every_endpoint_refuses_bodies_that_are_no_object_or_miss_fields(user, client_for, path, raw):
    client = APIClient() if path == LOGIN_MFA else client_for(user)
    response = client.post(path, raw, content_type="application/json")
    assert_400(response)

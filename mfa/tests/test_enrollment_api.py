"""auth/mfa/...: set up, confirm, turn off, replace the recovery codes."""

import uuid
from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.sessions import session_start
from accounts.tests.conftest import me_status
from accounts.tests.factories import PASSWORD
from apikeys.services import api_key_create
from audit.models import Event, SecurityEvent
from mfa import recovery_codes
from mfa.models import Authenticator, RecoveryCode
from mfa.tests.conftest import (
    DISABLE,
    RECOVERY_CODES,
    TOTP,
    TOTP_CONFIRM,
    code_now,
    mfa_turn_on,
    unused_code,
    wrong_code,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> tuple[APIClient, str, uuid.UUID]:
    pair = session_start(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    return client, str(pair.access), uuid.UUID(hex=pair.access["sid"])


def enroll(client) -> dict:
    response = client.post(TOTP, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response.json()


def test_setting_up_returns_a_secret_its_url_and_qr_code_and_two_factor_stays_off(user, settings):
    settings.MFA_ISSUER = "Example Shop"
    client, _, _ = signed_in(user)
    body = enroll(client)
    assert set(body) == {"secret", "otpauth_url", "qr_svg"}
    assert body["otpauth_url"].startswith(f"otpauth://totp/Example%20Shop:{user.username}?")
    assert f"secret={body['secret']}" in body["otpauth_url"]
    assert body["qr_svg"].startswith("<svg")
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert Authenticator.objects.get(user=user).confirmed_at is None


def test_setting_up_again_replaces_the_unconfirmed_authenticator(user):
    client, _, _ = signed_in(user)
    first, second = enroll(client), enroll(client)
    assert first["secret"] != second["secret"]
    assert Authenticator.objects.filter(user=user).count() == 1
    stale = client.post(TOTP_CONFIRM, {"code": code_now(first["secret"])})
    assert stale.status_code == HTTPStatus.BAD_REQUEST
    assert client.post(TOTP_CONFIRM, {"code": code_now(second["secret"])}).status_code == HTTPStatus.OK


def test_confirming_turns_two_factor_on_and_shows_ten_recovery_codes_once(user):
    client, _, _ = signed_in(user)
    secret = enroll(client)["secret"]
    response = client.post(TOTP_CONFIRM, {"code": code_now(secret)})
    assert response.status_code == HTTPStatus.OK, response.content
    codes = response.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    user.refresh_from_db()
    assert user.mfa_enabled
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {recovery_codes.code_hash(code) for code in codes}
    assert not stored & set(codes)
    event = SecurityEvent.objects.get(event=Event.MFA_ENABLED)
    assert (event.user, event.actor) == (user, user)


def test_a_code_with_a_space_in_the_middle_is_accepted(user):
    client, _, _ = signed_in(user)
    code = code_now(enroll(client)["secret"])
    assert client.post(TOTP_CONFIRM, {"code": f"{code[:3]} {code[3:]}"}).status_code == HTTPStatus.OK


def test_a_wrong_code_does_not_confirm(user):
    client, _, _ = signed_in(user)
    secret = enroll(client)["secret"]
    wrong = f"{(int(code_now(secret)) + 1) % 1_000_000:06d}"
    response = client.post(TOTP_CONFIRM, {"code": wrong})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0] == {"code": "wrong_code", "detail": "The code is not correct.", "attr": "code"}
    user.refresh_from_db()
    assert not user.mfa_enabled


def test_confirming_without_an_authenticator_is_a_400(user):
    client, _, _ = signed_in(user)
    response = client.post(TOTP_CONFIRM, {"code": "123456"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "no_pending_authenticator"


def test_setting_up_with_two_factor_already_on_is_a_400(user):
    mfa_turn_on(user)
    client, _, _ = signed_in(user)
    response = client.post(TOTP, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "already_enabled"
    assert Authenticator.objects.get(user=user).confirmed_at is not None


@pytest.mark.parametrize("path", [DISABLE, RECOVERY_CODES])
def test_the_password_alone_does_not_change_two_factor(user, path):
    mfa_turn_on(user)
    client, _, _ = signed_in(user)
    response = client.post(path, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0] == {"code": "required", "detail": "This field is required.", "attr": "code"}
    user.refresh_from_db()
    assert user.mfa_enabled


@pytest.mark.parametrize("path", [DISABLE, RECOVERY_CODES])
def test_a_wrong_code_is_a_400_on_code_and_recorded(user, path):
    mfa = mfa_turn_on(user)
    client, _, _ = signed_in(user)
    response = client.post(path, {"code": wrong_code(mfa.secret)})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "code"
    assert response.json()["errors"][0]["code"] == "wrong_code"
    user.refresh_from_db()
    assert user.mfa_enabled
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=True).count() == 10
    assert SecurityEvent.objects.filter(event=Event.MFA_FAILED, user=user).exists()


@pytest.mark.parametrize("path", [DISABLE, RECOVERY_CODES])
def test_a_recovery_code_also_does(user, path):
    mfa = mfa_turn_on(user)
    client, _, _ = signed_in(user)
    response = client.post(path, {"code": mfa.recovery_codes[0]})
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NO_CONTENT), response.content


@pytest.mark.parametrize("path", [TOTP])
def test_a_wrong_password_is_a_400_on_password(user, path):
    mfa_turn_on(user)
    client, _, _ = signed_in(user)
    response = client.post(path, {"password": "not-the-password"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "password"
    assert response.json()["errors"][0]["code"] == "wrong_password"
    user.refresh_from_db()
    assert user.mfa_enabled


def test_turning_two_factor_on_ends_every_other_session_but_not_the_callers(user):
    other_access = str(session_start(user=user).access)
    client, access, sid = signed_in(user)
    secret = enroll(client)["secret"]
    assert client.post(TOTP_CONFIRM, {"code": code_now(secret)}).status_code == HTTPStatus.OK
    assert me_status(access) == HTTPStatus.OK
    assert me_status(other_access) == HTTPStatus.UNAUTHORIZED
    assert list(LoginSession.objects.filter(user=user, ended_at__isnull=True).values_list("sid", flat=True)) == [sid]


def test_turning_two_factor_off_deletes_everything_and_ends_the_other_sessions(user):
    mfa = mfa_turn_on(user)
    other_access = str(session_start(user=user).access)
    client, access, _ = signed_in(user)
    response = client.post(DISABLE, {"code": unused_code(mfa)})
    assert response.status_code == HTTPStatus.NO_CONTENT
    user.refresh_from_db()
    assert not user.mfa_enabled
    assert not Authenticator.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert me_status(access) == HTTPStatus.OK
    assert me_status(other_access) == HTTPStatus.UNAUTHORIZED
    event = SecurityEvent.objects.get(event=Event.MFA_DISABLED)
    assert (event.user, event.actor) == (user, user)


def test_turning_off_what_is_not_on_is_a_400(user):
    client, _, _ = signed_in(user)
    response = client.post(DISABLE, {"code": "123456"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "not_enabled"


def test_new_recovery_codes_replace_the_old_set(user):
    mfa = mfa_turn_on(user)
    old = mfa.recovery_codes
    client, _, _ = signed_in(user)
    response = client.post(RECOVERY_CODES, {"code": unused_code(mfa)})
    assert response.status_code == HTTPStatus.OK
    new = response.json()["recovery_codes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert stored == {recovery_codes.code_hash(code) for code in new}
    assert SecurityEvent.objects.filter(event=Event.RECOVERY_CODES_REGENERATED, user=user, actor=user).exists()


def test_new_recovery_codes_need_two_factor_on(user):
    client, _, _ = signed_in(user)
    response = client.post(RECOVERY_CODES, {"code": "123456"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "not_enabled"


@pytest.mark.parametrize("path", [TOTP, TOTP_CONFIRM, DISABLE, RECOVERY_CODES])
def test_signed_out_callers_get_a_401(api_client, path):
    response = api_client.post(path, {"password": PASSWORD})
    assert response.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("path", [TOTP, TOTP_CONFIRM, DISABLE, RECOVERY_CODES])
def test_an_api_key_cannot_manage_two_factor(user, path):
    _, key = api_key_create(owner=user, name="script", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = client.post(path, {"password": PASSWORD, "code": "123456"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Authenticator.objects.filter(user=user).exists()

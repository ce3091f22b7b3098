"""The second factor as a way to reauthenticate, and the amr of a two-factor login."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.models import LoginSession
from accounts.tests.test_reauthentication import REAUTHENTICATE, stale_access
from audit.models import Event, SecurityEvent
from mfa.models import RecoveryCode
from mfa.tests.conftest import LOGIN_MFA, login_first_step, unused_code, wrong_code

pytestmark = pytest.mark.django_db


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_a_two_factor_login_says_so_in_amr(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    body = APIClient().post(LOGIN_MFA, {"mfa_token": token, "code": unused_code(mfa_user)}).json()
    claims = UntypedToken(body["access"]).payload
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert LoginSession.objects.get(sid=claims["sid"]).amr == ["pwd", "otp", "mfa"]


def test_a_current_totp_code_reauthenticates(mfa_user):
    access, sid = stale_access(mfa_user.user)
    response = bearer(access).post(REAUTHENTICATE, {"code": unused_code(mfa_user)})
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["amr"] == ["otp"]
    assert LoginSession.objects.get(sid=sid).amr == ["otp"]


def test_the_same_totp_code_does_not_reauthenticate_twice(mfa_user):
    access, _ = stale_access(mfa_user.user)
    code = unused_code(mfa_user)
    assert bearer(access).post(REAUTHENTICATE, {"code": code}).status_code == HTTPStatus.OK
    again = bearer(access).post(REAUTHENTICATE, {"code": code})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["errors"][0]["code"] == "wrong_code"


def test_a_recovery_code_reauthenticates_once(mfa_user):
    access, _ = stale_access(mfa_user.user)
    code = mfa_user.recovery_codes[0]
    assert bearer(access).post(REAUTHENTICATE, {"code": code}).status_code == HTTPStatus.OK
    assert RecoveryCode.objects.filter(user=mfa_user.user, used_at__isnull=False).count() == 1
    assert SecurityEvent.objects.filter(event=Event.RECOVERY_CODE_USED, detail__via="reauthenticate").exists()
    assert bearer(access).post(REAUTHENTICATE, {"code": code}).status_code == HTTPStatus.BAD_REQUEST


def test_a_wrong_code_is_a_400_on_code(mfa_user):
    access, _ = stale_access(mfa_user.user)
    response = bearer(access).post(REAUTHENTICATE, {"code": wrong_code(mfa_user.secret)})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "code"
    assert response.json()["errors"][0]["code"] == "wrong_code"
    assert SecurityEvent.objects.filter(event=Event.REAUTHENTICATION_FAILED, detail__factor="code").exists()

"""Passwordless login with a passkey: the same tokens and session as a password login, two factors, no code step."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import UntypedToken

from accounts.models import LoginSession
from audit.models import Event, SecurityEvent
from mfa.tests.conftest import mfa_turn_on
from passkeys.models import Passkey
from passkeys.tests.conftest import (
    LOGIN,
    ME,
    REGISTRATION_OPTIONS,
    SECOND_STEP_OPTIONS,
    assert_error,
    login_options,
    new_authenticator,
    options_of,
    passwordless,
)
from passkeys.uses import PASSWORDLESS_AMR

pytestmark = pytest.mark.django_db


def test_the_login_options_name_no_account_and_require_user_verification(settings):
    options = login_options()
    assert options["rpId"] == settings.WEBAUTHN_RP_ID
    assert options["userVerification"] == "required"
    assert not options.get("allowCredentials")


def test_a_passkey_logs_in_with_a_token_pair_and_a_session_of_two_factors(user, passkey_of, authenticator):
    passkey = passkey_of(user, authenticator)

    response = passwordless(authenticator)

    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type", "expires_in", "user", "password_change_recommended"}
    assert body["user"]["username"] == user.username
    access = UntypedToken(body["access"]).payload
    assert access["amr"] == list(PASSWORDLESS_AMR)
    session = LoginSession.objects.get(sid=access["sid"])
    assert session.user == user
    assert session.amr == list(PASSWORDLESS_AMR)
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert me.get(ME).json()["username"] == user.username
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    used = SecurityEvent.objects.get(event=Event.PASSKEY_USED)
    assert used.user == user
    assert used.detail["purpose"] == "login"
    assert used.detail["user_verified"] is True
    login = SecurityEvent.objects.get(event=Event.LOGIN_SUCCEEDED, detail__method="passkey")
    assert login.detail["passkey"] == passkey.pk


def test_a_user_with_two_factor_on_gets_no_code_step_from_a_passkey(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    mfa_turn_on(user)

    response = passwordless(authenticator)
    assert response.status_code == HTTPStatus.OK, response.content
    assert "access" in response.json()


def test_a_passkey_without_user_verification_cannot_log_in_alone(user, passkey_of):
    authenticator = new_authenticator(user_verification=False)
    passkey_of(user, authenticator)

    assert_error(passwordless(authenticator), HTTPStatus.BAD_REQUEST, "user_verification_required", "credential")
    assert not LoginSession.objects.filter(user=user, amr=list(PASSWORDLESS_AMR)).exists()


@pytest.mark.parametrize(
    "flags", [{"resident_key": False}, {"user_verification": False}], ids=["not discoverable", "no UV at registration"]
)
def test_a_second_factor_only_passkey_cannot_log_in_alone_even_with_user_verification_now(user, passkey_of, flags):
    authenticator = new_authenticator(**flags)
    passkey_of(user, authenticator)
    authenticator.user_verification = True

    assert_error(passwordless(authenticator), HTTPStatus.BAD_REQUEST, "not_passwordless", "credential")
    assert not SecurityEvent.objects.filter(event=Event.PASSKEY_USED).exists()


def test_an_answer_is_accepted_once(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    options = login_options()
    answer = authenticator.get(options)
    assert APIClient().post(LOGIN, {"credential": answer}).status_code == HTTPStatus.OK

    replay = APIClient().post(LOGIN, {"credential": answer})
    assert_error(replay, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")


@pytest.mark.parametrize(
    ("get", "code"),
    [
        ({"origin": "https://evil.example"}, "origin_not_allowed"),
        ({"rp_id": "evil.example"}, "rp_id_mismatch"),
        ({"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "challenge_invalid"),
    ],
)
def test_a_refused_ceremony_is_a_400_with_its_code(user, passkey_of, authenticator, get, code):
    passkey_of(user, authenticator)
    assert_error(passwordless(authenticator, **get), HTTPStatus.BAD_REQUEST, code, "credential")


def test_a_removed_passkey_is_refused_like_a_wrong_password(user, passkey_of, authenticator):
    passkey_of(user, authenticator).delete()

    response = passwordless(authenticator)
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    assert response.json()["errors"][0]["code"] == "authentication_failed"
    assert SecurityEvent.objects.get(event=Event.LOGIN_FAILED).detail == {"reason": "unknown_passkey"}


def test_a_wrong_signature_is_refused_and_recorded_on_the_owner(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    impostor = new_authenticator(credential_id=authenticator.credential_id, user_handle=authenticator.user_handle)

    response = passwordless(impostor)
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    failed = SecurityEvent.objects.get(event=Event.LOGIN_FAILED)
    assert (failed.user, failed.detail) == (user, {"reason": "invalid_signature"})


def test_another_users_handle_is_refused(user, make_user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    authenticator.user_handle = b"someone else"
    assert passwordless(authenticator).status_code == HTTPStatus.UNAUTHORIZED


def test_a_counter_that_goes_back_is_refused_as_a_possible_clone(user, passkey_of):
    authenticator = new_authenticator(counter=10)
    passkey = passkey_of(user, authenticator)  # registered at 11
    assert passkey.sign_count == 11
    assert passwordless(authenticator, counter=12).status_code == HTTPStatus.OK

    response = passwordless(authenticator, counter=12)
    assert_error(response, HTTPStatus.BAD_REQUEST, "clone_suspected", "credential")
    suspected = SecurityEvent.objects.get(event=Event.PASSKEY_CLONE_SUSPECTED)
    assert suspected.user == user
    assert (suspected.detail["stored"], suspected.detail["received"]) == (12, 12)
    passkey.refresh_from_db()
    assert passkey.sign_count == 12


def test_an_authenticator_that_does_not_count_is_not_judged_by_its_counter(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    for _ in range(2):
        assert passwordless(authenticator, counter=0).status_code == HTTPStatus.OK


def test_each_use_records_the_backup_state(user, passkey_of):
    authenticator = new_authenticator(backup_eligible=True)
    passkey = passkey_of(user, authenticator)
    authenticator.backed_up = True
    assert passwordless(authenticator).status_code == HTTPStatus.OK
    passkey.refresh_from_db()
    assert passkey.backup_state is True
    assert SecurityEvent.objects.get(event=Event.PASSKEY_USED).detail["backup_state"] is True


def test_an_inactive_account_cannot_log_in_with_its_passkey(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    user.is_active = False
    user.save()
    assert passwordless(authenticator).status_code == HTTPStatus.UNAUTHORIZED


def test_mandatory_email_verification_applies_to_passkeys(user, passkey_of, authenticator, settings):
    passkey_of(user, authenticator)
    user.email_verified = False
    user.save()
    settings.EMAIL_VERIFICATION = "mandatory"
    assert_error(passwordless(authenticator), HTTPStatus.FORBIDDEN, "email_not_verified")


def test_a_registration_answer_is_not_a_login(user, client_for, authenticator):
    options = options_of(client_for(user).post(REGISTRATION_OPTIONS))
    response = APIClient().post(LOGIN, {"credential": authenticator.create(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "invalid", "credential")


def test_the_answer_to_a_second_step_challenge_cannot_log_in_alone(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    mfa_turn_on(user)
    first = APIClient().post(
        "/api/v1/auth/login/", {"username": user.username, "password": "correct-horse-battery-staple"}
    )
    options = options_of(APIClient().post(SECOND_STEP_OPTIONS, {"mfa_token": first.json()["mfa_token"]}))

    response = APIClient().post(LOGIN, {"credential": authenticator.get(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "challenge_invalid", "credential")


@pytest.mark.parametrize(
    "body", [{}, {"credential": None}, {"credential": []}, {"credential": {"id": 1}}, {"credential": {"a": "b"}}]
)
def test_bad_input_is_a_400(body):
    response = APIClient().post(LOGIN, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["errors"][0]["attr"] == "credential"


def test_the_passkey_row_is_never_shown_with_its_key_material(user, passkey_of, authenticator, client_for):
    passkey_of(user, authenticator)
    body = client_for(user).get("/api/v1/auth/passkeys/").json()["results"][0]
    assert not {"public_key", "credential_id", "user_handle", "sign_count"} & set(body)
    assert Passkey.objects.count() == 1


@pytest.mark.parametrize(
    ("part", "value", "status"),
    [
        ("signature", "AAAA", HTTPStatus.UNAUTHORIZED),
        ("authenticatorData", "AAAA", HTTPStatus.BAD_REQUEST),
        ("clientDataJSON", "e30", HTTPStatus.BAD_REQUEST),
        ("userHandle", "", HTTPStatus.UNAUTHORIZED),
    ],
)
def test_a_garbled_answer_is_refused_never_a_500(user, passkey_of, authenticator, part, value, status):
    passkey_of(user, authenticator)
    answer = authenticator.get(login_options())
    answer["response"][part] = value
    response = APIClient().post(LOGIN, {"credential": answer}, format="json")
    assert response.status_code == status, response.content


def test_an_api_key_cannot_manage_passkeys(user, passkey_of, authenticator):
    from apikeys.services import api_key_create

    passkey_of(user, authenticator)
    _, key = api_key_create(owner=user, name="script", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/auth/passkeys/").status_code == HTTPStatus.FORBIDDEN
    assert client.post("/api/v1/auth/passkeys/registration/options/").status_code == HTTPStatus.FORBIDDEN


def test_every_listed_origin_is_accepted_and_only_those(user, passkey_of, authenticator, settings):
    passkey_of(user, authenticator)
    settings.WEBAUTHN_ORIGINS = [*settings.WEBAUTHN_ORIGINS, "http://localhost:4000"]

    assert passwordless(authenticator, origin="http://localhost:4000").status_code == HTTPStatus.OK
    refused = passwordless(authenticator, origin="http://localhost:4001")
    assert_error(refused, HTTPStatus.BAD_REQUEST, "origin_not_allowed", "credential")


def test_a_passkey_of_another_rp_id_setting_is_refused(user, passkey_of, authenticator, settings):
    passkey_of(user, authenticator)
    settings.WEBAUTHN_RP_ID = "example.com"
    settings.WEBAUTHN_ORIGINS = ["https://app.example.com"]

    refused = passwordless(authenticator, origin="https://app.example.com")
    assert_error(refused, HTTPStatus.BAD_REQUEST, "rp_id_mismatch", "credential")

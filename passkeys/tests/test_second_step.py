"""A passkey as the second step of a password login (auth/login/mfa/ with `assertion`) for a user with two-factor on."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import UntypedToken

from audit.models import Event, SecurityEvent
from mfa.assertions import ASSERTION_LOGIN_AMR
from mfa.models import LoginChallenge
from mfa.tests.conftest import login_first_step, mfa_turn_on, unused_code
from passkeys.tests.conftest import LOGIN_MFA, SECOND_STEP_OPTIONS, assert_error, new_authenticator, options_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor_user(user, passkey_of, authenticator):
    """`user` with two-factor on and `authenticator` registered as a passkey."""
    passkey_of(user, authenticator)
    return mfa_turn_on(user)


def second_step(mfa_token: str, authenticator, **get):
    options = options_of(APIClient().post(SECOND_STEP_OPTIONS, {"mfa_token": mfa_token}))
    return APIClient().post(LOGIN_MFA, {"mfa_token": mfa_token, "assertion": authenticator.get(options, **get)})


def test_a_passkey_answers_the_second_step_of_a_password_login(two_factor_user, authenticator):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]

    response = second_step(mfa_token, authenticator)

    assert response.status_code == HTTPStatus.OK, response.content
    assert UntypedToken(response.json()["access"]).payload["amr"] == list(ASSERTION_LOGIN_AMR)
    login = SecurityEvent.objects.get(event=Event.LOGIN_SUCCEEDED)
    assert login.detail["second_factor"] == "passkey"
    assert SecurityEvent.objects.get(event=Event.PASSKEY_USED).detail["purpose"] == "second_step"
    assert LoginChallenge.objects.get().used_at is not None


def test_the_second_step_options_name_the_users_passkeys(two_factor_user, authenticator):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]
    options = options_of(APIClient().post(SECOND_STEP_OPTIONS, {"mfa_token": mfa_token}))
    assert len(options["allowCredentials"]) == 1
    assert options["userVerification"] == "preferred"


def test_a_passkey_without_user_verification_serves_as_a_second_factor(user, passkey_of):
    authenticator = new_authenticator(user_verification=False, resident_key=False)
    passkey_of(user, authenticator)
    mfa = mfa_turn_on(user)

    assert second_step(login_first_step(mfa.user)["mfa_token"], authenticator).status_code == HTTPStatus.OK


def test_a_code_still_answers_the_second_step(two_factor_user):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]
    response = APIClient().post(LOGIN_MFA, {"mfa_token": mfa_token, "code": unused_code(two_factor_user)})
    assert response.status_code == HTTPStatus.OK, response.content


def test_a_refused_assertion_is_a_400_on_assertion_and_counts_against_the_token(two_factor_user, authenticator):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]

    response = second_step(mfa_token, authenticator, origin="https://evil.example")

    assert_error(response, HTTPStatus.BAD_REQUEST, "origin_not_allowed", "assertion")
    assert LoginChallenge.objects.get().failures == 1
    assert SecurityEvent.objects.get(event=Event.MFA_FAILED).detail["reason"] == "origin_not_allowed"
    assert second_step(mfa_token, authenticator).status_code == HTTPStatus.OK, "the token lives on until 5 failures"


def test_another_users_passkey_does_not_answer(two_factor_user, make_user, passkey_of):
    stranger = new_authenticator()
    passkey_of(make_user(), stranger)
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]

    assert_error(second_step(mfa_token, stranger), HTTPStatus.BAD_REQUEST, "unknown_passkey", "assertion")


def test_an_answer_to_a_passwordless_challenge_does_not_answer_the_second_step(two_factor_user, authenticator):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]
    options = options_of(APIClient().post("/api/v1/auth/login/passkey/options/"))
    response = APIClient().post(LOGIN_MFA, {"mfa_token": mfa_token, "assertion": authenticator.get(options)})
    assert_error(response, HTTPStatus.BAD_REQUEST, "challenge_invalid", "assertion")


@pytest.mark.parametrize("token", ["not-a-live-token", "t" * 500])
def test_a_dead_mfa_token_gets_no_options(token):
    response = APIClient().post(SECOND_STEP_OPTIONS, {"mfa_token": token})
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content


@pytest.mark.parametrize("body", [{}, {"mfa_token": ""}, {"mfa_token": 5}])
def test_the_second_step_options_need_an_mfa_token(body):
    response = APIClient().post(SECOND_STEP_OPTIONS, body, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, response.json()["errors"][0]["code"], "mfa_token")


def test_a_user_without_a_passkey_gets_no_options(user):
    mfa = mfa_turn_on(user)
    response = APIClient().post(SECOND_STEP_OPTIONS, {"mfa_token": login_first_step(mfa.user)["mfa_token"]})
    assert_error(response, HTTPStatus.BAD_REQUEST, "no_passkey", "non_field_errors")


def test_a_passkey_does_not_turn_two_factor_on_so_a_password_alone_still_logs_in(user, passkey_of, authenticator):
    passkey_of(user, authenticator)
    user.refresh_from_db()
    assert user.mfa_enabled is False
    response = APIClient().post(
        "/api/v1/auth/login/", {"username": user.username, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("extra", "code", "attr"),
    [({}, "required", "code"), ({"code": "123456", "assertion": {"id": "x"}}, "one_factor", "non_field_errors")],
)
def test_the_second_step_takes_exactly_one_of_code_and_assertion(two_factor_user, extra, code, attr):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]
    response = APIClient().post(LOGIN_MFA, {"mfa_token": mfa_token, **extra}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, code, attr)


def test_a_malformed_assertion_is_a_400(two_factor_user):
    mfa_token = login_first_step(two_factor_user.user)["mfa_token"]
    response = APIClient().post(LOGIN_MFA, {"mfa_token": mfa_token, "assertion": {"id": "x"}}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, "invalid", "assertion")

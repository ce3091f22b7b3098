"""Login in two steps for a user with two-factor on: auth/login/ -> 202, auth/login/mfa/ -> the login's body."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.sessions import session_start
from accounts.tests.conftest import ME, REFRESH, assert_unauthorized, bearer
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from mfa.models import LoginChallenge, RecoveryCode
from mfa.tests.conftest import LOGIN, LOGIN_MFA, code_now, login_first_step, unused_code, wrong_code

pytestmark = pytest.mark.django_db


def second_step(mfa_token: str, code: str, client: APIClient | None = None):
    return (client or APIClient()).post(LOGIN_MFA, {"mfa_token": mfa_token, "code": code})


def test_a_right_password_answers_202_with_an_mfa_token_and_no_tokens(mfa_user):
    body = login_first_step(mfa_user.user)
    assert set(body) == {"mfa_required", "mfa_token", "expires_in"}
    assert body["mfa_required"] is True
    assert body["expires_in"] == 300
    assert not SecurityEvent.objects.filter(event=Event.LOGIN_SUCCEEDED).exists()
    assert not LoginSession.objects.filter(user=mfa_user.user).exists()


def test_the_mfa_token_is_stored_only_as_a_hash(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    challenge = LoginChallenge.objects.get(user=mfa_user.user)
    assert challenge.token_hash != token
    assert token not in challenge.token_hash


def test_a_wrong_password_is_still_a_401_without_a_token(mfa_user, api_client):
    response = api_client.post(LOGIN, {"username": mfa_user.user.username, "password": "wrong-password-here"})
    assert_unauthorized(response)
    assert not LoginChallenge.objects.exists()


def test_a_current_code_completes_the_login_with_the_body_of_a_normal_login(mfa_user, user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    response = second_step(token, unused_code(mfa_user))
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert set(body) == {"access", "refresh", "token_type", "expires_in", "user", "password_change_recommended"}
    assert body["token_type"] == "Bearer"
    assert body["user"]["mfa_enabled"] is True
    assert bearer(body["access"]).get(ME).status_code == HTTPStatus.OK
    assert APIClient().post(REFRESH, {"refresh": body["refresh"]}).status_code == HTTPStatus.OK
    event = SecurityEvent.objects.get(event=Event.LOGIN_SUCCEEDED)
    assert event.detail["second_factor"] == "totp"
    assert LoginSession.objects.filter(user=user, sid=event.detail["session"]).exists()


def test_the_login_body_matches_a_plain_users_login_key_for_key(mfa_user, make_user):
    plain = make_user()
    plain_body = APIClient().post(LOGIN, {"username": plain.username, "password": PASSWORD}).json()
    token = login_first_step(mfa_user.user)["mfa_token"]
    body = second_step(token, unused_code(mfa_user)).json()
    assert set(body) == set(plain_body)
    assert set(body["user"]) == set(plain_body["user"])
    assert body["expires_in"] == plain_body["expires_in"]


def test_a_code_with_a_space_in_the_middle_is_accepted(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    code = unused_code(mfa_user)
    assert second_step(token, f"{code[:3]} {code[3:]}").status_code == HTTPStatus.OK


def test_the_mfa_token_works_once(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(token, unused_code(mfa_user)).status_code == HTTPStatus.OK
    assert_unauthorized(second_step(token, mfa_user.recovery_codes[0]))


def test_an_accepted_code_cannot_be_replayed_in_another_login(mfa_user):
    code = unused_code(mfa_user)
    first = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(first, code).status_code == HTTPStatus.OK
    second = login_first_step(mfa_user.user)["mfa_token"]
    response = second_step(second, code)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "code"


def test_the_code_that_confirmed_the_authenticator_cannot_log_in(mfa_user):
    # The confirming code was of the current step: it and the steps before it are spent.
    token = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(token, code_now(mfa_user.secret)).status_code == HTTPStatus.BAD_REQUEST
    assert second_step(token, code_now(mfa_user.secret, offset_steps=-1)).status_code == HTTPStatus.BAD_REQUEST


def test_a_wrong_code_is_a_400_on_code_and_records_mfa_failed(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    response = second_step(token, wrong_code(mfa_user.secret))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == [{"code": "wrong_code", "detail": "The code is not correct.", "attr": "code"}]
    event = SecurityEvent.objects.get(event=Event.MFA_FAILED)
    assert event.user == mfa_user.user
    assert event.detail == {"reason": "wrong_code", "attempt": 1}
    assert second_step(token, unused_code(mfa_user)).status_code == HTTPStatus.OK


def test_the_fifth_wrong_code_is_a_400_and_then_the_token_is_dead(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    wrong = wrong_code(mfa_user.secret)
    statuses = [second_step(token, wrong).status_code for _ in range(5)]
    assert statuses == [HTTPStatus.BAD_REQUEST] * 5
    assert SecurityEvent.objects.filter(event=Event.MFA_FAILED).count() == 5
    assert_unauthorized(second_step(token, unused_code(mfa_user)))
    assert_unauthorized(second_step(token, mfa_user.recovery_codes[0]))
    assert not SecurityEvent.objects.filter(event=Event.LOGIN_SUCCEEDED).exists()
    # A new login starts a new count.
    fresh = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(fresh, unused_code(mfa_user)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("token", ["", "x", "not-a-real-token-" * 3, "A" * 43])
def test_a_bad_mfa_token_is_a_401(mfa_user, token):
    response = APIClient().post(LOGIN_MFA, {"mfa_token": token, "code": "123456"}, format="json")
    if token == "":
        assert response.status_code == HTTPStatus.BAD_REQUEST  # blank: a missing field
    else:
        assert_unauthorized(response)


@pytest.mark.parametrize("length", [129, 5000])
def test_an_mfa_token_of_any_length_that_is_not_live_is_a_401(mfa_user, length):
    response = APIClient().post(LOGIN_MFA, {"mfa_token": "A" * length, "code": "123456"}, format="json")
    assert_unauthorized(response)


def test_an_access_token_sent_as_mfa_token_is_a_401(mfa_user, make_user):
    access = str(session_start(user=make_user()).access)
    mfa_token = login_first_step(mfa_user.user)["mfa_token"]
    assert len(access) > len(mfa_token)
    assert_unauthorized(APIClient().post(LOGIN_MFA, {"mfa_token": access, "code": "123456"}, format="json"))


def test_an_expired_mfa_token_is_a_401(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    LoginChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_unauthorized(second_step(token, unused_code(mfa_user)))


def test_the_mfa_token_lives_five_minutes(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    challenge = LoginChallenge.objects.get()
    assert challenge.expires_at - challenge.created_at == timedelta(minutes=5)
    assert second_step(token, unused_code(mfa_user)).status_code == HTTPStatus.OK


def test_a_user_deactivated_between_the_steps_gets_a_401(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    mfa_user.user.is_active = False
    mfa_user.user.save(update_fields=["is_active"])
    assert_unauthorized(second_step(token, unused_code(mfa_user)))
    assert not LoginSession.objects.filter(user=mfa_user.user).exists()


def test_two_factor_turned_off_between_the_steps_kills_the_token(mfa_user):
    from mfa.services import mfa_disable

    token = login_first_step(mfa_user.user)["mfa_token"]
    mfa_disable(user=mfa_user.user, actor=None)
    assert_unauthorized(second_step(token, unused_code(mfa_user)))


def test_mandatory_verification_refuses_an_unverified_user_before_the_second_step(mfa_user, settings, api_client):
    settings.EMAIL_VERIFICATION = "mandatory"
    mfa_user.user.email_verified = False
    mfa_user.user.save(update_fields=["email_verified"])
    response = api_client.post(LOGIN, {"username": mfa_user.user.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["errors"][0]["code"] == "email_not_verified"
    assert not LoginChallenge.objects.exists()


def test_mandatory_verification_applies_again_at_the_second_step(mfa_user, settings):
    settings.EMAIL_VERIFICATION = "mandatory"
    mfa_user.user.email_verified = True
    mfa_user.user.save(update_fields=["email_verified"])
    token = login_first_step(mfa_user.user)["mfa_token"]
    mfa_user.user.email_verified = False  # e.g. staff typed a new address meanwhile
    mfa_user.user.save(update_fields=["email_verified"])
    response = second_step(token, unused_code(mfa_user))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not SecurityEvent.objects.filter(event=Event.LOGIN_SUCCEEDED).exists()


def test_a_recovery_code_logs_in_once(mfa_user):
    code = mfa_user.recovery_codes[3]
    token = login_first_step(mfa_user.user)["mfa_token"]
    response = second_step(token, code.upper())  # any case
    assert response.status_code == HTTPStatus.OK, response.content
    used = SecurityEvent.objects.get(event=Event.RECOVERY_CODE_USED)
    assert (used.user, used.actor, used.detail) == (mfa_user.user, mfa_user.user, {"remaining": 9})
    assert SecurityEvent.objects.get(event=Event.LOGIN_SUCCEEDED).detail["second_factor"] == "recovery_code"
    again = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(again, code).status_code == HTTPStatus.BAD_REQUEST
    assert RecoveryCode.objects.filter(user=mfa_user.user, used_at__isnull=False).count() == 1


def test_a_recovery_code_without_its_hyphen_works(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(token, mfa_user.recovery_codes[0].replace("-", "")).status_code == HTTPStatus.OK


def test_a_replaced_recovery_code_no_longer_works(mfa_user):
    from mfa.services import recovery_codes_regenerate
    from mfa.tests.conftest import unused_code

    recovery_codes_regenerate(user=mfa_user.user, code=unused_code(mfa_user))
    token = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(token, mfa_user.recovery_codes[0]).status_code == HTTPStatus.BAD_REQUEST


def test_someone_elses_recovery_code_does_not_work(mfa_user, make_user):
    from mfa.tests.conftest import mfa_turn_on

    other = mfa_turn_on(make_user())
    token = login_first_step(mfa_user.user)["mfa_token"]
    assert second_step(token, other.recovery_codes[0]).status_code == HTTPStatus.BAD_REQUEST


# --- the mfa_token is no access or refresh token --------------------------------------------------------

BEARER_TARGETS = [
    ("get", "/api/v1/auth/me/"),
    ("patch", "/api/v1/auth/me/"),
    ("get", "/api/v1/posts/"),
    ("post", "/api/v1/posts/"),
    ("get", "/api/v1/products/"),
    ("post", "/api/v1/products/"),
    ("get", "/api/v1/users/"),
    ("patch", "/api/v1/users/{user}/"),
    ("get", "/api/v1/audit-events/"),
    ("get", "/api/v1/auth/events/"),
    ("get", "/api/v1/auth/sessions/"),
    ("delete", "/api/v1/auth/sessions/{sid}/"),
    ("post", "/api/v1/auth/logout-all/"),
    ("post", "/api/v1/auth/mfa/totp/"),
    ("post", "/api/v1/auth/mfa/disable/"),
    ("get", "/api/v1/auth/api-keys/"),
    ("post", "/api/v1/auth/api-keys/"),
]


@pytest.mark.parametrize(("method", "path"), BEARER_TARGETS)
def test_the_mfa_token_is_no_bearer_token_anywhere(mfa_user, method, path):
    from accounts.models import Role

    mfa_user.user.role = Role.ADMIN
    mfa_user.user.save()
    token = login_first_step(mfa_user.user)["mfa_token"]
    url = path.format(user=mfa_user.user.pk, sid="0" * 32)
    response = getattr(bearer(token), method)(url, {"title": "x", "body": "y", "password": PASSWORD}, format="json")
    assert response.status_code == HTTPStatus.UNAUTHORIZED, (path, response.status_code)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_mfa_token_is_no_refresh_token(mfa_user):
    token = login_first_step(mfa_user.user)["mfa_token"]
    assert_unauthorized(APIClient().post(REFRESH, {"refresh": token}))


def test_the_mfa_token_cannot_log_out_a_session(mfa_user, client_for):
    token = login_first_step(mfa_user.user)["mfa_token"]
    response = client_for(mfa_user.user).post("/api/v1/auth/logout/", {"refresh": token})
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED)
    assert not LoginSession.objects.filter(user=mfa_user.user, ended_at__isnull=False).exists()
    assert_unauthorized(bearer(token).post("/api/v1/auth/logout/", {"refresh": token}))
    # ...and it still works for what it is for.
    assert second_step(token, unused_code(mfa_user)).status_code == HTTPStatus.OK


# --- throttling ---------------------------------------------------------------------------------------


@pytest.fixture
def tight_login_rate(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "login": "3/min"}}
    cache.clear()
    yield
    cache.clear()


def test_both_login_steps_count_against_the_same_login_throttle(mfa_user, tight_login_rate):
    client = APIClient()
    token = login_first_step(mfa_user.user, client)["mfa_token"]  # 1
    wrong = wrong_code(mfa_user.secret)
    assert second_step(token, wrong, client).status_code == HTTPStatus.BAD_REQUEST  # 2
    assert second_step(token, wrong, client).status_code == HTTPStatus.BAD_REQUEST  # 3
    over = second_step(token, unused_code(mfa_user), client)
    assert over.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Retry-After" in over
    assert client.post(LOGIN, {"username": "x", "password": "y"}).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_second_step_is_also_under_the_anonymous_throttle(mfa_user, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "anon": "1/min"}}
    cache.clear()
    try:
        client = APIClient()
        assert second_step("x" * 43, "123456", client).status_code == HTTPStatus.UNAUTHORIZED
        assert second_step("x" * 43, "123456", client).status_code == HTTPStatus.TOO_MANY_REQUESTS
    finally:
        cache.clear()


def test_the_daily_purge_deletes_expired_challenges_only(mfa_user):
    from mfa.tasks import purge_login_challenges

    login_first_step(mfa_user.user)
    live = login_first_step(mfa_user.user)["mfa_token"]
    LoginChallenge.objects.filter(pk=LoginChallenge.objects.order_by("pk").first().pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert purge_login_challenges.apply().get() == 1
    assert LoginChallenge.objects.count() == 1
    assert second_step(live, unused_code(mfa_user)).status_code == HTTPStatus.OK

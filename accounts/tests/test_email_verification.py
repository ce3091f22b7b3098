"""Email verification: at registration, on request (signed in or not), mandatory mode, createsuperuser."""

import io
import time
from http import HTTPStatus

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command

from accounts.email_verification import NOTHING_TO_VERIFY, TOKEN_INVALID
from accounts.mail_tokens import email_verification_token, password_reset_token
from accounts.models import User
from accounts.sessions import EMAIL_NOT_VERIFIED
from accounts.tests.conftest import EMAIL_VERIFY, EMAIL_VERIFY_RESEND, LOGIN, REGISTER, bearer, mailed_token
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

NEWBIE = {"username": "newbie", "email": "Newbie@Example.com", "password": "a-long-unusual-passphrase"}


@pytest.fixture(autouse=True)
def _fresh_mail_limits():
    cache.clear()
    yield
    cache.clear()


def register(api_client, run_jobs) -> tuple[User, str]:
    with run_jobs():
        assert api_client.post(REGISTER, NEWBIE).status_code == HTTPStatus.CREATED
    [message] = mail.outbox
    return User.objects.get(username="newbie"), mailed_token(message, to="newbie@example.com")


def verify(api_client, token):
    return api_client.post(EMAIL_VERIFY, {"token": token})


def assert_token_refused(response) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["errors"] == [{"code": "invalid", "detail": TOKEN_INVALID, "attr": "token"}]


def test_registration_mails_a_verification_link(api_client, run_jobs, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    user, token = register(api_client, run_jobs)
    assert not user.email_verified
    [message] = mail.outbox
    assert message.subject == "Verify your email address"
    assert f"https://app.example.com/verify-email?token={token}\n" in message.body


def test_the_token_verifies_the_email_for_anyone_once(api_client, run_jobs):
    user, token = register(api_client, run_jobs)
    response = verify(api_client, token)
    assert response.status_code == HTTPStatus.OK
    assert (response.json()["id"], response.json()["email_verified"]) == (user.pk, True)
    user.refresh_from_db()
    assert user.email_verified
    event = SecurityEvent.objects.get(event=Event.EMAIL_VERIFIED)
    assert (event.user_id, event.actor_id, event.detail) == (user.pk, user.pk, {"email": "newbie@example.com"})
    assert_token_refused(verify(api_client, token))


def test_a_stale_bearer_token_does_not_get_in_the_way_of_verifying(api_client, run_jobs):
    _, token = register(api_client, run_jobs)
    assert bearer("not.a.jwt").post(EMAIL_VERIFY, {"token": token}).status_code == HTTPStatus.OK


def test_the_token_expires_after_three_days(api_client, run_jobs, monkeypatch):
    _, token = register(api_client, run_jobs)
    later = time.time() + 3 * 24 * 3600 + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert_token_refused(verify(api_client, token))


@pytest.mark.parametrize(
    "make_bad",
    [
        lambda token, user: token[:-3],
        lambda token, user: token[:10],
        lambda token, user: token.replace(":", ".", 1),
        lambda token, user: password_reset_token.make(user),
        lambda token, user: signing.dumps([user.pk, "f" * 32], salt="accounts.email_verification"),
        lambda token, user: signing.dumps([user.pk + 1, "f" * 32], salt="accounts.email_verification"),
        lambda token, user: "",
        lambda token, user: "🙂" * 10,
    ],
    ids=["truncated", "prefix", "mangled", "a-reset-token", "forged-state", "other-user", "empty", "emoji"],
)
def test_malformed_truncated_and_foreign_tokens_are_400_and_change_nothing(api_client, run_jobs, make_bad):
    user, token = register(api_client, run_jobs)
    response = verify(api_client, make_bad(token, user))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "token"
    user.refresh_from_db()
    assert not user.email_verified
    assert verify(api_client, token).status_code == HTTPStatus.OK


@pytest.mark.parametrize("body", [{}, {"token": None}, {"token": 5}, {"token": ["x"]}, {"token": "x" * 600}])
def test_a_missing_or_wrongly_typed_token_is_400(api_client, body):
    response = api_client.post(EMAIL_VERIFY, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "token"


# --- resend -------------------------------------------------------------------------------------


def test_a_signed_in_user_gets_a_fresh_link_that_works(run_jobs, user, client_for, api_client):
    with run_jobs():
        response = client_for(user).post(EMAIL_VERIFY_RESEND)
    assert response.status_code == HTTPStatus.ACCEPTED
    assert verify(api_client, mailed_token(mail.outbox[0], to=user.email)).status_code == HTTPStatus.OK


def test_an_already_verified_caller_is_told_so(user, client_for):
    user.email_verified = True
    user.save()
    response = client_for(user).post(EMAIL_VERIFY_RESEND, {})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == [
        {"code": "already_verified", "detail": NOTHING_TO_VERIFY, "attr": "non_field_errors"}
    ]


def test_a_signed_in_caller_gets_at_most_three_an_hour_then_429_with_retry_after(run_jobs, user, client_for):
    client = client_for(user)
    with run_jobs():
        statuses = [client.post(EMAIL_VERIFY_RESEND).status_code for _ in range(3)]
        over = client.post(EMAIL_VERIFY_RESEND)
    assert statuses == [HTTPStatus.ACCEPTED] * 3
    assert over.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 3500 < int(over["Retry-After"]) <= 3600
    assert over.json()["errors"][0]["code"] == "throttled"
    assert len(mail.outbox) == 3


def test_anyone_may_ask_for_an_unverified_accounts_link_with_its_email(api_client, run_jobs, user):
    with run_jobs():
        response = api_client.post(EMAIL_VERIFY_RESEND, {"email": user.email.upper()})
    assert response.status_code == HTTPStatus.ACCEPTED
    assert verify(api_client, mailed_token(mail.outbox[0], to=user.email)).status_code == HTTPStatus.OK


def test_anyone_gets_the_same_answer_and_no_mail_for_other_addresses(api_client, run_jobs, make_user):
    verified = make_user(email_verified=True)
    make_user(pending_email="wanted@example.com")
    unverified = make_user()
    with run_jobs():
        answers = {
            api_client.post(EMAIL_VERIFY_RESEND, {"email": email}).content
            for email in (verified.email, "wanted@example.com", "nobody@example.com", unverified.email)
        }
    assert len(answers) == 1
    assert [m.to for m in mail.outbox] == [[unverified.email]]


def test_anyone_asking_past_three_an_hour_gets_a_silent_202(api_client, run_jobs, user):
    with run_jobs():
        statuses = {api_client.post(EMAIL_VERIFY_RESEND, {"email": user.email}).status_code for _ in range(5)}
    assert statuses == {HTTPStatus.ACCEPTED}
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "required"), ({"email": "nope"}, "invalid"), ({"email": 1}, "invalid"), ({"email": None}, "null")],
)
def test_without_a_bearer_token_a_valid_email_is_required(api_client, body, code):
    response = api_client.post(EMAIL_VERIFY_RESEND, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "email"
    assert response.json()["errors"][0]["code"] == code


def test_a_bad_bearer_token_is_401_not_an_anonymous_request(api_client):
    response = bearer("not.a.jwt").post(EMAIL_VERIFY_RESEND, {"email": "someone@example.com"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED


# --- mandatory verification -----------------------------------------------------------------------


def login_response(api_client, user, password=PASSWORD):
    return api_client.post(LOGIN, {"username": user.username, "password": password})


def test_mandatory_refuses_a_right_password_with_403_and_no_tokens(api_client, user, settings):
    settings.EMAIL_VERIFICATION = "mandatory"
    response = login_response(api_client, user)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "email_not_verified", "detail": EMAIL_NOT_VERIFIED, "attr": None}],
    }
    event = SecurityEvent.objects.get(event=Event.LOGIN_FAILED)
    assert event.detail == {"reason": "email_not_verified"}


def test_mandatory_still_answers_401_to_a_wrong_password(api_client, user, settings):
    settings.EMAIL_VERIFICATION = "mandatory"
    assert login_response(api_client, user, "wrong-password").status_code == HTTPStatus.UNAUTHORIZED


def test_mandatory_lets_a_verified_user_in(api_client, user, settings):
    settings.EMAIL_VERIFICATION = "mandatory"
    user.email_verified = True
    user.save()
    assert login_response(api_client, user).status_code == HTTPStatus.OK


def test_optional_lets_an_unverified_user_in(api_client, user, settings):
    settings.EMAIL_VERIFICATION = "optional"
    assert login_response(api_client, user).status_code == HTTPStatus.OK


def test_createsuperuser_accounts_count_as_verified(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-admin-passphrase-77")
    call_command("createsuperuser", "--noinput", username="root", email="root@example.com", stdout=io.StringIO())
    assert User.objects.get(username="root").email_verified


def test_demo_accounts_are_verified(db):
    call_command("load_demo", stdout=io.StringIO())
    assert set(User.objects.values_list("email_verified", flat=True)) == {True}


def test_the_verification_token_of_a_deactivated_account_is_refused(api_client, run_jobs):
    user, token = register(api_client, run_jobs)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert_token_refused(verify(api_client, token))


def test_the_token_finds_its_user_only_while_its_address_waits(make_user):
    user = make_user()
    token = email_verification_token.make(user)
    assert email_verification_token.user(token) == user
    user.email_verified = True
    user.save()
    assert email_verification_token.user(token) is None

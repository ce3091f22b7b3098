"""Password reset: an enumeration-safe request, a single-use token that expires, and every session ends."""

import time
from http import HTTPStatus

import pytest
from django.core import mail, signing
from django.core.cache import cache

from accounts.mail_tokens import email_verification_token, password_reset_token
from accounts.password_reset import RESET_REQUESTED, TOKEN_INVALID
from accounts.tests.conftest import (
    LOGIN,
    PASSWORD_CHANGE,
    PASSWORD_RESET,
    PASSWORD_RESET_CONFIRM,
    bearer,
    mailed_token,
    me_status,
    refresh_status,
)
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-unusual-passphrase-7"


@pytest.fixture(autouse=True)
def _fresh_mail_limits():
    # The per-address limit lives in the cache, which outlives a test's database transaction.
    cache.clear()
    yield
    cache.clear()


def request_reset(api_client, run_jobs, email: str):
    with run_jobs():
        response = api_client.post(PASSWORD_RESET, {"email": email})
    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    return response


def reset_token(api_client, run_jobs, user) -> str:
    request_reset(api_client, run_jobs, user.email)
    return mailed_token(mail.outbox[-1], to=user.email)


def confirm(api_client, token: str, new_password: str = NEW_PASSWORD):
    return api_client.post(PASSWORD_RESET_CONFIRM, {"token": token, "new_password": new_password})


def assert_token_refused(response) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["errors"] == [{"code": "invalid", "detail": TOKEN_INVALID, "attr": "token"}]


# --- the request ----------------------------------------------------------------------------------


def test_a_known_email_gets_a_mail_with_a_link_and_the_token(api_client, run_jobs, user, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    response = request_reset(api_client, run_jobs, user.email.upper())
    assert response.json() == {"detail": RESET_REQUESTED}
    [message] = mail.outbox
    token = mailed_token(message, to=user.email)
    assert f"https://app.example.com/reset-password?token={token}\n" in message.body
    assert message.subject == "Reset your password"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_an_unknown_email_gets_the_same_answer_and_nobody_gets_mail(api_client, run_jobs, user):
    known = request_reset(api_client, run_jobs, user.email)
    unknown = request_reset(api_client, run_jobs, "nobody@example.com")
    assert (unknown.status_code, unknown.content) == (known.status_code, known.content)
    assert [m.to for m in mail.outbox] == [[user.email]]


@pytest.mark.parametrize(
    "change",
    [lambda user: setattr(user, "is_active", False), lambda user: user.set_unusable_password()],
    ids=["inactive", "password-login-turned-off"],
)
def test_no_mail_for_an_inactive_account_or_one_without_password_login(api_client, run_jobs, user, change):
    change(user)
    user.save()
    request_reset(api_client, run_jobs, user.email)
    assert mail.outbox == []


def test_a_pending_address_receives_no_reset(api_client, run_jobs, user):
    user.pending_email = "new-address@example.com"
    user.save()
    request_reset(api_client, run_jobs, "new-address@example.com")
    assert mail.outbox == []


def test_the_request_is_recorded_without_a_user_for_an_unknown_email_and_never_the_token(api_client, run_jobs, user):
    request_reset(api_client, run_jobs, user.email)
    request_reset(api_client, run_jobs, "nobody@example.com")
    token = mailed_token(mail.outbox[0])
    events = SecurityEvent.objects.filter(event=Event.PASSWORD_RESET_REQUESTED).order_by("id")
    assert [(e.user_id, e.actor_id, e.detail) for e in events] == [(user.pk, None, {}), (None, None, {})]
    assert token not in str(list(events.values()))


def test_at_most_three_mails_per_address_and_hour_whoever_asks(api_client, run_jobs, user):
    answers = {request_reset(api_client, run_jobs, user.email).content for _ in range(3)}
    over = request_reset(api_client, run_jobs, user.email.upper())
    assert answers == {over.content}
    assert len(mail.outbox) == 3
    last = SecurityEvent.objects.filter(event=Event.PASSWORD_RESET_REQUESTED).latest("id")
    assert last.detail == {"over_limit": True}


def test_the_request_is_throttled_per_client_address(api_client, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_reset": "2/hour"},
    }
    statuses = [api_client.post(PASSWORD_RESET, {"email": f"x{i}@example.com"}).status_code for i in range(3)]
    assert statuses == [HTTPStatus.ACCEPTED, HTTPStatus.ACCEPTED, HTTPStatus.TOO_MANY_REQUESTS]
    other = api_client.post(PASSWORD_RESET, {"email": "y@example.com"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == HTTPStatus.ACCEPTED


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"email": "not-an-email"}, "invalid"),
        ({"email": ""}, "blank"),
        ({"email": None}, "null"),
        ({"email": ["a@example.com"]}, "invalid"),
        ({"email": 5}, "invalid"),
        ({"email": "a" * 250 + "@example.com"}, "max_length"),
    ],
)
def test_a_bad_email_is_400_and_queues_nothing(api_client, run_jobs, user, body, code):
    with run_jobs() as jobs:
        response = api_client.post(PASSWORD_RESET, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "email"
    assert response.json()["errors"][0]["code"] == code
    assert (jobs, mail.outbox) == ([], [])
    assert not SecurityEvent.objects.filter(event=Event.PASSWORD_RESET_REQUESTED).exists()


# --- the confirmation -----------------------------------------------------------------------------


def test_a_reset_sets_the_password_and_ends_every_session(api_client, run_jobs, user, login):
    sessions = [login(user), login(user)]
    token = reset_token(api_client, run_jobs, user)
    assert confirm(api_client, token).status_code == HTTPStatus.NO_CONTENT
    for tokens in sessions:
        assert me_status(tokens["access"]) == HTTPStatus.UNAUTHORIZED
        assert refresh_status(tokens["refresh"]) == HTTPStatus.UNAUTHORIZED
    assert api_client.post(LOGIN, {"username": user.username, "password": PASSWORD}).status_code == 401
    assert me_status(login(user, NEW_PASSWORD)["access"]) == HTTPStatus.OK


def test_a_reset_is_recorded_and_verifies_the_email(api_client, run_jobs, user):
    token = reset_token(api_client, run_jobs, user)
    confirm(api_client, token)
    user.refresh_from_db()
    assert user.email_verified
    completed = SecurityEvent.objects.get(event=Event.PASSWORD_RESET_COMPLETED)
    assert (completed.user_id, completed.actor_id) == (user.pk, user.pk)
    verified = SecurityEvent.objects.get(event=Event.EMAIL_VERIFIED)
    assert verified.detail == {"email": user.email, "via": "password_reset"}


def test_a_token_works_once(api_client, run_jobs, user):
    token = reset_token(api_client, run_jobs, user)
    assert confirm(api_client, token).status_code == HTTPStatus.NO_CONTENT
    assert_token_refused(confirm(api_client, token, "yet-another-passphrase-9"))


def test_every_outstanding_token_dies_with_the_first_one_used(api_client, run_jobs, user):
    first, second = reset_token(api_client, run_jobs, user), reset_token(api_client, run_jobs, user)
    assert confirm(api_client, second).status_code == HTTPStatus.NO_CONTENT
    assert_token_refused(confirm(api_client, first))


def test_a_password_change_by_another_route_kills_the_token(api_client, run_jobs, user, login):
    token = reset_token(api_client, run_jobs, user)
    change = {"old_password": PASSWORD, "new_password": "changed-the-usual-way-3"}
    assert bearer(login(user)["access"]).post(PASSWORD_CHANGE, change).status_code == HTTPStatus.NO_CONTENT
    assert_token_refused(confirm(api_client, token))


def test_logging_in_after_asking_kills_the_token(api_client, run_jobs, user, login):
    token = reset_token(api_client, run_jobs, user)
    time.sleep(1)  # last_login is compared to the second
    login(user)
    assert_token_refused(confirm(api_client, token))


def test_a_token_expires_after_the_configured_minutes(api_client, run_jobs, user, settings, monkeypatch):
    settings.PASSWORD_RESET_TIMEOUT = 60
    token = reset_token(api_client, run_jobs, user)
    later = time.time() + 61
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert_token_refused(confirm(api_client, token))


def test_a_deactivated_account_cannot_use_its_token(api_client, run_jobs, user):
    token = reset_token(api_client, run_jobs, user)
    user.is_active = False
    user.save()
    assert_token_refused(confirm(api_client, token))


def test_a_refused_new_password_keeps_the_token_usable(api_client, run_jobs, user):
    token = reset_token(api_client, run_jobs, user)
    response = confirm(api_client, token, "123")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert {e["attr"] for e in response.json()["errors"]} == {"new_password"}
    assert {e["code"] for e in response.json()["errors"]} >= {"password_too_short", "password_entirely_numeric"}
    similar = confirm(api_client, token, user.username + "1")
    assert similar.json()["errors"][0]["code"] == "password_too_similar"
    assert confirm(api_client, token).status_code == HTTPStatus.NO_CONTENT


def _tampered(token: str, user) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


@pytest.mark.parametrize(
    "make_bad",
    [
        lambda token, user: token[:-5],
        lambda token, user: token[: len(token) // 2],
        _tampered,
        lambda token, user: token + "x",
        lambda token, user: email_verification_token.make(user),
        lambda token, user: signing.dumps([user.pk, "0" * 32], salt="accounts.password_reset"),
        lambda token, user: signing.dumps([user.pk, "0" * 32], salt="accounts.password_reset", key="k" * 50),
        lambda token, user: signing.dumps(["1", "x"], salt="accounts.password_reset"),
        lambda token, user: signing.dumps({"a": 1}, salt="accounts.password_reset"),
        lambda token, user: "not-a-token",
        lambda token, user: ":::",
        lambda token, user: "é" * 20,
    ],
    ids=[
        "truncated-end",
        "half",
        "tampered",
        "extended",
        "a-verification-token",
        "wrong-fingerprint",
        "foreign-key",
        "string-id",
        "not-a-pair",
        "garbage",
        "separators",
        "non-ascii",
    ],
)
def test_malformed_truncated_and_foreign_tokens_are_400_and_change_nothing(api_client, run_jobs, user, make_bad):
    token = reset_token(api_client, run_jobs, user)
    password = user.password
    assert_token_refused(confirm(api_client, make_bad(token, user)))
    user.refresh_from_db()
    assert user.password == password
    assert confirm(api_client, token).status_code == HTTPStatus.NO_CONTENT, "the genuine token still works"


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"new_password": NEW_PASSWORD}, "token"),
        ({"token": "x"}, "new_password"),
        ({"token": 12345, "new_password": NEW_PASSWORD}, "token"),
        ({"token": None, "new_password": NEW_PASSWORD}, "token"),
        ({"token": "x" * 10_000, "new_password": NEW_PASSWORD}, "token"),
        ({"token": "a\x00b", "new_password": NEW_PASSWORD}, "token"),
        ({"token": "x", "new_password": ["a", "list"]}, "new_password"),
    ],
)
def test_missing_or_wrongly_typed_fields_are_400(api_client, body, attr):
    response = api_client.post(PASSWORD_RESET_CONFIRM, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert attr in {e["attr"] for e in response.json()["errors"]}


def test_the_token_finds_its_user_until_the_password_changes(make_user):
    alice = make_user()
    token = password_reset_token.make(alice)
    assert password_reset_token.user(token) == alice
    alice.set_password("something-else-entirely-5")
    alice.save()
    assert password_reset_token.user(token) is None


def test_staff_send_a_reset_mail_from_the_django_admin(client, admin, make_user, run_jobs):
    user, inactive = make_user(), make_user(is_active=False)
    client.force_login(admin)
    action = {"action": "send_password_reset", "_selected_action": [user.pk, inactive.pk]}
    with run_jobs():
        response = client.post("/admin/accounts/user/", action, follow=True)
    assert [m.to for m in mail.outbox] == [[user.email]]
    shown = [str(message) for message in response.context["messages"]]
    assert "Reset mail queued for 1 user(s)." in shown
    assert any(text.startswith("No mail for 1 user(s)") for text in shown)
    event = SecurityEvent.objects.get(event=Event.PASSWORD_RESET_REQUESTED, user=user)
    assert event.actor_id == admin.pk


def test_staff_see_email_verified_and_pending_email_in_the_admin(client, admin, user):
    user.pending_email = "waiting@example.com"
    user.save()
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "waiting@example.com" in page
    assert "Email verified" in page
    listing = client.get("/admin/accounts/user/", {"email_verified__exact": "0"}).content.decode()
    assert user.username in listing

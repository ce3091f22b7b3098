"""'This wasn't me': the mailed link ends that session, signs the account out, starts a reset; once."""

import time
from http import HTTPStatus

import pytest
from django.core import mail, signing
from rest_framework.test import APIClient

from accounts.mail_tokens import password_reset_token
from accounts.models import LoginSession
from accounts.tests.factories import PASSWORD
from audit.models import Event, SecurityEvent
from devices import disown_tokens
from devices.deliveries import new_device_mail_deliver
from devices.models import Device, LoginAlert
from devices.services import DISOWNED
from devices.tests.conftest import (
    DISOWN,
    ELSEWHERE,
    ME,
    REFRESH,
    SAFARI_IPHONE,
    bearer,
    mailed_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted(user, login_from):
    """`user` logged in from home, then from a new device: (the home login, the new one, the mailed token)."""
    home = login_from(user)
    stranger = login_from(user, user_agent=SAFARI_IPHONE, ip=ELSEWHERE)
    [message] = mail.outbox
    mail.outbox.clear()
    return home, stranger, mailed_token(message)


def disown(run_jobs, token, **extra):
    with run_jobs():
        return APIClient().post(DISOWN, {"token": token}, **extra)


def assert_token_refused(response, code: str = "invalid") -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    [error] = body["errors"]
    assert (error["attr"], error["code"]) == ("token", code)


def test_the_link_ends_that_session_and_every_token_and_mails_a_reset(user, alerted, run_jobs):
    home, stranger, token = alerted
    response = disown(run_jobs, token, REMOTE_ADDR="192.0.2.50")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json() == {"detail": DISOWNED}
    assert response["Cache-Control"].startswith("max-age=0")
    alert = LoginAlert.objects.get(user=user)
    assert LoginSession.objects.get(sid=alert.sid).ended_at is not None
    assert not LoginSession.objects.filter(user=user, ended_at__isnull=True).exists()
    for pair in (home, stranger):
        assert bearer(pair["access"]).get(ME).status_code == HTTPStatus.UNAUTHORIZED
        assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}).status_code == HTTPStatus.UNAUTHORIZED
    [reset] = mail.outbox
    assert reset.to == [user.email]
    assert "/reset-password?token=" in reset.body


def test_the_reset_mail_sets_a_new_password(user, alerted, run_jobs):
    _, _, token = alerted
    disown(run_jobs, token)
    reset_token = mailed_token(mail.outbox[0])
    new_password = "a-fresh-unusual-passphrase-7"
    response = APIClient().post(
        "/api/v1/auth/password/reset/confirm/", {"token": reset_token, "new_password": new_password}
    )
    assert response.status_code == HTTPStatus.NO_CONTENT, response.content
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not user.check_password(PASSWORD)


def test_disowning_is_recorded_with_the_session_and_the_reset_request(user, alerted, run_jobs):
    _, _, token = alerted
    disown(run_jobs, token, REMOTE_ADDR="192.0.2.50")
    alert = LoginAlert.objects.get(user=user)
    [event] = SecurityEvent.objects.filter(user=user, event=Event.LOGIN_DISOWNED)
    assert event.detail == {"session": alert.sid.hex, "alert": alert.pk.hex, "sessions_ended": True}
    assert (event.ip, event.actor_id) == ("192.0.2.50", None)
    assert SecurityEvent.objects.filter(user=user, event=Event.PASSWORD_RESET_REQUESTED).count() == 1


def test_the_link_works_once(user, alerted, run_jobs):
    _, _, token = alerted
    assert disown(run_jobs, token).status_code == HTTPStatus.OK
    mail.outbox.clear()
    assert_token_refused(disown(run_jobs, token))
    assert mail.outbox == []
    assert SecurityEvent.objects.filter(user=user, event=Event.LOGIN_DISOWNED).count() == 1


def test_a_disowned_device_is_new_again_and_alerts_at_its_next_login(user, alerted, run_jobs, login_from):
    _, _, token = alerted
    disown(run_jobs, token)
    mail.outbox.clear()
    assert Device.objects.get(user=user, browser="Mobile Safari").disowned_at is not None
    login_from(user, user_agent=SAFARI_IPHONE, ip=ELSEWHERE)
    [message] = mail.outbox
    assert "Mobile Safari on iOS" in message.body
    assert Device.objects.get(user=user, browser="Mobile Safari").disowned_at is None


def test_the_users_own_devices_stay_known_after_disowning_another(user, alerted, run_jobs, login_from):
    _, _, token = alerted
    disown(run_jobs, token)
    mail.outbox.clear()
    login_from(user)
    assert mail.outbox == []


class PastSigner(signing.TimestampSigner):
    """Signs as `signing.dumps` does, with a timestamp `days` ago."""

    def __init__(self, *, days: float, **kwargs):
        super().__init__(**kwargs)
        self.days = days

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - self.days * 24 * 60 * 60))


@pytest.mark.parametrize(("days", "status"), [(6.9, HTTPStatus.OK), (7.1, HTTPStatus.BAD_REQUEST)])
def test_the_link_expires_after_the_setting_days(user, alerted, run_jobs, days, status):
    alert = LoginAlert.objects.get(user=user)
    token = PastSigner(days=days, salt=disown_tokens.SALT).sign_object(alert.pk.hex)
    assert disown_tokens.disown_token_alert_id(token) == (alert.pk if status == HTTPStatus.OK else None)
    assert disown(run_jobs, token).status_code == status


def test_the_link_of_a_deactivated_account_is_refused(user, alerted, run_jobs):
    _, _, token = alerted
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_token_refused(disown(run_jobs, token))


def test_a_token_of_another_kind_is_refused(user, alerted, run_jobs):
    alert = LoginAlert.objects.get(user=user)
    assert_token_refused(disown(run_jobs, password_reset_token.make(user)))
    assert_token_refused(disown(run_jobs, signing.dumps(alert.pk.hex, salt="accounts.password_reset")))
    assert_token_refused(disown(run_jobs, signing.dumps(["not", "an id"], salt=disown_tokens.SALT)))
    assert_token_refused(disown(run_jobs, signing.dumps("f" * 31, salt=disown_tokens.SALT)))


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "required"),
        ({"token": ""}, "blank"),
        ({"token": None}, "null"),
        ({"token": 12345}, "invalid"),
        ({"token": ["a"]}, "invalid"),
        ({"token": "x" * 513}, "max_length"),
        ({"token": "garbage"}, "invalid"),
        ({"token": "\x00:\x00"}, "null_characters_not_allowed"),
    ],
)
def test_bad_input_is_a_400_on_token(alerted, run_jobs, body, code):
    with run_jobs():
        response = APIClient().post(DISOWN, body, format="json")
    assert_token_refused(response, code)
    assert not SecurityEvent.objects.filter(event=Event.LOGIN_DISOWNED).exists()


def test_a_bearer_token_is_ignored(user, alerted, run_jobs):
    _, _, token = alerted
    response = disown(run_jobs, token, HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert response.status_code == HTTPStatus.OK


def test_only_post_is_allowed(alerted):
    assert APIClient().get(DISOWN).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_disowning_costs_a_bounded_number_of_queries(user, alerted, django_assert_num_queries, run_jobs):
    _, _, token = alerted
    with django_assert_num_queries(16):
        response = APIClient().post(DISOWN, {"token": token})
    assert response.status_code == HTTPStatus.OK


def test_the_alert_mail_is_not_sent_once_the_link_was_used(user, alerted, run_jobs):
    _, _, token = alerted
    disown(run_jobs, token)
    alert = LoginAlert.objects.get(user=user)
    assert new_device_mail_deliver(alert_id=str(alert.pk), key="0" * 32) is False

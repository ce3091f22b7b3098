"""New-device sign-in alerts: who is mailed, when, with what; and nothing for a known device."""

import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import LoginSession
from accounts.tests.factories import PASSWORD
from audit.context import RequestContext
from audit.models import Event, SecurityEvent
from devices.deliveries import new_device_mail_deliver
from devices.identification import device_identify
from devices.models import Device, LoginAlert
from devices.services import SESSIONS_COMPARED, login_device_check
from devices.tests.conftest import (
    CHROME_WINDOWS,
    CHROME_WINDOWS_NEWER,
    ELSEWHERE,
    FIREFOX_LINUX,
    HOME,
    HOME_NEIGHBOUR,
    LOGIN,
    SAFARI_IPHONE,
    mailed_token,
)
from mfa.tests.conftest import LOGIN_MFA, mfa_turn_on, unused_code

pytestmark = pytest.mark.django_db


def alerts(user) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user=user, event=Event.NEW_DEVICE_LOGIN))


def test_the_very_first_login_records_its_device_and_mails_nothing(user, login_from):
    login_from(user, user_agent=FIREFOX_LINUX, ip=ELSEWHERE)
    assert mail.outbox == []
    assert alerts(user) == []
    [device] = Device.objects.filter(user=user)
    assert (device.browser, device.os, device.network) == ("Firefox", "Linux", "203.0.113.0/24")


def test_a_login_from_the_same_device_mails_nothing(user, login_from):
    login_from(user)
    login_from(user, user_agent=CHROME_WINDOWS_NEWER, ip=HOME_NEIGHBOUR)
    assert mail.outbox == []
    assert alerts(user) == []
    assert LoginAlert.objects.count() == 0
    assert Device.objects.filter(user=user).count() == 1


def test_a_login_from_a_new_browser_mails_the_time_address_device_and_link(user, login_from, settings):
    settings.FRONTEND_URL = "https://app.example.com"
    login_from(user)
    mail.outbox.clear()
    before = timezone.now()
    body = login_from(user, user_agent=SAFARI_IPHONE, ip=ELSEWHERE)
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "New sign-in to your account from Mobile Safari on iOS"
    assert ELSEWHERE in message.body
    assert "Mobile Safari on iOS" in message.body
    assert f"{before:%Y}" in message.body
    assert "UTC" in message.body
    token = mailed_token(message)
    assert f"https://app.example.com/disown-login?token={token}" in message.body
    [alert] = LoginAlert.objects.filter(user=user)
    assert (alert.ip, alert.browser, alert.os) == (ELSEWHERE, "Mobile Safari", "iOS")
    assert LoginSession.objects.get(sid=alert.sid).user_id == user.pk
    [event] = alerts(user)
    assert event.detail == {
        "session": alert.sid.hex,
        "browser": "Mobile Safari",
        "os": "iOS",
        "network": "203.0.113.0/24",
    }
    assert (event.ip, event.actor_id) == (ELSEWHERE, user.pk)
    assert body["access"]  # the login itself is untouched


def test_the_same_browser_from_another_network_is_a_new_device(user, login_from):
    login_from(user)
    login_from(user, ip="198.51.101.23")
    assert len(mail.outbox) == 1
    assert len(alerts(user)) == 1


def test_once_alerted_the_device_is_known(user, login_from):
    login_from(user)
    login_from(user, user_agent=FIREFOX_LINUX)
    login_from(user, user_agent=FIREFOX_LINUX)
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("ip", "alerted"), [("2001:db8:1:3::1", False), ("2001:db8:1:ffff::2", False), ("2001:db8:2::1", True)]
)
def test_an_ipv6_address_is_known_by_its_slash_48(user, login_from, ip, alerted):
    login_from(user, ip="2001:db8:1:2::1")
    login_from(user, ip=ip)
    assert len(mail.outbox) == int(alerted)


@pytest.mark.parametrize("garbage", ["", "%%%%", "\x01\x02() ;;; (((", "curl/8.4.0 \u2603"])
def test_a_garbage_user_agent_logs_in_and_is_alerted_as_an_unrecognised_device(user, login_from, garbage):
    login_from(user)
    login_from(user, user_agent=garbage)
    [message] = mail.outbox
    assert "Device:" in message.body
    login_from(user, user_agent=garbage)
    assert len(mail.outbox) == 1


def test_a_garbage_user_agent_without_family_says_so(user, login_from):
    login_from(user)
    login_from(user, user_agent="%%%%")
    [message] = mail.outbox
    assert "an unrecognised browser or app" in message.body


def seen_days_ago(user, *, days: float, user_agent: str = CHROME_WINDOWS, ip: str = HOME) -> None:
    device = device_identify(ip=ip, user_agent=user_agent)
    when = timezone.now() - timedelta(days=days)
    Device.objects.create(
        user=user, key=device.key, browser=device.browser, os=device.os, network=device.network,
        first_seen_at=when, last_seen_at=when,
    )  # fmt: skip


@pytest.mark.parametrize(("days", "alerted"), [(89.99, False), (90.01, True)])
def test_a_device_is_known_for_the_window_days(user, login_from, settings, days, alerted):
    settings.NEW_DEVICE_WINDOW_DAYS = 90
    seen_days_ago(user, days=days)
    login_from(user)
    assert len(mail.outbox) == int(alerted)


@pytest.mark.parametrize(("days", "alerted"), [(29.99, False), (30.01, True)])
def test_the_window_is_a_setting(user, login_from, settings, days, alerted):
    settings.NEW_DEVICE_WINDOW_DAYS = 30
    seen_days_ago(user, days=days)
    login_from(user)
    assert len(mail.outbox) == int(alerted)


def session_used_days_ago(user, *, days: float, user_agent: str = CHROME_WINDOWS, ip: str = HOME) -> LoginSession:
    when = timezone.now() - timedelta(days=days)
    return LoginSession.objects.create(
        user=user, created_at=when, last_used_at=when, expires_at=timezone.now() + timedelta(days=1),
        ip=ip, user_agent=user_agent,
    )  # fmt: skip


@pytest.mark.parametrize(("days", "alerted"), [(89.99, False), (90.01, True)])
def test_a_session_used_within_the_window_vouches_for_its_device(user, login_from, days, alerted):
    # Sessions from before any device was recorded, or kept alive by refreshes, count too.
    session_used_days_ago(user, days=days)
    login_from(user)
    assert len(mail.outbox) == int(alerted)
    assert Device.objects.filter(user=user).exists()


def test_sessions_of_another_device_do_not_vouch(user, login_from):
    session_used_days_ago(user, days=1, user_agent=FIREFOX_LINUX)
    login_from(user)
    assert len(mail.outbox) == 1


def test_sessions_of_another_user_do_not_vouch(user, make_user, login_from):
    session_used_days_ago(make_user(), days=1)
    seen_days_ago(user, days=1, user_agent=SAFARI_IPHONE)
    login_from(user)
    assert len(mail.outbox) == 1


def test_with_alerts_off_nothing_is_recorded_or_mailed(user, login_from, settings):
    settings.NEW_DEVICE_ALERTS = False
    login_from(user)
    login_from(user, user_agent=FIREFOX_LINUX, ip=ELSEWHERE)
    assert mail.outbox == []
    assert not Device.objects.exists()
    assert alerts(user) == []


def test_a_login_without_a_request_context_is_a_device_of_unknown_origin(user, run_jobs):
    seen_days_ago(user, days=1)
    sid = LoginSession.objects.create(user=user, expires_at=timezone.now() + timedelta(days=1)).sid
    with run_jobs():
        alert = login_device_check(user=user, sid=sid, amr=("pwd",), context=None)
    assert (alert.ip, alert.browser, alert.device_key) == (None, "Other", "Other|Other|unknown")
    [message] = mail.outbox
    assert "an unknown address" in message.body


def context(ip: str = HOME, user_agent: str = CHROME_WINDOWS) -> RequestContext:
    return RequestContext(ip=ip, user_agent=user_agent, request_id="")


def test_a_known_device_costs_two_queries_in_a_savepoint(user, django_assert_num_queries):
    seen_days_ago(user, days=1)
    with django_assert_num_queries(4):  # savepoint, the device row, its upsert, release
        assert login_device_check(user=user, sid=uuid.uuid4(), context=context()) is None


@pytest.mark.parametrize("sessions", [1, SESSIONS_COMPARED * 2])
def test_a_new_device_costs_the_same_queries_however_many_sessions(user, django_assert_num_queries, sessions):
    for _ in range(sessions):
        session_used_days_ago(user, days=1, user_agent=FIREFOX_LINUX)
    # savepoint, device row, sessions, any device, any session, upsert, alert, event, release
    with django_assert_num_queries(9):
        assert login_device_check(user=user, sid=uuid.uuid4(), context=context()) is not None


def test_a_two_step_login_from_a_new_device_is_alerted_after_its_second_step(user, login_from, run_jobs):
    login_from(user)
    mfa = mfa_turn_on(user)
    mail.outbox.clear()
    client = APIClient()
    with run_jobs():
        first = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, HTTP_USER_AGENT=FIREFOX_LINUX)
    assert first.status_code == HTTPStatus.ACCEPTED
    assert mail.outbox == []
    with run_jobs():
        second = client.post(
            LOGIN_MFA, {"mfa_token": first.json()["mfa_token"], "code": unused_code(mfa)}, HTTP_USER_AGENT=FIREFOX_LINUX
        )
    assert second.status_code == HTTPStatus.OK
    [message] = mail.outbox
    assert "Firefox on Linux" in message.body


def test_at_most_three_new_device_mails_an_hour_per_account(user, login_from):
    login_from(user)
    for n in range(5):
        login_from(user, ip=f"203.0.{n}.1")
    assert len(mail.outbox) == 3
    assert len(alerts(user)) == 5  # every one is still in the security log


def test_a_second_run_of_the_mail_job_sends_nothing_and_counts_nothing(user, login_from):
    login_from(user)
    login_from(user, user_agent=FIREFOX_LINUX)
    alert = LoginAlert.objects.get(user=user)
    assert new_device_mail_deliver(alert_id=str(alert.pk), key="1" * 32) is True
    assert new_device_mail_deliver(alert_id=str(alert.pk), key="1" * 32) is False
    assert len(mail.outbox) == 2

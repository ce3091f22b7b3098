"""Security notices: the owner hears of two-factor changes by mail; any app can send one for its event."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.context import RequestContext
from audit.models import Event
from devices.security_notices import security_notice_send
from mfa import services as mfa_services
from mfa.tests.conftest import mfa_turn_on, unused_code

pytestmark = pytest.mark.django_db

CONTEXT = RequestContext(ip="192.0.2.77", user_agent="test", request_id="")


def test_turning_two_factor_on_mails_the_owner(user, run_jobs):
    with run_jobs():
        mfa_turn_on(user)
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Security change to your account: Two-factor enabled"
    assert "Two-factor authentication was turned on for your account." in message.body
    html, _ = message.alternatives[0]
    assert "Two-factor authentication was turned on" in html


def test_turning_two_factor_off_mails_the_owner_with_the_address(user, run_jobs):
    mfa = mfa_turn_on(user)
    mail.outbox.clear()
    with run_jobs():
        mfa_services.mfa_disable_own(user=user, code=unused_code(mfa), keep_sid=None, context=CONTEXT)
    [message] = mail.outbox
    assert "Two-factor authentication was turned off for your account." in message.body
    assert "192.0.2.77" in message.body


def test_an_admin_turning_it_off_mails_the_owner(user, admin, run_jobs):
    mfa_turn_on(user)
    mail.outbox.clear()
    with run_jobs():
        assert mfa_services.mfa_disable(user=user, actor=admin, context=CONTEXT)
    [message] = mail.outbox
    assert message.to == [user.email]


def test_new_recovery_codes_mail_the_owner(user, run_jobs):
    mfa = mfa_turn_on(user)
    mail.outbox.clear()
    with run_jobs():
        mfa_services.recovery_codes_regenerate(user=user, code=unused_code(mfa), context=CONTEXT)
    [message] = mail.outbox
    assert message.subject == "Security change to your account: Recovery codes regenerated"
    assert "the old ones no longer work" in message.body


def test_a_refused_change_mails_nothing(user, run_jobs):
    mfa_turn_on(user)
    mail.outbox.clear()
    with run_jobs(), pytest.raises(ValidationError):
        mfa_services.recovery_codes_regenerate(user=user, code="000000", context=CONTEXT)
    assert mail.outbox == []


def test_a_notice_inside_a_rolled_back_change_is_never_sent(user, run_jobs):
    with run_jobs():
        try:
            with transaction.atomic():
                security_notice_send(user=user, event=Event.PASSKEY_ADDED, context=CONTEXT)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (Event.PASSKEY_ADDED, "A passkey was added to your account."),
        (Event.IDENTITY_UNLINKED, "A sign-in with another provider was unlinked from your account."),
        (Event.PASSWORD_CHANGED, "Password changed"),
    ],
)
def test_any_app_can_send_a_notice_for_its_event(user, run_jobs, event, sentence):
    with run_jobs():
        security_notice_send(user=user, event=event, context=None)
    [message] = mail.outbox
    assert sentence in message.body
    assert "an unknown address" in message.body


def test_an_unknown_event_fails_at_the_call(user):
    with pytest.raises(ValueError, match=r"audit\.models\.Event"):
        security_notice_send(user=user, event="passkey_eaten")


def test_a_deactivated_account_gets_no_notice(user, run_jobs):
    user.is_active = False
    user.save(update_fields=["is_active"])
    with run_jobs():
        security_notice_send(user=user, event=Event.MFA_ENABLED)
    assert mail.outbox == []

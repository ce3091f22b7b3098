"""
What the devices mail jobs send, built from the rows as they are when the job runs and sent once per
job key (accounts.mail). Tokens are made here, when the mail is sent, never queued.
"""

from datetime import datetime

from django.conf import settings

from accounts.mail import frontend_link, mail_already_sent, mail_quota_take, mail_send_once
from accounts.models import User
from audit.models import Event
from devices.disown_tokens import disown_token_make
from devices.identification import UNKNOWN_FAMILY
from devices.models import LoginAlert

DISOWN_PATH = "/disown-login"
# New-device mails count per account and hour (accounts.mail): a password thief who signs in from many
# made-up devices cannot bury the first alerts under more.
NEW_DEVICE_QUOTA_SCOPE = "new_device_login"

# The sentence each event's mail says; other events say their label (audit.models.Event).
NOTICE_SENTENCES = {
    Event.MFA_ENABLED: "Two-factor authentication was turned on for your account.",
    Event.MFA_DISABLED: "Two-factor authentication was turned off for your account.",
    Event.RECOVERY_CODES_REGENERATED: "New recovery codes were made for your account; the old ones no longer work.",
    Event.PASSKEY_ADDED: "A passkey was added to your account.",
    Event.PASSKEY_REMOVED: "A passkey was removed from your account.",
    Event.IDENTITY_LINKED: "A sign-in with another provider was linked to your account.",
    Event.IDENTITY_UNLINKED: "A sign-in with another provider was unlinked from your account.",
}


def _device_name(alert: LoginAlert) -> str:
    if alert.browser == UNKNOWN_FAMILY and alert.os == UNKNOWN_FAMILY:
        return "an unrecognised browser or app"
    if alert.os == UNKNOWN_FAMILY:
        return alert.browser
    return f"{alert.browser} on {alert.os}"


def new_device_mail_deliver(*, alert_id: str, key: str) -> bool:
    """
    The new-device notice with its "this wasn't me" link, unless it was already used or the account is gone,
    within the account's hourly limit (`MAILS_PER_HOUR`; past it the alert is recorded, not mailed).
    """
    if mail_already_sent(key):  # a second run must not count against the limit again
        return False
    alert = LoginAlert.objects.select_related("user").filter(pk=alert_id, disowned_at__isnull=True).first()
    if alert is None or not alert.user.is_active:
        return False
    if mail_quota_take(scope=NEW_DEVICE_QUOTA_SCOPE, ident=f"user:{alert.user_id}") is not None:
        return False
    token = disown_token_make(alert)
    context = {
        "username": alert.user.username,
        "when": alert.created_at,
        "ip": alert.ip or "an unknown address",
        "device": _device_name(alert),
        "token": token,
        "link": frontend_link(DISOWN_PATH, token),
        "days": settings.NEW_DEVICE_DISOWN_DAYS,
    }
    return mail_send_once(key=key, to=alert.user.email, template="new_device_login", context=context, app="devices")


def security_notice_deliver(*, user_id: int, event: str, when: str, ip: str | None, key: str) -> bool:
    """The short notice of a security change (`devices.security_notices`) to the account's owner."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = {
        "username": user.username,
        "what": NOTICE_SENTENCES.get(event, Event(event).label),
        "subject": Event(event).label,
        "when": datetime.fromisoformat(when),
        "ip": ip or "an unknown address",
    }
    return mail_send_once(key=key, to=user.email, template="security_notice", context=context, app="devices")

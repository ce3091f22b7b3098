"""
The "this wasn't me" token of a new-device mail: the alert's id, signed and timestamped by
`django.core.signing` (SECRET_KEY, with SECRET_KEY_FALLBACKS honoured). Nothing is stored: it is made
when the mail is sent, expires after `NEW_DEVICE_DISOWN_DAYS`, and works once because using it marks
the alert (`devices.services.login_disown`). Its alphabet is API.md's `A-Z a-z 0-9 - _ : .`.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing

from devices.models import LoginAlert

SALT = "devices.login_disown"


def disown_token_make(alert: LoginAlert) -> str:
    return signing.dumps(alert.pk.hex, salt=SALT)


def disown_token_alert_id(token: str) -> uuid.UUID | None:
    """The alert a genuine, unexpired token names, else None (used or not: the caller checks)."""
    try:
        value = signing.loads(token, salt=SALT, max_age=timedelta(days=settings.NEW_DEVICE_DISOWN_DAYS))
        return uuid.UUID(hex=value)
    except (signing.BadSignature, ValueError, TypeError, AttributeError):
        return None

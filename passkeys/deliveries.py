"""What the passkey mail jobs send, built from the rows as they are when the job runs (accounts.mail)."""

from datetime import datetime

from accounts.mail import mail_send_once
from accounts.models import User

TEMPLATES = {"added": "passkey_added", "removed": "passkey_removed"}


def passkey_changed_mail_deliver(
    *, user_id: int, change: str, name: str, at: str, by_staff: bool, ip: str | None, key: str
) -> bool:
    """
    Tell the owner a passkey was added or removed (`change`, at `at`, ISO 8601): its name, when, from
    where, or that staff removed it. True when this run sent it.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or change not in TEMPLATES:
        return False
    context = {
        "username": user.username,
        "name": name,
        "at": f"{datetime.fromisoformat(at):%Y-%m-%d %H:%M}",
        "by_staff": by_staff,
        "ip": ip,
    }
    return mail_send_once(key=key, to=user.email, template=TEMPLATES[change], context=context, app="passkeys")

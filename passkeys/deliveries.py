"""What the passkey mail jobs send, built from the rows as they are when the job runs (accounts.mail)."""

from django.utils import timezone

from accounts.mail import mail_send_once
from accounts.models import User

TEMPLATES = {"added": "passkey_added", "removed": "passkey_removed"}


def passkey_changed_mail_deliver(*, user_id: int, change: str, name: str, ip: str | None, key: str) -> bool:
    """Tell the owner a passkey was added or removed (`change`): its name, when, from where. True when sent now."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or change not in TEMPLATES:
        return False
    context = {"username": user.username, "name": name, "at": f"{timezone.now():%Y-%m-%d %H:%M}", "ip": ip}
    return mail_send_once(key=key, to=user.email, template=TEMPLATES[change], context=context, app="passkeys")

"""What the two-factor mail jobs send, built from the rows as they are when the job runs (accounts.mail)."""

from accounts.mail import mail_send_once
from accounts.models import User


def mfa_locked_mail_deliver(*, user_id: int, minutes: int, attempts: int, key: str) -> bool:
    """Tell the user that codes for their account are refused for a while after many wrong ones; True when sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = {"username": user.username, "minutes": minutes, "attempts": attempts}
    return mail_send_once(key=key, to=user.email, template="mfa_locked", context=context, app="mfa")

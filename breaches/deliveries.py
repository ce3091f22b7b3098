"""What the breached-password mail job sends, from the row as it is when the job runs (accounts.mail)."""

from accounts.mail import mail_send_once
from accounts.models import User


def password_breached_mail_deliver(*, user_id: int, key: str) -> bool:
    """Tell the user their password is in a known breach, while it still is their password; True when sent."""
    user = User.objects.filter(pk=user_id, is_active=True, password_change_recommended=True).first()
    if user is None:
        return False
    context = {"username": user.username}
    return mail_send_once(key=key, to=user.email, template="password_breached", context=context, app="breaches")

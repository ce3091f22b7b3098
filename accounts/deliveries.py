"""
What each mail job sends, built from the rows as they are when the job runs and sent once per job key.

Tokens are made here, when the mail is sent: they never travel through the broker or wait in a
queue, and a job that finds its reason gone (the account deactivated, the pending address
replaced) sends nothing. Each function returns True when this run sent its mail.
"""

import uuid

from django.conf import settings

from accounts.mail import frontend_link, mail_already_sent, mail_quota_take, mail_send_once
from accounts.mail_tokens import (
    VERIFICATION_MAX_AGE,
    email_change_cancel_token,
    email_verification_token,
    password_reset_token,
    verification_target,
)
from accounts.models import User
from accounts.selectors import user_for_password_reset, user_for_verification_by_address

# Verification mails on request (resend, email change) count per account and hour (accounts.mail).
VERIFICATION_QUOTA_SCOPE = "email_verification"

Key = uuid.UUID | str


def verification_quota_ident(user: User) -> str:
    return f"user:{user.pk}"


def password_reset_mail_deliver(*, email: str, key: Key) -> bool:
    """The reset link, to the active account with `email` if there is one."""
    user = user_for_password_reset(email=email)
    if user is None:
        return False
    token = password_reset_token.make(user)
    context = {
        "username": user.username,
        "token": token,
        "link": frontend_link("/reset-password", token),
        "minutes": settings.PASSWORD_RESET_TIMEOUT_MINUTES,
    }
    return mail_send_once(key=key, to=user.email, template="password_reset", context=context)


def email_verification_mail_deliver(*, user_id: int, address: str, key: Key) -> bool:
    """The verification link for `address`, if it is still the address waiting for `user_id`'s verification."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or verification_target(user) != address:
        return False
    if user.pending_email == address and User.objects.filter(email=address).exclude(pk=user.pk).exists():
        # Another account's address: its owner hears that someone asked for it, and gets no link (the
        # API answered the asker as for a free address, so it tells nobody which addresses have accounts).
        context = {"address": address}
        return mail_send_once(key=key, to=address, template="email_in_use_notice", context=context)
    token = email_verification_token.make(user)
    context = {
        "username": user.username,
        "address": address,
        "is_change": user.pending_email == address,
        "token": token,
        "link": frontend_link("/verify-email", token),
        "days": VERIFICATION_MAX_AGE // (24 * 60 * 60),
    }
    return mail_send_once(key=key, to=address, template="email_verification", context=context)


def email_verification_mail_deliver_to_address(*, email: str, key: Key) -> bool:
    """
    A link for anyone who asked with `email`: only to an unverified account with that email (and no
    pending address, whose link would verify that address instead), within the account's hourly limit.
    """
    if mail_already_sent(key):  # a second run must not count against the limit again
        return False
    user = user_for_verification_by_address(email=email)
    if user is None or user.pending_email:
        return False
    if mail_quota_take(scope=VERIFICATION_QUOTA_SCOPE, ident=verification_quota_ident(user)) is not None:
        return False
    return email_verification_mail_deliver(user_id=user.pk, address=user.email, key=key)


def email_change_notice_deliver(*, user_id: int, old_email: str, new_email: str, key: Key) -> bool:
    """
    Tell the old address that a change to `new_email` was asked for, with a link that cancels it while
    it waits (a token that can do nothing else); nothing once the change is gone or done.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.pending_email != new_email:
        return False
    token = email_change_cancel_token.make(user)
    context = {
        "username": user.username,
        "old_email": old_email,
        "new_email": new_email,
        "token": token,
        "link": frontend_link("/cancel-email-change", token),
        "days": VERIFICATION_MAX_AGE // (24 * 60 * 60),
    }
    return mail_send_once(key=key, to=old_email, template="email_change_notice", context=context)

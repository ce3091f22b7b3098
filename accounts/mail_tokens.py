"""
The tokens sent by mail: password reset and email verification.

A token is Django's signed, timestamped value (`django.core.signing`, keyed by SECRET_KEY with
SECRET_KEY_FALLBACKS honoured) of `[user id, fingerprint]`, where the fingerprint is an HMAC of the
account state the token may act on. Nothing is stored: a token stops working when it expires
(`max_age`) or when that state changes, which is exactly "once":

- password reset: the password hash (any password change, by any route, re-salts it), the last
  login and the email. Using the token changes the password, so it works once.
- email verification: the address it verifies, the email, `email_verified` and `pending_email`.
  Using it changes them, and a token mailed for an older pending address does not match a newer one.
- email change cancel (in the notice to the old address): the same state, under its own salt, so it
  works until the change is verified, cancelled or replaced.

The signing alphabet is `A-Z a-z 0-9 - _ : .`, so a token needs no escaping in a link (API.md).
"""

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User

VERIFICATION_MAX_AGE = 3 * 24 * 60 * 60
TOKEN_MAX_LENGTH = 512


class AccountToken:
    """Make and check one kind of mailed token (see the module's docstring)."""

    def __init__(self, *, salt: str, max_age: Callable[[], int], state: Callable[[User], str]):
        self.salt, self.max_age, self.state = salt, max_age, state

    def _fingerprint(self, user: User) -> str:
        return salted_hmac(f"{self.salt}.state", self.state(user), algorithm="sha256").hexdigest()[:32]

    def make(self, user: User) -> str:
        return signing.dumps([user.pk, self._fingerprint(user)], salt=self.salt)

    def user(self, token: str, *, lock: bool = False) -> User | None:
        """The active user `token` was made for, if it is genuine, unexpired and their state still matches."""
        try:
            user_id, fingerprint = signing.loads(token, salt=self.salt, max_age=self.max_age())
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if type(user_id) is not int or not isinstance(fingerprint, str):
            return None
        users = User.objects.filter(pk=user_id, is_active=True)
        user = (users.select_for_update() if lock else users).first()
        if user is None or not constant_time_compare(fingerprint, self._fingerprint(user)):
            return None
        return user


def verification_target(user: User) -> str | None:
    """The address a verification mail for `user` is about: the pending one, else an unverified email."""
    if user.pending_email:
        return user.pending_email
    return None if user.email_verified else user.email


def _reset_state(user: User) -> str:
    last_login = user.last_login.replace(microsecond=0).isoformat() if user.last_login else ""
    return f"{user.password}|{last_login}|{user.email}"


def _verification_state(user: User) -> str:
    return f"{verification_target(user)}|{user.email}|{user.email_verified}|{user.pending_email or ''}"


password_reset_token = AccountToken(
    salt="accounts.password_reset", max_age=lambda: settings.PASSWORD_RESET_TIMEOUT, state=_reset_state
)
email_verification_token = AccountToken(
    salt="accounts.email_verification", max_age=lambda: VERIFICATION_MAX_AGE, state=_verification_state
)
email_change_cancel_token = AccountToken(
    salt="accounts.email_change_cancel", max_age=lambda: VERIFICATION_MAX_AGE, state=_verification_state
)

"""
The one hook through which accounts asks the second-factor app (`mfa`) for what login and the
admins' user changes need, without importing it (imports point `accounts` <- `mfa`).

Login reads `User.mfa_enabled`; for such a user it asks `login_challenge` for a challenge
instead of opening a session, the Django admin site's login asks `code_verify` for the code typed
beside the password, and an admin turning a user's two-factor off asks `disable`. The `mfa` app
registers them from its `AppConfig.ready`. With nothing registered a user with two-factor on
cannot log in (fail closed) rather than skip the second step.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

NOT_REGISTERED = "No second-factor hooks registered: add `mfa` to INSTALLED_APPS."


@dataclass(frozen=True)
class LoginChallenge:
    """What the first login step answers for a user with two-factor on: a token for the second step."""

    mfa_token: str
    expires_in: int


class SecondFactorDisable(Protocol):
    def __call__(self, *, user, actor, context, keep_sid) -> bool: ...


class SecondFactorCodeVerify(Protocol):
    def __call__(self, *, user, code: str, context) -> bool: ...


@dataclass(frozen=True)
class SecondFactorHooks:
    # (user, context) -> LoginChallenge, after the password (and every other login rule) passed.
    login_challenge: Callable[..., LoginChallenge]
    # Turn the user's two-factor off (factors deleted, sessions but `keep_sid` ended, event recorded);
    # False when it was not on.
    disable: SecondFactorDisable
    # Whether `code` (as typed) is a current TOTP code or an unused recovery code of the user, spending it
    # if so; a refusal is recorded. For logins that have no second step of their own (the admin site).
    code_verify: SecondFactorCodeVerify


_hooks: SecondFactorHooks | None = None


def second_factor_register(hooks: SecondFactorHooks) -> None:
    global _hooks
    _hooks = hooks


def second_factor() -> SecondFactorHooks:
    if _hooks is None:
        raise ImproperlyConfigured(NOT_REGISTERED)
    return _hooks

"""
The hook through which a passkey app answers the second login step (`auth/login/mfa/`) with a WebAuthn
assertion instead of a code, without mfa importing it (imports point `mfa` <- `passkeys`).

The passkey app registers one verifier from its `AppConfig.ready`. With none registered an assertion is
refused like a wrong code (fail closed).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from accounts.models import User
from audit.context import RequestContext

WRONG_ASSERTION = "The passkey's answer is not correct."
NO_VERIFIER = "Passkeys are not available on this server."
# RFC 8176: a password and a key held in an authenticator (a passkey), two factors.
ASSERTION_LOGIN_AMR = ("pwd", "hwk", "mfa")


@dataclass(frozen=True)
class AssertionCheck:
    """Whether the assertion passed; when not, the error code and message of the 400 on `assertion`."""

    accepted: bool
    code: str = "wrong_assertion"
    message: str = WRONG_ASSERTION


class AssertionVerify(Protocol):
    def __call__(
        self, *, user: User, assertion: Mapping[str, Any], context: RequestContext | None
    ) -> AssertionCheck: ...


_verify: AssertionVerify | None = None


def assertion_verifier_register(verify: AssertionVerify) -> None:
    global _verify
    _verify = verify


def assertion_verify(*, user: User, assertion: Mapping[str, Any], context: RequestContext | None) -> AssertionCheck:
    """Whether `assertion` is a valid answer of one of `user`'s passkeys to a second-step challenge (spent if so)."""
    if _verify is None:
        return AssertionCheck(accepted=False, code="unavailable", message=NO_VERIFIER)
    return _verify(user=user, assertion=assertion, context=context)

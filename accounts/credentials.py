"""
The hook through which a password change or reset ends the user's other credentials (API keys)
without accounts importing the apps that hold them (imports point `accounts` <- `apikeys`).

A credential app registers one revoker from its `AppConfig.ready`; `credentials_revoke` calls every
one inside the password change's transaction, so the change and the revocations commit together.
With nothing registered there is nothing to revoke.
"""

from typing import Protocol

from accounts.models import User
from audit.context import RequestContext


class CredentialsRevoke(Protocol):
    def __call__(self, *, user: User, actor: User | None, context: RequestContext | None, reason: str) -> int: ...


_revokers: list[CredentialsRevoke] = []


def credentials_revoker_register(revoker: CredentialsRevoke) -> None:
    """Add `revoker` (idempotent): `(user, actor, context, reason) -> how many credentials it revoked`."""
    if revoker not in _revokers:
        _revokers.append(revoker)


def credentials_revoke(*, user: User, actor: User | None, context: RequestContext | None, reason: str) -> int:
    """Revoke every other credential of `user` (`reason`: "password_changed", "password_reset"); how many."""
    return sum(revoke(user=user, actor=actor, context=context, reason=reason) for revoke in _revokers)

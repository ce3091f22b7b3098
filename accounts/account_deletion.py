"""
The hook through which `DELETE auth/me/` hands the caller's account to the app that deletes accounts
(`privacy`), without accounts importing it (imports point `accounts` <- `privacy`).

The app registers one function from its `AppConfig.ready`: it deactivates the account at once, ends
every credential and schedules the purge, and returns when the purge is due. With nothing registered
`auth/me/` does not take DELETE (405): an account is never half deleted.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from accounts.models import User
from audit.context import RequestContext


@dataclass(frozen=True)
class DeletionScheduled:
    """What `DELETE auth/me/` answers: when the account will be purged unless the mailed link cancels it."""

    purge_after: datetime


class AccountDeletionRequest(Protocol):
    def __call__(self, *, user: User, context: RequestContext | None) -> DeletionScheduled: ...


_request: AccountDeletionRequest | None = None


def account_deletion_register(request: AccountDeletionRequest) -> None:
    global _request
    _request = request


def account_deletion() -> AccountDeletionRequest | None:
    """The registered deletion request, or None when no app deletes accounts."""
    return _request

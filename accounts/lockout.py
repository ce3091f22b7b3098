"""
Per-account limits on failed sign-in attempts, from whatever addresses they come: the password
(`LOGIN_FAILURES_PER_ACCOUNT`, allauth's 5 per 5 minutes) and the second factor
(`MFA_FAILURES_PER_ACCOUNT`, 10 per 15 minutes), for the API's two login steps and the Django
admin site's login alike. They come on top of the per-address throttles (accounts.throttles).

Each attempt takes a slot in its account's window before the credential is checked
(`common.windows`: atomic in the shared cache, so concurrent guesses cannot slip past the limit,
and every server counts together). A right credential clears its own factor's window, and only that
one: only whoever holds the password can clear the password's count, and a right password does not
clear the count of wrong codes. Per-address counters are never cleared. A wrong one keeps its
slot; the failure that fills the window starts the lock, which lasts until the window (begun by its
first attempt) ends. Locked, every attempt answers the same 429 (`ACCOUNT_LOCKED`, with
`Retry-After`) before any check, whether the credential is right or wrong and whether the account
exists: a name without an account is counted by the name itself, exactly as an account is, so the
limit tells nobody which accounts exist.
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from accounts.models import User
from audit.context import RequestContext
from audit.models import Event
from audit.services import event_record
from common.failure_limits import FailureLimit, failure_limit_parse
from common.service_exceptions import RateLimited
from common.windows import WindowCount, window_clear, window_count

ACCOUNT_LOCKED = "Too many failed sign-in attempts for this account."


class Factor(StrEnum):
    """What an attempt checks; the value names the setting of its limit."""

    PASSWORD = "LOGIN_FAILURES_PER_ACCOUNT"
    SECOND_FACTOR = "MFA_FAILURES_PER_ACCOUNT"

    def limit(self) -> FailureLimit:
        # Read on each use, so a settings override applies.
        return failure_limit_parse(getattr(settings, self.value), setting=self.value)


class AccountLocked(RateLimited):
    """The account is over a factor's limit: 429 with `Retry-After`, the same for every account and name."""

    def __init__(self, *, wait_seconds: int):
        super().__init__(ACCOUNT_LOCKED, wait_seconds=wait_seconds)


def account_ident(*, user: User | None, name: str = "") -> str:
    """Whose attempts: the account's id, or the name typed (normalized, hashed) when it has no account."""
    if user is not None:
        return f"user:{user.pk}"
    return "name:" + hashlib.sha256(name.strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """One attempt at `factor` for `ident`, holding its slot in the window."""

    factor: Factor
    ident: str
    taken: WindowCount
    limit: FailureLimit

    @property
    def key(self) -> str:
        return attempt_key(factor=self.factor, ident=self.ident)

    def succeeded(self) -> None:
        window_clear(key=self.key)

    def failed(self, *, user: User | None, step: str, context: RequestContext | None) -> bool:
        """A wrong credential keeps its slot; True when it filled the window (the lock starts, `login_locked`)."""
        if self.taken.count != self.limit.attempts:
            return False
        detail = {"step": step, "attempts": self.limit.attempts, "seconds": self.taken.seconds_left}
        event_record(event=Event.LOGIN_LOCKED, user=user, context=context, detail=detail)
        return True


def attempt_key(*, factor: Factor, ident: str) -> str:
    return f"account-failures:{factor.name.lower()}:{ident}"


def attempt_start(*, factor: Factor, ident: str) -> Attempt:
    """Take a slot for an attempt at `factor`; AccountLocked once the window is full (nothing is checked then)."""
    limit = factor.limit()
    taken = window_count(key=attempt_key(factor=factor, ident=ident), period=limit.seconds)
    if taken.count > limit.attempts:
        raise AccountLocked(wait_seconds=taken.seconds_left)
    return Attempt(factor=factor, ident=ident, taken=taken, limit=limit)

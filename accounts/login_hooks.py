"""
The hooks through which later apps hear of logins without accounts importing them (imports point
`accounts` <- `breaches`, `devices`, ...), registered from their `AppConfig.ready`.

- `password_accepted(user, password, context)`: a login was given the right password of an account that
  may log in, before any second step. The password is handed over in process, for checks that need it
  (a breached-password lookup); a hook must never store or queue it.
- `login_completed(user, sid, amr, context)`: a login (any method) opened session `sid`; called once the
  login's transaction has committed.

A hook that raises is logged and skipped: a login never fails because an alert or a check did.
"""

import logging
import uuid
from collections.abc import Sequence
from typing import Protocol

from django.db import transaction

from accounts.models import User
from audit.context import RequestContext

logger = logging.getLogger(__name__)


class PasswordAccepted(Protocol):
    def __call__(self, *, user: User, password: str, context: RequestContext | None) -> None: ...


class LoginCompleted(Protocol):
    def __call__(self, *, user: User, sid: uuid.UUID, amr: Sequence[str], context: RequestContext | None) -> None: ...


_password_accepted: list[PasswordAccepted] = []
_login_completed: list[LoginCompleted] = []


def password_accepted_register(hook: PasswordAccepted) -> None:
    """Call `hook` after every right password at login (idempotent)."""
    if hook not in _password_accepted:
        _password_accepted.append(hook)


def login_completed_register(hook: LoginCompleted) -> None:
    """Call `hook` after every login that opened a session, once it committed (idempotent)."""
    if hook not in _login_completed:
        _login_completed.append(hook)


def _run(hook, **arguments) -> None:
    try:
        hook(**arguments)
    except Exception:
        logger.exception("login hook %s failed", getattr(hook, "__qualname__", hook))


def password_accepted(*, user: User, password: str, context: RequestContext | None) -> None:
    for hook in _password_accepted:
        _run(hook, user=user, password=password, context=context)


def login_completed(*, user: User, sid: uuid.UUID, amr: Sequence[str], context: RequestContext | None) -> None:
    """Runs the hooks when the current transaction commits (at once outside one)."""
    hooks = list(_login_completed)

    def run_all() -> None:
        for hook in hooks:
            _run(hook, user=user, sid=sid, amr=tuple(amr), context=context)

    if hooks:
        transaction.on_commit(run_all)

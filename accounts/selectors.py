"""Reads of users: by login identifier, by token, and the admin list."""

import functools
import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import LoginSession, Role, User
from common.statements import STAND_IN_DATETIME, STAND_IN_INTEGERS, STAND_IN_UUID, Statement, statement_compile


def user_by_login(*, identifier: str) -> User | None:
    """
    The user whose username or email equals `identifier`, ignoring case.

    `lower(...) = ...` uses the case-insensitive unique indexes. A username may itself look
    like an email, so an exact username match wins over an email match.
    """
    value = identifier.strip().lower()
    if not value:
        return None
    candidates = User.objects.filter(Exact(Lower("username"), value) | Exact(Lower("email"), value))[:2]
    return min(candidates, key=lambda user: user.username.lower() != value, default=None)


@functools.cache
def _user_for_token_statement() -> Statement:
    """`user_for_token`'s query, compiled once: the user's columns and whether the token's session is dead."""
    sid, now, user = STAND_IN_UUID, STAND_IN_DATETIME, STAND_IN_INTEGERS[0]
    # Fail closed: only a row that exists, is the user's, has not ended and has not expired keeps the token.
    live = LoginSession.objects.filter(sid=sid, user=OuterRef("pk"), ended_at__isnull=True, expires_at__gt=now)
    users = User.objects.annotate(session_revoked=~Exists(live)).filter(pk=user).order_by()
    columns = [field.attname for field in User._meta.concrete_fields]
    return statement_compile(users.values_list(*columns, "session_revoked"), {"sid": sid, "now": now, "user": user})


def user_for_token(*, user_id: int, sid: uuid.UUID) -> User | None:
    """
    The user of a token, annotated with `session_revoked` (its login session is not live: ended,
    expired, someone else's or unknown), in one query compiled once: it runs on every
    authenticated request (docs/performance.md).
    """
    statement = _user_for_token_statement()
    rows = statement.rows(sid=sid, now=timezone.now(), user=user_id)
    if not rows:
        return None
    *values, session_revoked = rows[0]
    user = User.from_db(statement.using, None, values)
    user.session_revoked = session_revoked
    return user


def user_list() -> QuerySet[User]:
    """Every user, oldest first (the admin list; filters are applied by the view)."""
    return User.objects.order_by("id")


def active_admin_count(*, lock: bool = False) -> int:
    """How many active admins there are; `lock=True` locks their rows until the transaction ends."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
    if lock:
        return len(admins.select_for_update().values_list("pk", flat=True))
    return admins.count()


def user_for_password_reset(*, email: str) -> User | None:
    """
    The account a reset mail for `email` goes to: active, with this email (ignoring case, never a
    pending address) and a usable password (staff who turned password login off keep it off).
    """
    value = email.strip().lower()
    user = User.objects.filter(Exact(Lower("email"), value), is_active=True).first() if value else None
    return user if user is not None and user.has_usable_password() else None


def user_for_verification_by_address(*, email: str) -> User | None:
    """The active account whose (not pending) email is `email` and still unverified."""
    value = email.strip().lower()
    if not value:
        return None
    return User.objects.filter(Exact(Lower("email"), value), is_active=True, email_verified=False).first()


def sessions_active(*, user: User) -> QuerySet[LoginSession]:
    """The user's sessions that have neither ended nor expired, newest first (the sessions page)."""
    return LoginSession.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-sid"
    )


def session_of_user_locked(*, user: User, sid: uuid.UUID) -> LoginSession:
    """One of the user's active sessions, locked until the transaction ends; Http404 for someone else's, an ended
    or an unknown one."""
    return get_object_or_404(sessions_active(user=user).select_for_update(), sid=sid)

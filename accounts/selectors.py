"""Reads of users: by login identifier, by token, and the admin list."""

import uuid

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from accounts.models import RevokedSession, Role, User


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


def user_for_token(*, user_id: int, sid: uuid.UUID) -> User | None:
    """The user of a token, annotated with `session_revoked`, in one query."""
    revoked = RevokedSession.objects.filter(sid=sid, user_id=OuterRef("pk"))
    return User.objects.annotate(session_revoked=Exists(revoked)).filter(pk=user_id).first()


def user_list() -> QuerySet[User]:
    """Every user, oldest first (the admin list; filters are applied by the view)."""
    return User.objects.order_by("id")


def active_admin_count(*, lock: bool = False) -> int:
    """How many active admins there are; `lock=True` locks their rows until the transaction ends."""
    admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
    if lock:
        return len(admins.select_for_update().values_list("pk", flat=True))
    return admins.count()

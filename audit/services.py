"""
Writes of the security log: record an event, purge old ones.

Other apps call `event_record` inside the transaction of the change it records, so a rolled-back
change leaves no event; an event that records a refusal (a failed login) is written on its own.
"""

import re
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.context import RequestContext
from audit.models import Event, SecurityEvent

UNKNOWN_EVENT = "Unknown security event {event!r}: add it to audit.models.Event (and API.md) first."
SECRET_IN_DETAIL = (
    "Security event detail key {key!r} looks like it holds a secret (password, token, code, key, secret...). "
    "Never record one; if the value is not a secret, name the key for what it is."
)
JWT_IN_DETAIL = "Security event detail value under {key!r} looks like a JWT; never record a token."

# Whole words of a detail key (snake_case, kebab-case or camelCase) that name a secret...
_SECRET_WORDS = frozenset(
    {"code", "codes", "key", "keys", "otp", "totp", "hotp", "pin", "hash", "salt", "jwt", "access", "refresh"}
    | {"signature", "credential", "credentials", "cookie", "cookies"}
)
# ...and fragments that name one wherever they appear (`apitoken`, `newpassword`).
_SECRET_FRAGMENTS = ("password", "passwd", "passphrase", "secret", "token")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.")

PURGE_BATCH_SIZE = 5_000


class SecretInDetailError(ValueError):
    """A detail key or value of a security event looks like a secret."""


def _words(key: str) -> list[str]:
    return re.split(r"[^a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower())


def _refuse_secrets(value: Any, key: str = "") -> None:
    """Raise if any key at any depth names a secret, or any string looks like a JWT."""
    if isinstance(value, dict):
        for name, item in value.items():
            lowered = str(name).lower()
            if _SECRET_WORDS.intersection(_words(str(name))) or any(f in lowered for f in _SECRET_FRAGMENTS):
                raise SecretInDetailError(SECRET_IN_DETAIL.format(key=name))
            _refuse_secrets(item, str(name))
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_secrets(item, key)
    elif isinstance(value, str) and _JWT.search(value):
        raise SecretInDetailError(JWT_IN_DETAIL.format(key=key))


def event_record(
    *,
    event: str,
    user=None,
    actor=None,
    context: RequestContext | None = None,
    detail: dict | None = None,
) -> SecurityEvent:
    """
    Record `event` about `user`'s account, done by `actor`, in the caller's current transaction.

    `actor` is the user themselves for self-service, the admin for an admin's action and None
    when nobody is signed in. `detail` holds small facts (a role before and after), never a
    secret: a key that looks like one raises SecretInDetailError, so the mistake fails in tests.
    """
    if event not in Event.values:
        raise ValueError(UNKNOWN_EVENT.format(event=event))
    detail = detail or {}
    _refuse_secrets(detail)
    return SecurityEvent.objects.create(
        event=event,
        user=user,
        actor=actor,
        ip=context.ip if context else None,
        user_agent=context.user_agent if context else "",
        request_id=context.request_id if context else "",
        detail=detail,
    )


def security_events_purge(
    *, older_than_days: int | None = None, batch_size: int = PURGE_BATCH_SIZE, pause_seconds: float = 0.0
) -> int:
    """
    Delete events older than `older_than_days` (default `AUDIT_RETENTION_DAYS`); return how many.

    The oldest `batch_size` rows go per statement, each in its own short transaction, so the
    table keeps taking inserts and reads and no lock is held for long; `pause_seconds` between
    batches leaves room for vacuum and replicas. Call it outside any transaction (the command does).
    """
    days = settings.AUDIT_RETENTION_DAYS if older_than_days is None else older_than_days
    if days < 1 or batch_size < 1:
        raise ValueError("older_than_days and batch_size must be at least 1.")
    cutoff = timezone.now() - timedelta(days=days)
    total = 0
    while True:
        with transaction.atomic():
            deleted = _delete_oldest(cutoff=cutoff, limit=batch_size)
        total += deleted
        if deleted < batch_size:
            return total
        if pause_seconds:
            time.sleep(pause_seconds)


def _delete_oldest(*, cutoff, limit: int) -> int:
    """One batch: the `limit` oldest events before `cutoff`, found through the (at, id) index."""
    quote = connection.ops.quote_name
    table, pk = quote(SecurityEvent._meta.db_table), quote(SecurityEvent._meta.pk.column)
    at = quote(SecurityEvent._meta.get_field("at").column)
    sql = (
        f"DELETE FROM {table} WHERE {pk} IN "  # noqa: S608 (names come from the model, values are parameters)
        f"(SELECT {pk} FROM {table} WHERE {at} < %s ORDER BY {at}, {pk} LIMIT %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [cutoff, limit])
        return cursor.rowcount

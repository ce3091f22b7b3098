"""Reads of API keys: the one lookup authentication makes, and an owner's list."""

import functools

from django.db.models import QuerySet

from accounts.models import User
from apikeys.models import ApiKey
from common.statements import STAND_IN_STRING, Statement, statement_compile

KEY_COLUMNS = tuple(field.attname for field in ApiKey._meta.concrete_fields)
OWNER_COLUMNS = tuple(f"owner__{field.attname}" for field in User._meta.concrete_fields)


@functools.cache
def _key_with_owner_statement() -> Statement:
    """`ApiKey.objects.select_related("owner").filter(prefix=...)`'s query as columns, compiled once."""
    keys = ApiKey.objects.filter(prefix=STAND_IN_STRING).order_by()
    return statement_compile(keys.values_list(*KEY_COLUMNS, *OWNER_COLUMNS), {"prefix": STAND_IN_STRING})


def api_key_for_authentication(*, prefix: str) -> ApiKey | None:
    """
    The key with this prefix and its owner, in one query compiled once as the JWT's user lookup is;
    None if there is none. Whether the key is usable is decided on this one row.
    """
    statement = _key_with_owner_statement()
    rows = statement.rows(prefix=prefix)
    if not rows:
        return None
    row, split = rows[0], len(KEY_COLUMNS)
    api_key = ApiKey.from_db(statement.using, None, row[:split])
    api_key.owner = User.from_db(statement.using, None, row[split:])
    return api_key


def api_key_list(*, owner: User) -> QuerySet[ApiKey]:
    """The owner's keys that are not revoked (expired ones included, so they can be seen and removed), newest first."""
    return ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).order_by("-created_at", "-id")

"""Reads of API keys: the one lookup authentication makes, and an owner's list."""

import functools

from django.db import connection
from django.db.models import Field, Model, QuerySet

from accounts.models import User
from apikeys.models import ApiKey
from common.statements import execute_prepared


@functools.cache
def _key_with_owner_sql() -> str:
    """The lookup's SQL, from the models' table and column names (no input is ever formatted in)."""
    quote = connection.ops.quote_name
    columns = [f"k.{quote(field.column)}" for field in ApiKey._meta.concrete_fields]
    columns += [f"u.{quote(field.column)}" for field in User._meta.concrete_fields]
    keys, users = quote(ApiKey._meta.db_table), quote(User._meta.db_table)
    owner, prefix = (quote(ApiKey._meta.get_field(name).column) for name in ("owner", "prefix"))
    return (
        f"SELECT {', '.join(columns)} FROM {keys} k "  # noqa: S608
        f"INNER JOIN {users} u ON u.{quote(User._meta.pk.column)} = k.{owner} WHERE k.{prefix} = %s"
    )


@functools.cache
def _converters(model: type[Model]) -> tuple[tuple[int, Field, list], ...]:
    """(column index, field, converters) of the fields whose database values need converting, as the ORM does."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        converters = connection.ops.get_db_converters(field.cached_col) + field.get_db_converters(connection)
        if converters:
            found.append((index, field, converters))
    return tuple(found)


def _instance(model: type[Model], values: list):
    for index, field, converters in _converters(model):
        for converter in converters:
            values[index] = converter(values[index], field.cached_col, connection)
    return model.from_db(connection.alias, None, values)


def api_key_for_authentication(*, prefix: str) -> ApiKey | None:
    """
    The key with this prefix and its owner, in one query; None if there is none.

    This runs on every key-authenticated request, so it is built as the JWT's user lookup is
    (`accounts.selectors.user_for_token`): the statement written once instead of by the ORM each
    time, prepared (`execute_prepared`), and its row made into models by `Model.from_db`. It is
    what `ApiKey.objects.select_related("owner").filter(prefix=prefix)` would send. Whether the
    key is usable (revoked, expired, owner deactivated) is decided on this one row.
    """
    with connection.cursor() as cursor:
        execute_prepared(cursor, _key_with_owner_sql(), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(ApiKey._meta.concrete_fields)
    api_key = _instance(ApiKey, list(row[:split]))
    api_key.owner = _instance(User, list(row[split:]))
    return api_key


def api_key_list(*, owner: User) -> QuerySet[ApiKey]:
    """The owner's keys that are not revoked (expired ones included, so they can be seen and removed), newest first."""
    return ApiKey.objects.filter(owner=owner, revoked_at__isnull=True).order_by("-created_at", "-id")

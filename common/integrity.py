"""
Unique violations as field errors: the one place a lost race on a unique index becomes a 400.

Serializers check uniqueness first for a friendly message, but two requests can pass that check
at the same time; the database decides. Its IntegrityError names the violated constraint, and
the caller maps constraint names to the field error a client would have got from the check.
"""

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def field_error(field: str, message: str, *, code: str) -> ValidationError:
    """A ValidationError on one field, with a code, as services raise them."""
    return ValidationError({field: ValidationError(message, code=code)})


# SQLite names a violated unique index only in its message.
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '([^']+)'")


def violated_constraint(exc: IntegrityError) -> str | None:
    """The violated constraint's name: psycopg's `diag.constraint_name`, or from SQLite's message."""
    diag = getattr(exc.__cause__, "diag", None)
    if name := getattr(diag, "constraint_name", None):
        return name
    match = _SQLITE_INDEX.search(str(exc))
    return match.group(1) if match else None


def save_unique(instance: models.Model, *, unique: Mapping[str, tuple[str, str]], **save_kwargs) -> None:
    """
    Save `instance` in a savepoint; violating a constraint in `unique` is a `unique` error on its field.

    `unique` maps constraint names to `(field, message)`. The savepoint leaves a surrounding
    transaction usable after the conflict; any other integrity error propagates unchanged.
    """
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError as exc:
        field_message = unique.get(violated_constraint(exc))
        if field_message is None:
            raise
        raise field_error(*field_message, code="unique") from exc

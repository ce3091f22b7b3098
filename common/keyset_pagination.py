"""
Keyset ("cursor") pagination for lists that grow without bound (the feed, the security log).

Page-number pagination runs `COUNT(*)` and an `OFFSET` scan on every page, and both grow with
the table. A keyset page is one index range scan that starts right after the last row the
client saw, `WHERE (score, id) < (%s, %s) ORDER BY score DESC, id DESC LIMIT 21`, so page 1
and page 50,000 of a million rows cost the same. The cursor is an opaque token holding that
last row's ordering values; the ordering must end with the primary key so the position is
unique, and each ordering a view offers needs a matching index.

The body keeps the API's list shape: `results`, `next`, `previous` (absolute URLs or null),
without `count`.
"""

import base64
import binascii
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.db.models import F, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common.pagination import PageNumberPagination
from common.statements import STAND_IN_DATETIME, STAND_IN_INTEGERS

INVALID_CURSOR = "Invalid cursor: follow the `next` and `previous` links as they are."


class Row(Func):
    """
    SQL row value, compared element by element: `(a, b) < (x, y)`, an index condition on PostgreSQL.

    Written without the `ROW` keyword, which SQLite (the zero-setup database) does not know.
    """

    template = "(%(expressions)s)"
    output_field = models.Field()


@dataclass(frozen=True)
class Cursor:
    ordering: str
    key: tuple[Any, ...]
    reverse: bool


class KeysetPagination(BasePagination):
    """Cursor pagination on the queryset's own ordering (which must end with the primary key)."""

    page_size = api_settings.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100
    cursor_query_param = "cursor"
    # The same `page_size` rule as every other list: 400 when malformed, clamped at 100.
    get_page_size = PageNumberPagination.get_page_size

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        def fetch(cursor: Cursor | None, limit: int) -> list:
            page = queryset if cursor is None else keyset_after(queryset, self.ordering, cursor.key, cursor.reverse)
            return list(page[:limit])

        return self.paginate_rows(request, self._ordering(queryset), queryset.model, fetch)

    def paginate_rows(self, request, ordering: tuple[str, ...], model, fetch) -> list:
        """
        One page from `fetch(cursor, limit)`: up to `limit` rows after `cursor` (None: from the start) in
        `ordering`, backwards when the cursor is reversed; model instances or typed rows (the feed's fast path).
        """
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.ordering = ordering
        self.cursor = self._decode_cursor(request, model)
        rows = fetch(self.cursor, self.page_size + 1)
        self.has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if self.cursor is not None and self.cursor.reverse:
            rows.reverse()
        self.rows = rows
        return rows

    def get_paginated_response(self, data) -> Response:
        links = [("next", self.get_next_link()), ("previous", self.get_previous_link())]
        return Response(OrderedDict([*links, ("results", data)]))

    def get_next_link(self) -> str | None:
        backwards = self.cursor is not None and self.cursor.reverse
        if backwards and not self.rows:
            return remove_query_param(self.base_url, self.cursor_query_param)
        if (backwards and self.rows) or self.has_more:
            return self._link(self.rows[-1], reverse=False)
        return None

    def get_previous_link(self) -> str | None:
        if self.cursor is None or not self.rows:
            return None
        if not self.cursor.reverse or self.has_more:
            return self._link(self.rows[0], reverse=True)
        return None

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "example": f"http://api.example.org/items/?{self.cursor_query_param}=eyJvIjoi..."},
                "previous": link,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a `next` or `previous` link; a malformed one is a 404.",
                "schema": {"type": "string", "minLength": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page, default {self.page_size}; more than {self.max_page_size} is clamped.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

    # --- keyset ------------------------------------------------------------------------------

    def _ordering(self, queryset: QuerySet) -> tuple[str, ...]:
        ordering = tuple(queryset.query.order_by or queryset.model._meta.ordering)
        plain = all(isinstance(name, str) and "__" not in name for name in ordering)
        one_direction = len({name.startswith("-") for name in ordering if isinstance(name, str)}) == 1
        valid = plain and one_direction and ordering[-1].lstrip("-") in ("id", "pk")
        assert valid, f"KeysetPagination needs own fields in one direction ending with the id, not {ordering!r}."
        return ordering

    def _names(self) -> list[str]:
        return [name.lstrip("-") for name in self.ordering]

    def _link(self, row, *, reverse: bool) -> str:
        key = [getattr(row, name) for name in self._names()]
        token = cursor_encode(self.ordering, key, reverse=reverse)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _decode_cursor(self, request, model) -> Cursor | None:
        token = request.query_params.get(self.cursor_query_param)
        if token is None:
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            ordering, raw_key, reverse = payload["o"], payload["k"], payload["r"]
            if ordering != ",".join(self.ordering) or reverse not in (0, 1) or len(raw_key) != len(self.ordering):
                raise ValueError("cursor from another ordering")
            fields = [model._meta.get_field(name) for name in self._names()]
            key = tuple(_from_json(field, value) for field, value in zip(fields, raw_key, strict=True))
        except (ValueError, TypeError, KeyError, binascii.Error, DjangoValidationError) as error:
            raise NotFound(INVALID_CURSOR) from error
        return Cursor(ordering=ordering, key=key, reverse=bool(reverse))


def keyset_beyond(model, ordering: tuple[str, ...], key: tuple[Any, ...], *, reverse: bool) -> LessThan | GreaterThan:
    """Rows strictly after `key` in `ordering` (before it when `reverse`): `(a, b) < (x, y)` for a descending one."""
    descending = ordering[0].startswith("-")
    lookup = LessThan if descending != reverse else GreaterThan
    fields = [model._meta.get_field(name.lstrip("-")) for name in ordering]
    # Each value typed as its column (a bigint id stays bigint with server-side binding).
    values = (Value(value, output_field=field) for field, value in zip(fields, key, strict=True))
    return lookup(Row(*(F(field.name) for field in fields)), Row(*values))


def keyset_after(queryset: QuerySet, ordering: tuple[str, ...], key: tuple[Any, ...], reverse: bool) -> QuerySet:
    """The rows of `queryset` strictly after `key` in `ordering`, nearest first: before it, reversed, when `reverse`."""
    page = queryset.filter(keyset_beyond(queryset.model, ordering, key, reverse=reverse))
    return page.reverse() if reverse else page


def keyset_slots(key: tuple[Any, ...]) -> dict[str, Any]:
    """A cursor key's values by the names a compiled page statement binds them under (common.fastpaths)."""
    return {f"key{index}": value for index, value in enumerate(key)}


def keyset_stand_ins(model, ordering: tuple[str, ...]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """A stand-in key for `ordering` (common.statements) to compile a page after it, and its stand-ins by name."""
    fields = [model._meta.get_field(name.lstrip("-")) for name in ordering]
    key = [STAND_IN_DATETIME if field.get_internal_type() == "DateTimeField" else None for field in fields]
    key = tuple(value or STAND_IN_INTEGERS[index + 1] for index, value in enumerate(key))
    assert key.count(STAND_IN_DATETIME) <= 1, "one stand-in datetime per statement: order by one datetime at most"
    return key, keyset_slots(key)


def cursor_encode(ordering: tuple[str, ...], key: list[Any], *, reverse: bool = False) -> str:
    """The opaque cursor for the row with ordering values `key` (also used by the benchmark to jump deep)."""
    values = [_to_json(value) for value in key]
    payload = json.dumps({"o": ",".join(ordering), "k": values, "r": int(reverse)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _from_json(field: models.Field, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("cursor values are strings or integers")
    parsed = field.to_python(value)
    if parsed is None or (isinstance(parsed, datetime) and timezone.is_naive(parsed)):
        raise ValueError("cursor value is empty or has no time zone")
    # Within the column's own range (int4 for a score): the value is bound as that type.
    low, high = (
        connection.ops.integer_field_range(field.get_internal_type())
        if isinstance(field, models.IntegerField)
        else (None, None)
    )
    if isinstance(field, models.IntegerField) and not (isinstance(value, int) and low <= value <= high):
        raise ValueError("integer cursor values are JSON integers within the column's range")
    return parsed

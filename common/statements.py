"""
SQL compiled once from an ORM queryset, for the few reads every request of a kind makes.

Building and compiling a queryset costs more than the database's answer, and the SQL is the same
on every request but for a few values (the caller's id, a cursor, a limit). `statement_compile`
compiles a `values_list()` queryset once with stand-ins for those and remembers which parameter
each became; `Statement.rows` runs it with the request's values (prepared on PostgreSQL,
common.postgresql) and returns typed rows. The SQL is exactly what the ORM would send.
"""

import collections
import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import QuerySet

# Values no request ever sends, one per type, so a compiled parameter equal to one of them is known
# to be that stand-in (and not a constant of the queryset, which is kept as it is).
STAND_IN_INTEGERS = range(-987_654_321, -987_654_300)
STAND_IN_DATETIME = datetime(1901, 2, 3, 4, 5, 6, 987_654, tzinfo=UTC)
STAND_IN_STRING = "\x01stand-in\x01"
STAND_IN_UUID = uuid.UUID("00000000-dead-4bee-8f00-000000000001")


@dataclass(frozen=True)
class Slot:
    """A request value's place in a compiled statement's parameters, and how the ORM prepared the stand-in."""

    name: str
    prepare: Callable[[Any], Any]

    def value(self, values: dict[str, Any]) -> Any:
        return self.prepare(values[self.name])


@dataclass(frozen=True)
class Statement:
    """Compiled SQL and its parameters: constants of the queryset and `Slot`s for request values."""

    sql: str
    params: tuple[Any, ...]
    using: str
    # The rows' type: a named tuple of the columns, in order (values() aliases each column by its name).
    row_type: type[NamedTuple]
    # (column index, the ORM's converters, column expression): what turns a database value into the
    # Python value the ORM would give (on PostgreSQL only `int()` for an integer subquery such as the
    # feed's `my_vote`; on SQLite also datetimes and booleans).
    converters: tuple[tuple[int, list, Any], ...] = ()

    def rows(self, *extra: Any, **values: Any) -> list[NamedTuple]:
        """The rows for these slot values (and `extra` parameters appended: a LIMIT)."""
        connection = connections[self.using]
        params = [param.value(values) if isinstance(param, Slot) else param for param in self.params]
        with connection.cursor() as cursor:
            # Prepared, binary rows on PostgreSQL; other databases have no such call.
            getattr(cursor, "execute_prepared", cursor.execute)(self.sql, [*params, *extra])
            rows = cursor.fetchall()
        make = self.row_type._make
        if not self.converters:
            return [make(row) for row in rows]
        return [make(self._convert(list(row), connection)) for row in rows]

    def _convert(self, row: list, connection) -> list:
        for index, converters, expression in self.converters:
            for converter in converters:
                row[index] = converter(row[index], expression, connection)
        return row


def statement_compile(queryset: QuerySet, stand_ins: dict[str, Any] | None = None, suffix: str = "") -> Statement:
    """
    Compile a `values()` queryset once; `stand_ins` maps slot names to the stand-in values used to build it.

    `suffix` is appended to the SQL (`LIMIT %s`, whose value `rows()` takes as `extra`): slicing
    would bake the number into the SQL.
    """
    query = queryset.query
    assert not query.is_sliced, "Compile the queryset unsliced and pass LIMIT as a suffix."
    assert query.values_select or query.annotation_select, "Compile a values() queryset: rows are named by its fields."
    compiler = query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return Statement(
        sql=f"{sql} {suffix}".strip(),
        params=_slotted(params, stand_ins, queryset.db),
        using=queryset.db,
        row_type=collections.namedtuple("Row", [alias for _, _, alias in compiler.select]),
        converters=tuple((index, funcs, expression) for index, (funcs, expression) in converters.items()),
    )


def count_compile(queryset: QuerySet, stand_ins: dict[str, Any] | None = None, suffix: str = "") -> Statement:
    """`SELECT count(*)` of a queryset's rows, compiled once (what `queryset.count()` sends); one row, `count`."""
    inner = statement_compile(queryset.order_by().values_list("pk"), stand_ins, suffix)
    sql = f"SELECT count(*) FROM ({inner.sql}) AS counted"  # noqa: S608 - compiled SQL, values are parameters
    return Statement(sql=sql, params=inner.params, using=inner.using, row_type=collections.namedtuple("Row", ["count"]))


def _slotted(params: tuple | list, stand_ins: dict[str, Any] | None, using: str) -> tuple[Any, ...]:
    """The compiled parameters with each stand-in replaced by its `Slot`; fails if a stand-in is not among them."""
    connection = connections[using]
    # Each stand-in as the ORM binds it: a datetime goes through the backend (a string on SQLite), a
    # UUID is its hex without a native type; a number may come back wrapped (psycopg's Int4 with
    # server-side binding, so PostgreSQL knows its type), found by equality, and the request's value
    # is then wrapped alike.
    prepared = {}
    for name, value in (stand_ins or {}).items():
        adapt = None
        if isinstance(value, datetime):
            adapt = connection.ops.adapt_datetimefield_value
        elif isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
            adapt = _uuid_hex
        prepared[adapt(value) if adapt else value] = (name, adapt)
    compiled = []
    for param in params:
        if not _is_stand_in(param, prepared):
            compiled.append(param)
            continue
        name, adapt = prepared[param]
        compiled.append(Slot(name, adapt or functools.partial(_as_type, type(param))))
    missing = {name for name, _ in prepared.values()} - {param.name for param in compiled if isinstance(param, Slot)}
    assert not missing, f"Stand-ins {sorted(missing)} are not parameters of the SQL; build the query with them."
    return tuple(compiled)


def _uuid_hex(value: uuid.UUID) -> str:
    return value.hex


def _as_type(kind: type, value: Any) -> Any:
    return value if type(value) is kind else kind(value)


def _is_stand_in(param: Any, prepared: dict) -> bool:
    try:
        return param in prepared
    except TypeError:  # an unhashable constant (a list for `IN`) is never a stand-in
        return False

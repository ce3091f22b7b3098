"""
SQL statements compiled once from ORM querysets, for the hottest list pages.

Building a queryset and compiling it to SQL costs more than the database takes to answer a
page (≈ 2 ms of a 6 ms feed request, measured with cProfile), and the SQL is the same on every
request but for a few values: the caller's id, a cursor position, a page's limit and offset.
`statement_compile` compiles the queryset once, with stand-in values for those, and remembers
which parameter each stand-in became; `Statement.rows` then runs that SQL with the request's
values through `connection.cursor()` and returns plain dicts (no model instances). The
queryset stays the one source of the query: the SQL is exactly what the ORM would send.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery
from psycopg.pq import Format

# Values no request ever sends, one per type, so a compiled parameter equal to one of them is known
# to be that stand-in (and not a constant of the queryset, which is kept as it is).
STAND_IN_INTEGERS = range(-987_654_321, -987_654_300)
STAND_IN_DATETIME = datetime(1901, 2, 3, 4, 5, 6, 987_654, tzinfo=UTC)


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
    # The names of the columns, in order (`rows` returns dicts of them): values() aliases each column
    # by its name, so `statement_compile` reads them once instead of from each cursor's description.
    columns: tuple[str, ...] = ()
    # (column index, the ORM's converters, column expression): what turns a database value into the
    # Python value the ORM would give (on PostgreSQL only `int()` for an integer subquery such as the
    # feed's `my_vote`; on SQLite also datetimes and booleans).
    converters: tuple[tuple[int, list, Any], ...] = ()

    def _execute(self, cursor, extra: tuple, values: dict[str, Any]) -> None:
        params = [param.value(values) if isinstance(param, Slot) else param for param in self.params]
        execute_prepared(cursor, self.sql, [*params, *extra])

    def rows(self, *extra: Any, **values: Any) -> list[dict[str, Any]]:
        """The rows for these slot values (and `extra` parameters appended: LIMIT/OFFSET) as dicts."""
        connection = connections[self.using]
        with connection.cursor() as cursor:
            self._execute(cursor, extra, values)
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(list(row), connection) for row in rows]
        return [dict(zip(self.columns, row, strict=True)) for row in rows]

    def _convert(self, row: list, connection) -> list:
        for index, converters, expression in self.converters:
            for converter in converters:
                row[index] = converter(row[index], expression, connection)
        return row

    def value(self, *extra: Any, **values: Any) -> Any:
        """The single value of a one-row, one-column statement (a count)."""
        with connections[self.using].cursor() as cursor:
            self._execute(cursor, extra, values)
            return cursor.fetchone()[0]

    def run(self, *extra: Any, **values: Any) -> int:
        """Run a statement that returns no rows (an UPDATE); the number of rows it changed."""
        with connections[self.using].cursor() as cursor:
            self._execute(cursor, extra, values)
            return cursor.rowcount


def execute_prepared(cursor, sql: str, params: list) -> None:
    """
    Run a statement written once (a compiled statement, authentication's lookup) through Django's
    cursor, on PostgreSQL with server-side binding as a prepared statement with binary rows.

    Prepared: PostgreSQL parses and plans it once per connection instead of on every request
    (planning was 0.24 of the feed query's 0.26 ms). Only these statements are prepared
    (`prepare_threshold` is None for every other query): an ORM query whose best plan depends
    on its values, such as a search pattern served by a trigram index, would get a generic plan
    after five runs, and a feed search took 51-61 ms instead of 5-7 ms that way (measured).
    Binary rows: psycopg parses no text for timestamps and numbers (a feed page of 20: 0.96 ->
    0.69 ms from execute to rendered dicts, measured); the values are the same Python objects.
    """
    connection = cursor.db
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("server_side_binding") is not True:
        cursor.execute(sql, params)
        return
    cursor.cursor.format = Format.BINARY  # this cursor is the statement's alone
    connection.connection.prepare_threshold = 0  # prepare now (or use the prepared one), for this call only
    try:
        cursor.execute(sql, params)
    finally:
        connection.connection.prepare_threshold = None


def statement_compile(queryset: QuerySet, stand_ins: dict[str, Any] | None = None, suffix: str = "") -> Statement:
    """
    Compile a `values()` queryset once; `stand_ins` maps slot names to the stand-in values used to build it.

    `suffix` is appended to the SQL (`LIMIT %s OFFSET %s`, whose values `rows()` takes as
    `extra`): slicing would bake the numbers into the SQL.
    """
    query = queryset.query
    assert not query.is_sliced, "Compile the queryset unsliced and pass LIMIT/OFFSET as a suffix."
    assert query.values_select, "Compile a values() queryset: the statement returns dicts named by its fields."
    compiler = query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return Statement(
        sql=f"{sql} {suffix}".strip(),
        params=_slotted(params, stand_ins, queryset.db),
        using=queryset.db,
        columns=tuple(alias for _, _, alias in compiler.select),
        converters=tuple((index, funcs, expression) for index, (funcs, expression) in converters.items()),
    )


def update_compile(queryset: QuerySet, changes: dict[str, Any], stand_ins: dict[str, Any] | None = None) -> Statement:
    """
    `queryset.update(**changes)` compiled once, the same UPDATE the ORM sends; run it with `Statement.run`.

    For updates made while a row lock is held (a vote): building and compiling the ORM's UPDATE
    is time every other writer of that row waits.
    """
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(changes)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return Statement(sql=sql, params=_slotted(params, stand_ins, queryset.db), using=queryset.db)


def _slotted(params: tuple | list, stand_ins: dict[str, Any] | None, using: str) -> tuple[Any, ...]:
    """The compiled parameters with each stand-in replaced by its `Slot`; fails if a stand-in is not among them."""
    connection = connections[using]
    # Each stand-in as the ORM binds it: a datetime goes through the backend (a string on SQLite);
    # a number may come back wrapped (psycopg's Int4 with server-side binding, so PostgreSQL knows
    # its type), found by equality, and the request's value is then wrapped alike.
    prepared = {}
    for name, value in (stand_ins or {}).items():
        adapt = connection.ops.adapt_datetimefield_value if isinstance(value, datetime) else None
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


def _as_type(kind: type, value: Any) -> Any:
    return value if type(value) is kind else kind(value)


def _is_stand_in(param: Any, prepared: dict) -> bool:
    try:
        return param in prepared
    except TypeError:  # an unhashable constant (a list for `IN`) is never a stand-in
        return False


def count_compile(queryset: QuerySet, stand_ins: dict[str, Any] | None = None) -> Statement:
    """`SELECT count(*)` of a queryset's rows, compiled once (what `queryset.count()` sends, as a subquery)."""
    inner = statement_compile(queryset.order_by().values("pk"), stand_ins)
    sql = f"SELECT count(*) FROM ({inner.sql}) AS counted"  # noqa: S608 - compiled SQL, values are parameters
    return Statement(sql=sql, params=inner.params, using=inner.using)


class CompiledList:
    """
    A list's rows through compiled statements, as Django's `Paginator` reads them: `count()` and slices.

    So DRF's page-number pagination (page validation, links, 404s) runs unchanged over dicts.
    """

    def __init__(self, *, count: Statement, page: Statement, **values: Any):
        self._count, self._page, self._values = count, page, values

    ordered = True  # the page statement carries the queryset's ORDER BY

    def count(self) -> int:
        return self._count.value(**self._values)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, bounds: slice) -> list[dict[str, Any]]:
        assert isinstance(bounds, slice), "CompiledList is read a page (a slice) at a time."
        assert bounds.step is None, "CompiledList pages have no step."
        start = bounds.start or 0
        return self._page.rows(bounds.stop - start, start, **self._values)

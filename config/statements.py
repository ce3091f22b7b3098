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

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# Values no request ever sends, one per type, so a compiled parameter equal to one of them is known
# to be that stand-in (and not a constant of the queryset, which is kept as it is).
STAND_IN_INTEGERS = range(-987_654_321, -987_654_300)
STAND_IN_DATETIME = datetime(1901, 2, 3, 4, 5, 6, 987_654, tzinfo=UTC)


@dataclass(frozen=True)
class Slot:
    """A request value's place in a compiled statement's parameters, and the type Django gave the stand-in."""

    name: str
    kind: type

    def value(self, values: dict[str, Any]) -> Any:
        # With server-side binding Django wraps some numbers (psycopg's Int4...) so PostgreSQL knows
        # their type; the request's value gets the same wrapper, so the prepared statement is reused.
        value = values[self.name]
        return value if type(value) is self.kind else self.kind(value)


@dataclass(frozen=True)
class Statement:
    """Compiled SQL and its parameters: constants of the queryset and `Slot`s for request values."""

    sql: str
    params: tuple[Any, ...]
    using: str

    def _execute(self, cursor, extra: tuple, values: dict[str, Any]) -> None:
        params = [param.value(values) if isinstance(param, Slot) else param for param in self.params]
        cursor.execute(self.sql, [*params, *extra])

    def rows(self, *extra: Any, **values: Any) -> list[dict[str, Any]]:
        """The rows for these slot values (and `extra` parameters appended: LIMIT/OFFSET) as dicts."""
        with connections[self.using].cursor() as cursor:
            self._execute(cursor, extra, values)
            columns = [column.name for column in cursor.description]  # values() aliases each column by its name
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def value(self, *extra: Any, **values: Any) -> Any:
        """The single value of a one-row, one-column statement (a count)."""
        with connections[self.using].cursor() as cursor:
            self._execute(cursor, extra, values)
            return cursor.fetchone()[0]


def statement_compile(queryset: QuerySet, stand_ins: dict[str, Any] | None = None, suffix: str = "") -> Statement:
    """
    Compile a `values()` queryset once; `stand_ins` maps slot names to the stand-in values used to build it.

    `suffix` is appended to the SQL (`LIMIT %s OFFSET %s`, whose values `rows()` takes as
    `extra`): slicing would bake the numbers into the SQL.
    """
    query = queryset.query
    assert not query.is_sliced, "Compile the queryset unsliced and pass LIMIT/OFFSET as a suffix."
    assert query.values_select, "Compile a values() queryset: the statement returns dicts named by its fields."
    sql, params = query.get_compiler(queryset.db).as_sql()
    names = {value: name for name, value in (stand_ins or {}).items()}
    compiled = tuple(Slot(names[param], type(param)) if _is_stand_in(param, names) else param for param in params)
    missing = set(names.values()) - {param.name for param in compiled if isinstance(param, Slot)}
    assert not missing, f"Stand-ins {sorted(missing)} are not parameters of the SQL; build the query with them."
    return Statement(sql=f"{sql} {suffix}".strip(), params=compiled, using=queryset.db)


def _is_stand_in(param: Any, names: dict) -> bool:
    try:
        return param in names
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

"""
Fast paths for a ViewSet's hottest reads, through DRF's own hooks.

A list or detail request that only pagination shapes (no filter, no search, nothing unknown, each
parameter once) has nothing for a FilterSet to check or apply, and its page needs no model
instances. For such a request `FastPathsMixin` reads the view's rows through statements compiled
once from the view's own queryset (`queryset_for`, common.statements: building and compiling a
queryset cost more than the database's answer) and renders them with a renderer derived from the
view's serializer (common.rows). DRF's `list` and `retrieve` run unchanged; the mixin answers
their hooks:

- `get_queryset` / `filter_queryset`: nothing is built or filtered (the statements hold it);
- `paginate_queryset`: the page as typed rows, through the view's own paginator (page numbers and
  counts, or keyset cursors: the same links, the same 404s);
- `get_object`: the row, or 404 as DRF's, with the view's object permissions checked on it;
- `get_serializer`: for those rows, an object whose `data` is the derived renderer's output.

Any other request, and every request while the `FAST_PATHS` setting is off, takes DRF's path with
`queryset_for(request.user)`; tests compare both, byte for byte, for every view with the mixin and
every role (config/tests/test_fast_path_parity.py).

A statement is compiled per view, per what shapes it (an ordering, a cursor's direction) and per
`fast_key`: the attributes of the caller that `queryset_for` reads. It is compiled with a
`Caller` that has exactly those attributes (those in `fast_key_parameters` as stand-ins bound per
request, the others as the caller's own: a statement per value). A queryset that reads anything
else of the caller fails when it is compiled, instead of serving one caller's SQL to another.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404

from common.filters import MAX_ID, only_parameters
from common.keyset_pagination import KeysetPagination, keyset_after, keyset_slots, keyset_stand_ins
from common.rows import RowRenderer, row_renderer
from common.statements import STAND_IN_INTEGERS, Statement, count_compile, statement_compile

_statements: dict[tuple, Statement] = {}
_renderers: dict[type, RowRenderer] = {}
OBJECT_STAND_IN = STAND_IN_INTEGERS[0]


class Caller:
    """The caller as `queryset_for` sees it while a statement is compiled: what `fast_key` names, no more."""

    def __init__(self, view: str, attributes: dict[str, Any]):
        self.__dict__.update(attributes)
        self._view = view

    def __getattr__(self, name: str):  # only for attributes it does not have
        raise ImproperlyConfigured(
            f"{self._view}.queryset_for read `user.{name}` while its fast path's statement was compiled, and "
            f"{self._view}.fast_key does not name it: add it there (compiled in per value, or bound as a parameter)."
        )


class CompiledRows:
    """A list's rows through compiled statements, as Django's Paginator reads them: `count()` and a slice."""

    ordered = True  # the page statement carries the queryset's ORDER BY

    def __init__(self, count: int, page: Callable[[int, int], list]):
        self._count, self._page = count, page

    def count(self) -> int:
        return self._count

    def __getitem__(self, bounds: slice) -> list:
        start = bounds.start or 0
        return self._page(bounds.stop - start, start)


class Rendered:
    """What `get_serializer` gives for rows on a fast path: only `data`, which DRF's list and retrieve read."""

    def __init__(self, data):
        self.data = data


def fast_statements_clear() -> None:
    """Forget every compiled statement (tests that change what a view's queryset reads)."""
    _statements.clear()


class FastPathsMixin:
    # Per action ("list", "retrieve"), the query parameters its fast path serves.
    fast_parameters: Mapping[str, frozenset[str]] = {}
    # The attributes of the caller `queryset_for` reads, and which of them are bound per request as
    # parameters (the others are compiled in: a statement per value).
    fast_key: tuple[str, ...] = ()
    fast_key_parameters: tuple[str, ...] = ()
    # Annotations of the queryset that the serializer renders (common.rows.row_renderer).
    fast_annotations: tuple[str, ...] = ()
    # Columns beyond the serializer's that the rows carry (what object permissions read).
    fast_extra_columns: tuple[str, ...] = ()

    _fast_served = None

    def queryset_for(self, user) -> QuerySet:
        """The view's rows for this caller, on both paths (a real user on DRF's, a `Caller` when compiling)."""
        raise NotImplementedError

    def fast_ordering(self, params) -> tuple[str, ...] | None:
        """A keyset list's database ordering for these parameters; None for a value only DRF's path answers."""
        raise NotImplementedError

    def fast_count(self) -> int | None:
        """The list's length when the view knows it without counting rows; None: a compiled COUNT."""
        return None

    def fast_path(self) -> bool:
        """Whether this request takes the fast path (decided once per request)."""
        decided = self.__dict__.get("_fast")
        if decided is None:
            allowed = self.fast_parameters.get(self.action)
            params = self.request.query_params
            decided = self._fast = bool(
                allowed is not None
                and settings.FAST_PATHS
                and only_parameters(params, allowed)
                and (self.action != "list" or not self._keyset() or self.fast_ordering(params) is not None)
            )
        return decided

    def fast_renderer(self) -> RowRenderer:
        serializer_class = self.get_serializer_class()
        renderer = _renderers.get(serializer_class)
        if renderer is None:
            renderer = _renderers[serializer_class] = row_renderer(serializer_class, self.fast_annotations)
        return renderer

    def fast_columns(self) -> tuple[str, ...]:
        return self.fast_renderer().columns + self.fast_extra_columns

    # --- DRF's hooks ----------------------------------------------------------------------------

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return self.get_serializer_class().Meta.model.objects.none()
        if self.fast_path():
            return None  # read by the compiled statements
        return self.queryset_for(self.request.user)

    def filter_queryset(self, queryset):
        return queryset if self.fast_path() else super().filter_queryset(queryset)

    def paginate_queryset(self, queryset):
        if not self.fast_path():
            return super().paginate_queryset(queryset)
        self._fast_served = page = self._keyset_page() if self._keyset() else self._numbered_page()
        return page

    def get_object(self):
        if not self.fast_path():
            return super().get_object()
        row = self._object_row()
        if row is None:
            raise Http404  # as DRF's `get_object`
        self.check_object_permissions(self.request, row)
        self._fast_served = row
        return row

    def get_serializer(self, *args, **kwargs):
        if args and args[0] is not None and args[0] is self._fast_served:
            render = self.fast_renderer().render
            rows = args[0]
            return Rendered([render(row) for row in rows] if kwargs.get("many") else render(rows))
        return super().get_serializer(*args, **kwargs)

    # --- the pages and the object -----------------------------------------------------------------

    def _keyset(self) -> bool:
        return isinstance(self.paginator, KeysetPagination)

    def _numbered_page(self) -> list:
        page = self._statement("page", self._rows_queryset, suffix="LIMIT %s OFFSET %s")
        count = self.fast_count()
        if count is None:
            count = self._bound_rows(self._statement("count", self._rows_queryset, compile=count_compile))[0].count
        rows = CompiledRows(count, lambda limit, offset: self._bound_rows(page, limit, offset))
        return self.paginator.paginate_queryset(rows, self.request, view=self)

    def _keyset_page(self) -> list:
        ordering = self.fast_ordering(self.request.query_params)

        def fetch(cursor, limit):
            direction = None if cursor is None else cursor.reverse
            statement = self._statement("keyset", self._keyset_queryset, ordering, direction, suffix="LIMIT %s")
            return self._bound_rows(statement, limit, **({} if cursor is None else keyset_slots(cursor.key)))

        model = self.get_serializer_class().Meta.model
        return self.paginator.paginate_rows(self.request, ordering, model, fetch)

    def _object_row(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        pk = int(value) if value.isdigit() else 0
        if not 0 < pk <= MAX_ID:
            return None
        rows = self._bound_rows(self._statement("object", self._object_queryset), object=pk)
        return rows[0] if rows else None

    def _rows_queryset(self, caller) -> tuple[QuerySet, dict]:
        return self.queryset_for(caller).values_list(*self.fast_columns(), named=True), {}

    def _keyset_queryset(self, caller, ordering, direction) -> tuple[QuerySet, dict]:
        queryset = self.queryset_for(caller).order_by(*ordering)
        stand_ins = {}
        if direction is not None:
            key, stand_ins = keyset_stand_ins(queryset.model, ordering)
            queryset = keyset_after(queryset, ordering, key, direction)
        return queryset.values_list(*self.fast_columns(), named=True), stand_ins

    def _object_queryset(self, caller) -> tuple[QuerySet, dict]:
        queryset = self.queryset_for(caller).order_by().filter(pk=OBJECT_STAND_IN)
        return queryset.values_list(*self.fast_columns(), named=True), {"object": OBJECT_STAND_IN}

    # --- compiled statements, per caller key ------------------------------------------------------

    def _statement(self, name: str, build, *shape, suffix: str = "", compile=statement_compile) -> Statement:
        """`build(caller, *shape)` (a queryset and its stand-ins) compiled once per view, name, shape and key."""
        user, bound = self.request.user, self.fast_key_parameters
        compiled_in = tuple(
            (attribute, getattr(user, attribute)) for attribute in self.fast_key if attribute not in bound
        )
        key = (type(self), name, shape, compiled_in)
        statement = _statements.get(key)
        if statement is None:
            stand_ins = {f"caller.{attribute}": STAND_IN_INTEGERS[-1 - index] for index, attribute in enumerate(bound)}
            attributes = dict(compiled_in) | {attribute: stand_ins[f"caller.{attribute}"] for attribute in bound}
            queryset, more = build(Caller(type(self).__name__, attributes), *shape)
            statement = _statements.setdefault(key, compile(queryset, stand_ins | more, suffix))
        return statement

    def _bound_rows(self, statement: Statement, *extra, **values) -> list:
        user = self.request.user
        bound = {f"caller.{attribute}": getattr(user, attribute) for attribute in self.fast_key_parameters}
        return statement.rows(*extra, **bound, **values)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not set(cls.fast_key_parameters) <= set(cls.fast_key):
            raise ImproperlyConfigured(f"{cls.__name__}.fast_key_parameters must be attributes in its fast_key.")
        if "retrieve" in cls.fast_parameters and cls.lookup_field != "pk":
            raise ImproperlyConfigured(f"{cls.__name__}'s retrieve fast path reads objects by pk only.")

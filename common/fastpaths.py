"""
Fast paths for a ViewSet's hottest reads, through DRF's own hooks.

A list or detail request that only pagination shapes (no filter, no search, nothing unknown, each
parameter once) has nothing for a FilterSet to check or apply, and its page needs no model
instances: `FastPathsMixin` then reads the page as typed rows (`values_list(named=True)`, or a
statement compiled once where building the queryset would cost more than the database: the feed
and a post) and renders them with a renderer derived from the view's serializer
(`common.rows`). DRF's `list` and `retrieve` run unchanged; the mixin answers three of their
hooks:

- `paginate_queryset`: the page as rows, through the view's own paginator (same links, same 404s);
- `get_object`: the row, or 404 as DRF's, with the view's object permissions checked on it;
- `get_serializer`: for those rows, an object whose `data` is the derived renderer's output.

Any other request, and every request while the `FAST_PATHS` setting is off, takes DRF's path;
tests compare both, byte for byte, for every view with the mixin and every role
(`config/tests/test_fast_path_parity.py`).

A compiled statement is cached per view, per what shapes it (an ordering...) and per `fast_key`:
the attributes of the caller its selectors read. The selector is compiled with a `Caller` that
has exactly those attributes (those in `fast_key_parameters` as stand-in values bound per
request, the others as the caller's own, one statement per value): a selector that reads
anything else of the caller fails when its statement is compiled, instead of serving one
caller's SQL to another.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404

from common.filters import only_parameters
from common.rows import RowRenderer, row_renderer
from common.statements import STAND_IN_INTEGERS, Statement, statement_compile

_statements: dict[tuple, Statement] = {}
_renderers: dict[type, RowRenderer] = {}


class Caller:
    """The caller as a compiled statement's selector sees it: the attributes its view's `fast_key` names, no more."""

    def __init__(self, view: str, attributes: dict[str, Any]):
        self.__dict__.update(attributes)
        self._view = view

    def __getattr__(self, name: str):  # only for attributes it does not have
        raise ImproperlyConfigured(
            f"A selector compiled for {self._view}'s fast path read `user.{name}`, which {self._view}.fast_key does "
            f"not name: add it there, so the statement is compiled per its value or bound as a parameter."
        )


class Counted:
    """Rows whose count the view knows without `COUNT(*)` (`fast_count`), as Django's Paginator reads them."""

    ordered = True

    def __init__(self, rows: QuerySet, count: int):
        self._rows, self._count = rows, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, bounds):
        return self._rows[bounds]


class Rendered:
    """What `get_serializer` gives for rows on a fast path: only `data`, which DRF's list and retrieve read."""

    def __init__(self, data):
        self.data = data


def fast_statements_clear() -> None:
    """Forget every compiled statement (tests that change a selector)."""
    _statements.clear()


class FastPathsMixin:
    # Per action ("list", "retrieve"), the query parameters its fast path serves.
    fast_parameters: Mapping[str, frozenset[str]] = {}
    # The attributes of the caller its compiled statements' selectors read, and which of them are bound
    # per request as parameters (the others are compiled in: a statement per value).
    fast_key: tuple[str, ...] = ()
    fast_key_parameters: tuple[str, ...] = ()
    # Annotations of the queryset that the serializer renders (`common.rows.row_renderer`).
    fast_annotations: tuple[str, ...] = ()
    # Columns beyond the serializer's that a fast path's rows carry (what object permissions read).
    fast_extra_columns: tuple[str, ...] = ()

    _fast_served = None

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
                and self.fast_path_accepts(params)
            )
        return decided

    def fast_path_accepts(self, params) -> bool:
        """Whether the fast path serves these parameter values (a malformed one takes DRF's path and its 400)."""
        return True

    def fast_renderer(self) -> RowRenderer:
        serializer_class = self.get_serializer_class()
        renderer = _renderers.get(serializer_class)
        if renderer is None:
            renderer = _renderers[serializer_class] = row_renderer(serializer_class, self.fast_annotations)
        return renderer

    def fast_columns(self) -> tuple[str, ...]:
        return self.fast_renderer().columns + self.fast_extra_columns

    # --- DRF's hooks ----------------------------------------------------------------------------

    def paginate_queryset(self, queryset):
        if not self.fast_path():
            return super().paginate_queryset(queryset)
        self._fast_served = page = self.fast_page(queryset)
        return page

    def get_object(self):
        if not self.fast_path():
            return super().get_object()
        row = self.fast_object()
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

    # --- what a view may override -----------------------------------------------------------------

    def fast_page(self, queryset: QuerySet) -> list:
        """The page as typed rows of the queryset: the view's paginator over `values_list(named=True)`."""
        if self.paginator is None:
            raise ImproperlyConfigured(f"{type(self).__name__}'s list fast path needs a paginator.")
        rows = queryset.values_list(*self.fast_columns(), named=True)
        count = self.fast_count()
        return super().paginate_queryset(rows if count is None else Counted(rows, count))

    def fast_count(self) -> int | None:
        """The number of rows of the fast path's list when the view knows it without counting them; None: count."""
        return None

    def fast_object(self):
        """The object as a typed row, or None; a view whose `fast_parameters` name "retrieve" provides it."""
        raise ImproperlyConfigured(f"{type(self).__name__} has a retrieve fast path but no fast_object().")

    # --- compiled statements ------------------------------------------------------------------------

    def fast_statement(self, name: str, build: Callable[..., tuple[QuerySet, dict]], *shape, suffix: str = ""):
        """
        The statement of `build(caller, *shape)` (a values queryset and the stand-ins it was built with),
        compiled once per view, `name`, `shape` and the caller's compiled-in `fast_key` attributes.
        """
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
            statement = _statements.setdefault(key, statement_compile(queryset, stand_ins | more, suffix))
        return statement

    def fast_rows(self, statement: Statement, *extra, **values) -> list:
        """The statement's rows, with the caller's bound `fast_key` attributes and `values`."""
        user = self.request.user
        bound = {f"caller.{attribute}": getattr(user, attribute) for attribute in self.fast_key_parameters}
        return statement.rows(*extra, **bound, **values)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not set(cls.fast_key_parameters) <= set(cls.fast_key):
            raise ImproperlyConfigured(f"{cls.__name__}.fast_key_parameters must be attributes in its fast_key.")

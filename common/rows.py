"""
Render typed rows (named tuples of a compiled statement) exactly as a ModelSerializer renders instances.

`row_renderer` reads the serializer's own fields once and turns each into the cheapest function
giving the same value from its column: model columns, choices, a foreign key's nested serializer
(its columns joined as `author__username`) and annotations the view's queryset adds. A field it
cannot render that way raises `ImproperlyConfigured` when the renderer is built, so a fast path
cannot drift from its serializer; tests compare both on factory-made instances.
"""

import operator
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

# Fields whose `to_representation` returns a value of their model column unchanged.
UNCHANGED = (serializers.CharField, serializers.IntegerField, serializers.BooleanField)


class RowRenderer(NamedTuple):
    """The columns to select (in `values_list(*columns, named=True)`) and a function rendering one such row."""

    columns: tuple[str, ...]
    render: Callable[[Any], dict]


def datetime_render(value: datetime) -> str:
    """What DRF's DateTimeField renders (ISO 8601 in UTC, `Z`, microseconds when there are any), by orjson in C."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()


def _value_render(name: str, field: serializers.Field) -> Callable[[Any], Any] | None:
    """How to render one column's value as `field` does; None when it is returned unchanged."""
    if isinstance(field, serializers.DateTimeField):
        if getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601:
            raise ImproperlyConfigured(f"row_renderer renders `{name}` only with DRF's ISO 8601 datetime format.")
        return datetime_render
    if isinstance(field, serializers.ChoiceField) and all(type(key) is str for key in field.choices):
        return None  # a stored choice key is what DRF renders
    if isinstance(field, serializers.DecimalField | serializers.ChoiceField):
        return field.to_representation
    if isinstance(field, UNCHANGED):
        return None
    raise ImproperlyConfigured(
        f"row_renderer cannot render `{name}` ({type(field).__name__}) from a column: teach common.rows that "
        "field or leave the fast path."
    )


def row_renderer(serializer_class: type[serializers.ModelSerializer], annotations: Iterable[str] = ()) -> RowRenderer:
    """
    The renderer of a ModelSerializer's rows; `annotations` names the fields the queryset annotates
    (the feed's `my_vote`), which are columns of the rows but not of the model.
    """
    columns: list[str] = []
    render = _renderer(serializer_class(), "", frozenset(annotations), columns)
    return RowRenderer(tuple(columns), render)


def _renderer(serializer: serializers.ModelSerializer, prefix: str, annotations: frozenset, columns: list):
    model = serializer.Meta.model
    plan = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        label = f"{type(serializer).__name__}.{name}"
        if isinstance(field, serializers.ModelSerializer):
            plan.append((name, _nested(model, field, prefix, columns, label), None))
            continue
        if field.source in annotations:
            column = prefix + field.source
        else:
            try:
                model_field = model._meta.get_field(field.source)
            except FieldDoesNotExist:
                model_field = None
            if model_field is None or not model_field.concrete or model_field.is_relation:
                raise ImproperlyConfigured(
                    f"row_renderer renders model columns, foreign keys' serializers and the annotations it is "
                    f"told of; `{label}` is none of them."
                )
            column = prefix + field.source
        columns.append(column)
        plan.append((name, operator.attrgetter(column), _value_render(label, field)))
    plan = tuple(plan)

    def render(row) -> dict:
        rendered = {}
        for name, get, convert in plan:
            value = get(row)
            rendered[name] = value if convert is None or value is None else convert(value)
        return rendered

    return render


def _nested(model, field: serializers.ModelSerializer, prefix: str, columns: list, label: str):
    """A getter rendering the nested serializer of a foreign key from its joined columns (None for a null key)."""
    try:
        relation = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        relation = None
    if relation is None or not (relation.many_to_one or relation.one_to_one) or not relation.concrete:
        raise ImproperlyConfigured(f"row_renderer renders nested serializers of foreign keys only, not `{label}`.")
    if field.Meta.model is not relation.related_model:
        raise ImproperlyConfigured(f"`{label}` serializes {field.Meta.model}, not the key's {relation.related_model}.")
    render = _renderer(field, f"{prefix}{field.source}__", frozenset(), columns)
    if not relation.null:
        return render
    key = prefix + relation.attname
    columns.append(key)
    present = operator.attrgetter(key)
    return lambda row: None if present(row) is None else render(row)

"""Filtering shared by every list: filter and search backends, a strict FilterSet, strict boolean and id filters."""

import functools

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, filters

NUL_IN_SEARCH = "search must not contain NUL characters."


class FilterBackend(DjangoFilterBackend):
    """
    django-filter's backend, which leaves the queryset alone when no parameter of the FilterSet is sent.

    Building and validating a FilterSet and its form costs ~0.5 ms even with nothing to filter, on
    every list request; without any of its parameters it could only return the queryset unchanged
    (no filter here has a default). Any of them sent, even empty or malformed, goes through the
    FilterSet as before, so every 400 stays.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _sent(request.query_params, _parameters(filterset_class)):
            return queryset
        return super().filter_queryset(request, queryset, view)


def only_parameters(query_params, allowed: frozenset[str]) -> bool:
    """
    Every query parameter is one of `allowed`, each sent once: nothing for a FilterSet or a search
    to check or apply. The lists' fast paths serve only such requests; any other goes through DRF.
    """
    return allowed.issuperset(query_params) and all(len(query_params.getlist(name)) == 1 for name in query_params)


@functools.cache
def _parameters(filterset_class) -> tuple[str, ...]:
    return tuple(filterset_class.base_filters)


def _sent(query_params, parameters: tuple[str, ...]) -> bool:
    # `name_min`, `name_after`...: the parameters of django-filter's two-part widgets.
    return any(key == name or key.startswith(f"{name}_") for key in query_params for name in parameters)


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, rejecting NUL characters, which PostgreSQL text cannot hold, with a 400."""

    def get_search_terms(self, request):
        if "\x00" in request.query_params.get(self.search_param, ""):
            raise exceptions.ValidationError({self.search_param: [NUL_IN_SEARCH]}, code="null_characters_not_allowed")
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["pattern"] = r"^[^\x00]*$"
        return parameters


INVALID_BOOLEAN = "Enter true or false."


class StrictBooleanField(forms.Field):
    """`true`/`false` (or `1`/`0`); anything else is an error instead of being silently ignored."""

    default_error_messages = {"invalid": INVALID_BOOLEAN}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A BooleanFilter (documented as a boolean) that rejects values it does not understand."""

    field_class = StrictBooleanField


EMPTY_FILTER = "This parameter must not be empty; leave it out to not filter."


class StrictFilterSet(django_filters.FilterSet):
    """
    A FilterSet whose parameters, when sent, must carry a value.

    django-filter reads `?role=` (or `?ordering=,`) as "no filter"; the schema documents each
    parameter's values and an empty string is none of them, so it is a 400 like any other bad value.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            values = self.data.getlist(name, [])
            if isinstance(filter_, django_filters.filters.BaseCSVFilter):
                values = [part for value in values for part in value.split(",")]
            if "" in values:
                self.form.add_error(name, ValidationError(EMPTY_FILTER, code="empty"))
                valid = False
        return valid


# Ids are 64-bit (BigAutoField); a larger number would overflow the database driver.
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A whole id from 1 to 2**63-1; `abc`, `1.5`, `0` or a larger number are a 400, not an odd result."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

"""Filter backends shared by every list."""

import django_filters
from django.core.exceptions import ValidationError
from rest_framework import exceptions, filters

NUL_IN_SEARCH = "search must not contain NUL characters."


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, rejecting NUL characters, which PostgreSQL text cannot hold, with a 400."""

    def get_search_terms(self, request):
        if "\x00" in request.query_params.get(self.search_param, ""):
            raise exceptions.ValidationError({self.search_param: [NUL_IN_SEARCH]}, code="null_characters_not_allowed")
        return super().get_search_terms(request)


EMPTY_FILTER = "This parameter must not be empty; leave it out to not filter."


class StrictFilterSet(django_filters.FilterSet):
    """
    A FilterSet whose parameters, when sent, must carry a value.

    django-filter reads `?role=` as "no filter"; the schema documents each parameter's values
    and an empty string is none of them, so it is a 400 like any other bad value.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if "" in self.data.getlist(name, []):
                self.form.add_error(name, ValidationError(EMPTY_FILTER, code="empty"))
                valid = False
        return valid

"""Filter backends shared by every list."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError

NUL_IN_SEARCH = "search must not contain NUL characters."


class SearchFilter(filters.SearchFilter):
    """DRF's `?search=`, rejecting NUL characters, which PostgreSQL text cannot hold, with a 400."""

    def get_search_terms(self, request):
        if "\x00" in request.query_params.get(self.search_param, ""):
            raise ValidationError({self.search_param: [NUL_IN_SEARCH]}, code="null_characters_not_allowed")
        return super().get_search_terms(request)

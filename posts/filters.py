"""The feed's query parameters: `author`, `ordering` (and `search`, from DRF's SearchFilter)."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from config.filters import StrictFilterSet
from posts.models import Post

# Each public ordering and the full database ordering behind it: the id breaks ties so the
# keyset cursor always names exactly one row, and each pair is served by one index.
ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-score": ("-score", "-id"),
    "score": ("score", "id"),
}


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


class PostFilter(StrictFilterSet):
    """Filters and orderings of the feed; a value outside them is a 400 in the standard shape."""

    author = IdFilter(field_name="author_id", label="Only posts by the user with this id.")
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        label="Order of the feed (default `-created_at`, newest first).",
    )

    class Meta:
        model = Post
        fields = ["author", "ordering"]

    def filter_ordering(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS[value])

"""The feed's query parameters: `author`, `ordering` (and `search`, from DRF's SearchFilter)."""

import django_filters

from common.filters import IdFilter, StrictFilterSet
from posts.models import Post

# Each public ordering and the full database ordering behind it: the id breaks ties so the
# keyset cursor always names exactly one row, and each pair is served by one index.
ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-score": ("-score", "-id"),
    "score": ("score", "id"),
}


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

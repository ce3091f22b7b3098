"""Query parameters of the product list: price range, stock, ordering (search is DRF's SearchFilter)."""

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from common.filters import StrictBooleanFilter, StrictFilterSet
from products.models import PRICE_DECIMAL_PLACES, PRICE_MAX_DIGITS, Product

MIN_PRICE_ABOVE_MAX_PRICE = "min_price must not be greater than max_price."
ORDERING_FIELDS = ("price", "name", "created_at")


class TieBreakingOrderingFilter(django_filters.OrderingFilter):
    """OrderingFilter that adds `id` in the same direction, so equal values page in a stable order."""

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        return qs.order_by(*ordering, "-id" if ordering[-1].startswith("-") else "id")


class ProductFilterForm(forms.Form):
    """Checks that span parameters: the price range must not be upside down."""

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("min_price", ValidationError(MIN_PRICE_ABOVE_MAX_PRICE, code="invalid"))
        return cleaned


def _price_filter(lookup_expr: str, help_text: str) -> django_filters.NumberFilter:
    # Same rules as a price, so a filter value is a Decimal the database can always compare
    # (an unbounded one such as 1e999999999 would overflow PostgreSQL's numeric).
    return django_filters.NumberFilter(
        field_name="price",
        lookup_expr=lookup_expr,
        min_value=Decimal("0"),
        max_digits=PRICE_MAX_DIGITS,
        decimal_places=PRICE_DECIMAL_PLACES,
        help_text=help_text,
    )


class ProductFilter(StrictFilterSet):
    """`min_price`, `max_price` (inclusive), `in_stock` and `ordering` for the product list."""

    min_price = _price_filter("gte", "Only products whose price is at least this (inclusive), e.g. 10.00.")
    max_price = _price_filter("lte", "Only products whose price is at most this (inclusive), e.g. 99.99.")
    in_stock = StrictBooleanFilter(
        method="filter_in_stock", help_text="true: only products with stock > 0; false: only those with none."
    )
    ordering = TieBreakingOrderingFilter(
        fields=ORDERING_FIELDS,
        help_text=(
            "price, -price, name, -name, created_at or -created_at (comma-separate keys to sort by several); "
            "ties are broken by id. Default: -created_at (newest first)."
        ),
    )

    class Meta:
        model = Product
        fields = ["min_price", "max_price", "in_stock"]
        form = ProductFilterForm

    def filter_in_stock(self, queryset, name, value):
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)

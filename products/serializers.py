"""The product's JSON shape and the validation that mirrors the database's constraints."""

from decimal import Decimal

from rest_framework import serializers

from common.serializers import StrictDecimalField, StrictModelSerializer
from products.models import PRICE_DECIMAL_PLACES, PRICE_MAX_DIGITS, SKU_TAKEN, Product


class ProductSerializer(StrictModelSerializer):
    """A product; `price` is a decimal string with exactly two places ("12.50"), never a float."""

    price = StrictDecimalField(
        max_digits=PRICE_MAX_DIGITS,
        decimal_places=PRICE_DECIMAL_PLACES,
        min_value=Decimal("0"),
        coerce_to_string=True,
        help_text="Decimal string with two places, at least 0.00 and at most 99999999.99.",
    )

    class Meta:
        model = Product
        fields = ["id", "name", "sku", "description", "price", "stock", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_sku(self, value: str) -> str:
        """Friendly check of the case-insensitive unique index (the index still has the last word)."""
        taken = Product.objects.filter(sku__iexact=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(SKU_TAKEN, code="unique")
        return value

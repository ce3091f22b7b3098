"""
Writes to the catalogue.

The serializer checks that a SKU is free before saving, but two requests can pass that check
at the same time; the unique index decides, and its IntegrityError becomes the same 400 a
client would have got from the check, instead of a 500.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from products.models import SKU_TAKEN, SKU_UNIQUE_CONSTRAINT, Product


def _product_save(product: Product) -> Product:
    try:
        # A savepoint, so a conflict leaves the surrounding transaction usable.
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        # PostgreSQL and SQLite both name the violated unique index in the message.
        if SKU_UNIQUE_CONSTRAINT in str(exc):
            raise ValidationError({"sku": ValidationError(SKU_TAKEN, code="unique")}) from exc
        raise
    return product


def product_create(**fields: Any) -> Product:
    """Create a product from validated fields; a SKU taken meanwhile is a 400 on `sku`."""
    return _product_save(Product(**fields))


def product_update(*, product: Product, **fields: Any) -> Product:
    """Change the given fields of `product`; a SKU taken meanwhile is a 400 on `sku`."""
    for name, value in fields.items():
        setattr(product, name, value)
    return _product_save(product)

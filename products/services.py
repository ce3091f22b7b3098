"""Writes to the catalogue; a SKU taken by a concurrent request is the same 400 as the serializer's check."""

from typing import Any

from common.integrity import save_unique
from products.models import SKU_TAKEN, SKU_UNIQUE_CONSTRAINT, Product

UNIQUE_FIELDS = {SKU_UNIQUE_CONSTRAINT: ("sku", SKU_TAKEN)}


def product_create(**fields: Any) -> Product:
    """Create a product from validated fields; a SKU taken meanwhile is a 400 on `sku`."""
    product = Product(**fields)
    save_unique(product, unique=UNIQUE_FIELDS)
    return product


def product_update(*, product: Product, **fields: Any) -> Product:
    """Change the given fields of `product`; a SKU taken meanwhile is a 400 on `sku`."""
    for name, value in fields.items():
        setattr(product, name, value)
    save_unique(product, unique=UNIQUE_FIELDS)
    return product

"""Reads of the catalogue, scoped to what the caller may see."""

from django.db.models import QuerySet

from accounts.models import Role
from products.models import Product


def product_list(*, user) -> QuerySet[Product]:
    """Products `user` may see: every product for an admin, only active ones for anyone else."""
    products = Product.objects.all()
    if getattr(user, "role", None) != Role.ADMIN:
        products = products.filter(is_active=True)
    return products

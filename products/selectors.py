"""Reads of the catalogue, scoped to what the caller may see."""

from django.db.models import QuerySet

from accounts.models import User
from products.models import Product


def product_list(*, user: User) -> QuerySet[Product]:
    """Products `user` may see: every product for an admin, only active ones for anyone else."""
    products = Product.objects.all()
    if not user.is_admin:
        products = products.filter(is_active=True)
    return products

"""Reads of the catalogue, scoped to what the caller may see."""

import functools

from django.db.models import QuerySet

from accounts.models import Role, User
from config.statements import CompiledList, Statement, count_compile, statement_compile
from products.models import Product


def product_list(*, user: User) -> QuerySet[Product]:
    """Products `user` may see: every product for an admin, only active ones for anyone else."""
    products = Product.objects.all()
    if not user.is_admin:
        products = products.filter(is_active=True)
    return products


def product_list_rows(*, user: User, columns: tuple[str, ...]) -> CompiledList:
    """`product_list(user=user)` as dicts of `columns`, for DRF's page-number pagination: statements compiled once."""
    count, page = _product_list_statements(user.is_admin, columns)
    return CompiledList(count=count, page=page)


@functools.cache
def _product_list_statements(admin: bool, columns: tuple[str, ...]) -> tuple[Statement, Statement]:
    products = product_list(user=User(role=Role.ADMIN if admin else Role.USER))
    return count_compile(products), statement_compile(products.values(*columns), suffix="LIMIT %s OFFSET %s")

"""The database itself enforces the catalogue's invariants, whatever code writes to it."""

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from products.models import Product

pytestmark = pytest.mark.django_db


def _insert(**fields):
    defaults = {"name": "Widget", "sku": "W-1", "price": Decimal("1.00"), "stock": 0}
    # bulk_create skips model validation: only the database's constraints stand in the way.
    with transaction.atomic():
        Product.objects.bulk_create([Product(**{**defaults, **fields})])


def test_sku_is_unique_whatever_its_case():
    _insert(sku="abc-1")
    with pytest.raises(IntegrityError, match="products_product_sku_ci_unique"):
        _insert(sku="ABC-1")


@pytest.mark.parametrize("sku", ["", "has space", "semi;colon", "ünï", "a" * 65, "line\n"])
def test_sku_outside_the_allowed_characters_or_length_is_refused(sku):
    # PostgreSQL's varchar(64) stops a long SKU first (DataError); on SQLite the check does.
    with pytest.raises((IntegrityError, DataError)):
        _insert(sku=sku)


@pytest.mark.parametrize("sku", ["a", "A-b_9", "x" * 64])
def test_sku_of_allowed_characters_is_stored(sku):
    _insert(sku=sku)
    assert Product.objects.filter(sku=sku).exists()


def test_negative_price_is_refused():
    with pytest.raises(IntegrityError, match="products_product_price_non_negative"):
        _insert(price=Decimal("-0.01"))


def test_negative_stock_is_refused():
    with pytest.raises(IntegrityError):
        _insert(stock=-1)


def test_empty_name_is_refused():
    with pytest.raises(IntegrityError, match="products_product_name_not_empty"):
        _insert(name="")


def test_price_is_stored_and_read_back_as_an_exact_decimal():
    _insert(price=Decimal("99999999.99"))
    price = Product.objects.get().price
    assert isinstance(price, Decimal)
    assert price == Decimal("99999999.99")

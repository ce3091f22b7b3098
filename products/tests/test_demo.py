"""The demo catalogue loads, and loading it again changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from products.demo import DEMO_PRODUCTS, INACTIVE_SKUS, demo_products_load
from products.models import Product

pytestmark = pytest.mark.django_db


def test_demo_products_load_twice_without_duplicates():
    demo_products_load()
    demo_products_load()
    assert Product.objects.count() == len(DEMO_PRODUCTS) >= 24


def test_demo_products_reset_an_edited_product():
    demo_products_load()
    sku, _, price, _, _ = DEMO_PRODUCTS[0]
    Product.objects.filter(sku=sku).update(price=Decimal("1.23"), is_active=False)
    demo_products_load()
    product = Product.objects.get(sku=sku)
    assert (product.price, product.is_active) == (Decimal(price), True)


def test_demo_prices_are_exact_decimals_and_some_products_are_inactive_or_sold_out():
    demo_products_load()
    assert all(isinstance(price, str) for _, _, price, _, _ in DEMO_PRODUCTS)
    assert set(Product.objects.filter(is_active=False).values_list("sku", flat=True)) == INACTIVE_SKUS
    assert Product.objects.filter(stock=0, is_active=True).exists()


def test_load_demo_command_includes_products(capsys):
    call_command("load_demo")
    assert Product.objects.count() == len(DEMO_PRODUCTS)
    assert f"Demo products: {len(DEMO_PRODUCTS)}" in capsys.readouterr().out

"""Factories for the catalogue; prices are Decimals, never floats."""

from decimal import Decimal

import factory

from products.models import Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Faker("catch_phrase")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    description = factory.Faker("sentence")
    price = Decimal("10.00")
    stock = 5
    is_active = True

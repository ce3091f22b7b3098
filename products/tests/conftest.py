"""Fixtures of the products tests."""

import pytest

from products.tests.factories import ProductFactory


@pytest.fixture
def make_product(db):
    """Factory fixture: `make_product(price=Decimal("1.00"), is_active=False, ...)`."""
    return ProductFactory

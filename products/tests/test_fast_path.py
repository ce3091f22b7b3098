"""The product list's fast path answers byte for byte what DRF's generic path answers on the same data."""

from decimal import Decimal

import pytest

from products.serializers import PRODUCT_COLUMNS, ProductSerializer
from products.views import ProductViewSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_product):
    make_product.create_batch(23)
    make_product(name="Naïve\u2029thing", price=Decimal("0.00"), stock=0)
    make_product(price=Decimal("99999999.99"), is_active=False)
    make_product(price=Decimal("12.5"), description="")


@pytest.mark.parametrize("role", ["user", "admin"])
@pytest.mark.parametrize("query", ["", "?page=2", "?page_size=5&page=3", "?page=50", "?page=0", "?ordering=-price"])
def test_product_list_is_the_bytes_of_drfs_path(catalogue, client_for, make_user, monkeypatch, role, query):
    client = client_for(make_user(role=role))
    fast = client.get(f"/api/v1/products/{query}")
    monkeypatch.setattr(ProductViewSet, "fast_paths", False)
    plain = client.get(f"/api/v1/products/{query}")
    assert (fast.status_code, fast.content) == (plain.status_code, plain.content)


def test_the_fast_path_selects_every_field_the_serializer_renders():
    readable = [name for name, field in ProductSerializer().fields.items() if not field.write_only]
    assert list(PRODUCT_COLUMNS) == readable

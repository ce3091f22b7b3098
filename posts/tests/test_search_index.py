"""On PostgreSQL, `?search=` is served by trigram indexes instead of reading the whole table."""

import pytest
from django.db import connection, transaction
from django.db.models import Q

from posts.models import Post
from products.models import Product

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes exist on PostgreSQL only"),
]


def plan(queryset) -> str:
    # Tables in tests are tiny: forbid reading them whole (or walking another index in order)
    # so the plan shows which index can answer the search.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.explain()


def test_post_search_uses_the_title_and_body_trigram_indexes():
    term = "rare-word"
    text = plan(Post.objects.order_by().filter(Q(title__icontains=term) | Q(body__icontains=term)))
    assert "posts_post_title_trgm" in text
    assert "posts_post_body_trgm" in text


def test_product_search_uses_the_trigram_indexes():
    term = "lamp"
    text = plan(
        Product.objects.filter(Q(name__icontains=term) | Q(sku__icontains=term) | Q(description__icontains=term))
    )
    for name in ("products_product_name_trgm", "products_product_sku_trgm", "products_product_description_trgm"):
        assert name in text

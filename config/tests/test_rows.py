"""Rows rendered from a serializer's own fields: the same values, and a loud failure for a field it cannot render."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from accounts.models import User
from config.rows import row_renderer
from products.models import Product
from products.serializers import ProductSerializer


def test_a_row_renders_as_the_serializer_renders_the_instance():
    product = Product(
        id=3,
        name="n",
        sku="S-1",
        description="",
        price=Decimal("7.5"),
        stock=0,
        is_active=False,
        created_at=datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        updated_at=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    columns, render = row_renderer(ProductSerializer)
    assert render({name: getattr(product, name) for name in columns}) == ProductSerializer(product).data


class WithMethodField(serializers.ModelSerializer):
    shout = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "shout"]

    def get_shout(self, user):
        return user.username.upper()


class WithProperty(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "is_admin"]


class WithRelation(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "groups"]


class WithListField(serializers.ModelSerializer):
    tags = serializers.ListField(source="username")

    class Meta:
        model = User
        fields = ["id", "tags"]


@pytest.mark.parametrize("serializer_class", [WithMethodField, WithProperty, WithRelation, WithListField])
def test_a_field_that_is_not_a_plain_column_fails_loudly_when_the_renderer_is_built(serializer_class):
    with pytest.raises(ImproperlyConfigured):
        row_renderer(serializer_class)

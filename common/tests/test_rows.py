"""Rows rendered from a serializer's own fields: the same values, and a loud failure for a field it cannot render."""

import collections
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from accounts.models import User
from common.rows import datetime_render, row_renderer
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
    row = collections.namedtuple("Row", columns)(*(getattr(product, name) for name in columns))
    assert render(row) == ProductSerializer(product).data


def test_a_datetime_renders_as_drfs_field_renders_it():
    """Random instants from year 1 to 9999, in UTC and in other offsets, with and without microseconds."""
    field = serializers.DateTimeField()
    rng = random.Random(14)
    low, high = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC)
    for _ in range(5000):
        instant = low + timedelta(microseconds=rng.randrange(int((high - low) / timedelta(microseconds=1))))
        if rng.random() < 0.3:
            instant = instant.replace(microsecond=0)
        offset = timezone(timedelta(minutes=rng.randrange(-14 * 60, 14 * 60 + 1)))
        for value in (instant, instant.astimezone(offset)):
            assert datetime_render(value) == field.to_representation(value), value


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

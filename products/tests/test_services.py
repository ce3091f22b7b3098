"""Writes and reads of the catalogue, without HTTP."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role
from products.models import SKU_TAKEN, Product
from products.selectors import product_list
from products.services import product_create, product_update

pytestmark = pytest.mark.django_db


def test_product_create_saves_the_product():
    product = product_create(name="Lamp", sku="LAMP-1", price=Decimal("12.50"), stock=3)
    assert Product.objects.get(pk=product.pk).price == Decimal("12.50")


def test_product_create_turns_a_sku_taken_meanwhile_into_a_400_on_sku(make_product):
    # What two concurrent requests do: both passed the serializer's check, the index decides.
    make_product(sku="lamp-1")
    with pytest.raises(ValidationError) as caught:
        product_create(name="Lamp", sku="LAMP-1", price=Decimal("1.00"))
    assert caught.value.message_dict == {"sku": [SKU_TAKEN]}
    assert caught.value.error_dict["sku"][0].code == "unique"
    assert Product.objects.count() == 1


def test_product_update_turns_a_sku_taken_meanwhile_into_a_400_on_sku(make_product):
    make_product(sku="taken")
    product = make_product(sku="mine")
    with pytest.raises(ValidationError) as caught:
        product_update(product=product, sku="TAKEN")
    assert caught.value.error_dict["sku"][0].code == "unique"
    product.refresh_from_db()
    assert product.sku == "mine"


def test_product_write_lets_other_integrity_errors_through():
    with pytest.raises(IntegrityError):
        product_create(name="Lamp", sku="LAMP-1", price=Decimal("-1.00"))


def test_product_update_changes_only_the_given_fields(make_product):
    product = make_product(name="Old", price=Decimal("5.00"))
    product_update(product=product, name="New")
    product.refresh_from_db()
    assert (product.name, product.price) == ("New", Decimal("5.00"))


@pytest.mark.parametrize(
    ("role", "sees_inactive"),
    [(Role.USER, False), (Role.MODERATOR, False), (Role.ADMIN, True)],
)
def test_product_list_shows_inactive_products_to_admins_only(make_user, make_product, role, sees_inactive):
    active, inactive = make_product(), make_product(is_active=False)
    visible = set(product_list(user=make_user(role=role)))
    assert active in visible
    assert (inactive in visible) is sees_inactive

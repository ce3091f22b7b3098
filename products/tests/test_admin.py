"""The Django admin for products: list editing, search, filters and bulk (de)activation."""

from decimal import Decimal
from http import HTTPStatus

import pytest

from accounts.models import Role
from products.models import SKU_TAKEN, Product

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/products/product/"


@pytest.fixture
def staff_client(client, admin):
    client.force_login(admin)
    return client


def _listed(response) -> set[str]:
    assert response.status_code == HTTPStatus.OK
    return {product.sku for product in response.context["cl"].result_list}


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_non_admins_cannot_open_the_admin(client, make_user, role):
    client.force_login(make_user(role=role))
    assert client.get(CHANGELIST).status_code == HTTPStatus.FOUND


def test_changelist_searches_name_sku_and_description(staff_client, make_product):
    make_product(sku="LAMP-1", name="Desk Lamp")
    make_product(sku="KB-2", name="Keyboard", description="Quiet switches")
    assert _listed(staff_client.get(CHANGELIST, {"q": "lamp"})) == {"LAMP-1"}
    assert _listed(staff_client.get(CHANGELIST, {"q": "quiet"})) == {"KB-2"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"in_stock": "yes"}, {"FULL"}),
        ({"in_stock": "no"}, {"EMPTY", "OLD"}),
        ({"is_active__exact": "0"}, {"OLD"}),
        ({"is_active__exact": "1", "in_stock": "no"}, {"EMPTY"}),
    ],
)
def test_changelist_filters_by_stock_and_activity(staff_client, make_product, params, expected):
    make_product(sku="FULL", stock=4)
    make_product(sku="EMPTY", stock=0)
    make_product(sku="OLD", stock=0, is_active=False)
    assert _listed(staff_client.get(CHANGELIST, params)) == expected


@pytest.mark.parametrize(("action", "active"), [("activate", True), ("deactivate", False)])
def test_bulk_actions_switch_products_on_and_off(staff_client, make_product, action, active):
    chosen = [make_product(is_active=not active), make_product(is_active=not active)]
    untouched = make_product(is_active=not active)
    response = staff_client.post(CHANGELIST, {"action": action, "_selected_action": [p.pk for p in chosen]})
    assert response.status_code == HTTPStatus.FOUND
    assert set(Product.objects.filter(is_active=active)) == set(chosen)
    untouched.refresh_from_db()
    assert untouched.is_active is not active
    assert all(p.updated_at < Product.objects.get(pk=p.pk).updated_at for p in chosen)


def test_price_stock_and_active_are_editable_in_the_list(staff_client, make_product):
    product = make_product(price=Decimal("5.00"), stock=1, is_active=True)
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(product.pk),
        "form-0-price": "7.25",
        "form-0-stock": "9",
        "_save": "Save",
    }  # an unticked checkbox is simply absent: is_active becomes False
    assert staff_client.post(CHANGELIST, form).status_code == HTTPStatus.FOUND
    product.refresh_from_db()
    assert (product.price, product.stock, product.is_active) == (Decimal("7.25"), 9, False)


def test_add_form_refuses_a_sku_taken_in_another_case(staff_client, make_product):
    make_product(sku="LAMP-1")
    form = {"name": "Lamp", "sku": "lamp-1", "description": "", "price": "1.00", "stock": "0", "is_active": "on"}
    response = staff_client.post(f"{CHANGELIST}add/", form)
    assert response.status_code == HTTPStatus.OK  # the form again, with the error
    assert SKU_TAKEN in response.content.decode()
    assert Product.objects.count() == 1


def test_add_form_refuses_a_negative_price(staff_client):
    form = {"name": "Lamp", "sku": "LAMP-1", "description": "", "price": "-1", "stock": "0"}
    assert staff_client.post(f"{CHANGELIST}add/", form).status_code == HTTPStatus.OK
    assert not Product.objects.exists()

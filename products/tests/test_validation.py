"""Every rule of API.md for a product's fields: a bad value is a 400 naming the field, never a 500."""

from decimal import Decimal
from http import HTTPStatus

import pytest

from products.models import SKU_INVALID, SKU_TAKEN, Product

pytestmark = pytest.mark.django_db

LIST = "/api/v1/products/"
VALID = {"name": "Desk Lamp", "sku": "LAMP-01", "price": "24.90", "stock": 7}


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


def _errors(response) -> list[tuple[str, str]]:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    return [(error["attr"], error["code"]) for error in body["errors"]]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("price", "-0.01", "min_value"),
        ("price", "-1", "min_value"),
        ("price", "1.005", "max_decimal_places"),
        # Money travels as a decimal string; a JSON number is refused, never rounded.
        ("price", 1.005, "invalid"),
        ("price", 0.1 + 0.2, "invalid"),
        ("price", 12, "invalid"),
        ("stock", "3", "invalid"),
        ("is_active", 1, "invalid"),
        ("price", "123456789.00", "max_digits"),
        ("price", "100000000", "max_whole_digits"),
        ("price", "abc", "invalid"),
        ("price", "NaN", "invalid"),
        ("price", "Infinity", "invalid"),
        ("price", "", "invalid"),
        ("price", None, "null"),
        ("stock", -1, "min_value"),
        ("stock", 1.5, "invalid"),
        ("stock", "many", "invalid"),
        ("stock", 2**31, "max_value"),
        ("stock", None, "null"),
        ("sku", "has space", "invalid"),
        ("sku", "semi;colon", "invalid"),
        ("sku", "ünïcode", "invalid"),
        ("sku", "a/b", "invalid"),
        ("sku", "a" * 65, "max_length"),
        ("sku", "", "blank"),
        ("name", "", "blank"),
        ("name", "   ", "blank"),
        ("name", "n" * 201, "max_length"),
        ("is_active", "maybe", "invalid"),
    ],
)
def test_invalid_field_is_400_naming_it(admin_client, field, value, code):
    response = admin_client.post(LIST, {**VALID, field: value})
    assert (field, code) in _errors(response)
    assert not Product.objects.exists()


@pytest.mark.parametrize("field", ["name", "sku", "price"])
def test_missing_required_field_is_400_naming_it(admin_client, field):
    payload = {key: value for key, value in VALID.items() if key != field}
    assert _errors(admin_client.post(LIST, payload)) == [(field, "required")]


def test_bad_sku_has_a_clear_message(admin_client):
    response = admin_client.post(LIST, {**VALID, "sku": "no spaces"})
    assert response.json()["errors"][0]["detail"] == SKU_INVALID


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("price", "0", Decimal("0.00")),
        ("price", "0.00", Decimal("0.00")),
        ("price", "99999999.99", Decimal("99999999.99")),
        ("price", "12.5", Decimal("12.50")),
        ("stock", 0, 0),
        ("stock", 2**31 - 1, 2**31 - 1),
        ("sku", "a", "a"),
        ("sku", "A_b-9" * 12 + "abcd", "A_b-9" * 12 + "abcd"),
        ("name", "n", "n"),
        ("name", "n" * 200, "n" * 200),
    ],
)
def test_boundary_values_are_accepted(admin_client, field, value, stored):
    response = admin_client.post(LIST, {**VALID, field: value})
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert getattr(Product.objects.get(), field) == stored


@pytest.mark.parametrize(("sent", "shown"), [("0", "0.00"), ("12.5", "12.50"), ("7", "7.00"), ("1e2", "100.00")])
def test_price_is_answered_with_exactly_two_decimals(admin_client, sent, shown):
    assert admin_client.post(LIST, {**VALID, "price": sent}).json()["price"] == shown


@pytest.mark.parametrize("sku", ["lamp-01", "LAMP-01", "Lamp-01"])
def test_duplicate_sku_in_any_case_is_400_on_sku(admin_client, make_product, sku):
    make_product(sku="LAMP-01")
    response = admin_client.post(LIST, {**VALID, "sku": sku})
    assert _errors(response) == [("sku", "unique")]
    assert response.json()["errors"][0]["detail"] == SKU_TAKEN


def test_changing_a_sku_to_another_products_sku_is_400(admin_client, make_product):
    make_product(sku="TAKEN")
    product = make_product(sku="MINE")
    response = admin_client.patch(f"{LIST}{product.pk}/", {"sku": "taken"})
    assert _errors(response) == [("sku", "unique")]


def test_changing_the_case_of_a_products_own_sku_is_allowed(admin_client, make_product):
    product = make_product(sku="mine")
    response = admin_client.patch(f"{LIST}{product.pk}/", {"sku": "MINE"})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["sku"] == "MINE"


def test_invalid_patch_changes_nothing(admin_client, make_product):
    product = make_product(price=Decimal("5.00"), stock=3)
    response = admin_client.patch(f"{LIST}{product.pk}/", {"price": "-5", "stock": 9})
    assert _errors(response) == [("price", "min_value")]
    product.refresh_from_db()
    assert (product.price, product.stock) == (Decimal("5.00"), 3)


def test_put_without_required_fields_is_400(admin_client, make_product):
    product = make_product()
    response = admin_client.put(f"{LIST}{product.pk}/", {"name": "Only a name"})
    assert set(_errors(response)) == {("sku", "required"), ("price", "required")}


def test_malformed_json_is_400(admin_client):
    response = admin_client.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_a_list_body_instead_of_an_object_is_400(admin_client):
    response = admin_client.post(LIST, [VALID])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["type"] == "validation_error"

"""The product endpoints: who may do what, what they see, and the shape of a product."""

from decimal import Decimal
from http import HTTPStatus

import pytest

from accounts.models import Role
from products.models import Product

pytestmark = pytest.mark.django_db

LIST = "/api/v1/products/"
NEW_PRODUCT = {"name": "Desk Lamp", "sku": "LAMP-01", "price": "24.90", "stock": 7, "description": "LED, dimmable."}


def detail(product) -> str:
    return f"{LIST}{product.pk}/"


@pytest.fixture
def client_as(api_client, make_user, client_for):
    """Factory fixture: an API client for a role, or an anonymous one for `None`."""

    def build(role):
        return api_client if role is None else client_for(make_user(role=role))

    return build


ALL_ROLES = [None, Role.USER, Role.MODERATOR, Role.ADMIN]
READERS = [Role.USER, Role.MODERATOR, Role.ADMIN]


def _request(client, action, product):
    return {
        "list": lambda: client.get(LIST),
        "retrieve": lambda: client.get(detail(product)),
        "create": lambda: client.post(LIST, NEW_PRODUCT),
        "update": lambda: client.put(detail(product), {**NEW_PRODUCT, "sku": product.sku}),
        "partial_update": lambda: client.patch(detail(product), {"stock": 1}),
        "destroy": lambda: client.delete(detail(product)),
    }[action]()


ADMIN_SUCCESS = {
    "list": HTTPStatus.OK,
    "retrieve": HTTPStatus.OK,
    "create": HTTPStatus.CREATED,
    "update": HTTPStatus.OK,
    "partial_update": HTTPStatus.OK,
    "destroy": HTTPStatus.NO_CONTENT,
}
ROLE_MATRIX = [
    (role, action, expected)
    for action, admin_status in ADMIN_SUCCESS.items()
    for role, expected in [
        (None, HTTPStatus.UNAUTHORIZED),
        (Role.USER, HTTPStatus.OK if action in ("list", "retrieve") else HTTPStatus.FORBIDDEN),
        (Role.MODERATOR, HTTPStatus.OK if action in ("list", "retrieve") else HTTPStatus.FORBIDDEN),
        (Role.ADMIN, admin_status),
    ]
]


@pytest.mark.parametrize(("role", "action", "expected"), ROLE_MATRIX)
def test_role_matrix(client_as, make_product, role, action, expected):
    product = make_product(price=Decimal("3.00"), stock=2)
    response = _request(client_as(role), action, product)
    assert response.status_code == expected
    if expected >= HTTPStatus.BAD_REQUEST:
        assert response.json()["type"] == "client_error"


def test_anonymous_gets_a_bearer_challenge(api_client):
    response = api_client.get(LIST)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_non_admin_writes_change_nothing(client_as, make_product, role):
    product = make_product(stock=2)
    client = client_as(role)
    client.post(LIST, NEW_PRODUCT)
    client.patch(detail(product), {"stock": 99})
    client.delete(detail(product))
    product.refresh_from_db()
    assert (Product.objects.count(), product.stock) == (1, 2)


def test_product_shape_and_price_as_a_two_place_string(client_for, user, make_product):
    product = make_product(price=Decimal("12.5"), stock=3)
    body = client_for(user).get(detail(product)).json()
    assert set(body) == {"id", "name", "sku", "description", "price", "stock", "is_active", "created_at", "updated_at"}
    assert body["price"] == "12.50"
    assert body["stock"] == 3


def test_admin_creates_a_product(client_for, admin):
    response = client_for(admin).post(LIST, NEW_PRODUCT)
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["price"] == "24.90"
    assert body["is_active"] is True
    assert Product.objects.get(pk=body["id"]).price == Decimal("24.90")


def test_admin_replaces_a_product(client_for, admin, make_product):
    product = make_product()
    response = client_for(admin).put(detail(product), {**NEW_PRODUCT, "is_active": False})
    assert response.status_code == HTTPStatus.OK
    product.refresh_from_db()
    assert (product.name, product.sku, product.price, product.is_active) == (
        "Desk Lamp",
        "LAMP-01",
        Decimal("24.90"),
        False,
    )


def test_admin_deletes_a_product(client_for, admin, make_product):
    product = make_product()
    assert client_for(admin).delete(detail(product)).status_code == HTTPStatus.NO_CONTENT
    assert not Product.objects.filter(pk=product.pk).exists()


def test_read_only_fields_are_ignored_on_write(client_for, admin, make_product):
    product = make_product()
    body = client_for(admin).patch(detail(product), {"id": 999, "created_at": "2000-01-01T00:00:00Z"}).json()
    assert body["id"] == product.pk
    assert not body["created_at"].startswith("2000")


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_inactive_product_is_404_for_non_admins(client_as, make_product, role):
    product = make_product(is_active=False)
    response = client_as(role).get(detail(product))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_inactive_products_are_not_listed_for_non_admins(client_as, make_product, role):
    active = make_product()
    make_product(is_active=False)
    body = client_as(role).get(LIST).json()
    assert [row["id"] for row in body["results"]] == [active.pk]
    assert body["count"] == 1


def test_admin_sees_and_edits_inactive_products(client_for, admin, make_product):
    product = make_product(is_active=False)
    client = client_for(admin)
    assert client.get(LIST).json()["count"] == 1
    assert client.get(detail(product)).status_code == HTTPStatus.OK
    response = client.patch(detail(product), {"is_active": True})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["is_active"] is True


def test_deactivated_product_disappears_for_users(client_for, admin, user, make_product):
    product = make_product()
    client_for(admin).patch(detail(product), {"is_active": False})
    assert client_for(user).get(detail(product)).status_code == HTTPStatus.NOT_FOUND


def test_unknown_product_is_404(client_for, admin):
    response = client_for(admin).get(f"{LIST}999999/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"


@pytest.mark.parametrize("path", [f"{LIST}abc/", f"{LIST}-1/"])
def test_non_numeric_id_is_404(client_for, admin, path):
    assert client_for(admin).get(path).status_code == HTTPStatus.NOT_FOUND

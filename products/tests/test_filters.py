"""The product list's filters, search, ordering and pagination; bad values are 400s naming the parameter."""

from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.utils import timezone

from products.filters import MIN_PRICE_ABOVE_MAX_PRICE
from products.models import Product

pytestmark = pytest.mark.django_db

LIST = "/api/v1/products/"


@pytest.fixture
def user_client(client_for, user):
    return client_for(user)


@pytest.fixture
def priced(make_product):
    """Products at 0.00, 9.99, 10.00, 10.01 and 50.00; the 0.00 one is sold out."""
    return {
        price: make_product(sku=f"P-{price}".replace(".", "_"), price=Decimal(price), stock=0 if price == "0.00" else 3)
        for price in ["0.00", "9.99", "10.00", "10.01", "50.00"]
    }


def _prices(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.content
    return sorted((row["price"] for row in response.json()["results"]), key=Decimal)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_price": "10"}, ["10.00", "10.01", "50.00"]),  # a product at exactly min_price is included
        ({"min_price": "10.00"}, ["10.00", "10.01", "50.00"]),
        ({"min_price": "10.01"}, ["10.01", "50.00"]),
        ({"max_price": "10"}, ["0.00", "9.99", "10.00"]),  # a product at exactly max_price is included
        ({"max_price": "0"}, ["0.00"]),  # a free product is a price like any other
        ({"min_price": "0"}, ["0.00", "9.99", "10.00", "10.01", "50.00"]),
        ({"min_price": "10", "max_price": "10"}, ["10.00"]),
        ({"min_price": "9.99", "max_price": "10.01"}, ["9.99", "10.00", "10.01"]),
        ({"min_price": "60"}, []),
        ({"in_stock": "true"}, ["9.99", "10.00", "10.01", "50.00"]),
        ({"in_stock": "false"}, ["0.00"]),
        ({"in_stock": "1"}, ["9.99", "10.00", "10.01", "50.00"]),
        ({"in_stock": "0"}, ["0.00"]),
        ({"in_stock": "false", "max_price": "5"}, ["0.00"]),
    ],
)
def test_price_and_stock_filters(user_client, priced, params, expected):
    assert _prices(user_client.get(LIST, params)) == expected


def test_in_stock_counts_a_single_unit_as_in_stock(user_client, make_product):
    make_product(stock=1, price=Decimal("1.00"))
    make_product(stock=0, price=Decimal("2.00"))
    assert _prices(user_client.get(LIST, {"in_stock": "true"})) == ["1.00"]


@pytest.mark.parametrize(
    ("params", "attr", "code"),
    [
        ({"min_price": "abc"}, "min_price", "invalid"),
        ({"max_price": "abc"}, "max_price", "invalid"),
        ({"min_price": "NaN"}, "min_price", "invalid"),
        ({"max_price": "Infinity"}, "max_price", "invalid"),
        ({"min_price": "-1"}, "min_price", "min_value"),
        ({"min_price": "1.005"}, "min_price", "max_decimal_places"),
        ({"max_price": "12345678901"}, "max_price", "max_digits"),
        ({"min_price": "1e999999999"}, "min_price", "max_digits"),
        ({"min_price": "20", "max_price": "10"}, "min_price", "invalid"),
        ({"in_stock": "maybe"}, "in_stock", "invalid"),
        ({"in_stock": ""}, "in_stock", "empty"),  # leave a filter out instead of sending it empty
        ({"ordering": ""}, "ordering", "empty"),
        ({"in_stock": "yes"}, "in_stock", "invalid"),
        ({"ordering": "stock"}, "ordering", "invalid_choice"),
        ({"ordering": "-id"}, "ordering", "invalid_choice"),
        ({"ordering": "price;drop"}, "ordering", "invalid_choice"),
    ],
)
def test_invalid_filter_value_is_400_naming_the_parameter(user_client, priced, params, attr, code):
    response = user_client.get(LIST, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["type"] == "validation_error"
    assert (attr, code) in [(error["attr"], error["code"]) for error in body["errors"]]


def test_min_price_above_max_price_says_so(user_client):
    response = user_client.get(LIST, {"min_price": "20", "max_price": "10"})
    assert response.json()["errors"] == [{"code": "invalid", "detail": MIN_PRICE_ABOVE_MAX_PRICE, "attr": "min_price"}]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("lamp", {"LAMP-1"}),  # name, any case
        ("kb-", {"KB-2"}),  # sku
        ("walnut", {"DESK-3"}),  # description
        ("desk", {"LAMP-1", "DESK-3", "KB-2"}),  # in names and in a description
        ("oak desk", {"DESK-3"}),  # every word must match
        ("nothing-like-it", set()),
    ],
)
def test_search_matches_name_sku_and_description(user_client, make_product, term, expected):
    make_product(name="Desk Lamp", sku="LAMP-1", description="LED, dimmable.")
    make_product(name="Keyboard", sku="KB-2", description="Fits any desk.")
    make_product(name="Oak Desk", sku="DESK-3", description="Solid walnut legs.")
    body = user_client.get(LIST, {"search": term}).json()
    assert {row["sku"] for row in body["results"]} == expected


def test_search_does_not_reveal_inactive_products(user_client, make_product):
    make_product(name="Hidden Lamp", is_active=False)
    assert user_client.get(LIST, {"search": "lamp"}).json()["count"] == 0


@pytest.fixture
def orderable(make_product):
    """Three products whose price, name and creation order all differ."""
    now = timezone.now()
    rows = [("Banana", "2.00", 2), ("Apple", "3.00", 1), ("Cherry", "1.00", 3)]
    for name, price, days_ago in rows:
        product = make_product(name=name, price=Decimal(price))
        Product.objects.filter(pk=product.pk).update(created_at=now - timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("ordering", "names"),
    [
        ("price", ["Cherry", "Banana", "Apple"]),
        ("-price", ["Apple", "Banana", "Cherry"]),
        ("name", ["Apple", "Banana", "Cherry"]),
        ("-name", ["Cherry", "Banana", "Apple"]),
        ("created_at", ["Cherry", "Banana", "Apple"]),
        ("-created_at", ["Apple", "Banana", "Cherry"]),
        (None, ["Apple", "Banana", "Cherry"]),  # default: newest first
    ],
)
def test_ordering(user_client, orderable, ordering, names):
    params = {"ordering": ordering} if ordering else {}
    assert [row["name"] for row in user_client.get(LIST, params).json()["results"]] == names


def test_ordering_with_a_filter(user_client, priced):
    response = user_client.get(LIST, {"min_price": "10", "ordering": "-price"})
    assert [row["price"] for row in response.json()["results"]] == ["50.00", "10.01", "10.00"]


@pytest.mark.parametrize("ordering", ["price", "-price"])
def test_equal_prices_page_in_a_stable_order_by_id(user_client, make_product, ordering):
    ids = [make_product(price=Decimal("5.00")).pk for _ in range(5)]
    pages = [user_client.get(LIST, {"ordering": ordering, "page_size": 2, "page": n}).json() for n in (1, 2, 3)]
    seen = [row["id"] for page in pages for row in page["results"]]
    assert seen == (ids if ordering == "price" else ids[::-1])


def test_list_is_paginated_20_by_default(user_client, make_product):
    make_product.create_batch(25)
    body = user_client.get(LIST).json()
    assert (body["count"], len(body["results"]), body["previous"]) == (25, 20, None)
    assert body["next"].startswith("http://testserver/api/v1/products/?page=2")


def test_pagination_keeps_the_filters_in_next(user_client, make_product):
    make_product.create_batch(3, price=Decimal("20.00"))
    body = user_client.get(LIST, {"min_price": "10", "ordering": "-price", "page_size": 2}).json()
    assert "min_price=10" in body["next"]
    assert "ordering=-price" in body["next"]
    second = user_client.get(body["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_page_size_is_clamped_at_100(user_client, make_product):
    make_product.create_batch(101)
    assert len(user_client.get(LIST, {"page_size": 500}).json()["results"]) == 100


@pytest.mark.parametrize(("params", "status"), [({"page_size": "0"}, 400), ({"page": "9"}, 404), ({"page": "x"}, 404)])
def test_bad_page_is_4xx(user_client, make_product, params, status):
    make_product()
    assert user_client.get(LIST, params).status_code == status


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_runs_a_fixed_number_of_queries(user_client, make_product, django_assert_num_queries, page_size):
    make_product.create_batch(105)
    # The caller's user row, COUNT and one SELECT, whatever the page size.
    with django_assert_num_queries(3):
        response = user_client.get(LIST, {"page_size": page_size, "min_price": "1", "ordering": "-price"})
    assert len(response.json()["results"]) == page_size


def test_detail_runs_two_queries(user_client, make_product, django_assert_num_queries):
    product = make_product()
    with django_assert_num_queries(2):
        user_client.get(f"{LIST}{product.pk}/")


@pytest.mark.parametrize("ordering", [",", "price,", ",name"])
def test_an_empty_ordering_key_is_400(user_client, orderable, ordering):
    response = user_client.get(LIST, {"ordering": ordering})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "ordering"


def test_ordering_by_two_keys(user_client, make_product):
    for name, price in [("B", "1.00"), ("A", "1.00"), ("C", "0.50")]:
        make_product(name=name, price=Decimal(price))
    response = user_client.get(LIST, {"ordering": "-price,name"})
    assert [row["name"] for row in response.json()["results"]] == ["A", "B", "C"]

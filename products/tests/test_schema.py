"""The OpenAPI schema documents every product query parameter with its type."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_list_parameters_are_documented_with_types(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    assert parameters["min_price"]["type"] == "number"
    assert parameters["max_price"]["type"] == "number"
    assert parameters["in_stock"]["type"] == "boolean"
    assert parameters["search"]["type"] == "string"
    assert set(parameters["ordering"]["items"]["enum"]) == {
        "price",
        "-price",
        "name",
        "-name",
        "created_at",
        "-created_at",
    }
    assert {"page", "page_size"} <= set(parameters)


def test_price_is_documented_as_a_decimal_string(schema):
    price = schema["components"]["schemas"]["Product"]["properties"]["price"]
    assert (price["type"], price["format"]) == ("string", "decimal")


def test_product_endpoints_need_a_bearer_token_or_an_api_key_and_document_their_errors(schema):
    operation = schema["paths"]["/api/v1/products/{id}/"]["patch"]
    assert operation["security"] == [{"jwtAuth": []}, {"apiKeyAuth": []}]
    assert {"400", "401", "403", "404"} <= set(operation["responses"])

"""The OpenAPI schema documents the "this wasn't me" endpoint: public, its body, its answers."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(api_client) -> tuple[dict, dict]:
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    return schema, schema["paths"]["/api/v1/auth/login/disown/"]["post"]


def test_the_endpoint_is_public_and_documents_its_answers(operation):
    _, post = operation
    assert all("jwtAuth" not in requirement for requirement in post.get("security", []))
    assert {"200", "400", "429"} <= set(post["responses"])
    assert post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Detail")


def test_the_body_is_one_token_and_its_400_names_the_invalid_code(operation):
    schema, post = operation
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][body]["required"] == ["token"]
    name = post["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    prefix = name.removesuffix("ErrorResponse400")
    codes = set()
    for component_name, component in schema["components"]["schemas"].items():
        properties = component.get("properties", {})
        if component_name.startswith(prefix) and properties.get("attr", {}).get("enum") == ["token"]:
            codes |= set(properties["code"].get("enum", []))
    assert {"invalid", "required", "blank", "max_length"} <= codes

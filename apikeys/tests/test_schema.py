"""The OpenAPI schema: a second security scheme, on exactly the operations a key may call, and the key endpoints."""

import pytest

from apikeys.scopes import path_open_to_keys

pytestmark = pytest.mark.django_db

BOTH = [{"jwtAuth": []}, {"apiKeyAuth": []}]
JWT_ONLY = [{"jwtAuth": []}]


@pytest.fixture
def schema(api_client) -> dict:
    return api_client.get("/api/schema/", {"format": "json"}).json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def test_the_api_key_scheme_is_the_authorization_header(schema):
    scheme = schema["components"]["securitySchemes"]["apiKeyAuth"]
    assert {"type": "apiKey", "in": "header", "name": "Authorization"}.items() <= scheme.items()
    assert "Api-Key dak_" in scheme["description"]


def test_every_protected_operation_a_key_may_call_lists_both_schemes(schema):
    seen = 0
    for method, path, operation in operations(schema):
        # `{}`: no credentials needed (anyone, or optional as for the signed-out resend of a verification mail).
        security = [requirement for requirement in operation.get("security", []) if requirement]
        if not security:
            continue  # for anyone
        expected = BOTH if path_open_to_keys(method=method, path=path) else JWT_ONLY
        assert security == expected, (method, path)
        assert "401" in operation["responses"], (method, path)
        seen += security == BOTH
    assert seen >= 19  # posts, products, users, the admin's security log and GET auth/me/


@pytest.mark.parametrize(
    ("method", "path", "security"),
    [
        ("get", "/api/v1/auth/me/", BOTH),
        ("patch", "/api/v1/auth/me/", JWT_ONLY),
        ("post", "/api/v1/auth/api-keys/", JWT_ONLY),
        ("get", "/api/v1/auth/api-keys/", JWT_ONLY),
        ("delete", "/api/v1/auth/api-keys/{id}/", JWT_ONLY),
        ("post", "/api/v1/posts/", BOTH),
        ("patch", "/api/v1/users/{id}/", BOTH),
    ],
)
def test_security_of_some_operations(schema, method, path, security):
    assert schema["paths"][path][method]["security"] == security


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/posts/"), ("delete", "/api/v1/posts/{id}/vote/"), ("get", "/api/v1/auth/events/")],
)
def test_operations_a_key_may_be_refused_document_403(schema, method, path):
    assert "403" in schema["paths"][path][method]["responses"]


def test_making_a_key_documents_the_key_once_and_the_rules_of_the_body(schema):
    operation = schema["paths"]["/api/v1/auth/api-keys/"]["post"]
    assert {"201", "400", "401", "403"} <= set(operation["responses"])
    components = schema["components"]["schemas"]
    created = components["ApiKeyCreated"]["properties"]
    assert set(created) == {"id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "key"}
    assert "key" not in components["ApiKey"]["properties"]
    body = components["ApiKeyCreateRequest"]
    assert set(body["required"]) == {"name", "scopes"}
    scopes = body["properties"]["scopes"]
    assert (scopes["minItems"], scopes["maxItems"], scopes["uniqueItems"]) == (1, 3, True)
    assert components["ApiKeyScopeEnum"]["enum"] == ["read", "write", "admin"]
    assert body["properties"]["expires_at"]["format"] == "date-time"


def test_revoking_documents_204_and_404(schema):
    responses = schema["paths"]["/api/v1/auth/api-keys/{id}/"]["delete"]["responses"]
    assert {"204", "401", "404"} <= set(responses)


def test_the_list_never_holds_the_key(schema):
    response = schema["paths"]["/api/v1/auth/api-keys/"]["get"]["responses"]["200"]["content"]["application/json"]
    page = schema["components"]["schemas"][response["schema"]["$ref"].rsplit("/", 1)[1]]
    assert page["properties"]["results"]["items"]["$ref"].endswith("/ApiKey")

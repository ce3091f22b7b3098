"""Login/register throttles per client address, and the OpenAPI schema of the accounts API."""

from http import HTTPStatus

import pytest
from django.core.cache import cache

from accounts.tests.conftest import LOGIN, REGISTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "login": "2/min", "register": "1/min"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(("path", "allowed"), [(LOGIN, 2), (REGISTER, 1)])
def test_over_the_limit_is_429_with_retry_after(api_client, tight_rates, path, allowed):
    body = {"username": "x", "password": "y"}
    for _ in range(allowed):
        assert api_client.post(path, body).status_code != HTTPStatus.TOO_MANY_REQUESTS
    response = api_client.post(path, body)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert response.json()["type"] == "client_error"
    assert response.json()["errors"][0]["code"] == "throttled"


def test_the_limit_is_per_client_address(api_client, tight_rates):
    body = {"username": "x", "password": "y"}
    for _ in range(3):
        api_client.post(LOGIN, body, REMOTE_ADDR="10.0.0.1")
    assert api_client.post(LOGIN, body, REMOTE_ADDR="10.0.0.2").status_code == HTTPStatus.UNAUTHORIZED


@pytest.fixture
def schema(api_client) -> dict:
    return api_client.get("/api/schema/", {"format": "json"}).json()


def test_schema_declares_the_bearer_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["jwtAuth"].items()


PUBLIC = [("post", "/api/v1/auth/register/"), ("post", "/api/v1/auth/login/"), ("post", "/api/v1/auth/token/refresh/")]
JWT_ONLY, JWT_OR_API_KEY = [{"jwtAuth": []}], [{"jwtAuth": []}, {"apiKeyAuth": []}]
# API keys reach no `auth/` endpoint but GET `auth/me/` (apikeys.scopes).
PROTECTED = [
    ("post", "/api/v1/auth/logout/", JWT_ONLY),
    ("post", "/api/v1/auth/logout-all/", JWT_ONLY),
    ("get", "/api/v1/auth/me/", JWT_OR_API_KEY),
    ("patch", "/api/v1/auth/me/", JWT_ONLY),
    ("post", "/api/v1/auth/password/change/", JWT_ONLY),
    ("get", "/api/v1/users/", JWT_OR_API_KEY),
    ("get", "/api/v1/users/{id}/", JWT_OR_API_KEY),
    ("patch", "/api/v1/users/{id}/", JWT_OR_API_KEY),
]


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_public_operations_need_no_bearer_token(schema, method, path):
    security = schema["paths"][path][method].get("security", [])
    assert all("jwtAuth" not in requirement for requirement in security)


@pytest.mark.parametrize(("method", "path", "security"), PROTECTED)
def test_protected_operations_require_the_bearer_token_and_document_401(schema, method, path, security):
    operation = schema["paths"][path][method]
    assert operation["security"] == security
    assert "401" in operation["responses"]


def test_login_documents_token_type_expires_in_and_401(schema):
    operation = schema["paths"]["/api/v1/auth/login/"]["post"]
    assert {"200", "400", "401", "429"} <= set(operation["responses"])
    body = schema["components"]["schemas"]["LoginResponse"]["properties"]
    assert {"access", "refresh", "token_type", "expires_in", "user"} <= set(body)
    # One JSON body in the schema (generated clients break on several); the form is described.
    assert list(operation["requestBody"]["content"]) == ["application/json"]
    assert "x-www-form-urlencoded" in operation["description"]


def test_users_list_documents_its_query_parameters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/users/"]["get"]["parameters"]}
    assert {"search", "role", "is_active", "page", "page_size"} <= names

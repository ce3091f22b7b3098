"""
Every endpoint whose answer can carry a token, a secret or recovery codes says `Cache-Control: no-store`
on every answer, its errors included. Which endpoints those are is read off the OpenAPI schema, so a
new one that hands out a secret is covered without being listed here.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Role

# Response fields that hold something a shared cache or the browser's history must never keep.
# `authorization_url`: the link start's URL holds a signed token that starts linking a provider to the account.
SECRET_FIELDS = {"access", "refresh", "mfa_token", "secret", "recovery_codes", "key", "authorization_url"}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _secret_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                if SECRET_FIELDS & set(_resolve(schema, body).get("properties", {})):
                    found.append((method.upper(), path))
                    break
    return found


SECRET_OPERATIONS = _secret_operations()


def test_the_schema_walk_finds_the_known_secret_endpoints():
    # A walk that finds nothing would pass the test below vacuously.
    paths = {path for _, path in SECRET_OPERATIONS}
    assert {
        "/api/v1/auth/login/",
        "/api/v1/auth/login/mfa/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/reauthenticate/",
        "/api/v1/auth/mfa/totp/",
        "/api/v1/auth/mfa/totp/confirm/",
        "/api/v1/auth/mfa/recovery-codes/",
        "/api/v1/auth/api-keys/",
        "/api/v1/auth/social/{provider}/link/",
    } <= paths


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), SECRET_OPERATIONS)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_answer_of_a_secret_endpoint_is_no_store(method, path, signed_in, api_client, client_for, make_user):
    client = client_for(make_user(role=Role.USER)) if signed_in else api_client
    response = client.generic(method, re.sub(r"\{[^}]+\}", "1", path), "{}", content_type="application/json")
    assert response.status_code < 500
    assert "no-store" in response.get("Cache-Control", ""), (method, path, response.status_code)


@pytest.mark.django_db
def test_a_successful_login_and_a_new_api_key_are_no_store(api_client, client_for, make_user):
    user = make_user(role=Role.USER, password="correct horse battery")
    login = api_client.post("/api/v1/auth/login/", {"username": user.username, "password": "correct horse battery"})
    assert login.status_code == 200
    assert "no-store" in login["Cache-Control"]
    made = client_for(user).post("/api/v1/auth/api-keys/", {"name": "ci", "scopes": ["read"]})
    assert made.status_code == 201
    assert made.json()["key"]
    assert "no-store" in made["Cache-Control"]


@pytest.mark.django_db
def test_an_answer_without_secrets_stays_cacheable_as_before(client_for, make_user):
    # The mechanism is per view: a plain read such as the post list keeps its default headers.
    response = client_for(make_user(role=Role.USER)).get("/api/v1/posts/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")

"""The OpenAPI schema of two-factor authentication agrees with API.md."""

import pytest

pytestmark = pytest.mark.django_db

JWT_ONLY = [{"jwtAuth": []}]


@pytest.fixture
def schema(api_client) -> dict:
    return api_client.get("/api/schema/", {"format": "json"}).json()


def error_codes(schema: dict, operation: dict, attr: str) -> set[str]:
    """The error codes the operation's 400 documents for `attr` (drf-standardized-errors' components)."""
    name = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    prefix = name.removesuffix("ErrorResponse400")
    codes = set()
    for component_name, component in schema["components"]["schemas"].items():
        properties = component.get("properties", {})
        if component_name.startswith(prefix) and properties.get("attr", {}).get("enum") == [attr]:
            codes |= set(properties["code"].get("enum", []))
    return codes


def test_login_documents_the_202_challenge(schema):
    operation = schema["paths"]["/api/v1/auth/login/"]["post"]
    assert {"200", "202", "400", "401", "403", "429"} <= set(operation["responses"])
    ref = operation["responses"]["202"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(body["properties"]) == {"mfa_required", "mfa_token", "expires_in"}


def test_the_second_step_is_public_and_answers_as_a_login(schema):
    operation = schema["paths"]["/api/v1/auth/login/mfa/"]["post"]
    assert all("jwtAuth" not in requirement for requirement in operation.get("security", []))
    assert {"200", "400", "401", "403", "429"} <= set(operation["responses"])
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/LoginResponse")
    assert {"wrong_code", "invalid", "required", "blank", "max_length"} <= error_codes(schema, operation, "code")


@pytest.mark.parametrize(
    ("path", "success", "attr", "codes"),
    [
        ("/api/v1/auth/mfa/totp/", "201", "password", {"wrong_password"}),
        ("/api/v1/auth/mfa/totp/confirm/", "200", "code", {"wrong_code", "invalid"}),
        ("/api/v1/auth/mfa/disable/", "204", "code", {"wrong_code", "invalid"}),
        ("/api/v1/auth/mfa/recovery-codes/", "200", "code", {"wrong_code", "invalid"}),
    ],
)
def test_the_two_factor_operations_need_a_jwt_and_document_their_answers(schema, path, success, attr, codes):
    operation = schema["paths"][path]["post"]
    assert operation["security"] == JWT_ONLY
    assert {success, "400", "401", "403", "429"} <= set(operation["responses"])
    assert codes <= error_codes(schema, operation, attr)


def test_admins_patch_documents_turning_two_factor_off(schema):
    operation = schema["paths"]["/api/v1/users/{id}/"]["patch"]
    assert "only_off" in error_codes(schema, operation, "mfa_enabled")
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert request["properties"]["mfa_enabled"]["type"] == "boolean"

"""The OpenAPI schema of password reset and email verification agrees with API.md."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client) -> dict:
    return api_client.get("/api/schema/", {"format": "json"}).json()


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("/api/v1/auth/password/reset/", {"202", "400", "429"}),
        ("/api/v1/auth/password/reset/confirm/", {"204", "400"}),
        ("/api/v1/auth/email/verify/", {"200", "400"}),
    ],
)
def test_the_public_operations_need_no_token_and_document_their_answers(schema, path, statuses):
    operation = schema["paths"][path]["post"]
    assert all("jwtAuth" not in requirement for requirement in operation.get("security", []))
    assert statuses <= set(operation["responses"])


def test_resend_works_with_or_without_a_bearer_token(schema):
    operation = schema["paths"]["/api/v1/auth/email/verify/resend/"]["post"]
    assert {"jwtAuth": []} in operation["security"]
    assert {} in operation["security"]
    assert {"202", "400", "401", "429"} <= set(operation["responses"])


def test_the_user_object_shows_email_ownership_read_only(schema):
    user = schema["components"]["schemas"]["User"]
    assert {"email_verified", "pending_email"} <= set(user["required"])
    assert user["properties"]["email_verified"]["readOnly"] is True
    assert user["properties"]["pending_email"] == {**user["properties"]["pending_email"], "readOnly": True}
    assert user["properties"]["pending_email"].get("nullable") is True


def test_login_documents_the_email_not_verified_403(schema):
    forbidden = schema["paths"]["/api/v1/auth/login/"]["post"]["responses"]["403"]
    ref = forbidden["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    errors = schema["components"]["schemas"][ref]["properties"]["errors"]["items"]["$ref"].rsplit("/", 1)[1]
    code = schema["components"]["schemas"][errors]["properties"]["code"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][code]["enum"] == ["email_not_verified"]
    examples = forbidden["content"]["application/json"]["examples"]
    assert {e["value"]["errors"][0]["code"] for e in examples.values()} == {"email_not_verified"}


def test_the_token_and_password_errors_are_documented(schema):
    text = str(schema["components"]["schemas"])
    assert "already_verified" in text
    assert "password_too_common" in text

"""The schema documents the step-up 401 and its challenge where a recent login is needed, and only there."""

import pytest

pytestmark = pytest.mark.django_db

STEP_UP = [
    ("/api/v1/auth/password/change/", "post"),
    ("/api/v1/auth/me/", "patch"),
    ("/api/v1/auth/api-keys/", "post"),
    ("/api/v1/auth/mfa/totp/", "post"),
    ("/api/v1/auth/mfa/totp/confirm/", "post"),
    ("/api/v1/auth/mfa/disable/", "post"),
    ("/api/v1/auth/mfa/recovery-codes/", "post"),
    # The later credential changes: account deletion, passkeys, linked sign-in providers.
    ("/api/v1/auth/me/", "delete"),
    ("/api/v1/auth/passkeys/registration/options/", "post"),
    ("/api/v1/auth/passkeys/registration/", "post"),
    ("/api/v1/auth/passkeys/{id}/", "delete"),
    ("/api/v1/auth/social/{provider}/link/", "post"),
    ("/api/v1/auth/identities/{id}/", "delete"),
]
NOT_STEP_UP = [
    ("/api/v1/auth/me/", "get"),
    ("/api/v1/auth/api-keys/", "get"),
    ("/api/v1/auth/logout-all/", "post"),
    ("/api/v1/auth/passkeys/", "get"),
    ("/api/v1/auth/passkeys/{id}/", "patch"),
    ("/api/v1/auth/identities/", "get"),
]


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def codes_401(schema: dict, response: dict) -> set[str]:
    name = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    errors = schema["components"]["schemas"][name]["properties"]["errors"]["items"]["$ref"].rsplit("/", 1)[1]
    enum = schema["components"]["schemas"][errors]["properties"]["code"]
    if "$ref" in enum:
        enum = schema["components"]["schemas"][enum["$ref"].rsplit("/", 1)[1]]
    return set(enum["enum"])


@pytest.mark.parametrize(("path", "method"), STEP_UP)
def test_credential_changes_document_reauthentication_required_and_its_challenge(schema, path, method):
    response = schema["paths"][path][method]["responses"]["401"]
    assert "reauthentication_required" in codes_401(schema, response)
    assert "not_authenticated" in codes_401(schema, response)
    assert "insufficient_user_authentication" in response["headers"]["WWW-Authenticate"]["description"]
    assert "ReauthenticationRequired" in response["content"]["application/json"]["examples"]


@pytest.mark.parametrize(("path", "method"), NOT_STEP_UP)
def test_other_operations_keep_the_plain_401(schema, path, method):
    response = schema["paths"][path][method]["responses"]["401"]
    assert "reauthentication_required" not in codes_401(schema, response)
    assert "headers" not in response


def test_reauthenticate_documents_both_factors_and_its_answer(schema):
    operation = schema["paths"]["/api/v1/auth/reauthenticate/"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    # One field per registered factor: the password, two-factor codes (mfa), passkeys (passkeys).
    assert set(schema["components"]["schemas"][request]["properties"]) == {"password", "code", "passkey"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ok]["properties"]) == {
        "access",
        "token_type",
        "expires_in",
        "auth_time",
        "amr",
    }
    assert {"400", "401", "403", "429"} <= set(operation["responses"])

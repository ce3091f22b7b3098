"""Native apps' ID tokens, GitHub's plain OAuth 2.0, TOTP users, and providers that are down or answer garbage."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from mfa.tests.conftest import code_now, mfa_turn_on
from social.models import Identity
from social.tests.conftest import browser_sign_in, social_login, start_url
from social.tests.provider import fake_provider_running

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/social/oidc/token/"


def test_a_native_apps_id_token_signs_in_once(provider):
    token = provider.sign(provider.claims(nonce="app-nonce"))
    response = APIClient().post(TOKEN, {"id_token": token, "nonce": "app-nonce"}, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["user_created"] is True
    replay = APIClient().post(TOKEN, {"id_token": token, "nonce": "app-nonce"}, format="json")
    assert replay.status_code == HTTPStatus.BAD_REQUEST
    assert replay.json()["errors"][0]["attr"] == "id_token"


@pytest.mark.parametrize(
    "body",
    [{}, {"id_token": ""}, {"id_token": 7}, {"id_token": "garbage"}, {"id_token": "a.b.c", "nonce": ["x"]}],
)
def test_a_bad_native_request_is_a_400(provider, body):
    response = APIClient().post(TOKEN, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["type"] == "validation_error"


def test_a_native_token_with_another_nonce_or_audience_is_refused(provider):
    wrong_nonce = provider.sign(provider.claims(nonce="a"))
    assert APIClient().post(TOKEN, {"id_token": wrong_nonce, "nonce": "b"}, format="json").status_code == 400
    wrong_aud = provider.sign(provider.claims(aud="someone-else"))
    assert APIClient().post(TOKEN, {"id_token": wrong_aud}, format="json").status_code == 400
    assert User.objects.count() == 0


def test_github_has_no_id_tokens(provider):
    response = APIClient().post("/api/v1/auth/social/github/token/", {"id_token": "a.b.c"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "no_id_tokens"


def test_github_signs_in_with_its_primary_verified_email(provider):
    provider.github_user = {"id": 4242, "login": "octo"}
    provider.github_emails = [
        {"email": "old@example.com", "primary": False, "verified": True},
        {"email": "Octo@Example.com", "primary": True, "verified": True},
    ]
    response = social_login(APIClient(), provider, "github")
    assert response.status_code == HTTPStatus.OK, response.content
    user = User.objects.get(pk=response.json()["user"]["id"])
    assert (user.username, user.email, user.email_verified) == ("octo", "octo@example.com", True)
    identity = Identity.objects.get()
    assert (identity.issuer, identity.subject) == ("https://github.com", "4242")


def test_github_unverified_email_makes_an_unverified_account(provider):
    provider.github_user = {"id": 7, "login": "nova"}
    provider.github_emails = [{"email": "nova@example.com", "primary": True, "verified": False}]
    body = social_login(APIClient(), provider, "github").json()
    assert User.objects.get(pk=body["user"]["id"]).email_verified is False


@pytest.mark.parametrize("emails", ['{"not": "a list"}', "[1, 2]", "not json"])
def test_github_answering_garbage_is_a_502(provider, emails):
    provider.github_user = {"id": 7, "login": "nova"}
    provider.overrides["/user/emails"] = (200, emails)
    response = browser_sign_in(APIClient(), provider, "github")
    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert response.json()["errors"][0]["code"] == "provider_error"


def test_a_totp_user_gets_the_second_step_not_tokens(provider):
    body = social_login(APIClient(), provider).json()
    mfa = mfa_turn_on(User.objects.get(pk=body["user"]["id"]))
    response = social_login(APIClient(), provider)
    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json()["mfa_required"] is True
    assert "access" not in response.json()
    done = APIClient().post(
        "/api/v1/auth/login/mfa/",
        {"mfa_token": response.json()["mfa_token"], "code": code_now(mfa.secret, offset_steps=1)},
    )
    # The code of the next step (the confirmation spent this one): within the allowed drift.
    assert done.status_code == HTTPStatus.OK, done.content
    assert done.json()["user"]["id"] == body["user"]["id"]


def test_an_inactive_user_cannot_sign_in_with_a_provider(provider):
    body = social_login(APIClient(), provider).json()
    User.objects.filter(pk=body["user"]["id"]).update(is_active=False)
    assert social_login(APIClient(), provider).status_code == HTTPStatus.UNAUTHORIZED


def test_mandatory_email_verification_applies_to_provider_sign_ins(provider, settings):
    settings.EMAIL_VERIFICATION = "mandatory"
    response = social_login(APIClient(), provider, email_verified=False)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["errors"][0]["code"] == "email_not_verified"


def test_a_provider_that_is_down_is_a_503_in_the_standard_shape(settings):
    with fake_provider_running() as gone:
        url = gone.url
    settings.SOCIAL_PROVIDERS = {
        "oidc": {
            "preset": "oidc",
            "name": "Gone",
            "client_id": "c",
            "client_secret": "s",
            "trusted": False,
            "discovery_url": f"{url}/.well-known/openid-configuration",
        }
    }
    response = APIClient().get(start_url("oidc"))
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["type"] == "server_error"
    assert response.json()["errors"][0]["code"] == "provider_unavailable"
    assert response["Retry-After"] == "60"


@pytest.mark.parametrize(
    ("path", "status", "body", "expected"),
    [
        ("/.well-known/openid-configuration", 200, "<html>not json</html>", HTTPStatus.BAD_GATEWAY),
        ("/.well-known/openid-configuration", 200, '{"issuer": "x"}', HTTPStatus.BAD_GATEWAY),
        ("/.well-known/openid-configuration", 200, "[]", HTTPStatus.BAD_GATEWAY),
        ("/.well-known/openid-configuration", 500, "{}", HTTPStatus.BAD_GATEWAY),
        ("/.well-known/openid-configuration", 503, "{}", HTTPStatus.SERVICE_UNAVAILABLE),
        ("/.well-known/openid-configuration", 404, "{}", HTTPStatus.BAD_GATEWAY),
    ],
)
def test_a_garbage_discovery_document_is_a_502_or_503(provider, path, status, body, expected):
    provider.overrides[path] = (status, body)
    response = APIClient().get(start_url("oidc"))
    assert response.status_code == expected
    assert response.json()["type"] == "server_error"


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/token", 200, "not json"),
        ("/token", 200, '{"access_token": "a", "token_type": "Bearer"}'),  # no id_token
        ("/token", 400, '{"error": "invalid_client"}'),
        ("/token", 500, "oops"),
        ("/jwks", 200, '{"keys": "nope"}'),
        ("/jwks", 200, '{"keys": [{"kty": "RSA"}]}'),
    ],
)
def test_garbage_at_the_token_or_keys_endpoint_is_a_502(provider, path, status, body):
    provider.overrides[path] = (status, body)
    response = browser_sign_in(APIClient(), provider)
    assert response.status_code == HTTPStatus.BAD_GATEWAY, response.content
    assert response.json()["errors"][0]["code"] == "provider_error"

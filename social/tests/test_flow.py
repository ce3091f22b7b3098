"""The browser flow: start (PKCE, state, nonce, cookie), callback (state bound to the browser), ticket exchange."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from audit.models import Event, SecurityEvent
from social.models import AuthorizationRequest, Identity, Ticket
from social.tests.conftest import (
    COOKIE_NAME,
    EXCHANGE,
    browser_sign_in,
    callback_url,
    social_login,
    start_url,
    ticket_of,
)
from social.tests.provider import CLIENT_ID

pytestmark = pytest.mark.django_db


def test_start_redirects_to_the_provider_with_pkce_state_and_nonce_and_sets_the_browser_cookie(provider):
    response = APIClient().get(start_url("oidc"))
    assert response.status_code == HTTPStatus.FOUND
    location = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.url}/authorize"
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "openid email profile"
    assert query["redirect_uri"] == "http://testserver/api/v1/auth/social/oidc/callback/"
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == callback_url("oidc")
    assert int(cookie["max-age"]) == 600
    request = AuthorizationRequest.objects.get()
    # Only a hash of the cookie's reference is stored.
    assert cookie.value not in request.reference_hash
    assert request.state == query["state"]
    assert request.nonce == query["nonce"]


def test_unknown_provider_is_a_404_in_the_standard_shape(provider):
    response = APIClient().get(start_url("nope"))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["errors"][0]["code"] == "not_found"


def test_first_sign_in_creates_a_verified_user_with_no_password_and_an_identity(provider):
    response = social_login(APIClient(), provider, preferred_username="ada", email="Ada@Example.com")
    assert response.status_code == HTTPStatus.OK, response.json()
    body = response.json()
    assert body["user_created"] is True
    assert body["token_type"] == "Bearer"
    user = User.objects.get(pk=body["user"]["id"])
    assert (user.username, user.email, user.email_verified) == ("ada", "ada@example.com", True)
    assert not user.has_usable_password()
    identity = Identity.objects.get(user=user)
    assert (identity.issuer, identity.subject, identity.provider) == (provider.issuer, "subject-1", "oidc")
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['access']}").get("/api/v1/auth/me/")
    assert me.status_code == HTTPStatus.OK
    assert me.json()["username"] == "ada"
    assert SecurityEvent.objects.filter(user=user, event=Event.IDENTITY_LINKED).count() == 1
    login = SecurityEvent.objects.get(user=user, event=Event.LOGIN_SUCCEEDED)
    assert login.detail["provider"] == "oidc"


def test_a_new_user_is_unverified_when_the_provider_does_not_say_verified(provider):
    body = social_login(APIClient(), provider, email_verified=None).json()
    assert User.objects.get(pk=body["user"]["id"]).email_verified is False


@pytest.mark.parametrize("claim", ["true", 1, "yes"])
def test_only_a_boolean_true_counts_as_verified(provider, claim):
    body = social_login(APIClient(), provider, email_verified=claim).json()
    assert User.objects.get(pk=body["user"]["id"]).email_verified is False


def test_second_sign_in_finds_the_same_user_by_issuer_and_subject_even_with_a_new_email(provider):
    first = social_login(APIClient(), provider).json()
    second = social_login(APIClient(), provider, email="renamed@example.com")
    assert second.status_code == HTTPStatus.OK
    assert second.json()["user"]["id"] == first["user"]["id"]
    assert second.json()["user_created"] is False
    assert Identity.objects.get().email == "renamed@example.com"
    assert User.objects.count() == 1


def test_an_id_token_of_another_issuer_is_refused(provider):
    social_login(APIClient(), provider)
    provider.issuer = "http://127.0.0.1:1/other"
    # Tokens now name another issuer than the (cached) discovery document: refused.
    response = browser_sign_in(APIClient(), provider)
    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert Identity.objects.count() == 1


def test_callback_in_another_browser_is_refused_login_csrf(provider):
    attacker, victim = APIClient(), APIClient()
    started = attacker.get(start_url("oidc"))
    code, state = provider.authorize(started["Location"])
    # The attacker makes the victim's browser open the callback with the attacker's code and state.
    response = victim.get(callback_url("oidc"), {"code": code, "state": state})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0] == {
        "code": "state_invalid",
        "detail": response.json()["errors"][0]["detail"],
        "attr": "state",
    }
    assert Ticket.objects.count() == 0
    assert "/token" not in provider.requests


def test_callback_with_a_state_of_another_sign_in_of_the_same_browser_is_refused(provider):
    client = APIClient()
    started = client.get(start_url("oidc"))
    code, _ = provider.authorize(started["Location"])
    response = client.get(callback_url("oidc"), {"code": code, "state": "forged-state"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    # The request was spent: the right state cannot be tried afterwards either.
    assert AuthorizationRequest.objects.count() == 0


def test_a_replayed_callback_is_refused(provider):
    client = APIClient()
    started = client.get(start_url("oidc"))
    cookie = client.cookies[COOKIE_NAME].value
    code, state = provider.authorize(started["Location"])
    assert client.get(callback_url("oidc"), {"code": code, "state": state}).status_code == HTTPStatus.FOUND
    client.cookies[COOKIE_NAME] = cookie  # as a browser that kept the cookie would send it again
    replay = client.get(callback_url("oidc"), {"code": code, "state": state})
    assert replay.status_code == HTTPStatus.BAD_REQUEST
    assert replay.json()["errors"][0]["code"] == "state_invalid"


def test_an_expired_request_is_refused(provider):
    client = APIClient()
    started = client.get(start_url("oidc"))
    code, state = provider.authorize(started["Location"])
    AuthorizationRequest.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.get(callback_url("oidc"), {"code": code, "state": state}).status_code == HTTPStatus.BAD_REQUEST


def test_a_code_the_provider_refuses_is_a_400_on_code(provider):
    client = APIClient()
    started = client.get(start_url("oidc"))
    _, state = provider.authorize(started["Location"])
    response = client.get(callback_url("oidc"), {"code": "not-a-code", "state": state})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "code"
    assert response.json()["errors"][0]["code"] == "code_rejected"


def test_a_wrong_nonce_in_the_id_token_is_refused(provider):
    response = browser_sign_in(APIClient(), provider, nonce="another-nonce")
    assert response.status_code == HTTPStatus.BAD_GATEWAY
    assert response.json()["errors"][0]["code"] == "provider_error"
    assert Ticket.objects.count() == 0


def test_the_provider_refusing_consent_sends_the_browser_back_with_the_error(provider):
    client = APIClient()
    client.get(start_url("oidc"))
    response = client.get(callback_url("oidc"), {"error": "access_denied", "state": "x"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "https://app.example.com/social/callback?error=access_denied"


def test_a_ticket_works_once(provider):
    ticket = ticket_of(browser_sign_in(APIClient(), provider))
    assert APIClient().post(EXCHANGE, {"ticket": ticket}, format="json").status_code == HTTPStatus.OK
    again = APIClient().post(EXCHANGE, {"ticket": ticket}, format="json")
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["errors"][0]["attr"] == "ticket"


def test_an_expired_ticket_is_refused(provider):
    ticket = ticket_of(browser_sign_in(APIClient(), provider))
    Ticket.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert APIClient().post(EXCHANGE, {"ticket": ticket}, format="json").status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("body", [{}, {"ticket": ""}, {"ticket": 5}, {"ticket": "x" * 129}, {"ticket": ["a"]}])
def test_a_malformed_exchange_is_a_400(provider, body):
    response = APIClient().post(EXCHANGE, body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["type"] == "validation_error"


def test_the_callback_stores_only_a_hash_of_the_ticket(provider):
    ticket = ticket_of(browser_sign_in(APIClient(), provider))
    assert not Ticket.objects.filter(ticket_hash=ticket).exists()
    assert Ticket.objects.count() == 1


def test_claims_missing_from_the_id_token_come_from_user_info(provider):
    provider.userinfo = {"sub": "subject-1", "email": "info@example.com", "email_verified": True}
    body = social_login(APIClient(), provider, email=None, email_verified=None).json()
    assert body["user"]["email"] == "info@example.com"


def test_user_info_of_another_subject_is_refused(provider):
    provider.userinfo = {"sub": "someone-else", "email": "info@example.com"}
    response = browser_sign_in(APIClient(), provider, email=None)
    assert response.status_code == HTTPStatus.BAD_GATEWAY


def test_no_email_at_all_cannot_create_an_account(provider):
    provider.userinfo = {"sub": "subject-1"}
    response = social_login(APIClient(), provider, email=None)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "email_missing"
    assert User.objects.count() == 0


def test_the_provider_list_names_each_configured_provider(provider):
    response = APIClient().get("/api/v1/auth/social/providers/")
    assert response.status_code == HTTPStatus.OK
    assert [(p["slug"], p["name"]) for p in response.json()] == [
        ("oidc", "Test ID"),
        ("trusted", "Trusted"),
        ("github", "GitHub"),
    ]
    assert response.json()[0]["start_url"] == "http://testserver/api/v1/auth/social/oidc/start/"


def test_a_redirect_naming_another_issuer_is_refused_mix_up(provider):
    client = APIClient()
    started = client.get(start_url("oidc"))
    code, state = provider.authorize(started["Location"])
    response = client.get(callback_url("oidc"), {"code": code, "state": state, "iss": "https://evil.example.com"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "issuer_mismatch"
    assert "/token" not in provider.requests


def test_a_redirect_naming_the_right_issuer_is_accepted(provider):
    client = APIClient()
    started = client.get(start_url("oidc"))
    code, state = provider.authorize(started["Location"])
    response = client.get(callback_url("oidc"), {"code": code, "state": state, "iss": provider.issuer})
    assert ticket_of(response)


def test_housekeeping_deletes_expired_requests_and_tickets_only(provider):
    from social.tasks import purge_social_requests

    browser_sign_in(APIClient(), provider)
    APIClient().get(start_url("oidc"))
    AuthorizationRequest.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert purge_social_requests() == {"requests": 1, "tickets": 0}
    Ticket.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert purge_social_requests() == {"requests": 0, "tickets": 1}

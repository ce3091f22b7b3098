"""Fixtures for social login's tests: a provider on loopback configured as `oidc`, `trusted` and `github`."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from social.tests.provider import CLIENT_ID, CLIENT_SECRET, FakeProvider, fake_provider_running
from social.views import COOKIE_NAME

EXCHANGE = "/api/v1/auth/social/exchange/"


def start_url(slug: str) -> str:
    return f"/api/v1/auth/social/{slug}/start/"


def callback_url(slug: str) -> str:
    return f"/api/v1/auth/social/{slug}/callback/"


@pytest.fixture(autouse=True)
def clear_cache():
    """Discovery documents and keys are cached; each test meets its provider afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def provider(settings) -> FakeProvider:
    with fake_provider_running() as running:
        common = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        discovery_url = f"{running.url}/.well-known/openid-configuration"
        settings.SOCIAL_PROVIDERS = {
            "oidc": {**common, "preset": "oidc", "name": "Test ID", "trusted": False, "discovery_url": discovery_url},
            "trusted": {**common, "preset": "oidc", "name": "Trusted", "trusted": True, "discovery_url": discovery_url},
            "github": {
                **common,
                "preset": "github",
                "name": "GitHub",
                "trusted": True,
                "authorization_endpoint": f"{running.url}/authorize",
                "token_endpoint": f"{running.url}/token",
                "api_url": running.url,
            },
        }
        settings.FRONTEND_URL = "https://app.example.com"
        yield running


def browser_sign_in(client: APIClient, provider: FakeProvider, slug: str = "oidc", **claims):
    """A browser's round trip: start, consent at the provider, callback. Returns the callback's response."""
    started = client.get(start_url(slug))
    assert started.status_code == HTTPStatus.FOUND, started.content
    code, state = provider.authorize(started["Location"], **claims)
    return client.get(callback_url(slug), {"code": code, "state": state})


def ticket_of(response) -> str:
    assert response.status_code == HTTPStatus.FOUND, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.example.com/social/callback"
    return parse_qs(location.query)["ticket"][0]


def social_login(client: APIClient, provider: FakeProvider, slug: str = "oidc", **claims):
    """Sign in through the browser flow and exchange the ticket; the exchange's response."""
    ticket = ticket_of(browser_sign_in(client, provider, slug, **claims))
    return APIClient().post(EXCHANGE, {"ticket": ticket}, format="json")


__all__ = ["COOKIE_NAME"]

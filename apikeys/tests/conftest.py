"""Paths and assertions shared by the API key tests."""

from http import HTTPStatus

KEYS = "/api/v1/auth/api-keys/"
ME = "/api/v1/auth/me/"
POSTS = "/api/v1/posts/"
USERS = "/api/v1/users/"


def assert_key_rejected(response) -> None:
    """401 in the standard shape, challenging for both schemes."""
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    assert response.json()["type"] == "client_error"
    challenge = response["WWW-Authenticate"]
    assert 'Api-Key realm="api"' in challenge
    assert 'Bearer realm="api"' in challenge

"""
Scopes in one place: `read` keys read, `write` keys also write, and `auth/` is closed to keys
except reading `auth/me/`, on every view, including those with their own permission classes.
"""

import re
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, set_script_prefix
from rest_framework.test import APIClient

from accounts.models import Role
from apikeys.scopes import (
    ADMIN_SCOPE_REQUIRED,
    AUTH_ENDPOINT_CLOSED,
    WRITE_SCOPE_REQUIRED,
    api_key_refusal,
    path_open_to_keys,
)
from apikeys.tests.conftest import KEYS, ME, POSTS, USERS
from apikeys.tests.factories import api_key_make, key_client
from posts.models import Post
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("can_write", "method", "path", "refusal"),
    [
        (False, "GET", "/api/v1/posts/", None),
        (False, "HEAD", "/api/v1/posts/", None),
        (False, "OPTIONS", "/api/v1/posts/", None),
        (False, "POST", "/api/v1/posts/", WRITE_SCOPE_REQUIRED),
        (False, "DELETE", "/api/v1/posts/1/", WRITE_SCOPE_REQUIRED),
        (True, "PATCH", "/api/v1/products/1/", None),
        (True, "GET", "/api/v1/auth/me/", None),
        (False, "HEAD", "/api/v1/auth/me/", None),
        (True, "PATCH", "/api/v1/auth/me/", AUTH_ENDPOINT_CLOSED),
        (True, "GET", "/api/v1/auth/api-keys/", AUTH_ENDPOINT_CLOSED),
        (True, "POST", "/api/v1/auth/logout/", AUTH_ENDPOINT_CLOSED),
        (True, "GET", "/api/v1/auth/events/", AUTH_ENDPOINT_CLOSED),
        (True, "GET", "/api/v1/auth/me/extra/", AUTH_ENDPOINT_CLOSED),
        (True, "GET", "/api/v1/auth/anything-added-later/", AUTH_ENDPOINT_CLOSED),
        (True, "GET", "/api/v1/authors/", None),  # only the `auth/` segment is closed
        (True, "GET", "/api/v1/users/", None),
        (True, "GET", "/api/v1/users/1/", None),
        (True, "PATCH", "/api/v1/users/1/", ADMIN_SCOPE_REQUIRED),
        (True, "PUT", "/api/v1/users/1/", ADMIN_SCOPE_REQUIRED),
        (True, "DELETE", "/api/v1/users/1/", ADMIN_SCOPE_REQUIRED),
        (False, "PATCH", "/api/v1/users/1/", WRITE_SCOPE_REQUIRED),
    ],
)
def test_the_rule(can_write, method, path, refusal):
    assert api_key_refusal(can_write=can_write, can_admin=False, method=method, path=path) == refusal


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_the_admin_scope_opens_changes_through_users(method):
    assert api_key_refusal(can_write=True, can_admin=True, method=method, path="/api/v1/users/1/") is None
    assert api_key_refusal(can_write=True, can_admin=True, method=method, path="/api/v1/auth/me/") is not None


@pytest.fixture
def post(user) -> Post:
    return PostFactory(author=user)


def read_key(owner) -> str:
    return api_key_make(owner, scopes="read")[1]


def write_key(owner) -> str:
    return api_key_make(owner, scopes="read write")[1]


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_a_read_key_reads(user, post, method):
    response = getattr(key_client(read_key(user)), method)(f"{POSTS}{post.pk}/")
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", POSTS, {"title": "t", "body": "b"}),
        ("put", "{post}", {"title": "t", "body": "b"}),
        ("patch", "{post}", {"title": "t"}),
        ("delete", "{post}", None),
        ("post", "{post}vote/", {"value": 1}),
        ("delete", "{post}vote/", None),
    ],
)
def test_a_read_key_cannot_write_and_changes_nothing(user, post, method, path, body):
    url = path.format(post=f"{POSTS}{post.pk}/")
    response = getattr(key_client(read_key(user)), method)(url, body, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["errors"][0]["detail"] == WRITE_SCOPE_REQUIRED
    assert list(Post.objects.values_list("title", "score")) == [(post.title, 0)]


def test_a_write_key_writes(user, post):
    client = key_client(write_key(user))
    created = client.post(POSTS, {"title": "By a script", "body": "b"}, format="json")
    assert created.status_code == HTTPStatus.CREATED
    assert created.json()["author"]["id"] == user.pk
    assert client.post(f"{POSTS}{post.pk}/vote/", {"value": 1}, format="json").status_code == HTTPStatus.CREATED
    assert client.delete(f"{POSTS}{post.pk}/").status_code == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize(
    ("role", "scopes", "status"),
    [
        (Role.ADMIN, "read", HTTPStatus.FORBIDDEN),  # the key's scope, although the admin may
        (Role.ADMIN, "read write", HTTPStatus.FORBIDDEN),  # changes through users/ need the admin scope
        (Role.ADMIN, "read write admin", HTTPStatus.OK),
        (Role.MODERATOR, "read write", HTTPStatus.FORBIDDEN),  # the owner's role, although the key may
        (Role.USER, "read write", HTTPStatus.FORBIDDEN),
    ],
)
def test_changes_through_users_need_both_the_role_and_the_admin_scope(make_user, user, role, scopes, status):
    owner = make_user(role=role)
    make_user(role=Role.ADMIN)  # so demoting `user` never touches the last admin
    _, key = api_key_make(owner, scopes=scopes)
    response = key_client(key).patch(f"{USERS}{user.pk}/", {"role": Role.MODERATOR}, format="json")
    assert response.status_code == status
    user.refresh_from_db()
    assert user.role == (Role.MODERATOR if status == HTTPStatus.OK else Role.USER)


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, HTTPStatus.OK), (Role.USER, HTTPStatus.FORBIDDEN)])
def test_admin_only_reads_follow_the_owners_role(make_user, role, status):
    assert key_client(read_key(make_user(role=role))).get(USERS).status_code == status


def _auth_routes() -> list[tuple[str, str, bool]]:
    """(method, path, public) of every route under /api/v1/auth/ with a sample id, from the URLconf."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            pattern = str(entry.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + pattern)
            elif isinstance(entry, URLPattern) and (prefix + pattern).startswith("api/v1/auth/"):
                path = "/" + re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]+\)", "1", prefix + pattern)
                view = getattr(entry.callback, "cls", None)
                actions = getattr(entry.callback, "actions", None)
                methods = list(actions) if actions else [m for m in view.http_method_names if hasattr(view, m)]
                # Public endpoints (login, register...) authenticate nobody: they read no credentials.
                public = not view.authentication_classes
                routes.extend((method.upper(), path, public) for method in methods if method != "options")

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


AUTH_ROUTES = _auth_routes()
# Public endpoints that need no input (the options of a passwordless passkey login, for anyone).
PUBLIC_WITHOUT_INPUT = {("POST", "/api/v1/auth/login/passkey/options/")}


def test_the_route_walk_finds_the_auth_endpoints():
    found = {(method, path) for method, path, _ in AUTH_ROUTES}
    assert {("GET", ME), ("POST", "/api/v1/auth/logout/"), ("POST", KEYS), ("DELETE", f"{KEYS}1/")} <= found
    assert ("POST", "/api/v1/auth/login/", True) in AUTH_ROUTES


@pytest.mark.parametrize(("method", "path", "public"), AUTH_ROUTES, ids=[f"{m} {p}" for m, p, _ in AUTH_ROUTES])
def test_a_key_reaches_no_auth_endpoint_but_reading_me(user, method, path, public):
    client = key_client(write_key(user))
    response = client.generic(method, path, "{}", content_type="application/json")
    if method in ("GET", "HEAD") and path == ME:
        assert response.status_code == HTTPStatus.OK
    elif (method, path) in PUBLIC_WITHOUT_INPUT:
        # A key there authenticates nobody: the answer names no account.
        assert response.status_code == HTTPStatus.OK, response.content
        assert not response.json()["publicKey"].get("allowCredentials")
    elif public:
        # A key there authenticates nobody: it answers as to an anonymous caller (an empty body is refused,
        # an unknown sign-in provider is a 404, the provider list is public).
        anonymous = APIClient().generic(method, path, "{}", content_type="application/json")
        assert response.status_code == anonymous.status_code, response.content
        assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND) or (
            method == "GET" and path == "/api/v1/auth/social/providers/"
        ), response.content
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN, response.content
        assert response.json()["errors"][0]["detail"] == AUTH_ENDPOINT_CLOSED


def test_a_key_cannot_make_list_or_revoke_keys(user):
    api_key, key = api_key_make(user)
    client = key_client(key)
    assert client.post(KEYS, {"name": "child", "scopes": ["read"]}, format="json").status_code == HTTPStatus.FORBIDDEN
    assert client.get(KEYS).status_code == HTTPStatus.FORBIDDEN
    assert client.delete(f"{KEYS}{api_key.pk}/").status_code == HTTPStatus.FORBIDDEN
    assert user.api_keys.count() == 1
    assert client.get(ME).status_code == HTTPStatus.OK  # not revoked


@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v1/auth/me/", "/api/v1/auth/logout/", "/api/v1/authx/"])
def test_the_schema_rule_is_the_requests_rule(path):
    for method in ("GET", "POST"):
        refused = api_key_refusal(can_write=True, can_admin=True, method=method, path=path) is not None
        assert path_open_to_keys(method=method, path=path) is not refused


def test_the_rule_follows_the_script_prefix_of_a_deployment_under_a_path():
    try:
        set_script_prefix("/service/")
        assert not path_open_to_keys(method="POST", path="/service/api/v1/auth/logout/")
        assert path_open_to_keys(method="GET", path="/service/api/v1/auth/me/")
    finally:
        set_script_prefix("/")
    assert not path_open_to_keys(method="POST", path="/api/v1/auth/logout/")

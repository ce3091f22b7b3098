"""The roles table of API.md for posts: who may read, write, edit and delete, and 401 vs 403."""

from http import HTTPStatus

import pytest

from accounts.models import Role
from posts.models import Post
from posts.permissions import DELETE_FORBIDDEN, EDIT_FORBIDDEN
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"
ROLES = [Role.USER, Role.MODERATOR, Role.ADMIN]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_creates_and_votes(client_for, make_user, role):
    client = client_for(make_user(role=role))
    post = PostFactory()
    assert client.get(POSTS).status_code == HTTPStatus.OK
    assert client.get(f"{POSTS}{post.pk}/").status_code == HTTPStatus.OK
    assert client.post(POSTS, {"title": "t", "body": "b"}).status_code == HTTPStatus.CREATED
    assert client.post(f"{POSTS}{post.pk}/vote/", {"value": 1}).status_code == HTTPStatus.CREATED
    assert client.delete(f"{POSTS}{post.pk}/vote/").status_code == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_every_role_edits_their_own_post(client_for, make_user, role, method):
    author = make_user(role=role)
    post = PostFactory(author=author)
    response = getattr(client_for(author), method)(f"{POSTS}{post.pk}/", {"title": "Edited", "body": "b"})
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("role", ROLES)
def test_every_role_deletes_their_own_post(client_for, make_user, role):
    author = make_user(role=role)
    post = PostFactory(author=author)
    assert client_for(author).delete(f"{POSTS}{post.pk}/").status_code == HTTPStatus.NO_CONTENT


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.USER, HTTPStatus.FORBIDDEN), (Role.MODERATOR, HTTPStatus.FORBIDDEN), (Role.ADMIN, HTTPStatus.OK)],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_only_an_admin_edits_someone_elses_post(client_for, make_user, role, expected, method):
    post = PostFactory(title="Original")
    response = getattr(client_for(make_user(role=role)), method)(f"{POSTS}{post.pk}/", {"title": "Edited", "body": "b"})
    assert response.status_code == expected
    post.refresh_from_db()
    assert post.title == ("Edited" if expected == HTTPStatus.OK else "Original")
    if expected == HTTPStatus.FORBIDDEN:
        assert response.json()["errors"][0] == {"code": "permission_denied", "detail": EDIT_FORBIDDEN, "attr": None}


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.USER, HTTPStatus.FORBIDDEN), (Role.MODERATOR, HTTPStatus.NO_CONTENT), (Role.ADMIN, HTTPStatus.NO_CONTENT)],
)
def test_moderators_and_admins_delete_someone_elses_post(client_for, make_user, role, expected):
    post = PostFactory()
    response = client_for(make_user(role=role)).delete(f"{POSTS}{post.pk}/")
    assert response.status_code == expected
    assert Post.objects.filter(pk=post.pk).exists() == (expected == HTTPStatus.FORBIDDEN)
    if expected == HTTPStatus.FORBIDDEN:
        assert response.json()["errors"][0]["detail"] == DELETE_FORBIDDEN


def test_moderator_cannot_edit_someone_elses_post(client_for, moderator):
    post = PostFactory()
    assert client_for(moderator).patch(f"{POSTS}{post.pk}/", {"title": "x"}).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("post", ""),
        ("get", "{id}/"),
        ("put", "{id}/"),
        ("patch", "{id}/"),
        ("delete", "{id}/"),
        ("post", "{id}/vote/"),
        ("delete", "{id}/vote/"),
        ("get", "987654/"),
    ],
)
def test_anonymous_gets_401_with_a_bearer_challenge(api_client, method, path):
    post = PostFactory()
    response = getattr(api_client, method)(POSTS + path.format(id=post.pk), {"title": "t", "body": "b", "value": 1})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["type"] == "client_error"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert Post.objects.filter(pk=post.pk, title=post.title).exists()


def test_a_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get(POSTS).status_code == HTTPStatus.UNAUTHORIZED

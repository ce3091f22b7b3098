"""Posts over HTTP: shape, writes, validation and the not-found cases of API.md."""

from http import HTTPStatus

import pytest
from rest_framework.serializers import ModelSerializer

from posts.models import Post, Vote
from posts.selectors import post_list
from posts.serializers import PostSerializer
from posts.services import vote_cast
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"
POST_KEYS = {"id", "title", "body", "author", "score", "my_vote", "created_at", "updated_at"}


def detail(post) -> str:
    return f"{POSTS}{post.pk}/"


def test_post_has_the_documented_shape(client_for, user):
    post = PostFactory(title="Title", body="Body")
    body = client_for(user).get(detail(post)).json()
    assert set(body) == POST_KEYS
    assert body["author"] == {"id": post.author.pk, "username": post.author.username}
    assert (body["title"], body["body"], body["score"], body["my_vote"]) == ("Title", "Body", 0, None)
    assert body["created_at"].endswith("Z")


def test_written_out_rendering_matches_drfs_generic_rendering(user):
    post = PostFactory(title="Zeit", body="Körper")
    vote_cast(post_id=post.pk, user=user, value=-1)
    annotated = post_list(user=user).get(pk=post.pk)
    serializer = PostSerializer()
    assert serializer.to_representation(annotated) == ModelSerializer.to_representation(serializer, annotated)
    assert set(serializer.fields) == POST_KEYS


@pytest.mark.parametrize("value", [1, -1])
def test_my_vote_is_the_callers_vote(client_for, user, make_user, value):
    post = PostFactory()
    vote_cast(post_id=post.pk, user=user, value=value)
    vote_cast(post_id=post.pk, user=make_user(), value=1)
    body = client_for(user).get(detail(post)).json()
    assert (body["my_vote"], body["score"]) == (value, value + 1)


def test_create_makes_the_caller_the_author_whatever_the_body_says(client_for, user, make_user):
    someone_else = make_user()
    payload = {"title": "Mine", "body": "Text", "author": someone_else.pk, "score": 99, "my_vote": 1}
    response = client_for(user).post(POSTS, payload)
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["author"] == {"id": user.pk, "username": user.username}
    assert (body["score"], body["my_vote"]) == (0, None)
    assert Post.objects.get(pk=body["id"]).author == user


def test_unicode_round_trips(client_for, user):
    payload = {"title": "Ünïcødé 🚀 标题", "body": "Тело\nкитайский 汉字 and emoji 👍🏽"}  # noqa: RUF001 - Cyrillic on purpose
    client = client_for(user)
    created = client.post(POSTS, payload).json()
    fetched = client.get(f"{POSTS}{created['id']}/").json()
    assert (fetched["title"], fetched["body"]) == (payload["title"], payload["body"])


def test_title_of_200_characters_and_body_of_10000_are_accepted(client_for, user):
    response = client_for(user).post(POSTS, {"title": "é" * 200, "body": "ü" * 10_000})
    assert response.status_code == HTTPStatus.CREATED


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"title": "", "body": "b"}, "title", "blank"),
        ({"title": "   ", "body": "b"}, "title", "blank"),
        ({"title": "x" * 201, "body": "b"}, "title", "max_length"),
        ({"body": "b"}, "title", "required"),
        ({"title": None, "body": "b"}, "title", "null"),
        ({"title": "t"}, "body", "required"),
        ({"title": "t", "body": ""}, "body", "blank"),
        ({"title": "t", "body": "x" * 10_001}, "body", "max_length"),
        ({"title": "t\x00", "body": "b"}, "title", "null_characters_not_allowed"),
        ({"title": ["t"], "body": "b"}, "title", "invalid"),
    ],
)
def test_invalid_post_is_400_naming_the_field(client_for, user, payload, attr, code):
    response = client_for(user).post(POSTS, payload)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["type"] == "validation_error"
    assert {"attr": attr, "code": code} in [{"attr": e["attr"], "code": e["code"]} for e in response.json()["errors"]]
    assert not Post.objects.exists()


def test_malformed_json_is_400(client_for, user):
    response = client_for(user).post(POSTS, "{not json", content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_put_replaces_title_and_body(client_for, user):
    post = PostFactory(author=user)
    response = client_for(user).put(detail(post), {"title": "New", "body": "New body"})
    assert response.status_code == HTTPStatus.OK
    assert (response.json()["title"], response.json()["body"]) == ("New", "New body")


def test_put_needs_every_field(client_for, user):
    post = PostFactory(author=user)
    response = client_for(user).put(detail(post), {"title": "New"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "body"


def test_patch_changes_only_what_is_sent_and_keeps_score_author_and_my_vote(client_for, user, make_user):
    post = PostFactory(author=user, body="Old body")
    vote_cast(post_id=post.pk, user=user, value=1)
    response = client_for(user).patch(detail(post), {"title": "Patched", "score": 50, "author": make_user().pk})
    body = response.json()
    assert response.status_code == HTTPStatus.OK
    assert (body["title"], body["body"], body["score"], body["my_vote"]) == ("Patched", "Old body", 1, 1)
    assert body["author"]["id"] == user.pk
    assert body["updated_at"] > body["created_at"]


def test_patch_with_a_blank_title_is_400(client_for, user):
    post = PostFactory(author=user)
    response = client_for(user).patch(detail(post), {"title": " "})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_delete_is_204_and_takes_the_votes_with_it(client_for, user, make_user):
    post = PostFactory(author=user)
    vote_cast(post_id=post.pk, user=make_user(), value=1)
    response = client_for(user).delete(detail(post))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not Post.objects.exists()
    assert not Vote.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
@pytest.mark.parametrize("path", [f"{POSTS}987654/", f"{POSTS}99999999999999999999999/", f"{POSTS}abc/"])
def test_missing_post_is_404_in_the_standard_shape(client_for, user, method, path):
    response = getattr(client_for(user), method)(path, {"title": "t", "body": "b"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["type"] == "client_error"


def test_unsupported_method_is_405(client_for, user):
    response = client_for(user).put(POSTS, {})
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json()["type"] == "client_error"

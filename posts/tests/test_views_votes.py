"""Voting over HTTP: 201 new, 200 repeat or switch, 204 delete, 404 and 400 as API.md says."""

from http import HTTPStatus

import pytest

from posts.models import Post, Vote
from posts.tests.factories import PostFactory
from posts.views import POST_NOT_FOUND, VOTE_NOT_FOUND

pytestmark = pytest.mark.django_db


def vote_url(post_id) -> str:
    return f"/api/v1/posts/{post_id}/vote/"


@pytest.fixture
def post():
    return PostFactory()


@pytest.mark.parametrize("value", [1, -1])
def test_a_new_vote_is_201_with_post_value_and_score(client_for, user, post, value):
    response = client_for(user).post(vote_url(post.pk), {"value": value})
    assert response.status_code == HTTPStatus.CREATED
    assert response.json() == {"post": post.pk, "value": value, "score": value}


def test_repeating_a_vote_is_200_and_counts_once(client_for, user, post):
    client = client_for(user)
    client.post(vote_url(post.pk), {"value": 1})
    response = client.post(vote_url(post.pk), {"value": 1})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"post": post.pk, "value": 1, "score": 1}


def test_switching_a_vote_is_200_and_replaces_it(client_for, user, post):
    client = client_for(user)
    client.post(vote_url(post.pk), {"value": 1})
    response = client.post(vote_url(post.pk), {"value": -1})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"post": post.pk, "value": -1, "score": -1}
    assert Vote.objects.get().value == -1


def test_votes_of_several_users_add_up(client_for, make_user, post):
    for value in (1, 1, -1, 1):
        client_for(make_user()).post(vote_url(post.pk), {"value": value})
    post.refresh_from_db()
    assert post.score == 2


def test_deleting_a_vote_is_204_and_resets_score_and_my_vote(client_for, user, post):
    client = client_for(user)
    client.post(vote_url(post.pk), {"value": -1})
    response = client.delete(vote_url(post.pk))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""
    body = client.get(f"/api/v1/posts/{post.pk}/").json()
    assert (body["score"], body["my_vote"]) == (0, None)


def test_deleting_without_a_vote_is_404(client_for, user, make_user, post):
    client_for(make_user()).post(vote_url(post.pk), {"value": 1})
    response = client_for(user).delete(vote_url(post.pk))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["errors"][0]["detail"] == VOTE_NOT_FOUND
    post.refresh_from_db()
    assert post.score == 1


def test_deleting_a_vote_twice_is_404_the_second_time(client_for, user, post):
    client = client_for(user)
    client.post(vote_url(post.pk), {"value": 1})
    assert client.delete(vote_url(post.pk)).status_code == HTTPStatus.NO_CONTENT
    assert client.delete(vote_url(post.pk)).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "payload", [{"value": 0}, {"value": 2}, {"value": -2}, {"value": "up"}, {"value": None}, {"value": True}, {}]
)
def test_any_other_value_is_400(client_for, user, post, payload):
    response = client_for(user).post(vote_url(post.pk), payload)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "value"
    assert not Vote.objects.exists()


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize("post_id", ["987654", "99999999999999999999999"])
def test_voting_on_a_missing_post_is_404(client_for, user, method, post_id):
    response = getattr(client_for(user), method)(vote_url(post_id), {"value": 1})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["errors"][0]["detail"] == POST_NOT_FOUND


def test_voting_on_a_deleted_post_is_404(client_for, user, post):
    Post.objects.filter(pk=post.pk).delete()
    assert client_for(user).post(vote_url(post.pk), {"value": 1}).status_code == HTTPStatus.NOT_FOUND


def test_get_on_the_vote_url_is_405(client_for, user, post):
    assert client_for(user).get(vote_url(post.pk)).status_code == HTTPStatus.METHOD_NOT_ALLOWED

"""The feed: order, filters, search, cursor pages and a query count that does not grow with the page."""

import base64
import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.utils import timezone

from common.keyset_pagination import INVALID_CURSOR
from posts.models import Post
from posts.services import vote_cast
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def make_posts(count: int, **kwargs) -> list[Post]:
    """`count` posts created one minute apart, oldest first."""
    posts = PostFactory.create_batch(count, **kwargs)
    start = timezone.now() - timedelta(days=1)
    for minutes, post in enumerate(posts):
        post.created_at = start + timedelta(minutes=minutes)
    Post.objects.bulk_update(posts, ["created_at"])
    return posts


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def walk(client, params: dict, direction: str = "next") -> list[int]:
    """Every id of the feed in page order, following `next` (or `previous`) links from a first page."""
    response = client.get(POSTS, params)
    seen = ids(response)
    for _ in range(100):
        link = response.json()[direction]
        if link is None:
            return seen
        response = client.get(link)
        assert response.status_code == HTTPStatus.OK
        seen += ids(response)
    raise AssertionError("too many pages")


def test_feed_is_newest_first_with_the_list_shape(client_for, user):
    posts = make_posts(3)
    response = client_for(user).get(POSTS)
    assert response.status_code == HTTPStatus.OK
    assert set(response.json()) == {"results", "next", "previous"}
    assert ids(response) == [p.pk for p in reversed(posts)]
    assert (response.json()["next"], response.json()["previous"]) == (None, None)


def test_feed_is_20_per_page_by_default_and_clamps_page_size_at_100(client_for, user):
    make_posts(105)
    client = client_for(user)
    assert len(ids(client.get(POSTS))) == 20
    assert len(ids(client.get(POSTS, {"page_size": 1000}))) == 100


@pytest.mark.parametrize("page_size", ["0", "-1", "abc", "1.5", ""])
def test_bad_page_size_is_400(client_for, user, page_size):
    response = client_for(user).get(POSTS, {"page_size": page_size})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][0]["attr"] == "page_size"


@pytest.mark.parametrize("ordering", ["-created_at", "created_at", "-score", "score"])
def test_next_links_walk_every_post_once_in_order_also_with_tied_scores(client_for, make_user, ordering):
    posts = make_posts(23)
    voters = make_user.create_batch(2)
    for index, post in enumerate(posts):  # scores -2..2 with many ties
        for voter in voters[: index % 3]:
            vote_cast(post_id=post.pk, user=voter, value=1 if index % 2 else -1)
    field = ordering.lstrip("-")
    expected = sorted(Post.objects.all(), key=lambda p: (getattr(p, field), p.pk), reverse=ordering.startswith("-"))
    walked = walk(client_for(make_user()), {"ordering": ordering, "page_size": 5})
    assert walked == [p.pk for p in expected]


def test_previous_links_walk_back_to_the_first_page(client_for, user):
    posts = make_posts(12)
    client = client_for(user)
    response = client.get(POSTS, {"page_size": 5})
    for _ in range(2):
        response = client.get(response.json()["next"])
    assert ids(response) == [posts[1].pk, posts[0].pk]
    pages = []
    while response.json()["previous"]:
        response = client.get(response.json()["previous"])
        pages.append(ids(response))
    assert pages == [[p.pk for p in reversed(posts[2:7])], [p.pk for p in reversed(posts[7:])]]
    assert response.json()["next"] is not None


def test_a_cursor_page_keeps_filters_in_its_links(client_for, user, make_user):
    author = make_user()
    make_posts(4, author=author)
    make_posts(4)
    response = client_for(user).get(POSTS, {"author": author.pk, "page_size": 3})
    assert f"author={author.pk}" in response.json()["next"]
    assert len(walk(client_for(user), {"author": author.pk, "page_size": 3})) == 4


def test_author_filter_returns_only_that_users_posts(client_for, user, make_user):
    author = make_user()
    own = make_posts(2, author=author)
    make_posts(3)
    assert ids(client_for(user).get(POSTS, {"author": author.pk})) == [own[1].pk, own[0].pk]


def test_author_filter_for_an_unknown_user_is_empty(client_for, user):
    make_posts(2)
    assert ids(client_for(user).get(POSTS, {"author": 987654})) == []


def test_search_matches_title_or_body_case_insensitively(client_for, user):
    in_title = PostFactory(title="Django tips", body="nothing")
    in_body = PostFactory(title="Other", body="about DJANGO orm")
    PostFactory(title="Flask", body="unrelated")
    assert set(ids(client_for(user).get(POSTS, {"search": "django"}))) == {in_title.pk, in_body.pk}


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"ordering": "title"}, "ordering"),
        ({"ordering": "score,created_at"}, "ordering"),
        ({"ordering": "-id"}, "ordering"),
        ({"author": "abc"}, "author"),
        ({"author": "1.5"}, "author"),
        ({"author": "0"}, "author"),
        ({"search": "a\x00b"}, "search"),
    ],
)
def test_bad_filter_or_ordering_is_400_in_the_standard_shape(client_for, user, params, attr):
    response = client_for(user).get(POSTS, params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["errors"][0]["attr"] == attr


def cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "!!!",
        cursor([1, 2]),
        cursor({"o": "-created_at,-id", "k": ["not a date", 1], "r": 0}),
        cursor({"o": "-created_at,-id", "k": ["2024-01-01T00:00:00", 1], "r": 0}),
        cursor({"o": "-created_at,-id", "k": ["2024-01-01T00:00:00Z", "1"], "r": 0}),
        cursor({"o": "-created_at,-id", "k": ["2024-01-01T00:00:00Z", 10**30], "r": 0}),
        cursor({"o": "-created_at,-id", "k": ["2024-01-01T00:00:00Z"], "r": 0}),
        cursor({"o": "-created_at,-id", "k": ["2024-01-01T00:00:00Z", 1], "r": 2}),
        cursor({"o": "-score,-id", "k": [1, 1], "r": 0}),
    ],
)
def test_a_bad_cursor_is_404_in_the_standard_shape(client_for, user, token):
    make_posts(2)
    response = client_for(user).get(POSTS, {"cursor": token})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["errors"][0]["detail"] == INVALID_CURSOR


@pytest.mark.parametrize("beyond", ["high", "low"])
def test_a_cursor_score_outside_the_columns_range_is_404(client_for, user, beyond):
    make_posts(2)
    low, high = connection.ops.integer_field_range("IntegerField")  # int4 on PostgreSQL, int8 on SQLite
    token = cursor({"o": "-score,-id", "k": [high + 1 if beyond == "high" else low - 1, 1], "r": 0})
    response = client_for(user).get(POSTS, {"ordering": "-score", "cursor": token})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["errors"][0]["detail"] == INVALID_CURSOR


def test_a_cursor_at_a_bigint_id_pages_on(client_for, user):
    make_posts(2)
    token = cursor({"o": "-created_at,-id", "k": ["2999-01-01T00:00:00Z", 2**62], "r": 0})
    response = client_for(user).get(POSTS, {"cursor": token})
    assert response.status_code == HTTPStatus.OK
    assert len(ids(response)) == 2


def test_a_cursor_does_not_carry_over_to_another_ordering(client_for, user):
    make_posts(3)
    client = client_for(user)
    next_link = client.get(POSTS, {"page_size": 1}).json()["next"]
    assert client.get(next_link + "&ordering=-score").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("page_size", [1, 100])
def test_feed_runs_the_same_two_queries_for_any_page_size(client_for, make_user, django_assert_num_queries, page_size):
    posts = make_posts(2 * page_size + 1, author=make_user())
    reader = make_user()
    for post in posts[::3]:
        vote_cast(post_id=post.pk, user=reader, value=1)
    client = client_for(reader)
    with django_assert_num_queries(2):  # the caller's user row + one SELECT with author and my_vote
        response = client.get(POSTS, {"page_size": page_size})
    assert len(ids(response)) == page_size
    with django_assert_num_queries(2):  # a later page is the same single keyset query
        response = client.get(response.json()["next"])
    assert len(ids(response)) == page_size
    assert {row["my_vote"] for row in response.json()["results"]} <= {1, None}


def test_detail_runs_two_queries(client_for, user, django_assert_num_queries):
    post = PostFactory()
    client = client_for(user)
    with django_assert_num_queries(2):
        client.get(f"{POSTS}{post.pk}/")

"""The feed's and a post's fast paths answer byte for byte what DRF's generic path answers on the same data."""

from http import HTTPStatus

import pytest
from django.utils import timezone

from posts.models import Post
from posts.selectors import POST_COLUMNS
from posts.serializers import PostSerializer, post_render
from posts.services import vote_cast
from posts.tests.test_feed import make_posts
from posts.views import PostViewSet

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts/"


def both_paths(client, monkeypatch, url: str) -> tuple:
    """(fast path response, DRF's generic path response) of one GET."""
    fast = client.get(url)
    monkeypatch.setattr(PostViewSet, "fast_paths", False)
    plain = client.get(url)
    monkeypatch.setattr(PostViewSet, "fast_paths", True)
    return fast, plain


@pytest.fixture
def feed(make_user):
    """13 posts with tied scores, votes by the reader, a title with a line separator and non-ASCII text."""
    posts = make_posts(13)
    reader, other = make_user(), make_user()
    for index, post in enumerate(posts):
        if index % 3:
            vote_cast(post_id=post.pk, user=reader, value=1 if index % 2 else -1)
        if index % 4 == 0:
            vote_cast(post_id=post.pk, user=other, value=1)
    Post.objects.filter(pk=posts[0].pk).update(
        title="line\u2028separator \u2013 na\u00efve \u2713", body='<b>&amp;</b> "q"'
    )
    return reader


@pytest.mark.parametrize("ordering", [None, "-created_at", "created_at", "-score", "score"])
def test_feed_pages_forward_and_back_are_the_bytes_of_drfs_path(client_for, feed, monkeypatch, ordering):
    client = client_for(feed)
    url = f"{POSTS}?page_size=4" + (f"&ordering={ordering}" if ordering else "")
    seen = 0
    while url:
        fast, plain = both_paths(client, monkeypatch, url)
        assert fast.status_code == HTTPStatus.OK
        assert fast.content == plain.content
        seen += len(fast.json()["results"])
        url = fast.json()["next"]
    assert seen == 13
    previous = fast.json()["previous"]
    fast, plain = both_paths(client, monkeypatch, previous)
    assert fast.content == plain.content
    assert fast.json()["previous"] is not None


@pytest.mark.parametrize(
    "query",
    ["", "?page_size=1", "?page_size=1000", "?page_size=0", "?ordering=", "?ordering=title", "?cursor=bad", "?x=1"],
)
def test_feed_answers_edge_requests_as_drfs_path(client_for, feed, monkeypatch, query):
    fast, plain = both_paths(client_for(feed), monkeypatch, POSTS + query)
    assert (fast.status_code, fast.content) == (plain.status_code, plain.content)


@pytest.mark.parametrize("query", ["", "?author=1", "?search=x"])
def test_post_detail_is_the_bytes_of_drfs_path(client_for, feed, monkeypatch, query):
    post = Post.objects.order_by("created_at").first()
    fast, plain = both_paths(client_for(feed), monkeypatch, f"{POSTS}{post.pk}/{query}")
    assert (fast.status_code, fast.content) == (plain.status_code, plain.content)


@pytest.mark.parametrize("post_id", ["0", "987654321", str(2**63 - 1), str(2**63), str(10**30)])
def test_unknown_or_absurd_post_ids_are_the_same_404(client_for, user, monkeypatch, post_id):
    fast, plain = both_paths(client_for(user), monkeypatch, f"{POSTS}{post_id}/")
    assert fast.status_code == HTTPStatus.NOT_FOUND
    assert fast.content == plain.content


def test_post_render_renders_every_field_of_the_serializer_and_nothing_else():
    now = timezone.now()
    row = dict.fromkeys(POST_COLUMNS) | {"created_at": now, "updated_at": now}
    assert list(post_render(row)) == PostSerializer.Meta.fields

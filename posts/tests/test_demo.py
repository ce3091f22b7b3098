"""The demo data: posts with votes, and loading twice gives the same data, not twice as much."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.models import User
from posts.demo import DEMO_POST_COUNT, demo_posts_load
from posts.models import Post, Vote

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        sorted(Post.objects.values_list("title", "author__username", "score")),
        sorted(Vote.objects.values_list("post__title", "user__username", "value")),
    )


def test_load_demo_adds_posts_with_votes_and_is_idempotent():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == first
    assert Post.objects.count() == DEMO_POST_COUNT
    assert Vote.objects.exists()


def test_demo_posts_have_scores_equal_to_their_votes_and_several_authors(make_user):
    users = make_user.create_batch(4)
    demo_posts_load(users=users)
    demo_posts_load(users=users)
    assert Post.objects.count() == DEMO_POST_COUNT
    assert Post.objects.values("author").distinct().count() == 4
    for post in Post.objects.annotate(total=Sum("votes__value")):
        assert post.score == (post.total or 0)


def test_demo_posts_leave_other_posts_alone(make_user):
    users = make_user.create_batch(2)
    other = Post.objects.create(author=users[0], title="My own post", body="keep me")
    demo_posts_load(users=users)
    assert Post.objects.filter(pk=other.pk).exists()
    assert User.objects.count() == 2

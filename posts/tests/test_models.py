"""Invariants the database enforces on its own, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from posts.models import Post, Vote
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_a_user_can_vote_only_once_per_post(user):
    post = PostFactory()
    Vote.objects.create(post=post, user=user, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(post=post, user=user, value=-1)


@pytest.mark.parametrize("value", [0, 2, -2, 100])
def test_a_vote_value_is_plus_or_minus_one(user, value):
    post = PostFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(post=post, user=user, value=value)


@pytest.mark.parametrize("title", ["", "   "])
def test_a_post_title_cannot_be_blank(user, title):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(author=user, title=title, body="body")


@pytest.mark.parametrize("body", ["", "x" * 10_001])
def test_a_post_body_is_1_to_10000_characters(user, body):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(author=user, title="title", body=body)


def test_a_body_of_exactly_10000_characters_is_allowed(user):
    assert Post.objects.create(author=user, title="t", body="é" * 10_000).pk


def test_deleting_a_post_deletes_its_votes(make_user):
    post, other = PostFactory.create_batch(2)
    for voter in make_user.create_batch(3):
        Vote.objects.create(post=post, user=voter, value=1)
        Vote.objects.create(post=other, user=voter, value=1)
    post.delete()
    assert not Vote.objects.filter(post_id=post.pk).exists()
    assert Vote.objects.filter(post=other).count() == 3


def test_deleting_a_user_deletes_their_posts_and_votes(user):
    own = PostFactory(author=user)
    other = PostFactory()
    Vote.objects.create(post=other, user=user, value=1)
    user.delete()
    assert not Post.objects.filter(pk=own.pk).exists()
    assert not Vote.objects.filter(post=other).exists()

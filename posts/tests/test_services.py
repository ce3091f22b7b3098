"""Voting and post writes, tested without HTTP."""

import pytest
from django.db.models import Sum

from posts import services
from posts.models import Post, Vote
from posts.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def votes_sum(post: Post) -> int:
    return Vote.objects.filter(post=post).aggregate(total=Sum("value"))["total"] or 0


def test_first_vote_is_created_and_counted(user):
    post = PostFactory()
    outcome = services.vote_cast(post_id=post.pk, user=user, value=-1)
    assert outcome == services.VoteOutcome(post_id=post.pk, value=-1, score=-1, created=True)
    post.refresh_from_db()
    assert post.score == -1 == votes_sum(post)


def test_repeating_a_vote_changes_nothing(user):
    post = PostFactory()
    services.vote_cast(post_id=post.pk, user=user, value=1)
    outcome = services.vote_cast(post_id=post.pk, user=user, value=1)
    assert (outcome.created, outcome.score) == (False, 1)
    assert Vote.objects.filter(post=post).count() == 1


def test_a_repeated_vote_is_one_read_without_the_posts_lock(user, make_user, django_assert_num_queries):
    post = PostFactory()
    services.vote_cast(post_id=post.pk, user=make_user(), value=-1)
    services.vote_cast(post_id=post.pk, user=user, value=1)
    with django_assert_num_queries(1) as captured:
        outcome = services.vote_cast(post_id=post.pk, user=user, value=1)
    assert "FOR UPDATE" not in captured.captured_queries[0]["sql"]
    assert outcome == services.VoteOutcome(post_id=post.pk, value=1, score=0, created=False)


def test_switching_a_vote_moves_the_score_by_two(user):
    post = PostFactory()
    services.vote_cast(post_id=post.pk, user=user, value=1)
    outcome = services.vote_cast(post_id=post.pk, user=user, value=-1)
    assert (outcome.created, outcome.value, outcome.score) == (False, -1, -1)
    assert Vote.objects.get(post=post, user=user).value == -1


def test_score_is_the_sum_of_many_users_votes(make_user):
    post = PostFactory()
    values = [1, 1, -1, 1, -1, -1, 1, 1]
    for voter, value in zip(make_user.create_batch(len(values)), values, strict=True):
        services.vote_cast(post_id=post.pk, user=voter, value=value)
    post.refresh_from_db()
    assert post.score == sum(values) == votes_sum(post)


def test_removing_a_vote_takes_it_out_of_the_score(user, make_user):
    post = PostFactory()
    services.vote_cast(post_id=post.pk, user=make_user(), value=1)
    services.vote_cast(post_id=post.pk, user=user, value=-1)
    outcome = services.vote_remove(post_id=post.pk, user=user)
    assert (outcome.value, outcome.score) == (None, 1)
    assert not Vote.objects.filter(post=post, user=user).exists()
    post.refresh_from_db()
    assert post.score == 1


def test_removing_a_vote_that_does_not_exist_raises(user):
    post = PostFactory()
    with pytest.raises(Vote.DoesNotExist):
        services.vote_remove(post_id=post.pk, user=user)


def test_casting_a_vote_on_a_missing_post_raises(user):
    with pytest.raises(Post.DoesNotExist):
        services.vote_cast(post_id=987654, user=user, value=1)


def test_removing_a_vote_from_a_missing_post_raises(user):
    with pytest.raises(Post.DoesNotExist):
        services.vote_remove(post_id=987654, user=user)


def test_vote_cast_rejects_a_value_other_than_plus_or_minus_one(user):
    post = PostFactory()
    with pytest.raises(AssertionError, match="vote value"):
        services.vote_cast(post_id=post.pk, user=user, value=2)


def test_post_create_makes_the_caller_the_author_with_score_zero(user):
    post = services.post_create(author=user, title="Hello", body="World")
    assert (post.author, post.score) == (user, 0)


def test_post_update_keeps_votes_cast_after_the_post_was_read(user):
    post = PostFactory()
    stale = Post.objects.get(pk=post.pk)
    services.vote_cast(post_id=post.pk, user=user, value=1)
    services.post_update(post=stale, title="New title")
    post.refresh_from_db()
    assert (post.title, post.score) == ("New title", 1)


def test_post_update_refuses_to_write_the_score(user):
    post = PostFactory()
    with pytest.raises(AssertionError, match="only changes"):
        services.post_update(post=post, score=100)


def test_post_delete_removes_the_post_and_its_votes(user):
    post = PostFactory()
    services.vote_cast(post_id=post.pk, user=user, value=1)
    services.post_delete(post=post)
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Vote.objects.exists()

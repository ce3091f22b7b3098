"""
Writes on posts and votes.

`Post.score` is denormalized: it must equal the sum of the post's votes at every commit, also
when many requests vote on one post at once. Every vote write therefore runs in one
transaction that first locks the post row (`SELECT … FOR UPDATE`): votes on one post are
serialized, the read of the caller's current vote is never stale, and the unique
(post, user) constraint can never be raced by our own code. Votes on different posts never
wait for each other. Deleting a post takes the same lock, so a vote cannot slip in between
the cascade and the post's removal.

Because the lock orders every writer of a post's votes, two requests of one user can never
both see "no vote" and both insert: the second waits, then reads the first one's committed
vote (READ COMMITTED takes a fresh snapshot per statement) and switches or repeats it. The
unique constraint is the database's backstop for writers that bypass these functions.
"""

import functools
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from accounts.models import User
from common.filters import MAX_ID
from common.statements import STAND_IN_INTEGERS, Statement, statement_compile
from posts.models import Post, Vote, VoteValue

# Attributes a write may change on a post; `score` is not among them on purpose.
EDITABLE_FIELDS = ("title", "body")


@dataclass(frozen=True)
class VoteOutcome:
    """What a vote write did: the post, the caller's value now, the new score and whether it is new."""

    post_id: int
    value: int | None
    score: int
    created: bool = False


def post_create(*, author: User, title: str, body: str) -> Post:
    """Create a post by `author` (always the caller, whatever a request body says)."""
    return Post.objects.create(author=author, title=title, body=body)


def post_update(*, post: Post, **changes: str) -> Post:
    """Change a post's title and/or body; never writes `score`, so concurrent votes are kept."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    assert not unknown, f"post_update only changes {EDITABLE_FIELDS}, got {sorted(unknown)}"
    for name, value in changes.items():
        setattr(post, name, value)
    post.save(update_fields=[*changes, "updated_at"])
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    """Delete a post and its votes, holding the post's lock so no vote is added meanwhile."""
    Post.objects.select_for_update().filter(pk=post.pk).values_list("pk", flat=True).first()
    post.delete()


def _locked_score(post_id: int) -> int:
    """Lock the post row for this transaction and return its score; `Post.DoesNotExist` if it is gone."""
    rows = _locked_score_statement().rows(post=post_id) if 0 < post_id <= MAX_ID else []
    if not rows:
        raise Post.DoesNotExist(f"No post {post_id}.")
    return rows[0].score


def _current_vote(post_id: int, user: User) -> tuple[int, int] | None:
    """(id, value) of `user`'s vote on the post, read after the lock (a fresh snapshot), or None."""
    rows = _current_vote_statement().rows(post=post_id, user=user.pk)
    return tuple(rows[0]) if rows else None


def _add_to_score(post_id: int, delta: int, score: int) -> int:
    if delta:
        Post.objects.filter(pk=post_id).update(score=F("score") + delta)
    return score + delta


# A vote's reads are compiled once (common.statements): through the ORM a repeated vote answered
# 0.62x the requests/s, and the reads under the post's lock are time every other vote on it waits
# (docs/performance.md). Its UPDATEs gained 1.06x compiled, under the 15 % that would pay for it.
@functools.cache
def _locked_score_statement() -> Statement:
    post = STAND_IN_INTEGERS[0]
    locked = Post.objects.select_for_update().filter(pk=post).order_by().values_list("score")
    return statement_compile(locked, {"post": post})


@functools.cache
def _current_vote_statement() -> Statement:
    post, user = STAND_IN_INTEGERS[0], STAND_IN_INTEGERS[1]
    votes = Vote.objects.filter(post_id=post, user_id=user).order_by().values_list("id", "value")
    return statement_compile(votes, {"post": post, "user": user})


@functools.cache
def _vote_and_score_statement() -> Statement:
    post, user = STAND_IN_INTEGERS[0], STAND_IN_INTEGERS[1]
    votes = Vote.objects.filter(post_id=post, user_id=user).order_by().values_list("value", "post__score")
    return statement_compile(votes, {"post": post, "user": user})


def _repeated_vote(*, post_id: int, user: User, value: int) -> VoteOutcome | None:
    """
    The outcome of a vote that repeats the caller's current one, read without a lock; None otherwise.

    A repeat changes nothing, so it needs neither the post's lock nor a commit: the vote and the
    score come from one statement's snapshot, in which the score already counts the vote. Locking
    marks the post row, so a locked repeat paid a WAL flush at commit while every other vote on
    the post waited (docs/performance.md, "A repeated vote takes no lock").
    """
    if not 0 < post_id <= MAX_ID:
        return None
    rows = _vote_and_score_statement().rows(post=post_id, user=user.pk)
    if not rows or rows[0].value != value:
        return None
    return VoteOutcome(post_id=post_id, value=value, score=rows[0].post__score)


def vote_cast(*, post_id: int, user: User, value: int) -> VoteOutcome:
    """
    Set `user`'s vote on a post to `value` (1 or -1): create it, switch it, or keep it.

    Raises `Post.DoesNotExist` when there is no such post.
    """
    assert value in VoteValue.values, f"vote value must be one of {VoteValue.values}, got {value!r}"
    return _repeated_vote(post_id=post_id, user=user, value=value) or _vote_write(
        post_id=post_id, user=user, value=value
    )


@transaction.atomic
def _vote_write(*, post_id: int, user: User, value: int) -> VoteOutcome:
    """Create or switch the caller's vote under the post's lock, keeping the score in step."""
    score = _locked_score(post_id)
    current = _current_vote(post_id, user)
    if current is None:
        Vote.objects.create(post_id=post_id, user=user, value=value)
        return VoteOutcome(post_id=post_id, value=value, score=_add_to_score(post_id, value, score), created=True)
    pk, old_value = current
    if old_value != value:
        Vote.objects.filter(pk=pk).update(value=value)
    return VoteOutcome(post_id=post_id, value=value, score=_add_to_score(post_id, value - old_value, score))


@transaction.atomic
def vote_remove(*, post_id: int, user: User) -> VoteOutcome:
    """
    Remove `user`'s vote from a post.

    Raises `Post.DoesNotExist` when there is no such post and `Vote.DoesNotExist` when the
    user has no vote on it.
    """
    score = _locked_score(post_id)
    current = _current_vote(post_id, user)
    if current is None:
        raise Vote.DoesNotExist("The user has no vote on this post.")
    pk, old_value = current
    Vote.objects.filter(pk=pk).delete()
    return VoteOutcome(post_id=post_id, value=None, score=_add_to_score(post_id, -old_value, score))


@transaction.atomic
def user_votes_withdraw(*, user: User) -> int:
    """
    Remove every vote of `user` (an account being deleted), keeping each post's score in step; how many.

    The posts voted on are locked first, in id order, as a vote write locks its post: a concurrent vote
    on one of them waits, and no two withdrawals can deadlock.
    """
    voted = Vote.objects.filter(user=user).values("post_id")
    list(Post.objects.select_for_update().filter(pk__in=voted).order_by("pk").values_list("pk", flat=True))
    for value in VoteValue.values:
        Post.objects.filter(pk__in=voted.filter(value=value)).update(score=F("score") - value)
    deleted, _ = Vote.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def user_posts_delete(*, user: User) -> int:
    """Delete every post of `user` and the votes on them (an account being deleted), under the posts' locks."""
    posts = Post.objects.filter(author=user)
    list(posts.select_for_update().order_by("pk").values_list("pk", flat=True))
    _, per_model = posts.delete()
    return per_model.get(Post._meta.label, 0)

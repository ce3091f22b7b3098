"""Reads of posts, shaped for the API: author joined and the caller's vote annotated in the same query."""

import functools

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from common.filters import MAX_ID
from common.keyset_pagination import Cursor, keyset_beyond
from common.statements import STAND_IN_DATETIME, STAND_IN_INTEGERS, Statement, statement_compile
from posts.models import Post, Vote

FEED_ORDERING = ("-created_at", "-id")
# What a post's JSON needs (posts.serializers.post_render reads these names).
POST_COLUMNS = ("id", "title", "body", "author_id", "author__username", "score", "my_vote", "created_at", "updated_at")


def post_list(*, user: User) -> QuerySet[Post]:
    """
    Every post, newest first, with `author` and `my_vote` (the caller's value or None).

    One query for any number of rows: the author is a join and `my_vote` a correlated
    subquery on the unique (post, user) index, evaluated only for the rows of the page.
    """
    my_vote = Vote.objects.filter(post=OuterRef("pk"), user=user).order_by().values("value")[:1]
    return (
        Post.objects.select_related("author")
        .only(
            "id",
            "title",
            "body",
            "score",
            "created_at",
            "updated_at",
            "author__id",
            "author__username",
        )
        .annotate(my_vote=Subquery(my_vote))
        .order_by(*FEED_ORDERING)
    )


def post_feed_page(*, user: User, ordering: tuple[str, ...], cursor: Cursor | None, limit: int) -> list[dict]:
    """
    Up to `limit` rows of `post_list(user=user)` in `ordering` after `cursor`, as dicts of `POST_COLUMNS`.

    The same SQL as `post_list` with the keyset condition, compiled once per ordering and cursor
    direction (`_feed_statement`); only the values change per request.
    """
    direction = None if cursor is None else cursor.reverse
    statement = _feed_statement(ordering, direction)
    key = {} if cursor is None else {f"key{index}": value for index, value in enumerate(cursor.key)}
    return statement.rows(limit, user=user.pk, **key)


def post_detail_row(*, user: User, post_id: int) -> dict | None:
    """One row of `post_list(user=user)` by id, as a dict of `POST_COLUMNS`, or None (statement compiled once)."""
    if not 0 < post_id <= MAX_ID:
        return None
    rows = _detail_statement().rows(user=user.pk, post=post_id)
    return rows[0] if rows else None


@functools.cache
def _detail_statement() -> Statement:
    stand_ins = {"user": STAND_IN_INTEGERS[0], "post": STAND_IN_INTEGERS[1]}
    posts = post_list(user=User(pk=stand_ins["user"])).order_by().filter(pk=stand_ins["post"])
    return statement_compile(posts.values(*POST_COLUMNS), stand_ins)


@functools.cache
def _feed_statement(ordering: tuple[str, ...], direction: bool | None) -> Statement:
    """The feed page's SQL for `ordering`: from the start (`direction` None), after a cursor, or before one (True)."""
    stand_ins = {"user": STAND_IN_INTEGERS[0]}
    queryset = post_list(user=User(pk=stand_ins["user"])).order_by(*ordering)
    if direction is not None:
        fields = [Post._meta.get_field(name.lstrip("-")) for name in ordering]
        key = [STAND_IN_DATETIME if field.get_internal_type() == "DateTimeField" else None for field in fields]
        key = [value or STAND_IN_INTEGERS[index + 1] for index, value in enumerate(key)]
        stand_ins |= {f"key{index}": value for index, value in enumerate(key)}
        queryset = queryset.filter(keyset_beyond(Post, ordering, tuple(key), reverse=direction))
        if direction:
            queryset = queryset.reverse()
    return statement_compile(queryset.values(*POST_COLUMNS), stand_ins, suffix="LIMIT %s")

"""Reads of posts, shaped for the API: author joined and the caller's vote annotated in the same query."""

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
from common.keyset_pagination import keyset_beyond
from common.statements import STAND_IN_DATETIME, STAND_IN_INTEGERS
from posts.models import Post, Vote

FEED_ORDERING = ("-created_at", "-id")


def post_list(*, user: User) -> QuerySet[Post]:
    """
    Every post, newest first, with `author` and `my_vote` (the caller's value or None).

    One query for any number of rows: the author is a join and `my_vote` a correlated
    subquery on the unique (post, user) index, evaluated only for the rows of the page.
    """
    my_vote = Vote.objects.filter(post=OuterRef("pk"), user_id=user.pk).order_by().values("value")[:1]
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


def post_feed_rows(caller, ordering: tuple[str, ...], direction: bool | None, columns: tuple[str, ...]):
    """
    `post_list` in `ordering` as rows of `columns`, from the start (`direction` None), after a cursor
    or before one (True), and the stand-ins of the cursor's key: the feed page's statement
    (`common.fastpaths`, compiled once).
    """
    queryset = post_list(user=caller).order_by(*ordering)
    stand_ins = {}
    if direction is not None:
        fields = [Post._meta.get_field(name.lstrip("-")) for name in ordering]
        key = [STAND_IN_DATETIME if field.get_internal_type() == "DateTimeField" else None for field in fields]
        key = [value or STAND_IN_INTEGERS[index + 1] for index, value in enumerate(key)]
        stand_ins = {f"key{index}": value for index, value in enumerate(key)}
        queryset = queryset.filter(keyset_beyond(Post, ordering, tuple(key), reverse=direction))
        if direction:
            queryset = queryset.reverse()
    return queryset.values_list(*columns, named=True), stand_ins


def post_detail_rows(caller, columns: tuple[str, ...]):
    """One post of `post_list` by id (the `post` stand-in) as rows of `columns`: a post's statement."""
    post = STAND_IN_INTEGERS[0]
    return post_list(user=caller).order_by().filter(pk=post).values_list(*columns, named=True), {"post": post}

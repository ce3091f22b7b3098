"""Reads of posts, shaped for the API: author joined and the caller's vote annotated in the same query."""

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.models import User
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

"""Posts and the votes on them; the database keeps one vote per user per post and the value at ±1."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000


class Post(models.Model):
    """
    A post written by `author`.

    `score` is the sum of the post's vote values, stored on the row so the feed can sort by it
    through an index. Only `posts.services.vote_cast` / `vote_remove` change it, always in the
    same transaction as the vote and under the post's row lock.
    """

    # The (author, -created_at, -id) index below serves the foreign key and the author filter.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts", db_index=False)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Every feed order ends with the id so the keyset cursor is unique; each index matches one order
        # (PostgreSQL reads it backwards for the ascending variant).
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="posts_post_created_idx"),
            models.Index(fields=["-score", "-id"], name="posts_post_score_idx"),
            models.Index(fields=["author", "-created_at", "-id"], name="posts_post_author_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=GreaterThan(Length(Trim("title")), 0), name="posts_post_title_not_blank"),
            models.CheckConstraint(
                condition=GreaterThan(Length("body"), 0) & LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="posts_post_body_length",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VoteValue(models.IntegerChoices):
    UP = 1, "Up"
    DOWN = -1, "Down"


class Vote(models.Model):
    """One user's up (+1) or down (-1) vote on a post."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    # The unique (post, user) index below serves the foreign key, the cascade and `my_vote`.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes", db_index=False)
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="posts_vote_one_per_user_per_post"),
            models.CheckConstraint(condition=models.Q(value__in=VoteValue.values), name="posts_vote_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} by {self.user_id} on {self.post_id}"

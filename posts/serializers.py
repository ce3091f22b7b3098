"""Shapes of posts and votes; validation mirrors the database constraints with friendly messages."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from accounts.models import User
from common.rows import datetime_render
from common.serializers import StrictCharField, StrictChoiceField, StrictModelSerializer
from posts.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Post, VoteValue


def post_render(row: Mapping[str, Any]) -> dict:
    """A post's JSON from a row of `posts.selectors.POST_COLUMNS` (the feed's rows, or a Post read as one)."""
    return {
        "id": row["id"],
        "title": row["title"],
        "body": row["body"],
        "author": {"id": row["author_id"], "username": row["author__username"]},
        "score": row["score"],
        "my_vote": row["my_vote"],
        "created_at": datetime_render(row["created_at"]),
        "updated_at": datetime_render(row["updated_at"]),
    }


class PostAuthorSerializer(StrictModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class PostSerializer(StrictModelSerializer):
    """
    A post with its author, score and the caller's vote.

    `my_vote` comes from the selector's annotation (None on a post just created). Rendering is
    written out in `to_representation`: the feed renders up to 100 of these per request and
    DRF's generic field-by-field path costs several times more; the declared fields still drive
    validation and the OpenAPI schema, and a test keeps both in step. The feed's fast path
    renders its rows with the same `post_render`.
    """

    author = PostAuthorSerializer(read_only=True)
    title = StrictCharField(min_length=1, max_length=TITLE_MAX_LENGTH)
    body = StrictCharField(min_length=1, max_length=BODY_MAX_LENGTH, trim_whitespace=False)
    my_vote = serializers.ChoiceField(
        choices=VoteValue.choices, read_only=True, allow_null=True, help_text="The caller's vote, or null."
    )

    class Meta:
        model = Post
        fields = ["id", "title", "body", "author", "score", "my_vote", "created_at", "updated_at"]
        read_only_fields = ["score", "created_at", "updated_at"]

    def to_representation(self, post: Post) -> dict:
        author = post.author
        row = {
            "id": post.id,
            "title": post.title,
            "body": post.body,
            "author_id": author.id,
            "author__username": author.username,
            "score": post.score,
            "my_vote": getattr(post, "my_vote", None),
            "created_at": post.created_at,
            "updated_at": post.updated_at,
        }
        return post_render(row)


class VoteSerializer(serializers.Serializer):
    """`{value: 1 | -1}` in; `{post, value, score}` out."""

    post = serializers.IntegerField(read_only=True, source="post_id")
    value = StrictChoiceField(choices=VoteValue.choices)
    score = serializers.IntegerField(read_only=True)

"""Shapes of posts and votes; validation mirrors the database constraints with friendly messages."""

from rest_framework import serializers

from accounts.models import User
from common.serializers import StrictCharField, StrictChoiceField, StrictModelSerializer
from posts.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Post, VoteValue


class PostAuthorSerializer(StrictModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class PostSerializer(StrictModelSerializer):
    """A post with its author, its score and the caller's vote (`my_vote`: 1, -1, or null without one)."""

    # `my_vote` is the selector's annotation (None on a post just created); the feed's and a post's
    # fast paths render their rows with a renderer derived from these fields (common.rows).

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


class VoteSerializer(serializers.Serializer):
    """`{value: 1 | -1}` in; `{post, value, score}` out."""

    post = serializers.IntegerField(read_only=True, source="post_id")
    value = StrictChoiceField(choices=VoteValue.choices)
    score = serializers.IntegerField(read_only=True)

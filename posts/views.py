"""The posts API: a ViewSet for posts and its `vote` action; writes go through `posts.services`."""

from http import HTTPStatus

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.fastpaths import FastPathsMixin
from common.filters import FilterBackend, SearchFilter
from common.keyset_pagination import KeysetPagination
from posts import selectors, services
from posts.filters import ORDERINGS, PostFilter
from posts.models import Post, Vote
from posts.permissions import CanDeletePost, CanEditPost
from posts.serializers import PostSerializer, VoteSerializer

POST_NOT_FOUND = "No post with this id."
VOTE_NOT_FOUND = "You have not voted on this post."


@extend_schema_view(
    list=extend_schema(
        summary="The feed: everyone's posts, newest first",
        description=(
            "Cursor-paginated: follow `next` / `previous`; there is no `count` and no `page`, so a page "
            "costs the same at any depth and any table size. `search` matches title and body."
        ),
    ),
    retrieve=extend_schema(
        summary="Read a post",
        description="A post with its author, its score and your vote (`my_vote`, null when you have none).",
    ),
    create=extend_schema(summary="Write a post (the caller is the author)"),
    update=extend_schema(summary="Replace a post's title and body (author or admin)"),
    partial_update=extend_schema(summary="Change a post's title or body (author or admin)"),
    destroy=extend_schema(summary="Delete a post and its votes (author, moderator or admin)"),
)
class PostViewSet(FastPathsMixin, viewsets.ModelViewSet):
    """Posts: everyone signed in reads and writes; editing and deleting follow `posts.permissions`."""

    serializer_class = PostSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend, SearchFilter]
    filterset_class = PostFilter
    search_fields = ["title", "body"]
    lookup_value_regex = r"[0-9]+"
    permission_classes_by_action = {
        "update": [IsAuthenticated, CanEditPost],
        "partial_update": [IsAuthenticated, CanEditPost],
        "destroy": [IsAuthenticated, CanDeletePost],
    }

    # The feed and a post are read through statements compiled once (common.fastpaths): building
    # `post_list` cost more than the database takes (feed 10.1 -> 3.2 ms a page in process; a post
    # 2.1x the requests/s over HTTP: docs/performance.md, "What made it fast").
    fast_parameters = {"list": frozenset({"ordering", "cursor", "page_size"}), "retrieve": frozenset()}
    fast_key = ("pk", "role")  # what of the caller `post_list` may read; `my_vote` binds the id
    fast_key_parameters = ("pk",)
    fast_annotations = ("my_vote",)
    fast_extra_columns = ("author_id",)  # what the object permissions read

    def queryset_for(self, user):
        return selectors.post_list(user=user)

    def fast_ordering(self, params):
        return ORDERINGS.get(params.get("ordering", "-created_at"))  # any other is the FilterSet's 400

    def get_permissions(self):
        classes = self.permission_classes_by_action.get(self.action, [IsAuthenticated])
        return [permission() for permission in classes]

    def perform_create(self, serializer):
        serializer.instance = services.post_create(author=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.post_update(post=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.post_delete(post=instance)

    @extend_schema(
        methods=["POST"],
        summary="Vote on a post: 201 for a new vote, 200 when it replaces or repeats one",
        request=VoteSerializer,
        responses={HTTPStatus.CREATED: VoteSerializer, HTTPStatus.OK: VoteSerializer},
    )
    @extend_schema(
        methods=["DELETE"], summary="Take back your vote: 404 when you have none", request=None, responses={204: None}
    )
    @action(detail=True, methods=["post", "delete"], serializer_class=VoteSerializer, filter_backends=[])
    def vote(self, request, pk: str):
        """Cast, switch or remove the caller's vote; the score is kept in the same transaction."""
        try:
            if request.method == "DELETE":
                services.vote_remove(post_id=int(pk), user=request.user)
                return Response(status=HTTPStatus.NO_CONTENT)
            serializer = VoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            outcome = services.vote_cast(post_id=int(pk), user=request.user, value=serializer.validated_data["value"])
        except Post.DoesNotExist as error:
            raise NotFound(POST_NOT_FOUND) from error
        except Vote.DoesNotExist as error:
            raise NotFound(VOTE_NOT_FOUND) from error
        status = HTTPStatus.CREATED if outcome.created else HTTPStatus.OK
        return Response(VoteSerializer(outcome).data, status=status)

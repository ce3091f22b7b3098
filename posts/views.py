"""The posts API: a ViewSet for posts and its `vote` action; writes go through `posts.services`."""

from http import HTTPStatus

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.filters import FilterBackend, SearchFilter, only_parameters
from common.keyset_pagination import KeysetPagination
from posts import services
from posts.filters import ORDERINGS, PostFilter
from posts.models import Post, Vote
from posts.permissions import CanDeletePost, CanEditPost
from posts.selectors import post_detail_row, post_feed_page, post_list
from posts.serializers import PostSerializer, VoteSerializer, post_render

POST_NOT_FOUND = "No post with this id."
VOTE_NOT_FOUND = "You have not voted on this post."
# Parameters the feed's fast path serves itself; any other (author, search...) takes DRF's path.
FAST_FEED_PARAMETERS = frozenset({"ordering", "cursor", "page_size"})


@extend_schema_view(
    list=extend_schema(
        summary="The feed: everyone's posts, newest first",
        description=(
            "Cursor-paginated: follow `next` / `previous`; there is no `count` and no `page`, so a page "
            "costs the same at any depth and any table size. `search` matches title and body."
        ),
    ),
    create=extend_schema(summary="Write a post (the caller is the author)"),
    update=extend_schema(summary="Replace a post's title and body (author or admin)"),
    partial_update=extend_schema(summary="Change a post's title or body (author or admin)"),
    destroy=extend_schema(summary="Delete a post and its votes (author, moderator or admin)"),
)
class PostViewSet(viewsets.ModelViewSet):
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

    # The fast paths of the feed and of a post (below); tests turn them off to compare bytes with DRF's.
    fast_paths = True

    def list(self, request, *args, **kwargs):
        """
        The feed. Unfiltered pages (any ordering, cursor and page size) take a fast path: the same
        query as `post_list` compiled once per ordering, rows as dicts, `post_render`, the same
        pagination: 10.1 -> 3.2 ms a page in process (README, "What made it fast"). Anything
        else, including every malformed value, goes through DRF's `list` and the FilterSet.
        """
        ordering = self._fast_feed_ordering(request.query_params)
        if ordering is None:
            return super().list(request, *args, **kwargs)

        def fetch(cursor, limit):
            return post_feed_page(user=request.user, ordering=ordering, cursor=cursor, limit=limit)

        rows = self.paginator.paginate_rows(request, ordering, Post, fetch)
        return self.paginator.get_paginated_response([post_render(row) for row in rows])

    def retrieve(self, request, *args, **kwargs):
        """
        A post. Without query parameters (which would filter it), read through a statement compiled
        once and rendered by `post_render`, with the same 404 and object permissions: 2.1x the
        requests/s over HTTP (README, "What made it fast"); otherwise DRF's `retrieve`.
        """
        if not (self.fast_paths and only_parameters(request.query_params, frozenset())):
            return super().retrieve(request, *args, **kwargs)
        row = post_detail_row(user=request.user, post_id=int(kwargs[self.lookup_field]))
        if row is None:
            raise Http404  # as DRF's `get_object` does
        self.check_object_permissions(request, row)
        return Response(post_render(row))

    def _fast_feed_ordering(self, params) -> tuple[str, ...] | None:
        """The database ordering when the fast path can serve this request, else None."""
        if not self.fast_paths or not only_parameters(params, FAST_FEED_PARAMETERS):
            return None
        return ORDERINGS.get(params.get("ordering", "-created_at"))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return Post.objects.none()
        return post_list(user=self.request.user)

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

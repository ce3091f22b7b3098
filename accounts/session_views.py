"""auth/sessions/: the caller's active login sessions, and ending any one of them."""

import uuid
from http import HTTPStatus

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from accounts import selectors, sessions
from accounts.models import LoginSession
from accounts.serializers import SessionSerializer
from accounts.tokens import request_session_id
from audit.context import request_context

SESSION_ID = OpenApiParameter(
    "id", type=uuid.UUID, location=OpenApiParameter.PATH, description="The session's `id` from the list."
)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's sessions",
        description=(
            "Sessions that have not ended (logout, revoked, logout-all) or expired, newest first. A session is "
            "one login; refreshing keeps it. `last_used_at`, `ip` and `user_agent` are as of its last login or "
            "refresh. `current` marks the session of the token this request came with."
        ),
    ),
    destroy=extend_schema(
        summary="End one of the caller's sessions",
        description=(
            "Its refresh and access tokens are rejected from the next request on, on every worker and server. "
            "Someone else's, an ended or an unknown session: 404."
        ),
        parameters=[SESSION_ID],
        responses={204: OpenApiResponse(description="Ended; no body.")},
    ),
)
@extend_schema(tags=["auth"])
class SessionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return LoginSession.objects.none()
        return selectors.sessions_active(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_sid": request_session_id(self.request)}

    def destroy(self, request, pk: str):
        try:
            sid = uuid.UUID(pk)
        except ValueError:
            raise Http404 from None
        sessions.session_revoke(user=request.user, sid=sid, context=request_context(request))
        return Response(status=HTTPStatus.NO_CONTENT)

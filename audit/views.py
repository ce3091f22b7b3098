"""The security log's two read-only lists: the caller's own events, and every event for admins."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import IsAdminUser

from audit.filters import SecurityEventFilter
from audit.models import SecurityEvent
from audit.selectors import security_event_list, security_event_list_for_user
from audit.serializers import SecurityEventSerializer
from common.keyset_pagination import KeysetPagination

ADMIN_REQUIRED = "Only an admin can do this."
PAGING = (
    "Newest first, cursor-paginated: follow `next` / `previous`; there is no `count`, so a page costs "
    "the same however long the log grows."
)


class IsStaff(IsAdminUser):
    """The caller is staff, which accounts keeps equal to the `admin` role (a database constraint)."""

    # audit imports no other app, so it checks the flag Django itself owns rather than accounts' role.
    message = ADMIN_REQUIRED


class SecurityEventListView(generics.ListAPIView):
    serializer_class = SecurityEventSerializer
    pagination_class = KeysetPagination


@extend_schema_view(
    get=extend_schema(
        tags=["auth"],
        summary="The caller's security log: events about their own account",
        description=f"Logins, logouts, password and role changes of the caller's account. {PAGING}",
    )
)
class OwnSecurityEventList(SecurityEventListView):
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return SecurityEvent.objects.none()
        return security_event_list_for_user(user=self.request.user)


@extend_schema_view(
    get=extend_schema(
        tags=["audit"],
        summary="Every security event (admin)",
        description=f"Filter by `event`, `user` (whose account) and `actor` (who did it). {PAGING}",
    )
)
class SecurityEventList(SecurityEventListView):
    permission_classes = [IsStaff]
    filter_backends = [DjangoFilterBackend]
    filterset_class = SecurityEventFilter

    def get_queryset(self):
        return security_event_list()

"""Reads of the security log, shaped for its lists: both users joined, newest first."""

from django.db.models import QuerySet

from audit.models import SecurityEvent

# Own fields only, ending with the id: the keyset cursor's ordering, served by the indexes on the model.
EVENT_ORDERING = ("-at", "-id")


def security_event_list() -> QuerySet[SecurityEvent]:
    """Every event, newest first, with `user` and `actor` (id and username) joined in the same query."""
    return (
        SecurityEvent.objects.select_related("user", "actor")
        .only(
            "id",
            "at",
            "event",
            "ip",
            "user_agent",
            "request_id",
            "detail",
            "user__id",
            "user__username",
            "actor__id",
            "actor__username",
        )
        .order_by(*EVENT_ORDERING)
    )


def security_event_list_for_user(*, user) -> QuerySet[SecurityEvent]:
    """The events about `user`'s own account, newest first."""
    return security_event_list().filter(user=user)

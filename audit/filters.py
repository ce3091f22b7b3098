"""Query parameters of the admin's security log: `event`, `user`, `actor`; a bad value is a 400."""

import django_filters

from audit.models import Event, SecurityEvent
from common.filters import IdFilter, StrictFilterSet


class SecurityEventFilter(StrictFilterSet):
    event = django_filters.ChoiceFilter(choices=Event.choices, label="Only events with this name.")
    user = IdFilter(field_name="user_id", label="Only events about the account with this user id.")
    actor = IdFilter(field_name="actor_id", label="Only events done by the user with this id.")

    class Meta:
        model = SecurityEvent
        fields = ["event", "user", "actor"]

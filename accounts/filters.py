"""Filters of the admin users list."""

import django_filters

from accounts.models import Role, User
from config.filters import StrictFilterSet


class UserFilter(StrictFilterSet):
    """`?role=` one of the roles, `?is_active=true|false`."""

    role = django_filters.ChoiceFilter(choices=Role.choices)
    # A choice, not BooleanFilter: that one silently ignores `?is_active=maybe`; this answers 400.
    is_active = django_filters.TypedChoiceFilter(
        choices=[("true", "true"), ("false", "false")], coerce=lambda value: value == "true"
    )

    class Meta:
        model = User
        fields = ["role", "is_active"]

"""Filters of the admin users list."""

import django_filters

from accounts.models import Role, User
from common.filters import StrictBooleanFilter, StrictFilterSet


class UserFilter(StrictFilterSet):
    """`?role=` one of the roles, `?is_active=true|false`."""

    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = StrictBooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]

"""Filters of the admin users list."""

import django_filters

from accounts.models import Role, User


class UserFilter(django_filters.FilterSet):
    """`?role=` one of the roles, `?is_active=true|false`."""

    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["role", "is_active"]

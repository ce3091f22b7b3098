"""
The security log in the Django admin: a read-only list that stays fast at millions of rows.

Nobody, superusers included, can add, change or delete an event here. The list never counts
the whole table: `show_full_result_count` is off, facets are never computed, and the paginator
counts at most `CappedCountPaginator.cap` matching rows (deeper pages are reached by narrowing
the list with the filters or the search). Search takes one exact value, each looked up through
an index: an IP address, a request id, or a username (the account's or the actor's).
"""

import ipaddress

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils.functional import cached_property

from audit.models import SecurityEvent
from common.admin import ReadOnlyModelAdmin


class CappedCountPaginator(Paginator):
    """A paginator that counts at most `cap` rows: `SELECT COUNT(*) FROM (... LIMIT cap)`, not the whole table."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap].count()

    @property
    def capped(self) -> bool:
        """Whether there may be more rows than counted (the template shows "10000+")."""
        return self.count >= self.cap


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "event", "user", "actor", "ip", "request_id"]
    list_select_related = ["user", "actor"]
    list_filter = ["event", ("at", admin.DateFieldListFilter)]
    search_fields = ["request_id"]  # shows the search box; `get_search_results` does the searching
    search_help_text = "One exact value: a username, an IP address or a request id."
    fields = ["at", "event", "user", "actor", "ip", "user_agent", "request_id", "detail"]
    readonly_fields = fields
    actions = None
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(ip=str(ipaddress.ip_address(term))), False
        except ValueError:
            pass
        users = get_user_model()._default_manager
        # lower(username) = ... is what the accounts' case-insensitive unique index serves.
        named = users.filter(Exact(Lower(users.model.USERNAME_FIELD), term.lower())).values("pk")
        return queryset.filter(Q(request_id=term) | Q(user__in=named) | Q(actor__in=named)), False

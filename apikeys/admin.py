"""
API keys in the Django admin: every user's keys and a revoke action; never a key or its hash.

Keys are made only through the API (the key is shown once, to its owner), so nothing here can
add or edit one; revoking goes through the API's service, which records the event.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from apikeys import services
from apikeys.models import ApiKey
from audit.context import request_context
from common.admin import ReadOnlyModelAdmin

SHOWN = ["prefix", "name", "owner", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyModelAdmin):
    list_display = ["prefix", "name", "owner_keys", "scopes", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_select_related = ["owner"]
    list_filter = ["scopes", ("revoked_at", admin.EmptyFieldListFilter), ("expires_at", admin.EmptyFieldListFilter)]
    search_fields = ["=owner__username", "=prefix", "name"]
    search_help_text = "An exact username or key prefix (dak_…), or part of a key's name."
    fields = SHOWN
    readonly_fields = SHOWN
    actions = ["revoke"]

    # Not deletable here: revoking keeps the key's row and history.

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("apikeys.change_apikey")

    @admin.display(description="owner", ordering="owner__username")
    def owner_keys(self, api_key: ApiKey) -> str:
        """The owner, linking to all of that user's keys."""
        url = reverse("admin:apikeys_apikey_changelist") + f"?owner__id__exact={api_key.owner_id}"
        return format_html('<a href="{}" title="Every API key of this user">{}</a>', url, api_key.owner.username)

    @admin.action(description="Revoke the selected API keys", permissions=["revoke"])
    def revoke(self, request, queryset) -> None:
        context, revoked = request_context(request), 0
        with transaction.atomic():
            for pk in queryset.filter(revoked_at__isnull=True).values_list("pk", flat=True):
                try:
                    services.api_key_revoke(api_key_id=pk, actor=request.user, context=context)
                except ApiKey.DoesNotExist:  # revoked meanwhile, by its owner or another admin
                    continue
                revoked += 1
        if revoked:
            self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)
        else:
            self.message_user(request, "The selected keys were already revoked.", messages.WARNING)

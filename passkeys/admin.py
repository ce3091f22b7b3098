"""
Passkeys in the Django admin: staff see every user's passkeys (names, dates, last use, flags), one
user's through the owner link, and can remove them; never key material. Passkeys are added only by
their owner's browser, so nothing here adds or edits one; removing goes through the API's service,
which records `passkey_removed` (staff as the actor) and mails the owner.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from audit.context import request_context
from common.admin import ReadOnlyModelAdmin
from passkeys import services
from passkeys.models import Passkey

SHOWN = [
    "name",
    "user",
    "created_at",
    "last_used_at",
    "discoverable",
    "user_verified",
    "backup_eligible",
    "backup_state",
    "transports",
    "aaguid",
    "sign_count",
]


@admin.register(Passkey)
class PasskeyAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "owner_passkeys", "created_at", "last_used_at", "discoverable", "user_verified"]
    list_display += ["backup_eligible", "backup_state"]
    list_select_related = ["user"]
    list_filter = ["discoverable", "user_verified", "backup_state", ("last_used_at", admin.EmptyFieldListFilter)]
    search_fields = ["=user__username", "=user__email", "name"]
    search_help_text = "An exact username or email, or part of a passkey's name."
    fields = SHOWN
    readonly_fields = SHOWN
    actions = ["remove"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("public_key", "credential_id", "user_handle")

    # Not deletable here: the action below removes a passkey through the service (event, mail).

    def has_remove_permission(self, request) -> bool:
        return request.user.has_perm("passkeys.delete_passkey")

    @admin.display(description="user", ordering="user__username")
    def owner_passkeys(self, passkey: Passkey) -> str:
        """The owner, linking to all of that user's passkeys."""
        url = reverse("admin:passkeys_passkey_changelist") + f"?user__id__exact={passkey.user_id}"
        return format_html('<a href="{}" title="Every passkey of this user">{}</a>', url, passkey.user.username)

    @admin.action(description="Remove the selected passkeys", permissions=["remove"])
    def remove(self, request, queryset) -> None:
        context, removed = request_context(request), 0
        with transaction.atomic():
            for pk in queryset.values_list("pk", flat=True):
                try:
                    services.passkey_remove(passkey_id=pk, actor=request.user, context=context)
                except Passkey.DoesNotExist:  # removed meanwhile, by its owner or another admin
                    continue
                removed += 1
        self.message_user(request, f"Removed {removed} passkey(s).", messages.SUCCESS)

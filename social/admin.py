"""What staff see of social login: who has which provider linked (read-only; users unlink themselves)."""

from django.contrib import admin

from social.models import Identity


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "email", "created_at", "last_used_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "email", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "provider", "issuer", "subject", "email", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

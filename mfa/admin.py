"""What staff see of two-factor authentication: read-only lists, never a secret, a code hash or a token hash."""

from django.contrib import admin

from mfa.models import Authenticator, RecoveryCode


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing is added or changed here: users enrol themselves, staff turn two-factor off on the user."""

    list_select_related = ["user"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a row would leave two-factor half on: the user's "turn off" action does it whole.
        return False


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    fields = ["user", "created_at", "confirmed_at"]


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "used_at"]
    list_filter = [("used_at", admin.EmptyFieldListFilter)]
    fields = ["user", "created_at", "used_at"]

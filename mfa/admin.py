"""What staff see of two-factor authentication: read-only lists, never a secret, a code hash or a token hash."""

from django.contrib import admin

from common.admin import ReadOnlyModelAdmin
from mfa.models import Authenticator, RecoveryCode


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    """
    Nothing is added, changed or deleted here: users enrol themselves, staff turn two-factor off on the user
    (deleting a row would leave two-factor half on: the user's "turn off" action does it whole).
    """

    list_select_related = ["user"]
    search_fields = ["user__username"]


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

"""
Account deletions and data exports in the Django admin, read-only: staff see which accounts wait for
their purge and when; exports show their state, never the archive. Cancelling is the user's (the
mailed link); reactivating the account in the users' admin also stops its purge.
"""

from django.contrib import admin
from django.utils import timezone

from common.admin import ReadOnlyModelAdmin
from privacy.models import DataExport, DeletionRequest

DELETION_SHOWN = ["user", "requested_at", "purge_after", "cancelled_at"]
EXPORT_SHOWN = ["user", "requested_at", "ready_at", "expires_at", "downloaded_at"]


class PendingFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "Waiting for the purge"), ("cancelled", "Cancelled")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(cancelled_at__isnull=True)
        if self.value() == "cancelled":
            return queryset.filter(cancelled_at__isnull=False)
        return queryset


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    list_select_related = ["user"]
    search_fields = ["=user__username", "=user__email"]
    search_help_text = "An exact username or email."


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyAdmin):
    list_display = [*DELETION_SHOWN, "is_due"]
    list_filter = [PendingFilter, "purge_after"]
    fields = readonly_fields = DELETION_SHOWN

    @admin.display(boolean=True, description="due")
    def is_due(self, request: DeletionRequest) -> bool:
        return request.is_pending and request.purge_after <= timezone.now()


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = EXPORT_SHOWN
    list_filter = [("downloaded_at", admin.EmptyFieldListFilter)]
    fields = readonly_fields = EXPORT_SHOWN

    def get_queryset(self, request):
        return super().get_queryset(request).defer("archive")

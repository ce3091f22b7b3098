"""What staff see of sign-in devices and new-device alerts: read-only lists (users and their logins make them)."""

from django.contrib import admin

from common.admin import ReadOnlyModelAdmin
from devices.models import Device, LoginAlert


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    list_select_related = ["user"]
    search_fields = ["user__username"]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "browser", "os", "network", "first_seen_at", "last_seen_at", "disowned_at"]
    list_filter = [("disowned_at", admin.EmptyFieldListFilter)]
    fields = list_display


@admin.register(LoginAlert)
class LoginAlertAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "ip", "browser", "os", "disowned_at"]
    list_filter = [("disowned_at", admin.EmptyFieldListFilter)]
    fields = ["user", "sid", "created_at", "ip", "user_agent", "browser", "os", "disowned_at"]

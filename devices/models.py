"""
The devices a user signs in from, and the alerts sent for new ones.

`Device` is kept here rather than read from `accounts.LoginSession` alone because expired sessions
are purged within days (the refresh lifetime) while a device stays known for `NEW_DEVICE_WINDOW_DAYS`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.models import USER_AGENT_MAX_LENGTH

DEVICE_KEY_MAX_LENGTH = 255


class Device(models.Model):
    """A (browser family, OS family, network) a user signed in from (`devices.identification`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    key = models.CharField(max_length=DEVICE_KEY_MAX_LENGTH)
    browser = models.CharField(max_length=100)
    os = models.CharField(max_length=100)
    network = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # Set when the user said a sign-in from it was not them: it is new again until its next sign-in.
    disowned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="devices_device_user_key")]

    def __str__(self) -> str:
        return f"{self.browser} on {self.os} from {self.network} (user {self.user_id})"


class LoginAlert(models.Model):
    """A sign-in from a new device that was mailed to the user, with its "this wasn't me" state."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_alerts")
    # The login session (accounts.LoginSession.sid); not a foreign key: expired sessions are purged.
    sid = models.UUIDField()
    device_key = models.CharField(max_length=DEVICE_KEY_MAX_LENGTH)
    browser = models.CharField(max_length=100)
    os = models.CharField(max_length=100)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    disowned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="devices_alert_user_created")]

    def __str__(self) -> str:
        return f"new-device sign-in {self.sid} of user {self.user_id}"

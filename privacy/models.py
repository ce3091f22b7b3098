"""
What the privacy app keeps: account deletions waiting for their purge, and data exports waiting for
their download. Neither holds a token: the mailed links are signed values naming a row
(`privacy.links`), so a link stops working when its row changes (cancelled, purged, downloaded).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class DeletionRequest(models.Model):
    """
    A user asked for their account to be deleted at `requested_at`: the account was deactivated then,
    and the periodic purge deletes it once `purge_after` has passed, unless it was cancelled.
    The row goes with the account; the security log keeps the story (pseudonymised).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deletion_requests")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    purge_after = models.DateTimeField(editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["purge_after", "id"]
        constraints = [
            # At most one deletion waits per account.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(cancelled_at__isnull=True), name="privacy_deletion_one_pending"
            ),
            models.CheckConstraint(
                condition=models.Q(purge_after__gte=models.F("requested_at")),
                name="privacy_deletion_purge_after_request",
            ),
        ]
        # The purge's scan: pending requests by due date.
        indexes = [
            models.Index(
                fields=["purge_after"], condition=models.Q(cancelled_at__isnull=True), name="privacy_deletion_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"deletion of user {self.user_id} after {self.purge_after:%Y-%m-%d %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None


class DataExport(models.Model):
    """
    A JSON archive of what the project holds about `user`, built by a background job and mailed as a
    single-use link valid until `expires_at`. The archive is dropped once downloaded or expired.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports")
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    ready_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    downloaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The JSON text as downloaded (kept as text so the bytes, key order included, are what was built).
    archive = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001 (null: no archive, not an empty one)

    class Meta:
        ordering = ["-requested_at", "-id"]
        # The once-a-day limit reads the user's newest request.
        indexes = [models.Index(fields=["user", "-requested_at"], name="privacy_export_user_idx")]

    def __str__(self) -> str:
        return f"data export of user {self.user_id} requested {self.requested_at:%Y-%m-%d %H:%M}"

"""
The security log: one append-only row per security-relevant event.

`user` is whose account the event is about; `actor` is who did it: the user themselves for
self-service (login, logout, password change), the admin for an admin's change, and null when
nobody is signed in (a failed login, a refresh token presented again). Both survive the
deletion of the account as null, so the log outlives the users it mentions.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

USER_AGENT_MAX_LENGTH = 512
REQUEST_ID_MAX_LENGTH = 128  # what common.middleware accepts from a client
APPEND_ONLY = "Security events are append-only: record new ones with audit.services.event_record."


class Event(models.TextChoices):
    """Every event name API.md lists, including those of flows other issues add."""

    LOGIN_SUCCEEDED = "login_succeeded", "Login succeeded"
    LOGIN_FAILED = "login_failed", "Login failed"
    MFA_FAILED = "mfa_failed", "Two-factor check failed"
    LOGOUT = "logout", "Logged out"
    LOGOUT_ALL = "logout_all", "Logged out everywhere"
    REFRESH_REUSE_DETECTED = "refresh_reuse_detected", "Refresh token reuse detected"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Password reset requested"
    PASSWORD_RESET_COMPLETED = "password_reset_completed", "Password reset completed"
    EMAIL_VERIFIED = "email_verified", "Email verified"
    EMAIL_CHANGE_REQUESTED = "email_change_requested", "Email change requested"
    EMAIL_CHANGED = "email_changed", "Email changed"
    MFA_ENABLED = "mfa_enabled", "Two-factor enabled"
    MFA_DISABLED = "mfa_disabled", "Two-factor disabled"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Recovery codes regenerated"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    SESSION_REVOKED = "session_revoked", "Session revoked"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    USER_ROLE_CHANGED = "user_role_changed", "Role changed"
    USER_DEACTIVATED = "user_deactivated", "Account deactivated"
    USER_REACTIVATED = "user_reactivated", "Account reactivated"
    REAUTHENTICATED = "reauthenticated", "Reauthenticated"
    REAUTHENTICATION_FAILED = "reauthentication_failed", "Reauthentication failed"
    EMAIL_CHANGE_CANCELLED = "email_change_cancelled", "Email change cancelled"
    LOGIN_LOCKED = "login_locked", "Sign-in attempts limited"
    # Account lifecycle: breached passwords, deletion and export, new devices.
    PASSWORD_BREACHED = "password_breached", "Password found in a data breach"
    ACCOUNT_DELETION_REQUESTED = "account_deletion_requested", "Account deletion requested"
    ACCOUNT_DELETION_CANCELLED = "account_deletion_cancelled", "Account deletion cancelled"
    ACCOUNT_DELETED = "account_deleted", "Account deleted"
    DATA_EXPORT_REQUESTED = "data_export_requested", "Data export requested"
    DATA_EXPORT_DOWNLOADED = "data_export_downloaded", "Data export downloaded"
    NEW_DEVICE_LOGIN = "new_device_login", "Sign-in from a new device"
    LOGIN_DISOWNED = "login_disowned", "Sign-in reported as not the user"
    # Passkeys (WebAuthn) and identities from other providers.
    PASSKEY_ADDED = "passkey_added", "Passkey added"
    PASSKEY_REMOVED = "passkey_removed", "Passkey removed"
    PASSKEY_USED = "passkey_used", "Passkey used"
    PASSKEY_CLONE_SUSPECTED = "passkey_clone_suspected", "Passkey signature counter went back"
    IDENTITY_LINKED = "identity_linked", "Sign-in provider linked"
    IDENTITY_UNLINKED = "identity_unlinked", "Sign-in provider unlinked"


class SecurityEventQuerySet(models.QuerySet):
    """No bulk updates or deletes: old events leave only through `audit.services.security_events_purge`."""

    def update(self, **kwargs):
        raise TypeError(APPEND_ONLY)

    def delete(self):
        raise TypeError(APPEND_ONLY)


class SecurityEvent(models.Model):
    """One recorded event; never changed after it is written."""

    at = models.DateTimeField(default=timezone.now, editable=False, help_text="When it happened.")
    event = models.CharField(max_length=64, choices=Event.choices)
    # Indexed below together with the time, which also serves the foreign keys.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    ip = models.GenericIPAddressField(null=True, help_text="The client's address; null when unknown.")
    user_agent = models.CharField(
        max_length=USER_AGENT_MAX_LENGTH,
        blank=True,
        help_text=f"The client's User-Agent, cut at {USER_AGENT_MAX_LENGTH}.",
    )
    request_id = models.CharField(
        max_length=REQUEST_ID_MAX_LENGTH, blank=True, help_text="The request's X-Request-ID, as in the request log."
    )
    detail = models.JSONField(default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        # Newest first; the id breaks ties so the keyset cursor names exactly one row.
        ordering = ["-at", "-id"]
        # One index per filter, each ending with the list's order, so a filtered page is one range
        # scan; (at, id) also serves the retention purge. ip and request_id serve the admin's search.
        indexes = [
            models.Index(fields=["-at", "-id"], name="audit_event_at_idx"),
            models.Index(fields=["event", "-at", "-id"], name="audit_event_event_at_idx"),
            models.Index(fields=["user", "-at", "-id"], name="audit_event_user_at_idx"),
            models.Index(fields=["actor", "-at", "-id"], name="audit_event_actor_at_idx"),
            models.Index(fields=["ip"], name="audit_event_ip_idx"),
            models.Index(fields=["request_id"], name="audit_event_request_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(event__in=Event.values), name="audit_event_event_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(APPEND_ONLY)

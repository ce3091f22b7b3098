"""A user's TOTP authenticator, their recovery codes, and the login challenges between the two login steps."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Authenticator(models.Model):
    """
    A TOTP authenticator app. Unconfirmed until the user proves it with a code; two-factor is on
    (`User.mfa_enabled`) only with a confirmed one. The secret is stored only encrypted (mfa.crypto).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticator")
    secret_encrypted = models.TextField(editable=False, help_text="The base32 secret, Fernet-encrypted.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The last 30-second step whose code was accepted; a code of that step or an earlier one is refused
    # (no replay). Written only by a conditional UPDATE (mfa.services), so two racing logins accept one.
    last_used_step = models.BigIntegerField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Authenticator of {self.user}"


class RecoveryCode(models.Model):
    """One single-use recovery code, stored only as a keyed hash (mfa.recovery_codes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="mfa_recoverycode_user_hash_unique")]

    def __str__(self) -> str:
        return f"Recovery code {self.pk} of {self.user}"


class LoginChallenge(models.Model):
    """
    The state of a login between its password step and its code step, shared by every worker: the
    `mfa_token` (stored only as its SHA-256), whose login it continues, until when, how many wrong
    codes it took, and whether it was used.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_challenges")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False, db_index=True)  # the daily purge's filter
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Login challenge {self.pk} of {self.user}"

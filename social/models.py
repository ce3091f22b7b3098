"""
Social login's rows: the identities users sign in with, the authorization requests in flight
and the tickets that hand a finished login to the client application.

Requests and tickets are stored only as SHA-256 hashes of their secrets (what the browser's
cookie and the client hold), so a database dump cannot finish anyone's login.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Identity(models.Model):
    """A provider's account (`issuer`, `subject`) linked to a user: one way for them to sign in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(max_length=32)
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    # As the provider last said; shown to the user, never used to find the account again.
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="social_identity_issuer_subject")]
        indexes = [models.Index(fields=["user", "created_at"], name="social_identity_user_created")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class AuthorizationRequest(models.Model):
    """One sign-in in flight at a provider (10 minutes, single use), bound to the browser's cookie."""

    reference_hash = models.CharField(max_length=64, unique=True)
    provider = models.CharField(max_length=32)
    state = models.CharField(max_length=128)
    nonce = models.CharField(max_length=128)
    code_verifier = models.CharField(max_length=128)
    redirect_uri = models.URLField(max_length=500)
    # Set when a signed-in user links this provider (auth/social/<provider>/link/).
    link_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.provider} request {self.pk}"


class Ticket(models.Model):
    """A finished provider sign-in the client exchanges once, within 60 seconds."""

    ticket_hash = models.CharField(max_length=64, unique=True)
    provider = models.CharField(max_length=32)
    # The verified claims: iss, sub, email, email_verified, preferred_username.
    claims = models.JSONField()
    link_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.provider} ticket {self.pk}"

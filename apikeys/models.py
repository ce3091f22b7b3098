"""API keys: long-lived, scoped credentials of a user for scripts and servers that cannot log in."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys.keys import PREFIX_LENGTH

PREFIX_UNIQUE_CONSTRAINT = "apikeys_apikey_prefix_unique"
NAME_MAX_LENGTH = 100


class Scope(models.TextChoices):
    READ = "read", "Read (GET, HEAD, OPTIONS)"
    WRITE = "write", "Write (every other method)"
    ADMIN = "admin", "Admin (changes through users/: roles, activation, two-factor)"


# The scope sets a key may have, stored as OAuth-style space-separated scope strings.
SCOPE_SETS = {
    "read": [Scope.READ],
    "read write": [Scope.READ, Scope.WRITE],
    "read write admin": [Scope.READ, Scope.WRITE, Scope.ADMIN],
}


class ApiKey(models.Model):
    """
    One API key of `owner`. Only the key's SHA-256 is stored (`apikeys.keys`); the key itself was
    shown once, when it was made. A key is never deleted by its owner, only revoked, so the admin
    keeps its history; deleting the owner deletes their keys.
    """

    # Indexed below, together with the list's order.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH, help_text="What the key is for, chosen by its owner.")
    # The key's first characters, marker included: finds its row and identifies it in lists.
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.CharField(max_length=32, choices=[(value, value) for value in SCOPE_SETS])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Rejected from then on; empty: never.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="To within a minute.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["prefix"], name=PREFIX_UNIQUE_CONSTRAINT),
            models.CheckConstraint(condition=models.Q(scopes__in=list(SCOPE_SETS)), name="apikeys_apikey_scopes_valid"),
        ]
        # The owner's list: their keys that are not revoked, newest first.
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="apikeys_apikey_owner_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def scope_list(self) -> list[str]:
        """The key's scopes as the API shows them: `["read"]`, `["read", "write"]` or `["read", "write", "admin"]`."""
        return [str(scope) for scope in SCOPE_SETS[self.scopes]]

    @property
    def can_write(self) -> bool:
        return Scope.WRITE in SCOPE_SETS[self.scopes]

    @property
    def can_admin(self) -> bool:
        return Scope.ADMIN in SCOPE_SETS[self.scopes]

    def is_usable(self, *, now) -> bool:
        """Not revoked, not expired, and its owner is active (the owner row is loaded with the key)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now) and self.owner.is_active

"""A user's passkeys (WebAuthn credentials) and the ceremonies in flight, shared by every worker."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from fido2 import cbor
from fido2.cose import CoseKey
from fido2.webauthn import AttestedCredentialData

NAME_MAX_LENGTH = 64


class Passkey(models.Model):
    """
    One WebAuthn credential of a user: its id and COSE public key (never a secret), what the
    authenticator said of it at registration, and its signature counter.

    `discoverable` (credProps' `rk`) and `user_verified` say whether it can sign in without a password;
    a passkey without both serves only as a second factor. `backup_state` follows every use.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.BinaryField(max_length=1023, unique=True, editable=False)
    public_key = models.BinaryField(editable=False, help_text="The credential's COSE public key, CBOR-encoded.")
    aaguid = models.UUIDField(editable=False, help_text="The authenticator model (all zeros when it tells none).")
    # The WebAuthn user handle the authenticator keeps (random, never the user id): one per user.
    user_handle = models.BinaryField(max_length=64, editable=False)
    sign_count = models.BigIntegerField(default=0, editable=False)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    transports = models.JSONField(default=list, blank=True, editable=False)
    backup_eligible = models.BooleanField(default=False, editable=False)
    backup_state = models.BooleanField(default=False, editable=False)
    discoverable = models.BooleanField(default=False, editable=False)
    user_verified = models.BooleanField(default=False, editable=False, help_text="At registration.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(sign_count__gte=0), name="passkeys_passkey_sign_count_gte_0"),
            models.CheckConstraint(condition=~models.Q(name=""), name="passkeys_passkey_name_not_empty"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="passkeys_user_created_idx")]

    def __str__(self) -> str:
        return f"Passkey {self.name!r} of {self.user}"

    def credential_data(self) -> AttestedCredentialData:
        """The credential as fido2 checks an assertion against it: its id and COSE public key."""
        public_key = CoseKey.parse(cbor.decode(bytes(self.public_key)))
        return AttestedCredentialData.create(self.aaguid.bytes, bytes(self.credential_id), public_key)

    @property
    def passwordless(self) -> bool:
        """Whether it may sign in on its own: discoverable, with user verification."""
        return self.discoverable and self.user_verified


class Ceremony(models.Model):
    """
    A WebAuthn ceremony between its options and its answer: the challenge (stored only as its SHA-256),
    what it is for, whose it is (none for a passwordless login), what user verification it asked for,
    and until when. Taken (deleted) by its first answer, so a challenge works once, on any worker.
    """

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", "Registration"
        LOGIN = "login", "Passwordless login"
        SECOND_STEP = "second_step", "Second login step"
        REAUTHENTICATION = "reauthentication", "Reauthentication"

    challenge_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="passkey_ceremonies"
    )
    user_verification = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False, db_index=True)  # the daily purge's filter

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ceremony {self.pk}"

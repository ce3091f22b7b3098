"""Reads of passkeys: an owner's list, and the descriptors and user handle the ceremonies name."""

from django.db.models import QuerySet
from django.utils.crypto import salted_hmac
from fido2.webauthn import AuthenticatorTransport, PublicKeyCredentialDescriptor, PublicKeyCredentialType

from accounts.models import User
from passkeys.models import Passkey

LISTED = ["id", "name", "created_at", "last_used_at", "transports", "backup_eligible", "backup_state"]
LISTED += ["discoverable", "user_verified", "aaguid"]


def passkey_list(*, user: User) -> QuerySet[Passkey]:
    """The user's passkeys, newest first, without the key material the list never shows."""
    return Passkey.objects.filter(user=user).only(*LISTED).order_by("-created_at", "-id")


def passkey_descriptors(*, user: User) -> list[PublicKeyCredentialDescriptor]:
    """The user's passkeys as a ceremony names them (`excludeCredentials`, `allowCredentials`), in one query."""
    passkeys = Passkey.objects.filter(user=user).only("credential_id", "transports").order_by("pk")
    return [
        PublicKeyCredentialDescriptor(
            type=PublicKeyCredentialType.PUBLIC_KEY,
            id=bytes(passkey.credential_id),
            transports=[AuthenticatorTransport(t) for t in passkey.transports] or None,
        )
        for passkey in passkeys
    ]


def user_handle(*, user: User) -> bytes:
    """
    The WebAuthn user handle of `user`: the one their passkeys already carry, else a keyed hash of the id
    (stable, says nothing of the account, and never the id itself, as the spec asks).
    """
    stored = Passkey.objects.filter(user=user).values_list("user_handle", flat=True).first()
    if stored is not None:
        return bytes(stored)
    return salted_hmac("passkeys.user_handle", str(user.pk), algorithm="sha256").digest()


def passkeys_of(user: User) -> list[dict]:
    """The user's passkeys for their data export (`accounts.personal_data`): what the list shows, never key material."""
    return [
        {
            "name": passkey.name,
            "created_at": passkey.created_at,
            "last_used_at": passkey.last_used_at,
            "passwordless": passkey.passwordless,
            "backup_eligible": passkey.backup_eligible,
            "backup_state": passkey.backup_state,
            "transports": passkey.transports,
            "aaguid": str(passkey.aaguid),
        }
        for passkey in passkey_list(user=user)
    ]


def passkey_count(user: User) -> int:
    return Passkey.objects.filter(user=user).count()

"""Reads of passkeys: an owner's list."""

from django.db.models import QuerySet

from accounts.models import User
from passkeys.models import Passkey

LISTED = ["id", "name", "created_at", "last_used_at", "transports", "backup_eligible", "backup_state"]
LISTED += ["discoverable", "user_verified", "aaguid"]


def passkey_list(*, user: User) -> QuerySet[Passkey]:
    """The user's passkeys, newest first, without the key material the list never shows."""
    return Passkey.objects.filter(user=user).only(*LISTED).order_by("-created_at", "-id")

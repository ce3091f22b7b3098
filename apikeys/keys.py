"""
The API key format: a fixed marker, a lookup prefix and a random secret; only a hash is stored.

    dak_<8 letters or digits>_<43 characters of URL-safe base64>
    └─ prefix (12 characters) ─┘ └─ secret: 32 random bytes ─┘

`dak_` ("Django API key") is fixed and documented so secret scanners can recognise a leaked
key. The prefix is shown in lists and finds the key's row (its unique index); the secret
never leaves the response that created the key. A key carries 256 bits of randomness, so a
fast hash is right (a slow password hasher guards against guessing low-entropy passwords, and
only costs every request here): SHA-256 of the whole key, compared in constant time.
"""

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

MARKER = "dak_"
LOOKUP_LENGTH = 8
SECRET_BYTES = 32
PREFIX_LENGTH = len(MARKER) + LOOKUP_LENGTH
KEY_LENGTH = PREFIX_LENGTH + 1 + 43  # base64 of 32 bytes without padding is 43 characters
KEY_PATTERN = re.compile(rf"{MARKER}[A-Za-z0-9]{{{LOOKUP_LENGTH}}}_[A-Za-z0-9_-]{{43}}")
_LOOKUP_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class NewKey:
    """A freshly made key: the whole key (shown once), its prefix and its hash (stored)."""

    key: str
    prefix: str
    key_hash: str


def key_hash(key: str) -> str:
    """The stored form of a key: SHA-256, hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_generate() -> NewKey:
    """A new random key."""
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    key = f"{MARKER}{lookup}_{secrets.token_urlsafe(SECRET_BYTES)}"
    assert KEY_PATTERN.fullmatch(key), "token_urlsafe(32) is 43 characters of [A-Za-z0-9_-]"
    return NewKey(key=key, prefix=key[:PREFIX_LENGTH], key_hash=key_hash(key))


def key_prefix(key: str) -> str | None:
    """The prefix of a well-formed key; None for anything else (wrong marker, length or alphabet)."""
    return key[:PREFIX_LENGTH] if KEY_PATTERN.fullmatch(key) else None


def key_matches(key: str, stored_hash: str) -> bool:
    """Whether `key` hashes to `stored_hash`, compared in constant time."""
    return hmac.compare_digest(key_hash(key), stored_hash)

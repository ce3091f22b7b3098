"""
Recovery codes: 10 per set, 10 random base32 characters each (50 bits), shown as `abcde-fghij`.

Stored only as an HMAC-SHA256 keyed with SECRET_KEY (Django's `salted_hmac`); a code is found by
its hash, checked against the current key and SECRET_KEY_FALLBACKS so a rotated secret keeps them.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

COUNT = 10
LENGTH = 10
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
HASH_SALT = "mfa.recovery_codes"


def codes_generate() -> list[str]:
    """A new set, formatted for display."""
    codes = ("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(COUNT))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def code_hash(code: str, *, secret: str | None = None) -> str:
    """The stored form of a normalized code (see mfa.serializers: no hyphen, lower case)."""
    return salted_hmac(HASH_SALT, code.replace("-", ""), secret=secret, algorithm="sha256").hexdigest()


def code_hashes(code: str) -> list[str]:
    """The code's hash under the current secret key and every fallback."""
    return [code_hash(code, secret=key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]

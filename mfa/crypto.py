"""
TOTP secrets encrypted at rest with Fernet (cryptography's MultiFernet).

`MFA_ENCRYPTION_KEYS`: the first key encrypts, every key decrypts, so keys rotate without
downtime (README). Unset, one key is derived from SECRET_KEY with HKDF-SHA256, so no key is
ever written in the code and production (whose secret has no default) never runs on a
known key. Changing SECRET_KEY then changes that key: set MFA_ENCRYPTION_KEYS first (README).
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

DERIVATION_INFO = b"mfa.crypto: TOTP secret encryption key"


def derived_key(secret_key: str) -> str:
    """The Fernet key used when MFA_ENCRYPTION_KEYS is unset: HKDF-SHA256 of the secret key."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw).decode()


def encryption_keys() -> tuple[str, ...]:
    """The keys in use, the encrypting one first."""
    return tuple(settings.MFA_ENCRYPTION_KEYS) or (derived_key(settings.SECRET_KEY),)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def secret_encrypt(secret: str) -> str:
    return _fernet(encryption_keys()).encrypt(secret.encode()).decode()


def secret_decrypt(encrypted: str) -> str:
    """The secret; cryptography's InvalidToken when no key in use can decrypt it."""
    return _fernet(encryption_keys()).decrypt(encrypted.encode()).decode()


def secret_reencrypt(encrypted: str) -> str:
    """The same secret encrypted with the first key (MultiFernet.rotate)."""
    return _fernet(encryption_keys()).rotate(encrypted.encode()).decode()

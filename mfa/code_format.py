"""How codes are typed: a TOTP code ("123456", "123 456") or a recovery code ("abcde-fghij", any case)."""

import re

from mfa import recovery_codes, totp

TOTP_CODE = re.compile(rf"[0-9]{{{totp.DIGITS}}}")
RECOVERY_CODE = re.compile(rf"[{recovery_codes.ALPHABET}]{{{recovery_codes.LENGTH}}}")


def code_normalize(value: str) -> str:
    """
    A code as typed, without the spaces and hyphens apps and our recovery codes show ("123 456",
    "abcde-fghij"), in lower case. Other whitespace inside a code is not taken out (it is a 400).
    """
    return value.replace(" ", "").replace("-", "").lower()


def code_well_formed(code: str) -> bool:
    """A normalized code that is a TOTP code or a recovery code by its form."""
    return bool(TOTP_CODE.fullmatch(code) or RECOVERY_CODE.fullmatch(code))

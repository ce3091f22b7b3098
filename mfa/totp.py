"""
TOTP codes per RFC 6238 (pyotp): HMAC-SHA-1, 6 digits, 30-second steps, one step of clock drift either way.

Everything that makes or checks a code goes through `code_at_step`, which the RFC's own test
vectors pin (mfa/tests/test_totp.py).
"""

import hmac
import time

import pyotp

DIGITS = 6
PERIOD_SECONDS = 30
DRIFT_STEPS = 1


def secret_generate() -> str:
    """A new random secret: 32 base32 characters, 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(length=32)


def step_at(unix_time: float) -> int:
    """The time step (RFC 6238's T) of a moment."""
    return int(unix_time // PERIOD_SECONDS)


def code_at_step(secret: str, step: int, *, digits: int = DIGITS) -> str:
    """The code of `step` for a base32 `secret` (zero-padded to `digits`)."""
    return pyotp.TOTP(secret, digits=digits, interval=PERIOD_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, *, unix_time: float | None = None) -> int | None:
    """
    The step within the drift window whose code `code` is, or None. Every step of the window is
    compared, in constant time, whichever matches.
    """
    now = step_at(time.time() if unix_time is None else unix_time)
    matched = None
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at_step(secret, step), code):
            matched = step
    return matched


def provisioning_url(secret: str, *, account_name: str, issuer: str) -> str:
    """The `otpauth://totp/...` URL authenticator apps read from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_SECONDS).provisioning_uri(
        name=account_name, issuer_name=issuer
    )

"""
Exceptions services raise where Django has none; `common.exceptions` turns them into API errors.

Kept apart from the exception handler, which imports DRF's views (and through them the
authentication classes), so that any service can import these without an import cycle.
"""

from django.core.exceptions import PermissionDenied


class AuthenticationError(Exception):
    """Credentials or a token were rejected (401); `code` is the error code clients see."""

    def __init__(self, message: str, *, code: str = "authentication_failed"):
        super().__init__(message)
        self.message, self.code = message, code


class Forbidden(PermissionDenied):
    """Django's PermissionDenied (403) with an error `code` of its own, e.g. `email_not_verified`."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message, self.code = message, code


class RateLimited(Exception):
    """Over a limit a service counts itself (429 with `Retry-After: wait_seconds`)."""

    def __init__(self, message: str, *, wait_seconds: int):
        super().__init__(message)
        self.message, self.wait_seconds = message, wait_seconds

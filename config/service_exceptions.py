"""
Exceptions services raise where Django has none; `config.exceptions` turns them into API errors.

Kept apart from the exception handler, which imports DRF's views (and through them the
authentication classes), so that any service can import these without an import cycle.
"""


class AuthenticationError(Exception):
    """Credentials or a token were rejected (401); `code` is the error code clients see."""

    def __init__(self, message: str, *, code: str = "authentication_failed"):
        super().__init__(message)
        self.message, self.code = message, code

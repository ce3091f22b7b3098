"""
The one place where Django's own exceptions become API errors.

drf-standardized-errors already maps `Http404` and `PermissionDenied`; this adds the request
errors Django raises while reading a body, which would otherwise surface as a 500.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions

from config.parsers import PayloadTooLarge

TOO_MANY_FIELDS = "Too many fields in the request."


class APIExceptionHandler(ExceptionHandler):
    """Standard error shape for body-size and other suspicious-request errors too."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, TooManyFieldsSent):
            return exceptions.ValidationError(TOO_MANY_FIELDS, code="too_many_fields")
        if isinstance(exc, SuspiciousOperation):
            return exceptions.ValidationError("Bad request.", code="bad_request")
        return super().convert_known_exceptions(exc)

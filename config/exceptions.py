"""
The one place where Django's own exceptions become API errors.

drf-standardized-errors already maps `Http404` and `PermissionDenied`; this adds Django's
`ValidationError` (what services raise, so they stay free of HTTP) and the request errors
Django raises while reading a body, which would otherwise surface as a 500.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error

from config.parsers import PayloadTooLarge

TOO_MANY_FIELDS = "Too many fields in the request."


class APIExceptionHandler(ExceptionHandler):
    """Standard error shape for Django validation, body-size and other suspicious-request errors too."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, TooManyFieldsSent):
            return exceptions.ValidationError(TOO_MANY_FIELDS, code="too_many_fields")
        if isinstance(exc, SuspiciousOperation):
            return exceptions.ValidationError("Bad request.", code="bad_request")
        return super().convert_known_exceptions(exc)

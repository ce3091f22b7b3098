"""
While the database cannot be reached: 503 in the API's error shape with `Retry-After`, one log
line per request, no traceback; service resumes by itself once it is back (CONN_HEALTH_CHECKS
replaces a dead connection on the next request).

Connection-level errors mean "try again shortly", not a bug: Django's `OperationalError`
(cannot connect, server shutting down, connection lost mid-query) and `InterfaceError` (a
connection that was already closed). Every other database error stays a 500 with its traceback.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest
from rest_framework import exceptions, status

RETRY_AFTER_SECONDS = 5
SERVICE_UNAVAILABLE = "The service is temporarily unavailable. Try again shortly."
SERVICE_UNAVAILABLE_PAGE = (
    f"<!doctype html><title>Service Unavailable</title><h1>Service Unavailable</h1><p>{SERVICE_UNAVAILABLE}"
)
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


class ServiceUnavailable(exceptions.APIException):
    """503: a dependency (the database) is unreachable; the request may be retried as it is."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    # drf-standardized-errors sends `wait` as the Retry-After header.
    wait = RETRY_AFTER_SECONDS


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE_ERRORS)


def record_failure(request, exc: BaseException) -> None:
    """Keep why the request failed for its one log line (common.middleware.RequestLogMiddleware)."""
    django_request: HttpRequest | None = getattr(request, "_request", request)  # DRF wraps Django's request
    if django_request is not None:
        # psycopg's messages span lines; a log line must not.
        reason = " ".join(str(exc).split()) or type(exc).__name__
        django_request.failure = f"database unavailable: {reason}"


class RequestLogFilter(logging.Filter):
    """
    For `django.request`: keep only tracebacks of real bugs.

    config.request already logs every request with its status (and a database outage with its
    reason), so Django's own line for an error response without a traceback, or for a database
    outage, would only repeat it, thousands of times a second during an outage.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return exc is not None and not is_database_unavailable(exc)

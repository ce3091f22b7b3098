"""
Django-level error views that keep the API's error shape.

DRF views get the standard shape from drf-standardized-errors; these cover what never
reaches a DRF view: an unknown URL under /api/, a crash outside a view, and the database
going away outside a DRF view (the admin, the session middleware), which is a 503 as well.
"""

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_standardized_errors.formatter import ExceptionFormatter
from rest_framework import exceptions

from common import outage

API_PREFIX = "/api/"


def _api_error(exc: exceptions.APIException) -> JsonResponse:
    data = ExceptionFormatter(exc, {}, exc).run()
    return JsonResponse(data, status=exc.status_code)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for unknown URLs: the API's JSON shape under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return _api_error(exceptions.NotFound())
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 outside a DRF view (503 if the database is unreachable): JSON under /api/, never a traceback."""
    # Django calls this view while it handles the exception, so the exception is still current.
    exc = sys.exc_info()[1]
    if outage.is_database_unavailable(exc):
        outage.record_failure(request, exc)
        if request.path.startswith(API_PREFIX):
            response = _api_error(outage.ServiceUnavailable())
        else:
            response = HttpResponse(outage.SERVICE_UNAVAILABLE_PAGE, status=outage.ServiceUnavailable.status_code)
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return response
    if request.path.startswith(API_PREFIX):
        return _api_error(exceptions.APIException(detail="Server Error (500)"))
    return defaults.server_error(request)

"""
Django-level error views that keep the API's error shape.

DRF views get the standard shape from drf-standardized-errors; these cover what never
reaches a DRF view: an unknown URL under /api/ and a crash outside a view.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from drf_standardized_errors.formatter import ExceptionFormatter
from rest_framework import exceptions

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
    """500 outside a DRF view: JSON under /api/, never a traceback."""
    if request.path.startswith(API_PREFIX):
        return _api_error(exceptions.APIException(detail="Server Error (500)"))
    return defaults.server_error(request)

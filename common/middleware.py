"""Request id and one log line per request."""

import logging
import re
import time
import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

logger = logging.getLogger("config.request")

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only if it is short and plain, so it cannot forge log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestLogMiddleware:
    """
    Tag each request with an id and log method, path, status, duration and user.

    An incoming `X-Request-ID` is honoured when well-formed, otherwise one is generated;
    either way it is echoed in the response and available as `request.request_id`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        response[REQUEST_ID_HEADER] = request.request_id
        # Why a request failed without a traceback (e.g. the database is unreachable, common.outage).
        failure = getattr(request, "failure", None)
        logger.log(
            logging.ERROR if response.status_code >= 500 else logging.INFO,
            "%s %s %s %.2fms" + (" %s" if failure else ""),
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            *([failure] if failure else []),
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
                "request_id": request.request_id,
                "error": failure,
            },
        )
        return response


def _user_id(request: HttpRequest) -> int | None:
    # DRF stores the user it authenticated on the Django request; the session user
    # (admin pages) is there already. Never trigger a lookup just for the log line.
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = request.__dict__.get("_cached_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None

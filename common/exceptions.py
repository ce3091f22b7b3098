"""
The one place where the exceptions services raise become API errors.

Services stay free of HTTP: they raise Django's `ValidationError` (400), `PermissionDenied`
(403) and `ObjectDoesNotExist` / `Http404` (404), and from `common.service_exceptions`
`AuthenticationError` for rejected credentials or tokens (401), `Forbidden` for a 403 with a code
of its own and `RateLimited` for a limit a service counts (429), which Django has no exceptions
for. drf-standardized-errors already maps `Http404` and `PermissionDenied`; this adds the rest,
the request errors Django raises while reading a body, which would otherwise surface as a 500,
and an unreachable database (503, see common.outage). A 401 names every
authentication scheme the endpoint accepts, unless its exception names its own `challenge`.
"""

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error

from common.outage import ServiceUnavailable, is_database_unavailable, record_failure
from common.parsers import PayloadTooLarge
from common.service_exceptions import AuthenticationError, Forbidden, RateLimited

TOO_MANY_FIELDS = "Too many fields in the request."


class APIExceptionHandler(ExceptionHandler):
    """Standard error shape for Django validation, body-size, suspicious-request and database-outage errors too."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if is_database_unavailable(exc):
            return ServiceUnavailable()
        if isinstance(exc, AuthenticationError):
            converted = exceptions.AuthenticationFailed(exc.message, code=exc.code)
            # DRF adds the view's WWW-Authenticate challenge to its own 401s before this runs.
            view, request = self.context.get("view"), self.context.get("request")
            if view is not None and request is not None:
                converted.auth_header = view.get_authenticate_header(request)
            return converted
        if isinstance(exc, Forbidden):
            return exceptions.PermissionDenied(exc.message, code=exc.code)
        if isinstance(exc, RateLimited):
            return exceptions.Throttled(wait=exc.wait_seconds, detail=exc.message)
        if isinstance(exc, ObjectDoesNotExist):
            return exceptions.NotFound()
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(as_serializer_error(exc))
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, TooManyFieldsSent):
            return exceptions.ValidationError(TOO_MANY_FIELDS, code="too_many_fields")
        if isinstance(exc, SuspiciousOperation):
            return exceptions.ValidationError("Bad request.", code="bad_request")
        return super().convert_known_exceptions(exc)

    def get_headers(self, exc: exceptions.APIException) -> dict:
        headers = super().get_headers(exc)
        if challenge := getattr(exc, "challenge", None):
            # An exception that names its own challenge keeps it: RFC 9470's step-up asks for a
            # fresher bearer token, not for any of the schemes.
            headers["WWW-Authenticate"] = challenge
        elif "WWW-Authenticate" in headers and (challenges := self._challenges()):
            headers["WWW-Authenticate"] = challenges
        return headers

    def _challenges(self) -> str:
        """
        One challenge per authentication scheme the view accepts (`Bearer ..., Api-Key ...`).

        DRF's 401 carries only its first authentication class's challenge; RFC 9110 lets one
        header list several, so a client learns every way in. Views without authentication
        (login, refresh) keep the challenge they set themselves.
        """
        request = self.context.get("request")
        authenticators = getattr(request, "authenticators", None) or ()
        return ", ".join(filter(None, (authenticator.authenticate_header(request) for authenticator in authenticators)))

    def report_exception(self, exc: exceptions.APIException, response) -> None:
        if isinstance(exc, ServiceUnavailable):
            # An outage, not a bug: no traceback and no error-monitoring event per request;
            # the request's own log line says why it failed.
            record_failure(self.context.get("request"), self.exc)
            return
        if getattr(exc, "upstream_failure", False):
            # Another service (a sign-in provider) failed, not our code: its log line is the request's.
            return
        super().report_exception(exc, response)
